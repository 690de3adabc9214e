// A circuit breaker (closed, open, half-open), as in Hystrix, resilience4j and Envoy's outlier
// detection: a client stops sending to a backend that is failing, so the backend gets room to
// recover and callers fail fast instead of waiting for timeouts.
//
//   closed     every attempt goes; results fill a rolling window. When the window holds at
//              least `requests_min` results and errors / results exceeds `error_ratio_max`, the
//              breaker opens (at the moment of the result that tipped it).
//   open       every attempt is rejected, until `open_for` has passed since it opened.
//   half-open  `half_open_probes` attempts go through as probes, the rest are rejected. If all
//              of them succeed the breaker closes with an empty window; the first failed probe
//              opens it again for another `open_for`.
//
// An attempt is admitted with a Ticket naming the breaker's epoch (one per state change), and
// its result counts only in that epoch: an attempt sent while closed that fails after the breaker
// opened does not count as a failed probe. A ticket given up without a result (the attempt was
// cancelled, its process killed) frees its probe slot. Pure logic on virtual time.
//
// Left out: slow-call thresholds (resilience4j counts calls slower than a limit as failures),
// windows counted in calls rather than time, and growing open periods after repeated failures.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "models/caller_window.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/time.hpp"
#include "sim/values.hpp"

namespace models {

struct BreakerOptions {
    bool enabled = false;
    // Opens when errors / results in the window is above this (and requests_min is reached).
    sim::Ratio error_ratio_max{1, 2};
    int requests_min = 20;  // at least 1
    sim::Duration window = std::chrono::seconds(10);
    int window_buckets = 10;  // the window moves in steps of window / window_buckets
    sim::Duration open_for = std::chrono::seconds(5);
    int half_open_probes = 3;  // 1 to 1000
};

sim::ParseError validate(const BreakerOptions& options);

class CircuitBreaker {
public:
    enum class State : std::uint8_t { closed, open, half_open };

    struct Ticket {
        std::uint64_t epoch = 0;
        bool probe = false;  // admitted as a half-open probe
    };

    struct Counts {
        std::uint64_t opened = 0;       // closed or half-open -> open
        std::uint64_t half_opened = 0;  // open -> half-open
        std::uint64_t closed = 0;       // half-open -> closed
        std::uint64_t rejected = 0;     // allow() said no
        std::uint64_t probes = 0;       // probes admitted
    };

    explicit CircuitBreaker(BreakerOptions options);

    const BreakerOptions& options() const noexcept { return options_; }

    // A ticket if an attempt may be sent now, nothing if it is rejected.
    std::optional<Ticket> allow(sim::Time now);
    // The admitted attempt ended: success or a failure (the caller decides what counts as one).
    void record(sim::Time now, Ticket ticket, bool success);
    // The admitted attempt ended without a result that says anything about the backend.
    void abandon(Ticket ticket);

    // The state at `now`: an open breaker whose open_for has passed reads as half-open (it
    // becomes so at the next allow()).
    State state(sim::Time now) const;
    // The state as of the last call that changed anything.
    State state() const noexcept { return state_; }
    sim::Time opened_at() const noexcept { return opened_at_; }
    // Counts one per state change: a caller compares it before and after to trace transitions.
    std::uint64_t epoch() const noexcept { return epoch_; }
    const Counts& counts() const noexcept { return counts_; }
    RollingWindow::Counts window(sim::Time now) const { return window_.sum(now); }

    // Whether a result says the backend failed: any error but `cancelled` (given up on this
    // side, so it says nothing about the backend).
    static bool failure(bool ok, sim::Errc error) noexcept { return !ok && error != sim::Errc::cancelled; }

private:
    void open(sim::Time now);
    void enter(State s);

    BreakerOptions options_;
    RollingWindow window_;  // total: results; marked: errors
    State state_ = State::closed;
    std::uint64_t epoch_ = 0;
    sim::Time opened_at_{};
    int probes_out_ = 0;  // half-open: probes admitted and not yet back
    int probes_ok_ = 0;   // half-open: probes that succeeded
    Counts counts_;
};

std::string_view to_string(CircuitBreaker::State s) noexcept;

}  // namespace models
