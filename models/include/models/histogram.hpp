// A log-linear histogram (HdrHistogram-style) of non-negative integers, usually nanoseconds.
// Values below 128 are exact; above, each power of two is split into 64 buckets, so any value is
// within 1/64 (1.6%) of its bucket's midpoint: plenty for p50, p99 and p999. Fixed memory
// (about 2,800 buckets, up to 2^50), O(1) record, no allocation after construction.
//
// Left out: merging histograms of different precisions, coordinated-omission correction
// (open-loop workloads measure from the intended send time instead).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace models {

class Histogram {
public:
    static constexpr int linear_bits = 7;                       // values < 128 exact
    static constexpr int sub_bits = 6;                          // 64 buckets per doubling above
    static constexpr int max_bits = 50;                         // larger values are clamped
    static constexpr std::size_t bucket_count = (1u << linear_bits) + (max_bits - linear_bits) * (1u << sub_bits);

    Histogram() : counts_(bucket_count, 0) {}

    void record(std::uint64_t v) noexcept {
        ++counts_[index(v)];
        ++total_;
        sum_ += static_cast<double>(v);
        if (v > max_) max_ = v;
        if (total_ == 1 || v < min_) min_ = v;
    }
    // A negative duration (a latency measured backwards: a bug in the model) is not recorded: it
    // fails the run, or aborts outside one. It was clamped to 0 without a word.
    void record(sim::Duration d) noexcept {
        if (d.count() < 0) [[unlikely]]
            return refuse_negative(d);
        record(static_cast<std::uint64_t>(d.count()));
    }

    std::uint64_t count() const noexcept { return total_; }
    double mean() const noexcept { return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_); }
    std::uint64_t max() const noexcept { return max_; }
    std::uint64_t min() const noexcept { return min_; }
    // The value at quantile q in [0, 1] (0 when empty): the midpoint of the bucket holding the
    // ceil(q * count)-th smallest value, clamped to the exact min and max.
    std::uint64_t percentile(double q) const noexcept;
    void reset() noexcept;
    void merge(const Histogram& other) noexcept;
    // Removes an earlier snapshot of this histogram (what was recorded since). min and max are
    // then bucket bounds, not exact values.
    void subtract(const Histogram& earlier) noexcept;

    static std::size_t index(std::uint64_t v) noexcept {
        if (v < (1u << linear_bits)) return static_cast<std::size_t>(v);
        const int msb = 63 - std::countl_zero(v);
        if (msb >= max_bits) return bucket_count - 1;
        const int shift = msb - sub_bits;
        const std::uint64_t sub = (v >> shift) - (1u << sub_bits);  // in [0, 64)
        return (1u << linear_bits) + static_cast<std::size_t>(msb - linear_bits) * (1u << sub_bits) + static_cast<std::size_t>(sub);
    }
    // [lowest, highest] value that maps to bucket i.
    static std::uint64_t bucket_low(std::size_t i) noexcept;
    static std::uint64_t bucket_high(std::size_t i) noexcept;

private:
    // Not SIM_ASSERT: record() is noexcept (and so are its callers'), and an assertion inside a
    // run throws. This records the same failure and lets the run stop after the current event.
    [[gnu::cold, gnu::noinline]] static void refuse_negative(sim::Duration d) noexcept;

    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    double sum_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t min_ = 0;
};

}  // namespace models
