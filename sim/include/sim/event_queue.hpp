// The kernel's event queue, ordered by (time, order).
//
// `order` is a per-run sequence number (or, when same-time exploration is on, a seeded priority
// with the sequence number in its low bits), so the order is total and never depends on
// addresses, hashing or the standard library. Cancellation is lazy: the kernel tags entries with
// a generation and skips stale ones when they surface, so the queue needs no back-pointers.
//
// Two lanes, one order. Most events scheduled for the current instant (wake-ups, yields,
// posts) carry increasing orders, so among themselves they are already sorted: they go to a FIFO
// ring (O(1)) instead of the heap. So do later events while the heap is empty and they keep
// coming in time order - a fixed latency, a fixed timeout, a periodic timer: then the whole queue
// is the ring and no push or pop walks a heap. pop() takes whichever lane's head is smaller, so
// the result is exactly the order a single heap would give. A push that would break the ring's
// sortedness (an older time, or an order that is not the largest: shuffled ties) goes to the heap
// instead, and once the heap holds anything only pushes for the current instant join the ring:
// random delays (W1's sleeps) would otherwise keep both lanes busy and pay for two heads.
//
// A large queue also gets a timing wheel in front of the heap. A big run keeps a hundred
// thousand events pending, most of them timeouts seconds away that will be cancelled long before
// they are due; in one binary heap every pop walks its seventeen levels through memory that no
// longer fits in cache, and that was a third of a 10,000-client run. Past `wheel_from` entries,
// entries due at or after the horizon wait unsorted in the bucket of their time (buckets
// 2^bucket_shift ns wide, `buckets` of them; later ones in an overflow list), and the heap only
// ever holds what is due before the horizon. When the heap and the ring run dry, the next
// non-empty bucket becomes the heap and the horizon moves past it. Every entry before the horizon
// is in the heap or the ring and every entry after it is not, so the pop order is unchanged.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace sim {

class EventQueue {
public:
    struct Entry {
        std::int64_t time;      // virtual nanoseconds, >= 0
        std::uint64_t order;    // tie-break among equal times; unique per run
        std::uint64_t payload;  // what to do; interpreted by the kernel
    };

    struct Tuning {
        std::size_t wheel_from = std::size_t{1} << 13;  // heap entries before the wheel starts
        int bucket_shift = 20;                          // buckets 2^20 ns (about 1ms) wide
        std::size_t buckets = 4096;                     // a power of two: about 4.3s ahead
        std::size_t sweep_from = std::size_t{1} << 20;  // waiting entries before dead ones are dropped (24 MiB)
    };

    EventQueue() : EventQueue(Tuning{}) {}
    explicit EventQueue(Tuning t) : tuning_(normalized(t)), wheel_(tuning_.buckets), occupied_((tuning_.buckets + 63) / 64, 0) {}

    // Both count what waits in the wheel, including entries a turn hook will drop: with such a
    // hook, front() (null when nothing is left) is the authority, as in the kernel's loop.
    bool empty() const noexcept { return near_empty() && wheel_size_ == 0 && overflow_.empty(); }
    std::size_t size() const noexcept { return heap_.size() + ring_size_ + wheel_size_ + overflow_.size(); }
    void reserve(std::size_t n) { heap_.reserve(n); }

    // The earliest entry; the queue must not be empty. Not const: it may turn the wheel.
    const Entry& top() { return *front(); }

    // The earliest entry, or null if the queue is empty (it may turn the wheel). pop_front(it)
    // then removes that same entry without comparing the lanes again: the kernel's loop.
    const Entry* front() {
        if (near_empty()) {
            if (wheel_size_ == 0 && overflow_.empty()) return nullptr;
            refill();
        }
        return peek();
    }
    Entry pop_front(const Entry* f) noexcept {
        if (ring_size_ != 0 && f == &ring_[ring_head_]) return ring_pop();
        return heap_pop();
    }

    // The earliest entry if it is already at hand (no turn of the wheel), else null: for
    // looking ahead without changing anything.
    const Entry* peek() const noexcept {
        if (near_empty()) return nullptr;
        if (ring_size_ == 0) return &heap_.front();
        const Entry& r = ring_[ring_head_];
        if (heap_.empty() || before(r, heap_.front())) return &r;
        return &heap_.front();
    }

