// The circuit breaker opens, probes and closes on the schedule its options say; virtual time
// makes the schedule exact, so these tests check the very nanosecond of every transition.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/breaker.hpp"
#include "models/caller.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::BreakerOptions;
using models::CircuitBreaker;
using State = models::CircuitBreaker::State;
using sim::Duration;
using sim::Errc;
using sim::Time;

BreakerOptions options() {
    BreakerOptions o;
    o.enabled = true;
    o.error_ratio_max = {1, 2};
    o.requests_min = 20;
    o.window = 10s;
    o.window_buckets = 10;
    o.open_for = 5s;
    o.half_open_probes = 3;
    return o;
}

// Records `n` results at `at`, each through its own ticket.
void results(CircuitBreaker& b, Time at, int n, bool success) {
    for (int i = 0; i < n; ++i) {
        const auto t = b.allow(at);
        ASSERT_TRUE(t.has_value());
        b.record(at, *t, success);
    }
}

TEST(Breaker, StaysClosedBelowRequestsMinHoweverBadTheResults) {
    CircuitBreaker b(options());
    results(b, Time(1s), 19, false);
    EXPECT_EQ(b.state(Time(1s)), State::closed);
    results(b, Time(1s), 1, false);  // the 20th result, all errors
    EXPECT_EQ(b.state(Time(1s)), State::open);
    EXPECT_EQ(b.opened_at(), Time(1s));
}

TEST(Breaker, OpensAtTheResultThatPushesTheErrorRatioAboveTheMax) {
    CircuitBreaker b(options());
    results(b, Time(1s), 10, true);
    results(b, Time(2s), 10, false);  // 10 / 20 = 1/2: at the max, not above it
    EXPECT_EQ(b.state(Time(2s)), State::closed);
    results(b, Time(3s), 1, false);  // 11 / 21 > 1/2
    EXPECT_EQ(b.state(Time(3s)), State::open);
    EXPECT_EQ(b.opened_at(), Time(3s));
    EXPECT_EQ(b.counts().opened, 1u);
}

TEST(Breaker, ErrorsOlderThanTheWindowNoLongerCount) {
    CircuitBreaker b(options());
    results(b, Time(0s), 15, false);
    // 10s later (one window) those 15 errors are gone: 15 fresh errors are below requests_min.
    results(b, Time(10s), 15, false);
    EXPECT_EQ(b.state(Time(10s)), State::closed);
    EXPECT_EQ(b.window(Time(10s)).total, 15u);
    results(b, Time(12s), 5, false);
    EXPECT_EQ(b.state(Time(12s)), State::open);
}

TEST(Breaker, RejectsWhileOpenThenLetsTheProbesThroughAfterOpenFor) {
    CircuitBreaker b(options());
    results(b, Time(1s), 20, false);
    ASSERT_EQ(b.state(Time(1s)), State::open);
    EXPECT_FALSE(b.allow(Time(1s)));
    EXPECT_FALSE(b.allow(Time(6s) - Duration(1)));  // one nanosecond before open_for has passed
    EXPECT_EQ(b.state(Time(6s) - Duration(1)), State::open);
    EXPECT_EQ(b.state(Time(6s)), State::half_open);
    std::vector<CircuitBreaker::Ticket> probes;
    for (int i = 0; i < 3; ++i) {
        const auto t = b.allow(Time(6s));
        ASSERT_TRUE(t.has_value());
        EXPECT_TRUE(t->probe);
        probes.push_back(*t);
    }
    EXPECT_FALSE(b.allow(Time(6s)));  // only half_open_probes go
    EXPECT_EQ(b.counts().rejected, 3u);
    b.record(Time(6100ms), probes[0], true);
    b.record(Time(6200ms), probes[1], true);
    EXPECT_EQ(b.state(Time(6200ms)), State::half_open);
    EXPECT_FALSE(b.allow(Time(6200ms)));  // two succeeded, one is out: still no room
    b.record(Time(6300ms), probes[2], true);
    EXPECT_EQ(b.state(Time(6300ms)), State::closed);
    EXPECT_EQ(b.window(Time(6300ms)).total, 0u);  // closes with an empty window
    EXPECT_EQ(b.counts().closed, 1u);
}

TEST(Breaker, AFailedProbeReopensItForAnotherOpenFor) {
    CircuitBreaker b(options());
    results(b, Time(1s), 20, false);
    const auto probe = b.allow(Time(6s));
    ASSERT_TRUE(probe);
    const auto second = b.allow(Time(6s));
    ASSERT_TRUE(second);
    b.record(Time(6500ms), *probe, false);
    EXPECT_EQ(b.state(Time(6500ms)), State::open);
    EXPECT_EQ(b.opened_at(), Time(6500ms));
    b.record(Time(6600ms), *second, true);  // from the last half-open spell: says nothing now
    EXPECT_EQ(b.state(Time(11500ms) - Duration(1)), State::open);
    EXPECT_EQ(b.state(Time(11500ms)), State::half_open);
    EXPECT_EQ(b.counts().opened, 2u);
}

TEST(Breaker, AResultFromBeforeItOpenedDoesNotCountAsAProbe) {
    CircuitBreaker b(options());
    const auto early = b.allow(Time(0s));  // sent while closed, answered much later
    ASSERT_TRUE(early);
    results(b, Time(1s), 20, false);
    const auto probe = b.allow(Time(6s));
    ASSERT_TRUE(probe);
    b.record(Time(6s), *early, false);
    EXPECT_EQ(b.state(Time(6s)), State::half_open);
}

