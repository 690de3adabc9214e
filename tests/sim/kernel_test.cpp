// The kernel: virtual time, processes, callbacks, crashes, limits, invariants, coverage, buggify.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

Time at(Duration d) { return Time(d); }

TEST(Kernel, ChronoLiteralsAreVirtualDurations) {
    Duration d = 30s;
    EXPECT_EQ(d.count(), 30'000'000'000);
    EXPECT_EQ(Duration(5ms).count(), 5'000'000);
    EXPECT_EQ(sim::format_duration(1500ms), "1.5s");
    EXPECT_EQ(sim::format_time(Time(30s)), "30s");
    EXPECT_EQ(sim::format_time(Time(Duration(1))), "0.000000001s");
    EXPECT_EQ(sim::format_duration(Duration(-1500000001)), "-1.500000001s");
    // The extremes: -INT64_MIN does not fit an int64, so the magnitude is taken unsigned.
    EXPECT_EQ(sim::format_duration(Duration::min()), "-9223372036.854775808s");
    EXPECT_EQ(sim::format_duration(Duration::max()), "9223372036.854775807s");
}

TEST(Kernel, FloatingPointNanosecondsSaturateInsteadOfOverflowing) {
    // In range: a cast's truncation toward zero, exactly.
    EXPECT_EQ(sim::saturating_duration(1.9).count(), 1);
    EXPECT_EQ(sim::saturating_duration(-1.9).count(), -1);
    EXPECT_EQ(sim::saturating_duration(0x1p62).count(), std::int64_t{1} << 62);
    // Where a cast is undefined behaviour: the ends of the range, and NaN is 0.
    EXPECT_EQ(sim::saturating_duration(0x1p63), sim::duration_forever);
    EXPECT_EQ(sim::saturating_duration(1e300), sim::duration_forever);
    EXPECT_EQ(sim::saturating_duration(HUGE_VAL), sim::duration_forever);
    EXPECT_EQ(sim::saturating_duration(-1e300), -sim::duration_forever);
    EXPECT_EQ(sim::saturating_duration(std::nan("")).count(), 0);
    // 1e9 / rate for a rate of one in 1e12 seconds: past int64's nanoseconds, so never.
    EXPECT_EQ(sim::saturating_duration(1e9 / 1e-12), sim::duration_forever);

    // Delays round to the nearest nanosecond and are never negative.
    EXPECT_EQ(sim::delay_from_ns(1.4).count(), 1);
    EXPECT_EQ(sim::delay_from_ns(1.5).count(), 2);
    EXPECT_EQ(sim::delay_from_ns(-3.0).count(), 0);
    EXPECT_EQ(sim::delay_from_ns(std::nan("")).count(), 0);
    EXPECT_EQ(sim::delay_from_ns(0x1p63), sim::duration_forever);
    EXPECT_EQ(sim::delay_from_ns(0x1p63 - 1024).count(), std::numeric_limits<std::int64_t>::max() - 1023);
}

TEST(Kernel, ProcessesWakeInVirtualTimeOrder) {
    sim::Simulator s;
    std::vector<std::string> log;
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(30ms);
        log.push_back("a@" + sim::format_time(ctx.now()));
    });
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(10ms);
        log.push_back("b@" + sim::format_time(ctx.now()));
        ctx.sleep_for(40ms);
        log.push_back("b@" + sim::format_time(ctx.now()));
    });
    auto r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass);
    EXPECT_EQ(log, (std::vector<std::string>{"b@0.01s", "a@0.03s", "b@0.05s"}));
    EXPECT_EQ(r.end_time, at(50ms));
}

