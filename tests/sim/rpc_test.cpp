// Typed RPC with deadlines, and connection pools (exhaustion, half-open connections, keepalive).
#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/connection_pool.hpp"
#include "sim/rpc.hpp"
#include "sim/sim.hpp"
#include "support/resume_counter.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Errc;
using sim::Time;

struct Fixture {
    Fixture() : s(sim::Options{.seed = 3}), net(s, link()), square(net, "square") {
        server = &s.add_host("server");
        client = &s.add_host("client");
        server->on_boot([this](sim::Host& h) {
            ++boots;
            square.serve(h, [this](sim::Ctx& ctx, const int& x, const sim::CallInfo& info) -> sim::Result<int> {
                remaining_seen = info.remaining(ctx);
                ctx.compute(work);
                if (x < 0) return Errc::overloaded;
                return x * x;
            });
        });
    }
    ~Fixture() { s.shutdown(); }
    static sim::LinkOptions link() {
        sim::LinkOptions o;
        o.latency = sim::Delay::fixed(1ms);
        return o;
    }
    sim::Simulator s;
    sim::Network net;
    sim::Rpc<int, int> square;
    sim::Host* server;
    sim::Host* client;
    Duration work = 2ms;
    Duration remaining_seen{};
    int boots = 0;
};

// Handlers run in processes without names: an exception escaping one names the service (it used
// to read "uncaught exception in process 3075 '': ..."), and so does the failure's host.
TEST(Rpc, AnExceptionEscapingAHandlerFailsTheRunNamingItsService) {
    sim::Simulator s(sim::Options{.seed = 3});
    sim::Network net(s, Fixture::link());
    sim::Rpc<int, int> ledger(net, "ledger");
    s.add_host("ledger-1").on_boot([&](sim::Host& h) {
        ledger.serve(h, [](sim::Ctx&, const int& x, const sim::CallInfo&) -> sim::Result<int> {
            if (x == 13) throw std::runtime_error("disk on fire");
            return x;
        });
    });
    int answered = 0;
    s.add_host("client").spawn([&](sim::Ctx& ctx) {
        answered += ledger.call(ctx, "ledger-1", 1, 100ms) ? 1 : 0;
        (void)ledger.call(ctx, "ledger-1", 13, 100ms);
        answered += 10;  // not reached: the run stops at the failure
    });
    const sim::RunResult r = s.run();
    s.shutdown();
    EXPECT_EQ(answered, 1);
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    ASSERT_TRUE(r.failure);
    EXPECT_EQ(r.failure->kind, "exception");
    EXPECT_EQ(r.failure->host, "ledger-1");
    EXPECT_TRUE(std::regex_match(r.failure->message, std::regex("uncaught exception in process [0-9]+, a handler of service 'ledger': disk on fire")))
        << r.failure->message;

    // Any process spawned without a name is not called ''.
    sim::Simulator t(sim::Options{.seed = 3});
    t.spawn([](sim::Ctx&) { throw std::runtime_error("boom"); });
    const sim::RunResult u = t.run();
    ASSERT_TRUE(u.failure);
    EXPECT_TRUE(std::regex_match(u.failure->message, std::regex("uncaught exception in process [0-9]+: boom"))) << u.failure->message;
}

// Whatever a handler throws names the service (a `throw 7;` read "uncaught exception in process 2:
// unknown exception": only std::exception was caught there), and so does an exception escaping
// the Admit function, which runs in the delivery ("in a callback: admit boom" named nothing).
TEST(Rpc, AnyExceptionEscapingAHandlerOrItsAdmitFunctionNamesTheService) {
    for (const bool in_admit : {false, true}) {
        sim::Simulator s(sim::Options{.seed = 3});
        sim::Network net(s, Fixture::link());
        sim::Rpc<int, int> ledger(net, "ledger");
        s.add_host("ledger-1").on_boot([&](sim::Host& h) {
            ledger.serve(
                h, [](sim::Ctx&, const int&, const sim::CallInfo&) -> sim::Result<int> { throw 7; },
                [in_admit](const int&, const sim::CallInfo&) -> sim::Result<void> {
                    if (in_admit) throw std::runtime_error("admit boom");
                    return {};
                });
        });
        s.add_host("client").spawn([&](sim::Ctx& ctx) { (void)ledger.call(ctx, "ledger-1", 1, 100ms); });
        const sim::RunResult r = s.run();
        s.shutdown();
        ASSERT_EQ(r.verdict, sim::Verdict::fail);
        ASSERT_TRUE(r.failure);
        EXPECT_EQ(r.failure->kind, "exception");
        EXPECT_EQ(r.failure->time, Time(1ms));
        const std::string want =
            in_admit ? "uncaught exception in a callback, the Admit function of service 'ledger': admit boom"
                     : "uncaught exception in process [0-9]+, a handler of service 'ledger': unknown exception";
        EXPECT_TRUE(std::regex_match(r.failure->message, std::regex(want))) << r.failure->message;
    }
}

