// The cache model: LRU, TTL, accounting, flushes, and each stampede mitigation measured against
// its absence; a RapidCheck state machine against a reference map with expiry times.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/cache.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using models::Cache;
using models::CacheKey;
using models::CacheOptions;
using models::CacheValue;
using sim::Duration;
using sim::Time;

// A backend that counts what the cache asks of it. Values: key * 1'000'000 + the fill's number.
struct Backend {
    explicit Backend(Duration latency_ = 10ms, std::optional<sim::Errc> fail_ = {}) : latency(latency_), fail(fail_) {}
    Duration latency;
    std::optional<sim::Errc> fail;
    std::uint64_t fills = 0;
    int inflight = 0;
    int inflight_peak = 0;
    std::map<CacheKey, int> fills_per_key;
    std::vector<Time> fill_starts;

    Cache::Fill fill(CacheKey key) {
        return [this, key](sim::Ctx& ctx) -> sim::Result<CacheValue> {
            const std::uint64_t n = ++fills;
            ++fills_per_key[key];
            fill_starts.push_back(ctx.now());
            inflight_peak = std::max(inflight_peak, ++inflight);
            struct Done {
                int& inflight;
                ~Done() { --inflight; }  // also when the filler is killed
            } done{inflight};
            if (latency > Duration::zero()) ctx.sleep_for(latency);
            if (fail) return *fail;
            return CacheValue{key * 1'000'000 + n, n};
        };
    }
};

// ---- LRU, TTL, accounting, flushes ------------------------------------------------------------

TEST(Cache, EvictsTheLeastRecentlyUsedEntryBeyondEntriesMax) {
    sim::Simulator s;
    Cache c(s, "c", {.entries_max = 3});
    Backend db;
    s.spawn([&](sim::Ctx& ctx) {
        c.put(1, {10});
        c.put(2, {20});
        c.put(3, {30});
        ASSERT_TRUE(c.get(ctx, 1, db.fill(1)));  // 1 is now the most recent; 2 the least
        c.put(4, {40});
        EXPECT_FALSE(c.peek(2).has_value());
        EXPECT_EQ(c.peek(1), CacheValue{10});
        c.put(5, {50});  // recency now 5, 4, 1, 3: 3 goes
        EXPECT_FALSE(c.peek(3).has_value());
    });
    s.run();
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(c.counters().evictions, 2u);
    EXPECT_EQ(db.fills, 0u);
    EXPECT_EQ(c.peek(4), CacheValue{40});
    EXPECT_EQ(c.peek(5), CacheValue{50});
}

TEST(Cache, AnEntryExpiresExactlyItsTtlAfterItWasFilled) {
    sim::Simulator s;
    Cache c(s, "c", {.ttl = 10s});
    Backend db;
    std::vector<std::uint64_t> versions;
    s.spawn([&](sim::Ctx& ctx) {
        versions.push_back(c.get(ctx, 7, db.fill(7))->version);  // filled at 10ms, expires at 10.01s
        ctx.sleep_until(Time(10s + 10ms - 1ns));
        EXPECT_TRUE(c.peek(7).has_value());
        versions.push_back(c.get(ctx, 7, db.fill(7))->version);
        ctx.sleep_for(1ns);
        EXPECT_FALSE(c.peek(7).has_value());
        versions.push_back(c.get(ctx, 7, db.fill(7))->version);
    });
    s.run();
    EXPECT_EQ(versions, (std::vector<std::uint64_t>{1, 1, 2}));
    EXPECT_EQ(c.counters().expirations, 1u);
}

TEST(Cache, CountsHitsAndMissesAndReportsTheHitRatio) {
    sim::Simulator s;
    Cache c(s, "c");
    Backend db;
    s.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 4; ++i) ASSERT_TRUE(c.get(ctx, 1, db.fill(1)));
        ASSERT_TRUE(c.get(ctx, 2, db.fill(2)));
    });
    s.run();
    EXPECT_EQ(c.counters().gets, 5u);
    EXPECT_EQ(c.counters().hits, 3u);
    EXPECT_EQ(c.counters().misses, 2u);
    EXPECT_EQ(c.counters().fills, 2u);
    EXPECT_EQ(db.fills, 2u);
    EXPECT_DOUBLE_EQ(c.hit_ratio(), 0.6);
}

