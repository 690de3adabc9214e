// The ResilientCaller under the kernel: results and counters, deadlines, RPC, and clean
// unwinding when the caller's host crashes or its process is killed mid-request.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "models/caller.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Errc;
using sim::Time;

models::CallerOptions with_retries(int attempts_max, Duration backoff_base = 10ms) {
    models::CallerOptions o;
    o.retry.attempts_max = attempts_max;
    o.retry.backoff = models::Backoff::fixed;
    o.retry.backoff_base = backoff_base;
    return o;
}

TEST(Caller, ASuccessfulFirstAttemptIsOneRequestOneAttemptNoRetries) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::ResilientCaller caller(s, "c", with_retries(3));
    std::optional<int> got;
    h.spawn([&](sim::Ctx& ctx) {
        auto r = caller.call(
            ctx, [](sim::Ctx&, Duration timeout) -> sim::Result<int> { return static_cast<int>(timeout / 1ms); });
        if (r) got = *r;
    });
    s.run();
    EXPECT_EQ(got, 1000);  // the attempt is handed the per-attempt timeout (1s by default)
    const auto& c = caller.counters();
    EXPECT_EQ(c.requests, 1u);
    EXPECT_EQ(c.attempts, 1u);
    EXPECT_EQ(c.retries, 0u);
    EXPECT_EQ(c.successes, 1u);
    EXPECT_EQ(caller.amplification(), 1.0);
}

TEST(Caller, RetriesUntilAnAttemptSucceedsAndCountsEachFailedAttemptsError) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::ResilientCaller caller(s, "c", with_retries(5));
    int calls = 0;
    Time done{};
    h.spawn([&](sim::Ctx& ctx) {
        auto r = caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<std::string> {
            c.sleep_for(1ms);
            switch (calls++) {
                case 0:
                    return Errc::timeout;
                case 1:
                    return Errc::reset;
                default:
                    return std::string("value");
            }
        });
        EXPECT_TRUE(r);
        done = ctx.now();
    });
    s.run();
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(done, Time(23ms));  // three attempts of 1ms and two fixed waits of 10ms
    const auto& c = caller.counters();
    EXPECT_EQ(c.retries, 2u);
    EXPECT_EQ(c.errors(Errc::timeout), 1u);
    EXPECT_EQ(c.errors(Errc::reset), 1u);
    EXPECT_EQ(c.successes, 1u);
    EXPECT_EQ(c.failures, 0u);
}

TEST(Caller, ANonRetryableErrorEndsTheRequestAtOnce) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::ResilientCaller caller(s, "c", with_retries(5));
    sim::Result<void> r;
    h.spawn([&](sim::Ctx& ctx) {
        r = caller.call(ctx, [](sim::Ctx&, Duration) -> sim::Result<void> { return Errc::internal; });
    });
    s.run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::internal);
    EXPECT_EQ(caller.counters().attempts, 1u);
    EXPECT_EQ(caller.counters().failures, 1u);
}

TEST(Caller, TheDeadlineCutsTheLastAttemptsTimeoutAndStopsRetriesThatCannotFinish) {
    // Attempts time out after their full timeout (100ms); the request's deadline is 250ms:
    // attempt 1 [0, 100ms], wait 10ms, attempt 2 [110ms, 210ms], wait 10ms, attempt 3 gets the
    // 30ms left [220ms, 250ms]; then no time is left for a fourth.
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::CallerOptions o = with_retries(10);
    o.timeout = 100ms;
    o.deadline = 250ms;
    models::ResilientCaller caller(s, "c", o);
    std::vector<std::pair<Time, Duration>> attempts;
    sim::Result<int> r = 0;
    h.spawn([&](sim::Ctx& ctx) {
        r = caller.call(ctx, [&](sim::Ctx& c, Duration timeout) -> sim::Result<int> {
            attempts.emplace_back(c.now(), timeout);
            c.sleep_for(timeout);
            return Errc::timeout;
        });
    });
    s.run();
    EXPECT_EQ(attempts,
              (std::vector<std::pair<Time, Duration>>{{Time(0ms), 100ms}, {Time(110ms), 100ms}, {Time(220ms), 30ms}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::timeout);
}

TEST(Caller, APropagatedDeadlineThatHasPassedFailsWithoutAnAttempt) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::ResilientCaller caller(s, "c", with_retries(3));
    sim::Result<int> r = 0;
    int calls = 0;
    h.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(10ms);
        r = caller.call(
            ctx, [&](sim::Ctx&, Duration) -> sim::Result<int> { return ++calls; }, Time(5ms));
    });
    s.run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::timeout);
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(caller.counters().failures, 1u);
}

