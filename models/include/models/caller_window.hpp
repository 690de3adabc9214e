// A rolling window of two counts (say requests and accepts, or results and errors) over the last
// `window` of virtual time, kept in a fixed ring of time buckets: the client-side throttle and
// the circuit breaker judge a backend by its recent history with it.
//
// Buckets are aligned to multiples of `window / buckets` from time zero, so an event leaves the
// window between `window - bucket` and `window` after it happened: the window is exact to one
// bucket, and its memory is fixed whatever the request rate. Left out: exponential decay (what
// some libraries use instead of buckets) and windows counted in requests rather than time.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/check.hpp"
#include "sim/time.hpp"

namespace models {

class RollingWindow {
public:
    static constexpr int buckets_max = 1000;

    struct Counts {
        std::uint64_t total = 0;
        std::uint64_t marked = 0;  // the subset the owner cares about: accepts, errors
    };

    RollingWindow(sim::Duration window, int buckets) : buckets_(static_cast<std::size_t>(buckets)) {
        SIM_ASSERT(buckets >= 1 && buckets <= buckets_max, "rolling window: buckets out of [1, 1000]");
        SIM_ASSERT(window.count() >= buckets, "rolling window: window shorter than one nanosecond per bucket");
        width_ = window.count() / buckets;
    }

    void add(sim::Time now, std::uint64_t total, std::uint64_t marked) {
        SIM_ASSERT(marked <= total, "rolling window: more marked than total");
        const std::int64_t index = bucket_index(now);
        Bucket& b = buckets_[static_cast<std::size_t>(index % static_cast<std::int64_t>(buckets_.size()))];
        if (b.index != index) b = Bucket{index, {}};  // the slot held an older bucket: it has left the window
        b.counts.total += total;
        b.counts.marked += marked;
    }

    // Sums the buckets still inside the window at `now`. O(buckets): windows are small, and a
    // const query must not expire anything.
    Counts sum(sim::Time now) const {
        const std::int64_t index = bucket_index(now);
        const auto n = static_cast<std::int64_t>(buckets_.size());
        Counts c;
        for (const Bucket& b : buckets_) {
            if (b.index > index - n && b.index <= index) {
                c.total += b.counts.total;
                c.marked += b.counts.marked;
            }
        }
        return c;
    }

    void clear() {
        for (Bucket& b : buckets_) b = Bucket{};
    }

    sim::Duration bucket_width() const noexcept { return sim::Duration(width_); }

private:
    struct Bucket {
        std::int64_t index = std::numeric_limits<std::int64_t>::min();  // which stretch of time this slot holds
        Counts counts;
    };
    std::int64_t bucket_index(sim::Time now) const {
        SIM_ASSERT(now.time_since_epoch().count() >= 0, "rolling window: time before zero");
        return now.time_since_epoch().count() / width_;
    }

    std::vector<Bucket> buckets_;
    std::int64_t width_ = 1;
};

}  // namespace models