TEST(Cache, AFullFlushEmptiesTheCacheAndEveryKeyIsFilledAgain) {
    sim::Simulator s;
    Cache c(s, "c");
    Backend db;
    s.spawn([&](sim::Ctx& ctx) {
        for (CacheKey k = 0; k < 10; ++k) ASSERT_TRUE(c.get(ctx, k, db.fill(k)));
        EXPECT_EQ(c.size(), 10u);
        c.flush();
        EXPECT_EQ(c.size(), 0u);
        for (CacheKey k = 0; k < 10; ++k) ASSERT_TRUE(c.get(ctx, k, db.fill(k)));
    });
    s.run();
    EXPECT_EQ(c.counters().flushes, 1u);
    EXPECT_EQ(c.counters().misses, 20u);
    for (const auto& [key, n] : db.fills_per_key) EXPECT_EQ(n, 2) << "key " << key;
}

TEST(Cache, APartialFlushDropsEachEntryWithItsRatio) {
    sim::Simulator s;
    Cache c(s, "c", {.entries_max = 20'000});
    constexpr std::size_t n = 10'000;
    for (CacheKey k = 0; k < n; ++k) c.put(k, {k});
    sim::Rng rng = s.rng("flush");
    const std::size_t dropped = c.flush_ratio({1, 4}, rng);
    // Binomial(10000, 1/4): mean 2500, standard deviation sqrt(10000 * 1/4 * 3/4) = 43.3. Five
    // standard deviations (217) either side: a correct flush fails this about once in 1.7 million.
    EXPECT_GE(dropped, 2500u - 217u);
    EXPECT_LE(dropped, 2500u + 217u);
    EXPECT_EQ(c.size(), n - dropped);
    std::size_t left = 0;
    for (CacheKey k = 0; k < n; ++k) left += c.peek(k).has_value() ? 1 : 0;
    EXPECT_EQ(left, n - dropped);
    EXPECT_EQ(c.flush_ratio({0, 1}, rng), 0u);
    EXPECT_EQ(c.flush_ratio({1, 1}, rng), n - dropped);
    EXPECT_EQ(c.size(), 0u);
}

// A fill that read the backend before an invalidation must not bring the old value back.
TEST(Cache, AFillThatBeganBeforeAnEraseAPutOrAFlushDoesNotStoreItsValue) {
    sim::Simulator s;
    Cache c(s, "c");
    Backend db(100ms);
    std::vector<bool> answered;
    for (CacheKey k : {1, 2, 3}) {
        s.spawn([&, k](sim::Ctx& ctx) { answered.push_back(c.get(ctx, k, db.fill(k)).ok()); });
    }
    s.at(Time(50ms), [&] {
        c.erase(1);
        c.put(2, {7});
    });
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_until(Time(200ms));  // the three fills are done
        EXPECT_FALSE(c.peek(1).has_value());
        EXPECT_EQ(c.peek(2), CacheValue{7});
        EXPECT_TRUE(c.peek(3).has_value());
        s.spawn([&](sim::Ctx& filler) { (void)c.get(filler, 4, db.fill(4)); });
        ctx.sleep_for(50ms);
        c.flush();
    });
    s.run();
    EXPECT_EQ(answered, std::vector<bool>(3, true));  // the fillers still get what they read
    EXPECT_FALSE(c.peek(4).has_value());              // its fill began before the flush
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(db.fills, 4u);
}

// ---- coalescing ---------------------------------------------------------------------------------

struct StampedeResult {
    std::uint64_t fills = 0;
    std::size_t answered = 0;  // gets that returned their key's value
    std::map<CacheKey, int> fills_per_key;
};