TEST(Kernel, SameTimeEventsRunInTheOrderTheyWereScheduled) {
    sim::Simulator s;
    std::vector<int> order;
    for (int i = 0; i < 10; ++i) s.at(at(5ms), [&order, i] { order.push_back(i); });
    s.run();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(Kernel, ShuffledTiesExploreOtherOrdersButRepeatForTheSameSeed) {
    auto order_for = [](std::uint64_t seed) {
        sim::Options o;
        o.seed = seed;
        o.shuffle_ties = true;
        sim::Simulator s(o);
        std::vector<int> order;
        for (int i = 0; i < 10; ++i) s.at(at(5ms), [&order, i] { order.push_back(i); });
        s.run();
        return order;
    };
    EXPECT_EQ(order_for(1), order_for(1));
    bool some_differs = false;
    std::vector<int> fifo{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    for (std::uint64_t seed = 1; seed <= 5; ++seed) some_differs |= order_for(seed) != fifo;
    EXPECT_TRUE(some_differs);
}

TEST(Kernel, CancelledCallbacksNeverRun) {
    sim::Simulator s;
    int ran = 0;
    auto a = s.at(at(1s), [&] { ran += 1; });
    s.at(at(2s), [&] { ran += 10; });
    auto c = s.at(at(3s), [&] { ran += 100; });
    EXPECT_TRUE(s.cancel(a));
    EXPECT_FALSE(s.cancel(a));  // twice: no effect
    s.at(at(2500ms), [&] { EXPECT_TRUE(s.cancel(c)); });
    s.run();
    EXPECT_EQ(ran, 10);
}

// Callbacks are built in the kernel's slot from any callable: move-only captures, captures too
// large for the slot's inline buffer (kept on the heap), a copied lvalue, a UniqueFunction, a plain
// function. Each capture is destroyed exactly once, whether its callback ran or was cancelled.
int plain_function_runs = 0;
void plain_function() { ++plain_function_runs; }

TEST(Kernel, AnyCallableIsScheduledAndItsCapturesAreDestroyedOnce) {
    struct Counted {
        int* destroyed;
        bool moved_from = false;
        explicit Counted(int* d) : destroyed(d) {}
        Counted(Counted&& o) noexcept : destroyed(o.destroyed) { o.moved_from = true; }
        ~Counted() {
            if (!moved_from) ++*destroyed;
        }
    };
    int destroyed = 0;
    std::vector<int> ran;
    {
        sim::Simulator s;
        s.at(at(1s), [c = Counted(&destroyed), p = std::make_unique<int>(1), &ran] { ran.push_back(*p); });
        std::array<std::uint64_t, 16> big{};  // 128 bytes: more than the inline buffer
        big[15] = 2;
        s.deliver_at(at(2s), [c = Counted(&destroyed), big, &ran] { ran.push_back(static_cast<int>(big[15])); });
        auto copied = [&ran] { ran.push_back(3); };
        s.after(3s, copied);
        s.post(sim::UniqueFunction<void()>([c = Counted(&destroyed), &ran] { ran.push_back(0); }));
        s.at(at(4s), &plain_function);
        auto never = s.at(at(5s), [c = Counted(&destroyed), big, &ran] { ran.push_back(static_cast<int>(big[0]) + 99); });
        EXPECT_TRUE(s.cancel(never));
        EXPECT_EQ(destroyed, 1);  // the cancelled one's capture, at once
        s.run();
        EXPECT_EQ(destroyed, 4);  // and each of the others after it ran
    }
    EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(plain_function_runs, 1);
    EXPECT_EQ(destroyed, 4);
}

TEST(Kernel, ACallbackCannotCancelItselfWhileRunning) {
    sim::Simulator s;
    sim::TimerId self{};
    bool cancelled = true;
    self = s.at(at(1s), [&] { cancelled = s.cancel(self); });
    s.run();
    EXPECT_FALSE(cancelled);
}

// The usual "re-arm a timeout" pattern starts from a TimerId{} that names nothing. It used to be
// {slot 0, gen 0}, the very first callback scheduled: cancelling it cancelled that callback (in a
// tester's model, the metrics sampler, and every series vanished).
TEST(Kernel, CancellingADefaultTimerIdCancelsNothing) {
    sim::Simulator s;
    int first_ran = 0;
    int timeouts = 0;
    s.at(at(1s), [&] { ++first_ran; });  // slot 0
    sim::TimerId timeout{};
    EXPECT_FALSE(s.cancel(timeout));
    timeout = s.after(3s, [&] { ++timeouts; });
    EXPECT_FALSE(s.cancel(sim::TimerId{}));
    s.run();
    EXPECT_EQ(first_ran, 1);
    EXPECT_EQ(timeouts, 1);
    EXPECT_FALSE(s.cancel(timeout));  // it ran: nothing left to cancel

    // Nor after the first slot has been reused many times over.
    sim::Simulator t;
    int ran = 0;
    for (int i = 0; i < 1000; ++i) t.after(Duration(i), [&] { ++ran; });
    t.run();
    const sim::TimerId reused = t.after(1s, [&] { ++ran; });
    EXPECT_FALSE(t.cancel(sim::TimerId{}));
    t.run();
    EXPECT_EQ(ran, 1001);
    EXPECT_FALSE(t.cancel(reused));
}
TEST(Kernel, SameSeedGivesTheSameTraceHash) {
    auto run = [](std::uint64_t seed) {
        sim::Options o;
        o.seed = seed;
        sim::Simulator s(o);
        for (int i = 0; i < 20; ++i) {
            s.add_host("h" + std::to_string(i)).spawn([](sim::Ctx& ctx) {
                for (int k = 0; k < 20; ++k) {
                    ctx.sleep_for(ctx.rng().exponential(Duration(1ms)));
                    ctx.trace("tick", {{"k", k}});
                }
            });
        }
        return s.run().trace_hash;
    };
    EXPECT_EQ(run(7), run(7));
    EXPECT_NE(run(7), run(8));
}

TEST(Kernel, TraceHashSeesFieldValues) {
    auto run = [](int value) {
        sim::Simulator s;
        s.spawn([value](sim::Ctx& ctx) { ctx.trace("x", {{"v", value}}); });
        return s.run().trace_hash;
    };
    EXPECT_EQ(run(1), run(1));
    EXPECT_NE(run(1), run(2));
}

// A guard whose destructor records that it ran: proof that a killed stack unwound.
struct Guard {
    int* destroyed;
    ~Guard() { ++*destroyed; }
};

TEST(Kernel, CrashingAHostUnwindsEveryFiberOnIt) {
    sim::Simulator s;
    sim::Host& db = s.add_host("db");
    sim::Host& other = s.add_host("other");
    int destroyed = 0;
    int finished = 0;
    for (int i = 0; i < 5; ++i) {
        db.spawn([&](sim::Ctx& ctx) {
            Guard g{&destroyed};
            ctx.sleep_for(1h);
            ++finished;
        });
    }
    other.spawn([&](sim::Ctx& ctx) {
        Guard g{&destroyed};
        ctx.sleep_for(2s);
        ++finished;
    });
    s.at(at(1s), [&] { db.crash(); });
    auto r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass);
    EXPECT_EQ(destroyed, 6);
    EXPECT_EQ(finished, 1);
    EXPECT_FALSE(db.alive());
    EXPECT_EQ(db.process_count(), 0u);
    EXPECT_EQ(s.processes_alive(), 0u);
}

TEST(Kernel, AProcessThatCrashesItsOwnHostStopsThereAndTheHostGoesDown) {
    sim::Simulator s;
    sim::Host& h = s.add_host("h");
    int destroyed = 0;
    bool after_crash_ran = false;
    bool after_wait_ran = false;
    h.spawn([&](sim::Ctx& ctx) {
        Guard g{&destroyed};
        ctx.host().crash();
        after_crash_ran = true;  // never: the crash unwinds the caller from the call
        ctx.sleep_for(1s);
        after_wait_ran = true;
    });
    s.run();
    EXPECT_FALSE(after_crash_ran);
    EXPECT_FALSE(after_wait_ran);
    EXPECT_EQ(destroyed, 1);
    EXPECT_FALSE(h.alive());
}

TEST(Kernel, KillingAProcessFromAnotherUnwindsIt) {
    sim::Simulator s;
    int destroyed = 0;
    auto victim = s.spawn([&](sim::Ctx& ctx) {
        Guard g{&destroyed};
        ctx.sleep_for(1h);
    });
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(1s);
        EXPECT_TRUE(victim.running());
        victim.kill();
        EXPECT_FALSE(victim.running());
        EXPECT_EQ(destroyed, 1);
    });
    s.run();
    EXPECT_EQ(destroyed, 1);
}