    // `now` is the current virtual time: entries for it may take the FIFO lane.
    void push(const Entry& e, std::int64_t now) {
        if (e.time >= horizon_) {
            park(e);
            return;
        }
        if ((e.time == now || heap_.empty()) && (ring_size_ == 0 || before(ring_back(), e))) {
            ring_push(e);
            return;
        }
        heap_push(e);
    }
    void push(const Entry& e) {
        if (e.time >= horizon_) park(e);
        else heap_push(e);
    }

    // Removes and returns the earliest entry; the queue must not be empty.
    Entry pop() { return pop_front(front()); }

    static bool before(const Entry& a, const Entry& b) noexcept { return key(a) < key(b); }

    // Called each time the wheel turns a bucket into the heap, with the bucket's entries
    // (unsorted): what the next bucket's width of time will pop. The hook may drop entries it
    // knows will never run (cancelled long ago): it moves the ones to keep to the front of `near`,
    // in any order, and returns how many; the rest leave the queue. It may also prefetch what the
    // kept ones will touch. Only on the wheel's cold path: a queue that never starts the wheel
    // pays nothing.
    using TurnHook = std::size_t (*)(void* context, std::span<Entry> near) noexcept;
    void on_turn(TurnHook hook, void* context) noexcept {
        turn_hook_ = hook;
        turn_context_ = context;
    }

    // Asked of a waiting entry: will it ever run? Entries far ahead (an hour's timeouts, most of
    // them for calls answered at once) wait in the wheel, the overflow list or the ring until
    // their time comes; at a high rate they would hold memory in proportion to the run's length,
    // not to what is pending. So once more than `sweep_from` entries wait there and they have
    // doubled since the last look, the dead ones are dropped (on the cold paths that park an entry
    // and grow the ring: nothing per push or pop). A dead entry past the loop's end may still decide
    // why the loop stops (the queue is not empty): of those, the earliest is kept. The hook must say
    // the same of an entry whenever it is asked (once dead, dead).
    enum class Fate { live, dead, dead_past_end };
    using DeadHook = Fate (*)(void* context, const Entry& e) noexcept;
    void on_dead(DeadHook hook, void* context) noexcept {
        dead_hook_ = hook;
        dead_context_ = context;
    }

private:
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
    static Tuning normalized(Tuning t) noexcept {
        t.wheel_from = std::max<std::size_t>(t.wheel_from, 1);
        t.bucket_shift = std::clamp(t.bucket_shift, 0, 40);
        t.buckets = std::bit_ceil(std::max<std::size_t>(t.buckets, 2));
        t.sweep_from = std::max<std::size_t>(t.sweep_from, 1);
        return t;
    }
    // (time, order) as one unsigned 128-bit number: one comparison instead of two branches.
    __extension__ using Key = unsigned __int128;  // __extension__: a GCC/Clang type, on purpose
    static Key key(const Entry& e) noexcept {
        return (static_cast<Key>(static_cast<std::uint64_t>(e.time)) << 64) | e.order;
    }

    // ---- the heap: binary, with Floyd's bottom-up pop (fewest comparisons per pop) ------------
    bool near_empty() const noexcept { return heap_.empty() && ring_size_ == 0; }

