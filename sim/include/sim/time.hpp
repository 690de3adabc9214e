// Virtual time: int64 nanoseconds behind std::chrono types, so `30s` and `5ms` literals work.
// There is deliberately no Clock::now(): the only "now" is the simulator's, reached through
// Simulator::now() or Ctx::now(). Nothing here reads the wall clock.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace sim {

using Duration = std::chrono::duration<std::int64_t, std::nano>;

// A std::chrono-style clock type for virtual time points (no static now(): see above).
struct Clock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = Duration;
    using time_point = std::chrono::time_point<Clock, Duration>;
    static constexpr bool is_steady = true;
};

using Time = Clock::time_point;

inline constexpr Time time_zero{};
inline constexpr Time time_never{Duration{std::numeric_limits<std::int64_t>::max()}};
inline constexpr Duration duration_forever{std::numeric_limits<std::int64_t>::max()};

// Saturating addition: a deadline of `now + forever` stays `never` instead of overflowing.
constexpr Time saturating_add(Time t, Duration d) {
    if (d.count() > 0 && t.time_since_epoch().count() > std::numeric_limits<std::int64_t>::max() - d.count()) {
        return time_never;
    }
    return t + d;
}

// A nanosecond count computed in floating point, as a Duration: truncated toward zero like a cast,
// but saturated where a cast would be undefined behaviour (and on x86 wrap to a large negative
// time): at or past +-2^63 ns it is +-duration_forever, and NaN is 0. So a gap computed from a
// tiny rate, or a delay scaled by a huge factor, becomes "never" instead of "long ago".
inline Duration saturating_duration(double ns) {
    // One test for the common case, in range (NaN fails it too): every exponential draw passes here.
    if (std::fabs(ns) < 0x1p63) return Duration(static_cast<std::int64_t>(ns));
    if (ns != ns) return Duration(0);
    return ns > 0 ? duration_forever : -duration_forever;
}

// A delay computed in floating point (a draw, a scaled latency): rounded to the nearest
// nanosecond, never negative (NaN and negative values are 0), duration_forever past int64.
inline Duration delay_from_ns(double ns) { return saturating_duration((ns < 0.0 ? 0.0 : ns) + 0.5); }

// "12.000345678s": seconds with nanosecond precision, trailing zeros trimmed ("30s", "1.5s").
std::string format_time(Time t);
std::string format_duration(Duration d);

constexpr double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e9; }
constexpr double to_seconds(Time t) { return to_seconds(t.time_since_epoch()); }

namespace literals {
using namespace std::chrono_literals;
}

}  // namespace sim