TEST(Rpc, ACallReturnsTheValueAfterARoundTripAndTheHandlersWork) {
    Fixture f;
    std::optional<int> got;
    Time done{};
    f.client->spawn([&](sim::Ctx& ctx) {
        auto r = f.square.call(ctx, "server", 7, 100ms);
        ASSERT_TRUE(r);
        got = *r;
        done = ctx.now();
    });
    f.s.run();
    EXPECT_EQ(got, 49);
    EXPECT_EQ(done, Time(4ms));  // 1ms there, 2ms of work, 1ms back
    EXPECT_EQ(f.remaining_seen, 99ms);  // the deadline travels with the request
}

// The detail records of a call, as a trace file gets them: rpc.call, a net.send each way and
// rpc.done with the result. They are built only when a sink records them (the hot path asks
// first), so a run with a sink must still get every one of them, field by field.
TEST(Rpc, WithASinkEveryCallLeavesItsDetailRecordsWithTheirFields) {
    struct Details final : sim::TraceSink {
        void record(const sim::TraceRecord& r) override {
            if (!r.detail) return;
            std::string line = std::string(r.host) + " " + std::string(r.kind);
            for (const sim::TraceField& f : r.fields) {
                line += " " + std::string(f.key) + "=";
                if (f.value.type() == sim::TraceValue::Type::str) line += std::string(f.value.as_str());
                else if (f.value.type() == sim::TraceValue::Type::u64) line += std::to_string(f.value.as_u64());
                else line += std::to_string(f.value.as_i64());
            }
            lines.push_back(line);
        }
        std::vector<std::string> lines;
    } details;
    Fixture f;
    f.s.set_trace_sink(&details);
    f.client->spawn([&](sim::Ctx& ctx) {
        EXPECT_TRUE(f.square.call(ctx, "server", 3, 100ms));
        EXPECT_FALSE(f.square.call(ctx, "server", -1, 100ms));  // overloaded
        f.work = 50ms;
        EXPECT_FALSE(f.square.call(ctx, "server", 2, 10ms));    // timeout
    });
    f.s.run();
    f.s.set_trace_sink(nullptr);
    const std::vector<std::string> expected{
        "client rpc.call id=1 service=square to=server timeout_ns=100000000",
        "client net.send id=1 to=server port=rpc:square packet=request latency_ns=1000000",
        "server net.send id=2 to=client port=reply packet=response latency_ns=1000000",
        "client rpc.done id=1 result=ok",
        "client rpc.call id=2 service=square to=server timeout_ns=100000000",
        "client net.send id=3 to=server port=rpc:square packet=request latency_ns=1000000",
        "server net.send id=4 to=client port=reply packet=response latency_ns=1000000",
        "client rpc.done id=2 result=overloaded",
        "client rpc.call id=3 service=square to=server timeout_ns=10000000",
        "client net.send id=5 to=server port=rpc:square packet=request latency_ns=1000000",
        "client rpc.done id=3 result=timeout",
        "server net.send id=6 to=client port=reply packet=response latency_ns=1000000",
    };
    EXPECT_EQ(details.lines, expected);
}

TEST(Rpc, ErrorsAreValues) {
    Fixture f;
    std::vector<std::pair<Errc, Time>> seen;
    f.client->spawn([&](sim::Ctx& ctx) {
        auto record = [&](sim::Result<int> r) { seen.emplace_back(r ? Errc::internal : r.error(), ctx.now()); };
        record(f.square.call(ctx, "server", -1, 100ms));   // the handler sheds it
        record(f.square.call(ctx, "client", 1, 100ms));    // nothing serves there: refused
        record(f.square.call(ctx, "nowhere", 1, 100ms));   // no such host
        f.net.partition("client", "server");
        record(f.square.call(ctx, "server", 1, 50ms));     // dropped: timeout
        f.net.repair_all();
        f.net.partition("client", "server", /*reject=*/true);
        record(f.square.call(ctx, "server", 1, 50ms));     // rejected: unreachable at once
    });
    f.s.run();
    ASSERT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen[0], std::make_pair(Errc::overloaded, Time(4ms)));
    EXPECT_EQ(seen[1], std::make_pair(Errc::refused, Time(6ms)));  // its own host: 1ms there, refused 1ms back
    EXPECT_EQ(seen[2].first, Errc::unreachable);
    EXPECT_EQ(seen[3], std::make_pair(Errc::timeout, seen[2].second + Duration(50ms)));
    EXPECT_EQ(seen[4], std::make_pair(Errc::unreachable, seen[3].second));
}

