// The fault timeline: validation, windows, the injected plan, the standard vocabulary, the nemesis.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::FaultSpec;
using sim::PlannedFault;
using sim::Time;

struct Records : sim::TraceSink {
    void record(const sim::TraceRecord& r) override {
        if (r.kind.rfind("fault.", 0) == 0) {
            bool injected = false;
            for (const auto& f : r.fields) injected |= f.key == "injected" && f.value.as_bool();
            lines.push_back(std::string(r.kind) + "@" + sim::format_time(r.time) + (injected ? " injected" : ""));
        }
    }
    std::vector<std::string> lines;
};

struct World {
    World() : s(sim::Options{.seed = 9}), net(s), faults(s) {
        for (const char* n : {"region-a/db", "region-a/app", "region-b/db", "region-b/app"}) s.add_host(n);
        sim::define_standard_faults(faults, &net);
        s.set_trace_sink(&records);
    }
    ~World() { s.shutdown(); }
    sim::Simulator s;
    sim::Network net;
    sim::Faults faults;
    Records records;
};

TEST(Faults, BadSpecsAreRejectedWithTheFieldNamed) {
    World w;
    EXPECT_EQ(w.faults.validate({"partiton", {"region-a/*", "region-b/*"}, {}}), "unknown fault 'partiton' (did you mean 'partition'?)");
    EXPECT_EQ(w.faults.validate({"partition", {"region-a/*"}, {}}), "fault 'partition' takes 2 host patterns, got 1");
    EXPECT_EQ(w.faults.validate({"crash", {"region-c/*"}, {}}), "no host or group matches 'region-c/*'");
    EXPECT_EQ(w.faults.validate({"crash", {"region-a/dbb"}, {}}), "no host or group matches 'region-a/dbb' (did you mean 'region-a/db'?)");
    EXPECT_EQ(w.faults.validate({"clog", {"region-a/*", "region-b/*"}, {{"factr", "3"}}}),
              "fault 'clog' has no parameter 'factr' (did you mean 'factor'?)");
    EXPECT_EQ(w.faults.validate({"loss", {"region-a/*", "region-b/*"}, {{"ratio", "150%"}}}),
              "fault 'loss' parameter 'ratio': '150%': a probability cannot exceed 1");
    // A factor out of range is the parameter's error (the scenario file names params.factor).
    EXPECT_EQ(w.faults.validate({"limp", {"region-a/db"}, {{"factor", "0.5"}}}),
              "fault 'limp' parameter 'factor': '0.5': must be from 1 to 1000000");
    EXPECT_EQ(w.faults.validate({"clog", {"region-a/*", "region-b/*"}, {{"factor", "0"}}}),
              "fault 'clog' parameter 'factor': '0': must be above 0 and at most 1e6");
    EXPECT_FALSE(w.faults.validate({"clog", {"region-a/*", "region-b/*"}, {{"factor", "0.5"}}}));
    EXPECT_FALSE(w.faults.validate({"partition", {"region-a/*", "region-b/*"}, {{"reject", "true"}}}));
    // A cut that cuts nothing was injected, counted and drawn, and changed nothing.
    EXPECT_EQ(w.faults.validate({"partition", {"region-a/*", "region-a/*"}, {}}),
              "'region-a/*' and 'region-a/*' are the same hosts: a cut between a set and itself cuts nothing");
    EXPECT_TRUE(w.faults.validate({"hold", {"region-a/db", "region-a/d*"}, {}}).has_value());
    EXPECT_EQ(w.faults.validate({"isolate", {"*"}, {}}),
              "'*' is every host: there is no other host to isolate it from");
    EXPECT_FALSE(w.faults.validate({"isolate", {"region-a/*"}, {}}));
}

TEST(Faults, AFaultIsDescribedWithItsStartAndLengthInSeconds) {
    // What shrink prints for each fault it kept: a drawn length in seconds like its start, never
    // "for 3907711696ns".
    const PlannedFault drawn{
        Time(12'345'678'901ns), Duration(3'907'711'696ns), {"loss", {"a/*", "b/*"}, {{"ratio", "0.5"}}}};
    EXPECT_EQ(sim::describe(drawn), "at 12.345678901s for 3.907711696s loss a/* b/* ratio=0.5");
    EXPECT_EQ(sim::describe({Time(30s), Duration(2min), {"crash", {"db-1"}, {}}}), "at 30s for 120s crash db-1");
    EXPECT_EQ(sim::describe({Time(0s), std::nullopt, {"restart", {"cache"}, {}}}), "at 0s restart cache");
}

