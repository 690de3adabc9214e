// The kernel-only queueing scenarios against queueing theory.
//
// Tolerance: the sample mean of M/M/1 response times is autocorrelated; its asymptotic variance
// is about rho(2 + 5rho - 4rho^2 + rho^3) / (mu^2 (1 - rho)^4 n) (Daley 1968 / Whitt 1989), which
// for rho = 0.9 and n = 1,000,000 is a standard deviation of about 0.19 per seed. Averaging 5
// seeds gives about 0.085, so a tolerance of 0.4 (4% of W = 10) is over 4 standard errors: a
// correct kernel fails it about once in 40,000 suites; a real bias of 5% fails it every time.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "builtin/queueing.hpp"
#include "faultline/runner.hpp"

namespace {

double measured(const faultline::ScenarioRun& run, const std::string& name) {
    for (const auto& m : run.measurements) {
        if (m.name == name) return m.value;
    }
    ADD_FAILURE() << "no measurement " << name;
    return 0;
}

double mean_response_over_seeds(const std::string& scenario, std::vector<faultline::Override> overrides, int seeds) {
    const auto* info = faultline::builtin_scenarios().find(scenario);
    EXPECT_NE(info, nullptr);
    double total = 0;
    for (int s = 1; s <= seeds; ++s) {
        faultline::RunSettings settings;
        settings.seed = static_cast<std::uint64_t>(s) * 7919;
        std::string error;
        auto run = faultline::run_scenario(*info, overrides, settings, error);
        EXPECT_TRUE(run.has_value()) << error;
        EXPECT_EQ(run->result.verdict, sim::Verdict::pass);
        EXPECT_EQ(measured(*run, "customers_served"), std::stod(overrides.front().value));
        total += measured(*run, "response_mean_s");
    }
    return total / seeds;
}

TEST(Queueing, MM1MeanResponseMatchesTheory) {
    // lambda 0.9, mu 1: W = 1 / (mu - lambda) = 10.
    EXPECT_NEAR(mean_response_over_seeds("mm1", {{"customers", "1000000"}}, 5), 10.0, 0.4);
}

TEST(Queueing, MMcMeanResponseMatchesErlangC) {
    // c = 4, lambda 3.6, mu 1 (rho 0.9): Erlang C gives W = 2.9694. The same variance argument
    // (with c servers the queue relaxes faster) makes 0.12 (4%) a wide margin over 5 seeds.
    auto theory = faultline::builtin::erlang_c_response(3.6, 1.0, 4);
    ASSERT_TRUE(theory.has_value());
    EXPECT_NEAR(*theory, 2.9694, 1e-3);
    EXPECT_NEAR(mean_response_over_seeds("mmc", {{"customers", "1000000"}}, 5), *theory, 0.12);
}

TEST(Queueing, ErlangCReducesToMM1ForOneServer) {
    auto w = faultline::builtin::erlang_c_response(0.9, 1.0, 1);
    ASSERT_TRUE(w.has_value());
    EXPECT_NEAR(*w, 10.0, 1e-9);
    EXPECT_FALSE(faultline::builtin::erlang_c_response(1.0, 1.0, 1).has_value());  // unstable
}

TEST(Queueing, LightLoadMeanResponseIsAboutTheServiceTime) {
    // lambda 0.1: W = 1/0.9 = 1.111; far from saturation the estimate is tight.
    EXPECT_NEAR(mean_response_over_seeds("mm1", {{"customers", "200000"}, {"lambda", "0.1"}}, 2), 1.0 / 0.9, 0.02);
}

TEST(Queueing, RatesOutsideWhatNanosecondGapsCanModelAreRefusedWithTheirRange) {
    // Past 1e9 a second the mean gap rounds to 0 ns; below 1e-9 the time limit (3 x customers /
    // lambda) passes int64. Both used to run, with a negative time limit or gaps of 0.
    using faultline::builtin::QueueScenario;
    auto with = [](double lambda, double mu) {
        faultline::builtin::QueueOptions o;
        o.lambda = lambda;
        o.mu = mu;
        return QueueScenario::validate(o);
    };
    EXPECT_EQ(with(1e-15, 1), "lambda must be between 1e-9 and 1e9 (arrivals per second)");
    EXPECT_EQ(with(1e300, 1), "lambda must be between 1e-9 and 1e9 (arrivals per second)");
    EXPECT_EQ(with(0.9, 2e9), "mu must be between 1e-9 and 1e9 (services per second)");
    EXPECT_EQ(with(std::nan(""), 1), "lambda must be between 1e-9 and 1e9 (arrivals per second)");
    EXPECT_EQ(with(1e-9, 1e9), std::nullopt);
    EXPECT_EQ(with(1e9, 1e-9), std::nullopt);

    // At the lowest rate and the most customers the time limit saturates instead of wrapping.
    faultline::builtin::QueueOptions o;
    o.lambda = 1e-9;
    o.customers = std::numeric_limits<std::uint64_t>::max();
    sim::Options options;
    QueueScenario(o).configure(options);
    EXPECT_EQ(options.time_max, sim::duration_forever);
}

TEST(Queueing, AnOverloadedQueueIsSaturatedNotOverOneHundredPercentBusy) {
    // lambda 2, mu 1: arrivals outpace the server for good. It is busy from the first arrival on
    // (utilization 1, not lambda/mu = 2), and the queue grows by lambda - mu = 1 a second, so a
    // customer served at time t waited about t/2: far beyond any steady-state theory.
    const auto* info = faultline::builtin_scenarios().find("mm1");
    std::string error;
    auto run = faultline::run_scenario(*info, {{"customers", "20000"}, {"lambda", "2"}}, {}, error);
    ASSERT_TRUE(run) << error;
    EXPECT_NEAR(measured(*run, "utilization"), 1.0, 1e-3);
    EXPECT_GT(measured(*run, "response_mean_s"), 1000.0);
    for (const auto& m : run->measurements) {
        if (m.name == "utilization") {
            EXPECT_EQ(m.note, "theory 1 (saturated)");
        } else if (m.name == "response_mean_s") {
            EXPECT_EQ(m.note, "theory: unstable (lambda >= servers * mu)");
        }
    }
}

}  // namespace

namespace {

TEST(Queueing, TheoryNotesHaveTheMeasurementsSixSignificantDigits) {
    // mmc's defaults: lambda 3.6, mu 1, 4 servers. Erlang C gives W = 2.969383161...; the note
    // says it as the value beside it is printed ("2.87437 (theory 2.96938)"), not to ten digits.
    const auto* info = faultline::builtin_scenarios().find("mmc");
    ASSERT_NE(info, nullptr);
    std::string error;
    auto run = faultline::run_scenario(*info, {{"customers", "1000"}}, {}, error);
    ASSERT_TRUE(run) << error;
    std::map<std::string, std::string> notes;
    for (const auto& m : run->measurements) notes[m.name] = m.note;
    EXPECT_EQ(notes["response_mean_s"], "theory 2.96938");
    EXPECT_EQ(notes["wait_mean_s"], "theory 1.96938");
    EXPECT_EQ(notes["utilization"], "theory 0.9");
}

}  // namespace
