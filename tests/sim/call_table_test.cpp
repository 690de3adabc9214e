// The network's pending-call table answers exactly like a map, whatever mix of short and
// long-lived calls it holds, across its growth and its backward-shift erasure.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

#include "sim/call_table.hpp"

namespace {

using Table = sim::detail::CallTable<int>;

TEST(CallTable, TakesWhatWasInsertedOnceAndNothingElse) {
    Table t;
    int a = 1, b = 2;
    t.insert(7, &a);
    t.insert(8, &b);
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.take(9), nullptr);
    EXPECT_EQ(t.take(7), &a);
    EXPECT_EQ(t.take(7), nullptr);  // gone: a late reply finds nothing
    EXPECT_EQ(t.take(8), &b);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.take(8), nullptr);
}

// Ids come in sequence, as from Network::next_call_id; each step either starts the next call or
// ends one (a reply, a timeout's forget, or a late reply for one already gone). Some calls live
// long while thousands of others come and go: the case that breaks naive low-bits indexing.
RC_GTEST_PROP(CallTable, AnswersLikeAMap, (const std::vector<std::uint32_t>& steps)) {
    Table t;
    std::map<std::uint64_t, int*> model;
    std::vector<int> values(steps.size() + 1);
    std::uint64_t next_id = 0;
    for (std::uint32_t step : steps) {
        if (step % 3 != 0 || model.empty()) {
            ++next_id;
            int* v = &values[next_id % values.size()];
            t.insert(next_id, v);
            model.emplace(next_id, v);
        } else {
            // End a live call picked by the step (mostly recent ones, sometimes the oldest), or
            // ask for one that is already gone.
            std::uint64_t id;
            if (step % 7 == 0) {
                id = next_id - (step / 7) % (next_id + 1);
            } else {
                auto it = model.end();
                std::advance(it, -static_cast<long>(1 + (step / 3) % model.size()));
                id = (step % 5 == 0) ? model.begin()->first : it->first;
            }
            int* expected = nullptr;
            if (auto it = model.find(id); it != model.end()) {
                expected = it->second;
                model.erase(it);
            }
            RC_ASSERT(t.take(id) == expected);
        }
        RC_ASSERT(t.size() == model.size());
    }
    for (auto [id, v] : model) RC_ASSERT(t.take(id) == v);
    RC_ASSERT(t.size() == 0u);
}

TEST(CallTable, ManyLongLivedCallsAmongShortOnes) {
    Table t;
    int v = 0;
    std::uint64_t id = 0;
    std::vector<std::uint64_t> long_lived;
    for (int round = 0; round < 200; ++round) {
        t.insert(++id, &v);  // stays
        long_lived.push_back(id);
        for (int i = 0; i < 1000; ++i) {  // come and go
            t.insert(++id, &v);
            ASSERT_EQ(t.take(id), &v);
        }
    }
    EXPECT_EQ(t.size(), long_lived.size());
    for (std::uint64_t l : long_lived) ASSERT_EQ(t.take(l), &v);
    EXPECT_EQ(t.size(), 0u);
}

}  // namespace