TEST(Rpc, ARestartedServerServesAgainAndCallsToItWhileDownTimeOut) {
    Fixture f;
    std::vector<std::string> log;
    f.client->spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 4; ++i) {
            auto r = f.square.call(ctx, "server", 3, 20ms);
            log.push_back(r ? "ok@" + sim::format_time(ctx.now()) : std::string(sim::to_string(r.error())) + "@" + sim::format_time(ctx.now()));
            ctx.sleep_for(10ms);
        }
    });
    f.s.at(Time(12ms), [&] { f.server->bounce(35ms); });  // down from 12ms to 47ms
    f.s.run();
    // Down from 12ms to 47ms: the call at 14ms and the one at 44ms (arriving at 45ms) time out.
    EXPECT_EQ(log, (std::vector<std::string>{"ok@0.004s", "timeout@0.034s", "timeout@0.064s", "ok@0.078s"}));
    EXPECT_EQ(f.boots, 2);
}

TEST(Rpc, ACrashKillsTheHandlersInFlight) {
    Fixture f;
    f.work = 50ms;
    sim::Result<int> r = Errc::internal;
    f.client->spawn([&](sim::Ctx& ctx) { r = f.square.call(ctx, "server", 2, 200ms); });
    f.s.at(Time(10ms), [&] { f.server->restart(); });
    f.s.run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::timeout);
}

TEST(Rpc, AServerMayRefuseOnArrivalWithoutAFiberButNotWhilePaused) {
    // Odd numbers are refused on arrival: answered after the round trip alone, the handler never
    // runs, and no process is made on the server for them. A paused server is not asked: the
    // request waits with the host and its handler answers after the resume.
    sim::Simulator s(sim::Options{.seed = 3});
    sim::Network net(s, Fixture::link());
    sim::Rpc<int, int> square(net, "square");
    sim::Host& server = s.add_host("server");
    sim::Host& client = s.add_host("client");
    int handled = 0, asked = 0;
    test_support::ResumeCounter resumes("server");
    s.set_trace_sink(&resumes);
    square.serve(
        server,
        [&](sim::Ctx& ctx, const int& x, const sim::CallInfo&) -> sim::Result<int> {
            ++handled;
            ctx.compute(2ms);
            return x * x;
        },
        [&](const int& x, const sim::CallInfo& info) -> sim::Result<void> {
            ++asked;
            EXPECT_EQ(info.deadline, s.now() + Duration(99ms));  // it sees the call's deadline
            if (x % 2 != 0) return Errc::overloaded;
            return {};
        });
    std::vector<std::string> log;
    client.spawn([&](sim::Ctx& ctx) {
        for (int x : {3, 4, 5}) {
            const Time sent = ctx.now();
            auto r = square.call(ctx, server, x, 100ms);
            log.push_back((r ? std::to_string(*r) : std::string(sim::to_string(r.error()))) + " after " +
                          sim::format_time(Time(ctx.now() - sent)));
        }
    });
    s.at(Time(20ms), [&] { server.pause(); });
    s.at(Time(30ms), [&] { server.resume(); });
    client.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_until(Time(24ms));
        auto r = square.call(ctx, server, 7, 100ms);  // arrives at 25ms, while paused
        log.push_back(r ? "7: " + std::to_string(*r) + " at " + sim::format_time(ctx.now()) : std::string("7 failed"));
    });
    s.run();
    EXPECT_EQ(log, (std::vector<std::string>{"overloaded after 0.002s", "16 after 0.004s", "overloaded after 0.002s",
                                             "7: 49 at 0.033s"}));
    EXPECT_EQ(asked, 3);    // not for 7: the server was paused when it arrived
    EXPECT_EQ(handled, 2);  // 4, and 7 after the pause (1ms back: answered at 33ms)
    EXPECT_EQ(resumes.count(), 4);  // 4's handler and 7's, each started and resumed after its compute
    s.shutdown();
}

TEST(Pool, TheFirstCallPaysForTheHandshakeAndLaterOnesDoNot) {
    Fixture f;
    std::vector<Time> done;
    f.client->on_boot([&](sim::Host& h) {
        auto& pool = h.make<sim::ConnectionPool>(f.net, h, "server", f.square.port(), sim::PoolOptions{.connections_max = 1});
        h.spawn([&](sim::Ctx& ctx) {
            for (int i = 0; i < 2; ++i) {
                ASSERT_TRUE(pool.call(ctx, f.square, 2, 100ms));
                done.push_back(ctx.now());
            }
        });
    });
    f.s.run();
    EXPECT_EQ(done, (std::vector<Time>{Time(6ms), Time(10ms)}));  // 2ms handshake + 4ms call, then 4ms
}

