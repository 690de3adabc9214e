// Golden trace hashes: pinned values that g++/libstdc++, clang++/libstdc++ and clang++/libc++
// must all reproduce (see tests/golden).
#include <gtest/gtest.h>

#include "golden/golden_runs.hpp"
#include "sim/trace.hpp"

TEST(Golden, PinnedSeedsGiveThePinnedTraceHashes) {
    for (const golden::Case& c : golden::cases()) {
        EXPECT_EQ(sim::hash_hex(golden::run_case(c.name, c.seed)), sim::hash_hex(c.expected_hash))
            << "case " << c.name << " seed " << c.seed;
    }
}

TEST(Golden, EachCaseIsDeterministicAcrossRunsInOneProcess) {
    for (const golden::Case& c : golden::cases()) {
        EXPECT_EQ(golden::run_case(c.name, c.seed), golden::run_case(c.name, c.seed)) << c.name;
    }
}
