// Retry decisions, backoff and jitter (see retry.hpp).
#include "models/retry.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "sim/check.hpp"

namespace models {

sim::ParseError parse_value(std::string_view text, ErrcSet& out) {
    const auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
    };
    ErrcSet set;
    if (!trim(text).empty()) {
        for (;;) {
            const std::size_t comma = text.find(',');
            const std::string_view name = trim(text.substr(0, comma));
            bool found = false;
            std::vector<std::string> names;
            for (std::size_t i = 0; i < errc_count && !found; ++i) {
                const auto e = static_cast<sim::Errc>(i);
                if (sim::to_string(e) == name) {
                    set.insert(e);
                    found = true;
                }
                names.emplace_back(sim::to_string(e));
            }
            if (!found) {
                return "unknown error code '" + std::string(name) + "'" + sim::did_you_mean_or(name, names, " (a list like 'timeout, overloaded')");
            }
            if (comma == std::string_view::npos) break;
            text.remove_prefix(comma + 1);
        }
    }
    out = set;
    return std::nullopt;
}

std::string format_value(const ErrcSet& set) {
    std::string out;
    for (std::size_t i = 0; i < errc_count; ++i) {
        const auto e = static_cast<sim::Errc>(i);
        if (!set.contains(e)) continue;
        if (!out.empty()) out += ", ";
        out += sim::to_string(e);
    }
    return out;
}

sim::ParseError validate(const RetryOptions& o) {
    if (o.attempts_max < 1 || o.attempts_max > RetryOptions::attempts_limit) {
        return "retry: attempts_max must be between 1 and " + std::to_string(RetryOptions::attempts_limit);
    }
    if (o.backoff_base.count() < 0) return std::string("retry: backoff_base must not be negative");
    if (o.backoff_max < o.backoff_base) return std::string("retry: backoff_max must be at least backoff_base");
    if (!(o.backoff_multiplier >= 1 && o.backoff_multiplier <= 100)) {
        return std::string("retry: backoff_multiplier must be between 1 and 100");
    }
    return validate(o.budget);
}

std::string_view to_string(RetryPolicy::Verdict v) noexcept {
    switch (v) {
        case RetryPolicy::Verdict::retry:
            return "retry";
        case RetryPolicy::Verdict::not_retryable:
            return "not retryable";
        case RetryPolicy::Verdict::attempts_exhausted:
            return "attempts exhausted";
        case RetryPolicy::Verdict::deadline:
            return "deadline";
        case RetryPolicy::Verdict::budget_denied:
            return "budget denied";
    }
    return "?";
}

RetryPolicy::RetryPolicy(RetryOptions options, sim::Time start)
    : options_(std::move(options)), budget_(options_.budget, start) {
    const sim::ParseError problem = validate(options_);
    SIM_ASSERT(!problem, problem.value_or(""));
}

void RetryPolicy::on_request(sim::Time now) {
    if (options_.budget.enabled) budget_.deposit_request(now);
}

bool RetryPolicy::try_spend(sim::Time now) { return !options_.budget.enabled || budget_.try_withdraw(now); }

sim::Duration RetryPolicy::backoff(int retry) const {
    SIM_ASSERT(retry >= 1, "retry numbers start at 1");
    switch (options_.backoff) {
        case Backoff::none:
            return sim::Duration(0);
        case Backoff::fixed:
            return std::min(options_.backoff_base, options_.backoff_max);
        case Backoff::exponential:
            break;
    }
    // Multiplied step by step and capped as soon as it reaches the cap, so it never overflows;
    // a double holds every nanosecond count below 2^53 (104 days) exactly, and products of
    // doubles round the same way everywhere (no fused multiply-add: -ffp-contract=off).
    const auto cap = static_cast<double>(options_.backoff_max.count());
    double b = static_cast<double>(options_.backoff_base.count());
    for (int i = 1; i < retry && b < cap; ++i) b *= options_.backoff_multiplier;
    return b >= cap ? options_.backoff_max : sim::Duration(static_cast<std::int64_t>(b));
}

sim::Duration RetryPolicy::wait(RetryState& state, sim::Rng& rng) const {
    const int retry = state.attempts;  // the retry about to happen follows attempt `attempts`
    sim::Duration w{0};
    if (options_.backoff != Backoff::none) {
        switch (options_.jitter) {
            case Jitter::none:
                w = backoff(retry);
                break;
            case Jitter::full:
                w = rng.uniform_duration(sim::Duration(0), backoff(retry));
                break;
            case Jitter::equal: {
                const sim::Duration b = backoff(retry);
                const sim::Duration half = b / 2;
                w = half + rng.uniform_duration(sim::Duration(0), b - half);
                break;
            }
            case Jitter::decorrelated: {
                // AWS: sleep = min(cap, random_between(base, sleep * 3)), sleep starting at base.
                const sim::Duration prev = state.wait_prev.count() > 0 ? state.wait_prev : options_.backoff_base;
                const sim::Duration hi = prev <= sim::Duration::max() / 3 ? prev * 3 : sim::Duration::max();
                w = std::min(options_.backoff_max,
                             rng.uniform_duration(options_.backoff_base, std::max(hi, options_.backoff_base)));
                break;
            }
        }
    }
    state.wait_prev = w;
    return w;
}

RetryPolicy::Decision RetryPolicy::on_failure(sim::Time now, RetryState& state, sim::Errc error, sim::Rng& rng,
                                              sim::Time deadline) {
    SIM_ASSERT(state.attempts >= 1, "on_failure before any attempt");
    if (!retryable(error)) return {Verdict::not_retryable, {}};
    if (state.attempts >= options_.attempts_max) return {Verdict::attempts_exhausted, {}};
    const sim::Duration w = wait(state, rng);
    if (deadline != sim::time_never && sim::saturating_add(now, w) >= deadline) return {Verdict::deadline, w};
    if (options_.budget.enabled && !budget_.try_withdraw(now)) {
        SIM_COVER("retry: budget denied");
        return {Verdict::budget_denied, w};
    }
    return {Verdict::retry, w};
}

}  // namespace models
