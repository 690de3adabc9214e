// The client side of a call: a ResilientCaller runs one logical request as attempts, with the
// resilience policies a client library puts around a remote call, in the order a request meets
// them:
//
//   circuit breaker (breaker.hpp)   may this attempt go at all? (no: the request fails, cancelled)
//   adaptive throttle (throttle.hpp) shed it locally?            (yes: the request fails, overloaded)
//   the attempt itself, with a per-attempt timeout, hedged after a delay (hedge.hpp)
//   retry policy (retry.hpp)         retry this error? after how long? is there budget?
//
// The attempt is any function `sim::Result<T>(sim::Ctx&, sim::Duration attempt_timeout)`: an RPC
// call, a pool call, a cache lookup. It must use the Ctx it is given (a hedge runs it in another
// process) and honour the timeout (the caller does not cut an attempt short).
//
//   models::ResilientCaller db(sim, "web->db", {.retry = {.attempts_max = 3}});
//   auto v = db.call(ctx, [&](sim::Ctx& c, sim::Duration t) { return rpc.call(c, "db-1", request, t); });
//
// The counters are what the metrics layer records: retries sent, and retry amplification
// (attempts / logical requests), the number that shows a retry storm. Time is the global virtual
// time (a monotonic clock: clock skew and jumps do not move breakers or budgets, as they do not
// move a real client's steady clock); randomness comes from the stream "caller/<name>".
//
// Left out: idempotency (the caller retries whatever it is given), retries of a partial answer
// (streams), and per-endpoint state (one breaker and budget per caller: make one caller per
// backend to model per-host breakers).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "models/breaker.hpp"
#include "models/hedge.hpp"
#include "models/metrics.hpp"
#include "models/retry.hpp"
#include "models/throttle.hpp"
#include "sim/ctx.hpp"
#include "sim/host.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/simulator.hpp"
#include "sim/sync.hpp"
#include "sim/time.hpp"
#include "sim/values.hpp"

namespace models {

struct CallerOptions {
    RetryOptions retry;
    ThrottleOptions throttle;
    BreakerOptions breaker;
    HedgeOptions hedge;
    // Each attempt's timeout, passed to the attempt function (cut to what is left of the deadline).
    sim::Duration timeout = std::chrono::seconds(1);
    // The whole logical request's limit, from its start; 0: none. A retry whose wait would reach
    // it is not sent.
    sim::Duration deadline{0};
};

sim::ParseError validate(const CallerOptions& options);

struct CallerCounters {
    std::uint64_t requests = 0;          // logical requests begun
    std::uint64_t successes = 0;         // logical requests that succeeded
    std::uint64_t failures = 0;          // logical requests that failed (any reason)
    std::uint64_t attempts = 0;          // attempts sent: first attempts, retries and hedges
    std::uint64_t retries = 0;           // attempts after a request's first try (hedges not included)
    std::uint64_t hedges = 0;            // hedged copies sent
    std::uint64_t hedge_wins = 0;        // requests answered by a hedge rather than by its try's first copy
    std::uint64_t budget_denied = 0;     // retries and hedges not sent for want of a budget token
    std::uint64_t throttled = 0;         // attempts shed by the adaptive throttle
    std::uint64_t breaker_rejected = 0;  // attempts rejected by the circuit breaker
    std::uint64_t abandoned = 0;         // attempts given up in flight (losing hedges, killed callers)
    std::array<std::uint64_t, errc_count> attempt_errors{};  // failed attempts, by error code

    std::uint64_t errors(sim::Errc e) const { return attempt_errors[static_cast<std::size_t>(e)]; }
};

namespace detail {

// The caller's state, shared by the caller object, every call in progress and every hedge
// process (std::shared_ptr): an attempt that ends after its caller object is gone still has
// somewhere valid to report to. Not for direct use.
class CallerCore {
public:
    enum class Kind : std::uint8_t { first, retry, hedge };
    struct Admission {
        bool ok = false;
        sim::Errc error = sim::Errc::cancelled;  // why not, when !ok
        bool ticketed = false;                   // holds a breaker ticket
        CircuitBreaker::Ticket ticket;
    };

    CallerCore(sim::Simulator& sim, std::string name, CallerOptions options);