// 20 keys, 50 getters per key arriving 1ms apart while a 50ms fill runs, at start and again right
// after a flush at 1s.
StampedeResult stampede(bool coalesce) {
    sim::Simulator s;
    Cache c(s, "c", {.coalesce = coalesce});
    Backend db(50ms);
    StampedeResult r;
    constexpr CacheKey keys = 20;
    for (Duration start : {Duration(0), Duration(1001ms)}) {
        for (CacheKey k = 0; k < keys; ++k) {
            for (int i = 0; i < 50; ++i) {
                s.spawn([&, start, k, i](sim::Ctx& ctx) {
                    ctx.sleep_for(start + i * 1ms);
                    auto v = c.get(ctx, k, db.fill(k));
                    if (v && v->value / 1'000'000 == k) ++r.answered;
                });
            }
        }
    }
    s.at(Time(1s), [&] { c.flush(); });
    s.run();
    r.fills = db.fills;
    r.fills_per_key = db.fills_per_key;
    return r;
}

TEST(Cache, CoalescingSendsExactlyOneBackendFillPerKeyPerFlush) {
    const StampedeResult with = stampede(true);
    EXPECT_EQ(with.fills, 40u);  // 20 keys, twice (before and after the flush)
    for (const auto& [key, n] : with.fills_per_key) EXPECT_EQ(n, 2) << "key " << key;
    EXPECT_EQ(with.answered, 2000u);

    const StampedeResult without = stampede(false);
    EXPECT_EQ(without.fills, 2000u);  // every getter arrives before the first fill returns
    EXPECT_EQ(without.answered, 2000u);
}

TEST(Cache, WaitersBeyondWaitersMaxAreTurnedAwayAsOverloaded) {
    sim::Simulator s;
    Cache c(s, "c", {.coalesce = true, .waiters_max = 3});
    Backend db(50ms);
    int ok = 0, overloaded = 0;
    for (int i = 0; i < 10; ++i) {
        s.spawn([&](sim::Ctx& ctx) {
            auto v = c.get(ctx, 1, db.fill(1));
            if (v) {
                ++ok;
            } else if (v.error() == sim::Errc::overloaded) {
                ++overloaded;
            }
        });
    }
    s.run();
    EXPECT_EQ(db.fills, 1u);
    EXPECT_EQ(ok, 4);  // the filler and three waiters
    EXPECT_EQ(overloaded, 6);
    EXPECT_EQ(c.counters().waiter_rejects, 6u);
}

TEST(Cache, AFillerKilledMidFillWakesItsCoalescedWaitersWithAnError) {
    sim::Simulator s;
    Cache c(s, "c", {.coalesce = true});
    Backend db(10s);
    sim::Host& h = s.add_host("app-1");
    h.spawn([&](sim::Ctx& ctx) { (void)c.get(ctx, 1, db.fill(1)); });
    std::vector<sim::Errc> errors;
    std::vector<Time> woke;
    for (int i = 0; i < 5; ++i) {
        s.spawn([&](sim::Ctx& ctx) {
            ctx.sleep_for(1ms);
            auto v = c.get(ctx, 1, db.fill(1));
            woke.push_back(ctx.now());
            if (!v) errors.push_back(v.error());
        });
    }
    s.at(Time(1s), [&] {
        db.latency = 10ms;
        h.crash();
    });
    std::optional<CacheValue> later;
    s.spawn([&](sim::Ctx& ctx) {  // the key is not stuck: the next get fills it
        ctx.sleep_until(Time(2s));
        auto v = c.get(ctx, 1, db.fill(1));
        if (v) later = *v;
    });
    s.run();
    EXPECT_EQ(errors, std::vector<sim::Errc>(5, sim::Errc::reset));
    EXPECT_EQ(woke, std::vector<Time>(5, Time(1s)));
    EXPECT_EQ(c.counters().coalesced, 5u);
    EXPECT_EQ(c.counters().fills_abandoned, 1u);
    ASSERT_TRUE(later.has_value());
    EXPECT_EQ(later->version, 2u);
}

TEST(Cache, GettersOnOtherHostsSurviveTheCrashOfTheCachesHost) {
    sim::Simulator s;
    Backend db(10s);
    sim::Host& h = s.add_host("cache-1");
    Cache* cache = nullptr;
    h.on_boot([&](sim::Host& host) {
        cache = &host.make<Cache>(s, "c", CacheOptions{.coalesce = true, .lease = 5s});
        host.spawn([&](sim::Ctx& ctx) { (void)cache->get(ctx, 1, db.fill(1)); });
    });
    std::vector<sim::Errc> errors;
    for (int i = 0; i < 3; ++i) {
        s.spawn([&](sim::Ctx& ctx) {
            ctx.sleep_for(1ms);
            auto v = cache->get(ctx, 1, db.fill(1));
            if (!v) errors.push_back(v.error());
        });
    }
    s.at(Time(1s), [&] { h.crash(); });
    s.run();
    EXPECT_EQ(errors, std::vector<sim::Errc>(3, sim::Errc::reset));
    EXPECT_EQ(s.now(), Time(1s));
}

