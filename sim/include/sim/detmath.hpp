// Deterministic elementary functions: the same bits from every compiler and standard library.
//
// std::log, std::exp and std::pow are not specified to the last bit, and glibc, musl, libc++'s
// choices and compiler builtins (constant folding!) differ in the last place. A simulation whose
// delays come from std::log would then diverge between platforms. These functions are built only
// from operations IEEE 754 rounds exactly (+ - * / sqrt, comparisons, bit manipulation), with
// every polynomial written in an explicit evaluation order, so the result is fixed by the source.
// The build must use -ffp-contract=off (no fused multiply-add) and never -ffast-math.
//
// Accuracy (measured against glibc over millions of points; the tests hold all five to 1e-14):
// log, log1p, exp and expm1 within about 3e-16 relative, pow within 5e-15 (its error grows
// towards the overflow and underflow ends, where y log x nears +-709). Not correctly rounded, but
// nearly: log and log1p round correctly for all but about 0.03% and 0.15% of arguments (tested
// against long double). log and log1p reduce by a 128-entry table, in less than half the time
// of the series form that pow keeps; exp, expm1 and pow are slower than libm. They are for the
// RNG's distributions and models, not for number crunching.
// A result in the subnormal range is rounded once from an accurate value, so it is right to
// within a subnormal step or so rather than to a relative bound.
#pragma once

namespace sim {

// Natural logarithm. det_log(+-0) = -inf, det_log(+inf) = +inf, x < 0 or NaN gives NaN.
// Subnormal x is handled exactly (rescaled before the reduction).
double det_log(double x);

// log(1 + x), accurate for tiny x. det_log1p(+-0) = +-0, det_log1p(-1) = -inf,
// det_log1p(+inf) = +inf, x < -1 or NaN gives NaN.
double det_log1p(double x);

// e^x. Overflows to +inf above ~709.78, underflows (through subnormals) to +0 below ~-745.13;
// det_exp(-inf) = +0, det_exp(+inf) = +inf, NaN gives NaN.
double det_exp(double x);

// e^x - 1, accurate for tiny x. det_expm1(+-0) = +-0, det_expm1(-inf) = -1,
// det_expm1(+inf) = +inf, NaN gives NaN.
double det_expm1(double x);

// x^y for x >= 0, computed as exp(y * log x) with log x carried in double-double so that the
// error does not grow with |y log x|. Special cases follow C's pow where x >= 0:
// pow(x, +-0) = 1 for any x (NaN too), pow(1, y) = 1 for any y (NaN too), pow(+-0, y>0) = +0,
// pow(+-0, y<0) = +inf, pow(+inf, y>0) = +inf, pow(+inf, y<0) = +0, y = +-inf by whether x < 1.
// Unlike C, any x < 0 (even with an integral y) gives NaN, and pow(-0, odd y) is +0: the kernel
// never needs powers of negative numbers.
double det_pow(double x, double y);

}  // namespace sim
