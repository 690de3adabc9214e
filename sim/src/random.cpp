// Random streams and distributions (see random.hpp). Every function here is a fixed sequence of
// integer operations and IEEE-exact floating point (through sim/detmath.hpp), so the numbers a
// seed produces are part of the program, not of the platform; tests/sim/random_test.cpp pins
// some of them as golden values.

#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "sim/detmath.hpp"

namespace sim {
namespace {

// The RNG sits below the kernel's assertion machinery (check.hpp includes this header), so it
// reports a broken precondition itself: always on, naming the stream's seed, then abort.
[[noreturn]] void precondition_failed(const char* function, const char* condition, const Rng* rng) {
    if (rng != nullptr) {
        std::fprintf(stderr, "faultline: %s: precondition failed: %s (stream seed %llu)\n", function,
                     condition, static_cast<unsigned long long>(rng->seed()));
    } else {
        std::fprintf(stderr, "faultline: %s: precondition failed: %s\n", function, condition);
    }
    std::abort();
}

#define SIM_RANDOM_REQUIRE(cond, function, rng) \
    ((cond) ? static_cast<void>(0) : precondition_failed(function, #cond, rng))

__extension__ typedef unsigned __int128 u128;  // __extension__: no -Wpedantic warning

}  // namespace

// splitmix64 (Steele, Lea & Flood 2014), as the xoshiro authors recommend for seeding: four
// consecutive outputs, distinct because mix64 is a bijection, so never the all-zero state.
Rng::Rng(std::uint64_t seed) : seed_(seed) {
    std::uint64_t x = seed;
    for (auto& word : state_) {
        x += 0x9e3779b97f4a7c15ULL;
        word = mix64(x);
    }
}

// The name's hash is combined with the mixed root seed and mixed again, so nearby root seeds
// (1, 2, 3, ...) and similar names ("db-1", "db-2") still give unrelated streams.
Rng Rng::derive(std::uint64_t root_seed, std::string_view name) {
    return Rng(mix64(mix64(root_seed) ^ hash_name(name)));
}

Rng Rng::fork(std::string_view name) const {
    return derive(seed_, name);
}

// Lemire (2019), "Fast random integer generation in an interval": the high word of x * n is
// uniform once the low word is outside the 2^64 mod n values that would bias it. The division
// for that threshold only happens when the low word falls below n, which is rare for small n.
std::uint64_t Rng::uniform_u64(std::uint64_t n) {
    SIM_RANDOM_REQUIRE(n > 0, "Rng::uniform_u64", this);
    u128 m = static_cast<u128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
        const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
        while (low < threshold) {
            m = static_cast<u128>(next_u64()) * n;
            low = static_cast<std::uint64_t>(m);
        }
    }
    return static_cast<std::uint64_t>(m >> 64);
}

// In unsigned arithmetic, where wrap-around is defined; the full range (span 2^64) is one draw.
std::int64_t Rng::uniform_int(std::int64_t lo, std::int64_t hi) {
    SIM_RANDOM_REQUIRE(lo <= hi, "Rng::uniform_int", this);
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span == std::numeric_limits<std::uint64_t>::max()) {
        return static_cast<std::int64_t>(next_u64());
    }
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + uniform_u64(span + 1));
}

// a + (b - a) U can round up to b; the largest double below b takes its place (nextafter is
// exact, so this is as deterministic as the rest).
double Rng::uniform_real(double a, double b) {
    SIM_RANDOM_REQUIRE(a <= b && std::isfinite(b - a), "Rng::uniform_real", this);
    const double x = a + (b - a) * uniform01();
    return x < b ? x : std::nextafter(b, a);
}

bool Rng::bernoulli(Ratio r) {
    SIM_RANDOM_REQUIRE(r.valid(), "Rng::bernoulli", this);
    return uniform_u64(r.den) < r.num;
}

bool Rng::chance(double p) noexcept {
    return uniform01() < p;
}

// Inversion with log1p: 1 - U is in (0, 1], so the log is finite, and log1p keeps the small
// values (U near 0) accurate.
double Rng::standard_exponential() {
    return -det_log1p(-uniform01());
}

double Rng::exponential(double rate) {
    SIM_RANDOM_REQUIRE(rate > 0, "Rng::exponential", this);
    return standard_exponential() / rate;
}

// Marsaglia's polar method: a point uniform in the unit disc (by rejection from the square)
// gives two independent normals with one log and one sqrt, no trigonometry.
double Rng::standard_normal() {
    if (has_normal_spare_) {
        has_normal_spare_ = false;
        return normal_spare_;
    }
    double u = 0.0;
    double v = 0.0;
    double s = 0.0;
    do {
        u = 2.0 * uniform01() - 1.0;
        v = 2.0 * uniform01() - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * det_log(s) / s);
    normal_spare_ = v * factor;
    has_normal_spare_ = true;
    return u * factor;
}