    void heap_push(const Entry& e) {
        if (horizon_ == never && heap_.size() >= tuning_.wheel_from) {
            start_wheel();
            if (e.time >= horizon_) {
                park(e);
                return;
            }
        }
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
    // ring_mask_ is its capacity - 1, kept apart: a vector's size() of 24-byte entries is a
    // division, and the ring asks for it on every push and pop.
    const Entry& ring_back() const noexcept { return ring_[(ring_head_ + ring_size_ - 1) & ring_mask_]; }
    void ring_push(const Entry& e) {
        if (ring_size_ == ring_mask_ + 1) ring_grow();
        ring_[(ring_head_ + ring_size_) & ring_mask_] = e;
        ++ring_size_;
    }
    Entry ring_pop() noexcept {
        Entry e = ring_[ring_head_];
        ring_head_ = (ring_head_ + 1) & ring_mask_;
        --ring_size_;
        return e;
    }
    [[gnu::noinline]] void ring_grow() {
        if (dead_hook_ != nullptr && ring_size_ >= tuning_.sweep_from) {  // in order: the ring stays sorted
            std::size_t kept = 0;
            bool past_end_kept = false;  // the ring is sorted: its first such entry is its earliest
            for (std::size_t i = 0; i < ring_size_; ++i) {
                const Entry e = ring_[(ring_head_ + i) & ring_mask_];
                const Fate f = dead_hook_(dead_context_, e);
                if (f == Fate::dead || (f == Fate::dead_past_end && std::exchange(past_end_kept, true))) continue;
                ring_[(ring_head_ + kept++) & ring_mask_] = e;
            }
            ring_size_ = kept;
            if (ring_size_ <= ring_mask_ / 2) return;  // room enough without growing
        }
        std::vector<Entry> bigger(ring_.empty() ? 64 : ring_.size() * 2);
        for (std::size_t i = 0; i < ring_size_; ++i) bigger[i] = ring_[(ring_head_ + i) & ring_mask_];
        ring_.swap(bigger);
        ring_head_ = 0;
        ring_mask_ = ring_.size() - 1;
    }

    // ---- the wheel: buckets past the horizon, and an overflow list past the buckets ------------
    // Out of line ([[gnu::noinline]]), like ring_grow: then push() and pop() stay small enough to
    // be inlined where the kernel schedules (about 2% fewer instructions in the kernel benches).
    std::uint64_t bucket_of(std::int64_t t) const noexcept { return static_cast<std::uint64_t>(t) >> tuning_.bucket_shift; }
    std::size_t slot_of(std::uint64_t bucket) const noexcept { return static_cast<std::size_t>(bucket) & (tuning_.buckets - 1); }

    // An entry at or after the horizon waits in its bucket (or in the overflow list).
    [[gnu::noinline]] void park(const Entry& e) {
        if (wheel_size_ + overflow_.size() >= sweep_at_ && dead_hook_ != nullptr) sweep_parked();
        place(e);
    }
    void place(const Entry& e) {
        const std::uint64_t b = bucket_of(e.time);
        if (b - first_bucket_ >= tuning_.buckets) {
            overflow_.push_back(e);
            overflow_min_ = std::min(overflow_min_, b);
            return;
        }
        const std::size_t i = slot_of(b);
        wheel_[i].push_back(e);
        occupied_[i / 64] |= std::uint64_t{1} << (i % 64);
        ++wheel_size_;
    }

    // The heap has grown past wheel_from: from now on only what is due before the next bucket
    // stays in it or in the ring. The ring's tail may be past that (later events that came in
    // time order): it moves into the wheel too, from the back, so the ring stays sorted.
    [[gnu::noinline]] void start_wheel() {
        set_first_bucket(bucket_of(heap_.front().time) + 1);
        std::vector<Entry> all;
        all.swap(heap_);
        for (const Entry& e : all) {
            if (e.time < horizon_) heap_.push_back(e);
            else park(e);
        }
        std::make_heap(heap_.begin(), heap_.end(), after);
        while (ring_size_ != 0 && ring_back().time >= horizon_) {
            park(ring_back());
            --ring_size_;
        }
    }

    // The heap and the ring are empty: the next non-empty bucket becomes the heap.
    [[gnu::noinline]] void refill() {
        while (near_empty() && !(wheel_size_ == 0 && overflow_.empty())) {
            if (wheel_size_ == 0) first_bucket_ = overflow_min_;  // nothing in the wheel: jump ahead
            std::uint64_t b = wheel_size_ == 0 ? never_bucket : next_occupied();
            if (overflow_min_ <= b) {  // the wheel would pass an overflow entry: take them in first
                pull_overflow();
                b = next_occupied();
            }
            const std::size_t i = slot_of(b);
            heap_.swap(wheel_[i]);  // the bucket's entries, and the old heap's memory for the bucket
            // unless that is big: 4,096 buckets each keeping the most it ever held would keep a
            // burst's memory for good (10 million requests a second: a gigabyte)
            if (wheel_[i].capacity() > bucket_keep_max) std::vector<Entry>().swap(wheel_[i]);
            occupied_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
            wheel_size_ -= heap_.size();
            if (turn_hook_ != nullptr) heap_.resize(turn_hook_(turn_context_, heap_));
            std::make_heap(heap_.begin(), heap_.end(), after);
            set_first_bucket(b + 1);
        }
        if (wheel_size_ == 0 && overflow_.empty()) stop_wheel();
    }

    // Overflow entries within the wheel's reach move into it. Called only when the wheel would
    // otherwise pass the earliest of them, so each is rescanned about once per turn of the wheel.
    void pull_overflow() {
        std::uint64_t rest_min = never_bucket;
        std::size_t kept = 0;
        for (const Entry& e : overflow_) {
            const std::uint64_t b = bucket_of(e.time);
            if (b - first_bucket_ < tuning_.buckets) {
                const std::size_t i = slot_of(b);
                wheel_[i].push_back(e);
                occupied_[i / 64] |= std::uint64_t{1} << (i % 64);
                ++wheel_size_;
            } else {
                overflow_[kept++] = e;
                rest_min = std::min(rest_min, b);
            }
        }
        overflow_.resize(kept);
        overflow_min_ = rest_min;
    }

    // Drops the dead entries of the wheel and the overflow list (see on_dead); the next look
    // comes when what is left has doubled. A bucket's order does not matter (it is unsorted).
    [[gnu::noinline]] void sweep_parked() {
        Entry first_past_end{};
        bool past_end = false;
        const auto drop = [&](const Entry& e) {
            const Fate f = dead_hook_(dead_context_, e);
            if (f == Fate::dead_past_end && (!past_end || before(e, first_past_end))) {
                first_past_end = e;
                past_end = true;
            }
            return f != Fate::live;
        };
        for (std::size_t i = 0; i < wheel_.size(); ++i) {
            std::vector<Entry>& bucket = wheel_[i];
            if (bucket.empty()) continue;
            wheel_size_ -= std::erase_if(bucket, drop);
            if (bucket.empty()) occupied_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
            if (bucket.capacity() > 4 * bucket.size() + 1024) bucket.shrink_to_fit();
        }
        std::erase_if(overflow_, drop);
        overflow_min_ = never_bucket;
        for (const Entry& e : overflow_) overflow_min_ = std::min(overflow_min_, bucket_of(e.time));
        if (overflow_.capacity() > 4 * overflow_.size() + 1024) overflow_.shrink_to_fit();
        if (past_end) place(first_past_end);
        sweep_at_ = std::max(tuning_.sweep_from, 2 * (wheel_size_ + overflow_.size()));
    }

    // The first occupied bucket at or after first_bucket_ (the wheel is not empty).
    std::uint64_t next_occupied() const noexcept {
        const std::size_t start = slot_of(first_bucket_);
        const std::size_t words = occupied_.size();
        std::size_t w = start / 64;
        std::uint64_t bits = occupied_[w] & (~std::uint64_t{0} << (start % 64));
        for (std::size_t n = 1; bits == 0; ++n) {
            w = (w + 1) % words;
            bits = occupied_[w];
            if (n == words) bits &= ~(~std::uint64_t{0} << (start % 64));  // round to the start: below it only
        }
        const std::size_t i = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        return first_bucket_ + ((i - start) & (tuning_.buckets - 1));
    }

    // The horizon is the start of the wheel's first bucket (never, past the last representable one:
    // nothing can be parked there, so the wheel is empty then).
    void set_first_bucket(std::uint64_t b) noexcept {
        first_bucket_ = b;
        horizon_ = b > bucket_of(never) ? never : static_cast<std::int64_t>(b << tuning_.bucket_shift);
    }

    // Empty again: back to the heap alone until it grows past wheel_from once more.
    void stop_wheel() noexcept {
        horizon_ = never;
        overflow_min_ = never_bucket;
    }

    static bool after(const Entry& a, const Entry& b) noexcept { return key(b) < key(a); }  // min-heap for std::make_heap
    static constexpr std::uint64_t never_bucket = std::numeric_limits<std::uint64_t>::max();
    static constexpr std::size_t bucket_keep_max = 4096;  // entries' memory an empty bucket keeps (96 KiB)

    Tuning tuning_;
    std::vector<Entry> heap_;
    std::vector<Entry> ring_;
    std::size_t ring_mask_ = std::numeric_limits<std::size_t>::max();  // capacity - 1: none yet
    std::size_t ring_head_ = 0;
    std::size_t ring_size_ = 0;
    std::int64_t horizon_ = never;     // entries due at or after it wait in the wheel
    std::uint64_t first_bucket_ = 0;   // the horizon's bucket: the wheel holds [first, first + buckets)
    std::vector<std::vector<Entry>> wheel_;
    std::vector<std::uint64_t> occupied_;  // one bit per bucket
    std::size_t wheel_size_ = 0;
    std::vector<Entry> overflow_;
    std::uint64_t overflow_min_ = never_bucket;  // the earliest overflow entry's bucket
    TurnHook turn_hook_ = nullptr;
    void* turn_context_ = nullptr;
    DeadHook dead_hook_ = nullptr;
    void* dead_context_ = nullptr;
    std::size_t sweep_at_ = tuning_.sweep_from;  // parked entries that start the next sweep
};

}  // namespace sim