TEST(Caller, RetriesAnOverloadedRpcServerUntilItAnswers) {
    sim::Simulator s;
    sim::LinkOptions link;
    link.latency = sim::Delay::fixed(1ms);
    sim::Network net(s, link);
    sim::Rpc<int, int> square(net, "square");
    sim::Host& server = s.add_host("server");
    sim::Host& client = s.add_host("client");
    int served = 0;
    server.on_boot([&](sim::Host& hh) {
        square.serve(hh, [&](sim::Ctx&, const int& x, const sim::CallInfo&) -> sim::Result<int> {
            if (served++ < 2) return Errc::overloaded;  // sheds the first two
            return x * x;
        });
    });
    models::ResilientCaller caller(s, "client->square", with_retries(3, 5ms));
    std::optional<int> got;
    Time done{};
    client.spawn([&](sim::Ctx& ctx) {
        auto r = caller.call(ctx, [&](sim::Ctx& c, Duration t) { return square.call(c, "server", 7, t); });
        if (r) got = *r;
        done = ctx.now();
    });
    s.run();
    s.shutdown();
    EXPECT_EQ(got, 49);
    EXPECT_EQ(done, Time(16ms));  // three round trips of 2ms, two waits of 5ms
    EXPECT_EQ(caller.counters().errors(Errc::overloaded), 2u);
    EXPECT_EQ(caller.amplification(), 3.0);
}

TEST(Caller, ABreakerRejectionFailsAsCancelledWithoutCallingTheAttempt) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::CallerOptions o;
    o.breaker.enabled = true;
    o.breaker.requests_min = 2;
    models::ResilientCaller caller(s, "c", o);
    std::vector<std::string> outcomes;
    int calls = 0;
    h.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 3; ++i) {
            auto r = caller.call(ctx, [&](sim::Ctx&, Duration) -> sim::Result<int> {
                ++calls;
                return Errc::unreachable;
            });
            outcomes.push_back(r ? "ok" : std::string(sim::to_string(r.error())));
        }
    });
    s.run();
    EXPECT_EQ(outcomes, (std::vector<std::string>{"unreachable", "unreachable", "cancelled"}));
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(caller.counters().breaker_rejected, 1u);
}

TEST(Caller, TheSameSeedGivesTheSameJitteredScheduleAndAnotherSeedAnother) {
    const auto schedule = [](std::uint64_t seed) {
        sim::Options options;
        options.seed = seed;
        sim::Simulator s(options);
        sim::Host& h = s.add_host("client");
        models::CallerOptions o = with_retries(6);
        o.retry.backoff = models::Backoff::exponential;
        o.retry.jitter = models::Jitter::full;
        models::ResilientCaller caller(s, "c", o);
        std::vector<Time> at;
        h.spawn([&](sim::Ctx& ctx) {
            (void)caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<int> {
                at.push_back(c.now());
                return Errc::timeout;
            });
        });
        s.run();
        return std::make_pair(at, s.trace_hash());
    };
    EXPECT_EQ(schedule(5), schedule(5));
    EXPECT_NE(schedule(5).first, schedule(6).first);
}

