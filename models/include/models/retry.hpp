// Retry policies: which failed attempts of a logical request are tried again, after how long, and
// whether the client may afford the retry at all. Composable from plain options: an attempt
// limit; backoff none, fixed or exponential with a cap; jitter none, full, equal or decorrelated
// (the definitions of the AWS Architecture Blog's "Exponential Backoff and Jitter"); the errors
// worth retrying; and a token-bucket retry budget (retry_budget.hpp).
//
// RetryPolicy is pure logic on (virtual time, a random stream): no processes, no sleeping. The
// ResilientCaller (caller.hpp) drives it; tests drive it directly.
//
// Left out: server pushback (retry-after hints), a different policy per error, idempotency (which
// requests are safe to retry is the caller's decision) and budgets shared between clients.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "models/retry_budget.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/time.hpp"
#include "sim/values.hpp"

namespace models {

// How many error codes there are. sim::Errc has no count of its own; `internal` is its last
// code today, and ErrcSet asserts that every code it meets fits.
inline constexpr std::size_t errc_count = sim::errc_count;

// A set of error codes (which errors a policy retries), as a bit set: no allocation, and equal
// sets compare equal whatever order they were written in.
class ErrcSet {
public:
    constexpr ErrcSet() = default;
    constexpr ErrcSet(std::initializer_list<sim::Errc> codes) {
        for (const sim::Errc e : codes) insert(e);
    }
    constexpr bool contains(sim::Errc e) const noexcept { return ((bits_ >> index(e)) & 1u) != 0; }
    constexpr void insert(sim::Errc e) noexcept { bits_ |= 1u << index(e); }
    constexpr void erase(sim::Errc e) noexcept { bits_ &= ~(1u << index(e)); }
    constexpr bool empty() const noexcept { return bits_ == 0; }
    friend constexpr bool operator==(const ErrcSet&, const ErrcSet&) = default;

private:
    static constexpr unsigned index(sim::Errc e) noexcept { return static_cast<unsigned>(e) & 31u; }
    std::uint32_t bits_ = 0;
    static_assert(errc_count <= 32, "ErrcSet holds 32 codes");
};

// "timeout, overloaded" (names as sim::to_string(Errc) writes them); "" is the empty set.
sim::ParseError parse_value(std::string_view text, ErrcSet& out);
std::string format_value(const ErrcSet& set);

enum class Backoff : std::uint8_t { none, fixed, exponential };
enum class Jitter : std::uint8_t { none, full, equal, decorrelated };

struct RetryOptions {
    static constexpr int attempts_limit = 100;  // the most attempts_max may be: a retry loop has a limit

    // Attempts of one logical request, the first included (1: no retries).
    int attempts_max = 1;
    // The wait before retry n (n = 1 for the first retry), before jitter:
    //   none: 0; fixed: backoff_base; exponential: backoff_base * backoff_multiplier^(n-1);
    // never more than backoff_max.
    Backoff backoff = Backoff::exponential;
    sim::Duration backoff_base = std::chrono::milliseconds(10);
    sim::Duration backoff_max = std::chrono::seconds(1);
    double backoff_multiplier = 2;  // 1 to 100
    // With b the backoff above: none waits b; full a uniform draw in [0, b]; equal in [b/2, b];
    // decorrelated replaces b by a uniform draw in [backoff_base, 3 * previous wait] capped at
    // backoff_max (the first "previous wait" is backoff_base).
    Jitter jitter = Jitter::none;
    // Errors worth another attempt. Not `cancelled` (the caller or a breaker gave up) nor
    // `internal` (the server failed the request itself: it would fail again).
    ErrcSet retry_on{sim::Errc::timeout, sim::Errc::overloaded, sim::Errc::unreachable, sim::Errc::reset,
                     sim::Errc::refused};
    RetryBudgetOptions budget;
};

sim::ParseError validate(const RetryOptions& options);

// One logical request's progress, kept by whoever runs the attempts.
struct RetryState {
    int attempts = 0;            // attempts started so far, the first included
    sim::Duration wait_prev{0};  // the previous wait (decorrelated jitter grows from it)
};

class RetryPolicy {
public:
    enum class Verdict : std::uint8_t {
        retry,               // wait `wait`, then try again
        not_retryable,       // the error is not in retry_on
        attempts_exhausted,  // attempts_max reached
        deadline,            // the wait would reach the request's deadline
        budget_denied,       // the retry budget has no token
    };
    struct Decision {
        Verdict verdict = Verdict::not_retryable;
        sim::Duration wait{0};
        bool retry() const noexcept { return verdict == Verdict::retry; }
    };

    // `start`: when the budget's clock starts (its bucket is full then).
    explicit RetryPolicy(RetryOptions options, sim::Time start = sim::time_zero);

    const RetryOptions& options() const noexcept { return options_; }
    bool retryable(sim::Errc e) const noexcept { return options_.retry_on.contains(e); }

    // A logical request begins: it deposits its share into the budget.
    void on_request(sim::Time now);

    // The attempt `state.attempts` failed with `error` at `now`: retry after `wait`, or give up
    // and say why. The checks run in the order of Verdict; the wait is drawn (from `rng`) before
    // the budget is asked, and a token is taken only for a retry that will be sent.
    Decision on_failure(sim::Time now, RetryState& state, sim::Errc error, sim::Rng& rng,
                        sim::Time deadline = sim::time_never);

    // Takes a budget token for extra load that is not a retry (a hedge); true when the budget is
    // disabled.
    bool try_spend(sim::Time now);

    // The backoff before retry `retry` (1 = the first retry), before jitter.
    sim::Duration backoff(int retry) const;
    // The wait before the next retry with jitter applied; updates state.wait_prev.
    sim::Duration wait(RetryState& state, sim::Rng& rng) const;

    bool budget_enabled() const noexcept { return options_.budget.enabled; }
    const RetryBudget& budget() const noexcept { return budget_; }

private:
    RetryOptions options_;
    RetryBudget budget_;
};

std::string_view to_string(RetryPolicy::Verdict v) noexcept;

}  // namespace models
