// Delta debugging, the shrinker's core: for random planted "bug sets" it must return a subset
// that still fails and from which no single element can be removed (1-minimal).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>

#include "explore/shrink.hpp"

namespace {

using Subset = std::vector<std::size_t>;

// Fails when the subset contains every element of at least one of the bugs.
bool fails_with(const std::vector<std::set<std::size_t>>& bugs, const Subset& s) {
    const std::set<std::size_t> have(s.begin(), s.end());
    return std::any_of(bugs.begin(), bugs.end(), [&](const std::set<std::size_t>& bug) {
        return std::includes(have.begin(), have.end(), bug.begin(), bug.end());
    });
}

RC_GTEST_PROP(Ddmin, FindsAOneMinimalFailingSubsetForRandomBugSets, ()) {
    const auto n = *rc::gen::inRange<std::size_t>(1, 60);
    const auto bug_count = *rc::gen::inRange<std::size_t>(1, 4);
    std::vector<std::set<std::size_t>> bugs;
    for (std::size_t b = 0; b < bug_count; ++b) {
        const auto size = *rc::gen::inRange<std::size_t>(1, std::min<std::size_t>(n, 4) + 1);
        std::set<std::size_t> bug;
        while (bug.size() < size) bug.insert(*rc::gen::inRange<std::size_t>(0, n));
        bugs.push_back(bug);
    }
    std::size_t calls = 0;
    std::size_t runs_left = 100'000;
    const Subset result = faultline::explore::ddmin(
        n,
        [&](const Subset& s) {
            ++calls;
            return fails_with(bugs, s);
        },
        runs_left);
    RC_ASSERT(std::is_sorted(result.begin(), result.end()));
    RC_ASSERT(fails_with(bugs, result));
    for (std::size_t i = 0; i < result.size(); ++i) {  // 1-minimal: every element is needed
        Subset without = result;
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
        RC_ASSERT(!fails_with(bugs, without));
    }
    // One bug: the minimal failing subset is exactly that bug.
    if (bugs.size() == 1) RC_ASSERT(std::set<std::size_t>(result.begin(), result.end()) == bugs.front());
    RC_ASSERT(calls == 100'000 - runs_left);
}

TEST(Ddmin, AFailureThatNeedsNoElementShrinksToNothing) {
    std::size_t runs_left = 100;
    EXPECT_TRUE(faultline::explore::ddmin(
                    10, [](const Subset&) { return true; }, runs_left)
                    .empty());
    EXPECT_EQ(runs_left, 99u);
}

TEST(Ddmin, StopsAtItsRunBudgetWithAFailingSubset) {
    // The bug is elements 3 and 17 of 40; three runs cannot isolate them.
    const std::vector<std::set<std::size_t>> bugs = {{3, 17}};
    std::size_t runs_left = 3;
    const Subset result = faultline::explore::ddmin(
        40, [&](const Subset& s) { return fails_with(bugs, s); }, runs_left);
    EXPECT_EQ(runs_left, 0u);
    EXPECT_TRUE(fails_with(bugs, result));
    EXPECT_GT(result.size(), 2u);
}

TEST(Ddmin, NeverRunsTheSameSubsetTwice) {
    const std::vector<std::set<std::size_t>> bugs = {{1, 5, 9}};
    std::set<Subset> seen;
    bool repeated = false;
    std::size_t runs_left = 10'000;
    faultline::explore::ddmin(
        16,
        [&](const Subset& s) {
            repeated = repeated || !seen.insert(s).second;
            return fails_with(bugs, s);
        },
        runs_left);
    EXPECT_FALSE(repeated);
}

}  // namespace
