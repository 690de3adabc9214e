// Every design under a random nemesis (crashes, partitions, clock skew, disk errors, pauses):
// each run ends cleanly, the replicas agree again after the quiet period, and the designs that
// promise not to lose acknowledged writes (synchronous primary-backup, quorum with R + W > N and
// fsync before acknowledging, multi-value) lose none.
#include <gtest/gtest.h>

#include "models/check/convergence.hpp"
#include "models/check/lost_writes.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "sim/faults.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::replication::Design;
using sim::Time;

struct Outcome {
    sim::Verdict verdict = sim::Verdict::pass;
    models::check::ConvergenceReport convergence;
    models::check::LostWritesReport lost;
};

Outcome run(Design design, std::uint64_t seed) {
    const Time quiet_at = Time(15s);
    sim::Simulator sim(sim::Options{.seed = seed, .duration = sim::Duration(20s)});
    sim::LinkOptions link;
    link.latency = sim::Delay::uniform(200us, 3ms);
    sim::Network net(sim, link);
    models::check::HistoryRecorder history;
    models::replication::StoreOptions options;
    options.design = design;
    options.anti_entropy_interval = 1s;
    const bool regional = design == Design::lww || design == Design::multi_value;
    if (regional) options.replicas = {"us/kv", "eu/kv", "ap/kv"};
    auto& store = models::replication::make_store(sim, net, options);
    models::replication::WorkloadOptions work;
    work.keys = 30;
    work.think = sim::Delay::exponential(10ms);
    work.stop = quiet_at;
    for (const char* client : {"us/client", "eu/client", "ap/client"}) {
        sim.add_host(client).on_boot(
            [&, work](sim::Host& h) { models::replication::run_workload(h, store, history, work); });
    }
    sim::Faults faults(sim);
    sim::define_standard_faults(faults, &net);
    std::vector<std::string> servers = options.replicas;
    if (design == Design::primary_backup_async || design == Design::primary_backup_sync)
        servers.push_back("kv-controller");
    std::vector<std::string> sides = servers;
    sides.push_back("*/client");
    sim::NemesisOptions nemesis;
    nemesis.start = Time(1s);
    nemesis.quiet_at = quiet_at;
    nemesis.faults = {
        {"crash", 6, 200ms, 3s, servers, {}},
        {"partition", 6, 500ms, 5s, sides, {}},
        {"clock_skew", 4, 1s, 5s, servers, {{"offset", "-300ms"}}},
        {"disk_errors", 4, 1s, 3s, servers, {}},
        {"pause", 4, 100ms, 2s, servers, {}},
    };
    faults.schedule(sim::plan_nemesis(nemesis, faults, sim.rng("nemesis")));
    faults.heal_all_at(quiet_at);
    Outcome out;
    out.verdict = sim.run().verdict;
    const auto final_state = store.final_state();
    out.convergence = models::check::check_convergence(final_state, store.apply_log());
    out.lost = models::check::check_lost_writes(history.history(), final_state);
    sim.shutdown();
    return out;
}

TEST(ReplicationNemesis, EveryDesignEndsCleanlyAndConvergesAfterTheQuietPeriod) {
    for (Design design : {Design::primary_backup_async, Design::primary_backup_sync, Design::quorum, Design::lww,
                          Design::multi_value}) {
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            SCOPED_TRACE(std::string(to_string(design)) + " seed " + std::to_string(seed));
            const Outcome o = run(design, seed);
            EXPECT_EQ(o.verdict, sim::Verdict::pass);
            // Five seconds of quiet: ship intervals, heartbeats and anti-entropy (1s) all fit.
            EXPECT_TRUE(o.convergence.converged()) << o.convergence.describe();
            EXPECT_GT(o.lost.acknowledged, 300u);
            if (design == Design::primary_backup_sync || design == Design::quorum || design == Design::multi_value) {
                EXPECT_TRUE(o.lost.ok()) << o.lost.describe();
            }
        }
    }
}

}  // namespace
