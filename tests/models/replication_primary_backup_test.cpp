// Primary-backup replication under a partition of the primary plus failover: the asynchronous
// design loses acknowledged writes and the checker lists them; the synchronous one loses none.
#include <gtest/gtest.h>

#include "models/check/convergence.hpp"
#include "models/check/linearizability.hpp"
#include "models/check/lost_writes.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::replication::Design;
using sim::Time;

struct World {
    explicit World(Design design, std::uint64_t seed = 1) : sim(sim::Options{.seed = seed}), net(sim) {
        models::replication::StoreOptions options;
        options.design = design;
        store = &models::replication::make_store(sim, net, options);
    }
    ~World() { sim.shutdown(); }

    void clients(int n, models::replication::WorkloadOptions w) {
        for (int i = 1; i <= n; ++i) {
            sim.add_host("client-" + std::to_string(i)).on_boot([this, w](sim::Host& h) {
                models::replication::run_workload(h, *store, history, w);
            });
        }
    }

    sim::Simulator sim;
    sim::Network net;
    models::check::HistoryRecorder history;
    models::replication::Store* store = nullptr;
};

// Writes to (almost always) fresh keys, so a lost write is not hidden by a later write of its key.
models::replication::WorkloadOptions fresh_writes() {
    models::replication::WorkloadOptions w;
    w.keys = 1'000'000;
    w.read_ratio = {0, 1};
    w.think = sim::Delay::exponential(5ms);
    w.stop = Time(6s);
    return w;
}

// The primary (kv-1) is cut off from everyone from 2s to 4s; the controller fails over after 1s.
void partition_the_primary(World& w) {
    w.sim.at(Time(2s), [&w] { w.net.isolate("kv-1"); });
    w.sim.at(Time(4s), [&w] { w.net.heal_all(); });
}

TEST(ReplicationPrimaryBackup, AsyncLosesAcknowledgedWritesUnderAPartitionAndFailoverAndTheCheckerListsThem) {
    World w(Design::primary_backup_async);
    w.clients(2, fresh_writes());
    partition_the_primary(w);
    w.sim.run_until(Time(8s));

    EXPECT_GE(w.store->failovers(), 1u);
    const auto final_state = w.store->final_state();
    const auto lost = models::check::check_lost_writes(w.history.history(), final_state);
    EXPECT_GT(lost.acknowledged, 500u);
    // The writes kv-1 acknowledged in its last shipping interval before the cut never left it,
    // and its resync from the new primary erased them.
    ASSERT_GT(lost.lost.size(), 0u) << lost.describe();
    for (const auto& l : lost.lost) {
        EXPECT_LE(l.write.completed, Time(2s));
        EXPECT_GE(l.write.completed, Time(2s) - 60ms) << models::check::describe(l.write);
    }
    EXPECT_NE(lost.describe().find("acknowledged writes lost"), std::string::npos);
    // The replicas agree again (on the smaller history): the loss is silent.
    const auto converged = models::check::check_convergence(final_state, w.store->apply_log());
    EXPECT_TRUE(converged.converged()) << converged.describe();
}

TEST(ReplicationPrimaryBackup, SyncLosesNoAcknowledgedWriteUnderTheSamePartitionAndFailover) {
    World w(Design::primary_backup_sync);
    w.clients(2, fresh_writes());
    partition_the_primary(w);
    w.sim.run_until(Time(8s));

    EXPECT_GE(w.store->failovers(), 1u);
    const auto final_state = w.store->final_state();
    const auto lost = models::check::check_lost_writes(w.history.history(), final_state);
    EXPECT_GT(lost.acknowledged, 500u);
    EXPECT_TRUE(lost.ok()) << lost.describe();
    const auto converged = models::check::check_convergence(final_state, w.store->apply_log());
    EXPECT_TRUE(converged.converged()) << converged.describe();
}

TEST(ReplicationPrimaryBackup, SyncWithoutFaultsIsLinearizable) {
    World w(Design::primary_backup_sync);
    models::replication::WorkloadOptions work;
    work.keys = 3;
    work.stop = Time(3s);
    w.clients(3, work);
    w.sim.run_until(Time(4s));
    const auto report = models::check::check_linearizability(w.history.history());
    EXPECT_GT(w.history.size(), 300u);
    EXPECT_EQ(report.verdict, models::check::Linearizable::yes) << report.describe();
}

}  // namespace

namespace {

// A restarted primary's first resync snapshot is delayed 2.5s on its way to the only backup; it
// times out, a second one lands, and writes are acknowledged on top of it. Then the first arrives.
// Taking it rolled the backup back to before those writes, while the primary (told the newer one
// was accepted) never shipped them again; a failover to the backup then erased them everywhere.
TEST(ReplicationPrimaryBackup, SyncBackupRefusesALateSnapshotOlderThanWhatItHolds) {
    sim::Simulator sim(sim::Options{.seed = 1});
    sim::Network net(sim, sim::LinkOptions{.latency = sim::Delay::fixed(1ms)});
    models::replication::StoreOptions options;
    options.design = Design::primary_backup_sync;
    options.replicas = {"kv-1", "kv-2"};
    auto& store = models::replication::make_store(sim, net, options);
    models::check::HistoryRecorder history;
    models::replication::WorkloadOptions work = fresh_writes();
    work.stop = Time(4s);  // nothing after the late snapshot repairs the backup
    for (int i = 1; i <= 2; ++i) {
        sim.add_host("client-" + std::to_string(i)).on_boot([&store, &history, work](sim::Host& h) {
            models::replication::run_workload(h, store, history, work);
        });
    }
    std::optional<sim::NetRules> slow;
    sim.at(Time(2s), [&] {
        slow = net.patch_link("kv-1", "kv-2", sim::LinkPatch{.latency = sim::Delay::fixed(2500ms)});
        sim.host("kv-1").restart();
    });
    sim.at(Time(2s) + 250ms, [&] { net.heal(*slow); });
    sim.at(Time(5s), [&] { sim.host("kv-1").bounce(2s); });  // the controller fails over to kv-2
    sim.run_until(Time(9s));

    EXPECT_GE(store.failovers(), 1u);
    EXPECT_GE(sim.coverage_count("primary_backup: a backup refused a snapshot older than what it holds"), 1u);
    const auto final_state = store.final_state();
    const auto lost = models::check::check_lost_writes(history.history(), final_state);
    EXPECT_GT(lost.acknowledged, 300u);
    EXPECT_TRUE(lost.ok()) << lost.describe();
    const auto converged = models::check::check_convergence(final_state, store.apply_log());
    EXPECT_TRUE(converged.converged()) << converged.describe();
    sim.shutdown();
}

}  // namespace
