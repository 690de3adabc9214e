// The event queue's order is total and stable: (time, order), whatever the insertion order.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "sim/event_queue.hpp"

namespace {

using Entry = sim::EventQueue::Entry;

std::vector<Entry> drain(sim::EventQueue& q) {
    std::vector<Entry> out;
    while (!q.empty()) out.push_back(q.pop());
    return out;
}

TEST(EventQueue, PopsByTimeThenOrder) {
    sim::EventQueue q;
    q.push({5, 2, 0});
    q.push({1, 9, 1});
    q.push({5, 1, 2});
    q.push({3, 0, 3});
    auto out = drain(q);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].payload, 1u);
    EXPECT_EQ(out[1].payload, 3u);
    EXPECT_EQ(out[2].payload, 2u);  // time 5, order 1
    EXPECT_EQ(out[3].payload, 0u);  // time 5, order 2
}

RC_GTEST_PROP(EventQueue, PopOrderIsTheSortedOrderWhateverTheInsertionOrder, (std::vector<std::int64_t> times)) {
    sim::EventQueue q;
    std::vector<Entry> pushed;
    std::uint64_t order = 0;
    for (auto t : times) {
        Entry e{((t % 50) + 50) % 50, order++, order * 7};  // many equal times: ties must resolve by order
        pushed.push_back(e);
        q.push(e);
    }
    auto out = drain(q);
    std::sort(pushed.begin(), pushed.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.time, a.order) < std::tie(b.time, b.order);
    });
    RC_ASSERT(out.size() == pushed.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        RC_ASSERT(out[i].time == pushed[i].time);
        RC_ASSERT(out[i].order == pushed[i].order);
        RC_ASSERT(out[i].payload == pushed[i].payload);
    }
}

// The kernel's usage: pops advance `now`; pushes are at now or later, many exactly at now (the
// FIFO lane), some with shuffled orders. The pop sequence must equal a sorted reference model.
RC_GTEST_PROP(EventQueue, BothLanesTogetherPopInExactlyTheSortedOrder,
              (std::vector<std::tuple<bool, std::uint8_t, bool>> ops)) {
    sim::EventQueue q;
    std::vector<Entry> model;  // everything pushed and not yet popped
    std::uint64_t seq = 0;
    std::int64_t now = 0;
    auto model_pop = [&] {
        auto it = std::min_element(model.begin(), model.end(), sim::EventQueue::before);
        Entry e = *it;
        model.erase(it);
        return e;
    };
    for (auto [is_pop, dt, shuffled] : ops) {
        if (is_pop && !q.empty()) {
            Entry got = q.pop();
            Entry want = model_pop();
            RC_ASSERT(got.time == want.time);
            RC_ASSERT(got.order == want.order);
            RC_ASSERT(got.time >= now);
            now = got.time;
        } else {
            const std::int64_t t = now + (dt % 3 == 0 ? 0 : dt % 7);
            const std::uint64_t order = shuffled ? ((static_cast<std::uint64_t>(dt) * 0x9E3779B97F4A7C15ull) & ~0xFFFFFFFFull) | seq : seq;
            ++seq;
            Entry e{t, order, seq};
            q.push(e, now);
            model.push_back(e);
        }
    }
    while (!q.empty()) {
        Entry got = q.pop();
        Entry want = model_pop();
        RC_ASSERT(got.order == want.order);
    }
    RC_ASSERT(model.empty());
}

}  // namespace
