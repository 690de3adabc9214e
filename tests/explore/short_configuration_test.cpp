// explore_bench's short configurations (bench/short_configurations.hpp) are what its throughput
// figures are measured on. Nothing else runs the benchmark, so these tests hold its defaults to
// what it needs: the loader accepts them, every seed ends with a verdict, and the stampede's one mixes
// recovering and failing seeds (a throughput over both outcomes, not over one early failure).
#include <gtest/gtest.h>

#include <set>

#include "explore/fuzz.hpp"
#include "explore/outcome.hpp"
#include "short_configurations.hpp"

namespace {

namespace ex = faultline::explore;

std::set<ex::Verdict> verdicts(const std::string& scenario, std::uint64_t seeds) {
    std::set<ex::Verdict> seen;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        ex::RunSpec spec;
        spec.scenario.name = scenario;
        spec.overrides = bench::short_configuration(scenario);
        spec.seed = seed;
        const ex::Outcome o = ex::execute(spec);
        EXPECT_TRUE(o.verdict == ex::Verdict::pass || o.verdict == ex::Verdict::fail)
            << scenario << " seed " << seed << ": " << ex::to_string(o.verdict) << " " << o.detail;
        EXPECT_GT(o.events, 0u);
        seen.insert(o.verdict);
    }
    return seen;
}

TEST(ShortConfiguration, TheStampedesLoadsAndMixesRecoveringAndFailingSeeds) {
    ASSERT_FALSE(bench::short_configuration("cache-flush-stampede").empty());
    const std::set<ex::Verdict> seen = verdicts("cache-flush-stampede", 6);
    EXPECT_TRUE(seen.count(ex::Verdict::pass)) << "no seed of 1-6 recovered";
    EXPECT_TRUE(seen.count(ex::Verdict::fail)) << "no seed of 1-6 failed";
}

TEST(ShortConfiguration, ChaosLoadsAndEndsWithAVerdict) {
    ASSERT_FALSE(bench::short_configuration("chaos").empty());
    EXPECT_FALSE(verdicts("chaos", 4).empty());
}

TEST(ShortConfiguration, AScenarioWithoutOneRunsAsItIs) { EXPECT_TRUE(bench::short_configuration("no-such").empty()); }

}  // namespace
