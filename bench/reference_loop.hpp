// The reference every kernel benchmark is measured against: a minimal callback event loop, a
// binary heap of plain callbacks (function pointer + argument) ordered by (time, sequence).
// It does the same logical work as the faultline workload next to it, with nothing else: no
// fibers, no trace hash, no invariants. The ratio faultline/reference is the figure we track.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

namespace bench {

class ReferenceLoop {
public:
    using Fn = void (*)(ReferenceLoop&, void*);

    std::int64_t now() const { return now_; }
    void at(std::int64_t t, Fn fn, void* arg) { heap_.push({t, seq_++, fn, arg}); }
    std::uint64_t run() {
        std::uint64_t n = 0;
        while (!heap_.empty()) {
            Item it = heap_.top();
            heap_.pop();
            now_ = it.time;
            it.fn(*this, it.arg);
            ++n;
        }
        return n;
    }

private:
    struct Item {
        std::int64_t time;
        std::uint64_t seq;
        Fn fn;
        void* arg;
        bool operator<(const Item& o) const {  // std::priority_queue is a max-heap
            return time > o.time || (time == o.time && seq > o.seq);
        }
    };
    std::priority_queue<Item, std::vector<Item>> heap_;
    std::int64_t now_ = 0;
    std::uint64_t seq_ = 0;
};

}  // namespace bench
