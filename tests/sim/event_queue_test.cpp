// The event queue's order is total and stable: (time, order), whatever the insertion order.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <span>
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
// `delay` maps a drawn byte to how far ahead of now a push is.
void pops_in_sorted_order(sim::EventQueue& q, const std::vector<std::tuple<bool, std::uint8_t, bool>>& ops,
                          std::int64_t (*delay)(std::uint8_t)) {
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
            const std::int64_t t = now + delay(dt);
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

RC_GTEST_PROP(EventQueue, BothLanesTogetherPopInExactlyTheSortedOrder,
              (std::vector<std::tuple<bool, std::uint8_t, bool>> ops)) {
    sim::EventQueue q;
    pops_in_sorted_order(q, ops, [](std::uint8_t dt) -> std::int64_t { return dt % 3 == 0 ? 0 : dt % 7; });
}

// A fixed latency, now and then something due now or a little earlier: the ring holds later
// events while they come in time order, and the heap takes over when one does not.
RC_GTEST_PROP(EventQueue, InOrderLaterEventsInTheRingPopInExactlyTheSortedOrder,
              (std::vector<std::tuple<bool, std::uint8_t, bool>> ops)) {
    sim::EventQueue q;
    pops_in_sorted_order(q, ops, [](std::uint8_t dt) -> std::int64_t { return dt % 5 == 0 ? 0 : dt % 11 == 0 ? 3 : 7; });
}
RC_GTEST_PROP(EventQueue, InOrderLaterEventsAndTheTimingWheelPopInExactlyTheSortedOrder,
              (std::vector<std::tuple<bool, std::uint8_t, bool>> ops)) {
    sim::EventQueue q(sim::EventQueue::Tuning{.wheel_from = 4, .bucket_shift = 2, .buckets = 8});
    pops_in_sorted_order(q, ops, [](std::uint8_t dt) -> std::int64_t { return dt % 5 == 0 ? 0 : dt % 11 == 0 ? 3 : dt % 13 == 0 ? 90 : 7; });
}

// A queue whose timing wheel starts at 4 entries, with 8 buckets 4ns wide: pushes land before the
// horizon, in the wheel, in the overflow past it, and the wheel starts, turns, jumps and stops.
RC_GTEST_PROP(EventQueue, WithTheTimingWheelPopsInExactlyTheSortedOrder,
              (std::vector<std::tuple<bool, std::uint8_t, bool>> ops)) {
    sim::EventQueue q(sim::EventQueue::Tuning{.wheel_from = 4, .bucket_shift = 2, .buckets = 8});
    pops_in_sorted_order(q, ops, [](std::uint8_t dt) -> std::int64_t { return dt % 3 == 0 ? 0 : (dt * dt) % 211; });
}

// The wheel with 4 buckets 2ns wide (8ns ahead) and delays from 0 to a few thousand ns: most
// entries wait in the overflow list, far apart, so the wheel jumps empty stretches and pulls the
// overflow in again and again, often exactly when its earliest entry is the next bucket due.
// (The other wheel properties keep most entries within the buckets; this one fails when the pull
// waits one bucket too long.)
RC_GTEST_PROP(EventQueue, TheWheelOverWideDelaysPopsInExactlyTheSortedOrder,
              (std::vector<std::tuple<bool, std::uint8_t, bool>> ops)) {
    sim::EventQueue q(sim::EventQueue::Tuning{.wheel_from = 3, .bucket_shift = 1, .buckets = 4});
    // Eight variations of the drawn operations one after another: a long run even from a short draw.
    std::vector<std::tuple<bool, std::uint8_t, bool>> longer;
    for (int k = 0; k < 8; ++k) {
        for (auto [is_pop, dt, shuffled] : ops) longer.emplace_back(is_pop, static_cast<std::uint8_t>(dt + 37 * k), shuffled);
    }
    pops_in_sorted_order(q, longer, [](std::uint8_t dt) -> std::int64_t {
        switch (dt % 4) {
            case 0: return dt % 3;                       // now or just after: the ring and the heap
            case 1: return 2 + dt % 30;                  // the buckets and just past them
            case 2: return 30 + (dt * 7) % 100;          // the overflow list, near
            default: return 100 + (dt * dt * 13) % 3000;  // the overflow list, far apart
        }
    });
}

TEST(EventQueue, TimingWheelKeepsOrderAcrossBucketsOverflowAndRestarts) {
    sim::EventQueue q(sim::EventQueue::Tuning{.wheel_from = 2, .bucket_shift = 1, .buckets = 4});
    std::vector<Entry> pushed;
    std::uint64_t order = 0;
    for (int round = 0; round < 3; ++round) {  // the queue empties between rounds: the wheel stops
        const std::int64_t base = round * 1000;
        for (std::int64_t t : {base + 500, base + 3, base + 3, base + 40, base + 0, base + 9, base + 41, base + 2}) {
            Entry e{t, order++, order};
            pushed.push_back(e);
            q.push(e, base);
        }
        for (std::size_t i = pushed.size() - 8; i < pushed.size(); ++i) {
            auto it = std::min_element(pushed.begin() + static_cast<std::ptrdiff_t>(i), pushed.end(), sim::EventQueue::before);
            std::iter_swap(pushed.begin() + static_cast<std::ptrdiff_t>(i), it);
            ASSERT_FALSE(q.empty());
            EXPECT_EQ(q.top().order, pushed[i].order);
            Entry got = q.pop();
            EXPECT_EQ(got.time, pushed[i].time);
            EXPECT_EQ(got.order, pushed[i].order);
        }
        EXPECT_TRUE(q.empty());
        EXPECT_EQ(q.size(), 0u);
    }
}

// The turn hook (the kernel's sieve) sees each bucket the wheel turns into the heap before
// any of its entries pops: every entry that waited in the wheel is announced exactly once, all
// the entries of one announcement share a bucket, and entries that never left the heap are not
// announced. It changes nothing in the order.
TEST(EventQueue, TheTurnHookAnnouncesEachBucketBeforeItsEntriesPop) {
    sim::EventQueue q(sim::EventQueue::Tuning{.wheel_from = 2, .bucket_shift = 2, .buckets = 4});
    struct Seen {
        std::map<std::uint64_t, int> announced;  // order -> announcement number
        int turns = 0;
        bool one_bucket_each = true;
    } seen;
    q.on_turn(
        [](void* context, std::span<Entry> near) noexcept {
            auto& s = *static_cast<Seen*>(context);
            ++s.turns;
            for (const Entry& e : near) {
                if (!s.announced.emplace(e.order, s.turns).second) s.announced[e.order] = -1;  // twice: wrong
                if ((e.time >> 2) != (near.front().time >> 2)) s.one_bucket_each = false;
            }
            return near.size();  // keeps them all
        },
        &seen);
    // Two entries due first, then the wheel starts with the third: the rest wait in buckets (and,
    // past 16ns, in the overflow list).
    const std::vector<std::int64_t> times = {1, 2, 3, 9, 10, 14, 30, 31, 70, 5};
    std::uint64_t order = 0;
    for (std::int64_t t : times) q.push(Entry{t, order++, 0});  // the heap (not the ring), then the wheel
    std::vector<Entry> popped = drain(q);
    ASSERT_EQ(popped.size(), times.size());
    EXPECT_TRUE(seen.one_bucket_each);
    EXPECT_GE(seen.turns, 4);  // buckets of 9-10, 14, 30-31 and 70 at least
    int turns_before = 0;      // announcements made before each pop, counted by replaying them
    for (const Entry& e : popped) {
        auto it = seen.announced.find(e.order);
        if (e.time < 4) {  // due in the first bucket: stayed in the heap, never in the wheel
            EXPECT_EQ(it, seen.announced.end()) << "t=" << e.time;
            continue;
        }
        ASSERT_NE(it, seen.announced.end()) << "t=" << e.time << " popped without an announcement";
        EXPECT_GT(it->second, 0) << "t=" << e.time << " announced twice";
        EXPECT_GE(it->second, turns_before) << "announcements come in bucket order";
        turns_before = it->second;
    }
    for (std::size_t i = 1; i < popped.size(); ++i) EXPECT_LE(popped[i - 1].time, popped[i].time);
}

// The turn hook may drop entries (the kernel drops cancelled ones): exactly those leave the
// queue, wherever the wheel had put them (its buckets, the overflow list), and everything else
// pops in the same order as without the hook. A property over random times, many of them past
// the wheel's reach.
TEST(EventQueue, EntriesTheTurnHookDropsLeaveTheQueueAndNothingElseChanges) {
    rc::check([](const std::vector<std::uint16_t>& times) {
        auto hook = [](void*, std::span<Entry> near) noexcept {
            std::size_t kept = 0;
            for (const Entry& e : near) {
                if (e.payload % 3 != 0) near[kept++] = e;  // payload % 3 == 0: dead
            }
            return kept;
        };
        sim::EventQueue sieved(sim::EventQueue::Tuning{.wheel_from = 4, .bucket_shift = 4, .buckets = 8});
        sim::EventQueue plain(sim::EventQueue::Tuning{.wheel_from = 4, .bucket_shift = 4, .buckets = 8});
        sieved.on_turn(hook, nullptr);
        std::uint64_t order = 0;
        for (std::uint16_t t : times) {
            const Entry e{t, order, order};
            ++order;
            sieved.push(e);
            plain.push(e);
        }
        std::vector<Entry> expected;
        std::size_t offered_dead = 0;
        while (!plain.empty()) expected.push_back(plain.pop());
        std::vector<Entry> got;
        // front(), not empty(): entries waiting in the wheel count as pending until a turn drops them.
        while (const Entry* f = sieved.front()) got.push_back(sieved.pop_front(f));
        // What the sieved queue lost must all be dead; what it popped is the plain order minus them.
        std::size_t g = 0;
        for (const Entry& e : expected) {
            if (g < got.size() && got[g].order == e.order) {
                RC_ASSERT(got[g].time == e.time);
                ++g;
            } else {
                RC_ASSERT(e.payload % 3 == 0);
                ++offered_dead;
            }
        }
        RC_ASSERT(g == got.size());
        // Dead entries that stayed in the heap or the ring (never in a turned bucket) still pop,
        // and the kernel skips them there; those that waited in the wheel are dropped.
        RC_TAG(offered_dead > 0 ? "some dropped" : "none dropped");
    });
}

// Dead entries waiting far ahead (cancelled timeouts) are dropped once they pile up, so the queue
// holds what is pending, not what was ever scheduled; the live ones pop in the same order, and
// of the dead entries past the loop's end the earliest stays (it decides why the loop stops).
TEST(EventQueue, DeadEntriesWaitingFarAheadAreDroppedAndTheEarliestPastTheEndStays) {
    using Fate = sim::EventQueue::Fate;
    constexpr std::int64_t end = 5000;  // the loop's end: later entries never run
    auto fate = [](void*, const Entry& e) noexcept {
        if (e.payload % 10 != 0) return Fate::live;  // nine in ten are cancelled
        return e.time <= end ? Fate::dead : Fate::dead_past_end;
    };
    rc::check([&](const std::vector<std::uint16_t>& times, bool in_time_order) {
        const sim::EventQueue::Tuning tuning{.wheel_from = 4, .bucket_shift = 4, .buckets = 8, .sweep_from = 16};
        sim::EventQueue swept(tuning), plain(tuning);
        swept.on_dead(fate, nullptr);
        std::vector<std::int64_t> ts(times.begin(), times.end());
        if (in_time_order) std::sort(ts.begin(), ts.end());  // the ring's case: a fixed timeout
        std::uint64_t order = 0;
        for (std::int64_t t : ts) {
            const Entry e{t, order, order};
            ++order;
            swept.push(e, 0);
            plain.push(e, 0);
        }
        std::vector<Entry> expected, got;
        while (!plain.empty()) expected.push_back(plain.pop());
        while (const Entry* f = swept.front()) got.push_back(swept.pop_front(f));
        std::size_t g = 0;
        for (const Entry& e : expected) {
            if (g < got.size() && got[g].order == e.order)
                ++g;
            else
                RC_ASSERT(e.payload % 10 != 0);  // only dead ones went missing
        }
        RC_ASSERT(g == got.size());
        // The earliest entry past the end is the same time in both: why the loop stops is unchanged.
        auto first_past_end = [](const std::vector<Entry>& v) {
            auto it = std::find_if(v.begin(), v.end(), [](const Entry& e) { return e.time > end; });
            return it == v.end() ? std::int64_t{-1} : it->time;
        };
        RC_ASSERT(first_past_end(got) == first_past_end(expected));
    });
}

TEST(EventQueue, AMillionCancelledTimeoutsFarAheadDoNotStayInTheQueue) {
    sim::EventQueue q(sim::EventQueue::Tuning{.sweep_from = 1024});
    q.on_dead(
        [](void*, const Entry& e) noexcept {
            return e.payload % 100 == 0 ? sim::EventQueue::Fate::live : sim::EventQueue::Fate::dead;
        },
        nullptr);
    const std::int64_t hour = 3'600'000'000'000;
    for (std::uint64_t i = 0; i < 1'000'000; ++i) {
        // an arrival now and then, its timeout an hour later (random-ish, so the heap is in use)
        q.push(Entry{static_cast<std::int64_t>(i * 1000 + (i * 7919) % 1000) + hour, i, i}, 0);
    }
    // 10,000 live; the dead ones were dropped as they piled up (at most twice the live and the
    // threshold wait, plus what a sweep has not reached yet).
    EXPECT_LE(q.size(), 2 * (10'000 + 1024) + 1024);
    std::size_t live = 0;
    std::int64_t last = -1;
    while (const Entry* f = q.front()) {  // the dead ones not yet swept still pop (the kernel skips them)
        const Entry e = q.pop_front(f);
        EXPECT_GE(e.time, last);
        last = e.time;
        live += e.payload % 100 == 0 ? 1 : 0;
    }
    EXPECT_EQ(live, 10'000u);
}

}  // namespace