TEST(Cache, ACacheMadeInTheBootFunctionIsEmptyAfterARestart) {
    sim::Simulator s;
    Backend db;
    sim::Host& h = s.add_host("app-1");
    Cache* cache = nullptr;
    h.on_boot([&](sim::Host& host) { cache = &host.make<Cache>(s, "c"); });
    h.spawn([&](sim::Ctx& ctx) { ASSERT_TRUE(cache->get(ctx, 1, db.fill(1))); });
    s.run_until(Time(1s));
    EXPECT_EQ(cache->size(), 1u);
    h.restart();
    EXPECT_EQ(cache->size(), 0u);
    EXPECT_EQ(cache->counters().gets, 0u);
    s.shutdown();
}

// ---- leases -------------------------------------------------------------------------------------

TEST(Cache, LeaseWaitersGetTheHoldersValueAndStaleValuesAreServedDuringARefill) {
    sim::Simulator s;
    Cache c(s, "c", {.ttl = 2s, .lease = 1s});
    Backend db(100ms);
    std::vector<std::uint64_t> first_round, second_round;
    std::vector<Time> second_round_times;
    for (int i = 0; i < 50; ++i) {
        s.spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_for(i * 1ms);
            auto v = c.get(ctx, 1, db.fill(1));
            first_round.push_back(v ? v->version : 0);
        });
        s.spawn([&, i](sim::Ctx& ctx) {  // after expiry (2.1s): one refills, the others get the old value
            ctx.sleep_until(Time(3s) + i * 1ms);
            auto v = c.get(ctx, 1, db.fill(1));
            second_round.push_back(v ? v->version : 0);
            second_round_times.push_back(ctx.now());
        });
    }
    s.run();
    EXPECT_EQ(first_round, std::vector<std::uint64_t>(50, 1));
    EXPECT_EQ(c.counters().lease_waits, 49u);
    EXPECT_EQ(db.fills, 2u);
    EXPECT_EQ(second_round.size(), 50u);
    EXPECT_EQ(std::count(second_round.begin(), second_round.end(), 2u), 1);  // the lease holder
    EXPECT_EQ(std::count(second_round.begin(), second_round.end(), 1u), 49);
    EXPECT_EQ(c.counters().stale_served, 49u);
    for (std::size_t i = 0; i < second_round_times.size(); ++i) {
        if (second_round[i] == 1) {
            EXPECT_LT(second_round_times[i], Time(3s) + 50ms);  // at once
        }
    }
}

// A backend that keeps failing: gets arrive every 10ms for 5s, a fill fails after 100ms.
std::vector<Time> failing_fill_starts(CacheOptions options) {
    sim::Simulator s;
    Cache c(s, "c", options);
    Backend db(100ms, sim::Errc::overloaded);
    for (int i = 0; i < 500; ++i) {
        s.spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_for(i * 10ms);
            EXPECT_FALSE(c.get(ctx, 1, db.fill(1)));
        });
    }
    s.run();
    return db.fill_starts;
}

TEST(Cache, ALeaseAllowsOneFillPerKeyPerLeaseIntervalEvenWhileFillsFail) {
    const std::vector<Time> leased = failing_fill_starts({.lease = 1s, .wait_max = 2s});
    ASSERT_GE(leased.size(), 5u);
    for (std::size_t i = 1; i < leased.size(); ++i) EXPECT_GE(leased[i] - leased[i - 1], 1s) << "fill " << i;
    EXPECT_LE(leased.size(), 7u);  // 0s .. 6s: the last waiters give up by 4.99s + wait_max

    // Single flight alone retries as soon as a fill fails: a new fill every 100ms or so.
    const std::vector<Time> coalesced = failing_fill_starts({.coalesce = true});
    EXPECT_GE(coalesced.size(), 45u);
}

