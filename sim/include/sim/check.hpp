// Assertions, coverage marks and buggify fault points.
//
// SIM_ASSERT is on in every build. Inside a run it prints the seed, virtual time, host and the
// command that reproduces the run, records the failure (verdict "fail", exit code 1) and stops
// the run; outside a run it prints and aborts.
//
// SIM_COVER("name") counts that a code path was reached; a scenario can require marks, and a
// required mark never reached fails the run (a fault test that never hit its fault proved
// nothing).
//
// buggify(ctx, ratio): a code-level fault point. With buggify enabled for the run, each call site
// is armed or not from the seed (half of them), and an armed site fires with the given ratio.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/random.hpp"

namespace sim {

class Ctx;
class Simulator;

namespace detail {

// Thrown by a failed SIM_ASSERT inside a run, caught by the kernel; it carries nothing because
// the failure is already recorded in the simulator.
struct AssertionFailure {};

// Thrown inside a process whose own host crashes under it: unwinds it at once, like a kill.
struct ProcessKilled {};

[[noreturn]] void assert_failed(const char* expr, std::string_view message, const char* file, int line);
inline std::string_view assert_message() { return {}; }
inline std::string_view assert_message(std::string_view m) { return m; }

struct CoverSite {
    explicit CoverSite(const char* name);
    const char* name;
    std::uint32_t id;
};
void cover_hit(const CoverSite& site) noexcept;

}  // namespace detail

// The simulator running on this thread, if any (used only by the macros above).
Simulator* current_simulator() noexcept;

// Makes a simulator current for a scope: run() does this itself; a scenario builder does it
// while it sets a run up, so an assertion there is a run failure too, not an abort.
class CurrentScope {
public:
    explicit CurrentScope(Simulator& sim) noexcept;
    ~CurrentScope();
    CurrentScope(const CurrentScope&) = delete;
    CurrentScope& operator=(const CurrentScope&) = delete;

private:
    Simulator* previous_;
};

bool buggify(Ctx& ctx, Ratio fire = Ratio{1, 4}, const char* file = __builtin_FILE(), int line = __builtin_LINE());

}  // namespace sim

// The failure path is a cold lambda of its own: the message (often a std::string built from
// pieces) then takes no room in the caller's frame, which matters on a fiber's hot path (every
// line of stack a suspended fiber touches costs; see docs/performance.md).
#define SIM_ASSERT(cond, ...)                                                                             \
    ((cond) ? static_cast<void>(0) : [&]() __attribute__((cold, noinline, noreturn)) {                  \
        ::sim::detail::assert_failed(#cond, ::sim::detail::assert_message(__VA_ARGS__), __FILE__, __LINE__); \
    }())

#define SIM_COVER(name)                                                  \
    do {                                                                 \
        static const ::sim::detail::CoverSite sim_cover_site_{name};     \
        ::sim::detail::cover_hit(sim_cover_site_);                       \
    } while (0)