TEST(Kernel, ShutdownUnwindsWhatIsStillSuspended) {
    int destroyed = 0;
    {
        sim::Options o;
        o.duration = 1s;
        sim::Simulator s(o);
        for (int i = 0; i < 3; ++i) {
            s.spawn([&](sim::Ctx& ctx) {
                Guard g{&destroyed};
                ctx.sleep_for(1h);
            });
        }
        EXPECT_EQ(s.run().verdict, sim::Verdict::pass);
        EXPECT_EQ(destroyed, 0);  // frozen at the end of the run, for inspection
    }
    EXPECT_EQ(destroyed, 3);
}

TEST(Kernel, JoinWaitsForTheEndOfAProcess) {
    sim::Simulator s;
    Time joined{};
    s.spawn([&](sim::Ctx& ctx) {
        auto child = ctx.spawn([](sim::Ctx& c) { c.sleep_for(3s); });
        EXPECT_FALSE(child.join(ctx, 1s));  // times out
        EXPECT_TRUE(child.join(ctx));
        joined = ctx.now();
    });
    s.run();
    EXPECT_EQ(joined, at(3s));
}

TEST(Kernel, ProcessSlotsAreReusedAndStaleReferencesSeeThemFinished) {
    sim::Simulator s;
    sim::ProcessRef first = s.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1ms); });
    s.run_until(at(2ms));
    EXPECT_FALSE(first.running());
    sim::ProcessRef second = s.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1s); });
    EXPECT_FALSE(first.running());  // same slot, newer serial
    EXPECT_TRUE(second.running());
    first.kill();  // no effect on the new occupant
    EXPECT_TRUE(second.running());
}

TEST(Kernel, ManyProcessesCanBeSpawnedAndFinish) {
    sim::Simulator s;
    std::uint64_t done = 0;
    s.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 20000; ++i) {
            ctx.spawn([&done](sim::Ctx& c) {
                c.sleep_for(Duration(c.id() % 7));
                ++done;
            });
        }
    });
    s.run();
    EXPECT_EQ(done, 20000u);
    EXPECT_EQ(s.processes_alive(), 0u);
}

TEST(Kernel, RunawayOnTheVirtualTimeLimit) {
    sim::Options o;
    o.time_max = 10s;
    sim::Simulator s(o);
    s.spawn([](sim::Ctx& ctx) {
        for (;;) ctx.sleep_for(1s);
    });
    auto r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::runaway);
    EXPECT_EQ(r.runaway_reason, "virtual time limit reached (time_max 10s)");  // as durations are written elsewhere
    EXPECT_EQ(r.end_time, at(10s));
}

// A tester's finding: a run planned for 48h was a runaway at 24h, the default time_max's. A limit
// left at its default follows a longer planned duration; one set below the duration still ends
// the run there as a runaway, and says that it came before the planned end.
TEST(Kernel, ADefaultTimeLimitFollowsALongerPlannedDuration) {
    const auto hourly = [](sim::Ctx& ctx) {
        for (;;) ctx.sleep_for(1h);
    };
    sim::Simulator planned({.seed = 1, .duration = 48h});
    EXPECT_EQ(planned.options().time_max, Duration(48h));
    planned.add_host("h").spawn(hourly);
    const sim::RunResult r = planned.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass) << r.runaway_reason;
    EXPECT_EQ(r.end_time, at(48h));

    sim::Simulator limited({.seed = 1, .duration = 48h, .time_max = 90min});
    limited.add_host("h").spawn(hourly);
    const sim::RunResult cut = limited.run();
    EXPECT_EQ(cut.verdict, sim::Verdict::runaway);
    EXPECT_EQ(cut.runaway_reason, "virtual time limit reached (time_max 90m, before the planned duration 48h)");
    EXPECT_EQ(cut.end_time, at(90min));

    // A shorter planned run keeps the default: the limit is never reached before the duration.
    sim::Simulator short_run({.seed = 1, .duration = 2h});
    EXPECT_EQ(short_run.options().time_max, sim::Options::time_max_default);
    // Options say so before a simulator is made (the run command checks a --perfetto-window
    // against the end before it runs).
    EXPECT_EQ((sim::Options{.seed = 1, .duration = 48h}.effective_time_max()), Duration(48h));
    EXPECT_EQ((sim::Options{.seed = 1, .duration = 48h, .time_max = 90min}.effective_time_max()), Duration(90min));
    EXPECT_EQ((sim::Options{.seed = 1}.effective_time_max()), sim::Options::time_max_default);
}

