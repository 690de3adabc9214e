// What the replicas held at the end of a run, and how their state changed on the way there:
// the inputs of the convergence checker (next to the History).
//
// A Cell is what one replica holds for one key: its values (one for a register, several for a
// store that keeps concurrent writes) and a text form of the design's version metadata (a log
// sequence number, a timestamp, a version vector), so that two replicas that hold the same value
// under different versions count as different: they would resolve a later write differently.
//
// The apply log is written by the model as it goes: one entry each time a replica's state for a
// key changes (a client write, replication, repair, anti-entropy, recovery from disk after a
// crash), with the state after the change. Replaying it tells when replicas stopped agreeing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace models::check {

struct Cell {
    std::vector<std::string> values;  // sorted
    std::string version;
    friend bool operator==(const Cell&, const Cell&) = default;
};

// "v7@seq=12", "{a,b}@[{kv-1:1},{kv-2:1}]"; "absent" for nullopt.
std::string describe(const std::optional<Cell>& cell);

using Contents = std::map<std::string, Cell, std::less<>>;        // key -> what the replica holds
using FinalState = std::map<std::string, Contents, std::less<>>;  // replica -> its contents

struct Applied {
    sim::Time time{};
    std::string replica;
    std::string key;
    std::optional<Cell> cell;  // the replica's state for the key after the change (nullopt: absent)
    std::string cause;         // "write", "replicate", "resync", "repair", "anti-entropy", "recover"
    friend bool operator==(const Applied&, const Applied&) = default;
};

// "2.35s kv-1 k3 <- v7@seq=12 (replicate)"
std::string describe(const Applied& entry);

// In the order the changes happened (ties in time keep that order).
using ApplyLog = std::vector<Applied>;

}  // namespace models::check
