// A RapidCheck state machine for the retry policy's state: random sequences of request starts,
// failed attempts (any error, any open request) and advances of time, checked after every step
// against a reference model: a token bucket counted in exact integers (ten-thousandths of a
// token; the test's ratios are tenths and its rates whole tokens per second over whole
// milliseconds, so every deposit is a whole number of them), and plain attempt counting.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <ostream>
#include <vector>

#include "models/retry.hpp"

namespace {
using namespace std::chrono_literals;
using models::RetryPolicy;
using sim::Duration;
using sim::Errc;
using sim::Time;
using Verdict = RetryPolicy::Verdict;

constexpr std::int64_t token = 10'000;  // the model's unit: 1/10,000 of a token

struct Config {
    int attempts_max = 1;
    bool budget = false;
    int ratio_tenths = 1;  // ratio = ratio_tenths / 10
    int rate = 0;          // min_rate, tokens per second
    int tokens_max = 1;
    models::ErrcSet retry_on;
};

struct Model {
    Config config;
    std::int64_t now_ms = 0;
    std::int64_t tokens = 0;  // in 1/10,000 of a token
    std::vector<int> open;    // attempts made by each request still open, in start order
};

struct Sut {
    explicit Sut(const Config& c) : policy(options(c)), rng(1) {}
    static models::RetryOptions options(const Config& c) {
        models::RetryOptions o;
        o.attempts_max = c.attempts_max;
        o.backoff = models::Backoff::exponential;
        o.backoff_base = 10ms;
        o.backoff_max = 1s;
        o.retry_on = c.retry_on;
        o.budget.enabled = c.budget;
        o.budget.ratio = {static_cast<std::uint64_t>(c.ratio_tenths), 10};
        o.budget.min_rate = {static_cast<double>(c.rate)};
        o.budget.tokens_max = c.tokens_max;
        return o;
    }
    RetryPolicy policy;
    sim::Rng rng;
    Time now{};
    std::vector<models::RetryState> open;
};

std::int64_t cap(const Model& m) { return m.config.tokens_max * token; }

// The reference: what a failed attempt of open request `i` with `error` must lead to.
Verdict expected(const Model& m, std::size_t i, Errc error) {
    if (!m.config.retry_on.contains(error)) return Verdict::not_retryable;
    if (m.open[i] >= m.config.attempts_max) return Verdict::attempts_exhausted;
    if (m.config.budget && m.tokens < token) return Verdict::budget_denied;
    return Verdict::retry;
}

// The balance must agree to the millionth after every step (the model counts ten-thousandths).
void check_balance(const Model& after, const Sut& sut) {
    const std::int64_t want = (after.config.budget ? after.tokens : cap(after)) * (models::RetryBudget::unit / token);
    RC_ASSERT(sut.policy.budget().balance(sut.now) == want);
}

using Command = rc::state::Command<Model, Sut>;

struct StartRequest : Command {
    void apply(Model& m) const override {
        if (m.config.budget) m.tokens = std::min(cap(m), m.tokens + m.config.ratio_tenths * token / 10);
        m.open.push_back(1);
    }
    void run(const Model& m, Sut& sut) const override {
        sut.policy.on_request(sut.now);
        sut.open.push_back({.attempts = 1, .wait_prev = Duration(0)});
        check_balance(nextState(m), sut);
    }
    void show(std::ostream& os) const override { os << "start request"; }
};

struct AttemptFails : Command {
    std::size_t pick = *rc::gen::inRange<std::size_t>(0, 1000);
    Errc error = static_cast<Errc>(*rc::gen::inRange<int>(0, static_cast<int>(models::errc_count)));

    std::size_t index(const Model& m) const { return pick % m.open.size(); }
    void checkPreconditions(const Model& m) const override { RC_PRE(!m.open.empty()); }
    void apply(Model& m) const override {
        const std::size_t i = index(m);
        const Verdict v = expected(m, i, error);
        if (v != Verdict::retry) {
            m.open.erase(m.open.begin() + static_cast<std::ptrdiff_t>(i));
            return;
        }
        if (m.config.budget) m.tokens -= token;
        ++m.open[i];
    }
    void run(const Model& m, Sut& sut) const override {
        const std::size_t i = index(m);
        models::RetryState& st = sut.open[i];
        RC_ASSERT(st.attempts == m.open[i]);
        const RetryPolicy::Decision d = sut.policy.on_failure(sut.now, st, error, sut.rng);
        RC_ASSERT(models::to_string(d.verdict) == models::to_string(expected(m, i, error)));
        if (d.retry()) {
            // Exponential from 10ms, doubling, capped at 1s, no jitter.
            Duration want = 10ms;
            for (int k = 1; k < m.open[i]; ++k) want = std::min<Duration>(want * 2, 1s);
            RC_ASSERT(d.wait == want);
            ++st.attempts;
        } else {
            sut.open.erase(sut.open.begin() + static_cast<std::ptrdiff_t>(i));
        }
        check_balance(nextState(m), sut);
    }
    void show(std::ostream& os) const override {
        os << "attempt of request #" << pick << " fails: " << sim::to_string(error);
    }
};

struct AdvanceTime : Command {
    std::int64_t ms = *rc::gen::inRange<std::int64_t>(0, 3000);

    void apply(Model& m) const override {
        if (m.config.budget) m.tokens = std::min(cap(m), m.tokens + m.config.rate * ms * token / 1000);
        m.now_ms += ms;
    }
    void run(const Model& m, Sut& sut) const override {
        sut.now += std::chrono::milliseconds(ms);
        check_balance(nextState(m), sut);
    }
    void show(std::ostream& os) const override { os << "advance " << ms << "ms"; }
};

RC_GTEST_PROP(RetryPolicyState, RandomRequestsFailuresAndTimeAgreeWithAReferenceBucketAndAttemptCount, ()) {
    Config c;
    c.attempts_max = *rc::gen::inRange(1, 6);
    c.budget = *rc::gen::arbitrary<bool>();
    c.ratio_tenths = *rc::gen::inRange(0, 11);
    c.rate = *rc::gen::inRange(0, 21);
    c.tokens_max = *rc::gen::inRange(1, 6);
    const int mask = *rc::gen::inRange(0, 1 << models::errc_count);
    for (std::size_t e = 0; e < models::errc_count; ++e) {
        if ((mask >> e) & 1) c.retry_on.insert(static_cast<Errc>(e));
    }
    Model m0;
    m0.config = c;
    m0.tokens = cap(m0);  // the bucket starts full
    Sut sut(c);
    rc::state::check(m0, sut, rc::state::gen::execOneOfWithArgs<StartRequest, AttemptFails, AdvanceTime>());
}

}  // namespace
