// Workloads (open and closed loop, spikes, diurnal curves, key popularity) and load balancing.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "models/load_balancer.hpp"
#include "models/workload.hpp"
#include "sim/rpc.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

// A send function that answers after a fixed delay and records keys and arrival times.
struct Recorder {
    std::vector<Time> arrivals;
    std::map<std::uint64_t, int> keys;
    Duration work = 1ms;
    models::SendFn fn() {
        return [this](sim::Ctx& ctx, const models::Request& r) -> sim::Result<models::Response> {
            arrivals.push_back(ctx.now());
            ++keys[r.key];
            ctx.sleep_for(work);
            return models::Response{r.key, 0, false};
        };
    }
    std::size_t between(Time a, Time b) const {
        return static_cast<std::size_t>(std::count_if(arrivals.begin(), arrivals.end(), [&](Time t) { return t >= a && t < b; }));
    }
};

TEST(Workload, OpenLoopArrivalsFollowTheRateAndItsSpikes) {
    // 1000/s for 10s, 5x for 2s, then 1000/s again: Poisson counts, sd = sqrt(mean); 5 sd margins.
    sim::Simulator s(sim::Options{.seed = 4});
    Recorder rec;
    models::OpenLoopWorkload w(s.add_host("clients"), "w", {.rate = 1000}, rec.fn());
    s.at(Time(10s), [&] { w.set_multiplier(5); });
    s.at(Time(12s), [&] { w.set_multiplier(1); });
    s.run_until(Time(20s));
    EXPECT_NEAR(static_cast<double>(rec.between(Time(0s), Time(10s))), 10000, 5 * 100);
    EXPECT_NEAR(static_cast<double>(rec.between(Time(10s), Time(12s))), 10000, 5 * 100);
    EXPECT_NEAR(static_cast<double>(rec.between(Time(12s), Time(20s))), 8000, 5 * 90);
    s.shutdown();
}

TEST(Workload, ADiurnalCurveScalesTheRateStepByStep) {
    sim::Simulator s(sim::Options{.seed = 5});
    Recorder rec;
    models::OpenLoopWorkload w(s.add_host("clients"), "w",
                               {.rate = 100, .diurnal = {1, 4, 0.5, 2}, .diurnal_period = 40s}, rec.fn());
    s.run_until(Time(80s));  // two periods of 4 steps of 10s
    // Expected per 20s (two steps of 10s): 1000, 4000, 500, 2000; Poisson, 5 sd.
    const double expect[4] = {2000, 8000, 1000, 4000};
    for (int step = 0; step < 4; ++step) {
        double n = static_cast<double>(rec.between(Time(Duration(std::chrono::seconds(10 * step))), Time(Duration(std::chrono::seconds(10 * step + 10))))) +
                   static_cast<double>(rec.between(Time(Duration(std::chrono::seconds(40 + 10 * step))), Time(Duration(std::chrono::seconds(50 + 10 * step)))));
        EXPECT_NEAR(n, expect[step], 5 * std::sqrt(expect[step])) << "step " << step;
    }
    s.shutdown();
}

TEST(Workload, ARateWhoseMeanGapIsPastInt64NeverArrivesAndARaiseStillTakesEffect) {
    // 1e-12 a second: 1e9 / rate is 1e21 ns, past int64 (it used to wrap to a negative mean and
    // abort on Rng::exponential's precondition). Nothing arrives until the multiplier brings the
    // rate to 1e-12 * 1e15 = 1000/s at 10s; then about 10,000 in 10s (Poisson, 5 sd = 500).
    sim::Simulator s(sim::Options{.seed = 8});
    Recorder rec;
    models::OpenLoopWorkload w(s.add_host("clients"), "w", {.rate = 1e-12}, rec.fn());
    s.at(Time(10s), [&] { w.set_multiplier(1e15); });
    s.run_until(Time(20s));
    EXPECT_EQ(rec.between(Time(0s), Time(10s)), 0u);
    EXPECT_NEAR(static_cast<double>(rec.between(Time(10s), Time(20s))), 10000, 500);
    s.shutdown();
}

