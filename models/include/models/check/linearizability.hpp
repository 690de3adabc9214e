// Linearizability of single-key register histories (read, write, compare-and-set).
//
// The history is split by key (a register per key; linearizability composes, so each key is
// checked on its own). Each key is searched with Wing and Gong's algorithm as improved by Lowe and
// used by Porcupine: walk the invocations and completions in time order, try to linearize an
// operation whose invocation has been seen, backtrack when a completion arrives whose operation
// has not been linearized, and remember every (set of linearized operations, register value)
// already explored so no configuration is searched twice.
//
// What constrains the search: acknowledged operations (a read must return the register's value;
// a cas reports whether it matched). Failed operations are dropped (they did nothing). An
// unknown write or cas may take effect at any time after its invocation, or never; an unknown read
// says nothing and is dropped. Operations whose completion and another's invocation share an
// instant are taken as concurrent, even when one client issued both (check::precedes orders those
// for the other checkers; here one event order must serve every client, and ordering a pair would
// order unrelated operations at that instant too). That only ever accepts more.
//
// The search is capped by a step budget (not the wall clock: the same history gives the same
// answer on any machine) and by the cache's entries and bytes (memory: an entry holds a bit per
// operation, so a long history's entries are large); past either the verdict is "unknown". When a key is not linearizable the checker looks for a small window that shows it:
//   1. the shortest prefix of the history (cut at a completion; operations still running at the
//      cut count as unknown) that is not linearizable; the operation completing there is the one
//      no order can explain ("failed");
//   2. the latest start time from which the rest still fails, given only that the register then
//      holds one of the values it could hold ("start_states"): operations that completed before
//      every operation in the window began are left out;
//   3. then each read, and each write whose outcome is (or, cut by the prefix, became) unknown,
//      that the failure does not need is dropped.
// The window lists the operations as recorded; some of them may have been relaxed to unknown by
// the prefix cut (those still running when the failing operation completed).
// Every step only relaxes the history, so the window reported is itself certified
// non-linearizable; "minimal" is in that sense (no shorter prefix, no later start found by binary
// search, no single read removable), not the global minimum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/check/history.hpp"

namespace models::check {

enum class Linearizable : std::uint8_t { yes, no, unknown };
std::string_view to_string(Linearizable verdict) noexcept;

struct LinearizabilityOptions {
    std::uint64_t steps_max = 5'000'000;      // search steps per key (the time cap)
    std::size_t cache_entries_max = 250'000;  // configurations remembered per key (the memory cap)
    std::size_t cache_bytes_max = 256u << 20;  // and their bytes, per key: an entry holds a bit per operation
    bool find_window = true;
    std::uint64_t window_steps_max = 2'000'000;  // steps spent looking for the window, per key
    std::size_t shrink_attempts_max = 256;       // reads tried for removal from the window
};

struct KeyLinearizability {
    std::string key;
    Linearizable verdict = Linearizable::yes;
    std::size_t ops = 0;  // operations that constrain the search
    std::uint64_t steps = 0;
    std::size_t cache_entries = 0;
    std::string why_unknown;  // when unknown: which cap was reached
    // When not linearizable:
    std::optional<Operation> failed;                       // the completion no order of the operations could explain
    std::size_t prefix_ops = 0;                            // operations in the shortest failing prefix
    std::vector<Operation> window;                         // the smallest failing window found, by invocation
    std::vector<std::optional<std::string>> start_states;  // the register as the window opens (nullopt: absent)
};

struct LinearizabilityReport {
    Linearizable verdict = Linearizable::yes;  // no if any key is not; unknown if any is unknown
    std::vector<KeyLinearizability> keys;      // by key
    const KeyLinearizability* first_failure() const;
    std::string describe() const;
};

LinearizabilityReport check_linearizability(const History& history, const LinearizabilityOptions& options = {});

// One register: `ops` are the operations of one key (others are a programmer error).
KeyLinearizability check_register(const std::vector<Operation>& ops, const LinearizabilityOptions& options = {});

}  // namespace models::check
