// The circuit breaker's state machine (see breaker.hpp).
#include "models/breaker.hpp"

#include <string>

#include "models/checked.hpp"
#include "sim/check.hpp"

namespace models {

sim::ParseError validate(const BreakerOptions& o) {
    if (!o.error_ratio_max.valid()) return std::string("breaker: error_ratio_max must be a fraction between 0 and 1");
    if (o.requests_min < 1) return std::string("breaker: requests_min must be at least 1");
    if (o.window_buckets < 1 || o.window_buckets > RollingWindow::buckets_max) {
        return std::string("breaker: window_buckets must be between 1 and 1000");
    }
    if (o.window.count() < o.window_buckets) return std::string("breaker: window too short for its buckets");
    if (o.open_for.count() <= 0) return std::string("breaker: open_for must be positive");
    if (o.half_open_probes < 1 || o.half_open_probes > 1000)
        return std::string("breaker: half_open_probes must be between 1 and 1000");
    return std::nullopt;
}

std::string_view to_string(CircuitBreaker::State s) noexcept {
    switch (s) {
        case CircuitBreaker::State::closed:
            return "closed";
        case CircuitBreaker::State::open:
            return "open";
        case CircuitBreaker::State::half_open:
            return "half_open";
    }
    return "?";
}

namespace {
// errors * den against total * num: both products may pass 64 bits.
__extension__ typedef unsigned __int128 u128;

}  // namespace

CircuitBreaker::CircuitBreaker(BreakerOptions options)
    : options_(checked(options)), window_(options_.window, options_.window_buckets) {}

void CircuitBreaker::enter(State s) {
    state_ = s;
    ++epoch_;  // results of attempts admitted before this change no longer count
    probes_out_ = 0;
    probes_ok_ = 0;
}

void CircuitBreaker::open(sim::Time now) {
    SIM_COVER("breaker: opened");
    enter(State::open);
    opened_at_ = now;
    ++counts_.opened;
}

CircuitBreaker::State CircuitBreaker::state(sim::Time now) const {
    if (state_ == State::open && now >= sim::saturating_add(opened_at_, options_.open_for)) return State::half_open;
    return state_;
}

std::optional<CircuitBreaker::Ticket> CircuitBreaker::allow(sim::Time now) {
    if (state_ == State::open && state(now) == State::half_open) {
        enter(State::half_open);
        ++counts_.half_opened;
    }
    switch (state_) {
        case State::closed:
            return Ticket{epoch_, false};
        case State::open:
            break;
        case State::half_open:
            if (probes_out_ + probes_ok_ < options_.half_open_probes) {
                SIM_COVER("breaker: half-open probe");
                ++probes_out_;
                ++counts_.probes;
                return Ticket{epoch_, true};
            }
            break;
    }
    ++counts_.rejected;
    return std::nullopt;
}

void CircuitBreaker::record(sim::Time now, Ticket ticket, bool success) {
    if (ticket.epoch != epoch_) return;  // admitted under an earlier state: says nothing about this one
    switch (state_) {
        case State::closed: {
            window_.add(now, 1, success ? 0 : 1);
            const RollingWindow::Counts c = window_.sum(now);
            // errors / total > num / den, in integers (no rounding at the boundary).
            const bool over = static_cast<u128>(c.marked) * options_.error_ratio_max.den >
                              static_cast<u128>(c.total) * options_.error_ratio_max.num;
            if (c.total >= static_cast<std::uint64_t>(options_.requests_min) && over) open(now);
            return;
        }
        case State::open:
            return;  // cannot happen: an open breaker admits nothing in its epoch
        case State::half_open:
            SIM_ASSERT(ticket.probe && probes_out_ > 0, "breaker: a half-open result without a probe out");
            --probes_out_;
            if (!success) {
                open(now);
                return;
            }
            if (++probes_ok_ == options_.half_open_probes) {
                enter(State::closed);
                window_.clear();  // a closed breaker judges the backend from here on
                ++counts_.closed;
            }
            return;
    }
}

void CircuitBreaker::abandon(Ticket ticket) {
    if (ticket.epoch != epoch_ || !ticket.probe) return;
    SIM_ASSERT(state_ == State::half_open && probes_out_ > 0, "breaker: an abandoned probe that was not out");
    --probes_out_;
}

}  // namespace models