TEST(Caller, RetriesAtThreeLayersMultiplyToTwentySevenAttemptsAtTheBottomAndABudgetAtEachLayerStopsIt) {
    // The retry storm's arithmetic: a client, a middle tier and a back tier each try 3 times; a
    // dead database sees 3^3 = 27 attempts per client request. Retrying at one layer only: 3.
    // With a 10% budget at every layer (buckets of one token), each layer adds at most 10%:
    // at most 1.1^3 = 1.331 per request once the initial tokens are spent.
    const auto bottom_attempts = [](int client, int middle, int back, bool budget) {
        sim::Simulator s;
        sim::Host& h = s.add_host("everything");
        const auto layer = [&](const char* name, int attempts) {
            models::CallerOptions o = with_retries(attempts, 1ms);
            o.retry.budget = {.enabled = budget, .ratio = {1, 10}, .min_rate = {0}, .tokens_max = 1};
            return std::make_unique<models::ResilientCaller>(s, name, o);
        };
        auto c = layer("client", client), m = layer("middle", middle), b = layer("back", back);
        std::uint64_t db_attempts = 0;
        const int requests = budget ? 10'000 : 10;
        h.spawn([&](sim::Ctx& ctx) {
            for (int i = 0; i < requests; ++i) {
                (void)c->call(ctx, [&](sim::Ctx& c1, Duration) {
                    return m->call(c1, [&](sim::Ctx& c2, Duration) {
                        return b->call(c2, [&](sim::Ctx&, Duration) -> sim::Result<int> {
                            ++db_attempts;
                            return Errc::unreachable;
                        });
                    });
                });
            }
        });
        s.run();
        EXPECT_EQ(c->counters().requests, static_cast<std::uint64_t>(requests));
        return static_cast<double>(db_attempts) / requests;
    };
    EXPECT_EQ(bottom_attempts(3, 3, 3, false), 27.0);
    EXPECT_EQ(bottom_attempts(1, 1, 3, false), 3.0);
    const double budgeted = bottom_attempts(3, 3, 3, true);
    EXPECT_GE(budgeted, 1.0);
    EXPECT_LE(budgeted, 1.331 + 0.001);  // + the three initial tokens (and their children) over 10,000 requests
    std::printf("3 tries at 3 layers against a dead backend: 27 attempts per request; with 10%% budgets: %.4f\n",
                budgeted);
}

// ---- crashes and kills ----------------------------------------------------------------------

// Counts live instances, to show that nothing an attempt owns outlives a crash.
struct Tracked {
    static inline int live = 0;
    Tracked() { ++live; }
    Tracked(const Tracked&) { ++live; }
    ~Tracked() { --live; }
};

struct CrashRun {
    sim::RunResult result;
    std::size_t processes_alive = 0;
    int tracked_live = 0;
    models::CallerCounters counters;
    bool returned = false;
};

// A client on its own host calls a slow backend (each attempt takes 1s) through a caller that
// hedges (when asked) and has a breaker in half-open state; the client's host crashes at 120ms,
// with the first attempt and (when hedging) two hedges in flight.
CrashRun crash_mid_request(bool hedging, bool caller_owned_by_host) {
    sim::Simulator s;
    sim::Host& client = s.add_host("client");
    models::CallerOptions o = with_retries(3);
    o.hedge.enabled = hedging;
    o.hedge.delay = 50ms;
    o.hedge.hedges_max = 2;
    o.breaker.enabled = true;
    o.breaker.requests_min = 1;
    o.breaker.open_for = 1s;
    o.breaker.half_open_probes = 3;
    models::ResilientCaller* caller = nullptr;
    if (!caller_owned_by_host) caller = &s.make<models::ResilientCaller>(s, "c", o);
    CrashRun run;
    client.on_boot([&](sim::Host& h) {
        if (caller_owned_by_host) caller = &h.make<models::ResilientCaller>(h, "c", o);
        h.spawn([&, c = caller](sim::Ctx& ctx) {
            // Open the breaker with one failure, wait for half-open: the next attempts are probes.
            (void)c->call(ctx, [](sim::Ctx&, Duration) -> sim::Result<int> { return Errc::internal; });
            ctx.sleep_for(1s);
            const Tracked owned;
            auto r = c->call(ctx, [owned](sim::Ctx& cc, Duration t) -> sim::Result<int> {
                const Tracked in_attempt;
                cc.sleep_for(std::min<Duration>(t, 1s));
                return 1;
            });
            run.returned = true;
            (void)r;
        });
    });
    s.at(Time(1120ms), [&] {
        EXPECT_EQ(client.process_count(), hedging ? 4u : 1u);  // the client and, hedging, three copies
        EXPECT_EQ(caller->breaker().state(), models::CircuitBreaker::State::half_open);
        client.crash();
    });
    run.result = s.run();
    run.processes_alive = s.processes_alive();
    run.tracked_live = Tracked::live;
    if (!caller_owned_by_host) {
        run.counters = caller->counters();
        // The probes in flight were abandoned, not lost: the breaker admits new ones.
        EXPECT_TRUE(caller->breaker().state() == models::CircuitBreaker::State::half_open);
    }
    return run;
}

