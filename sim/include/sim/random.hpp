// Seeded random streams and the distributions models draw from.
//
// A run has one 64-bit root seed. Every host and component draws from its own stream, derived
// from (root seed, name) alone, so adding a host or a stream never changes what the others draw.
// The generator is xoshiro256** (small, fast, statistically strong), seeded through splitmix64.
// The distributions are written here, from integer arithmetic and sim/detmath.hpp, because the
// std::*_distribution classes (and std::log) give different numbers on different standard
// libraries; with these, a seed gives the same bits under g++/libstdc++ and clang++/libc++.
//
// Left out on purpose: cryptographic strength, jump-ahead (streams are split by name instead),
// and distributions no model needs yet (gamma, Poisson, ...). The rejection loops (uniform_u64,
// normal, Zipf) have no iteration cap: a round accepts with probability over 1/2 (pi/4 for the
// polar method, most of the hat's area for Zipf), so a cap could never be reached in practice.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string_view>

#include "sim/time.hpp"

namespace sim {

// A probability as an exact integer ratio num/den (den > 0, num <= den). Fault rates use it so a
// rate read from a scenario ("1/1000") draws the same way everywhere, with no rounding.
struct Ratio {
    std::uint64_t num = 0;
    std::uint64_t den = 1;

    constexpr bool valid() const noexcept { return den > 0 && num <= den; }
    friend constexpr bool operator==(const Ratio&, const Ratio&) = default;
};

// FNV-1a, 64 bit, over the name's bytes: stable across platforms, compilers and runs (unlike
// std::hash). Not collision resistant; mix64 is applied before it is used as a seed.
constexpr std::uint64_t hash_name(std::string_view name) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

// The splitmix64 finalizer: a bijection on 64 bits in which every input bit flips about half
// of the output bits, used to turn structured values (0, 1, 2, ... or a hash) into seeds.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// One random stream. Copying an Rng copies its position: the copy repeats the original's draws.
class Rng {
public:
    // The state is four splitmix64 outputs from `seed`, so it is never all zero.
    explicit Rng(std::uint64_t seed);

    // The stream for the component `name` under a run's root seed; depends on nothing else.
    static Rng derive(std::uint64_t root_seed, std::string_view name);

    // A child stream derived from this stream's seed (not its position): it does not advance
    // this stream, and is the same however many draws this stream has made.
    Rng fork(std::string_view name) const;

    // The seed this stream was created from (after derivation): its identity, for messages.
    std::uint64_t seed() const noexcept { return seed_; }

    // xoshiro256**: the next 64 raw bits.
    std::uint64_t next_u64() noexcept;

    // Uniform in [0, n), n > 0, unbiased: Lemire's multiply-shift with rejection.
    std::uint64_t uniform_u64(std::uint64_t n);

    // Uniform in [lo, hi], both inclusive; the full int64 range is allowed.
    std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);

    // Uniform in [0, 1): the top 53 bits of one draw, times 2^-53.
    double uniform01() noexcept;

    // Uniform in [a, b) by scaling uniform01(); a <= b, b - a finite (a == b gives a).
    double uniform_real(double a, double b);

    // True with probability r.num / r.den, in integers only: uniform_u64(den) < num. It draws
    // even when the answer is certain, so setting a rate to 0 or 1 does not shift the stream.
    bool bernoulli(Ratio r);

    // True with probability p: uniform01() < p. One draw; p <= 0 never, p >= 1 always.
    bool chance(double p) noexcept;

    // Exponential with the given rate (> 0), mean 1/rate: inversion, -log(1 - U) / rate.
    double exponential(double rate);

    // Normal: Marsaglia's polar method. Each accepted pair of uniforms yields two independent
    // normals; the second is cached in the stream and returned by the next call to normal() or
    // lognormal() (so those alternate between drawing and not drawing). stddev >= 0.
    double normal(double mean, double stddev);

    // Lognormal: e^N with N normal(mu, sigma), sigma >= 0.
    double lognormal(double mu, double sigma);

    // Pareto type I (values >= scale, tail ~ x^-shape): inversion, scale * (1 - U)^(-1/shape),
    // computed as scale * e^(E / shape) with E a standard exponential. scale > 0, shape > 0.
    double pareto(double scale, double shape);

    // An exponential delay with the given mean (>= 0), rounded to the nearest nanosecond and
    // capped at Duration::max().
    Duration exponential(Duration mean);

    // A delay uniform in [lo, hi], both inclusive, in whole nanoseconds (lo <= hi).
    Duration uniform_duration(Duration lo, Duration hi);

private:
    double standard_exponential();
    double standard_normal();

    std::uint64_t seed_;
    std::array<std::uint64_t, 4> state_;
    double normal_spare_ = 0.0;  // the polar method's second value, when has_normal_spare_
    bool has_normal_spare_ = false;
};

inline std::uint64_t Rng::next_u64() noexcept {
    const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = std::rotl(state_[3], 45);
    return result;
}

inline double Rng::uniform01() noexcept {
    return static_cast<double>(next_u64() >> 11) * 0x1p-53;
}

// Zipf over ranks 1..n: P(k) proportional to 1/k^s. The sampler keeps O(1) state and takes O(1)
// expected time for any n (no table of n weights): rejection-inversion, Hörmann & Derflinger
// (1996), in the form Apache Commons RNG uses (RejectionInversionZipfSampler), which allows any
// s > 0 including s = 1. All the math goes through det_*, so ranks are the same everywhere.
class Zipf {
public:
    // 1 <= n <= 2^53 (ranks must be exact as doubles), s > 0 and finite.
    Zipf(std::uint64_t n, double s);

    // A rank in [1, n]; rank 1 is the most likely.
    std::uint64_t operator()(Rng& rng) const;

    std::uint64_t n() const noexcept { return n_; }
    double s() const noexcept { return exponent_; }

private:
    double h(double x) const;
    double h_integral(double x) const;
    double h_integral_inverse(double x) const;

    std::uint64_t n_;
    double exponent_;
    double h_integral_x1_;  // h_integral(1.5) - 1: the lower end of the hat's area
    double h_integral_n_;   // h_integral(n + 0.5): the upper end
    double shortcut_;       // k - x <= shortcut_ accepts without evaluating the hat
};

}  // namespace sim
