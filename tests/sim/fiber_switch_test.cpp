// Direct fiber switching: a suspending process picks the next event itself and switches straight
// to the next process, running deliveries (deliver_at) on its own stack. It must change nothing
// but speed: random programs - processes, channels, timeouts, kills, crashes, pauses, spawns,
// invariants, plain callbacks and deliveries - run with it on and off give the same log, the
// same trace hash and the same verdict. Also: what a delivery or an invariant must not do.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

struct Outcome {
    std::vector<std::string> log;
    std::uint64_t hash = 0;
    std::uint64_t events = 0;
    sim::Verdict verdict = sim::Verdict::pass;
    std::string failure;
    bool operator==(const Outcome&) const = default;
};

// A random program drawn from `program_seed`; the kernel's own seed is fixed.
Outcome run_program(std::uint64_t program_seed, bool direct) {
    sim::Options o;
    o.seed = 7;
    o.direct_switch = direct;
    o.duration = 3s;
    o.events_max = 200'000;
    sim::Simulator s(o);
    Outcome out;
    sim::Rng plan(program_seed);
    const int hosts = 1 + static_cast<int>(plan.uniform_int(0, 3));
    std::vector<sim::Host*> hs;
    for (int h = 0; h < hosts; ++h) hs.push_back(&s.add_host("h" + std::to_string(h)));
    auto channels = std::make_shared<std::vector<std::unique_ptr<sim::Channel<int>>>>();
    for (int c = 0; c < 4; ++c) channels->push_back(std::make_unique<sim::Channel<int>>());
    std::vector<sim::ProcessRef> refs;
    auto log = [&out, &s](sim::Ctx& ctx, const std::string& what) {
        out.log.push_back(std::to_string(ctx.id()) + "@" + std::to_string(s.now().time_since_epoch().count()) + " " + what);
        ctx.trace("step", {{"what", std::string_view(what)}});
    };
    // A process: a loop of random steps drawn from its host's stream (so a change of order shows).
    std::function<void(sim::Ctx&, int)> body = [&](sim::Ctx& ctx, int depth) {
        struct Guard {
            Outcome* out;
            std::uint64_t id;
            ~Guard() { out->log.push_back("end " + std::to_string(id)); }
        } guard{&out, ctx.id()};
        for (int step = 0; step < 40; ++step) {
            const auto c = static_cast<std::size_t>(ctx.rng().uniform_int(0, 3));
            switch (ctx.rng().uniform_int(0, 9)) {
                case 0:
                case 1: ctx.sleep_for(Duration(ctx.rng().uniform_int(0, 3) * 1'000'000)); break;
                case 2: {
                    const int v = static_cast<int>(ctx.rng().uniform_int(0, 99));
                    const Duration d = Duration(ctx.rng().uniform_int(0, 2) * 1'000'000);
                    auto deliver = [&out, channels, c, v] {
                        out.log.push_back("deliver " + std::to_string(v));
                        (*channels)[c]->try_send(v);
                    };
                    if (ctx.rng().uniform_int(0, 1) == 0) s.deliver_after(d, deliver);
                    else s.after(d, deliver);
                    break;
                }
                case 3: {
                    auto v = (*channels)[c]->recv(ctx, Duration(ctx.rng().uniform_int(0, 4) * 1'000'000));
                    log(ctx, v ? "got " + std::to_string(*v) : "timeout");
                    break;
                }
                case 4:
                    if (depth < 2) ctx.spawn([&body, depth](sim::Ctx& child) { body(child, depth + 1); });
                    break;
                case 5: ctx.yield(); break;
                case 6: {
                    const sim::ProcessRef& victim = refs[static_cast<std::size_t>(ctx.rng().uniform_int(0, refs.size() - 1))];
                    if (victim.running()) {  // itself, too: it then unwinds at its next wait
                        log(ctx, "kill " + std::to_string(victim.id()));
                        victim.kill();
                    }
                    break;
                }
                case 7:
                    if (ctx.rng().uniform_int(0, 9) == 0 && ctx.host().id() != 0) {
                        log(ctx, "restart my host");
                        ctx.host().restart();
                    }
                    break;
                default: log(ctx, "step"); break;
            }
        }
    };
    const int processes = 2 + static_cast<int>(plan.uniform_int(0, 6));
    for (int i = 0; i < processes; ++i) {
        sim::Host& h = *hs[static_cast<std::size_t>(plan.uniform_int(0, hs.size() - 1))];
        refs.push_back(h.spawn([&body](sim::Ctx& ctx) { body(ctx, 0); }));
    }
    // Faults from plain callbacks: crashes (with a reboot that starts a process), pauses.
    for (sim::Host* h : hs) {
        h->on_boot([&body, &out](sim::Host& host) {
            if (host.incarnation() > 1) {
                out.log.push_back("boot " + std::string(host.name()));
                host.spawn([&body](sim::Ctx& ctx) { body(ctx, 1); });
            }
        });
        const auto when = Time(Duration(plan.uniform_int(1, 40) * 1'000'000));
        switch (plan.uniform_int(0, 2)) {
            case 0: s.at(when, [h] { h->bounce(5ms); }); break;
            case 1:
                s.at(when, [h] { h->pause(); });
                s.at(when + 7ms, [h] { h->resume(); });
                break;
            default: break;
        }
    }
    // An invariant that reads what the processes did, so it is checked after each event.
    const std::size_t limit = 20 + static_cast<std::size_t>(plan.uniform_int(0, 400));
    s.always("log stays short", [&out, limit] { return out.log.size() < limit; });
    sim::RunResult r = s.run();
    s.shutdown();
    out.hash = r.trace_hash;
    out.events = r.events;
    out.verdict = r.verdict;
    if (r.failure) out.failure = r.failure->name + ": " + r.failure->message;
    return out;
}