TEST(Workload, ArrivalsBeyondInflightMaxAreDroppedAndCountedBurstsIncluded) {
    // Requests take 1s; at 100/s about 100 are in flight, so a cap of 20 drops most arrivals.
    // A burst of 50 at 5s, with at most 20 in flight, starts none beyond the cap either.
    sim::Simulator s(sim::Options{.seed = 6});
    models::Metrics metrics(s);
    Recorder rec;
    rec.work = 1s;
    std::uint64_t peak = 0;
    models::OpenLoopWorkload w(s.add_host("clients"), "w", {.rate = 100, .inflight_max = 20}, rec.fn(), &metrics);
    s.at(Time(5s), [&] { w.burst(50); });
    for (int i = 1; i < 1000; ++i) s.at(Time(Duration(std::chrono::milliseconds(10 * i))), [&] { peak = std::max(peak, w.stats().inflight()); });
    s.run_until(Time(10s));
    const auto& st = w.stats();
    EXPECT_LE(peak, 20u);
    EXPECT_GE(peak, 19u);
    EXPECT_EQ(st.offered_count(), rec.arrivals.size() + st.dropped_count());
    EXPECT_EQ(metrics.counter("w.dropped").value(), st.dropped_count());
    // About 1,050 arrivals, at most 20 started per second of work (10 s): most are dropped.
    EXPECT_GT(st.dropped_count(), 700u);
    EXPECT_LE(rec.arrivals.size(), 20u * 11);
    s.shutdown();
}

TEST(Workload, AnOpenLoopNeedsNoFiberBetweenRequestsStartsOnTimeAndStopsWithItsHost) {
    // 100/s from 2s (a raise before the start changes the rate, not the start). The arrivals are
    // callbacks: with requests that answer at once, no process is alive between them. A pause of
    // the client host from 5s to 6s makes no arrivals; a crash at 8s ends the workload (it is the
    // host's volatile state) and the reboot at 9s makes a new one. Poisson counts, 5 sd.
    sim::Simulator s(sim::Options{.seed = 9});
    Recorder rec;
    rec.work = Duration(0);
    sim::Host& client = s.add_host("clients");
    models::OpenLoopWorkload* w = nullptr;
    client.on_boot([&](sim::Host& h) { w = &h.make<models::OpenLoopWorkload>(h, "w", models::OpenLoopOptions{.rate = 50, .start = Time(2s)}, rec.fn()); });
    s.at(Time(1s), [&] { w->set_multiplier(2); });
    std::size_t alive_max = 0;
    for (int i = 1; i < 1000; ++i) {
        s.at(Time(Duration(std::chrono::milliseconds(10 * i) + 1us)), [&] { alive_max = std::max(alive_max, s.processes_alive()); });
    }
    s.at(Time(5s), [&] { client.pause(); });
    s.at(Time(6s), [&] { client.resume(); });
    s.at(Time(8s), [&] { client.crash(); });
    s.at(Time(9s), [&] { client.boot(); });
    s.run_until(Time(10s));
    EXPECT_EQ(alive_max, 0u);
    EXPECT_EQ(rec.between(Time(0s), Time(2s)), 0u);
    EXPECT_NEAR(static_cast<double>(rec.between(Time(2s), Time(5s))), 300, 5 * std::sqrt(300.0));
    EXPECT_EQ(rec.between(Time(5s), Time(6s)), 0u);
    EXPECT_NEAR(static_cast<double>(rec.between(Time(6s), Time(8s))), 200, 5 * std::sqrt(200.0));
    EXPECT_EQ(rec.between(Time(8s), Time(9s)), 0u);
    // The new workload starts at once (its start is past) at the base rate: 50 in the last second.
    EXPECT_NEAR(static_cast<double>(rec.between(Time(9s), Time(10s))), 50, 5 * std::sqrt(50.0));
    s.shutdown();
}

