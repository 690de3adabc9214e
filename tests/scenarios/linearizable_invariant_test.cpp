// A scenario's `linearizable` invariant when the checker cannot decide: the run fails as
// "undecided" (its own failure kind, so fuzzing does not count it as a violation), never passes;
// `steps_max` sets the search's budget, and only that checker takes one.
#include <gtest/gtest.h>

#include <string>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

using test_support::load_error;
using test_support::replaced;

// Twenty clients on one key with no think time, through a partition: a history the search
// cannot settle within a small budget. Two clients on the same design are not linearizable.
const char* const kStore =
    "duration: 1s\n"
    "network:\n"
    "  latency: lognormal(5ms, 0.8)\n"
    "stores:\n"
    "  kv:\n"
    "    design: quorum\n"
    "    replicas: [\"kv-{1..5}\"]\n"
    "    quorum: {r: 1, w: 1, read_repair: false}\n"
    "    clients: {hosts: [\"c-{1..20}\"], keys: 1, read_ratio: 1/2, think: fixed(0ns)}\n"
    "faults:\n"
    "  - {at: 500ms, duration: 400ms, kind: partition, targets: [\"kv-{1..2}\", \"kv-{3..5}\"]}\n"
    "invariants:\n"
    "  - name: linearizable\n"
    "    linearizable: {store: kv, steps_max: 1000}\n";

faultline::ScenarioRun run_text(const std::string& name, const std::string& text) {
    auto loaded = faultline::load_scenario_file(test_support::write_file(name, text));
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    auto run = faultline::run_scenario(*loaded.info, {}, settings, error);
    EXPECT_TRUE(run) << error;
    return run ? *run : faultline::ScenarioRun{};
}

double value_of(const faultline::ScenarioRun& run, const std::string& name) {
    for (const auto& m : run.measurements) {
        if (m.name == name) return m.value;
    }
    ADD_FAILURE() << "no measurement " << name;
    return 0;
}

TEST(LinearizableInvariant, AnUndecidedSearchFailsTheRunAsUndecided) {
    const auto run = run_text("undecided.yaml", kStore);
    ASSERT_EQ(run.result.verdict, sim::Verdict::fail);
    ASSERT_TRUE(run.result.failure);
    EXPECT_EQ(run.result.failure->kind, "undecided");
    EXPECT_EQ(run.result.failure->name, "linearizable");
    EXPECT_NE(run.result.failure->message.find("step budget exhausted (steps_max 1000)"), std::string::npos)
        << run.result.failure->message;
    EXPECT_EQ(value_of(run, "linearizable.value"), -1.0);
}

TEST(LinearizableInvariant, AViolationIsStillAViolation) {
    const auto run = run_text("two.yaml", replaced(replaced(kStore, "c-{1..20}", "c-{1..2}"), ", steps_max: 1000", ""));
    ASSERT_EQ(run.result.verdict, sim::Verdict::fail);
    EXPECT_EQ(run.result.failure->kind, "invariant");
    EXPECT_NE(run.result.failure->message.find("not linearizable"), std::string::npos) << run.result.failure->message;
    EXPECT_EQ(value_of(run, "linearizable.value"), 0.0);
}

TEST(LinearizableInvariant, OnlyTheLinearizableCheckerTakesAStepBudget) {
    const std::string other = load_error(test_support::write_file(
        "converges.yaml", replaced(kStore, "linearizable: {store: kv, steps_max: 1000}", "converges: {store: kv, steps_max: 1000}")));
    EXPECT_NE(other.find("steps_max is the linearizable checker's search budget"), std::string::npos) << other;
    const std::string zero = load_error(test_support::write_file("zero.yaml", replaced(kStore, "steps_max: 1000", "steps_max: 0")));
    EXPECT_NE(zero.find("invariants[0].linearizable.steps_max: must be between 1 and"), std::string::npos) << zero;
    EXPECT_NE(zero.find("zero.yaml:14:"), std::string::npos) << zero;
}

// Likewise only stale_reads takes a bound: on the others `max` did nothing, silently.
TEST(LinearizableInvariant, OnlyTheStaleReadsCheckerTakesAMax) {
    for (const char* kind : {"converges", "no_lost_writes", "linearizable"}) {
        const std::string error = load_error(test_support::write_file(
            std::string(kind) + "-max.yaml", replaced(kStore, "linearizable: {store: kv, steps_max: 1000}",
                                                      std::string(kind) + ": {store: kv, max: 50%}")));
        EXPECT_NE(error.find(std::string("invariants[0].") + kind + ": max is the stale_reads checker's bound; " +
                             kind + " has none (one violation fails it)"),
                  std::string::npos)
            << error;
    }
}

}  // namespace