    // A logical request begins; returns its deadline (the earlier of `deadline` and the option).
    sim::Time begin(sim::Ctx& ctx, sim::Time deadline);
    // Breaker, throttle and (for hedges) budget: may this attempt be sent? Counts it if so.
    Admission admit(sim::Ctx& ctx, Kind kind);
    // The attempt's timeout: the option, cut to what is left before the deadline.
    sim::Duration attempt_timeout(sim::Ctx& ctx, sim::Time deadline) const;
    // An admitted attempt ended with a result (`error` is read only when !ok).
    void finish(sim::Ctx& ctx, const Admission& a, bool ok, sim::Errc error);
    // An admitted attempt ended without one (cancelled, or its process killed).
    void abandon(const Admission& a);
    // The retry policy's decision after a failed try.
    RetryPolicy::Decision decide(sim::Ctx& ctx, RetryState& state, sim::Errc error, sim::Time deadline);
    void succeeded(bool by_hedge);
    void failed();

    const std::string& name() const noexcept { return name_; }
    const CallerOptions& options() const noexcept { return options_; }
    const CallerCounters& counters() const noexcept { return counters_; }
    const RetryPolicy& policy() const noexcept { return policy_; }
    const AdaptiveThrottle& throttle() const noexcept { return throttle_; }
    const CircuitBreaker& breaker() const noexcept { return breaker_; }
    // Bytes from the start of this object that a call without retries, budget, throttle or
    // breaker reads: the counters, the options and the retry policy's options (a cache hint).
    std::size_t hot_bytes() const noexcept {
        return static_cast<std::size_t>(reinterpret_cast<const char*>(&policy_) - reinterpret_cast<const char*>(this)) +
               sizeof(RetryOptions);
    }

private:
    static constexpr sim::Duration budget_trace_interval = std::chrono::seconds(1);

    void trace_breaker(sim::Ctx& ctx, std::uint64_t epoch_before);
    void budget_denied(sim::Ctx& ctx);

    // What every call reads comes first, in as few cache lines as it will go (see hot_bytes()):
    // the counters, the options, and the retry policy's own options at its front. The rest is
    // read only with a retry, a budget, a throttle or a breaker.
    CallerCounters counters_;
    CallerOptions options_;
    RetryPolicy policy_;
    std::string name_;
    sim::Rng retry_rng_;     // jitter
    sim::Rng throttle_rng_;  // throttle's coin: its own stream, so turning it on moves no jitter
    AdaptiveThrottle throttle_;
    CircuitBreaker breaker_;
    bool budget_traced_ = false;
    sim::Time budget_traced_at_{};
    std::uint64_t budget_denied_traced_ = 0;
    Counter* later_attempts_ = nullptr;  // set_retries_metric

public:
    // Also count every attempt after a request's first try, retries and hedges (attempts minus
    // first tries), in `*count`: e.g. a metrics counter shared by the callers of one call edge.
    void set_retries_metric(Counter* count) noexcept { later_attempts_ = count; }
};

// An admitted attempt's obligation to report how it ended, exactly once: finish() with a result,
// or (when it is destroyed first, e.g. by a kill unwinding the attempt) abandon.
class AttemptLease {
public:
    AttemptLease(std::shared_ptr<CallerCore> core, CallerCore::Admission a) noexcept
        : core_(std::move(core)), admission_(a) {}
    AttemptLease(AttemptLease&& other) noexcept : core_(std::move(other.core_)), admission_(other.admission_) {}
    AttemptLease(const AttemptLease&) = delete;
    AttemptLease& operator=(const AttemptLease&) = delete;
    AttemptLease& operator=(AttemptLease&&) = delete;
    ~AttemptLease() {
        if (core_) core_->abandon(admission_);
    }
    void finish(sim::Ctx& ctx, bool ok, sim::Errc error) {
        const std::shared_ptr<CallerCore> core = std::move(core_);
        core->finish(ctx, admission_, ok, error);
    }

private:
    std::shared_ptr<CallerCore> core_;
    CallerCore::Admission admission_;
};

template <class R>
sim::Errc error_of(const R& r) {
    return r.ok() ? sim::Errc::internal : r.error();  // the code is not read for a success
}

// The body of one copy of a hedged try, run in its own process. However the copy ends (its
// attempt returns, or its process is killed before or while it runs) it reports to the try
// exactly once, so the waiting caller never waits for a copy that is gone.
template <class R, class F>
struct HedgeCopy {
    std::shared_ptr<HedgedTry<R>> shared;
    AttemptLease lease;
    F* attempt;
    sim::Duration timeout;
    int index;