TEST(Workload, ZipfKeysConcentrateOnTheFirstRanks) {
    sim::Simulator s(sim::Options{.seed = 6});
    Recorder rec;
    models::OpenLoopWorkload w(s.add_host("clients"), "w", {.rate = 10000, .keys = {.keys = 1000, .zipf_s = 1.0}}, rec.fn());
    s.run_until(Time(5s));
    // Zipf(1000, 1): P(rank 1) = 1/H(1000) = 0.1336, P(rank 2) = 0.0668.
    const double n = static_cast<double>(rec.arrivals.size());
    EXPECT_NEAR(rec.keys[0] / n, 0.1336, 0.01);
    EXPECT_NEAR(rec.keys[1] / n, 0.0668, 0.008);
    s.shutdown();
}

TEST(Workload, AClosedLoopsThroughputIsClientsOverThinkPlusLatency) {
    sim::Simulator s(sim::Options{.seed = 7});
    Recorder rec;
    rec.work = 40ms;
    models::ClosedLoopWorkload w(s.add_host("clients"), "w", {.clients = 10, .think = sim::Delay::fixed(60ms)}, rec.fn());
    s.run_until(Time(10s));
    // 10 clients, each one request per 100ms: 100/s, exactly (fixed times).
    EXPECT_EQ(rec.between(Time(0s), Time(10s)), 1000u);
    s.shutdown();
}

std::vector<std::string> names(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back("b" + std::to_string(i));
    return out;
}

TEST(LoadBalancer, RoundRobinCyclesThroughTheBackends) {
    sim::Simulator s;
    models::LoadBalancer lb(s, "lb", names(3));
    std::vector<std::size_t> picks;
    for (int i = 0; i < 6; ++i) picks.push_back(lb.pick(s.now()));
    EXPECT_EQ(picks, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(LoadBalancer, LeastOutstandingAvoidsABusyBackend) {
    sim::Simulator s;
    models::LoadBalancer lb(s, "lb", names(3), {.policy = models::LbPolicy::least_outstanding});
    lb.started(0);
    lb.started(0);
    lb.started(1);
    EXPECT_EQ(lb.pick(s.now()), 2u);
}

TEST(LoadBalancer, PowerOfTwoChoicesNeverPicksTheMostLoadedOfThree) {
    sim::Simulator s;
    models::LoadBalancer lb(s, "lb", names(3), {.policy = models::LbPolicy::power_of_two});
    for (int i = 0; i < 5; ++i) lb.started(1);  // backend 1 is the most loaded
    for (int i = 0; i < 300; ++i) EXPECT_NE(lb.pick(s.now()), 1u);
}

TEST(LoadBalancer, OutlierEjectionLeavesAFailingBackendOutForItsTime) {
    sim::Simulator s;
    models::LoadBalancer lb(s, "lb", names(4), {.outlier_ejection = true, .ejection_errors = 3, .ejection_time = 10s});
    for (int i = 0; i < 3; ++i) lb.finished(2, false, s.now());
    EXPECT_TRUE(lb.ejected(2, s.now()));
    std::map<std::size_t, int> picks;
    for (int i = 0; i < 40; ++i) ++picks[lb.pick(s.now())];
    EXPECT_EQ(picks.count(2), 0u);
    EXPECT_FALSE(lb.ejected(2, s.now() + 10s));
    // Never more than half ejected: with 2 of 4 out, a third failing backend stays in.
    for (int i = 0; i < 3; ++i) lb.finished(1, false, s.now());
    for (int i = 0; i < 3; ++i) lb.finished(0, false, s.now());
    EXPECT_TRUE(lb.ejected(1, s.now()));
    EXPECT_FALSE(lb.ejected(0, s.now()));
}

TEST(LoadBalancer, PowerOfTwoChoicesNeverPicksAnEjectedBackendWhileOneIsEligible) {
    // Four backends, three ejected: both random picks are often ejected ones; the pick must still
    // be the one healthy backend.
    sim::Simulator s(sim::Options{.seed = 3});
    models::LoadBalancer lb(s, "lb", names(4),
                            {.policy = models::LbPolicy::power_of_two, .outlier_ejection = true, .ejection_errors = 1, .ejected_max_ratio = 1.0});
    for (std::size_t b : {0u, 1u, 3u}) lb.finished(b, false, s.now());
    for (std::size_t b : {0u, 1u, 3u}) ASSERT_TRUE(lb.ejected(b, s.now()));
    for (int i = 0; i < 200; ++i) EXPECT_EQ(lb.pick(s.now()), 2u);
}

TEST(LoadBalancer, ACallerKilledMidCallFreesItsBackendWithoutCountingAnError) {
    // One error ejects a backend. Callers killed while their call is in flight (as a hedge kills its
    // losing copy) must leave the in-flight count at zero and the backend in; a call that returns
    // an error (a timeout) must still eject it.
    sim::Simulator s(sim::Options{.seed = 2});
    sim::Network net(s, sim::LinkOptions{});
    sim::Rpc<int, int> rpc(net, "slow");
    s.add_host("b0").on_boot([&rpc](sim::Host& h) {
        rpc.serve(h, [](sim::Ctx& ctx, const int& v, const sim::CallInfo&) -> sim::Result<int> {
            ctx.sleep_for(10ms);
            return v;
        });
    });
    models::LoadBalancer lb(s, "lb", names(1), {.outlier_ejection = true, .ejection_errors = 1, .ejected_max_ratio = 1.0});
    sim::Host& client = s.add_host("client");
    std::vector<sim::ProcessRef> callers;
    for (int i = 0; i < 5; ++i) callers.push_back(client.spawn([&, i](sim::Ctx& ctx) { (void)lb.call(ctx, rpc, i, 1s); }));
    bool checked_in_flight = false;
    client.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(5ms);
        checked_in_flight = lb.outstanding(0) == 5;
        for (auto& c : callers) c.kill();
    });
    s.run_until(Time(50ms));
    EXPECT_TRUE(checked_in_flight);
    EXPECT_EQ(lb.outstanding(0), 0u);
    EXPECT_FALSE(lb.ejected(0, s.now()));
    EXPECT_EQ(lb.ejections(), 0u);

    bool timed_out = false;
    client.spawn([&](sim::Ctx& ctx) {
        const sim::Result<int> r = lb.call(ctx, rpc, 7, 2ms);
        timed_out = !r.ok() && r.error() == sim::Errc::timeout;
    });
    s.run_until(Time(100ms));
    EXPECT_TRUE(timed_out);
    EXPECT_EQ(lb.outstanding(0), 0u);
    EXPECT_TRUE(lb.ejected(0, s.now()));
    s.shutdown();
}

