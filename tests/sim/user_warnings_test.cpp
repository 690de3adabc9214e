// The kernel's headers in a user's build with the warnings a careful user turns on: -Wshadow and
// -Wmissing-field-initializers (which this tree turns off for its own designated initializers).
// A tester's finding: g++'s -Wshadow warned in simulator.hpp (parameters called `id`, the name
// of a class of Asio's execution_context), and `sim::Simulator s({.seed = 42})` warned of the
// Options fields without a default member initializer. Here both are errors, so a header that
// brings either back does not compile.
#pragma GCC diagnostic error "-Wshadow"
#pragma GCC diagnostic error "-Wmissing-field-initializers"

#include <gtest/gtest.h>

#include "sim/asio.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;

TEST(UserWarnings, TheKernelHeadersAndADesignatedOptionsAreQuietUnderShadowAndFieldWarnings) {
    sim::Simulator s({.seed = 42});
    sim::Host& h = s.add_host("h");
    int ticks = 0;
    h.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(1s);
        ++ticks;
    });
    s.at(
        sim::Time(2s), [&] { ++ticks; }, sim::Touches{{&ticks, sizeof ticks}});
    EXPECT_EQ(s.host(h.id()).name(), "h");
    EXPECT_EQ(s.run().verdict, sim::Verdict::pass);
    EXPECT_EQ(ticks, 2);
}

}  // namespace