TEST(Pool, AllConnectionsBusyMeansWaitingThenExhausted) {
    Fixture f;
    f.work = 30ms;
    std::vector<std::string> outcomes;
    f.client->on_boot([&](sim::Host& h) {
        auto& pool = h.make<sim::ConnectionPool>(f.net, h, "server", f.square.port(),
                                                 sim::PoolOptions{.connections_max = 2, .acquire_timeout = 10ms});
        for (int i = 0; i < 3; ++i) {
            h.spawn([&](sim::Ctx& ctx) {
                auto r = pool.call(ctx, f.square, 1, 500ms);
                outcomes.push_back(r ? "ok" : std::string(sim::to_string(r.error())));
            });
        }
    });
    f.s.run();
    EXPECT_EQ(outcomes, (std::vector<std::string>{"exhausted", "ok", "ok"}));
}

// A caller killed while its connection's handshake is under way (the losing copy of a hedged
// call) gives the slot and its permit back as it unwinds. They were held for good: after
// connections_max such kills the pool answered every call 'exhausted' with the server up.
TEST(Pool, ACallerKilledDuringTheHandshakeGivesItsConnectionBack) {
    Fixture f;
    std::vector<std::string> outcomes;
    sim::ConnectionPool* pool_seen = nullptr;
    f.client->on_boot([&](sim::Host& h) {
        auto& pool = h.make<sim::ConnectionPool>(f.net, h, "server", f.square.port(),
                                                 sim::PoolOptions{.connections_max = 1, .acquire_timeout = 10ms});
        pool_seen = &pool;
        const sim::ProcessRef loser = h.spawn([&](sim::Ctx& ctx) { (void)pool.call(ctx, f.square, 1, 100ms); });
        h.spawn([&, loser](sim::Ctx& ctx) {
            ctx.sleep_for(1ms);  // half-way through the 2ms handshake
            loser.kill();
            ctx.sleep_for(5ms);
            for (int i = 0; i < 2; ++i) {
                auto r = pool.call(ctx, f.square, 3, 100ms);
                outcomes.push_back(r ? std::to_string(*r) : std::string(sim::to_string(r.error())));
            }
        });
    });
    f.s.run();
    EXPECT_EQ(outcomes, (std::vector<std::string>{"9", "9"}));
    EXPECT_EQ(pool_seen->counters().exhausted, 0u);
}

TEST(Pool, AConnectionToARestartedServerIsResetThenRemade) {
    Fixture f;
    std::vector<std::string> outcomes;
    sim::ConnectionPool* pool_seen = nullptr;
    f.client->on_boot([&](sim::Host& h) {
        auto& pool = h.make<sim::ConnectionPool>(f.net, h, "server", f.square.port(), sim::PoolOptions{.connections_max = 1});
        pool_seen = &pool;
        h.spawn([&](sim::Ctx& ctx) {
            for (int i = 0; i < 3; ++i) {
                auto r = pool.call(ctx, f.square, 1, 100ms);
                outcomes.push_back(r ? "ok" : std::string(sim::to_string(r.error())));
                ctx.sleep_for(20ms);
            }
        });
    });
    f.s.at(Time(15ms), [&] { f.server->restart(); });
    f.s.run();
    EXPECT_EQ(outcomes, (std::vector<std::string>{"ok", "reset", "ok"}));
    EXPECT_EQ(pool_seen->counters().resets, 1u);
    EXPECT_EQ(pool_seen->counters().connects, 2u);
}

TEST(Pool, AHalfOpenConnectionHangsUntilTheTimeoutOrUntilKeepaliveNotices) {
    for (bool keepalive : {false, true}) {
        Fixture f;
        f.work = 1ms;
        std::string outcome;
        Time when{};
        f.client->on_boot([&](sim::Host& h) {
            sim::PoolOptions o{.connections_max = 1};
            if (keepalive) {
                o.keepalive_interval = 100ms;
                o.keepalive_timeout = 50ms;
            }
            auto& pool = h.make<sim::ConnectionPool>(f.net, h, "server", f.square.port(), o);
            h.spawn([&](sim::Ctx& ctx) {
                ASSERT_TRUE(pool.call(ctx, f.square, 1, 1s));  // establishes the connection
                ctx.sleep_for(10ms);
                f.server->crash();                               // gone, and nobody tells the client
                auto r = pool.call(ctx, f.square, 1, 2s);
                outcome = r ? "ok" : std::string(sim::to_string(r.error()));
                when = ctx.now();
            });
        });
        f.s.run_until(Time(5s));
        if (!keepalive) {
            EXPECT_EQ(outcome, "timeout");
            EXPECT_EQ(when, Time(2015ms));  // 5ms first call, 10ms sleep, then the full 2s timeout
        } else {
            EXPECT_EQ(outcome, "reset");
            EXPECT_LT(when, Time(300ms));
        }
    }
}

}  // namespace