// ---- XFetch -------------------------------------------------------------------------------------

struct XFetchResult {
    Cache::Counters counters;
    std::uint64_t fills = 0;
    std::uint64_t early_fills = 0;  // fills that began while the old value was still fresh
    int inflight_peak = 0;
};

// One hot key, TTL 10s, fills of 100ms, a get every 2ms for 60s; no single flight, so whatever
// misses at expiry goes to the backend. The key starts warm (a cold start is a stampede of its
// own, which XFetch does nothing about).
XFetchResult steady_hot_key(double beta) {
    sim::Options options;
    options.seed = 11;
    sim::Simulator s(options);
    Cache c(s, "c", {.ttl = 10s, .xfetch_beta = beta});
    Backend db(100ms);
    XFetchResult r;
    c.put(1, {1'000'000}, 100ms);
    const Cache::Fill backend = db.fill(1);
    const Cache::Fill fill = [&](sim::Ctx& ctx) {
        if (c.peek(1)) ++r.early_fills;
        return backend(ctx);
    };
    for (int i = 0; i < 30'000; ++i) {
        s.spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_for(i * 2ms);
            EXPECT_TRUE(c.get(ctx, 1, fill));
        });
    }
    s.run();
    r.counters = c.counters();
    r.fills = db.fills;
    r.inflight_peak = db.inflight_peak;
    return r;
}

TEST(Cache, XFetchRecomputesBeforeExpirySoThatExpiryCausesNoStampede) {
    const XFetchResult plain = steady_hot_key(0);
    EXPECT_EQ(plain.early_fills, 0u);
    EXPECT_GE(plain.inflight_peak, 50);         // every get in the 100ms after an expiry fills
    EXPECT_GE(plain.counters.misses, 5 * 50u);  // at each of the five expiries in 60s

    const XFetchResult xfetch = steady_hot_key(1);
    // With gets at rate r, a fill of delta and beta 1, the chance that no get recomputes before
    // the last delta of an entry's life is exp(-r * delta * beta * e^(-1/beta)) = exp(-500/s *
    // 0.1s * 0.37) = e^-18 per expiry: every refresh lands before expiry, so no get misses and
    // no two fills ever run together.
    EXPECT_GE(xfetch.early_fills, 5u);
    EXPECT_EQ(xfetch.counters.early_recomputes, xfetch.early_fills);
    EXPECT_EQ(xfetch.inflight_peak, 1);
    EXPECT_EQ(xfetch.counters.misses, 0u);
    // It does not refresh much more often than the TTL: one recompute per entry's life.
    EXPECT_LE(xfetch.fills, 60u / 9u + 2u);
}

// ---- stale-while-revalidate --------------------------------------------------------------------

TEST(Cache, StaleWhileRevalidateServesTheStaleValueAtOnceAndRefreshesItOnce) {
    sim::Simulator s;
    Cache c(s, "c", {.ttl = 1s, .stale_while_revalidate = 5s});
    Backend db(100ms);
    std::vector<std::uint64_t> versions;
    int answered_late = 0;
    s.spawn([&](sim::Ctx& ctx) { ASSERT_TRUE(c.get(ctx, 1, db.fill(1))); });  // stored at 100ms
    for (int i = 0; i < 20; ++i) {
        s.spawn([&](sim::Ctx& ctx) {
            ctx.sleep_until(Time(2s));  // 0.9s past the TTL, inside the window
            auto v = c.get(ctx, 1, db.fill(1));
            if (ctx.now() != Time(2s)) ++answered_late;
            versions.push_back(v ? v->version : 0);
        });
    }
    std::optional<std::uint64_t> after;
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_until(Time(2200ms));
        auto v = c.get(ctx, 1, db.fill(1));
        if (v) after = v->version;
    });
    s.run();
    EXPECT_EQ(versions, std::vector<std::uint64_t>(20, 1));
    EXPECT_EQ(answered_late, 0);
    EXPECT_EQ(db.fills, 2u);  // the cold fill and one refresh
    EXPECT_EQ(c.counters().stale_served, 20u);
    EXPECT_EQ(after, 2u);
    EXPECT_EQ(c.counters().hits, 21u);
}