// A tester's finding: a run with a planned duration whose processes all block for ever (each
// receiving from the other's channel) ended at 0ns, verdict pass, without a word. Nothing can
// happen any more, so the clock goes on to the planned end; the result says when the world went
// still and how many processes were blocked. An eventually that never held still fails, and a run
// without a planned duration still ends where it drained. No trace record is added.
TEST(Kernel, ARunWhoseEventsRunOutBeforeItsDurationSaysSoAndEndsAtTheDuration) {
    const auto deadlock = [](sim::Simulator& s) {
        auto a = std::make_shared<sim::Channel<int>>(), b = std::make_shared<sim::Channel<int>>();
        s.add_host("a").spawn([=](sim::Ctx& ctx) { b->recv(ctx); });
        s.add_host("b").spawn([=](sim::Ctx& ctx) {
            ctx.sleep_for(1s);
            a->recv(ctx);
        });
    };
    sim::Simulator planned({.seed = 1, .duration = 5s});
    deadlock(planned);
    const sim::RunResult r = planned.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass);
    EXPECT_EQ(r.end_time, at(5s));
    EXPECT_EQ(planned.now(), at(5s));
    ASSERT_TRUE(r.drained_at.has_value());
    EXPECT_EQ(*r.drained_at, at(1s));
    EXPECT_EQ(r.blocked_forever, 2u);

    sim::Simulator unplanned({.seed = 1});
    deadlock(unplanned);
    const sim::RunResult u = unplanned.run();
    EXPECT_EQ(u.end_time, at(1s));
    EXPECT_EQ(u.drained_at, std::optional<Time>(at(1s)));
    EXPECT_EQ(u.blocked_forever, 2u);
    EXPECT_EQ(u.trace_hash, r.trace_hash);  // the same events: the wait adds none

    // The clock stops at a time_max set before the duration, and an idle world is no runaway.
    sim::Simulator limited({.seed = 1, .duration = 5s, .time_max = 3s});
    deadlock(limited);
    const sim::RunResult l = limited.run();
    EXPECT_EQ(l.verdict, sim::Verdict::pass) << l.runaway_reason;
    EXPECT_EQ(l.end_time, at(3s));

    // An eventually whose deadline is past the duration fails at the end, as before.
    sim::Simulator waiting({.seed = 1, .duration = 5s});
    deadlock(waiting);
    waiting.eventually("never", at(10s), [] { return false; });
    const sim::RunResult w = waiting.run();
    EXPECT_EQ(w.verdict, sim::Verdict::fail);
    ASSERT_TRUE(w.failure.has_value());
    EXPECT_EQ(w.failure->message, "the run ended at 5s before it held (deadline 10s)");

    // A run that reaches its duration with work still scheduled did not drain.
    sim::Simulator busy({.seed = 1, .duration = 5s});
    busy.spawn([](sim::Ctx& ctx) {
        for (;;) ctx.sleep_for(1s);
    });
    const sim::RunResult b = busy.run();
    EXPECT_FALSE(b.drained_at.has_value());
    EXPECT_EQ(b.blocked_forever, 0u);
    for (sim::Simulator* s : {&planned, &unplanned, &limited, &waiting, &busy}) s->shutdown();
}

// A process asleep for ever waits for something that never comes: without a planned duration
// the run has drained when only such sleepers are left (it said "virtual time limit reached").
TEST(Kernel, SleepersUntilTimeNeverLeaveTheRunDrainedNotRunaway) {
    for (const bool time_max_forever : {false, true}) {
        sim::Options o;
        if (time_max_forever) o.time_max = sim::duration_forever;
        sim::Simulator s(o);
        bool woke = false;
        s.spawn([&](sim::Ctx& ctx) {
            ctx.sleep_for(1s);
            ctx.sleep_for(sim::duration_forever);
            woke = true;
        });
        s.at(sim::time_never, [&] { woke = true; });
        auto r = s.run();
        EXPECT_EQ(r.verdict, sim::Verdict::pass) << r.runaway_reason;
        EXPECT_EQ(r.end_time, at(1s));
        EXPECT_FALSE(woke);
        s.shutdown();
    }
}

TEST(Kernel, RunawayOnTheEventLimitEvenWithoutVirtualTimePassing) {
    sim::Options o;
    o.events_max = 1000;
    sim::Simulator s(o);
    s.spawn([](sim::Ctx& ctx) {
        for (;;) ctx.yield();  // a livelock at one instant
    });
    auto r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::runaway);
    EXPECT_EQ(r.events, 1000u);
    EXPECT_NE(r.runaway_reason.find("event"), std::string::npos);
}

// A loop that never waits ends when virtual time has stood still for events_per_instant_max
// events in a row, long before events_max; time that moves, however slowly, resets the count.
TEST(Kernel, RunawayWhenVirtualTimeStandsStill) {
    sim::Options o;
    o.events_per_instant_max = 500;
    sim::Simulator s(o);
    s.spawn([](sim::Ctx& ctx) {
        ctx.sleep_for(3s);
        for (;;) ctx.yield();  // a livelock at 3s
    });
    const auto r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::runaway);
    EXPECT_LT(r.events, 600u);
    EXPECT_EQ(s.now(), sim::Time(3s));
    EXPECT_NE(r.runaway_reason.find("virtual time stood still (500 events in a row at 3s"), std::string::npos) << r.runaway_reason;

    sim::Simulator slow(o);
    slow.spawn([](sim::Ctx& ctx) {
        for (int i = 0; i < 2000; ++i) {
            for (int k = 0; k < 400; ++k) ctx.yield();  // 400 at each instant: under the limit
            ctx.sleep_for(1ns);
        }
    });
    const auto ok = slow.run();
    EXPECT_EQ(ok.verdict, sim::Verdict::pass) << ok.runaway_reason;
    EXPECT_GT(ok.events, 800'000u);
    slow.shutdown();
    s.shutdown();
}

