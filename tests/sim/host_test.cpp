// Host faults: restart from the boot function, bounce, pause, limping, clock skew and drift,
// volatile and durable state, groups and patterns.
#include <gtest/gtest.h>

#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

struct Counted {
    int* destroyed;
    explicit Counted(int* d) : destroyed(d) {}
    ~Counted() { ++*destroyed; }
};

TEST(Host, ARestartRunsTheBootFunctionAgainWithFreshVolatileStateAndTheSameDurableState) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    int boots = 0, volatile_destroyed = 0;
    int& durable_counter = h.make_durable<int>(0);
    h.on_boot([&](sim::Host& host) {
        ++boots;
        host.make<Counted>(&volatile_destroyed);
        host.spawn([&](sim::Ctx& ctx) {
            for (;;) {
                ctx.sleep_for(1s);
                ++durable_counter;
            }
        });
    });
    EXPECT_EQ(boots, 1);
    s.at(Time(2500ms), [&] { h.restart(); });
    s.run_until(Time(4s));
    EXPECT_EQ(boots, 2);
    EXPECT_EQ(volatile_destroyed, 1);
    EXPECT_EQ(h.incarnation(), 2u);
    EXPECT_EQ(durable_counter, 2 + 1);  // two ticks before, one after (at 3.5s)
    EXPECT_EQ(h.find_durable<int>(), &durable_counter);
    s.shutdown();
}

TEST(Host, ABounceKeepsTheHostDownForItsDuration) {
    sim::Simulator s;
    sim::Host& h = s.add_host("app");
    std::vector<Time> boot_times;
    h.on_boot([&](sim::Host&) { boot_times.push_back(s.now()); });
    s.at(Time(1s), [&] { h.bounce(5s); });
    s.at(Time(3s), [&] { EXPECT_FALSE(h.alive()); });
    s.run();
    EXPECT_EQ(boot_times, (std::vector<Time>{Time(0s), Time(6s)}));
    EXPECT_TRUE(h.alive());
}

TEST(Host, APausedHostsProcessesWaitAndThenRunInOrder) {
    sim::Simulator s;
    sim::Host& h = s.add_host("gc");
    std::vector<std::pair<int, Time>> woke;
    for (int i = 0; i < 3; ++i) {
        h.spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_for(Duration(std::chrono::milliseconds(100 * (i + 1))));
            woke.emplace_back(i, ctx.now());
        });
    }
    s.at(Time(150ms), [&] { h.pause(); });
    s.at(Time(1s), [&] { h.resume(); });
    s.run();
    ASSERT_EQ(woke.size(), 3u);
    EXPECT_EQ(woke[0], std::make_pair(0, Time(100ms)));
    EXPECT_EQ(woke[1], std::make_pair(1, Time(1s)));
    EXPECT_EQ(woke[2], std::make_pair(2, Time(1s)));
}

TEST(Host, ALimpingHostComputesSlowerButSleepsOnTime) {
    sim::Simulator s;
    sim::Host& h = s.add_host("slow");
    h.set_slowdown(10);
    Time computed{}, slept{};
    h.spawn([&](sim::Ctx& ctx) {
        ctx.compute(5ms);
        computed = ctx.now();
        ctx.sleep_for(5ms);
        slept = ctx.now();
    });
    s.run();
    EXPECT_EQ(computed, Time(50ms));
    EXPECT_EQ(slept, Time(55ms));
}

TEST(Host, ComputeOnAHostSlowedPastInt64NeverFinishesInsteadOfWrapping) {
    // 3h of CPU at the largest slowdown, 1e6, is 1.08e22 ns, past int64: the process computes
    // "forever" (it used to wrap to a negative sleep and fail the run with "negative sleep").
    sim::Simulator s(sim::Options{.duration = 2h});
    sim::Host& h = s.add_host("stuck");
    h.set_slowdown(1e6);
    bool finished = false;
    h.spawn([&](sim::Ctx& ctx) {
        ctx.compute(3h);
        finished = true;
    });
    const sim::RunResult r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass);
    EXPECT_FALSE(finished);
    EXPECT_EQ(r.end_time, Time(2h));
    s.shutdown();
}

TEST(Host, ClockSkewMovesOnlyThatHostsLocalClock) {
    sim::Simulator s;
    sim::Host& a = s.add_host("a");
    sim::Host& b = s.add_host("b");
    s.at(Time(10s), [&] {
        a.set_clock_offset(-3s);
        EXPECT_EQ(a.local_now(), Time(7s));
        EXPECT_EQ(b.local_now(), Time(10s));
        EXPECT_EQ(s.now(), Time(10s));
        a.jump_clock(1s);
        EXPECT_EQ(a.local_now(), Time(8s));
    });
    s.run();
}

