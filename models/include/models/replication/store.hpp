// A replicated key-value store with selectable designs, each one a team might ship:
//
//   primary_backup_async  one primary takes every write, fsyncs it, acknowledges, and ships it to
//                         the backups later; a controller fails over to the most up-to-date
//                         backup when the primary stops answering. Loses acknowledged writes the
//                         primary had not shipped when it was cut off.
//   primary_backup_sync   the same, but a write is acknowledged only once every backup has
//                         fsynced it. Loses nothing acknowledged; writes stall while any replica
//                         is unreachable.
//   quorum                leaderless (Dynamo-style): the client writes to N replicas and waits for
//                         W, reads from R and returns the newest; read repair and anti-entropy
//                         heal the rest. Versions are the client's clock (last writer wins).
//   lww                   multi-region last writer wins: each region's replica accepts writes,
//                         stamps them with its own (skewable) clock, acknowledges after fsync,
//                         and ships them to the other regions; the largest stamp wins everywhere.
//   multi_value           the same topology with version vectors: concurrent writes are all kept
//                         (siblings) and a write that read them first replaces them.
//
// Replicas persist to their host's disk (sim::disk) and rebuild their state from it at boot; what
// each design fsyncs, and when, is in docs/replication.md. Every change to a replica's state is
// recorded in an apply log, and final_state() reads what each replica holds: the inputs of the
// convergence checker (models/check/convergence.hpp).
//
// Left out: membership changes and rebalancing (the replica set is fixed), sharding, deletes,
// leases for the primary (a cut-off primary keeps accepting writes: that is the split brain the
// checkers should see), and the bandwidth cost of anti-entropy (whole states are exchanged).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/check/replica_state.hpp"
#include "models/replication/version.hpp"
#include "sim/network.hpp"
#include "sim/result.hpp"
#include "sim/simulator.hpp"
#include "sim/values.hpp"

