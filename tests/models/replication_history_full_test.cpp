// A workload that fills the operation history (its cap is ops_max) is not a failure of the store:
// the recorder refuses the next operation (it used to fail the run as an assertion), the client
// does not send it and stops, and full_at() says when, so a checker can say what it covered.
#include <gtest/gtest.h>

#include "models/check/history.hpp"
#include "models/check/lost_writes.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Time;

TEST(ReplicationHistoryFull, TheRecorderRefusesAnOperationPastItsCapAndSaysWhen) {
    models::check::HistoryRecorder history(2);
    EXPECT_EQ(history.invoke(Time(1s), "c", models::check::OpKind::write, "k", "v1"), 1u);
    EXPECT_EQ(history.invoke(Time(2s), "c", models::check::OpKind::write, "k", "v2"), 2u);
    EXPECT_FALSE(history.full_at());
    EXPECT_TRUE(history.full());
    EXPECT_EQ(history.invoke(Time(3s), "c", models::check::OpKind::read, "k"), 0u);
    EXPECT_EQ(history.invoke(Time(4s), "c", models::check::OpKind::read, "k"), 0u);
    EXPECT_EQ(history.size(), 2u);
    ASSERT_TRUE(history.full_at());
    EXPECT_EQ(*history.full_at(), Time(3s));  // the first refusal
}

TEST(ReplicationHistoryFull, ClientsStopWhenTheHistoryIsFullAndWhatWasRecordedStillChecks) {
    sim::Simulator sim(sim::Options{.seed = 3});
    sim::Network net(sim);
    models::replication::StoreOptions options;
    options.design = models::replication::Design::quorum;
    auto& store = models::replication::make_store(sim, net, options);
    models::check::HistoryRecorder history(500);
    models::replication::WorkloadOptions work;
    work.keys = 50;
    work.think = sim::Delay::fixed(0ms);
    for (int i = 1; i <= 8; ++i) {
        sim.add_host("c-" + std::to_string(i)).on_boot([&store, &history, work](sim::Host& h) {
            models::replication::run_workload(h, store, history, work);
        });
    }
    sim.run_until(Time(5s));
    EXPECT_FALSE(sim.failed());
    EXPECT_EQ(history.size(), 500u);
    ASSERT_TRUE(history.full_at());
    EXPECT_LT(*history.full_at(), Time(1s));  // 8 clients with no think time fill 500 at once
    // Every client stopped: nothing reached the store unrecorded, so the checkers see it all.
    std::uint64_t operations_after = 0;
    for (const auto& op : history.history().ops) operations_after += op.invoked > *history.full_at() ? 1 : 0;
    EXPECT_EQ(operations_after, 0u);
    const auto lost = models::check::check_lost_writes(history.history(), store.final_state());
    EXPECT_TRUE(lost.ok()) << lost.describe();
    EXPECT_GT(lost.acknowledged, 100u);
    sim.shutdown();
}

// Clients had a cap of their own, 100,000 operations per life, and stopped there silently: the
// run went on, and passed, with faults after it untested. Only the history's cap (reported) stops
// a client now, so one busy client still runs until its stop.
TEST(ReplicationHistoryFull, AClientHasNoCapOfItsOwnAndRunsUntilItsStop) {
    sim::Simulator sim(sim::Options{.seed = 1});
    sim::Network net(sim, sim::LinkOptions{.latency = sim::Delay::fixed(250us)});  // a read: about 0.5ms
    auto& store = models::replication::make_store(sim, net, {.design = models::replication::Design::quorum});
    models::check::HistoryRecorder history;
    models::replication::WorkloadOptions work;
    work.read_ratio = sim::Ratio{1, 1};  // reads: no fsync in the way
    work.think = sim::Delay::fixed(0ms);
    work.stop = Time(75s);
    sim.add_host("c-1").on_boot([&](sim::Host& h) { models::replication::run_workload(h, store, history, work); });
    sim.run_until(Time(76s));
    EXPECT_FALSE(history.full_at());
    ASSERT_GT(history.size(), 100'000u);                         // the old cap
    EXPECT_GT(history.history().ops.back().invoked, Time(74s));  // still going at its stop
    sim.shutdown();
}

}  // namespace
