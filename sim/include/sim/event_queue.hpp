// The kernel's event queue, ordered by (time, order).
//
// `order` is a per-run sequence number (or, when same-time exploration is on, a seeded priority
// with the sequence number in its low bits), so the order is total and never depends on
// addresses, hashing or the standard library. Cancellation is lazy: the kernel tags entries with
// a generation and skips stale ones when they surface, so the queue needs no back-pointers.
//
// Two lanes, one order. Most events scheduled for the current instant (wake-ups, yields,
// posts) carry increasing orders, so among themselves they are already sorted: they go to a FIFO
// ring (O(1)) instead of the heap. pop() takes whichever lane's head is smaller, so the result
// is exactly the order a single heap would give. A push that would break the ring's sortedness
// (an older time, or an order that is not the largest: shuffled ties) goes to the heap instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim {

class EventQueue {
public:
    struct Entry {
        std::int64_t time;      // virtual nanoseconds, >= 0
        std::uint64_t order;    // tie-break among equal times; unique per run
        std::uint64_t payload;  // what to do; interpreted by the kernel
    };

    bool empty() const noexcept { return heap_.empty() && ring_size_ == 0; }
    std::size_t size() const noexcept { return heap_.size() + ring_size_; }
    void reserve(std::size_t n) { heap_.reserve(n); }

    const Entry& top() const noexcept {
        if (ring_size_ == 0) return heap_.front();
        const Entry& r = ring_[ring_head_];
        if (heap_.empty() || before(r, heap_.front())) return r;
        return heap_.front();
    }

    // `now` is the current virtual time: entries for it may take the FIFO lane.
    void push(const Entry& e, std::int64_t now) {
        if (e.time == now && (ring_size_ == 0 || before(ring_back(), e))) {
            ring_push(e);
            return;
        }
        heap_push(e);
    }
    void push(const Entry& e) { heap_push(e); }

    Entry pop() {
        if (ring_size_ != 0 && (heap_.empty() || before(ring_[ring_head_], heap_.front()))) return ring_pop();
        return heap_pop();
    }

    static bool before(const Entry& a, const Entry& b) noexcept { return key(a) < key(b); }

private:
    // (time, order) as one unsigned 128-bit number: one comparison instead of two branches.
    __extension__ using Key = unsigned __int128;  // __extension__: a GCC/Clang type, on purpose
    static Key key(const Entry& e) noexcept {
        return (static_cast<Key>(static_cast<std::uint64_t>(e.time)) << 64) | e.order;
    }

    // ---- the heap: binary, with Floyd's bottom-up pop (fewest comparisons per pop) ------------
    void heap_push(const Entry& e) {
        heap_.push_back(e);
        std::size_t i = heap_.size() - 1;
        const auto k = key(e);
        while (i > 0) {
            std::size_t parent = (i - 1) / 2;
            if (!(k < key(heap_[parent]))) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = e;
    }

    Entry heap_pop() {
        Entry out = heap_.front();
        Entry last = heap_.back();
        heap_.pop_back();
        const std::size_t n = heap_.size();
        if (n == 0) return out;
        // Walk the hole down to a leaf along the smaller children, then sift `last` up from there.
        std::size_t i = 0;
        for (;;) {
            std::size_t c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && key(heap_[c + 1]) < key(heap_[c])) ++c;
            heap_[i] = heap_[c];
            i = c;
        }
        const auto k = key(last);
        while (i > 0) {
            std::size_t parent = (i - 1) / 2;
            if (!(k < key(heap_[parent]))) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = last;
        return out;
    }

    // ---- the ring: a power-of-two circular buffer ------------------------------------------------
    const Entry& ring_back() const noexcept { return ring_[(ring_head_ + ring_size_ - 1) & (ring_.size() - 1)]; }
    void ring_push(const Entry& e) {
        if (ring_size_ == ring_.size()) ring_grow();
        ring_[(ring_head_ + ring_size_) & (ring_.size() - 1)] = e;
        ++ring_size_;
    }
    Entry ring_pop() noexcept {
        Entry e = ring_[ring_head_];
        ring_head_ = (ring_head_ + 1) & (ring_.size() - 1);
        --ring_size_;
        return e;
    }
    void ring_grow() {
        std::vector<Entry> bigger(ring_.empty() ? 64 : ring_.size() * 2);
        for (std::size_t i = 0; i < ring_size_; ++i) bigger[i] = ring_[(ring_head_ + i) & (ring_.size() - 1)];
        ring_.swap(bigger);
        ring_head_ = 0;
    }

    std::vector<Entry> heap_;
    std::vector<Entry> ring_;
    std::size_t ring_head_ = 0;
    std::size_t ring_size_ = 0;
};

}  // namespace sim
