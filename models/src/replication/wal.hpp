// The replicas' write-ahead log: the one file each replica keeps on its host's disk, and the
// replay that rebuilds a replica's state from it at boot.
//
// One record per line, fields separated by tabs (tabs, newlines and backslashes escaped), each line
// ending with a checksum of its contents:
//   V key value stamp origin clock   a version of a key, merged by the design's rule on replay
//   R                                reset: forget everything before (a full resync follows)
//   M name value                     design metadata (primary-backup epochs); the last one wins
// Replay stops at the first line whose checksum fails (a corrupted block): what follows is
// dropped, as a real log with per-record checksums would, and `damaged` says so.
//
// Left out: compaction (the log only grows; a resync appends a whole snapshot), and torn records
// (the simulated disk applies each write whole).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/replication/version.hpp"

namespace models::replication::detail {

using Data = std::map<std::string, Siblings, std::less<>>;  // key -> versions
using Entry = std::pair<std::string, Version>;              // key, version

struct Recovered {
    Data data;
    std::map<std::string, std::uint64_t, std::less<>> meta;
    std::size_t records = 0;
    bool damaged = false;
};

std::string encode_version(std::string_view key, const Version& v);
std::string encode_reset();
std::string encode_meta(std::string_view name, std::uint64_t value);

Recovered replay(std::string_view bytes, MergeRule rule);

}  // namespace models::replication::detail