// A get borrows its fill: a hit or a fill in the caller's process copies nothing (a lambda with a
// large capture used to be copied into a std::function, an allocation per request). Only a
// background refresh, which outlives the get, takes a copy, and it runs after the caller's fill
// is gone.
TEST(Cache, AGetCopiesItsFillOnlyForABackgroundRefreshWhichOutlivesTheCaller) {
    struct CountedFill {
        int* copies;
        std::uint64_t value;
        std::uint64_t* calls;
        CountedFill(int* c, std::uint64_t v, std::uint64_t* n) : copies(c), value(v), calls(n) {}
        CountedFill(const CountedFill& o) : copies(o.copies), value(o.value), calls(o.calls) { ++*copies; }
        ~CountedFill() { value = 0; }  // a refresh that ran the destroyed original would store 0
        sim::Result<CacheValue> operator()(sim::Ctx& ctx) const {
            ++*calls;
            ctx.sleep_for(10ms);
            return CacheValue{value, *calls};
        }
    };
    sim::Simulator s;
    Cache c(s, "c", {.ttl = 1s, .stale_while_revalidate = 5s});
    int copies = 0;
    std::uint64_t calls = 0;
    int copies_after_miss_and_hit = -1;
    s.spawn([&](sim::Ctx& ctx) {
        {
            const CountedFill fill(&copies, 7, &calls);
            EXPECT_EQ(c.get(ctx, 1, fill)->value, 7u);  // a miss, filled here
            EXPECT_EQ(c.get(ctx, 1, fill)->value, 7u);  // a hit
            copies_after_miss_and_hit = copies;
        }
        ctx.sleep_until(Time(1500ms));  // past the TTL, inside the stale window
        {
            const CountedFill fill(&copies, 8, &calls);
            EXPECT_EQ(c.get(ctx, 1, fill)->value, 7u);  // served stale; a refresh starts
        }  // the caller's fill is destroyed before the refresh runs
        ctx.sleep_for(100ms);
    });
    s.run();
    EXPECT_EQ(copies_after_miss_and_hit, 0);
    EXPECT_EQ(copies, 1);  // the refresh's own
    EXPECT_EQ(calls, 2u);
    ASSERT_TRUE(c.peek(1).has_value());
    EXPECT_EQ(c.peek(1)->value, 8u);
}

// ---- warm-up rate limit -------------------------------------------------------------------------

TEST(Cache, TheWarmUpLimitKeepsFillsInAnySecondUnderTheRatePlusTheBurst) {
    sim::Simulator s;
    Cache c(s, "c", {.warmup_fills_per_second = 100, .warmup_burst = 10});
    Backend db(10ms);
    for (CacheKey k = 0; k < 100; ++k) c.put(k, {k});
    s.at(Time(1s), [&] { c.flush(); });
    int overloaded = 0;
    for (int i = 0; i < 10'000; ++i) {  // 2000 gets a second for 5s after the flush, each of a new key
        s.spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_until(Time(1s) + i * 500us);
            auto v = c.get(ctx, static_cast<CacheKey>(i), db.fill(i));
            if (!v && v.error() == sim::Errc::overloaded) ++overloaded;
        });
    }
    s.run();
    const std::vector<Time>& starts = db.fill_starts;
    std::size_t worst = 0;
    for (std::size_t i = 0, j = 0; i < starts.size(); ++i) {  // fills in [starts[i], starts[i] + 1s)
        while (j < starts.size() && starts[j] < starts[i] + 1s) ++j;
        worst = std::max(worst, j - i);
    }
    EXPECT_LE(worst, 110u);
    EXPECT_GE(worst, 100u);  // and the limiter is not stricter than its rate
    EXPECT_GE(starts.size(), 490u);
    EXPECT_LE(starts.size(), 510u);
    EXPECT_EQ(static_cast<std::uint64_t>(overloaded), c.counters().warmup_rejects);
    EXPECT_EQ(c.counters().fills + c.counters().warmup_rejects, c.counters().misses);
}

// ---- determinism ---------------------------------------------------------------------------------

struct RunSummary {
    std::uint64_t hash;
    Cache::Counters counters;
};