RC_GTEST_PROP(FiberSwitch, SwitchingDirectlyChangesNothingButSpeed, (std::uint64_t program)) {
    const Outcome through_scheduler = run_program(program, false);
    const Outcome direct = run_program(program, true);
    RC_ASSERT(!through_scheduler.log.empty());
    RC_ASSERT(direct.log == through_scheduler.log);
    RC_ASSERT(direct.hash == through_scheduler.hash);
    RC_ASSERT(direct.events == through_scheduler.events);
    RC_ASSERT(direct.verdict == through_scheduler.verdict);
    RC_ASSERT(direct.failure == through_scheduler.failure);
}

TEST(FiberSwitch, TheRandomProgramsReachEveryPathTheyAreMeantTo) {
    // The property above means little if its programs never kill, time out or fail: check that,
    // across a few programs, each of those happens.
    bool timeout = false, got = false, killed = false, failed = false, boot = false;
    for (std::uint64_t p = 1; p <= 40; ++p) {
        const Outcome o = run_program(p, true);
        for (const std::string& line : o.log) {
            timeout = timeout || line.ends_with("timeout");
            got = got || line.find(" got ") != std::string::npos;
            boot = boot || line.starts_with("boot ");
            killed = killed || line.find(" kill ") != std::string::npos;
        }
        failed = failed || o.verdict == sim::Verdict::fail;
    }
    EXPECT_TRUE(timeout);
    EXPECT_TRUE(got);
    EXPECT_TRUE(boot);
    EXPECT_TRUE(killed);
    EXPECT_TRUE(failed);
}

TEST(FiberSwitch, ADeliveryThatCrashesAHostFailsTheRun) {
    sim::Simulator s;
    sim::Host& h = s.add_host("h");
    h.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1h); });
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(1ms);
        s.deliver_after(1ms, [&h] { h.crash(); });
        ctx.sleep_for(1h);
    });
    sim::RunResult r = s.run();
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_NE(r.failure->message.find("a delivery (deliver_at) must not kill a process or crash a host"), std::string::npos)
        << r.failure->message;
    EXPECT_TRUE(h.alive());
    s.shutdown();
}

TEST(FiberSwitch, AnInvariantThatThrowsFailsTheRunWhereverItRuns) {
    for (bool direct : {false, true}) {
        sim::Options o;
        o.direct_switch = direct;
        sim::Simulator s(o);
        s.spawn([](sim::Ctx& ctx) {
            for (int i = 0; i < 10; ++i) ctx.sleep_for(1ms);
        });
        s.always("throws at 5ms", [&s] {
            if (s.now() >= Time(5ms)) throw std::runtime_error("boom");
            return true;
        });
        sim::RunResult r = s.run();
        ASSERT_EQ(r.verdict, sim::Verdict::fail) << direct;
        EXPECT_EQ(r.failure->message, "uncaught exception in an invariant: boom");
        EXPECT_EQ(r.end_time, Time(5ms));
    }
}

