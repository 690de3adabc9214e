// Delay distributions for links, disks and service times: fixed, uniform, normal (clamped at
// zero), lognormal, exponential and Pareto (heavy tail). Text form, used in scenario files and
// fault specs: "fixed(1ms)", "uniform(1ms, 5ms)", "normal(10ms, 2ms)", "lognormal(5ms, 0.5)"
// (median, sigma), "exponential(3ms)" (mean), "pareto(1ms, 1.5)" (scale, shape).
//
// Samples come from the caller's Rng and sim's own distributions: identical bits everywhere.
#pragma once

#include <string>
#include <string_view>

#include "sim/check.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/values.hpp"

namespace sim {

class Delay {
public:
    enum class Kind : std::uint8_t { fixed, uniform, normal, lognormal, exponential, pareto };

    Delay() = default;
    // A delay is never negative: a negative fixed value or lower bound is refused here (it was
    // drawn, and failed far away as "scheduling in the past"), as is lo > hi.
    static Delay fixed(Duration d) {
        SIM_ASSERT(d.count() >= 0, "Delay::fixed: a delay cannot be negative (" + format_value(d) + ")");
        return Delay(Kind::fixed, d, d, 0);
    }
    static Delay uniform(Duration lo, Duration hi) {
        SIM_ASSERT(lo.count() >= 0 && lo <= hi,
                   "Delay::uniform(" + format_value(lo) + ", " + format_value(hi) + "): needs 0 <= lo <= hi");
        return Delay(Kind::uniform, lo, hi, 0);
    }
    static Delay normal(Duration mean, Duration stddev) { return Delay(Kind::normal, mean, stddev, 0); }
    static Delay lognormal(Duration median, double sigma) { return Delay(Kind::lognormal, median, {}, sigma); }
    static Delay exponential(Duration mean) { return Delay(Kind::exponential, mean, mean, 0); }
    static Delay pareto(Duration scale, double shape) { return Delay(Kind::pareto, scale, {}, shape); }

    Kind kind() const noexcept { return kind_; }
    Duration first() const noexcept { return a_; }    // fixed value, lower bound, mean, median or scale
    Duration second() const noexcept { return b_; }   // upper bound (uniform) or stddev (normal)
    double shape() const noexcept { return shape_; }  // sigma (lognormal) or shape (Pareto)
    // Draws one delay (never negative). A fixed delay draws nothing from the stream.
    Duration sample(Rng& rng) const;
    // The distribution's mean (Pareto with shape <= 1 has none: returns Duration::max()).
    Duration mean() const;
    std::string to_string() const;

    friend bool operator==(const Delay&, const Delay&) = default;

private:
    Delay(Kind k, Duration a, Duration b, double shape) : kind_(k), a_(a), b_(b), shape_(shape) {}
    Kind kind_ = Kind::fixed;
    Duration a_{};
    Duration b_{};
    double shape_ = 0;
};

ParseError parse_value(std::string_view text, Delay& out);
std::string format_value(const Delay& d);

}  // namespace sim