TEST(Faults, AWindowIsAppliedAtItsStartAndHealedAtItsEndAndBothAreTracedAsInjected) {
    World w;
    w.faults.schedule({Time(2s), Duration(3s), {"partition", {"region-a/*", "region-b/*"}, {}}});
    w.s.at(Time(1s), [&] { EXPECT_TRUE(w.net.connected(w.s.host("region-a/db"), w.s.host("region-b/db"))); });
    w.s.at(Time(4s), [&] {
        EXPECT_FALSE(w.net.connected(w.s.host("region-a/db"), w.s.host("region-b/db")));
        EXPECT_TRUE(w.net.connected(w.s.host("region-a/db"), w.s.host("region-a/app")));
        EXPECT_EQ(w.faults.open_windows(), 1u);
    });
    w.s.at(Time(6s), [&] { EXPECT_TRUE(w.net.connected(w.s.host("region-a/db"), w.s.host("region-b/db"))); });
    w.s.run();
    EXPECT_EQ(w.records.lines, (std::vector<std::string>{"fault.inject@2s injected", "fault.partition@2s injected",
                                                         "fault.heal@5s injected"}));
}

TEST(Faults, ACrashWithADurationIsABounce) {
    World w;
    sim::Host& db = w.s.host("region-a/db");
    int boots = 0;
    db.on_boot([&](sim::Host&) { ++boots; });
    w.faults.schedule({Time(1s), Duration(2s), {"crash", {"region-a/db"}, {}}});
    w.s.at(Time(2s), [&] { EXPECT_FALSE(db.alive()); });
    w.s.run();
    EXPECT_TRUE(db.alive());
    EXPECT_EQ(boots, 2);
}

TEST(Faults, EveryStandardKindCanBeInjectedAndHealed) {
    World w;
    std::vector<std::string> kinds = w.faults.kind_names();
    EXPECT_GE(kinds.size(), 20u);
    Time t(1s);
    for (const std::string& k : kinds) {
        const sim::FaultKind* kind = w.faults.kind(k);
        FaultSpec spec{k, {}, {}};
        spec.targets.push_back("region-a/db");
        if (kind->targets == 2) spec.targets.push_back("region-b/*");
        ASSERT_FALSE(w.faults.validate(spec)) << k << ": " << *w.faults.validate(spec);
        w.faults.schedule({t, kind->window ? std::optional<Duration>(500ms) : std::nullopt, spec});
        t += 1s;
    }
    auto r = w.s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass);
    EXPECT_EQ(w.faults.open_windows(), 0u);
    EXPECT_EQ(w.faults.injected().size(), kinds.size());
    EXPECT_TRUE(w.s.host("region-a/db").alive());
    EXPECT_EQ(w.s.host("region-a/db").slowdown(), 1.0);
}

TEST(Faults, TheInjectedPlanReplaysToTheSameTrace) {
    auto run = [](const sim::FaultPlan* plan, sim::FaultPlan* out) {
        sim::Simulator s(sim::Options{.seed = 21});
        sim::Network net(s);
        sim::Faults faults(s);
        sim::define_standard_faults(faults, &net);
        for (int i = 0; i < 4; ++i) {
            sim::Host& h = s.add_host("n" + std::to_string(i));
            h.on_boot([&net, i](sim::Host& host) {
                auto& box = host.make<sim::Mailbox<int>>(net, host, "in");
                host.spawn([&net, &box, i](sim::Ctx& ctx) {
                    for (int k = 0;; ++k) {
                        sim::send_message(net, ctx.host(), ctx.sim().host("n" + std::to_string((i + 1) % 4)), "in", k);
                        while (box.try_recv()) {
                        }
                        ctx.sleep_for(ctx.rng().exponential(Duration(20ms)));
                    }
                });
            });
        }
        if (plan == nullptr) {
            sim::NemesisOptions n;
            n.start = Time(1s);
            n.quiet_at = Time(50s);
            for (const char* k : {"partition", "crash", "clog", "pause", "loss"}) {
                n.faults.push_back({k, 6.0, 500ms, 4s, {"n0", "n1", "n2", "n3"}, {}});
            }
            faults.schedule(sim::plan_nemesis(n, faults, s.rng("nemesis")));
        } else {
            faults.schedule(*plan);
        }
        s.at(Time(60s), [&s] { s.stop(); });
        auto r = s.run();
        if (out) *out = faults.injected();
        s.shutdown();
        return r.trace_hash;
    };
    sim::FaultPlan injected;
    const std::uint64_t first = run(nullptr, &injected);
    EXPECT_GT(injected.size(), 10u);
    EXPECT_EQ(run(&injected, nullptr), first);
}

