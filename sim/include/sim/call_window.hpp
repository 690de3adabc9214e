// The network's calls waiting for an answer, by call id: a window over the recent ids in front
// of a hash table (CallTable) for the few that stay long.
//
// Ids are handed out in sequence and a call is inserted as soon as its id is, so the live ids
// are a band just below the newest one. The window is a ring of value pointers indexed by
// `id - base_`: an insert writes the slot after the last, in the cache line the previous call
// wrote, and most answers come back while their slot's line is still warm. A hash table
// scatters consecutive ids on purpose (see call_table.hpp), so each insert and each answer cost
// a cache miss in a big run (the stampede at 10,000 clients: the probe was half of Rpc::call).
//
// What the window leaves out. A call that is never answered (no timeout, a dead server) would
// hold its slot, and the window would grow behind it with every call made since. So once the
// window is mostly empty slots (more than sixteen per live call, and past `window_min`), its
// oldest entries move to the hash table until it is down to eight, and the hash table is then the
// home of every id below the window. Ids that arrive out of sequence (below the window) go there
// too, and a gap in the sequence larger than the window starts a new one. Lookups answer exactly
// like a map whatever the order. Nothing iterates either part: the order of slots never matters.
//
// The window costs 8 bytes a slot, so at most 128 bytes per live call. (Four slots per live call
// spilled 18% of the stampede's calls, whose timeouts outlive thousands of quick answers;
// sixteen spills 3%.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/call_table.hpp"

namespace sim::detail {

template <class V, std::size_t WindowMin = 1024>
class CallWindow {
public:
    static constexpr std::size_t window_min = WindowMin;  // slots the window may span before it spills
    static constexpr std::size_t spill_above = 16;         // slots per live call that start a spill
    static constexpr std::size_t spill_down_to = 8;        // and where it stops

    // Ids are never 0 and a live id is inserted once.
    void insert(std::uint64_t id, V* value) {
        if (id < base_) {  // older than the window: the hash table holds everything below it
            spill_.insert(id, value);
            return;
        }
        if (count_ == 0) base_ = id;
        const std::uint64_t end = base_ + count_;
        if (id >= end) {
            if (id - end > count_ + window_min) {  // a jump in the sequence: a new window
                spill_oldest_until(0);
                base_ = id;
            }
            while (base_ + count_ <= id) push_back_empty();
        }
        V*& slot = at(id);
        slot = value;
        ++live_;
        if (count_ > window_min && count_ > spill_above * live_) {
            spill_oldest_until(spill_down_to * live_ + window_min / 2);
        }
    }

    // Removes `id` and returns its value, or null if it is not there.
    V* take(std::uint64_t id) noexcept {
        if (id < base_) return spill_.size() == 0 ? nullptr : spill_.take(id);
        if (id - base_ >= count_) return nullptr;
        V*& slot = at(id);
        V* value = slot;
        if (value == nullptr) return nullptr;
        slot = nullptr;
        --live_;
        drop_leading_empty();
        return value;
    }

    std::size_t size() const noexcept { return live_ + spill_.size(); }
    // Slots the window spans (live or not), and the ids in the hash table: for tests.
    std::size_t window() const noexcept { return count_; }
    std::size_t spilled() const noexcept { return spill_.size(); }

private:
    V*& at(std::uint64_t id) noexcept { return ring_[(head_ + static_cast<std::size_t>(id - base_)) & mask_]; }

    void push_back_empty() {
        if (count_ == ring_.size()) grow();
        ring_[(head_ + count_) & mask_] = nullptr;
        ++count_;
    }
    void pop_front() noexcept {
        head_ = (head_ + 1) & mask_;
        ++base_;
        --count_;
    }

    void drop_leading_empty() noexcept {
        while (count_ != 0 && ring_[head_] == nullptr) pop_front();
    }

    // The window's oldest entries move to the hash table until it spans at most `span` slots (0:
    // all of them), and it then starts at a live one.
    [[gnu::noinline]] void spill_oldest_until(std::size_t span) {
        while (count_ > span) {
            if (V* v = ring_[head_]) {
                spill_.insert(base_, v);
                --live_;
            }
            pop_front();
        }
        drop_leading_empty();
    }

    [[gnu::noinline]] void grow() {
        std::vector<V*> bigger(ring_.empty() ? 256 : 2 * ring_.size(), nullptr);
        for (std::size_t i = 0; i < count_; ++i) bigger[i] = ring_[(head_ + i) & mask_];
        ring_.swap(bigger);
        head_ = 0;
        mask_ = ring_.size() - 1;
    }

    std::vector<V*> ring_;       // power-of-two capacity; slot of id: (head_ + id - base_) & mask_
    std::size_t mask_ = 0;
    std::size_t head_ = 0;       // base_'s slot
    std::uint64_t base_ = 0;     // the window's first id; every id below it is in spill_
    std::size_t count_ = 0;      // ids the window spans
    std::size_t live_ = 0;       // non-null slots among them
    CallTable<V> spill_;
};

}  // namespace sim::detail
