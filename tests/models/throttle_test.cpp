// Client-side adaptive throttling: the reject probability follows the SRE book's formula, and
// under overload the client settles at sending about k times what the backend accepts.
#include <gtest/gtest.h>

#include <cmath>

#include "models/caller.hpp"
#include "models/throttle.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::AdaptiveThrottle;
using models::ThrottleOptions;
using sim::Duration;
using sim::Errc;
using sim::Time;

ThrottleOptions options(double k) {
    ThrottleOptions o;
    o.enabled = true;
    o.k = k;
    o.window = 2min;
    o.window_buckets = 60;
    return o;
}

TEST(Throttle, RejectProbabilityIsTheExcessOfRequestsOverKAcceptsOverRequestsPlusOne) {
    AdaptiveThrottle t(options(2));
    for (int i = 0; i < 100; ++i) t.record(Time(1s), i < 30);
    EXPECT_EQ(t.requests(Time(1s)), 100u);
    EXPECT_EQ(t.accepts(Time(1s)), 30u);
    EXPECT_DOUBLE_EQ(t.reject_probability(Time(1s)), (100.0 - 2 * 30) / 101);
    for (int i = 0; i < 40; ++i) t.record(Time(2s), true);  // 140 requests, 70 accepts: k * 70 >= 140
    EXPECT_EQ(t.reject_probability(Time(2s)), 0.0);
}

TEST(Throttle, NeverRejectsWhileTheBackendAcceptsEverything) {
    AdaptiveThrottle t(options(1.1));
    sim::Rng rng(1);
    for (int i = 0; i < 10'000; ++i) {
        ASSERT_TRUE(t.admit(Time(1s), rng));
        t.record(Time(1s), true);
    }
    EXPECT_EQ(t.rejected(), 0u);
}

TEST(Throttle, ForgetsWhatLeftTheWindow) {
    AdaptiveThrottle t(options(2));
    for (int i = 0; i < 100; ++i) t.record(Time(0s), false);
    EXPECT_GT(t.reject_probability(Time(119s)), 0.9);
    EXPECT_EQ(t.reject_probability(Time(120s)), 0.0);  // two minutes on, the window is empty
    EXPECT_EQ(t.requests(Time(120s)), 0u);
}

TEST(Throttle, RejectionsCountAsRequestsSoTheProbabilityStaysBelowOne) {
    AdaptiveThrottle t(options(2));
    sim::Rng rng(3);
    for (int i = 0; i < 1000; ++i) {
        if (t.admit(Time(1s), rng)) t.record(Time(1s), false);
    }
    const double p = t.reject_probability(Time(1s));
    EXPECT_LT(p, 1.0);
    EXPECT_DOUBLE_EQ(p, 1000.0 / 1001);
    EXPECT_GT(t.rejected(), 900u);
}

TEST(Throttle, UnderOverloadTheClientSendsAboutKTimesWhatTheBackendAccepts) {
    // The backend accepts at most 100 requests in each second of virtual time and sheds the rest
    // (overloaded); the client offers 1,000 per second. With k = 2 the throttle should settle at
    // sending 2 x 100 = 200 per second: then requests - k accepts = 1000 - 200 per second of
    // window, and the reject probability is 800 / 1000.
    // Measured over the 3rd and 4th minutes (after a full window of warm-up): 120,000 requests,
    // each sent with probability ~0.2, so the count sent has sd sqrt(120000 * 0.2 * 0.8) = 139,
    // 0.6% of 24,000. The window moves in 2s steps (its span is 118-120s), which shifts requests
    // and accepts alike and cancels in their ratio. Tolerance: 3% (5 sd).
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::CallerOptions o;
    o.throttle = options(2);
    models::ResilientCaller caller(s, "c", o);
    std::int64_t second = -1;
    int accepted_this_second = 0;
    std::uint64_t sent_in_measure = 0, accepted_in_measure = 0;
    const Time measure_from(120s), measure_to(240s);
    h.spawn([&](sim::Ctx& ctx) {
        while (ctx.now() < measure_to) {
            (void)caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<int> {
                const std::int64_t now_second = c.now().time_since_epoch().count() / 1'000'000'000;
                if (now_second != second) {
                    second = now_second;
                    accepted_this_second = 0;
                }
                const bool measuring = c.now() >= measure_from;
                if (measuring) ++sent_in_measure;
                if (accepted_this_second >= 100) return Errc::overloaded;
                ++accepted_this_second;
                if (measuring) ++accepted_in_measure;
                return 1;
            });
            ctx.sleep_for(1ms);
        }
    });
    ASSERT_EQ(s.run().verdict, sim::Verdict::pass);
    const double sent_per_second = static_cast<double>(sent_in_measure) / 120;
    const double accepted_per_second = static_cast<double>(accepted_in_measure) / 120;
    EXPECT_EQ(accepted_per_second, 100.0);  // the backend stays saturated: it is offered twice its capacity
    EXPECT_NEAR(sent_per_second, 200.0, 200.0 * 0.03);
    EXPECT_GT(caller.counters().throttled, 0u);
    EXPECT_EQ(caller.counters().attempts + caller.counters().throttled, caller.counters().requests);
    EXPECT_GT(s.coverage_count("throttle: rejected"), 0u);
    std::printf("throttle k=2 against 100/s capacity offered 1000/s: sent %.1f/s (theory 200), accepted %.1f/s\n",
                sent_per_second, accepted_per_second);
}

TEST(Throttle, AThrottledRequestFailsAsOverloadedWithoutReachingTheBackend) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::CallerOptions o;
    o.throttle = options(1);
    o.retry.attempts_max = 3;
    models::ResilientCaller caller(s, "c", o);
    int reached = 0;
    int throttled_results = 0;
    h.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 200; ++i) {
            auto r = caller.call(ctx, [&](sim::Ctx&, Duration) -> sim::Result<int> {
                ++reached;
                return Errc::overloaded;
            });
            ASSERT_FALSE(r);
            EXPECT_EQ(r.error(), Errc::overloaded);
            ctx.sleep_for(1ms);
        }
        throttled_results = static_cast<int>(caller.counters().throttled);
    });
    s.run();
    EXPECT_GT(throttled_results, 0);
    EXPECT_EQ(static_cast<std::uint64_t>(reached), caller.counters().attempts);
    EXPECT_LT(caller.amplification(), 1.0);  // most requests never reach the backend
}

}  // namespace
