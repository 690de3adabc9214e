// What clients asked a store and what they were told: one Operation per request, with its
// invocation and completion times (virtual), its result, and whether it was acknowledged.
//
// The checkers (convergence, lost writes, stale reads, linearizability) read only a History and
// the replicas' final contents (replica_state.hpp), never the live model, so they run the same on
// a run that just ended and on a history read back from a file (history_file.hpp).
//
// Left out: deletes, multi-key operations and transactions; operations are reads, writes and
// compare-and-set on one key. Values are opaque strings; checkers that match a read to the write
// it observed (lost writes, stale reads) need every write to a key to write a distinct value,
// which the workload clients guarantee.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace models::check {

enum class OpKind : std::uint8_t { read, write, cas };

enum class Outcome : std::uint8_t {
    ok,       // acknowledged: the write took effect, the read returned `read`, the cas answered `swapped`
    fail,     // definitely not applied (refused before the store acted on it); constrains nothing
    unknown,  // no answer or an answer that does not say (timeout, crash): it may or may not have taken effect
};

std::string_view to_string(OpKind kind) noexcept;
std::string_view to_string(Outcome outcome) noexcept;

struct Operation {
    std::uint64_t id = 0;  // unique in the history
    std::string client;
    OpKind kind = OpKind::read;
    std::string key;
    std::string value;                    // write, cas: the value written
    std::optional<std::string> expected;  // cas: the value it compares with (nullopt: the key absent)
    bool swapped = false;                 // cas acknowledged: it matched and took effect
    std::vector<std::string> read;        // read acknowledged: the values returned, sorted (none: the key
                                          // was absent; several: concurrent siblings)
    sim::Time invoked{};
    // When the client heard back (or gave up: a timeout is an unknown outcome); time_never if the
    // run ended first. Checkers treat an unknown write as possibly taking effect at any time after
    // its invocation, whatever this says: a request can still be in flight when its caller gives up.
    sim::Time completed = sim::time_never;
    Outcome outcome = Outcome::unknown;

    bool acknowledged() const noexcept { return outcome == Outcome::ok; }
    bool is_write() const noexcept { return kind != OpKind::read; }
    // It may have stored `value`: a write not known to have failed, or a cas that swapped or whose
    // outcome is unknown.
    bool may_have_written() const noexcept {
        if (kind == OpKind::write) return outcome != Outcome::fail;
        if (kind == OpKind::cas) return outcome == Outcome::unknown || (outcome == Outcome::ok && swapped);
        return false;
    }
    friend bool operator==(const Operation&, const Operation&) = default;
};

// "#12 client-1 write k3=v7 [1.2s, 1.25s] ok"
std::string describe(const Operation& op);

// `a` certainly finished before `b` began: `a` was acknowledged, and completed before `b` was
// invoked, or at the same instant by the same client (a client that hears back and sends its next
// request at once does so in that order, even if virtual time did not move). Otherwise two
// operations sharing an instant are concurrent. An operation whose outcome is unknown never
// certainly finished: it may still take effect.
inline bool precedes(const Operation& a, const Operation& b) noexcept {
    if (a.outcome != Outcome::ok) return false;
    return a.completed < b.invoked || (a.completed == b.invoked && a.client == b.client && a.id != b.id);
}

struct History {
    std::vector<Operation> ops;  // in invocation order (ids increasing)
    friend bool operator==(const History&, const History&) = default;
};

// Builds a history while a run goes: invoke() as a client sends a request, complete() when it
// hears back. An operation never completed (its client crashed, the run ended) stays unknown with
// no completion time, which is what it is: nobody knows whether it took effect.
//
// The recorder outlives crashes of the clients that use it (own it outside any host's volatile
// state). It holds at most `ops_max` operations (a million take a few hundred MB, and the checkers
// more): past that, invoke() refuses and the client must not send the operation, so the history
// stays a faithful record of everything the store was asked, only shorter than the run. A busy
// workload that fills it is not the store's fault: full() says so, and when.
class HistoryRecorder {
public:
    explicit HistoryRecorder(std::size_t ops_max = 1'000'000) : ops_max_(ops_max) {}

    // The operation's id, or 0 if the history is full (the operation must not be sent).
    std::uint64_t invoke(sim::Time at, std::string client, OpKind kind, std::string key, std::string value = {},
                         std::optional<std::string> expected = std::nullopt);
    // `read` is sorted here. Completing an operation twice is a programmer error.
    void complete(std::uint64_t id, sim::Time at, Outcome outcome, std::vector<std::string> read = {},
                  bool swapped = false);

    const History& history() const noexcept { return history_; }
    const Operation& op(std::uint64_t id) const;
    std::size_t size() const noexcept { return history_.ops.size(); }
    std::size_t ops_max() const noexcept { return ops_max_; }
    // When an operation was first refused for want of room (nullopt: never).
    std::optional<sim::Time> full_at() const noexcept { return full_at_; }
    bool full() const noexcept { return history_.ops.size() >= ops_max_; }

private:
    History history_;
    std::vector<bool> completed_;
    std::size_t ops_max_;
    std::optional<sim::Time> full_at_;
};

}  // namespace models::check