// Processes that wake each other at one instant, with no event from the queue between (a
// ping-pong over channels with no delay), are a loop that never waits too: they end at
// events_per_instant_max as well, not at events_max.
TEST(Kernel, RunawayWhenProcessesWakeEachOtherAtOneInstant) {
    // Two processes that hand an item back and forth from `start` on, never waiting for time.
    auto ping_pong = [](sim::Simulator& s, sim::Duration start) {
        auto ping = std::make_shared<sim::Channel<int>>(), pong = std::make_shared<sim::Channel<int>>();
        s.spawn([=](sim::Ctx& ctx) {
            ctx.sleep_for(start);
            for (;;) {
                ping->send(ctx, 1);
                pong->recv(ctx);
            }
        });
        s.spawn([=](sim::Ctx& ctx) {
            for (;;) {
                ping->recv(ctx);
                pong->send(ctx, 1);
            }
        });
    };
    sim::Options o;
    o.events_per_instant_max = 500;
    o.events_max = 1'000'000;
    sim::Simulator s(o);
    ping_pong(s, 2s);
    const auto r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::runaway);
    EXPECT_LT(r.events, 600u);
    EXPECT_EQ(s.now(), sim::Time(2s));
    EXPECT_NE(r.runaway_reason.find("virtual time stood still (500 events in a row at 2s"), std::string::npos) << r.runaway_reason;
    // The event limit still ends a run first when it comes first.
    o.events_max = 300;
    sim::Simulator first(o);
    ping_pong(first, 0s);
    const auto limited = first.run();
    EXPECT_EQ(limited.events, 300u);
    EXPECT_NE(limited.runaway_reason.find("event limit reached"), std::string::npos) << limited.runaway_reason;
    first.shutdown();
    s.shutdown();
}

// A flag set from outside the run (Ctrl-C's handler) ends it at the next instant of virtual
// time with the verdict "interrupted": the events so far, their hash. Never set, it changes
// nothing.
TEST(Kernel, AnInterruptFlagEndsTheRunAtTheNextInstantAndChangesNothingUnset) {
    auto world = [](sim::Simulator& s, volatile std::sig_atomic_t* flag) {
        s.spawn([&s, flag](sim::Ctx& ctx) {
            sim::Rng rng = s.rng("ticker");
            for (int i = 0;; ++i) {
                ctx.sleep_for(sim::Duration(1 + static_cast<std::int64_t>(rng.uniform_u64(1000))));
                if (flag != nullptr && i == 500) *flag = 1;  // as a signal handler would, mid-run
            }
        });
        s.spawn([](sim::Ctx& ctx) {
            for (;;) ctx.sleep_for(7us);
        });
    };
    sim::Options o;
    o.duration = 1s;
    sim::Simulator plain(o);
    world(plain, nullptr);
    const sim::RunResult whole = plain.run();
    volatile std::sig_atomic_t never = 0;
    sim::Simulator unset(o);
    unset.set_interrupt(&never);
    world(unset, nullptr);
    const sim::RunResult same = unset.run();
    EXPECT_EQ(same.verdict, sim::Verdict::pass);
    EXPECT_EQ(same.trace_hash, whole.trace_hash);
    EXPECT_EQ(same.events, whole.events);

    volatile std::sig_atomic_t flag = 0;
    sim::Simulator stopped(o);
    stopped.set_interrupt(&flag);
    world(stopped, &flag);
    const sim::RunResult r = stopped.run();
    EXPECT_EQ(r.verdict, sim::Verdict::interrupted);
    EXPECT_EQ(sim::to_string(r.verdict), "interrupted");
    EXPECT_FALSE(r.failure);
    EXPECT_LT(r.events, whole.events / 10);  // the ticker set it after 500 of its sleeps
    EXPECT_GT(r.events, 500u);
    EXPECT_LT(r.end_time, sim::Time(1s));
    EXPECT_EQ(stopped.now(), r.end_time);
    EXPECT_NE(r.trace_hash, whole.trace_hash);  // the hash of the events that ran
    // The same run, limited to the events the interrupted one ran, hashes alike.
    sim::Options limited_options;
    limited_options.duration = 1s;
    limited_options.events_max = r.events;
    sim::Simulator limited(limited_options);
    world(limited, nullptr);
    const sim::RunResult l = limited.run();
    EXPECT_EQ(l.events, r.events);
    EXPECT_EQ(l.trace_hash, r.trace_hash);
    stopped.shutdown();
    unset.shutdown();
    plain.shutdown();
    limited.shutdown();
}

TEST(Kernel, APlannedDurationEndsTheRunNormally) {
    sim::Options o;
    o.duration = 5s;
    sim::Simulator s(o);
    s.spawn([](sim::Ctx& ctx) {
        for (;;) ctx.sleep_for(1s);
    });
    auto r = s.run();
    EXPECT_EQ(r.verdict, sim::Verdict::pass);
    EXPECT_EQ(r.end_time, at(5s));
}

TEST(Kernel, AnAlwaysInvariantFailsTheRunAtTheFirstViolation) {
    sim::Simulator s;
    int counter = 0;
    s.always("counter below 3", [&] { return counter < 3; });
    s.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 10; ++i) {
            ctx.sleep_for(1s);
            ++counter;
        }
    });
    auto r = s.run();
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_EQ(r.failure->kind, "invariant");
    EXPECT_EQ(r.failure->name, "counter below 3");
    EXPECT_EQ(r.failure->time, at(3s));
    EXPECT_EQ(counter, 3);  // stopped there
}

TEST(Kernel, EventuallyPassesWhenItHoldsBeforeItsDeadline) {
    sim::Simulator s;
    bool up = false;
    s.eventually("comes up", at(10s), [&] { return up; });
    s.at(at(4s), [&] { up = true; });
    s.at(at(6s), [&] { up = false; });  // once is enough
    EXPECT_EQ(s.run().verdict, sim::Verdict::pass);
}

TEST(Kernel, EventuallyFailsAtItsDeadline) {
    sim::Simulator s;
    bool up = false;
    s.eventually("comes up", at(10s), [&] { return up; });
    s.at(at(12s), [&] { up = true; });
    auto r = s.run();
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_EQ(r.failure->kind, "eventually");
    EXPECT_EQ(r.failure->time, at(10s));
}

void reach_a_mark(bool really) {
    if (really) SIM_COVER("kernel test: mark reached");
}

