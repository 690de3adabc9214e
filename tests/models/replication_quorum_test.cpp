// The leaderless quorum store: no stale reads when R + W > N and nothing fails; with R = W = 1 and
// replicas that lag, stale reads at the rate C(N-W, R) / C(N, R); read repair and anti-entropy
// bring a partitioned replica back in line within a stated bound after the partition heals.
#include <gtest/gtest.h>

#include <cmath>

#include "models/check/convergence.hpp"
#include "models/check/stale_reads.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::replication::Design;
using sim::Duration;
using sim::Time;

std::vector<std::string> replica_names(std::size_t n) {
    std::vector<std::string> names;
    for (std::size_t i = 1; i <= n; ++i) names.push_back("kv-" + std::to_string(i));
    return names;
}

struct Cluster {
    explicit Cluster(models::replication::StoreOptions options, sim::LinkOptions link = {}, std::uint64_t seed = 11)
        : sim(sim::Options{.seed = seed}), net(sim, link) {
        options.design = Design::quorum;
        store = &models::replication::make_store(sim, net, options);
    }
    ~Cluster() { sim.shutdown(); }

    void clients(int n, const models::replication::WorkloadOptions& w) {
        for (int i = 1; i <= n; ++i) {
            sim.add_host("client-" + std::to_string(i)).on_boot([this, w](sim::Host& h) {
                models::replication::run_workload(h, *store, history, w);
            });
        }
    }
    models::check::ConvergenceReport convergence() const {
        return models::check::check_convergence(store->final_state(), store->apply_log());
    }

    sim::Simulator sim;
    sim::Network net;
    models::check::HistoryRecorder history;
    models::replication::Store* store = nullptr;
};

double choose(std::size_t n, std::size_t k) {
    double c = 1;
    for (std::size_t i = 0; i < k; ++i) c = c * static_cast<double>(n - i) / static_cast<double>(i + 1);
    return c;
}

TEST(ReplicationQuorum, WithRPlusWOverNAndNoFailuresNoReadIsStale) {
    struct Config {
        std::size_t n, r, w;
    };
    for (const Config c : {Config{3, 2, 2}, Config{5, 3, 3}, Config{3, 1, 3}}) {
        SCOPED_TRACE("N=" + std::to_string(c.n) + " R=" + std::to_string(c.r) + " W=" + std::to_string(c.w));
        models::replication::StoreOptions options;
        options.replicas = replica_names(c.n);
        options.quorum.r = c.r;
        options.quorum.w = c.w;
        sim::LinkOptions link;
        link.latency = sim::Delay::uniform(200us, 5ms);  // replies race each other
        Cluster cl(options, link);
        models::replication::WorkloadOptions work;
        work.keys = 4;
        work.think = sim::Delay::exponential(3ms);
        work.stop = Time(3s);
        cl.clients(4, work);
        cl.sim.run_until(Time(4s));
        const auto stale = models::check::check_stale_reads(cl.history.history());
        EXPECT_GT(stale.reads, 500u);
        EXPECT_EQ(stale.stale, 0u) << stale.describe();
        EXPECT_EQ(stale.unexplained, 0u);
    }
}

TEST(ReplicationQuorum, WithROneWOneAndLaggingReplicasStaleReadsMatchTheFormula) {
    struct Config {
        std::size_t n, r, w;
    };
    // Each trial writes a fresh key and reads it back at once. The write reaches W random replicas
    // now and the rest a second later; the read asks R random replicas, so it is stale exactly when
    // its R replicas avoid the W: probability C(N-W, R) / C(N, R).
    // 1500 trials: the standard error is at most sqrt(0.25 / 1500) = 0.013; the tolerance is 4
    // standard errors of the expected rate (a false alarm about once in 16,000 runs, and the seed
    // is fixed, so the test is deterministic anyway).
    constexpr int trials = 1500;
    for (const Config c : {Config{3, 1, 1}, Config{5, 2, 2}, Config{5, 2, 1}}) {
        SCOPED_TRACE("N=" + std::to_string(c.n) + " R=" + std::to_string(c.r) + " W=" + std::to_string(c.w));
        models::replication::StoreOptions options;
        options.replicas = replica_names(c.n);
        options.quorum.r = c.r;
        options.quorum.w = c.w;
        options.quorum.read_fanout = models::replication::ReadFanout::quorum;
        options.quorum.read_repair = false;
        options.quorum.straggler_delay = 1s;
        Cluster cl(options);
        sim::Host& client_host = cl.sim.add_host("client");
        client_host.on_boot([&](sim::Host& h) {
            auto& client = h.make<models::replication::RecordingClient>(cl.store->connect(h), cl.history, "client");
            h.spawn([&client](sim::Ctx& ctx) {
                for (int i = 0; i < trials; ++i) {
                    const std::string key = "t" + std::to_string(i);
                    EXPECT_TRUE(client.write(ctx, key, "v" + std::to_string(i)));
                    EXPECT_TRUE(client.read(ctx, key));
                }
            });
        });
        cl.sim.run();
        const auto stale = models::check::check_stale_reads(cl.history.history());
        ASSERT_EQ(stale.reads, static_cast<std::size_t>(trials));
        const double expected = choose(c.n - c.w, c.r) / choose(c.n, c.r);
        const double se = std::sqrt(expected * (1 - expected) / trials);
        EXPECT_NEAR(stale.rate(), expected, 4 * se) << stale.describe();
    }
}

