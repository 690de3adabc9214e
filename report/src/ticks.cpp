#include "report/ticks.hpp"

#include <algorithm>
#include <cmath>

#include "sim/detmath.hpp"

namespace faultline::report {

double pow10_int(int k) {
    double p = 1;
    for (int i = 0; i < (k < 0 ? -k : k); ++i) p *= 10;  // exact up to 10^22
    return k < 0 ? 1 / p : p;
}

double log10_det(double v) { return sim::det_log(v) / sim::det_log(10.0); }

namespace {

// m * 10^e for an integer m, rounded once (a division for negative e, so 3 * 10^-1 is 0.3).
double decimal(long long m, int e) {
    if (e >= 0) return static_cast<double>(m) * pow10_int(e);
    return static_cast<double>(m) / pow10_int(-e);
}

// The exponent k with 10^k <= x < 10^(k+1), for x > 0.
int decade_of(double x) {
    int k = 0;
    while (pow10_int(k + 1) <= x && k < 300) ++k;
    while (pow10_int(k) > x && k > -300) --k;
    return k;
}

// A step M * 10^e with M in {10, 20, 25, 50, 100}: the smallest not below the raw step.
struct NiceStep {
    long long mantissa = 100;
    int exponent = 0;
    double value() const { return decimal(mantissa, exponent); }
};

NiceStep nice_step(double raw) {
    NiceStep n;
    n.exponent = decade_of(raw) - 1;
    for (long long m : {10LL, 20LL, 25LL, 50LL, 100LL}) {
        if (decimal(m, n.exponent) >= raw * (1 - 1e-12)) {
            n.mantissa = m;
            break;
        }
    }
    return n;
}

// Bounds a chart can hold: NaN as 0, magnitudes past 1e300 clamped (only a hand-edited result
// file has them), so that the differences and quotients below stay finite.
double chartable(double v) { return std::isnan(v) ? 0 : std::clamp(v, -1e300, 1e300); }

// Whether ticks at whole multiples of `step` from lo to hi are few enough to draw and their
// indices fit a long long. A range far from 0 and narrower than a double's spacing there, or
// a step rounded to nothing, fails this; the axis then shows its two ends.
bool few_multiples(double lo, double hi, double step, int count) {
    if (!(step > 0)) return false;
    const double first = lo / step, last = hi / step;
    return std::fabs(first) < 1e15 && std::fabs(last) < 1e15 && last - first <= 4.0 * count + 4;
}

Ticks ends_only(double lo, double hi) {
    Ticks t;
    t.lo = lo;
    t.hi = hi > lo ? hi : lo + 1;
    t.values = {t.lo, t.hi};
    return t;
}

}  // namespace

Ticks linear_ticks(double lo, double hi, int count) {
    lo = chartable(lo);
    hi = chartable(hi);
    if (hi < lo) std::swap(lo, hi);  // (an axis whose set maximum is below its data)
    if (!(hi > lo)) {
        const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    count = std::max(count, 1);
    const NiceStep nice = nice_step((hi - lo) / count);
    const long long mantissa = nice.mantissa;
    const int e = nice.exponent;
    const double step = nice.value();
    if (!few_multiples(lo, hi, step, count)) return ends_only(lo, hi);
    const long long first = static_cast<long long>(std::floor(lo / step + 1e-9));
    const long long last = static_cast<long long>(std::ceil(hi / step - 1e-9));
    Ticks t;
    for (long long i = first; i <= last; ++i) t.values.push_back(decimal(i * mantissa, e));
    t.lo = t.values.front();
    t.hi = t.values.back();
    return t;
}

Ticks log_ticks(double lo, double hi) {
    lo = chartable(lo);
    hi = chartable(hi);
    if (!(lo > 0)) lo = hi > 0 ? hi / 1000 : 1e-3;
    if (!(hi > lo)) hi = lo * 10;
    const int k0 = decade_of(lo);
    int k1 = decade_of(hi);
    if (pow10_int(k1) < hi) ++k1;
    if (k1 == k0) ++k1;
    Ticks t;
    t.lo = pow10_int(k0);
    t.hi = pow10_int(k1);
    const bool fine = k1 - k0 <= 2;
    const int stride = std::max(1, (k1 - k0 + 9) / 10);  // at most about ten decades labelled
    for (int k = k0; k < k1; k += stride) {
        t.values.push_back(pow10_int(k));
        if (fine) {
            t.values.push_back(decimal(2, k));
            t.values.push_back(decimal(5, k));
        }
    }
    t.values.push_back(pow10_int(k1));
    return t;
}

Ticks time_ticks(double lo, double hi, int count) {
    lo = chartable(lo);
    hi = chartable(hi);
    Ticks t;
    t.lo = lo;
    t.hi = hi > lo ? hi : lo + 1;
    const double span = t.hi - t.lo;
    count = std::max(count, 1);
    double step = 0;
    if (span / count < 1) {
        step = nice_step(span / count).value();
    } else {
        for (double s : {1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
                         7200.0, 21600.0, 43200.0, 86400.0}) {
            step = s;
            if (span / s <= count) break;
        }
        if (span / step > count) step = nice_step(span / count).value();  // past days: nice numbers
    }
    if (!few_multiples(t.lo, t.hi, step, count)) return ends_only(t.lo, t.hi);
    const long long first = static_cast<long long>(std::ceil(t.lo / step - 1e-9));
    const long long last = static_cast<long long>(std::floor(t.hi / step + 1e-9));
    for (long long i = first; i <= last; ++i) {
        // Sub-second steps are decimals: snap to the nearest microsecond to drop binary noise.
        double v = static_cast<double>(i) * step;
        if (step < 1) v = std::round(v * 1e6) / 1e6;
        t.values.push_back(v);
    }
    if (t.values.empty()) return ends_only(t.lo, t.hi);  // a range below 1e-300 wide: no multiple inside
    return t;
}

Scale::Scale(double d0, double d1, double r0, double r1, bool log) : d0_(d0), d1_(d1), r0_(r0), r1_(r1), log_(log) {
    if (log_) {
        d0_ = log10_det(d0 > 0 ? d0 : 1e-12);
        d1_ = log10_det(d1 > 0 ? d1 : 1);
    }
    if (d1_ == d0_) d1_ = d0_ + 1;
}

double Scale::operator()(double v) const {
    double x = v;
    if (log_) x = v > 0 ? log10_det(v) : d0_;
    return r0_ + (x - d0_) / (d1_ - d0_) * (r1_ - r0_);
}

}  // namespace faultline::report
