#include "models/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/check.hpp"
#include "sim/values.hpp"

namespace models {

void Histogram::refuse_negative(sim::Duration d) noexcept {
    // assert_failed prints what SIM_ASSERT prints and records the failure; inside a run it then
    // throws, which is caught here: the run stops after the current event.
    try {
        sim::detail::assert_failed("d >= 0",
                                   "Histogram::record: a negative value (" + sim::format_value(d) +
                                       "); a histogram holds non-negative values (a latency measured backwards?)",
                                   __FILE__, __LINE__);
    } catch (const sim::detail::AssertionFailure&) {
    }
}

std::uint64_t Histogram::bucket_low(std::size_t i) noexcept {
    if (i < (1u << linear_bits)) return i;
    const std::size_t j = i - (1u << linear_bits);
    const int msb = static_cast<int>(j >> sub_bits) + linear_bits;
    const std::uint64_t sub = (j & ((1u << sub_bits) - 1)) + (1u << sub_bits);
    return sub << (msb - sub_bits);
}

std::uint64_t Histogram::bucket_high(std::size_t i) noexcept {
    if (i < (1u << linear_bits)) return i;
    const std::size_t j = i - (1u << linear_bits);
    const int msb = static_cast<int>(j >> sub_bits) + linear_bits;
    return bucket_low(i) + (std::uint64_t{1} << (msb - sub_bits)) - 1;
}

std::uint64_t Histogram::percentile(double q) const noexcept {
    if (total_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The rank of the value wanted: ceil(q * n), at least 1. Computed in integers where exact.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const std::uint64_t mid = bucket_low(i) + (bucket_high(i) - bucket_low(i)) / 2;
            return std::clamp(mid, min_, max_);
        }
    }
    return max_;
}

void Histogram::reset() noexcept {
    std::fill(counts_.begin(), counts_.end(), 0);
    total_ = 0;
    sum_ = 0;
    max_ = 0;
    min_ = 0;
}

void Histogram::merge(const Histogram& other) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    if (other.total_ != 0) {
        min_ = total_ == 0 ? other.min_ : std::min(min_, other.min_);
        max_ = std::max(max_, other.max_);
    }
    total_ += other.total_;
    sum_ += other.sum_;
}

void Histogram::subtract(const Histogram& earlier) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] -= std::min(counts_[i], earlier.counts_[i]);
    total_ -= std::min(total_, earlier.total_);
    sum_ -= earlier.sum_;
    min_ = 0;
    max_ = 0;
    bool first = true;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        if (counts_[i] == 0) continue;
        if (first) min_ = bucket_low(i);
        first = false;
        max_ = bucket_high(i);
    }
}

}  // namespace models
