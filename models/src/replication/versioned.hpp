// The replica shared by the leaderless designs (quorum, lww, multi_value): it stores versions and
// merges whatever it receives by the design's rule, so the order in which writes, repairs and
// anti-entropy arrive does not matter. Who coordinates differs:
//   quorum       the client: it stamps writes with its own clock and talks to N replicas
//                (quorum_client.cpp);
//   lww and multi_value  the client's home region's replica: it stamps the write (its clock, or a
//                version vector), acknowledges after fsync, and ships it to the other regions
//                (regional_client.cpp and the shipper here).
// Every replica can run anti-entropy: each interval it sends its whole state to a random peer,
// which merges it and answers with what the sender lacks.
#pragma once

#include <deque>
#include <map>
#include <optional>

#include "store_base.hpp"

namespace models::replication::detail {

// ---- messages ------------------------------------------------------------------------------------
struct VWrite {
    std::string key;
    Version version;
    bool repair = false;  // read repair (for the apply log's "cause")
};
struct VWriteReply {
    bool changed = false;
};
struct VRead {
    std::string key;
};
struct VReadReply {
    Siblings versions;
};
struct VSync {
    std::vector<Entry> entries;  // the sender's whole state
};
struct VSyncReply {
    std::vector<Entry> newer;  // what the sender lacks
};
struct LocalPut {
    std::string key;
    std::string value;
    VersionVector context;
    // The operation's id (op 0: none): the home replica applies each at most once, so a copy the
    // network duplicated or delayed past the client's next write does not get a newer stamp.
    std::uint64_t client = 0;
    std::uint64_t op = 0;
};
struct LocalPutReply {
    bool ok = true;
};
struct Replicate {
    std::vector<Entry> entries;
};
struct ReplicateReply {
    std::size_t applied = 0;
};

class VersionedStore final : public StoreBase {
public:
    VersionedStore(sim::Simulator& sim, sim::Network& net, StoreOptions options, MergeRule rule);
    StoreClient& connect(sim::Host& host, std::string home) override;
    bool regional() const noexcept { return options_.design != Design::quorum; }

    sim::Rpc<VWrite, VWriteReply> write_;
    sim::Rpc<VRead, VReadReply> read_;
    sim::Rpc<VSync, VSyncReply> sync_;
    sim::Rpc<LocalPut, LocalPutReply> local_put_;
    sim::Rpc<VRead, VReadReply> local_get_;
    sim::Rpc<Replicate, ReplicateReply> replicate_;
};

class VersionedReplica {
public:
    VersionedReplica(VersionedStore& store, std::size_t index);
    void boot(sim::Ctx& ctx);

private:
    struct Outgoing {
        std::uint64_t seq;
        Entry entry;
    };

    sim::Result<VWriteReply> on_write(sim::Ctx& ctx, const VWrite& req);
    sim::Result<VSyncReply> on_sync(sim::Ctx& ctx, const VSync& req);
    sim::Result<LocalPutReply> on_local_put(sim::Ctx& ctx, const LocalPut& req);
    sim::Result<ReplicateReply> on_replicate(sim::Ctx& ctx, const Replicate& req);
    VReadReply read(const VRead& req) const;
    void anti_entropy(sim::Ctx& ctx);
    void shipper(sim::Ctx& ctx, std::size_t peer);

    VersionedStore& s_;
    std::size_t index_;
    ReplicaData data_;
    sim::Rng rng_;
    std::uint64_t counter_ = 0;                 // multi_value: this life's version-vector counter
    // Regional: per peer, waiting to be shipped. None in quorum: even an empty deque allocates
    // about 600 bytes, and N replicas with N each made memory grow as N squared.
    std::vector<std::deque<Outgoing>> outbox_;
    std::uint64_t outgoing_seq_ = 0;
    std::map<std::uint64_t, sim::Semaphore> client_locks_;  // regional: one local put per client at a time
};

StoreClient& make_quorum_client(VersionedStore& store, sim::Host& host);
StoreClient& make_regional_client(VersionedStore& store, sim::Host& host, std::size_t home, std::uint64_t id);

}  // namespace models::replication::detail