    HedgeCopy(std::shared_ptr<HedgedTry<R>> s, AttemptLease l, F* a, sim::Duration t, int i) noexcept
        : shared(std::move(s)), lease(std::move(l)), attempt(a), timeout(t), index(i) {}
    HedgeCopy(HedgeCopy&&) noexcept = default;
    HedgeCopy(const HedgeCopy&) = delete;
    HedgeCopy& operator=(const HedgeCopy&) = delete;
    HedgeCopy& operator=(HedgeCopy&&) = delete;
    ~HedgeCopy() {
        if (shared) report(sim::Errc::cancelled);  // never ran to the end (killed)
    }

    void operator()(sim::Ctx& ctx) {
        R r = std::invoke(*attempt, ctx, timeout);
        lease.finish(ctx, r.ok(), error_of(r));
        if (r.ok() && !shared->winner) {
            shared->winner.emplace(std::move(r));
            shared->winner_index = index;
            report(std::nullopt);
        } else {
            report(r.ok() ? std::optional<sim::Errc>() : std::optional<sim::Errc>(r.error()));
        }
    }

private:
    void report(std::optional<sim::Errc> error) {
        const std::shared_ptr<HedgedTry<R>> t = std::move(shared);
        ++t->finished;
        if (error) t->last_error = *error;
        t->changed.set();
    }
};

}  // namespace detail

class ResilientCaller {
public:
    using Counters = CallerCounters;

    // `name` names the random stream ("caller/<name>") and the trace records. Callers must not
    // share a name: two callers with one stream draw the same jitter and retry in lockstep.
    ResilientCaller(sim::Simulator& sim, std::string name, CallerOptions options = {});
    // A caller of one host: named "<host>/<name>", so every client host's caller of a backend
    // can use the same `name` and still draw its own jitter.
    ResilientCaller(sim::Host& host, std::string_view name, CallerOptions options = {});
    ResilientCaller(const ResilientCaller&) = delete;
    ResilientCaller& operator=(const ResilientCaller&) = delete;

    // Runs one logical request (see the top of the file); suspends for attempts and backoff.
    // `deadline` (e.g. a CallInfo's, propagated from upstream) limits it further.
    template <class F>
    auto call(sim::Ctx& ctx, F&& attempt, sim::Time deadline = sim::time_never)
        -> std::invoke_result_t<F&, sim::Ctx&, sim::Duration>;

    const std::string& name() const noexcept { return core_->name(); }
    const CallerOptions& options() const noexcept { return core_->options(); }
    const Counters& counters() const noexcept { return core_->counters(); }
    // Also count attempts after a request's first try (retries and hedges) in `*count`.
    void set_retries_metric(Counter* count) noexcept { core_->set_retries_metric(count); }
    // Attempts per logical request (0 before the first request): 1 without retries or hedges.
    double amplification() const noexcept;
    const RetryPolicy& retry_policy() const noexcept { return core_->policy(); }
    const AdaptiveThrottle& throttle() const noexcept { return core_->throttle(); }
    const CircuitBreaker& breaker() const noexcept { return core_->breaker(); }
    // What a call reads first, for a cache hint (sim::Touches): the front of the shared state
    // (CallerCore::hot_bytes), and the 16 bytes before it where make_shared keeps the use count
    // that every call copies.
    sim::Touches::Range touches() const noexcept {
        return {reinterpret_cast<const char*>(core_.get()) - 16, core_->hot_bytes() + 16};
    }

private:
    template <class R, class F>
    static R attempt_once(sim::Ctx& ctx, const std::shared_ptr<detail::CallerCore>& core, F& attempt,
                          detail::CallerCore::Admission admission, sim::Duration timeout);
    template <class R, class F>
    static R attempt_hedged(sim::Ctx& ctx, const std::shared_ptr<detail::CallerCore>& core, F& attempt,
                            detail::CallerCore::Admission admission, sim::Time deadline);

