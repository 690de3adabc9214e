// A retry budget: a token bucket that caps how much extra load a client's retries (and hedges)
// may add, as in Finagle's RetryBudget and gRPC's retry throttling. Every logical request
// deposits `ratio` of a token, time deposits `min_rate` tokens per second (so a client that sends
// little can still retry), and a retry is sent only if it can take one whole token. Under total
// failure a client therefore sends about (1 + ratio) attempts per request instead of
// attempts_max: the budget is what stops one layer's retries from multiplying a spike.
//
// The bucket holds at most `tokens_max` tokens and starts full (a client that just started may
// retry its first failures). Tokens are counted exactly, in millionths, with the remainders of
// per-request and per-nanosecond deposits carried over, so the balance is the same on every
// platform and a reference model can predict it to the millionth.
//
// Left out: Finagle's time-to-live on deposits (the cap plays its part), gRPC's credit for
// successes, and budgets shared between clients (each caller has its own).
#pragma once

#include <cstdint>

#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/values.hpp"

namespace models {

struct RetryBudgetOptions {
    bool enabled = false;
    // Tokens each logical request deposits: retries may add about this share of the load.
    sim::Ratio ratio{1, 10};
    // Tokens deposited per second whatever the traffic (at most 1e9 per second).
    sim::Rate min_rate{10};
    // The bucket's size, in whole tokens (1 to 1e6): the retries a client may send in a burst.
    std::int64_t tokens_max = 100;
};

// A description of what is wrong with the options, or nothing.
sim::ParseError validate(const RetryBudgetOptions& options);

class RetryBudget {
public:
    // Tokens are counted in millionths.
    static constexpr std::int64_t unit = 1'000'000;

    // The bucket starts full at `start`.
    explicit RetryBudget(RetryBudgetOptions options, sim::Time start = sim::time_zero);

    const RetryBudgetOptions& options() const noexcept { return options_; }

    // A logical request began: deposits `ratio` of a token.
    void deposit_request(sim::Time now);
    // Takes one token if the bucket holds one; false (and nothing taken) otherwise.
    bool try_withdraw(sim::Time now);

    // The balance at `now`, in millionths of a token (time deposits up to `now` included).
    std::int64_t balance(sim::Time now) const;
    double tokens(sim::Time now) const { return static_cast<double>(balance(now)) / static_cast<double>(unit); }

    std::uint64_t withdrawals() const noexcept { return withdrawals_; }
    std::uint64_t denials() const noexcept { return denials_; }

private:
    struct Refill {
        std::int64_t balance;
        std::uint64_t carry;
    };
    Refill refilled(sim::Time now) const;
    void advance(sim::Time now);

    RetryBudgetOptions options_;
    std::int64_t cap_;               // tokens_max in millionths
    std::uint64_t rate_;             // min_rate in millionths of a token per second
    std::int64_t balance_;           // millionths of a token, at last_
    std::uint64_t time_carry_ = 0;   // millionth-nanoseconds not yet a whole millionth (< 1e9)
    std::uint64_t ratio_carry_ = 0;  // request deposits' remainder, in 1/den millionths (< den)
    sim::Time last_;
    std::uint64_t withdrawals_ = 0;
    std::uint64_t denials_ = 0;
};

}  // namespace models