TEST(Kernel, ARequiredCoverageMarkNeverReachedFailsTheRun) {
    for (bool reach : {false, true}) {
        sim::Simulator s;
        s.require_coverage("kernel test: mark reached");
        s.spawn([reach](sim::Ctx&) { reach_a_mark(reach); });
        auto r = s.run();
        if (reach) {
            EXPECT_EQ(r.verdict, sim::Verdict::pass);
            EXPECT_EQ(s.coverage_count("kernel test: mark reached"), 1u);
        } else {
            ASSERT_EQ(r.verdict, sim::Verdict::fail);
            EXPECT_EQ(r.failure->kind, "coverage");
        }
    }
}

TEST(Kernel, AFailedAssertionInAProcessFailsTheRunWithItsPlace) {
    sim::Options o;
    o.repro = "faultline run test --seed 1";
    sim::Simulator s(o);
    sim::Host& h = s.add_host("db-1");
    bool after = false;
    h.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(2s);
        int connections = 65;
        SIM_ASSERT(connections <= 64, "connection limit exceeded");
        after = true;
    });
    auto r = s.run();
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_FALSE(after);
    EXPECT_EQ(r.failure->kind, "assertion");
    EXPECT_EQ(r.failure->name, "connections <= 64");
    EXPECT_EQ(r.failure->message, "connection limit exceeded");
    EXPECT_EQ(r.failure->host, "db-1");
    EXPECT_EQ(r.failure->time, at(2s));
    EXPECT_NE(r.failure->where.find("kernel_test.cpp"), std::string::npos);
}

TEST(Kernel, AnExceptionEscapingAProcessFailsTheRun) {
    sim::Simulator s;
    s.spawn([](sim::Ctx&) { throw std::runtime_error("boom"); });
    auto r = s.run();
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_EQ(r.failure->kind, "exception");
    EXPECT_NE(r.failure->message.find("boom"), std::string::npos);
}

// Exceptions and kills unwind fiber stacks. Under AddressSanitizer (docs/HACKING.md,
// "Sanitizers") the kernel tells ASan of every fiber switch; without that, the first exception
// thrown in a process after it had waited, or a kill of a waiting process, was reported as a
// stack-buffer-underflow and the test program stopped there. In other builds this checks that
// each of them still ends as it should.
TEST(Kernel, ExceptionsAndKillsUnwindFiberStacksCleanly) {
    // A process that waits, then throws; another catches its own exception and goes on.
    sim::Simulator s;
    int caught = 0;
    s.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 3; ++i) {
            ctx.sleep_for(100ms);
            try {
                throw std::runtime_error("caught");
            } catch (const std::runtime_error&) {
                ++caught;
            }
        }
    });
    s.spawn([](sim::Ctx& ctx) {
        ctx.sleep_for(1s);
        throw std::runtime_error("boom");
    });
    const sim::RunResult r = s.run();
    EXPECT_EQ(caught, 3);
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_NE(r.failure->message.find("boom"), std::string::npos);

    // Processes killed while they wait: by a host crash (from a callback), by another process,
    // and by a process that kills one more as it unwinds. Then the stacks are reused.
    sim::Simulator t;
    sim::Host& h = t.add_host("h");
    int unwound = 0;
    struct Count {
        int& n;
        ~Count() { ++n; }
    };
    sim::Channel<int> never;
    sim::ProcessRef inner = h.spawn([&](sim::Ctx& ctx) {
        Count c{unwound};
        (void)never.recv(ctx);
    });
    struct KillOnUnwind {
        sim::ProcessRef p;
        ~KillOnUnwind() { p.kill(); }
    };
    sim::ProcessRef outer = t.spawn([&](sim::Ctx& ctx) {
        Count c{unwound};
        KillOnUnwind k{inner};
        ctx.sleep_for(1h);
    });
    t.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(1s);
        outer.kill();  // from this process's stack: outer unwinds, and kills inner on its way
    });
    t.at(Time(2s), [&] {
        h.spawn([&](sim::Ctx& ctx) {
            Count c{unwound};
            ctx.sleep_for(1h);
        });
    });
    t.at(Time(3s), [&] { h.crash(); });
    int after = 0;
    t.at(Time(4s), [&] {
        for (int i = 0; i < 4; ++i)
            t.spawn([&](sim::Ctx& ctx) {
                ctx.sleep_for(1ms);
                ++after;
            });
    });
    const sim::RunResult u = t.run();
    EXPECT_EQ(u.verdict, sim::Verdict::pass);
    EXPECT_EQ(unwound, 3);
    EXPECT_EQ(after, 4);
}

TEST(KernelDeathTest, SwallowingTheForcedUnwindIsCaughtLoudly) {
    EXPECT_DEATH(
        {
            sim::Simulator s;
            sim::Host& h = s.add_host("h");
            h.spawn([](sim::Ctx& ctx) {
                try {
                    ctx.sleep_for(1h);
                } catch (...) {  // the mistake under test: no rethrow
                }
            });
            s.at(Time(1s), [&] { h.crash(); });
            s.run();
        },
        "forced_unwind");
}

// The same mistake in a worker's loop: every wait returns at once while the process is killed,
// so the loop would spin for good with no event to end it. Sleeps, computes and yields count
// those returns as waits on a list do, and abort with the diagnosis.
TEST(KernelDeathTest, SwallowingTheKillInALoopIsCaughtLoudly) {
    const std::vector<std::function<void(sim::Ctx&)>> waits{
        [](sim::Ctx& ctx) { ctx.sleep_for(100ms); },
        [](sim::Ctx& ctx) { ctx.compute(1ms); },
        [](sim::Ctx& ctx) { ctx.yield(); },
    };
    for (const auto& wait : waits) {
        EXPECT_DEATH(
            {
                sim::Simulator s;
                sim::Host& h = s.add_host("h");
                h.spawn([&wait](sim::Ctx& ctx) {
                    for (;;) {
                        try {
                            wait(ctx);
                        } catch (...) {  // the mistake under test: no rethrow
                        }
                    }
                });
                s.at(Time(500ms), [&] { h.crash(); });
                s.run();
            },
            "keeps waiting while being killed");
    }
}