double Rng::normal(double mean, double stddev) {
    SIM_RANDOM_REQUIRE(stddev >= 0, "Rng::normal", this);
    return mean + stddev * standard_normal();
}

double Rng::lognormal(double mu, double sigma) {
    SIM_RANDOM_REQUIRE(sigma >= 0, "Rng::lognormal", this);
    return det_exp(normal(mu, sigma));
}

// e^(E / shape) >= 1 exactly (det_exp of a non-negative number is >= 1), so the result is never
// below scale.
double Rng::pareto(double scale, double shape) {
    SIM_RANDOM_REQUIRE(scale > 0 && shape > 0, "Rng::pareto", this);
    return scale * det_exp(standard_exponential() / shape);
}

Duration Rng::exponential(Duration mean) {
    SIM_RANDOM_REQUIRE(mean.count() >= 0, "Rng::exponential(Duration)", this);
    // ns >= 0, so rounding is + 0.5 and the cast (delay_from_ns's clamp at 0 is not needed here).
    return saturating_duration(static_cast<double>(mean.count()) * standard_exponential() + 0.5);
}

Duration Rng::uniform_duration(Duration lo, Duration hi) {
    SIM_RANDOM_REQUIRE(lo <= hi, "Rng::uniform_duration", this);
    return Duration{uniform_int(lo.count(), hi.count())};
}

// ---- Zipf ------------------------------------------------------------------------------------
//
// The hat function is h(x) = x^-s, and H(x) = (x^(1-s) - 1) / (1 - s) its integral from 1
// (log x when s = 1, which is the limit, so s = 1 needs no special case). A uniform point u in
// the area under the hat up to n + 1/2 is inverted to x = H^-1(u) and rounded to a rank k; k is
// accepted if u lies in the part of the strip around k that has area exactly h(k). The strip for
// k = 1 is cut to area h(1) = 1 (hence H(1.5) - 1 as the lower end), so it always accepts.

namespace {

// expm1(x) / x and log1p(x) / x, with their Taylor series where x is too near 0 to divide.
constexpr double taylor_threshold = 1e-8;

double expm1_over_x(double x) {
    if (std::fabs(x) > taylor_threshold) {
        return det_expm1(x) / x;
    }
    return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3) * (1.0 + 0.25 * x));
}

double log1p_over_x(double x) {
    if (std::fabs(x) > taylor_threshold) {
        return det_log1p(x) / x;
    }
    return 1.0 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

}  // namespace

Zipf::Zipf(std::uint64_t n, double s) : n_(n), exponent_(s) {
    SIM_RANDOM_REQUIRE(n >= 1 && n <= (std::uint64_t{1} << 53), "Zipf", nullptr);
    SIM_RANDOM_REQUIRE(s > 0 && std::isfinite(s), "Zipf", nullptr);
    h_integral_x1_ = h_integral(1.5) - 1.0;
    h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
    shortcut_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

// The hat, x^-s, as e^(-s log x).
double Zipf::h(double x) const {
    return det_exp(-exponent_ * det_log(x));
}

// H(x) = (x^(1-s) - 1) / (1 - s) = log x * expm1((1 - s) log x) / ((1 - s) log x).
double Zipf::h_integral(double x) const {
    const double log_x = det_log(x);
    return expm1_over_x((1.0 - exponent_) * log_x) * log_x;
}

// H^-1(x) = (1 + (1 - s) x)^(1 / (1 - s)) = e^(x * log1p(t) / t) with t = (1 - s) x.
double Zipf::h_integral_inverse(double x) const {
    // (1 - s) x >= -1 in exact arithmetic; rounding can push it just below, where log1p fails.
    const double t = std::max(x * (1.0 - exponent_), -1.0);
    return det_exp(log1p_over_x(t) * x);
}

std::uint64_t Zipf::operator()(Rng& rng) const {
    for (;;) {
        // uniform01() is in [0, 1), so u is in (h_integral_x1_, h_integral_n_].
        const double u = h_integral_n_ + rng.uniform01() * (h_integral_x1_ - h_integral_n_);
        const double x = h_integral_inverse(u);
        // Round to the nearest rank and clamp: rounding error can carry x a little outside.
        const double nearest = x + 0.5;
        std::uint64_t k = n_;
        if (nearest < 1.0) {
            k = 1;
        } else if (nearest < static_cast<double>(n_)) {
            k = static_cast<std::uint64_t>(nearest);
        }
        const double kd = static_cast<double>(k);
        // The first test is a cheap sufficient condition for the second (Theorem 2 of the paper,
        // valid for every s > 0); the second accepts exactly the area h(k) of k's strip.
        if (kd - x <= shortcut_ || u >= h_integral(kd + 0.5) - h(kd)) {
            return k;
        }
    }
}

}  // namespace sim