// Every mitigation at once, a Zipf workload, a full flush at 5s and a partial one at 8s.
RunSummary mixed_run(std::uint64_t seed) {
    sim::Options options;
    options.seed = seed;
    sim::Simulator s(options);
    Cache c(s, "c",
            {.entries_max = 500,
             .ttl = 2s,
             .coalesce = true,
             .lease = 200ms,
             .xfetch_beta = 1,
             .stale_while_revalidate = 500ms,
             .warmup_fills_per_second = 400,
             .warmup_burst = 40});
    const sim::Zipf zipf(2000, 0.99);
    for (int i = 0; i < 20; ++i) {
        s.spawn([&, i](sim::Ctx& ctx) {
            sim::Rng rng = s.rng("client/" + std::to_string(i));
            while (ctx.now() < Time(10s)) {
                ctx.sleep_for(rng.exponential(Duration(5ms)));
                const CacheKey key = zipf(rng);
                (void)c.get(ctx, key, [key](sim::Ctx& fctx) -> sim::Result<CacheValue> {
                    fctx.sleep_for(fctx.rng().exponential(Duration(20ms)));
                    return CacheValue{key, 1};
                });
            }
        });
    }
    s.at(Time(5s), [&] { c.flush(); });
    s.at(Time(8s), [&] {
        sim::Rng rng = s.rng("flush");
        c.flush_ratio({1, 2}, rng);
    });
    s.run();
    return {s.trace_hash(), c.counters()};
}

TEST(Cache, TheSameSeedGivesTheSameTraceHash) {
    const RunSummary a = mixed_run(42);
    const RunSummary b = mixed_run(42);
    EXPECT_EQ(a.hash, b.hash);
    EXPECT_EQ(a.counters.fills, b.counters.fills);
    EXPECT_GT(a.counters.fills, 100u);
    EXPECT_GT(a.counters.hits, a.counters.misses);
    EXPECT_NE(mixed_run(43).hash, a.hash);
}

// ---- RapidCheck state machine --------------------------------------------------------------------

// The reference: a map with expiry times and a use counter for recency. An expired entry keeps
// its slot until a get finds it or it is evicted (expiry is lazy), as documented.
constexpr std::size_t rc_entries_max = 3;
constexpr Duration rc_ttl = 2s;
constexpr CacheKey rc_keys = 6;

struct RefEntry {
    CacheValue value;
    Time expires;
    std::uint64_t used;
};

struct Ref {
    std::map<CacheKey, RefEntry> entries;
    Time now{};
    std::uint64_t uses = 0;
    Cache::Counters counters;