bool buggify_fired_in(std::uint64_t seed, bool enabled, int* fired) {
    sim::Options o;
    o.seed = seed;
    o.buggify = enabled;
    sim::Simulator s(o);
    s.spawn([fired](sim::Ctx& ctx) {
        for (int i = 0; i < 100; ++i) *fired += sim::buggify(ctx, {1, 2}) ? 1 : 0;
    });
    s.run();
    return *fired > 0;
}

TEST(Kernel, BuggifyIsOffUnlessEnabledAndArmedPerSiteFromTheSeed) {
    int fired = 0;
    EXPECT_FALSE(buggify_fired_in(1, false, &fired));
    // Enabled: a site is armed in some seeds and not others; armed, it fires about half the time.
    int armed_seeds = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        int n = 0;
        if (buggify_fired_in(seed, true, &n)) {
            ++armed_seeds;
            EXPECT_GT(n, 25);
            EXPECT_LT(n, 75);
        }
        int again = 0;
        buggify_fired_in(seed, true, &again);
        EXPECT_EQ(n, again);  // the same seed, the same firings
    }
    EXPECT_GT(armed_seeds, 8);
    EXPECT_LT(armed_seeds, 32);
}

TEST(Kernel, ARunCountsTheBuggifySitesItReached) {
    // Two sites (one reached 100 times) and a third never reached: 2, armed or not. A run that
    // reaches none says 0, which is how a command tells the user --buggify armed nothing.
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        sim::Options o;
        o.seed = seed;
        o.buggify = true;
        sim::Simulator s(o);
        s.spawn([](sim::Ctx& ctx) {
            for (int i = 0; i < 100; ++i) (void)sim::buggify(ctx);
            (void)sim::buggify(ctx);
            if (ctx.now() < sim::Time{}) (void)sim::buggify(ctx);
        });
        EXPECT_EQ(s.run().buggify_sites, 2u);
    }
    sim::Options o;
    o.buggify = true;
    sim::Simulator s(o);
    s.spawn([](sim::Ctx& ctx) { ctx.sleep_for(sim::Duration(5)); });
    EXPECT_EQ(s.run().buggify_sites, 0u);
}

// A negative planned duration or time limit used to "pass" with nothing run and the clock set
// back (end_time -5s). Refused where the options are given, as a negative sleep is.
TEST(KernelDeathTest, ANegativeDurationOrTimeLimitIsRefused) {
    EXPECT_DEATH(sim::Simulator(sim::Options{.duration = -5s}), "assertion failed: .*negative Options::duration -5s");
    EXPECT_DEATH(sim::Simulator(sim::Options{.time_max = -1ms}), "assertion failed: .*negative Options::time_max -1ms");
    sim::Simulator zero(sim::Options{.duration = 0s, .time_max = 0s});  // zero is a (short) run
    EXPECT_EQ(zero.run().verdict, sim::Verdict::pass);
}

// A stack of 2^62 bytes was taken, and the first spawn aborted with "making a guard page failed
// (vm.max_map_count reached?)", which names neither the option nor the size.
TEST(KernelDeathTest, AnAbsurdStackSizeIsRefusedNamingTheOption) {
    EXPECT_DEATH(
        sim::Simulator(sim::Options{.stack_size = std::size_t{1} << 62}),
        "assertion failed: .*Options::stack_size 4611686018427387904 bytes is above stack_size_max \\(1 GiB\\)");
    sim::Simulator largest(sim::Options{.stack_size = sim::Options::stack_size_max});
    int ran = 0;
    largest.spawn([&](sim::Ctx&) { ++ran; });
    largest.run();
    EXPECT_EQ(ran, 1);
}

// run() from inside the run went on with the rest of the run re-entrantly, on a fiber's stack
// (or a callback's), and returned to a caller that was itself in the middle of an event.
TEST(Kernel, RunCalledFromInsideTheRunFailsTheRun) {
    for (const bool from_process : {true, false}) {
        sim::Simulator s(sim::Options{.duration = 10s});
        bool inner_returned = false;
        int later = 0;
        if (from_process) {
            s.add_host("h").spawn([&](sim::Ctx& ctx) {
                ctx.sleep_for(1s);
                (void)s.run();
                inner_returned = true;
            });
        } else {
            s.at(at(1s), [&] {
                s.run_until(at(5s));
                inner_returned = true;
            });
        }
        s.at(at(2s), [&] { ++later; });
        const sim::RunResult r = s.run();
        EXPECT_FALSE(inner_returned);
        EXPECT_EQ(later, 0);  // the run stopped at the failure, at 1s
        ASSERT_EQ(r.verdict, sim::Verdict::fail);
        ASSERT_TRUE(r.failure);
        EXPECT_EQ(r.failure->kind, "assertion");
        EXPECT_EQ(r.failure->message,
                  std::string(from_process ? "run()" : "run_until()") + " called while the simulator is running");
        EXPECT_EQ(r.failure->time, at(1s));
    }
}

TEST(Kernel, AssertionsOutsideARunAbort) {
    EXPECT_DEATH(SIM_ASSERT(1 + 1 == 3, "arithmetic"), "assertion failed: 1 \\+ 1 == 3: arithmetic");
}