    std::shared_ptr<detail::CallerCore> core_;
};

// ---- templates ------------------------------------------------------------------------------

template <class F>
auto ResilientCaller::call(sim::Ctx& ctx, F&& attempt, sim::Time deadline)
    -> std::invoke_result_t<F&, sim::Ctx&, sim::Duration> {
    using R = std::invoke_result_t<F&, sim::Ctx&, sim::Duration>;
    const std::shared_ptr<detail::CallerCore> core = core_;  // lives as long as this call, whatever happens to *this
    deadline = core->begin(ctx, deadline);
    const bool hedged = core->options().hedge.enabled && core->options().hedge.hedges_max > 0;
    RetryState state;
    for (;;) {
        if (ctx.now() >= deadline) {  // only a request that arrives with no time left gets here
            core->failed();
            return R(sim::Errc::timeout);
        }
        const auto admission =
            core->admit(ctx, state.attempts == 0 ? detail::CallerCore::Kind::first : detail::CallerCore::Kind::retry);
        if (!admission.ok) {
            core->failed();
            return R(admission.error);
        }
        ++state.attempts;
        R r = hedged ? attempt_hedged<R>(ctx, core, attempt, admission, deadline)
                     : attempt_once<R>(ctx, core, attempt, admission, core->attempt_timeout(ctx, deadline));
        if (r.ok()) return r;
        const RetryPolicy::Decision d = core->decide(ctx, state, r.error(), deadline);
        if (!d.retry()) {
            core->failed();
            return r;
        }
        if (d.wait.count() > 0) ctx.sleep_for(d.wait);
    }
}

template <class R, class F>
R ResilientCaller::attempt_once(sim::Ctx& ctx, const std::shared_ptr<detail::CallerCore>& core, F& attempt,
                                detail::CallerCore::Admission admission, sim::Duration timeout) {
    detail::AttemptLease lease(core, admission);  // a kill while the attempt waits abandons it
    R r = std::invoke(attempt, ctx, timeout);
    lease.finish(ctx, r.ok(), detail::error_of(r));
    if (r.ok()) core->succeeded(false);
    return r;
}

template <class R, class F>
R ResilientCaller::attempt_hedged(sim::Ctx& ctx, const std::shared_ptr<detail::CallerCore>& core, F& attempt,
                                  detail::CallerCore::Admission admission, sim::Time deadline) {
    using Try = detail::HedgedTry<R>;
    const auto shared = std::make_shared<Try>();
    // Every copy still running when this try ends (a winner, a failure, or this process being
    // killed) is killed here: a copy runs `attempt`, which may refer to this caller's stack.
    struct KillCopies {
        Try& t;
        ~KillCopies() {
            for (const sim::ProcessRef& copy : t.copies) copy.kill();
        }
    } kill_copies{*shared};

    const auto launch = [&](detail::CallerCore::Admission a, int index) {
        ++shared->launched;
        shared->copies.push_back(ctx.spawn(detail::HedgeCopy<R, F>{shared, detail::AttemptLease(core, a), &attempt,
                                                                   core->attempt_timeout(ctx, deadline), index},
                                           core->name() + "/attempt"));
    };

    launch(admission, 0);
    const HedgeOptions& options = core->options().hedge;
    sim::Time next_hedge = sim::saturating_add(ctx.now(), options.delay);
    int hedges = 0;
    bool hedging = true;
    while (!shared->winner && shared->finished < shared->launched) {
        shared->changed.reset();  // nothing runs between the check above and the wait below
        if (!hedging || hedges >= options.hedges_max || ctx.now() >= deadline) {
            shared->changed.wait(ctx);
            continue;
        }
        shared->changed.wait(ctx, std::max(sim::Duration(0), next_hedge - ctx.now()));
        if (shared->winner || shared->finished == shared->launched || ctx.now() < next_hedge) continue;
        const auto a = core->admit(ctx, detail::CallerCore::Kind::hedge);
        if (!a.ok) {
            hedging = false;  // the breaker, throttle or budget said no: no more copies this try
            continue;
        }
        SIM_COVER("hedge: sent");
        launch(a, ++hedges);
        next_hedge = sim::saturating_add(ctx.now(), options.delay);
    }
    if (!shared->winner) return R(shared->last_error);
    if (shared->winner_index > 0) SIM_COVER("hedge: hedge won");
    core->succeeded(shared->winner_index > 0);
    return std::move(*shared->winner);
}

}  // namespace models
