// The retry budget's token bucket, in exact integer arithmetic (see retry_budget.hpp).
#include "models/retry_budget.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/check.hpp"

namespace models {

namespace {

// Products of a rate and a duration overflow 64 bits (1e15 millionths per second times a day of
// nanoseconds); g++ and clang++ both have a 128-bit integer, and the kernel already relies on it.
__extension__ typedef unsigned __int128 u128;

constexpr std::uint64_t ns_per_second = 1'000'000'000;
constexpr double rate_max = 1e9;
constexpr std::int64_t tokens_limit = 1'000'000;

}  // namespace

sim::ParseError validate(const RetryBudgetOptions& o) {
    if (!o.ratio.valid()) return std::string("retry budget: ratio must be a fraction between 0 and 1");
    if (!(o.min_rate.per_second >= 0 && o.min_rate.per_second <= rate_max)) {
        return std::string("retry budget: min_rate must be between 0 and 1e9 per second");
    }
    if (o.tokens_max < 1 || o.tokens_max > tokens_limit)
        return std::string("retry budget: tokens_max must be between 1 and 1000000");
    return std::nullopt;
}

RetryBudget::RetryBudget(RetryBudgetOptions options, sim::Time start) : options_(options), last_(start) {
    const sim::ParseError problem = validate(options_);
    SIM_ASSERT(!problem, problem.value_or(""));
    cap_ = options_.tokens_max * unit;
    // The rate is kept to the millionth of a token per second; llround is exact and the same
    // everywhere (it rounds a double, it does not compute one).
    rate_ = static_cast<std::uint64_t>(std::llround(options_.min_rate.per_second * static_cast<double>(unit)));
    balance_ = cap_;
}

RetryBudget::Refill RetryBudget::refilled(sim::Time now) const {
    SIM_ASSERT(now >= last_, "retry budget: time went backwards");
    if (balance_ >= cap_ || rate_ == 0) return {balance_, balance_ >= cap_ ? 0 : time_carry_};
    const auto elapsed = static_cast<std::uint64_t>((now - last_).count());
    const u128 total = static_cast<u128>(rate_) * elapsed + time_carry_;
    const u128 deposit = total / ns_per_second;
    const u128 room = static_cast<u128>(cap_ - balance_);
    if (deposit >= room) return {cap_, 0};  // full: a full bucket accumulates nothing, not even a remainder
    return {balance_ + static_cast<std::int64_t>(deposit), static_cast<std::uint64_t>(total % ns_per_second)};
}

void RetryBudget::advance(sim::Time now) {
    const Refill r = refilled(now);
    balance_ = r.balance;
    time_carry_ = r.carry;
    last_ = now;
}

std::int64_t RetryBudget::balance(sim::Time now) const { return refilled(now).balance; }

void RetryBudget::deposit_request(sim::Time now) {
    advance(now);
    // ratio = num/den tokens = num * unit / den millionths; the remainder carries to the next
    // request, so ten requests at 1/3 deposit exactly 3.333333 tokens, not 3.33333.
    const u128 total = static_cast<u128>(options_.ratio.num) * unit + ratio_carry_;
    const u128 deposit = total / options_.ratio.den;
    ratio_carry_ = static_cast<std::uint64_t>(total % options_.ratio.den);
    const u128 room = static_cast<u128>(cap_ - balance_);
    balance_ = deposit >= room ? cap_ : balance_ + static_cast<std::int64_t>(deposit);
}

bool RetryBudget::try_withdraw(sim::Time now) {
    advance(now);
    if (balance_ < unit) {
        ++denials_;
        return false;
    }
    balance_ -= unit;
    ++withdrawals_;
    return true;
}

}  // namespace models