RC_GTEST_PROP(Kernel, WakeUpsHappenExactlyWhenScheduledWhateverTheSleeps, (std::vector<std::uint16_t> sleeps)) {
    sim::Simulator s;
    std::vector<std::pair<Time, Time>> wakes;  // (expected, actual)
    for (std::size_t i = 0; i < sleeps.size(); ++i) {
        s.spawn([&wakes, d = Duration(sleeps[i])](sim::Ctx& ctx) {
            Time expected = ctx.now() + d;
            ctx.sleep_for(d);
            wakes.emplace_back(expected, ctx.now());
        });
    }
    s.run();
    RC_ASSERT(wakes.size() == sleeps.size());
    Time last{};
    for (auto [expected, actual] : wakes) {
        RC_ASSERT(expected == actual);
        RC_ASSERT(actual >= last);  // never backwards
        last = actual;
    }
}

}  // namespace

// A big run (enough pending events to start the queue's timing wheel) where most timeouts and
// timers are cancelled long before they are due: the wheel drops such dead entries when it turns
// their bucket, and that must change nothing. Every process woken early sees its wake-up at the
// wake-up's time and the others their timeout at theirs; every timer left alone runs at its time,
// in time order, and no cancelled one runs. The same run with a few hundred processes (no wheel)
// must end the same way, including a cancelled timer past time_max: it still surfaces lazily, so
// both runs end as a runaway at time_max, not as drained.
struct DeadEntriesRun {
    sim::RunResult result;
    Time end;
    std::size_t wrong_wakeups = 0;
    std::vector<std::pair<Time, int>> fired;  // (when, which timer)
};

DeadEntriesRun run_with_dead_entries(int n) {
    sim::Simulator s(sim::Options{.seed = 4, .time_max = 3s});
    sim::Host& h = s.add_host("h");
    DeadEntriesRun out;
    auto events = std::make_shared<std::vector<sim::Event>>(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        h.spawn([&out, events, i](sim::Ctx& ctx) {
            const Duration timeout = 1s + Duration(std::int64_t{i} * 1000);
            const bool woken = (*events)[static_cast<std::size_t>(i)].wait(ctx, timeout);
            const bool early = i % 2 == 0;
            if (woken != early || ctx.now() != (early ? at(1ms) : at(timeout))) ++out.wrong_wakeups;
        });
    }
    std::vector<sim::TimerId> timers;
    for (int i = 0; i < n; ++i) {
        timers.push_back(s.at(at(2s + Duration(std::int64_t{i} * 1000)), [&out, &s, i] { out.fired.emplace_back(s.now(), i); }));
    }
    const sim::TimerId past_limit = s.at(at(5s), [&out, &s] { out.fired.emplace_back(s.now(), -1); });
    s.at(at(1ms), [&, events] {
        for (int i = 0; i < n; i += 2) (*events)[static_cast<std::size_t>(i)].set();
        for (int i = 1; i < n; i += 2) EXPECT_TRUE(s.cancel(timers[static_cast<std::size_t>(i)]));
        EXPECT_TRUE(s.cancel(past_limit));
    });
    out.result = s.run();
    out.end = s.now();
    s.shutdown();
    return out;
}

TEST(Kernel, DeadEntriesDroppedByABigQueueChangeNothingThatRuns) {
    for (const int n : {300, 20'000}) {
        SCOPED_TRACE(n);
        const DeadEntriesRun r = run_with_dead_entries(n);
        EXPECT_EQ(r.wrong_wakeups, 0u);
        ASSERT_EQ(r.fired.size(), static_cast<std::size_t>(n / 2));
        for (std::size_t k = 0; k < r.fired.size(); ++k) {
            const int i = static_cast<int>(2 * k);
            EXPECT_EQ(r.fired[k], std::make_pair(at(2s + Duration(std::int64_t{i} * 1000)), i));
        }
        EXPECT_EQ(r.result.verdict, sim::Verdict::runaway);
        EXPECT_EQ(r.end, at(3s));
    }
}

// at()'s cache hint (sim::Touches) is only a hint: a big run (the timing wheel on) whose callbacks
// name memory to load ahead, some of it freed long before their bucket turns, runs exactly as
// the same run without hints: the same callbacks, in the same order, with the same trace hash.
// Half of the callbacks are cancelled, so the turn both drops and prefetches.
struct HintedRun {
    std::vector<int> ran;
    std::uint64_t hash = 0;
};

HintedRun run_hinted(bool hinted) {
    sim::Simulator s(sim::Options{.seed = 9});
    HintedRun out;
    sim::Rng rng = s.rng("test/times");
    auto gone = std::make_unique<std::vector<char>>(4096);  // freed before anything runs
    std::vector<sim::TimerId> ids;
    for (int i = 0; i < 20'000; ++i) {
        const Time t = at(Duration(static_cast<std::int64_t>(rng.next_u64() % 5'000'000'000)));
        auto fn = [&out, i] { out.ran.push_back(i); };
        const sim::Touches touches{{gone->data() + (i % 64) * 64, 200}, {&out, sizeof(out)}, {nullptr, 64},
                                   {gone->data(), 5000}, {&ids, sizeof(ids)}};  // all five: none of them checked
        ids.push_back(hinted ? s.at(t, fn, touches) : s.at(t, fn));
    }
    gone.reset();
    for (std::size_t i = 1; i < ids.size(); i += 2) s.cancel(ids[i]);
    out.hash = s.run().trace_hash;
    return out;
}

// A hint names at most Touches::ranges_max ranges; one more is a compile error, not a range
// dropped without a word.
using R = sim::Touches::Range;
static_assert(std::is_constructible_v<sim::Touches, R, R, R, R, R>);
static_assert(!std::is_constructible_v<sim::Touches, R, R, R, R, R, R>);

TEST(Kernel, ACallbacksCacheHintChangesNothing) {
    const HintedRun plain = run_hinted(false);
    const HintedRun hinted = run_hinted(true);
    EXPECT_EQ(plain.ran.size(), 10'000u);
    EXPECT_EQ(hinted.ran, plain.ran);
    EXPECT_EQ(hinted.hash, plain.hash);
}