// A predicate that spawns, schedules or wakes fails the run at once, named (it used to run
// again after the event it made, and again, until "virtual time stood still").
TEST(FiberSwitch, AnInvariantThatChangesTheWorldFailsTheRunNamed) {
    struct Case {
        const char* name;
        std::function<void(sim::Simulator&, sim::Channel<int>&)> act;
    };
    const Case cases[] = {
        {"spawns", [](sim::Simulator& s, sim::Channel<int>&) { s.spawn([](sim::Ctx&) {}); }},
        {"schedules", [](sim::Simulator& s, sim::Channel<int>&) { s.after(1ms, [] {}); }},
        {"wakes", [](sim::Simulator&, sim::Channel<int>& c) { c.try_send(1); }},
    };
    for (bool eventually : {false, true}) {
        for (const Case& c : cases) {
            SCOPED_TRACE(std::string(c.name) + (eventually ? " (eventually)" : " (always)"));
            sim::Simulator s;
            sim::Channel<int> channel;
            s.spawn([&](sim::Ctx& ctx) {
                while (channel.recv(ctx)) {
                }
            });
            s.spawn([](sim::Ctx& ctx) {
                for (int i = 0; i < 10; ++i) ctx.sleep_for(1ms);
            });
            auto predicate = [&s, &channel, &c, eventually] {
                if (s.now() >= Time(3ms)) c.act(s, channel);
                return !eventually;
            };
            if (eventually) s.eventually("busy", Time(1s), predicate);
            else s.always("busy", predicate);
            const sim::RunResult r = s.run();
            ASSERT_EQ(r.verdict, sim::Verdict::fail);
            EXPECT_EQ(r.failure->name, "an invariant changed the world");
            EXPECT_EQ(r.failure->message, "invariant 'busy': its predicate changed the world (it scheduled an event, spawned a process or woke one); a predicate must only read");
            EXPECT_EQ(r.end_time, Time(3ms));
            s.shutdown();
        }
    }
}

TEST(FiberSwitch, ProcessesKilledWhileSwitchedAwayUnwind) {
    // Every process below suspends by switching straight to the next; a plain callback then
    // crashes their host: each one unwinds (its destructor runs) wherever it was suspended.
    sim::Simulator s;
    sim::Host& h = s.add_host("h");
    int destroyed = 0;
    struct Guard {
        int* n;
        ~Guard() { ++*n; }
    };
    for (int i = 0; i < 50; ++i) {
        h.spawn([&destroyed, i](sim::Ctx& ctx) {
            Guard g{&destroyed};
            for (;;) ctx.sleep_for(Duration(1'000'000 + i));
        });
    }
    s.at(Time(20ms), [&h] { h.crash(); });
    s.run_until(Time(30ms));
    EXPECT_EQ(destroyed, 50);
    EXPECT_EQ(s.processes_alive(), 0u);
}

TEST(FiberSwitch, AProcessSpawnedIntoTheSlotOfOneFinishingOnItsStackRuns) {
    // A finishing process frees its slot and picks the next event on its own stack. Here that
    // event is a delivery that spawns a process, which takes the slot just freed and is the next
    // to run: it starts while the finished one's stack is still the one in use.
    for (bool direct : {false, true}) {
        sim::Options o;
        o.direct_switch = direct;
        sim::Simulator s(o);
        sim::Host& h = s.add_host("h");
        std::vector<std::string> log;
        sim::ProcessRef first, second;
        first = h.spawn([&](sim::Ctx& ctx) {
            ctx.sleep_for(1ms);
            s.deliver_after(Duration(0), [&] {
                log.push_back("deliver");
                second = h.spawn([&](sim::Ctx& c) {
                    log.push_back("second runs, first " + std::string(first.running() ? "running" : "gone"));
                    c.sleep_for(1ms);
                    log.push_back("second ends at " + std::to_string(s.now().time_since_epoch().count()));
                });
            });
            log.push_back("first ends");
        });
        s.run();
        const std::vector<std::string> expected{"first ends", "deliver", "second runs, first gone", "second ends at 2000000"};
        EXPECT_EQ(log, expected) << direct;
        EXPECT_NE(first.id(), second.id());
        EXPECT_FALSE(first.running());
        EXPECT_FALSE(second.running());
        EXPECT_EQ(s.processes_alive(), 0u);
    }
}

}  // namespace
