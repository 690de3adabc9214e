// Axis scales and tick positions. Ticks are "nice": 1, 2, 2.5 or 5 times a power of ten on a
// linear axis; decades (with 2 and 5 in between when few decades are shown) on a logarithmic
// one; on a time axis, steps a person counts in (5s, 10s, 15s, 30s, 1m, 5m, ...).
//
// Tick values are computed from integers and a power of ten (never by adding a step over and
// over), so 0.1 + 0.2 never shows up as 0.30000000000000004, and the same range gives the same
// ticks on every machine. Logarithms go through sim/detmath.hpp for the same reason.
#pragma once

#include <vector>

namespace faultline::report {

struct Ticks {
    double lo = 0;  // the axis range, widened to the outer ticks on a linear axis
    double hi = 1;
    std::vector<double> values;
};

// About `count` intervals covering [lo, hi] (bounds the wrong way round are swapped, equal ones
// widened first).
Ticks linear_ticks(double lo, double hi, int count = 5);
// [lo, hi] with lo > 0: the range is widened to whole decades; past ten decades, every n-th
// decade is labelled (and the last).
Ticks log_ticks(double lo, double hi);
// Seconds: at most about `count` intervals, in steps of 1-2-5 below a second, then
// 1, 2, 5, 10, 15, 20, 30s, 1, 2, 5, 10, 15, 30m, 1, 2, 6, 12h. The range is not widened.
Ticks time_ticks(double lo, double hi, int count = 10);

// Maps a domain onto pixels, linearly or logarithmically (log: the domain must be > 0; values
// at or below 0 are clamped to the bottom).
class Scale {
public:
    Scale(double d0, double d1, double r0, double r1, bool log = false);
    double operator()(double v) const;
    bool log() const noexcept { return log_; }

private:
    double d0_, d1_, r0_, r1_;
    bool log_;
};

// log10 built on sim's deterministic log.
double log10_det(double v);
// 10^k for integer k, exactly as a decimal literal would give it.
double pow10_int(int k);

}  // namespace faultline::report