TEST(Breaker, AnAbandonedProbeFreesItsPlace) {
    BreakerOptions o = options();
    o.half_open_probes = 1;
    CircuitBreaker b(o);
    results(b, Time(1s), 20, false);
    const auto probe = b.allow(Time(6s));
    ASSERT_TRUE(probe);
    EXPECT_FALSE(b.allow(Time(6s)));
    b.abandon(*probe);
    const auto again = b.allow(Time(7s));
    ASSERT_TRUE(again);
    b.record(Time(7s), *again, true);
    EXPECT_EQ(b.state(Time(7s)), State::closed);
}

TEST(Breaker, OptionsOutOfRangeAreDescribed) {
    BreakerOptions o = options();
    EXPECT_FALSE(models::validate(o));
    o.half_open_probes = 0;
    EXPECT_TRUE(models::validate(o));
    o = options();
    o.error_ratio_max = {3, 2};
    EXPECT_TRUE(models::validate(o));
    o = options();
    o.window_buckets = 0;
    EXPECT_TRUE(models::validate(o));
}

// Under the kernel: a backend that fails until `heals_at`, a client sending one request every
// 100ms through a caller with a breaker (no retries). Every attempt that reaches the backend is
// logged with its time.
struct BreakerRun {
    std::vector<Time> sent;  // attempts that reached the backend
    std::vector<std::string> outcomes;
    models::CallerCounters counters;
    std::vector<std::pair<Time, std::string>> transitions;  // the "breaker.state" trace records
};

// Keeps the breaker's trace records.
struct Transitions : sim::TraceSink {
    std::vector<std::pair<Time, std::string>>* out;
    explicit Transitions(std::vector<std::pair<Time, std::string>>* o) : out(o) {}
    void record(const sim::TraceRecord& r) override {
        if (r.kind != "breaker.state") return;
        for (const sim::TraceField& f : r.fields) {
            if (f.key == "state") out->emplace_back(r.time, std::string(f.value.as_str()));
        }
    }
};

BreakerRun run_breaker(Time heals_at, Time until) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::CallerOptions o;
    o.breaker = options();
    models::ResilientCaller caller(s, "web->db", o);
    BreakerRun run;
    Transitions sink(&run.transitions);
    s.set_trace_sink(&sink);
    h.spawn([&](sim::Ctx& ctx) {
        while (ctx.now() < until) {
            auto r = caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<int> {
                run.sent.push_back(c.now());
                if (c.now() < heals_at) return Errc::overloaded;
                return 1;
            });
            run.outcomes.push_back(r ? "ok" : std::string(sim::to_string(r.error())));
            ctx.sleep_for(100ms);
        }
    });
    EXPECT_EQ(s.run().verdict, sim::Verdict::pass);
    run.counters = caller.counters();
    EXPECT_EQ(caller.breaker().counts().opened, s.coverage_count("breaker: opened"));
    EXPECT_EQ(caller.breaker().counts().probes, s.coverage_count("breaker: half-open probe"));
    s.set_trace_sink(nullptr);
    return run;
}

TEST(Breaker, ACallerOpensProbesAndClosesOnScheduleAgainstABackendThatHeals) {
    // Requests at 0, 0.1s, ...: the 20th failure (at 1.9s) opens it; rejected (cancelled) until
    // 6.9s, when the request finds it half-open and probes; the backend has healed at 5s, so the
    // probes at 6.9s, 7.0s and 7.1s succeed and the third closes it.
    const BreakerRun run = run_breaker(Time(5s), Time(8s));
    ASSERT_GE(run.sent.size(), 23u);
    EXPECT_EQ(run.sent[19], Time(1900ms));
    EXPECT_EQ(run.sent[20], Time(6900ms));  // nothing reached the backend while it was open
    EXPECT_EQ(run.sent[21], Time(7000ms));
    EXPECT_EQ(run.sent[22], Time(7100ms));
    EXPECT_EQ(run.outcomes[19], "overloaded");
    EXPECT_EQ(run.outcomes[20], "cancelled");              // 2.0s: open
    EXPECT_EQ(run.outcomes[68], "cancelled");              // 6.8s: still open
    EXPECT_EQ(run.outcomes[69], "ok");                     // 6.9s: the first probe
    EXPECT_EQ(run.counters.breaker_rejected, 49u);         // 2.0s .. 6.8s
    EXPECT_EQ(run.sent.size(), run.outcomes.size() - 49);  // closed again: every request goes
    EXPECT_EQ(run.transitions, (std::vector<std::pair<Time, std::string>>{
                                   {Time(1900ms), "open"}, {Time(6900ms), "half_open"}, {Time(7100ms), "closed"}}));
}

TEST(Breaker, ACallerWhoseProbeFailsWaitsAnotherOpenForBeforeProbingAgain) {
    // Healing at 7.5s: the probe at 6.9s fails and reopens it until 11.9s; the probes then succeed.
    const BreakerRun run = run_breaker(Time(7500ms), Time(13s));
    ASSERT_GE(run.sent.size(), 24u);
    EXPECT_EQ(run.sent[20], Time(6900ms));
    EXPECT_EQ(run.sent[21], Time(11900ms));
    EXPECT_EQ(run.sent[22], Time(12000ms));
    EXPECT_EQ(run.sent[23], Time(12100ms));
    EXPECT_EQ(run.outcomes[119], "ok");
    EXPECT_EQ(run.outcomes[120], "ok");
}

}  // namespace
