// Running scenarios: verdicts, overrides, the canary, and the determinism self-check.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "faultline/runner.hpp"

namespace {

using faultline::Override;

TEST(Runner, TheCanaryFailsAndTheHarnessSeesIt) {
    const auto* info = faultline::builtin_scenarios().find("canary");
    ASSERT_NE(info, nullptr);
    std::string error;
    auto run = faultline::run_scenario(*info, {}, {}, error);
    ASSERT_TRUE(run);
    ASSERT_EQ(run->result.verdict, sim::Verdict::fail);
    EXPECT_EQ(run->result.failure->name, "counter stays below limit");
    EXPECT_EQ(run->result.failure->time, sim::Time(std::chrono::seconds(5)));
}

TEST(Runner, OverridesChangeTheRunAndBadOnesAreRejectedWithASuggestion) {
    const auto* info = faultline::builtin_scenarios().find("canary");
    std::string error;
    auto run = faultline::run_scenario(*info, {{"limit", "8"}}, {}, error);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->result.failure->time, sim::Time(std::chrono::seconds(8)));

    EXPECT_FALSE(faultline::run_scenario(*info, {{"limt", "8"}}, {}, error));
    EXPECT_EQ(error, "unknown option 'limt' (did you mean 'limit'?)");
    EXPECT_FALSE(faultline::run_scenario(*info, {{"arrival_rate", "8"}}, {}, error));
    EXPECT_EQ(error, "unknown option 'arrival_rate' (its options: limit, step)");
    EXPECT_FALSE(faultline::run_scenario(*info, {{"step", "3"}}, {}, error));
    EXPECT_NE(error.find("missing unit"), std::string::npos) << error;
    EXPECT_FALSE(faultline::run_scenario(*info, {{"step", "0s"}}, {}, error));
    EXPECT_EQ(error, "step must be positive");
}

TEST(Runner, LimitsFromTheCommandLineEndARunAsRunaway) {
    const auto* info = faultline::builtin_scenarios().find("mm1");
    faultline::RunSettings settings;
    settings.events_max = 500;
    std::string error;
    auto run = faultline::run_scenario(*info, {}, settings, error);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->result.verdict, sim::Verdict::runaway);
    EXPECT_EQ(run->result.events, 500u);
}

TEST(Runner, DeterministicScenariosPassTheSelfCheck) {
    for (const char* name : {"mm1", "mmc", "canary"}) {
        const auto* info = faultline::builtin_scenarios().find(name);
        std::string error;
        auto report = faultline::check_determinism(*info, {{"customers", "2000"}}, {}, error);
        if (std::string(name) == "canary") report = faultline::check_determinism(*info, {}, {}, error);
        ASSERT_TRUE(report) << error;
        EXPECT_TRUE(report->ok) << name;
        EXPECT_GT(report->records, 5u);
        EXPECT_FALSE(report->divergence);
    }
}

// A scenario with a deliberate leak of nondeterminism: a counter that survives between runs.
int leaked_counter = 0;
struct LeakyScenario : faultline::Scenario {
    void build(sim::Simulator& sim) override {
        sim.world().spawn([](sim::Ctx& ctx) {
            for (int i = 0; i < 10; ++i) {
                ctx.sleep_for(std::chrono::seconds(1));
                ctx.trace("tick", {{"i", i}, {"leak", i == 6 ? leaked_counter : 0}});
            }
            ++leaked_counter;
        });
    }
};

TEST(Runner, TheSelfCheckNamesTheFirstDivergentEvent) {
    faultline::ScenarioInfo info;
    info.name = "leaky";
    info.make = [](const std::vector<Override>&, std::string&) { return std::make_unique<LeakyScenario>(); };
    std::string error;
    auto report = faultline::check_determinism(info, {}, {}, error);
    ASSERT_TRUE(report);
    EXPECT_FALSE(report->ok);
    ASSERT_TRUE(report->divergence);
    // The divergent record is the tick at t = 7s carrying the leaked value.
    EXPECT_NE(report->divergence->second_run.find("\"kind\":\"tick\""), std::string::npos) << report->divergence->second_run;
    EXPECT_NE(report->divergence->second_run.find("\"f_i\":6"), std::string::npos);  // "i" is a record key: written f_i
    EXPECT_NE(report->divergence->second_run.find("\"t_ns\":7000000000"), std::string::npos);
    EXPECT_NE(report->divergence->first_run, report->divergence->second_run);
}

}  // namespace

namespace {

// A name taken already (a built-in) or of a library scenario file: the registered scenario would be
// unreachable (find() returns the first) or would shadow the file. Refused when registered.
TEST(Runner, RegisteringATakenNameIsRefused) {
    const faultline::ScenarioInfo* canary = faultline::builtin_scenarios().find("canary");
    ASSERT_NE(canary, nullptr);
    faultline::ScenarioInfo again = *canary;
    try {
        faultline::register_scenario(again);
        ADD_FAILURE() << "a second 'canary' was registered";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(
            e.what(),
            "register_scenario: a scenario named 'canary' is already registered (built in, or registered before); "
            "choose another name");
    }
    faultline::ScenarioInfo file = *canary;
    file.name = "retry-storm";
    try {
        faultline::register_scenario(file);
        ADD_FAILURE() << "'retry-storm' shadows the library's file";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'retry-storm' is the name of the library's scenario file "),
                  std::string::npos)
            << e.what();
    }
    const std::vector<std::string> names = faultline::builtin_scenarios().names();
    EXPECT_EQ(std::count(names.begin(), names.end(), "canary"), 1);
    EXPECT_EQ(std::count(names.begin(), names.end(), "retry-storm"), 0);
    faultline::ScenarioInfo fresh = *canary;
    fresh.name = "canary-registered-by-a-test";
    faultline::register_scenario(fresh);
    EXPECT_NE(faultline::builtin_scenarios().find("canary-registered-by-a-test"), nullptr);
}

}  // namespace
