// The ResilientCaller's bookkeeping: admission, results, decisions, counters and traces (the
// control flow of a call is the template in caller.hpp).
#include "models/caller.hpp"

#include <algorithm>
#include <string>

#include "models/checked.hpp"
#include "sim/check.hpp"

namespace models {

sim::ParseError validate(const CallerOptions& o) {
    if (auto p = validate(o.retry)) return p;
    if (auto p = validate(o.throttle)) return p;
    if (auto p = validate(o.breaker)) return p;
    if (auto p = validate(o.hedge)) return p;
    if (o.timeout.count() <= 0) return std::string("caller: timeout must be positive");
    if (o.deadline.count() < 0) return std::string("caller: deadline must not be negative (0: none)");
    return std::nullopt;
}


namespace detail {

CallerCore::CallerCore(sim::Simulator& sim, std::string name, CallerOptions options)
    : options_(checked(std::move(options))),
      policy_(options_.retry, sim.now()),
      name_(std::move(name)),
      retry_rng_(sim.rng("caller/" + name_).fork("retry")),
      throttle_rng_(sim.rng("caller/" + name_).fork("throttle")),
      throttle_(options_.throttle),
      breaker_(options_.breaker) {}

sim::Time CallerCore::begin(sim::Ctx& ctx, sim::Time deadline) {
    ++counters_.requests;
    policy_.on_request(ctx.now());
    if (options_.deadline.count() > 0) deadline = std::min(deadline, sim::saturating_add(ctx.now(), options_.deadline));
    return deadline;
}

sim::Duration CallerCore::attempt_timeout(sim::Ctx& ctx, sim::Time deadline) const {
    if (deadline == sim::time_never) return options_.timeout;
    return std::clamp(deadline - ctx.now(), sim::Duration(0), options_.timeout);
}

void CallerCore::trace_breaker(sim::Ctx& ctx, std::uint64_t epoch_before) {
    if (breaker_.epoch() == epoch_before) return;
    ctx.trace("breaker.state", {{"caller", std::string_view(name_)}, {"state", to_string(breaker_.state())}});
}

CallerCore::Admission CallerCore::admit(sim::Ctx& ctx, Kind kind) {
    Admission a;
    const sim::Time now = ctx.now();
    if (options_.breaker.enabled) {
        const std::uint64_t epoch = breaker_.epoch();
        const auto ticket = breaker_.allow(now);
        trace_breaker(ctx, epoch);
        if (!ticket) {
            ++counters_.breaker_rejected;
            a.error = sim::Errc::cancelled;  // what sim::Errc says a breaker's rejection is
            return a;
        }
        a.ticketed = true;
        a.ticket = *ticket;
    }
    if (options_.throttle.enabled && !throttle_.admit(now, throttle_rng_)) {
        ++counters_.throttled;
        if (a.ticketed) breaker_.abandon(a.ticket);
        a.ticketed = false;
        a.error = sim::Errc::overloaded;  // shed as the backend would have shed it
        return a;
    }
    // A hedge is extra load like a retry: it needs a budget token too (a retry took its own in
    // decide(), before its backoff).
    if (kind == Kind::hedge && !policy_.try_spend(now)) {
        SIM_COVER("retry: budget denied");
        budget_denied(ctx);
        if (a.ticketed) breaker_.abandon(a.ticket);
        a.ticketed = false;
        a.error = sim::Errc::exhausted;
        return a;
    }
    a.ok = true;
    ++counters_.attempts;
    if (kind == Kind::retry) ++counters_.retries;
    if (kind != Kind::first && later_attempts_ != nullptr) later_attempts_->add();
    if (kind == Kind::hedge) ++counters_.hedges;
    return a;
}

void CallerCore::finish(sim::Ctx& ctx, const Admission& a, bool ok, sim::Errc error) {
    SIM_ASSERT(a.ok, "finish of an attempt that was not admitted");
    const sim::Time now = ctx.now();
    if (!ok) {
        const auto index = static_cast<std::size_t>(error);
        SIM_ASSERT(index < counters_.attempt_errors.size(), "an error code models::errc_count does not know");
        ++counters_.attempt_errors[index];
    }
    if (!ok && error == sim::Errc::cancelled) {
        if (a.ticketed) breaker_.abandon(a.ticket);  // given up on this side: says nothing about the backend
        return;
    }
    if (options_.throttle.enabled) throttle_.record(now, AdaptiveThrottle::accepted(ok, error));
    if (a.ticketed) {
        const std::uint64_t epoch = breaker_.epoch();
        breaker_.record(now, a.ticket, !CircuitBreaker::failure(ok, error));
        trace_breaker(ctx, epoch);
    }
}

void CallerCore::abandon(const Admission& a) {
    ++counters_.abandoned;
    if (a.ticketed) breaker_.abandon(a.ticket);
}

RetryPolicy::Decision CallerCore::decide(sim::Ctx& ctx, RetryState& state, sim::Errc error, sim::Time deadline) {
    const RetryPolicy::Decision d = policy_.on_failure(ctx.now(), state, error, retry_rng_, deadline);
    if (d.verdict == RetryPolicy::Verdict::budget_denied) budget_denied(ctx);
    return d;
}

void CallerCore::budget_denied(sim::Ctx& ctx) {
    ++counters_.budget_denied;
    // An empty budget denies in bursts of thousands, and tokens trickle back between them: one
    // record per second at most, saying how many were denied since the last one.
    const sim::Time now = ctx.now();
    if (budget_traced_ && now - budget_traced_at_ < budget_trace_interval) return;
    ctx.trace("retry.budget_exhausted",
              {{"caller", std::string_view(name_)}, {"denied", counters_.budget_denied - budget_denied_traced_}});
    budget_traced_ = true;
    budget_traced_at_ = now;
    budget_denied_traced_ = counters_.budget_denied;
}

void CallerCore::succeeded(bool by_hedge) {
    ++counters_.successes;
    if (by_hedge) ++counters_.hedge_wins;
}

void CallerCore::failed() { ++counters_.failures; }

}  // namespace detail

ResilientCaller::ResilientCaller(sim::Simulator& sim, std::string name, CallerOptions options)
    : core_(std::make_shared<detail::CallerCore>(sim, std::move(name), std::move(options))) {}

ResilientCaller::ResilientCaller(sim::Host& host, std::string_view name, CallerOptions options)
    : ResilientCaller(host.sim(), std::string(host.name()) + "/" + std::string(name), std::move(options)) {}

double ResilientCaller::amplification() const noexcept {
    const CallerCounters& c = core_->counters();
    return c.requests == 0 ? 0.0 : static_cast<double>(c.attempts) / static_cast<double>(c.requests);
}

}  // namespace models
