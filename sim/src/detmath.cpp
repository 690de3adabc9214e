// Deterministic log/exp/pow from IEEE-exact operations only (see detmath.hpp for why).
//
// The methods are textbook ones, kept auditable:
//   log (the series form, for pow and for the table below): x = 2^k * m with m in
//        (sqrt(2)/2, sqrt(2)], log m = 2 atanh(s), s = (m-1)/(m+1), whose series in s^2 converges
//        fast because |s| <= 0.172. The sum is carried in double-double (a value plus its
//        rounding error) so that pow can use it without losing digits.
//   log (the table form, for det_log and det_log1p: every exponential and normal draw): x = 2^k
//        * z, z = c * (1 + r) where 1/c is one of 128 table entries with 12 significant bits, so
//        that r = z/c - 1 comes out exact; log(1 + r), |r| < 2^-7.9, from an 8-term series with
//        no division and a short dependency chain. log c is in the table, computed at first
//        use by the series form, so the table too is fixed by the source.
//   exp: x = k ln2 + r with |r| <= ln2/2, e^r from its Taylor series, then scaled by 2^k.
// Series coefficients are exact rationals rounded once by the compiler (1.0 / 720 and so on),
// and every sum is written in the order it must be evaluated; -ffp-contract=off keeps the
// compiler from fusing a multiply and an add on some targets and not others.

#include "sim/detmath.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace sim {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// ln 2 split in two: ln2_hi has only 32 significant bits, so k * ln2_hi is exact for any
// exponent k we meet; ln2_hi + ln2_lo equals ln 2 to about 2^-85.
constexpr double ln2_hi = 0x1.62e42feep-1;
constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
constexpr double inv_ln2 = 0x1.71547652b82fep+0;  // 1 / ln 2, rounded
constexpr double half_ln2 = 0x1.62e42fefa39efp-2;  // ln 2 / 2, rounded
constexpr double sqrt2 = 0x1.6a09e667f3bcdp+0;

// Above this e^x overflows (it is ln(DBL_MAX) rounded); below exp_zero_below it is under half
// the smallest subnormal and rounds to zero.
constexpr double exp_overflow_above = 0x1.62e42fefa39efp+9;  // 709.78...
constexpr double exp_zero_below = -746.0;

// A double-double: hi is the rounded value, lo the part of the exact value that did not fit.
struct Dd {
    double hi;
    double lo;
};

// Knuth's two-sum: a + b = hi + lo exactly, for any finite a and b.
Dd two_sum(double a, double b) {
    const double s = a + b;
    const double b_virtual = s - a;
    const double a_virtual = s - b_virtual;
    return {s, (a - a_virtual) + (b - b_virtual)};
}

// Dekker's fast two-sum: the same, but requires |a| >= |b| (or a == 0).
Dd fast_two_sum(double a, double b) {
    const double s = a + b;
    return {s, b - (s - a)};
}

// Veltkamp's split: a = hi + lo with each half at most 26 significant bits, so that products of
// halves are exact. Needs |a| < 2^995 to avoid overflow in the scaling.
Dd split(double a) {
    const double c = 134217729.0 * a;  // 2^27 + 1
    const double hi = c - (c - a);
    return {hi, a - hi};
}

// Dekker's two-product: a * b = hi + lo exactly (barring underflow), without a fused
// multiply-add, so the result is the same whether or not the hardware has one.
Dd two_prod(double a, double b) {
    const double p = a * b;
    const Dd as = split(a);
    const Dd bs = split(b);
    const double err = (((as.hi * bs.hi - p) + as.hi * bs.lo) + as.lo * bs.hi) + as.lo * bs.lo;
    return {p, err};
}

// 2^e as a double, built from its bits; e must be a normal exponent, in [-1022, 1023].
double pow2(int e) {
    return std::bit_cast<double>(static_cast<std::uint64_t>(e + 1023) << 52);
}

