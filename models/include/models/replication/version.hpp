// What a replica stores for a key, and the rule each design uses to decide which versions of a key
// survive when two meet (a client write, replication, repair, anti-entropy, recovery from disk).
//
//   replace         primary-backup: entries arrive in log order; the newer entry replaces the
//                   older (stamp = the log sequence number).
//   lww             quorum and last-writer-wins: the larger (stamp, origin, value) wins, where the
//                   stamp is a clock reading in nanoseconds taken by the host that accepted the
//                   write (the client for quorum, the region's replica for lww) and origin that
//                   host's id; the value breaks the last ties so every replica picks the same one.
//   version_vector  multi-value: a version survives unless another's version vector dominates it;
//                   concurrent versions are all kept (siblings), as a multi-value register CRDT.
//
// Left out: deletes and tombstones (so no resurrection bugs), hybrid logical clocks, dotted
// version vectors (siblings from one actor's concurrent writes are resolved by counter order).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace models::replication {

// Actor (a host id) -> counter, sorted by actor. A counter is (incarnation << 40) + n, so an actor
// that restarted and lost unsynced writes never reuses a counter: its new writes dominate its old.
class VersionVector {
public:
    std::uint64_t get(std::uint64_t actor) const noexcept;
    void set(std::uint64_t actor, std::uint64_t counter);
    // Entry-wise maximum.
    void merge(const VersionVector& other);
    // Every entry <= other's (equal vectors included).
    bool leq(const VersionVector& other) const noexcept;
    bool empty() const noexcept { return entries_.empty(); }
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& entries() const noexcept { return entries_; }
    friend bool operator==(const VersionVector&, const VersionVector&) = default;

private:
    std::vector<std::pair<std::uint64_t, std::uint64_t>> entries_;
};

struct Version {
    std::string value;
    std::int64_t stamp = 0;    // replace: log sequence number; lww: clock reading (ns)
    std::uint32_t origin = 0;  // lww: host id of the host that stamped it
    VersionVector clock;       // version_vector only
    friend bool operator==(const Version&, const Version&) = default;
};

using Siblings = std::vector<Version>;  // one for replace and lww; any number for version_vector

enum class MergeRule : std::uint8_t { replace, lww, version_vector };

// Merges `incoming` into a key's versions; true if they changed. Siblings stay sorted by value
// (then stamp), so equal states compare equal.
bool merge(MergeRule rule, Siblings& siblings, const Version& incoming);

// The lww order: (stamp, origin, value).
bool lww_before(const Version& a, const Version& b) noexcept;

}  // namespace models::replication