TEST(LoadBalancer, CallRoutesByKeyUnderKeyHash) {
    // Three backends answer with their own index; a key always reaches the same one, and keys
    // spread over all of them.
    sim::Simulator s(sim::Options{.seed = 5});
    sim::Network net(s, sim::LinkOptions{});
    sim::Rpc<int, int> rpc(net, "who");
    for (int i = 0; i < 3; ++i) {
        s.add_host("b" + std::to_string(i)).on_boot([&rpc, i](sim::Host& h) {
            rpc.serve(h, [i](sim::Ctx&, const int&, const sim::CallInfo&) -> sim::Result<int> { return i; });
        });
    }
    models::LoadBalancer lb(s, "lb", names(3), {.policy = models::LbPolicy::key_hash});
    std::map<std::uint64_t, std::set<int>> answered_by;
    s.add_host("client").spawn([&](sim::Ctx& ctx) {
        for (int round = 0; round < 3; ++round) {
            for (std::uint64_t key = 0; key < 30; ++key) {
                auto r = lb.call(ctx, rpc, 0, 1s, key);
                ASSERT_TRUE(r.ok());
                answered_by[key].insert(r.value());
            }
        }
    });
    s.run();
    std::set<int> used;
    for (const auto& [key, backends] : answered_by) {
        EXPECT_EQ(backends.size(), 1u) << "key " << key;
        used.insert(*backends.begin());
    }
    EXPECT_EQ(used.size(), 3u);
    s.shutdown();
}

}  // namespace
