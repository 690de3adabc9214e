// The kernel's event queue: a 4-ary min-heap of small entries ordered by (time, order).
// `order` is a per-run sequence number (or, when same-time exploration is on, a seeded priority
// with the sequence number in its low bits), so the order is total and never depends on
// addresses, hashing or the standard library. Cancellation is lazy: the kernel tags entries with
// a generation and skips stale ones when they surface, so the heap needs no back-pointers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim {

class EventQueue {
public:
    struct Entry {
        std::int64_t time;      // virtual nanoseconds
        std::uint64_t order;    // tie-break among equal times; unique per run
        std::uint64_t payload;  // what to do; interpreted by the kernel
    };

    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }
    const Entry& top() const noexcept { return heap_.front(); }
    void reserve(std::size_t n) { heap_.reserve(n); }
    void clear() noexcept { heap_.clear(); }

    void push(const Entry& e) {
        heap_.push_back(e);
        sift_up(heap_.size() - 1);
    }

    Entry pop() {
        Entry out = heap_.front();
        Entry last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) sift_down(last);
        return out;
    }

    static bool before(const Entry& a, const Entry& b) noexcept {
        return a.time < b.time || (a.time == b.time && a.order < b.order);
    }

private:
    static constexpr std::size_t arity = 4;

    void sift_up(std::size_t i) {
        Entry e = heap_[i];
        while (i > 0) {
            std::size_t parent = (i - 1) / arity;
            if (!before(e, heap_[parent])) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = e;
    }

    // Moves `e` (the former last element) down from the root into place.
    void sift_down(const Entry& e) {
        const std::size_t n = heap_.size();
        std::size_t i = 0;
        for (;;) {
            std::size_t first = i * arity + 1;
            if (first >= n) break;
            std::size_t best = first;
            std::size_t end = first + arity < n ? first + arity : n;
            for (std::size_t c = first + 1; c < end; ++c) {
                if (before(heap_[c], heap_[best])) best = c;
            }
            if (!before(heap_[best], e)) break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = e;
    }

    std::vector<Entry> heap_;
};

}  // namespace sim
