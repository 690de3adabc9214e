// A run's record: the same seed gives the same history, final state and apply log; and a record
// written to a file and read back gives the checkers the same answers as the live run.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "models/check/convergence.hpp"
#include "models/check/history_file.hpp"
#include "models/check/linearizability.hpp"
#include "models/check/lost_writes.hpp"
#include "models/check/stale_reads.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::replication::Design;
using sim::Time;

struct Recorded {
    models::check::Recording recording;
    std::uint64_t trace_hash = 0;
};

// Asynchronous primary-backup, a partition of the primary and a failover, with reads: a run with
// lost writes, stale reads and non-linearizable keys to record.
Recorded async_failover_run(std::uint64_t seed) {
    sim::Simulator sim(sim::Options{.seed = seed});
    sim::Network net(sim);
    models::check::HistoryRecorder history;
    models::replication::StoreOptions options;
    options.design = Design::primary_backup_async;
    auto& store = models::replication::make_store(sim, net, options);
    models::replication::WorkloadOptions w;
    w.keys = 200;
    w.read_ratio = {1, 4};
    w.think = sim::Delay::exponential(5ms);
    w.stop = Time(5s);
    for (int i = 1; i <= 3; ++i) {
        sim.add_host("client-" + std::to_string(i)).on_boot([&, w](sim::Host& h) {
            models::replication::run_workload(h, store, history, w);
        });
    }
    sim.at(Time(2s), [&] { net.isolate("kv-1"); });
    sim.at(Time(4s), [&] { net.heal_all(); });
    sim.run_until(Time(6s));
    Recorded run{{history.history(), store.final_state(), store.apply_log()}, sim.trace_hash()};
    sim.shutdown();
    return run;
}

TEST(ReplicationRecording, TheSameSeedGivesTheSameHistoryFinalStateAndApplyLog) {
    const Recorded a = async_failover_run(3);
    const Recorded b = async_failover_run(3);
    EXPECT_EQ(a.trace_hash, b.trace_hash);
    EXPECT_EQ(a.recording, b.recording);
    const Recorded c = async_failover_run(4);
    EXPECT_NE(a.recording.history, c.recording.history);
}

TEST(ReplicationRecording, CheckersGiveTheSameAnswersOnTheFileAsOnTheLiveRun) {
    const Recorded run = async_failover_run(3);
    const models::check::Recording& live = run.recording;
    const auto path = (std::filesystem::temp_directory_path() / "faultline_replication_recording_test.jsonl").string();
    ASSERT_FALSE(models::check::save_recording(path, live));
    models::check::Recording back;
    const auto error = models::check::load_recording(path, back);
    std::remove(path.c_str());
    ASSERT_FALSE(error) << *error;
    EXPECT_EQ(back, live);

    const auto lost_live = models::check::check_lost_writes(live.history, live.final_state);
    const auto lost_file = models::check::check_lost_writes(back.history, back.final_state);
    EXPECT_GT(lost_live.lost.size(), 0u);  // the run does have findings to compare
    EXPECT_EQ(lost_file.describe(100), lost_live.describe(100));
    EXPECT_EQ(models::check::check_stale_reads(back.history).describe(),
              models::check::check_stale_reads(live.history).describe());
    EXPECT_EQ(models::check::check_convergence(back.final_state, back.applied).describe(),
              models::check::check_convergence(live.final_state, live.applied).describe());
    const auto lin_live = models::check::check_linearizability(live.history);
    EXPECT_EQ(lin_live.verdict, models::check::Linearizable::no);
    EXPECT_EQ(models::check::check_linearizability(back.history).describe(), lin_live.describe());
}

}  // namespace
