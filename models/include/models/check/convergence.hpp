// Convergence: after faults heal and a quiet period, every replica holds the same data.
//
// check_convergence compares the replicas' final contents key by key (values and version; a key
// one replica lacks counts as "absent"). For each key that differs it groups the replicas by what
// they hold and, when an apply log is given, names the event at which they diverged: replaying
// the log for that key (every replica starts absent), the last entry that took the replicas from
// agreeing to disagreeing. After that entry they never agreed again, so it is where the
// divergence that is still there at the end began (an earlier disagreement that healed, such as
// ordinary replication lag, is not reported). If replaying the log does not end in the final
// state (a truncated log, or a final state taken from elsewhere), `log_explains_final` says so.
//
// Only replicas present in the final state are compared; a replica missing from it is not
// assumed empty.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "models/check/replica_state.hpp"

namespace models::check {

struct ReplicaGroup {
    std::vector<std::string> replicas;  // sorted
    std::optional<Cell> cell;           // what they hold (nullopt: absent)
};

struct Divergence {
    std::string key;
    std::vector<ReplicaGroup> groups;    // two or more, largest first (ties: first replica name)
    std::optional<Applied> diverged_at;  // nullopt: no apply log, or it never shows them disagreeing
    bool log_explains_final = true;
};

struct ConvergenceReport {
    std::size_t replicas = 0;
    std::size_t keys = 0;                 // distinct keys over all replicas
    std::vector<Divergence> divergences;  // by key
    bool converged() const noexcept { return divergences.empty(); }
    // One line per divergent key (at most `examples_max`), or "converged: ...".
    std::string describe(std::size_t examples_max = 10) const;
};

ConvergenceReport check_convergence(const FinalState& final_state, const ApplyLog& log = {});

}  // namespace models::check