TEST(Host, ClockDriftAccumulatesAndStaysWhenItStops) {
    sim::Simulator s;
    sim::Host& a = s.add_host("a");
    a.set_clock_drift_ppm(1000);  // 1ms per second fast
    s.at(Time(10s), [&] {
        EXPECT_EQ(a.local_now(), Time(10010ms));
        a.set_clock_drift_ppm(0);
    });
    s.at(Time(20s), [&] { EXPECT_EQ(a.local_now(), Time(20010ms)); });
    s.run();
}

TEST(Host, PatternsSelectHostsGroupsAndGlobs) {
    sim::Simulator s;
    for (const char* n : {"region-a/db-1", "region-a/cache-1", "region-b/db-1", "cache-7"}) s.add_host(n);
    s.host("region-a/db-1").join("primaries");
    auto names = [&](std::string_view p) {
        std::vector<std::string> out;
        for (sim::Host* h : s.select(p)) out.emplace_back(h->name());
        return out;
    };
    EXPECT_EQ(names("region-a/*"), (std::vector<std::string>{"region-a/db-1", "region-a/cache-1"}));
    EXPECT_EQ(names("*cache-*"), (std::vector<std::string>{"region-a/cache-1", "cache-7"}));
    EXPECT_EQ(names("primaries"), (std::vector<std::string>{"region-a/db-1"}));
    EXPECT_EQ(names("cache-7"), (std::vector<std::string>{"cache-7"}));
    EXPECT_EQ(names("*").size(), 4u);  // every host but world
    EXPECT_TRUE(names("nope").empty());
}

}  // namespace

namespace {
using namespace std::chrono_literals;

TEST(Host, SeveralBootFunctionsRunInOrderAtEveryBoot) {
    sim::Simulator s;
    sim::Host& h = s.add_host("shared");
    std::vector<std::string> log;
    h.on_boot([&](sim::Host& host) { log.push_back("db@" + std::to_string(host.incarnation())); });
    h.on_boot([&](sim::Host& host) { log.push_back("cache@" + std::to_string(host.incarnation())); });
    s.at(sim::Time(1s), [&] { h.restart(); });
    s.run();
    EXPECT_EQ(log, (std::vector<std::string>{"db@1", "cache@1", "db@2", "cache@2"}));
}

}  // namespace

// A callback that will spawn on a host names the host's hot front as its cache hint
// (Host::hot_bytes). It must be there and fit one cache line: the name, the random stream and
// the model's objects come after it, and a spawn never reads them.
TEST(Host, WhatASpawnReadsIsOneCacheLineAtTheFront) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client-1");
    EXPECT_GT(h.hot_bytes(), 0u);
    EXPECT_LE(h.hot_bytes(), 64u);
    // The name is not in it: a trace names a host by reference, without reading it.
    const auto* name = reinterpret_cast<const char*>(h.name().data());
    const auto* front = reinterpret_cast<const char*>(&h);
    EXPECT_FALSE(name >= front && name < front + h.hot_bytes());
}

namespace {
// A host's state that refers to a model outside the simulator, as models::Database's per-host
// pool does: its destructor reads the model.
struct Registry {
    std::vector<int*> live;
};
struct Registered {
    Registered(Registry& r, int& tag) : registry(r), tag(tag) { registry.live.push_back(&tag); }
    ~Registered() { std::erase(registry.live, &tag); }
    Registry& registry;
    int& tag;
};
}  // namespace

// shutdown() ends the world a model's host state lives in: the processes, then what the hosts
// made. It only unwound the processes, so a model declared after the simulator (destroyed before
// it) was read by its host state's destructors afterwards: a use after free in every program
// written as the docs show.
TEST(Host, ShutdownDestroysWhatTheHostsMadeBeforeTheModelsGo) {
    sim::Simulator s(sim::Options{.seed = 1, .duration = 1s});
    int tag = 0;
    Registry registry;
    s.add_host("db").on_boot([&](sim::Host& h) {
        h.make<Registered>(registry, tag);
        h.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1h); });
    });
    s.run();
    EXPECT_EQ(registry.live.size(), 1u);
    EXPECT_EQ(s.processes_alive(), 1u);
    s.shutdown();
    EXPECT_EQ(s.processes_alive(), 0u);
    EXPECT_TRUE(registry.live.empty()) << "the host's state outlived shutdown()";
}
