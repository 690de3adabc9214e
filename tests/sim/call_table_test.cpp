// The network's pending-call table answers exactly like a map, whatever mix of short and
// long-lived calls it holds, across its growth and its backward-shift erasure; so does the
// window in front of it (CallWindow), across its spills, out-of-sequence ids and jumps, and a
// call that is never answered does not make the window grow.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

#include "sim/call_table.hpp"
#include "sim/call_window.hpp"

namespace {

using Table = sim::detail::CallTable<int>;
using Window = sim::detail::CallWindow<int>;
using SmallWindow = sim::detail::CallWindow<int, 4>;  // spills within a property's few hundred steps

template <class T>
void takes_what_was_inserted_once() {
    T t;
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

TEST(CallTable, TakesWhatWasInsertedOnceAndNothingElse) { takes_what_was_inserted_once<Table>(); }
TEST(CallWindow, TakesWhatWasInsertedOnceAndNothingElse) { takes_what_was_inserted_once<Window>(); }

// Ids come in sequence, as from Network::next_call_id; each step either starts the next call or
// ends one (a reply, a timeout's forget, or a late reply for one already gone). Some calls live
// long while thousands of others come and go: the case that breaks naive low-bits indexing.
// Now and then the sequence jumps ahead, and some of the ids it skipped are inserted later, out
// of sequence (the network never does either; the tables must not care).
template <class T>
void answers_like_a_map(const std::vector<std::uint32_t>& steps) {
    T t;
    std::map<std::uint64_t, int*> model;
    std::vector<int> values(steps.size() + 1);
    std::vector<std::uint64_t> skipped;
    std::uint64_t next_id = 0;
    for (std::uint32_t step : steps) {
        if (step % 17 == 0 && !skipped.empty()) {
            const std::uint64_t id = skipped.back();
            skipped.pop_back();
            int* v = &values[id % values.size()];
            t.insert(id, v);
            model.emplace(id, v);
        } else if (step % 3 != 0 || model.empty()) {
            if (step % 13 == 0) {
                const std::uint64_t jump = step % 3000;
                for (std::uint64_t k = 1; k <= std::min<std::uint64_t>(jump, 3); ++k) skipped.push_back(next_id + k);
                next_id += jump;
            }
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

RC_GTEST_PROP(CallTable, AnswersLikeAMap, (const std::vector<std::uint32_t>& steps)) {
    answers_like_a_map<Table>(steps);
}

RC_GTEST_PROP(CallWindow, AnswersLikeAMap, (const std::vector<std::uint32_t>& steps)) {
    answers_like_a_map<Window>(steps);
    answers_like_a_map<SmallWindow>(steps);
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

// Calls that are never answered sit among a million that are: the window stays small (their
// slots move to the hash table) and each of them is still found, oldest and newest alike.
TEST(CallWindow, CallsNeverAnsweredDoNotMakeTheWindowGrow) {
    Window t;
    std::vector<int> values(64);
    std::uint64_t id = 0;
    std::vector<std::uint64_t> stuck;
    std::size_t widest = 0;
    for (int round = 0; round < 1000; ++round) {
        if (round % 16 == 0) {
            t.insert(++id, &values[stuck.size() % values.size()]);
            stuck.push_back(id);
        }
        for (int i = 0; i < 1000; ++i) {  // 50 in flight at a time, answered in order
            t.insert(++id, &values[0]);
            if (i >= 50) {
                ASSERT_EQ(t.take(id - 50), &values[0]);
            }
        }
        for (std::uint64_t late = id - 49; late <= id; ++late) ASSERT_EQ(t.take(late), &values[0]);
        widest = std::max(widest, t.window());
    }
    EXPECT_LE(widest, Window::spill_above * (stuck.size() + 51) + Window::window_min + 1);  // not the million ids made
    EXPECT_GT(t.spilled(), 0u);  // the stuck ones left the window
    EXPECT_EQ(t.size(), stuck.size());
    for (std::size_t i = 0; i < stuck.size(); ++i) ASSERT_EQ(t.take(stuck[i]), &values[i % values.size()]);
    EXPECT_EQ(t.size(), 0u);
}

// Ids out of sequence (older than the window) and jumps far ahead (a new window) are kept too.
TEST(CallWindow, IdsOutOfSequenceAndJumpsAheadAreKept) {
    Window t;
    int a = 1, b = 2, c = 3, d = 4;
    t.insert(1000, &a);
    t.insert(10, &b);                      // below the window
    t.insert(1'000'000'000'000ULL, &c);    // far ahead: the window starts again there
    t.insert(1001, &d);                    // now below the new window too
    EXPECT_EQ(t.size(), 4u);
    EXPECT_LE(t.window(), 1u);
    EXPECT_EQ(t.take(1001), &d);
    EXPECT_EQ(t.take(10), &b);
    EXPECT_EQ(t.take(1'000'000'000'000ULL), &c);
    EXPECT_EQ(t.take(1000), &a);
    EXPECT_EQ(t.size(), 0u);
}

}  // namespace