TEST(Caller, ACallerWhoseHostCrashesMidRequestUnwindsWithNothingLeftRunning) {
    for (const bool owned_by_host : {false, true}) {
        const CrashRun run = crash_mid_request(/*hedging=*/false, owned_by_host);
        EXPECT_EQ(run.result.verdict, sim::Verdict::pass) << owned_by_host;
        EXPECT_EQ(run.processes_alive, 0u);
        EXPECT_EQ(run.tracked_live, 0);
        EXPECT_FALSE(run.returned);
        if (!owned_by_host) {
            EXPECT_EQ(run.counters.abandoned, 1u);
            EXPECT_EQ(run.counters.requests, 2u);
            EXPECT_EQ(run.counters.successes + run.counters.failures, 1u);  // the crashed request never ended
        }
    }
}

TEST(Caller, AHedgingCallerWhoseHostCrashesLeavesNoDanglingHedges) {
    for (const bool owned_by_host : {false, true}) {
        const CrashRun run = crash_mid_request(/*hedging=*/true, owned_by_host);
        EXPECT_EQ(run.result.verdict, sim::Verdict::pass) << owned_by_host;
        EXPECT_EQ(run.processes_alive, 0u);
        EXPECT_EQ(run.tracked_live, 0);
        EXPECT_FALSE(run.returned);
        if (!owned_by_host) {
            EXPECT_EQ(run.counters.hedges, 2u);
            EXPECT_EQ(run.counters.abandoned, 3u);  // the first copy and both hedges
        }
    }
}

TEST(Caller, KillingAHedgingCallersProcessKillsItsCopiesToo) {
    sim::Simulator s;
    sim::Host& h = s.add_host("client");
    models::CallerOptions o;
    o.hedge.enabled = true;
    o.hedge.delay = 10ms;
    o.hedge.hedges_max = 3;
    models::ResilientCaller caller(s, "c", o);
    int finished_attempts = 0;
    sim::ProcessRef p = h.spawn([&](sim::Ctx& ctx) {
        (void)caller.call(ctx, [&](sim::Ctx& c, Duration) -> sim::Result<int> {
            c.sleep_for(1s);
            ++finished_attempts;
            return 1;
        });
    });
    s.at(Time(35ms), [&] {
        EXPECT_EQ(h.process_count(), 5u);  // the caller, its first copy and three hedges
        p.kill();
        EXPECT_EQ(h.process_count(), 0u);
    });
    const sim::RunResult r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass);
    EXPECT_EQ(finished_attempts, 0);
    EXPECT_EQ(caller.counters().abandoned, 4u);
    EXPECT_EQ(s.processes_alive(), 0u);
}

}  // namespace

// The cache hint a YAML client gives for its caller (touches(), prefetched when the request's
// arrival is due) covers what every call reads, and only the front of the shared state: the
// counters, the options and the retry policy's options. Reordering the state's members so that
// one of them falls outside would leave it to a cache miss in every request of a big run.
TEST(Caller, TheCacheHintCoversWhatEveryCallReadsAndNotTheWholeState) {
    sim::Simulator s;
    models::ResilientCaller caller(s, "c", with_retries(3));
    const sim::Touches::Range r = caller.touches();
    const auto* begin = static_cast<const char*>(r.at);
    const auto* end = begin + r.bytes;
    const auto inside = [&](const auto& field) {
        const auto* at = reinterpret_cast<const char*>(&field);
        return at >= begin && at + sizeof(field) <= end;
    };
    EXPECT_TRUE(inside(caller.counters()));
    EXPECT_TRUE(inside(caller.options()));
    EXPECT_TRUE(inside(caller.retry_policy().options()));
    EXPECT_FALSE(inside(caller.breaker()));   // read only with a breaker: not hinted
    EXPECT_FALSE(inside(caller.throttle()));  // likewise
    EXPECT_LT(r.bytes, 16u + sizeof(models::detail::CallerCore) * 2 / 3);  // well under the whole state (the 16: make_shared's count)
}