// x * 2^k with a single rounding, for k in [-1150, 2046] and |x| in about [0.5, 2) (or k small).
// Out-of-range exponents take two steps, the first of them exact, so a subnormal result is
// rounded once, as IEEE would round the exact product.
double scale2(double x, int k) {
    if (k > 1023) {
        return (x * pow2(1023)) * pow2(k - 1023);
    }
    if (k < -1022) {
        return (x * pow2(k + 128)) * pow2(-128);
    }
    return x * pow2(k);
}

// Round half away from zero to an int; any nearby integer would do for a range reduction, this
// one is cheap and exact (the conversion truncates).
int round_to_int(double v) {
    return static_cast<int>(v < 0 ? v - 0.5 : v + 0.5);
}

// Horner's rule from the highest coefficient down: the order of evaluation is the loop's.
template <std::size_t N>
double horner(const std::array<double, N>& c, double x) {
    double p = c[N - 1];
    for (std::size_t i = N - 1; i-- > 0;) {
        p = p * x + c[i];
    }
    return p;
}

// 1/(2j+1) for j = 1..12: atanh(s)/s = 1 + t/3 + t^2/5 + ..., t = s^2. With t <= 0.0295 the
// first omitted term is below 2^-60 of the sum.
constexpr std::array<double, 12> atanh_coefficients = {
    1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
    1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25,
};

// 1/j! for j = 2..14: (e^r - 1 - r)/r^2. For |r| <= 0.35 the first omitted term, r^15/15!, is
// below 2^-60 of the result.
constexpr std::array<double, 13> expm1_coefficients = {
    1.0 / 2,         1.0 / 6,          1.0 / 24,          1.0 / 120,          1.0 / 720,
    1.0 / 5040,      1.0 / 40320,      1.0 / 362880,      1.0 / 3628800,      1.0 / 39916800,
    1.0 / 479001600, 1.0 / 6227020800, 1.0 / 87178291200,
};

// e^r - 1 for |r| <= 0.35, accurate relative to the result (r itself is the leading term).
double expm1_reduced(double r) {
    return r + (r * r) * horner(expm1_coefficients, r);
}

