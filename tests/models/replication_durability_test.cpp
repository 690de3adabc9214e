// Replicas persist to the simulated disk and rebuild from it at boot: a crash loses exactly what
// was not fsynced, and a damaged log is cut at the first bad record and healed by anti-entropy.
#include <gtest/gtest.h>

#include "models/check/convergence.hpp"
#include "models/check/lost_writes.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "sim/disk.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::replication::Design;
using sim::Time;

struct Cluster {
    explicit Cluster(models::replication::StoreOptions options) : sim(sim::Options{.seed = 5}), net(sim) {
        store = &models::replication::make_store(sim, net, options);
    }
    ~Cluster() { sim.shutdown(); }
    void client(models::replication::WorkloadOptions w) {
        sim.add_host("client").on_boot(
            [this, w](sim::Host& h) { models::replication::run_workload(h, *store, history, w); });
    }
    sim::Simulator sim;
    sim::Network net;
    models::check::HistoryRecorder history;
    models::replication::Store* store = nullptr;
};

models::replication::StoreOptions single_replica(sim::Duration fsync_interval) {
    models::replication::StoreOptions options;
    options.design = Design::quorum;
    options.replicas = {"kv-1"};
    options.quorum.r = 1;
    options.quorum.w = 1;
    options.fsync_interval = fsync_interval;
    return options;
}

models::replication::WorkloadOptions fresh_writes(Time stop) {
    models::replication::WorkloadOptions w;
    w.keys = 1'000'000;
    w.read_ratio = {0, 1};
    w.think = sim::Delay::exponential(5ms);
    w.stop = stop;
    return w;
}

TEST(ReplicationDurability, WithAPeriodicFsyncACrashLosesTheAcknowledgedWritesSinceTheLastFsync) {
    Cluster c(single_replica(1s));
    c.client(fresh_writes(Time(2s)));
    c.sim.at(Time(1500ms), [&] { c.sim.host("kv-1").restart(); });
    c.sim.run_until(Time(3s));
    const auto lost = models::check::check_lost_writes(c.history.history(), c.store->final_state());
    ASSERT_GT(lost.lost.size(), 10u) << lost.describe();
    for (const auto& l : lost.lost) {
        // The background fsync ran at about 1s (its phase is the boot time), the crash at 1.5s.
        EXPECT_GT(l.write.completed, Time(1s));
        EXPECT_LE(l.write.completed, Time(1500ms));
    }
    // The apply log shows the crash taking them away at the reboot.
    std::size_t recovered_absent = 0;
    for (const auto& a : c.store->apply_log()) recovered_absent += a.cause == "recover" && !a.cell;
    EXPECT_EQ(recovered_absent, lost.lost.size());
}

TEST(ReplicationDurability, WithAnFsyncBeforeEveryAcknowledgementACrashLosesNothing) {
    Cluster c(single_replica(sim::Duration(0)));
    c.client(fresh_writes(Time(2s)));
    c.sim.at(Time(1500ms), [&] { c.sim.host("kv-1").restart(); });
    c.sim.run_until(Time(3s));
    const auto lost = models::check::check_lost_writes(c.history.history(), c.store->final_state());
    EXPECT_GT(lost.acknowledged, 200u);
    EXPECT_TRUE(lost.ok()) << lost.describe();
}

TEST(ReplicationDurability, ADownReplicasFinalStateIsWhatItsDiskWouldRecover) {
    models::replication::StoreOptions options = single_replica(1s);
    Cluster c(options);
    c.client(fresh_writes(Time(2s)));
    c.sim.at(Time(1500ms), [&] { c.sim.host("kv-1").crash(); });
    c.sim.run_until(Time(3s));
    const auto down = c.store->final_state();
    c.sim.host("kv-1").boot();
    c.sim.run_until(Time(4s));
    EXPECT_EQ(c.store->final_state(), down);
    EXPECT_GT(down.at("kv-1").size(), 100u);
}

TEST(ReplicationDurability, ADamagedLogIsCutAtTheFirstBadRecordAndAntiEntropyRefillsTheReplica) {
    models::replication::StoreOptions options;
    options.design = Design::quorum;
    options.anti_entropy_interval = 200ms;
    Cluster c(options);
    models::replication::WorkloadOptions w;
    w.keys = 50;
    w.read_ratio = {0, 1};
    w.stop = Time(1s);
    c.client(w);
    c.sim.at(Time(1200ms), [&] {
        sim::Rng rng = c.sim.rng("test/corruption");
        EXPECT_NE(sim::disk(c.sim.host("kv-1")).corrupt(rng, "kv.wal"), UINT64_MAX);
        c.sim.host("kv-1").restart();
    });
    c.sim.run_until(Time(3s));
    EXPECT_GT(c.sim.coverage_count("replication: a damaged WAL was cut at the first bad record"), 0u);
    const auto converged = models::check::check_convergence(c.store->final_state(), c.store->apply_log());
    EXPECT_TRUE(converged.converged()) << converged.describe();
    EXPECT_TRUE(models::check::check_lost_writes(c.history.history(), c.store->final_state()).ok());
}

}  // namespace
