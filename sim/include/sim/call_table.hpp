// The network's table of calls waiting for an answer: call id -> the caller's pending record.
//
// Open addressing with linear probing, kept at most half full, so a lookup is about one load,
// where a std::unordered_map allocated a node per call and walked a bucket list (a malloc, a
// free and a hash per RPC in a big run). Ids are handed out in sequence, and indexing by their
// low bits would be a trap: slow calls (timeouts to a dead server) stay while thousands of later
// ids pass, their slots come round again, and the clusters they start soak up every later id
// (a run of sequential homes). Fibonacci hashing (multiply by 2^64/phi, keep the top bits)
// scatters consecutive ids instead. Erasing shifts the entries after it back (no tombstones).
// Nothing iterates it: the order of its slots never matters.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim::detail {

template <class V>
class CallTable {
public:
    // Ids are never 0 (0 marks an empty slot) and a live id is inserted once.
    void insert(std::uint64_t id, V* value) {
        if (2 * (size_ + 1) > slots_.size()) grow();
        std::size_t i = home(id);
        while (slots_[i].id != 0) i = (i + 1) & mask_;
        slots_[i] = {id, value};
        ++size_;
    }

    // Removes `id` and returns its value, or null if it is not there.
    V* take(std::uint64_t id) noexcept {
        if (size_ == 0 || id == 0) return nullptr;
        std::size_t i = home(id);
        for (;; i = (i + 1) & mask_) {
            if (slots_[i].id == id) break;
            if (slots_[i].id == 0) return nullptr;
        }
        V* value = slots_[i].value;
        erase_at(i);
        return value;
    }

    std::size_t size() const noexcept { return size_; }

private:
    struct Slot {
        std::uint64_t id = 0;
        V* value = nullptr;
    };

    std::size_t home(std::uint64_t id) const noexcept { return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift_); }

    // Backward-shift deletion: each later entry of the run that may live in slot i moves there.
    void erase_at(std::size_t i) noexcept {
        for (std::size_t j = (i + 1) & mask_; slots_[j].id != 0; j = (j + 1) & mask_) {
            const std::size_t h = home(slots_[j].id);
            // j may move to i unless its home lies cyclically in (i, j].
            const bool stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
            if (!stays) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = {};
        --size_;
    }

    [[gnu::noinline]] void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 64 : 2 * old.size(), Slot{});
        mask_ = slots_.size() - 1;
        shift_ = 64 - std::countr_zero(slots_.size());
        size_ = 0;
        for (const Slot& s : old) {
            if (s.id != 0) insert(s.id, s.value);
        }
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    int shift_ = 63;
    std::size_t size_ = 0;
};

}  // namespace sim::detail