// log x as a double-double, for finite x > 0 (subnormals included). Relative error about 2^-58:
// the leading terms k*ln2_hi and 2s are exact, only the small tail is rounded.
Dd log_dd(double x) {
    int k = 0;
    if (x < 0x1p-1022) {  // subnormal: make it normal first, exactly
        x *= 0x1p54;
        k = -54;
    }
    const auto bits = std::bit_cast<std::uint64_t>(x);
    k += static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    double m = std::bit_cast<double>((bits & 0x000f'ffff'ffff'ffffULL) | (std::uint64_t{1023} << 52));
    if (m > sqrt2) {  // centre m on 1 so that |s| stays small
        m *= 0.5;
        k += 1;
    }
    const double f = m - 1.0;  // exact: m is within a factor 2 of 1 (Sterbenz)

    // s = f / (2 + f) to double-double precision: the quotient, then the remainder divided.
    const Dd d = two_sum(2.0, f);
    const double s = f / d.hi;
    const Dd sd = two_prod(s, d.hi);
    const double s_lo = (((f - sd.hi) - sd.lo) - s * d.lo) / d.hi;

    // log m = 2s + 2s^3 (1/3 + s^2/5 + ...); only the tail needs the series.
    const double t = s * s;
    const double tail = (2.0 * s) * (t * horner(atanh_coefficients, t));

    // log x = k ln2_hi + 2s + (small terms): the two big terms are exact, add them carefully.
    const double kd = k;
    const Dd big = two_sum(kd * ln2_hi, 2.0 * s);
    const double small = big.lo + (((2.0 * s_lo) + tail) + kd * ln2_lo);
    return fast_two_sum(big.hi, small);
}

// ---- log by table -----------------------------------------------------------------------------
//
// z = x / 2^k lies in [log_offset, 2 log_offset), about [0.69, 1.38), and its bucket is the 7 bits
// after the exponent of bits(x) - bits(log_offset): buckets 2^-8 wide below 1 and 2^-7 above.
// log_offset is half a bucket past 0.6875, so that z = 1 is the middle of a bucket; that bucket
// has 1/c = 1 and log c = 0, and near x = 1 the result is r plus the series, accurate relative to
// itself as log1p needs. Every other bucket's 1/c is 1/centre rounded to 12 significant bits.

constexpr int log_table_bits = 7;
constexpr std::uint64_t log_offset = 0x3fe6000000000000ULL + (std::uint64_t{1} << 44);

struct LogBucket {
    double inv_c;     // 1/c, 12 significant bits: z * inv_c is exact in two halves
    double log_c_hi;  // log c rounded to a multiple of 2^-43: k ln2_hi + log_c_hi is exact
    double log_c_lo;  // the rest of log c
};

// A multiple of 2^-43 nearest v, for |v| < 2^9: adding 1.5 * 2^9 rounds v to that grid, exactly
// once, and subtracting it again is exact.
double round_to_2_43(double v) { return (v + 0x1.8p9) - 0x1.8p9; }

std::array<LogBucket, 1 << log_table_bits> make_log_table() {
    std::array<LogBucket, 1 << log_table_bits> table{};
    constexpr std::uint64_t width = std::uint64_t{1} << (52 - log_table_bits);
    for (std::uint64_t i = 0; i < table.size(); ++i) {
        const double lo = std::bit_cast<double>(log_offset + i * width);
        const double hi = std::bit_cast<double>(log_offset + (i + 1) * width);
        double inv_c = 1.0;
        if (!(lo <= 1.0 && 1.0 < hi)) {
            // 1/centre, rounded to nearest with 12 significant bits (11 of the 52 mantissa bits kept).
            const auto bits = std::bit_cast<std::uint64_t>(2.0 / (lo + hi));
            constexpr std::uint64_t drop = std::uint64_t{1} << 41;
            inv_c = std::bit_cast<double>((bits + drop / 2) & ~(drop - 1));
        }
        const Dd l = log_dd(inv_c);  // log c = -log(1/c)
        const double log_c_hi = round_to_2_43(-l.hi);
        table[i] = {inv_c, log_c_hi, (-l.hi - log_c_hi) - l.lo};
    }
    return table;
}

// log1p(r) - r for |r| < 2^-7.9: -r^2/2 + r^3/3 - ... - r^8/8, the next term below 2^-66 of r.
// Estrin's scheme: four short chains instead of one long one.
double log1p_tail(double r) {
    const double r2 = r * r;
    const double r4 = r2 * r2;
    const double a = -1.0 / 2 + r * (1.0 / 3);
    const double b = -1.0 / 4 + r * (1.0 / 5);
    const double c = -1.0 / 6 + r * (1.0 / 7);
    return r2 * ((a + r2 * b) + r4 * (c + r2 * (-1.0 / 8)));
}

// log x as a double-double for finite x > 0 (subnormals included), by the table. Relative error
// about 2^-58, like log_dd's; the two round differently for about 0.3% of log1p(-u) and 0.002%
// of log x (tests/sim/random_test.cpp holds both to correct rounding almost everywhere).
Dd log_table_dd(double x) {
    static const std::array<LogBucket, 1 << log_table_bits> table = make_log_table();
    int k = 0;
    if (x < 0x1p-1022) {  // subnormal: make it normal first, exactly
        x *= 0x1p54;
        k = -54;
    }
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const std::uint64_t t = bits - log_offset;
    const LogBucket& b = table[(t >> (52 - log_table_bits)) & ((1 << log_table_bits) - 1)];
    k += static_cast<int>(static_cast<std::int64_t>(t) >> 52);
    const auto z_bits = bits - (t & (std::uint64_t{0xfff} << 52));
    // z = z_hi + z_lo with z_hi's 26 leading bits: each times inv_c (12 bits) is exact, and
    // z_hi * inv_c - 1 is exact too (Sterbenz: the product is within a factor 2 of 1).
    const double z_hi = std::bit_cast<double>(z_bits & ~((std::uint64_t{1} << 27) - 1));
    const double z_lo = std::bit_cast<double>(z_bits) - z_hi;
    const Dd r = two_sum(z_hi * b.inv_c - 1.0, z_lo * b.inv_c);

    // log x = k ln2_hi + log_c_hi (exact, both on the 2^-43 grid) + r + the small terms; the
    // first sum outweighs r (or is 0), so fast_two_sum is exact.
    const double kd = k;
    const Dd big = fast_two_sum(kd * ln2_hi + b.log_c_hi, r.hi);
    const double small = big.lo + (((kd * ln2_lo + b.log_c_lo) + r.lo) + log1p_tail(r.hi));
    return fast_two_sum(big.hi, small);
}

// e^(hi + lo) where lo is a small correction to hi (|lo| <= ulp(hi) or so).
double exp_dd(double hi, double lo) {
    if (std::isnan(hi)) {
        return hi;
    }
    if (hi > exp_overflow_above) {
        return inf;
    }
    if (hi < exp_zero_below) {
        return 0.0;
    }
    const int k = round_to_int(hi * inv_ln2);
    const double kd = k;
    // hi - k*ln2_hi is exact (k*ln2_hi is exact and within a factor 2 of hi, or k is 0).
    const double r = (hi - kd * ln2_hi) + (lo - kd * ln2_lo);
    return scale2(1.0 + expm1_reduced(r), k);
}

}  // namespace

double det_log(double x) {
    if (std::isnan(x) || x < 0) {
        return nan;
    }
    if (x == 0) {
        return -inf;
    }
    if (x == inf) {
        return inf;
    }
    return log_table_dd(x).hi;
}

// log(1 + x) = log(u) + log(1 + c/u) where u + c = 1 + x exactly; the second term is c/u to
// far below a rounding error, and carries what forming 1 + x would have lost.
double det_log1p(double x) {
    if (std::isnan(x) || x < -1) {
        return nan;
    }
    if (x == -1) {
        return -inf;
    }
    if (x == inf || x == 0) {
        return x;
    }
    const Dd u = two_sum(1.0, x);
    const Dd l = log_table_dd(u.hi);
    return l.hi + (l.lo + u.lo / u.hi);
}

double det_exp(double x) {
    return exp_dd(x, 0.0);
}

// Near 0 the series directly; further out e^x - 1 = 2^k (e^r - 1) + (2^k - 1), where 2^k - 1 is
// exact for |k| <= 53, so the only cancellation is in the final, single rounding.
double det_expm1(double x) {
    if (std::isnan(x) || x == 0) {
        return x;
    }
    if (x > exp_overflow_above) {
        return inf;
    }
    if (x < -50.0) {  // e^-50 < 2^-54: e^x - 1 rounds to -1
        return -1.0;
    }
    if (std::fabs(x) <= half_ln2) {
        return expm1_reduced(x);
    }
    const int k = round_to_int(x * inv_ln2);
    if (k > 53 || k < -53) {  // e^x dwarfs 1, or 1 dwarfs e^x: no cancellation to avoid
        return exp_dd(x, 0.0) - 1.0;
    }
    const double kd = k;
    const double r = (x - kd * ln2_hi) - kd * ln2_lo;
    return scale2(expm1_reduced(r), k) + (pow2(k) - 1.0);
}

// exp(y * log x) with y * log x formed as a double-double: a plain double product would carry an
// absolute error of |y log x| * 2^-53, which e^ turns into that much relative error (1e-13 for
// results near 1e300).
double det_pow(double x, double y) {
    if (y == 0 || x == 1) {
        return 1.0;
    }
    if (std::isnan(x) || std::isnan(y) || x < 0) {
        return nan;
    }
    if (x == 0) {
        return y > 0 ? 0.0 : inf;
    }
    if (x == inf) {
        return y > 0 ? inf : 0.0;
    }
    if (std::isinf(y)) {
        return (x < 1) == (y > 0) ? 0.0 : inf;
    }
    const Dd l = log_dd(x);
    const double estimate = y * l.hi;
    if (estimate > 1000.0) {  // far past overflow; also keeps the split in two_prod finite
        return inf;
    }
    if (estimate < -1000.0) {
        return 0.0;
    }
    const Dd p = two_prod(y, l.hi);
    const Dd z = fast_two_sum(p.hi, p.lo + y * l.lo);
    return exp_dd(z.hi, z.lo);
}

}  // namespace sim
