// Hedged requests: a slow first copy is overtaken by a hedge, a fast backend sees no hedges,
// and hedges stop at hedges_max and at an empty retry budget.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "models/caller.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Errc;
using sim::Time;

models::CallerOptions hedging(Duration delay, int hedges_max) {
    models::CallerOptions o;
    o.hedge.enabled = true;
    o.hedge.delay = delay;
    o.hedge.hedges_max = hedges_max;
    return o;
}

struct HedgeRun {
    sim::Result<int> result = Errc::internal;
    Time done{};
    std::vector<Time> started;  // when each copy began
    models::CallerCounters counters;
    std::size_t processes_after = 0;
    std::uint64_t covered_sent = 0, covered_won = 0;
};

// One request; copy number i (0: the first) takes latency(i) and answers with i, or fails with
// `fail(i)` when that is set.
template <class Latency>
HedgeRun run_hedged(models::CallerOptions o, Latency latency, std::vector<std::optional<Errc>> fail = {}) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::ResilientCaller caller(s, "c", o);
    HedgeRun run;
    h.spawn([&](sim::Ctx& ctx) {
        int copies = 0;
        run.result = caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<int> {
            const int i = copies++;
            run.started.push_back(c.now());
            c.sleep_for(latency(i));
            if (i < static_cast<int>(fail.size()) && fail[static_cast<std::size_t>(i)])
                return *fail[static_cast<std::size_t>(i)];
            return i;
        });
        run.done = ctx.now();
    });
    EXPECT_EQ(s.run().verdict, sim::Verdict::pass);
    run.counters = caller.counters();
    run.processes_after = s.processes_alive();
    run.covered_sent = s.coverage_count("hedge: sent");
    run.covered_won = s.coverage_count("hedge: hedge won");
    return run;
}

TEST(Hedge, ASlowFirstAttemptIsOvertakenByTheHedgeAfterTheDelay) {
    // The first copy takes 1s, the hedge 10ms: the answer comes at delay + 10ms = 60ms.
    const HedgeRun run = run_hedged(hedging(50ms, 1), [](int i) { return i == 0 ? Duration(1s) : Duration(10ms); });
    ASSERT_TRUE(run.result);
    EXPECT_EQ(*run.result, 1);
    EXPECT_EQ(run.done, Time(60ms));
    EXPECT_EQ(run.started, (std::vector<Time>{Time(0ms), Time(50ms)}));
    EXPECT_EQ(run.counters.hedges, 1u);
    EXPECT_EQ(run.counters.hedge_wins, 1u);
    EXPECT_EQ(run.counters.attempts, 2u);
    EXPECT_EQ(run.counters.abandoned, 1u);  // the slow copy, killed when the hedge won
    EXPECT_EQ(run.processes_after, 0u);
    EXPECT_EQ(run.covered_won, 1u);
}

TEST(Hedge, AFastBackendSeesNoHedge) {
    const HedgeRun run = run_hedged(hedging(50ms, 2), [](int) { return Duration(20ms); });
    ASSERT_TRUE(run.result);
    EXPECT_EQ(*run.result, 0);
    EXPECT_EQ(run.done, Time(20ms));
    EXPECT_EQ(run.counters.hedges, 0u);
    EXPECT_EQ(run.counters.attempts, 1u);
    EXPECT_EQ(run.covered_sent, 0u);
}

TEST(Hedge, HedgesGoOutOneDelayApartUpToHedgesMaxAndTheFirstAnswerWins) {
    // Every copy takes 200ms: hedges at 50ms and 100ms (hedges_max 2), none at 150ms; the first
    // copy answers first, at 200ms, and the two hedges are killed.
    const HedgeRun run = run_hedged(hedging(50ms, 2), [](int) { return Duration(200ms); });
    ASSERT_TRUE(run.result);
    EXPECT_EQ(*run.result, 0);
    EXPECT_EQ(run.done, Time(200ms));
    EXPECT_EQ(run.started, (std::vector<Time>{Time(0ms), Time(50ms), Time(100ms)}));
    EXPECT_EQ(run.counters.hedges, 2u);
    EXPECT_EQ(run.counters.hedge_wins, 0u);
    EXPECT_EQ(run.counters.abandoned, 2u);
    EXPECT_EQ(run.processes_after, 0u);
}

TEST(Hedge, AFailedCopyLeavesTheOthersToAnswer) {
    // The first copy fails at 60ms while the hedge (sent at 50ms) is still out: the hedge's
    // answer at 80ms is the request's.
    const HedgeRun run = run_hedged(hedging(50ms, 1), [](int i) { return i == 0 ? Duration(60ms) : Duration(30ms); },
                                    {Errc::overloaded});
    ASSERT_TRUE(run.result);
    EXPECT_EQ(*run.result, 1);
    EXPECT_EQ(run.done, Time(80ms));
    EXPECT_EQ(run.counters.errors(Errc::overloaded), 1u);
    EXPECT_EQ(run.counters.abandoned, 0u);
}

TEST(Hedge, WhenEveryCopyFailsTheRetryPolicyDecides) {
    // Try 1: copies at 0 and 50ms both fail (at 100ms and 150ms); a fixed 10ms wait; try 2 at
    // 160ms: its first copy answers at 260ms... unless it is slow: here copy 2 (the second try's
    // first) takes 100ms and succeeds.
    models::CallerOptions o = hedging(50ms, 1);
    o.retry.attempts_max = 2;
    o.retry.backoff = models::Backoff::fixed;
    o.retry.backoff_base = 10ms;
    const HedgeRun run = run_hedged(o, [](int) { return Duration(100ms); }, {Errc::timeout, Errc::reset});
    ASSERT_TRUE(run.result);
    EXPECT_EQ(*run.result, 2);
    EXPECT_EQ(run.started, (std::vector<Time>{Time(0ms), Time(50ms), Time(160ms), Time(210ms)}));
    EXPECT_EQ(run.done, Time(260ms));
    EXPECT_EQ(run.counters.retries, 1u);
    EXPECT_EQ(run.counters.hedges, 2u);
    EXPECT_EQ(run.counters.attempts, 4u);
    EXPECT_EQ(run.counters.abandoned, 1u);  // the second try's hedge, still out at 260ms
}

TEST(Hedge, TakesAnAttemptHeldInANamedStdFunction) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::ResilientCaller caller(h, "c", hedging(5ms, 1));
    int copies = 0;
    const std::function<sim::Result<int>(sim::Ctx&, Duration)> attempt = [&](sim::Ctx& c,
                                                                             Duration) -> sim::Result<int> {
        const int i = copies++;
        c.sleep_for(i == 0 ? 100ms : 1ms);
        return i;
    };
    sim::Result<int> r = Errc::internal;
    h.spawn([&](sim::Ctx& ctx) { r = caller.call(ctx, attempt); });
    s.run();
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 1);
    EXPECT_EQ(caller.counters().hedge_wins, 1u);
}

TEST(Hedge, AnEmptyRetryBudgetStopsHedges) {
    models::CallerOptions o = hedging(10ms, 5);
    o.retry.budget.enabled = true;
    o.retry.budget.tokens_max = 2;
    o.retry.budget.min_rate = {0};
    const HedgeRun run = run_hedged(o, [](int) { return Duration(100ms); });
    ASSERT_TRUE(run.result);
    EXPECT_EQ(run.counters.hedges, 2u);  // two tokens: two hedges; the third is denied and ends hedging
    EXPECT_EQ(run.counters.budget_denied, 1u);
    EXPECT_EQ(run.started.size(), 3u);
}

}  // namespace