namespace models::replication {

enum class Design : std::uint8_t { primary_backup_async, primary_backup_sync, quorum, lww, multi_value };

std::string_view to_string(Design design) noexcept;
inline std::array<std::pair<std::string_view, Design>, 5> enum_names(Design) {
    return {{{"primary_backup_async", Design::primary_backup_async},
             {"primary_backup_sync", Design::primary_backup_sync},
             {"quorum", Design::quorum},
             {"lww", Design::lww},
             {"multi_value", Design::multi_value}}};
}

struct PrimaryBackupOptions {
    std::string controller;  // the controller's host name; empty: "<name>-controller"
    sim::Duration heartbeat_interval = std::chrono::milliseconds(100);   // controller -> replicas
    sim::Duration failover_timeout = std::chrono::seconds(1);            // primary silent this long: promote a backup
    sim::Duration ship_interval = std::chrono::milliseconds(50);         // how often the primary ships to each backup
    sim::Duration replication_timeout = std::chrono::milliseconds(300);  // sync: wait for every backup this long
    std::size_t batch_max = 256;                                         // entries per shipment
    std::size_t log_max = 10'000;  // entries the primary keeps for shipping; a backup further behind gets a snapshot
    std::size_t attempts_max = 3;  // client: tries per operation while it looks for the primary
};

// A periodic task (a shipper, the controller's heartbeat, the background fsync, anti-entropy, a
// pool's keepalive) wakes every period whether or not there is work: 0 would never let virtual time
// move, and below period_min a run spends its events on idle wake-ups (a 1ns period is a billion
// per simulated second) while nothing gets faster than the network and the disk.
inline constexpr sim::Duration period_min = std::chrono::milliseconds(1);

// The one check of such a period: "<field> must be at least 1ms, got 1ns (<task> wakes every
// interval, ...)", or nothing. `zero`: what 0 means where it is allowed ("0 turns it off"); empty
// where it is not.
sim::ParseError check_period(std::string_view field, sim::Duration period, std::string_view task,
                             std::string_view zero = {});

sim::ParseError validate(const PrimaryBackupOptions& options);

enum class ReadFanout : std::uint8_t {
    all,     // ask every replica, answer after R replies; late replies still feed read repair (Dynamo)
    quorum,  // ask R replicas picked at random (Cassandra's default)
};
inline std::array<std::pair<std::string_view, ReadFanout>, 2> enum_names(ReadFanout) {
    return {{{"all", ReadFanout::all}, {"quorum", ReadFanout::quorum}}};
}

struct QuorumOptions {
    std::size_t r = 2;
    std::size_t w = 2;
    ReadFanout read_fanout = ReadFanout::all;
    bool read_repair = true;  // send the newest version to replies that were older or missing
    // Zero: a write goes to all N replicas at once. Otherwise it goes to W replicas picked at random
    // and reaches the others this much later (a replication pipeline that is behind; hinted
    // handoff): what makes R = W = 1 reads stale at the rate C(N-W, R) / C(N, R).
    sim::Duration straggler_delay{0};
};

struct RegionalOptions {
    sim::Duration ship_interval = std::chrono::milliseconds(20);  // how often a region ships to each peer
    std::size_t batch_max = 256;                                  // entries per shipment
    std::size_t outbox_max = 10'000;  // entries waiting per peer; older ones are dropped (anti-entropy heals)
    std::size_t siblings_max = 64;    // multi_value: a local write that would keep more is refused
};

sim::ParseError validate(const RegionalOptions& options);

struct StoreOptions {
    std::string name = "kv";
    Design design = Design::quorum;
    // Replica hosts, made if missing. The store owns their boot functions.
    std::vector<std::string> replicas{"kv-1", "kv-2", "kv-3"};
    sim::Duration request_timeout = std::chrono::milliseconds(500);  // client -> store
    sim::Duration peer_timeout = std::chrono::milliseconds(200);     // replica -> replica, controller
    // Zero: fsync before every acknowledgement. Otherwise writes are acknowledged from the page
    // cache and a background fsync runs this often (Redis appendfsync everysec, Cassandra's
    // periodic commit log): a crash loses up to this much acknowledged data.
    sim::Duration fsync_interval{0};
    // Zero: off. Each replica exchanges its whole state with a random peer this often (quorum, lww,
    // multi_value). Both periods, when not zero, are at least period_min (check_period).
    sim::Duration anti_entropy_interval{0};
    std::size_t apply_log_max = 1'000'000;  // entries; past it the log stops (and says so)
    PrimaryBackupOptions primary_backup;
    QuorumOptions quorum;
    RegionalOptions regional;
};

// fsync_interval's and anti_entropy_interval's check_period (the sections have their validate()).
sim::ParseError check_periods(const StoreOptions& options);

// What a read returns: the values (none: the key is absent; several: siblings) and, for
// multi_value, the context a write should carry to replace them.
struct ReadResult {
    std::vector<std::string> values;
    VersionVector context;
};

// True for errors that guarantee the operation was not applied (it never reached a replica that
// acted on it): a history records them as failed; any other error is an unknown outcome.
bool definitely_not_applied(sim::Errc e) noexcept;

// A client's handle on the store, living on the client's host. Errors are values: a timeout means
// the outcome is unknown, see definitely_not_applied.
class StoreClient {
public:
    virtual ~StoreClient() = default;
    virtual sim::Result<ReadResult> get(sim::Ctx& ctx, std::string_view key) = 0;
    // `context` (multi_value): the context of an earlier read; the write replaces what it saw.
    virtual sim::Result<void> put(sim::Ctx& ctx, std::string_view key, std::string_view value,
                                  const VersionVector* context = nullptr) = 0;
};

class Store {
public:
    virtual ~Store() = default;
    virtual const StoreOptions& options() const noexcept = 0;
    // A client on `host`: volatile state of that host (call it from the host's boot function or a
    // process on it). `home`: the replica a regional client talks to; empty picks the replica
    // whose name shares the client's prefix up to '/' ("us/client" -> "us/kv"), else the first.
    virtual StoreClient& connect(sim::Host& host, std::string home = {}) = 0;
    // What each replica holds now: a live replica's memory, or what a down replica would recover
    // from its disk.
    virtual check::FinalState final_state() const = 0;
    virtual const check::ApplyLog& apply_log() const noexcept = 0;
    virtual bool apply_log_complete() const noexcept = 0;
    // Failovers the controller made (primary-backup designs; 0 otherwise).
    virtual std::uint64_t failovers() const noexcept { return 0; }
};

// The store lives as long as the simulator (Simulator::make).
Store& make_store(sim::Simulator& sim, sim::Network& net, StoreOptions options);

}  // namespace models::replication
