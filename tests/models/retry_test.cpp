// Retry policies: the amplification retries cause (against theory), the budget that caps it,
// backoff and jitter. The statistical checks run a fixed seed (so they never flake), and their
// tolerances are stated in standard errors so a reader can tell a loose test from a lucky one:
// a correct implementation passes them for all but a vanishing share of seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/caller.hpp"
#include "models/retry.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::Backoff;
using models::Jitter;
using models::RetryOptions;
using models::RetryPolicy;
using models::RetryState;
using sim::Duration;
using sim::Errc;
using sim::Time;

// A backend that fails each attempt independently with probability `fail` (no network: the
// attempt is a draw from its own stream), called through a caller `requests` times, one request
// per `spacing` of virtual time.
struct FlakyRun {
    models::CallerCounters counters;
    double amplification = 0;
    double success_rate = 0;
    std::uint64_t covered_budget_denied = 0;
};

FlakyRun run_flaky(sim::Ratio fail, RetryOptions retry, int requests, Duration spacing = Duration(0),
                   std::uint64_t seed = 1) {
    sim::Options options;
    options.seed = seed;
    sim::Simulator s(options);
    sim::Host& client = s.add_host("client");
    models::CallerOptions caller_options;
    caller_options.retry = retry;
    models::ResilientCaller caller(s, "flaky", caller_options);
    sim::Rng backend = s.rng("backend");
    client.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < requests; ++i) {
            auto r = caller.call(ctx, [&](sim::Ctx&, Duration) -> sim::Result<int> {
                if (backend.bernoulli(fail)) return Errc::overloaded;
                return 1;
            });
            (void)r;
            if (spacing.count() > 0) ctx.sleep_for(spacing);
        }
    });
    const sim::RunResult result = s.run();
    EXPECT_EQ(result.verdict, sim::Verdict::pass);
    FlakyRun out;
    out.counters = caller.counters();
    out.amplification = caller.amplification();
    out.success_rate = static_cast<double>(out.counters.successes) / static_cast<double>(out.counters.requests);
    out.covered_budget_denied = s.coverage_count("retry: budget denied");
    return out;
}

RetryOptions no_backoff(int attempts_max) {
    RetryOptions o;
    o.attempts_max = attempts_max;
    o.backoff = Backoff::none;
    return o;
}

// Attempts X of one request with N retries against failure probability p: X = k with probability
// p^(k-1) (1-p) for k <= N, and X = N+1 with probability p^N. E[X] = (1 - p^(N+1)) / (1 - p).
struct Theory {
    double mean = 0;
    double sd = 0;  // of one request's attempts
    double success = 0;
};
Theory theory(double p, int retries) {
    double mean = 0, second = 0, pk = 1;  // pk = p^(k-1)
    for (int k = 1; k <= retries + 1; ++k) {
        const double share = k <= retries ? pk * (1 - p) : pk;
        mean += k * share;
        second += k * k * share;
        pk *= p;
    }
    return {mean, std::sqrt(second - mean * mean), 1 - pk};  // pk = p^(N+1) after the loop
}

// ---- amplification against theory ---------------------------------------------------------

TEST(Retry, AttemptsPerRequestAndSuccessRateMatchTheoryForHalfFailingBackendAndThreeRetries) {
    const int n = 200'000;
    const FlakyRun run = run_flaky({1, 2}, no_backoff(4), n);
    const Theory t = theory(0.5, 3);
    ASSERT_DOUBLE_EQ(t.mean, 1.875);  // (1 - 0.5^4) / (1 - 0.5)
    ASSERT_DOUBLE_EQ(t.success, 0.9375);
    // Tolerance 4 standard errors of the mean over n requests: sd(X) = 1.053, se = 0.0024; the
    // success rate's se is sqrt(0.9375 * 0.0625 / n) = 0.00054.
    EXPECT_NEAR(run.amplification, t.mean, 4 * t.sd / std::sqrt(n));
    EXPECT_NEAR(run.success_rate, t.success, 4 * std::sqrt(t.success * (1 - t.success) / n));
    EXPECT_EQ(run.counters.retries, run.counters.attempts - run.counters.requests);
    EXPECT_EQ(run.counters.successes + run.counters.failures, run.counters.requests);
    EXPECT_EQ(run.counters.errors(Errc::overloaded), run.counters.attempts - run.counters.successes);
    std::printf("p=0.5 N=3: amplification %.4f (theory %.4f), success %.4f (theory %.4f)\n", run.amplification, t.mean,
                run.success_rate, t.success);
}