TEST(Nemesis, EveryWindowEndsBeforeTheQuietPeriodAndTheSameSeedGivesTheSamePlan) {
    World w;
    sim::NemesisOptions n;
    n.start = Time(10s);
    n.quiet_at = Time(5min);
    n.concurrent_max = 3;
    n.faults = {{"partition", 2.0, 1s, 30s, {"region-a/*", "region-b/*", "region-a/db"}, {}},
                {"crash", 1.0, 1s, 20s, {"region-a/db", "region-b/db"}, {}},
                {"clock_skew", 1.0, 5s, 60s, {"region-b/app"}, {{"offset", "-2s"}}}};
    auto plan = sim::plan_nemesis(n, w.faults, sim::Rng(77));
    EXPECT_EQ(plan, sim::plan_nemesis(n, w.faults, sim::Rng(77)));
    EXPECT_NE(plan, sim::plan_nemesis(n, w.faults, sim::Rng(78)));
    ASSERT_GT(plan.size(), 5u);
    std::vector<Time> ends;
    Time last{};
    for (const PlannedFault& f : plan) {
        EXPECT_GE(f.at, n.start);
        EXPECT_GE(f.at, last);
        last = f.at;
        ASSERT_TRUE(f.duration.has_value());
        EXPECT_LE(f.at + *f.duration, n.quiet_at) << sim::describe(f);
        EXPECT_FALSE(w.faults.validate(f.spec)) << sim::describe(f);
        std::erase_if(ends, [&](Time e) { return e <= f.at; });
        ends.push_back(f.at + *f.duration);
        EXPECT_LE(ends.size(), n.concurrent_max);
        if (f.spec.kind == "partition") {
            EXPECT_NE(f.spec.targets[0], f.spec.targets[1]);
        }
    }
}

TEST(Nemesis, FaultsArriveAtTheirRateAndAKindAtAlmostNeverPlansNone) {
    // 1,000 minutes at 3 per minute: Poisson(3000), sd 55; 5 sd = 275.
    World w;
    sim::NemesisOptions n;
    n.quiet_at = Time(1000min);
    n.concurrent_max = 1000;
    n.faults = {{"pause", 3.0, 1s, 2s, {"region-a/db"}, {}}};
    const auto plan = sim::plan_nemesis(n, w.faults, sim::Rng(5));
    EXPECT_NEAR(static_cast<double>(plan.size()), 3000.0, 275.0);

    // A kind at 1e-12 a minute: a mean gap of 6e22 ns, past int64 (it used to wrap to a negative
    // gap). It plans nothing, and the other kind, on its own stream, plans exactly what it did.
    n.faults.push_back({"crash", 1e-12, 1s, 2s, {"region-b/db"}, {}});
    EXPECT_EQ(sim::plan_nemesis(n, w.faults, sim::Rng(5)), plan);
}

RC_GTEST_PROP(Nemesis, EverythingIsHealedByTheQuietPeriod, (std::uint64_t seed)) {
    World w;
    sim::Host& db = w.s.host("region-a/db");
    db.on_boot([](sim::Host& h) {
        h.spawn([](sim::Ctx& ctx) {
            for (;;) ctx.sleep_for(100ms);
        });
    });
    sim::NemesisOptions n;
    n.start = Time(1s);
    n.quiet_at = Time(60s);
    for (const std::string& k : w.faults.kind_names()) {
        const sim::FaultKind* kind = w.faults.kind(k);
        if (!kind->window) continue;
        n.faults.push_back({k, 4.0, 100ms, 10s, {"region-a/db", "region-b/*", "region-a/app"}, {}});
    }
    w.faults.schedule(sim::plan_nemesis(n, w.faults, sim::Rng(seed)));
    w.faults.heal_all_at(n.quiet_at);
    w.s.run_until(Time(61s));
    RC_ASSERT(w.faults.open_windows() == 0u);
    RC_ASSERT(db.alive());
    RC_ASSERT(!db.paused());
    RC_ASSERT(db.slowdown() == 1.0);
    RC_ASSERT(db.local_now() == w.s.now() || db.clock_drift_ppm() == 0.0);
    RC_ASSERT(w.net.connected(db, w.s.host("region-b/db")));
    RC_ASSERT(w.net.held() == 0u);
}

}  // namespace

// A fault that cannot be applied (isolating every host) fails the run, and is in the injected
// plan: the plan is what an artifact records and a shrink starts from, and without it the
// failure was not reproduced by its own plan ("it ended pass, nothing to shrink towards").
TEST(Faults, AFaultThatCannotBeAppliedFailsTheRunAndIsInTheInjectedPlan) {
    auto run = [](const sim::FaultPlan& plan, sim::FaultPlan* out) {
        World w;
        w.faults.schedule(plan);
        const sim::RunResult r = w.s.run();
        if (out) *out = w.faults.injected();
        return r;
    };
    const sim::FaultPlan bad{{Time(2s), Duration(1s), FaultSpec{"isolate", {"region-*"}, {}}}};
    sim::FaultPlan injected;
    const sim::RunResult first = run(bad, &injected);
    ASSERT_EQ(first.verdict, sim::Verdict::fail);
    ASSERT_TRUE(first.failure);
    EXPECT_NE(first.failure->message.find("every host"), std::string::npos) << first.failure->message;
    ASSERT_EQ(injected.size(), 1u);
    EXPECT_EQ(injected[0].at, Time(2s));
    const sim::RunResult again = run(injected, nullptr);
    EXPECT_EQ(again.verdict, sim::Verdict::fail);
    EXPECT_EQ(again.trace_hash, first.trace_hash);
}