// kv-3 is cut off from 1s to 2s while two clients write (W = 2 still succeeds); writes stop at 2s.
Cluster& partition_kv3(Cluster& cl) {
    models::replication::WorkloadOptions work;
    work.keys = 20;
    work.read_ratio = {0, 1};
    work.think = sim::Delay::exponential(5ms);
    work.stop = Time(2s);
    cl.clients(2, work);
    cl.sim.at(Time(1s), [&cl] { cl.net.isolate("kv-3"); });
    cl.sim.at(Time(2s), [&cl] { cl.net.heal_all(); });
    return cl;
}

TEST(ReplicationQuorum, AntiEntropyConvergesWithinOneIntervalAfterAPartitionHeals) {
    models::replication::StoreOptions options;
    options.quorum.read_repair = false;
    options.anti_entropy_interval = 500ms;
    Cluster cl(options);
    partition_kv3(cl);

    cl.sim.run_until(Time(2s) - 1ns);
    const auto before = cl.convergence();
    ASSERT_FALSE(before.converged());
    for (const auto& d : before.divergences) {
        // kv-3 is the odd one out, and the divergence began at a write it missed.
        ASSERT_EQ(d.groups.size(), 2u);
        EXPECT_EQ(d.groups[1].replicas, std::vector<std::string>{"kv-3"}) << before.describe();
        ASSERT_TRUE(d.diverged_at.has_value());
        EXPECT_NE(d.diverged_at->replica, "kv-3");
        EXPECT_GE(d.diverged_at->time, Time(1s));
        EXPECT_EQ(d.diverged_at->cause, "write");
    }
    // Bound: kv-3 starts its own exchange within one interval of the heal, and one exchange with
    // either peer brings everything (both peers took every write); plus 100ms for the round trip
    // and the fsync.
    cl.sim.run_until(Time(2s) + 500ms + 100ms);
    const auto after = cl.convergence();
    EXPECT_TRUE(after.converged()) << after.describe();
}

TEST(ReplicationQuorum, ReadRepairConvergesTheKeysThatAreReadAfterAPartitionHeals) {
    models::replication::StoreOptions options;  // anti-entropy off
    Cluster cl(options);
    partition_kv3(cl);
    Time reads_done = sim::time_never;
    cl.sim.add_host("reader").on_boot([&](sim::Host& h) {
        auto& client = h.make<models::replication::RecordingClient>(cl.store->connect(h), cl.history, "reader");
        h.spawn([&](sim::Ctx& ctx) {
            ctx.sleep_until(Time(2100ms));
            for (int k = 0; k < 20; ++k) EXPECT_TRUE(client.read(ctx, "k" + std::to_string(k)));
            reads_done = ctx.now();
        });
    });
    cl.sim.run_until(Time(2100ms));
    EXPECT_FALSE(cl.convergence().converged());  // healed, but nothing has repaired kv-3 yet
    for (int step = 0; step < 1000 && reads_done == sim::time_never; ++step) cl.sim.run_for(1ms);
    ASSERT_LT(reads_done, Time(3s));
    // Bound: each read's repair goes out as soon as every replica has answered it, so 50ms after
    // the last read (a few round trips and an fsync) every key read is repaired.
    cl.sim.run_until(reads_done + 50ms);
    // ... which is every key, so the replicas agree.
    const auto after = cl.convergence();
    EXPECT_TRUE(after.converged()) << after.describe();
    EXPECT_GT(cl.sim.coverage_count("quorum: read repair"), 0u);
}

}  // namespace
