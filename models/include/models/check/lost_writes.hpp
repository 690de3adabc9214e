// Lost acknowledged writes: writes a client was told succeeded that no replica holds at the end.
//
// A replica "holds" an acknowledged write w of key k if its final state for k contains w's value,
// or a value written by a write that may legitimately have overwritten w: one that did not finish
// before w began (check::precedes: it came later, or ran concurrently with w, or its outcome is
// unknown and it may have landed late). A value written only by writes that finished before w began cannot explain
// w's absence: w was acknowledged after them and then vanished. A write is lost if no replica
// holds it. A compare-and-set counts as a write when it was acknowledged as swapped.
//
// So a key written again after a write was lost hides the loss (the later write legitimately
// overwrote it); workloads that want every loss counted write many keys. Values present on a
// replica that no write in the history wrote are listed as unexplained (corruption, or a history
// that is missing operations); they explain nothing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/check/history.hpp"
#include "models/check/replica_state.hpp"

namespace models::check {

struct LostWrite {
    Operation write;
    // What each replica holds for the key instead (by replica name).
    std::vector<std::pair<std::string, std::optional<Cell>>> holdings;
};

struct UnexplainedValue {
    std::string replica;
    std::string key;
    std::string value;
};

struct LostWritesReport {
    std::size_t acknowledged = 0;  // acknowledged writes checked
    std::vector<LostWrite> lost;   // by operation id
    std::vector<UnexplainedValue> unexplained;
    bool ok() const noexcept { return lost.empty(); }
    // "3 of 412 acknowledged writes lost" and one line per lost write (at most `examples_max`).
    std::string describe(std::size_t examples_max = 10) const;
};

LostWritesReport check_lost_writes(const History& history, const FinalState& final_state);

}  // namespace models::check
