// The model example in README.md, compiled and checked, so the README cannot rot.
#include <gtest/gtest.h>

#include <sim/sim.hpp>

using namespace std::chrono_literals;

TEST(Readme, TheModelExampleFailsItsInvariantOnceTheServerCrashes) {
    int served = 0;
    sim::Simulator s({.seed = 42});
    sim::Channel<int> requests;
    sim::Host& db = s.add_host("db-1");
    db.spawn([&](sim::Ctx& ctx) {
        while (auto r = requests.recv(ctx)) {
            ctx.compute(2ms);  // CPU time: slower on a limping host
            ctx.trace("served", {{"request", *r}});
            ++served;
        }
    });
    s.world().spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 100; ++i) {
            ctx.sleep_for(ctx.rng().exponential(sim::Duration(5ms)));
            requests.try_send(i);
        }
    });
    s.at(sim::Time(200ms), [&] { db.crash(); });  // the fault under test
    s.always("queue bounded", [&] { return requests.size() < 50; });
    sim::RunResult r = s.run();  // fails: after the crash nothing drains the queue
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_EQ(r.failure->name, "queue bounded");
    EXPECT_GT(r.failure->time, sim::Time(200ms));
    EXPECT_GT(served, 20);  // about 40 arrive in the first 200ms
    EXPECT_LT(served, 60);  // and nothing is served after the crash
    EXPECT_FALSE(db.alive());
    s.shutdown();
}