    void store(CacheKey key, CacheValue value) {
        auto it = entries.find(key);
        if (it != entries.end()) {
            if (now >= it->second.expires) ++counters.expirations;
        } else if (entries.size() >= rc_entries_max) {
            auto lru = std::min_element(entries.begin(), entries.end(),
                                        [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
            entries.erase(lru);
            ++counters.evictions;
        }
        entries[key] = RefEntry{value, now + rc_ttl, ++uses};
    }
};

// The cache under test, driven through processes of its own simulator.
struct Sut {
    sim::Simulator sim;
    Cache cache{sim, "rc", {.entries_max = rc_entries_max, .ttl = rc_ttl}};
    std::uint64_t fills = 0;

    template <class F>
    void in_process(F f, Duration run_for = Duration::zero()) {
        bool done = false;
        sim.spawn([&](sim::Ctx& ctx) {
            f(ctx);
            done = true;
        });
        sim.run_until(sim.now() + run_for);
        RC_ASSERT(done);
    }
};

void check_matches(const Ref& ref, const Sut& sut) {
    RC_ASSERT(sut.sim.now() == ref.now);
    RC_ASSERT(sut.cache.size() == ref.entries.size());
    for (CacheKey k = 0; k < rc_keys; ++k) {
        auto it = ref.entries.find(k);
        const bool fresh = it != ref.entries.end() && ref.now < it->second.expires;
        const std::optional<CacheValue> got = sut.cache.peek(k);
        RC_ASSERT(got.has_value() == fresh);
        if (fresh) RC_ASSERT(*got == it->second.value);
    }
    const Cache::Counters& got = sut.cache.counters();
    RC_ASSERT(got.gets == ref.counters.gets);
    RC_ASSERT(got.hits == ref.counters.hits);
    RC_ASSERT(got.misses == ref.counters.misses);
    RC_ASSERT(got.fills == ref.counters.fills);
    RC_ASSERT(got.evictions == ref.counters.evictions);
    RC_ASSERT(got.expirations == ref.counters.expirations);
    RC_ASSERT(got.flushes == ref.counters.flushes);
}

using CacheCommand = rc::state::Command<Ref, Sut>;

struct Get : CacheCommand {
    CacheKey key = *rc::gen::inRange<CacheKey>(0, rc_keys);
    // The value the fill returns: a function of the key and of how many fills came before.
    static CacheValue filled(CacheKey key, std::uint64_t n) { return {key * 1000 + n, n}; }
    void apply(Ref& ref) const override {
        ++ref.counters.gets;
        auto it = ref.entries.find(key);
        if (it != ref.entries.end() && ref.now < it->second.expires) {
            ++ref.counters.hits;
            it->second.used = ++ref.uses;
            return;
        }
        if (it != ref.entries.end()) {
            ref.entries.erase(it);
            ++ref.counters.expirations;
        }
        ++ref.counters.misses;
        ++ref.counters.fills;
        ref.store(key, filled(key, ref.counters.fills));
    }
    void run(const Ref& ref, Sut& sut) const override {
        const Ref next = nextState(ref);
        std::optional<sim::Result<CacheValue>> got;
        sut.in_process([&](sim::Ctx& ctx) {
            got =
                sut.cache.get(ctx, key, [&](sim::Ctx&) -> sim::Result<CacheValue> { return filled(key, ++sut.fills); });
        });
        RC_ASSERT(got.has_value() && got->ok());
        RC_ASSERT(**got == next.entries.at(key).value);
        check_matches(next, sut);
    }
    void show(std::ostream& os) const override { os << "get(" << key << ")"; }
};

struct Put : CacheCommand {
    CacheKey key = *rc::gen::inRange<CacheKey>(0, rc_keys);
    std::uint64_t value = *rc::gen::inRange<std::uint64_t>(0, 100);
    void apply(Ref& ref) const override { ref.store(key, {value, 0}); }
    void run(const Ref& ref, Sut& sut) const override {
        sut.in_process([&](sim::Ctx&) { sut.cache.put(key, {value, 0}); });
        check_matches(nextState(ref), sut);
    }
    void show(std::ostream& os) const override { os << "put(" << key << ", " << value << ")"; }
};

struct Erase : CacheCommand {
    CacheKey key = *rc::gen::inRange<CacheKey>(0, rc_keys);
    void apply(Ref& ref) const override { ref.entries.erase(key); }
    void run(const Ref& ref, Sut& sut) const override {
        sut.in_process([&](sim::Ctx&) { sut.cache.erase(key); });
        check_matches(nextState(ref), sut);
    }
    void show(std::ostream& os) const override { os << "erase(" << key << ")"; }
};

struct Flush : CacheCommand {
    void apply(Ref& ref) const override {
        ref.entries.clear();
        ++ref.counters.flushes;
    }
    void run(const Ref& ref, Sut& sut) const override {
        sut.in_process([&](sim::Ctx&) { sut.cache.flush(); });
        check_matches(nextState(ref), sut);
    }
    void show(std::ostream& os) const override { os << "flush"; }
};

struct Advance : CacheCommand {
    // Half-second steps, so that gets land exactly on expiry instants too.
    Duration by = *rc::gen::inRange(0, 6) * 500ms;
    void apply(Ref& ref) const override { ref.now += by; }
    void run(const Ref& ref, Sut& sut) const override {
        sut.in_process([&](sim::Ctx& ctx) { ctx.sleep_for(by); }, by);
        check_matches(nextState(ref), sut);
    }
    void show(std::ostream& os) const override { os << "advance(" << sim::format_duration(by) << ")"; }
};

RC_GTEST_PROP(Cache, BehavesLikeAReferenceMapWithExpiryAndLruEviction, ()) {
    Sut sut;
    rc::state::check(Ref{}, sut, rc::state::gen::execOneOfWithArgs<Get, Put, Erase, Flush, Advance>());
}

}  // namespace
