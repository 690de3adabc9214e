// The simulator as an Asio execution context: post, dispatch, any_io_executor, co_spawn with
// awaitables, and sim::Timer with a callback, use_awaitable and use_fiber - all on virtual time.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/asio.hpp"
#include "sim/sim.hpp"

namespace asio = boost::asio;

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

static_assert(asio::execution::is_executor<sim::Executor>::value);
static_assert(asio::is_executor<sim::Executor>::value);

TEST(Asio, PostRunsHandlersInOrderAtTheCurrentVirtualTime) {
    sim::Simulator s;
    std::vector<std::string> log;
    s.at(Time(2s), [&] {
        asio::post(s.get_executor(), [&] { log.push_back("first@" + sim::format_time(s.now())); });
        asio::post(s, [&] { log.push_back("second@" + sim::format_time(s.now())); });
        log.push_back("poster");
    });
    s.run();
    EXPECT_EQ(log, (std::vector<std::string>{"poster", "first@2s", "second@2s"}));
}

TEST(Asio, DispatchRunsInlineInsideTheRunAndPostDoesNot) {
    sim::Simulator s;
    std::vector<std::string> log;
    s.at(Time(1s), [&] {
        asio::post(s.get_executor(), [&] { log.push_back("posted"); });
        asio::dispatch(s.get_executor(), [&] { log.push_back("dispatched"); });
        log.push_back("caller");
    });
    s.run();
    EXPECT_EQ(log, (std::vector<std::string>{"dispatched", "caller", "posted"}));
}

TEST(Asio, AnyIoExecutorWrapsTheSimulatorExecutor) {
    sim::Simulator s;
    asio::any_io_executor ex = s.get_executor();
    EXPECT_EQ(&asio::query(ex, asio::execution::context), static_cast<asio::execution_context*>(&s));
    int ran = 0;
    asio::post(ex, [&] { ++ran; });
    s.run();
    EXPECT_EQ(ran, 1);
}

TEST(Asio, TimerCompletesACallbackAtItsExpiry) {
    sim::Simulator s;
    sim::Timer t(s);
    Time fired{};
    boost::system::error_code got = asio::error::fault;
    t.expires_after(250ms);
    t.async_wait([&](boost::system::error_code ec) {
        got = ec;
        fired = s.now();
    });
    s.run();
    EXPECT_FALSE(got);
    EXPECT_EQ(fired, Time(250ms));
}

TEST(Asio, CancellingATimerAbortsItsWait) {
    sim::Simulator s;
    sim::Timer t(s);
    boost::system::error_code got;
    Time fired{};
    t.expires_after(10s);
    t.async_wait([&](boost::system::error_code ec) {
        got = ec;
        fired = s.now();
    });
    s.at(Time(1s), [&] { EXPECT_EQ(t.cancel(), 1u); });
    s.run();
    EXPECT_EQ(got, asio::error::operation_aborted);
    EXPECT_EQ(fired, Time(1s));
}

TEST(Asio, CoSpawnedAwaitablesRunOnVirtualTime) {
    sim::Simulator s;
    std::vector<std::string> log;
    auto worker = [&](std::string name, Duration step) -> asio::awaitable<void> {
        sim::Timer t(s);
        for (int i = 0; i < 3; ++i) {
            t.expires_after(step);
            co_await t.async_wait(asio::use_awaitable);
            log.push_back(name + "@" + sim::format_time(s.now()));
        }
    };
    asio::co_spawn(s.get_executor(), worker("a", 2s), asio::detached);
    asio::co_spawn(s.get_executor(), worker("b", 3s), asio::detached);
    s.run();
    // At 6s both wake; b's wait was scheduled first (at 3s, a's at 4s), so b runs first.
    EXPECT_EQ(log, (std::vector<std::string>{"a@2s", "b@3s", "a@4s", "b@6s", "a@6s", "b@9s"}));
}

TEST(Asio, UseFiberSuspendsTheCallingProcess) {
    sim::Simulator s;
    Time woke{};
    boost::system::error_code got = asio::error::fault;
    s.spawn([&](sim::Ctx& ctx) {
        sim::Timer t(s, 750ms);
        got = t.async_wait(sim::use_fiber(ctx));
        woke = ctx.now();
    });
    s.run();
    EXPECT_FALSE(got);
    EXPECT_EQ(woke, Time(750ms));
}

TEST(Asio, MixedFibersCoroutinesAndCallbacksGiveTheSameTraceEveryTime) {
    auto run = [] {
        sim::Options o;
        o.seed = 99;
        sim::Simulator s(o);
        auto coro = [&s]() -> asio::awaitable<void> {
            sim::Timer t(s);
            for (int i = 0; i < 5; ++i) {
                t.expires_after(sim::Duration(std::chrono::milliseconds(3 + i)));
                co_await t.async_wait(asio::use_awaitable);
                s.trace("coro", {{"i", i}});
            }
        };
        asio::co_spawn(s.get_executor(), coro(), asio::detached);
        s.spawn([&](sim::Ctx& ctx) {
            for (int i = 0; i < 5; ++i) {
                sim::Timer t(s, ctx.rng().exponential(Duration(4ms)));
                t.async_wait(sim::use_fiber(ctx));
                ctx.trace("fiber", {{"i", i}});
            }
        });
        return s.run().trace_hash;
    };
    EXPECT_EQ(run(), run());
}

}  // namespace