TEST(Retry, AttemptsPerRequestAndSuccessRateMatchTheoryForMostlyFailingBackendAndTwoRetries) {
    const int n = 200'000;
    const FlakyRun run = run_flaky({9, 10}, no_backoff(3), n);
    const Theory t = theory(0.9, 2);
    ASSERT_NEAR(t.mean, 2.71, 1e-12);  // 1 + 0.9 + 0.81
    ASSERT_NEAR(t.success, 0.271, 1e-12);
    // 4 standard errors, as above: sd(X) = 0.62, se = 0.0014; success se = 0.00099.
    EXPECT_NEAR(run.amplification, t.mean, 4 * t.sd / std::sqrt(n));
    EXPECT_NEAR(run.success_rate, t.success, 4 * std::sqrt(t.success * (1 - t.success) / n));
    std::printf("p=0.9 N=2: amplification %.4f (theory %.4f), success %.4f (theory %.4f)\n", run.amplification, t.mean,
                run.success_rate, t.success);
}

TEST(Retry, AHealthyBackendSeesExactlyOneAttemptPerRequest) {
    const FlakyRun run = run_flaky({0, 1}, no_backoff(4), 10'000);
    EXPECT_EQ(run.amplification, 1.0);
    EXPECT_EQ(run.success_rate, 1.0);
    EXPECT_EQ(run.counters.retries, 0u);
}

TEST(Retry, WithoutABudgetTotalFailureMultipliesLoadByAttemptsMax) {
    const FlakyRun run = run_flaky({1, 1}, no_backoff(3), 10'000);
    EXPECT_EQ(run.amplification, 3.0);
    EXPECT_EQ(run.counters.failures, 10'000u);
}

// ---- the retry budget -----------------------------------------------------------------------

TEST(RetryBudget, CapsAmplificationNearOnePlusItsRatioUnderTotalFailure) {
    // Under total failure every request wants attempts_max - 1 = 2 retries, so the bucket is
    // drained as fast as it fills and retries = deposits - what is left at the end:
    //   requests * ratio + min_rate * T + tokens_max (it starts full) - (final balance < 1).
    // With 100,000 requests at 1,000/s (T = 100s), ratio 0.1, min_rate 1/s and tokens_max 10,
    // retries are between 10,109 and 10,110: amplification 1 + 0.1 + (100 + 10) / 100,000 at
    // most. The slack over 1 + ratio, (min_rate * T + tokens_max + 1) / requests = 0.0011, is
    // the tolerance: min_rate contributes 0.001, little next to the ratio.
    RetryOptions o = no_backoff(3);
    o.budget = {.enabled = true, .ratio = {1, 10}, .min_rate = {1}, .tokens_max = 10};
    const int n = 100'000;
    const FlakyRun run = run_flaky({1, 1}, o, n, 1ms);
    EXPECT_EQ(run.covered_budget_denied, run.counters.budget_denied);
    const double slack = (1.0 * 100 + 10 + 1) / n;
    EXPECT_GE(run.amplification, 1.1);
    EXPECT_LE(run.amplification, 1.1 + slack);
    EXPECT_GE(run.counters.retries, 10'108u);  // 10,000 + 99.999 (the last request is at 99.999s) + 10 - 1
    EXPECT_LE(run.counters.retries, 10'110u);
    // A denied retry ends its request; a request that was not denied got both its retries.
    EXPECT_LE(run.counters.budget_denied, run.counters.requests);
    EXPECT_GE(run.counters.budget_denied, run.counters.requests - run.counters.retries / 2);
    EXPECT_EQ(run.counters.failures, run.counters.requests);
    std::printf("budget 10%% under total failure: amplification %.5f (bound [1.1, %.5f]), retries %llu\n",
                run.amplification, 1.1 + slack, static_cast<unsigned long long>(run.counters.retries));
}

TEST(RetryBudget, AnEmptyBudgetIsTracedAtMostOncePerSecondWithTheDenialsSinceTheLastRecord) {
    struct Sink : sim::TraceSink {
        std::vector<std::pair<Time, std::uint64_t>> records;
        void record(const sim::TraceRecord& r) override {
            if (r.kind != "retry.budget_exhausted") return;
            for (const sim::TraceField& f : r.fields) {
                if (f.key == "denied") records.emplace_back(r.time, f.value.as_u64());
            }
        }
    } sink;
    sim::Simulator s;
    s.set_trace_sink(&sink);
    sim::Host& h = s.add_host("client");
    models::CallerOptions o;
    o.retry = no_backoff(3);
    o.retry.budget = {.enabled = true, .ratio = {1, 10}, .min_rate = {0}, .tokens_max = 1};
    models::ResilientCaller caller(h, "c", o);
    h.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 10'000; ++i) {  // 10s of total failure at 1,000 requests per second
            (void)caller.call(ctx, [](sim::Ctx&, Duration) -> sim::Result<int> { return Errc::timeout; });
            ctx.sleep_for(1ms);
        }
    });
    s.run();
    s.set_trace_sink(nullptr);
    ASSERT_EQ(sink.records.size(), 10u);  // at 0s, 1s, ... 9s
    std::uint64_t denied = 0;
    for (std::size_t i = 0; i < sink.records.size(); ++i) {
        EXPECT_EQ(sink.records[i].first, Time(std::chrono::seconds(i)));
        denied += sink.records[i].second;
    }
    EXPECT_GT(caller.counters().budget_denied, 9'000u);
    EXPECT_LE(denied, caller.counters().budget_denied);  // the last second's are not yet reported
    EXPECT_GT(denied, caller.counters().budget_denied - 1'000);
}

TEST(RetryBudget, LetsEveryRetryThroughWhenFailuresAreRare) {
    // p = 1%: about 0.0101 retries per request wanted, 0.1 deposited: the budget never binds.
    RetryOptions o = no_backoff(3);
    o.budget = {.enabled = true, .ratio = {1, 10}, .min_rate = {0}, .tokens_max = 10};
    const FlakyRun run = run_flaky({1, 100}, o, 50'000);
    EXPECT_EQ(run.counters.budget_denied, 0u);
    EXPECT_GT(run.counters.retries, 0u);
}

TEST(RetryBudget, StartsFullDepositsARatioPerRequestAndTimeAndNeverPassesItsSize) {
    models::RetryBudget b({.enabled = true, .ratio = {1, 3}, .min_rate = {2}, .tokens_max = 5}, Time(0s));
    EXPECT_EQ(b.balance(Time(0s)), 5 * models::RetryBudget::unit);
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.try_withdraw(Time(0s)));
    EXPECT_FALSE(b.try_withdraw(Time(0s)));
    EXPECT_EQ(b.denials(), 1u);
    for (int i = 0; i < 3; ++i) b.deposit_request(Time(0s));
    EXPECT_EQ(b.balance(Time(0s)), models::RetryBudget::unit);             // 3 x 1/3, the remainders carried: exactly 1
    EXPECT_EQ(b.balance(Time(250ms)), models::RetryBudget::unit * 3 / 2);  // 2 per second for 0.25s
    EXPECT_EQ(b.balance(Time(1h)), 5 * models::RetryBudget::unit);         // capped
}

TEST(RetryBudget, TimeDepositsCarryTheirRemaindersSoManySmallStepsLoseNothing) {
    // 1 token per second is a thousandth of a millionth per nanosecond: each 300ns step deposits
    // a fraction of the bucket's smallest unit, which must carry over rather than round away.
    models::RetryBudget b({.enabled = true, .ratio = {0, 1}, .min_rate = {1}, .tokens_max = 10}, Time(0s));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(b.try_withdraw(Time(0s)));
    for (int step = 1; step <= 10'000; ++step) b.deposit_request(Time(Duration(300 * step)));
    EXPECT_EQ(b.balance(Time(3ms)), 3'000);  // 3ms at 1 token/s: 0.003 tokens, to the millionth
}

// ---- backoff and jitter ---------------------------------------------------------------------

TEST(RetryBackoff, ExponentialDoublesFromTheBaseAndStopsAtTheCap) {
    RetryOptions o;
    o.attempts_max = 10;
    o.backoff_base = 10ms;
    o.backoff_max = 100ms;
    const RetryPolicy p(o);
    std::vector<Duration> got;
    for (int retry = 1; retry <= 6; ++retry) got.push_back(p.backoff(retry));
    EXPECT_EQ(got, (std::vector<Duration>{10ms, 20ms, 40ms, 80ms, 100ms, 100ms}));
    EXPECT_EQ(p.backoff(100), 100ms);  // no overflow however far it goes
}

TEST(RetryBackoff, FixedWaitsTheBaseAndNoneDoesNotWait) {
    RetryOptions o;
    o.backoff = Backoff::fixed;
    o.backoff_base = 25ms;
    EXPECT_EQ(RetryPolicy(o).backoff(1), 25ms);
    EXPECT_EQ(RetryPolicy(o).backoff(7), 25ms);
    o.backoff = Backoff::none;
    EXPECT_EQ(RetryPolicy(o).backoff(3), 0ms);
}

TEST(RetryBackoff, ACallerSleepsTheBackoffBetweenAttemptsInVirtualTime) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    RetryOptions o;
    o.attempts_max = 4;
    o.backoff_base = 10ms;
    models::CallerOptions co;
    co.retry = o;
    models::ResilientCaller caller(s, "c", co);
    std::vector<Time> attempts;
    sim::Result<int> result = Errc::internal;
    h.spawn([&](sim::Ctx& ctx) {
        result = caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<int> {
            attempts.push_back(c.now());
            return Errc::timeout;
        });
    });
    s.run();
    EXPECT_EQ(attempts, (std::vector<Time>{Time(0ms), Time(10ms), Time(30ms), Time(70ms)}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Errc::timeout);  // the last attempt's error
}

struct Moments {
    double mean = 0;
    Duration lo = Duration::max(), hi = Duration::min();
};
Moments first_waits(Jitter jitter, int retry, int n) {
    RetryOptions o;
    o.attempts_max = 10;
    o.backoff_base = 10ms;
    o.backoff_max = 1s;
    o.jitter = jitter;
    const RetryPolicy p(o);
    sim::Rng rng(7);
    Moments m;
    for (int i = 0; i < n; ++i) {
        RetryState st{.attempts = retry, .wait_prev = Duration(0)};
        const Duration w = p.wait(st, rng);
        m.mean += static_cast<double>(w.count()) / n;
        m.lo = std::min(m.lo, w);
        m.hi = std::max(m.hi, w);
    }
    return m;
}

TEST(RetryJitter, FullJitterIsUniformBetweenZeroAndTheBackoff) {
    const int n = 100'000;
    const Moments m = first_waits(Jitter::full, 3, n);  // b = 40ms
    const double b = 40e6;
    EXPECT_GE(m.lo, 0ms);
    EXPECT_LE(m.hi, 40ms);
    EXPECT_LT(m.lo, 1ms);  // it does reach down: 100,000 draws leave no 2.5% of [0, b] empty
    // Mean b/2; the sd of U[0, b] is b / sqrt(12), so 4 standard errors are 4 b / sqrt(12 n).
    EXPECT_NEAR(m.mean, b / 2, 4 * b / std::sqrt(12.0 * n));
}

TEST(RetryJitter, EqualJitterIsUniformBetweenHalfTheBackoffAndTheBackoff) {
    const int n = 100'000;
    const Moments m = first_waits(Jitter::equal, 3, n);
    const double b = 40e6;
    EXPECT_GE(m.lo, 20ms);
    EXPECT_LE(m.hi, 40ms);
    // Mean 3b/4; sd (b/2) / sqrt(12); 4 standard errors.
    EXPECT_NEAR(m.mean, 0.75 * b, 4 * (b / 2) / std::sqrt(12.0 * n));
}

TEST(RetryJitter, DecorrelatedJitterStaysBetweenTheBaseAndThreeTimesThePreviousWaitCapped) {
    RetryOptions o;
    o.attempts_max = 100;
    o.backoff_base = 10ms;
    o.backoff_max = 500ms;
    o.jitter = Jitter::decorrelated;
    const RetryPolicy p(o);
    sim::Rng rng(11);
    int capped = 0;
    for (int chain = 0; chain < 2'000; ++chain) {
        RetryState st;
        Duration prev = o.backoff_base;  // AWS: the first "previous sleep" is the base
        for (int retry = 1; retry <= 20; ++retry) {
            st.attempts = retry;
            const Duration w = p.wait(st, rng);
            ASSERT_GE(w, o.backoff_base);
            ASSERT_LE(w, std::min(o.backoff_max, 3 * prev));
            if (w == o.backoff_max) ++capped;
            prev = w;
        }
    }
    EXPECT_GT(capped, 0);  // long chains do reach the cap
    // The first wait is U[base, 3 base]: mean 2 base = 20ms, sd 2 base / sqrt(12); 4 se.
    const int n = 100'000;
    const Moments m = first_waits(Jitter::decorrelated, 1, n);
    EXPECT_GE(m.lo, 10ms);
    EXPECT_LE(m.hi, 30ms);
    EXPECT_NEAR(m.mean, 20e6, 4 * 20e6 / std::sqrt(12.0 * n));
}

TEST(RetryJitter, ADecorrelatedCallerSpreadsRetriesThatAnUnjitteredOneSynchronises) {
    // 100 clients failing at the same instant: without jitter all retries land together; with
    // decorrelated jitter the first retries spread over [base, 3 base].
    for (const Jitter jitter : {Jitter::none, Jitter::decorrelated}) {
        sim::Simulator s;
        sim::Host& h = s.add_host("clients");
        RetryOptions o;
        o.attempts_max = 2;
        o.jitter = jitter;
        models::CallerOptions co;
        co.retry = o;
        models::ResilientCaller caller(s, "c", co);
        std::vector<Time> retries;
        for (int i = 0; i < 100; ++i) {
            h.spawn([&](sim::Ctx& ctx) {
                int n = 0;
                (void)caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<int> {
                    if (n++ > 0) retries.push_back(c.now());
                    return Errc::overloaded;
                });
            });
        }
        s.run();
        ASSERT_EQ(retries.size(), 100u);
        const auto [lo, hi] = std::minmax_element(retries.begin(), retries.end());
        if (jitter == Jitter::none) {
            EXPECT_EQ(*lo, *hi);
        } else {
            EXPECT_GE(*lo, Time(10ms));
            EXPECT_LE(*hi, Time(30ms));
            EXPECT_GT(*hi - *lo, 15ms);  // 100 uniform draws over 20ms span most of it
        }
    }
}

// ---- decisions ------------------------------------------------------------------------------

TEST(Retry, ErrorsOutsideRetryOnAreNotRetried) {
    RetryOptions o = no_backoff(5);
    RetryPolicy p(o);
    sim::Rng rng(1);
    for (const Errc e : {Errc::internal, Errc::cancelled, Errc::disk_full}) {
        RetryState st{.attempts = 1};
        EXPECT_EQ(p.on_failure(Time(0s), st, e, rng).verdict, RetryPolicy::Verdict::not_retryable) << sim::to_string(e);
    }
    for (const Errc e : {Errc::timeout, Errc::overloaded, Errc::unreachable, Errc::reset, Errc::refused}) {
        RetryState st{.attempts = 1};
        EXPECT_TRUE(p.on_failure(Time(0s), st, e, rng).retry()) << sim::to_string(e);
    }
}

TEST(Retry, AttemptsMaxCountsTheFirstAttempt) {
    RetryPolicy p(no_backoff(3));
    sim::Rng rng(1);
    RetryState st{.attempts = 2};
    EXPECT_TRUE(p.on_failure(Time(0s), st, Errc::timeout, rng).retry());
    st.attempts = 3;
    EXPECT_EQ(p.on_failure(Time(0s), st, Errc::timeout, rng).verdict, RetryPolicy::Verdict::attempts_exhausted);
}

TEST(Retry, ARetryWhoseWaitWouldReachTheDeadlineIsNotSent) {
    RetryOptions o;
    o.attempts_max = 5;
    o.backoff = Backoff::fixed;
    o.backoff_base = 100ms;
    RetryPolicy p(o);
    sim::Rng rng(1);
    RetryState st{.attempts = 1};
    EXPECT_TRUE(p.on_failure(Time(0ms), st, Errc::timeout, rng, Time(101ms)).retry());
    EXPECT_EQ(p.on_failure(Time(0ms), st, Errc::timeout, rng, Time(100ms)).verdict, RetryPolicy::Verdict::deadline);
}

TEST(Retry, ErrorSetsReadAndWriteAsCommaSeparatedNames) {
    models::ErrcSet set;
    EXPECT_FALSE(models::parse_value("timeout, overloaded,reset", set));
    EXPECT_EQ(set, (models::ErrcSet{Errc::reset, Errc::timeout, Errc::overloaded}));
    EXPECT_EQ(models::format_value(set), "timeout, overloaded, reset");
    EXPECT_EQ(models::format_value(RetryOptions{}.retry_on), "timeout, refused, unreachable, overloaded, reset");
    EXPECT_FALSE(models::parse_value("", set));
    EXPECT_TRUE(set.empty());
    EXPECT_TRUE(models::parse_value("timeout, nope", set));
    EXPECT_TRUE(models::parse_value("timeout,", set));
}

TEST(Retry, OptionsOutOfRangeAreDescribed) {
    RetryOptions o;
    o.attempts_max = 0;
    EXPECT_TRUE(models::validate(o));
    o.attempts_max = RetryOptions::attempts_limit + 1;
    EXPECT_TRUE(models::validate(o));
    o.attempts_max = 3;
    EXPECT_FALSE(models::validate(o));
    o.backoff_max = 1ms;  // below the base
    EXPECT_TRUE(models::validate(o));
}

}  // namespace
