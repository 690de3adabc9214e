// A client's write that the network duplicates, or delays past the client's next write, is
// applied once: the primary-backup designs and the regional designs' home replicas remember the
// last operation (client, number) they applied per client. Before, the late copy got a new
// sequence number (or a newer stamp) and overwrote the later write: an acknowledged write lost,
// and reads of the older value after it.
#include <gtest/gtest.h>

#include "models/check/lost_writes.hpp"
#include "models/check/stale_reads.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::replication::Design;
using sim::Time;

struct Outcome {
    models::check::LostWritesReport lost;
    models::check::StaleReadReport stale;
    std::uint64_t duplicated = 0;
};

// One client, one key, writes and reads; half its messages to and from kv-1 duplicated and half
// delayed 10-300ms (so a copy often lands after the client's next write was acknowledged).
Outcome run_with_duplicates(Design design, std::uint64_t seed) {
    sim::Simulator sim(sim::Options{.seed = seed});
    sim::Network net(sim, sim::LinkOptions{.latency = sim::Delay::fixed(1ms)});
    models::replication::StoreOptions options;
    options.design = design;
    options.replicas = {"kv-1", "kv-2"};
    auto& store = models::replication::make_store(sim, net, options);
    models::check::HistoryRecorder history;
    models::replication::WorkloadOptions work;
    work.keys = 1;
    work.read_ratio = {1, 4};
    work.think = sim::Delay::exponential(20ms);
    work.stop = Time(5s);
    sim.add_host("c-1").on_boot(
        [&store, &history, work](sim::Host& h) { models::replication::run_workload(h, store, history, work); });
    net.patch_links("c-1", "kv-1",
                    sim::LinkPatch{.duplicate = sim::Ratio{1, 2},
                                   .reorder = sim::Ratio{1, 2},
                                   .reorder_delay = sim::Delay::uniform(10ms, 300ms)});
    sim.run_until(Time(7s));
    Outcome out{models::check::check_lost_writes(history.history(), store.final_state()),
                models::check::check_stale_reads(history.history()), net.counters().duplicated};
    sim.shutdown();
    return out;
}

void expect_each_write_applied_once(Design design) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        const Outcome o = run_with_duplicates(design, seed);
        SCOPED_TRACE("seed " + std::to_string(seed));
        EXPECT_GT(o.duplicated, 50u);
        EXPECT_GT(o.lost.acknowledged, 20u);
        EXPECT_TRUE(o.lost.ok()) << o.lost.describe();
        EXPECT_EQ(o.stale.stale, 0u) << o.stale.describe();
    }
}

TEST(ReplicationDuplicates, SyncPrimaryBackupAppliesADuplicatedOrLateWriteOnce) {
    expect_each_write_applied_once(Design::primary_backup_sync);
}

TEST(ReplicationDuplicates, AsyncPrimaryBackupAppliesADuplicatedOrLateWriteOnce) {
    expect_each_write_applied_once(Design::primary_backup_async);
}

TEST(ReplicationDuplicates, LwwHomeReplicaAppliesADuplicatedOrLateWriteOnce) {
    expect_each_write_applied_once(Design::lww);
}

}  // namespace
