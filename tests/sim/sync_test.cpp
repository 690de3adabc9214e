// Blocking primitives: Event, Future, Channel, Semaphore, with and without timeouts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

TEST(Sync, EventWakesEveryWaiterInArrivalOrder) {
    sim::Simulator s;
    sim::Event ev;
    std::vector<int> woke;
    for (int i = 0; i < 3; ++i) {
        s.spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_for(Duration(i));
            EXPECT_TRUE(ev.wait(ctx));
            woke.push_back(i);
            EXPECT_EQ(ctx.now(), Time(5s));
        });
    }
    s.at(Time(5s), [&] { ev.set(); });
    s.run();
    EXPECT_EQ(woke, (std::vector<int>{0, 1, 2}));
}

TEST(Sync, EventWaitTimesOut) {
    sim::Simulator s;
    sim::Event ev;
    bool got = true;
    Time when{};
    s.spawn([&](sim::Ctx& ctx) {
        got = ev.wait(ctx, 2s);
        when = ctx.now();
    });
    s.at(Time(3s), [&] { ev.set(); });
    s.run();
    EXPECT_FALSE(got);
    EXPECT_EQ(when, Time(2s));
}

TEST(Sync, ANotificationAtTheSameInstantAsTheTimeoutCounts) {
    sim::Simulator s;
    sim::Event ev;
    bool got = false;
    s.spawn([&](sim::Ctx& ctx) { got = ev.wait(ctx, 2s); });
    s.at(Time(2s), [&] { ev.set(); });  // scheduled after the timeout, same instant
    s.run();
    EXPECT_TRUE(got);
}

TEST(Sync, FutureDeliversTheValueAndBrokenPromisesWakeWaiters) {
    sim::Simulator s;
    std::optional<int> a, b;
    {
        sim::Promise<int> p;
        auto f = p.future();
        s.spawn([&, f](sim::Ctx& ctx) { a = f.get(ctx); });
        s.at(Time(1s), [p = std::move(p)]() mutable { p.set_value(42); });
    }
    auto broken = std::make_shared<sim::Promise<int>>();
    auto f2 = broken->future();
    s.spawn([&, f2](sim::Ctx& ctx) { b = f2.get(ctx); });
    s.at(Time(2s), [&] { broken.reset(); });
    s.run();
    EXPECT_EQ(a, 42);
    EXPECT_FALSE(b.has_value());
}

TEST(Sync, ChannelHandsItemsToReceiversInArrivalOrder) {
    sim::Simulator s;
    sim::Channel<int> ch;
    std::vector<std::string> got;
    for (int r = 0; r < 3; ++r) {
        s.spawn([&, r](sim::Ctx& ctx) {
            auto v = ch.recv(ctx);
            got.push_back(std::to_string(r) + ":" + std::to_string(*v));
        });
    }
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(1s);
        for (int i = 10; i < 13; ++i) ch.try_send(i);
    });
    s.run();
    EXPECT_EQ(got, (std::vector<std::string>{"0:10", "1:11", "2:12"}));
}

TEST(Sync, BoundedChannelMakesSendersWait) {
    sim::Simulator s;
    sim::Channel<int> ch(2);
    std::vector<Time> sent;
    s.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 4; ++i) {
            EXPECT_TRUE(ch.send(ctx, i));
            sent.push_back(ctx.now());
        }
    });
    s.spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 4; ++i) {
            ctx.sleep_for(1s);
            EXPECT_EQ(ch.recv(ctx), i);
        }
    });
    s.run();
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[0], Time(0s));
    EXPECT_EQ(sent[1], Time(0s));
    EXPECT_EQ(sent[2], Time(1s));  // room only after the first receive
    EXPECT_EQ(sent[3], Time(2s));
}

TEST(Sync, ChannelReceiveTimesOutAndCloseEndsReceivers) {
    sim::Simulator s;
    sim::Channel<int> ch;
    std::optional<int> first = 1, second = 1;
    s.spawn([&](sim::Ctx& ctx) {
        first = ch.recv(ctx, 1s);
        second = ch.recv(ctx);
    });
    s.at(Time(5s), [&] { ch.close(); });
    s.run();
    EXPECT_FALSE(first.has_value());
    EXPECT_FALSE(second.has_value());
    EXPECT_FALSE(ch.try_send(3));
}

TEST(Sync, SemaphoreLimitsConcurrencyAndServesWaitersFifo) {
    sim::Simulator s;
    sim::Semaphore sem(2);
    int inside = 0, peak = 0;
    std::vector<int> entered;
    for (int i = 0; i < 5; ++i) {
        s.spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_for(Duration(i));
            ASSERT_TRUE(sem.acquire(ctx));
            entered.push_back(i);
            peak = std::max(peak, ++inside);
            ctx.sleep_for(1s);
            --inside;
            sem.release();
        });
    }
    s.run();
    EXPECT_EQ(peak, 2);
    EXPECT_EQ(entered, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(sem.available(), 2u);
}

TEST(Sync, AKilledWaiterLeavesTheWaitListClean) {
    sim::Simulator s;
    sim::Event ev;
    sim::Host& h = s.add_host("h");
    h.spawn([&](sim::Ctx& ctx) { ev.wait(ctx); });
    bool survivor_woke = false;
    s.spawn([&](sim::Ctx& ctx) { survivor_woke = ev.wait(ctx); });
    s.at(Time(1s), [&] {
        EXPECT_EQ(ev.waiting(), 2u);
        h.crash();
        EXPECT_EQ(ev.waiting(), 1u);
        ev.set();
    });
    s.run();
    EXPECT_TRUE(survivor_woke);
}

}  // namespace

namespace {
using namespace std::chrono_literals;

TEST(Sync, APermitHandedToAWaiterThatIsKilledBeforeItRunsComesBack) {
    sim::Simulator s;
    sim::Semaphore sem(1);
    sim::Host& h = s.add_host("h");
    bool later_got_it = false;
    h.spawn([&](sim::Ctx& ctx) {  // holds the permit (released as its stack unwinds), then dies
        ASSERT_TRUE(sem.acquire(ctx));
        struct Release {
            sim::Semaphore& s;
            ~Release() { s.release(); }
        } release{sem};
        ctx.sleep_for(1h);
    });
    h.spawn([&](sim::Ctx& ctx) { sem.acquire(ctx); });  // waits; is handed the permit as the holder dies
    s.at(sim::Time(1s), [&] { h.crash(); });             // kills the holder, then the waiter
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(2s);
        later_got_it = sem.acquire(ctx, 1s);
    });
    s.run();
    EXPECT_TRUE(later_got_it);
}

}  // namespace
