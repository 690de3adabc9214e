// A scenario's `linearizable` invariant when the checker cannot decide: the run fails as
// "undecided" (its own failure kind, so fuzzing does not count it as a violation), never passes;
// `steps_max` sets the search's budget, and only that checker takes one. And how a replication
// checker's failure reads: the headline (its first line) carries what qualifies the whole report
// (the stale-read bound, in percent; a history cut short, which takes a million operations and
// 13s to show, so it is not run here), then five examples and "...".
#include <gtest/gtest.h>

#include <string>
#include <vector>

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
    // At the checker, as a misplaced max is (it pointed at the list item, a line above).
    EXPECT_NE(other.find(
                  "invariants[0].converges: steps_max is the linearizable checker's search budget; converges has none"),
              std::string::npos)
        << other;
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

// R = W = 1 with the other two replicas 50ms behind: about half the reads are stale.
const char* const kStale =
    "duration: 10s\n"
    "network:\n"
    "  latency: fixed(1ms)\n"
    "stores:\n"
    "  kv:\n"
    "    design: quorum\n"
    "    replicas: [kv-1, kv-2, kv-3]\n"
    "    quorum: {r: 1, w: 1, straggler_delay: 50ms, read_fanout: quorum}\n"
    "    clients: {hosts: [\"client-{1..3}\"], keys: 5, think: exponential(10ms), stop: 8s}\n"
    "invariants:\n"
    "  - name: stale\n"
    "    stale_reads: {store: kv, max: 10%}\n";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        out.push_back(text.substr(start, end - start));
    out.push_back(text.substr(start));
    return out;
}

std::string failure_of(const std::string& name, const std::string& text) {
    const auto run = run_text(name, text);
    if (!run.result.failure) {
        ADD_FAILURE() << name << ": the run did not fail";
        return "";
    }
    return run.result.failure->message;
}

TEST(ReplicationCheckerMessage, AStaleReadFailureStatesItsBoundOnTheHeadlineInPercent) {
    const std::vector<std::string> lines = lines_of(failure_of("stale.yaml", kStale));
    ASSERT_EQ(lines.size(), 7u);  // the headline, five examples, "..."
    EXPECT_NE(lines[0].find(" reads stale (rate "), std::string::npos) << lines[0];
    EXPECT_TRUE(lines[0].ends_with("%, more than 10%)")) << lines[0];
    for (std::size_t i = 1; i < 6; ++i) {
        EXPECT_NE(lines[i].find(" missed "), std::string::npos) << lines[i];
        EXPECT_EQ(lines[i].find("more than"), std::string::npos) << lines[i];
    }
    EXPECT_EQ(lines[6], "  ...");
    // 1/10 and 0.1 are the same bound, written as a percentage too.
    const std::string fraction = failure_of("fraction.yaml", replaced(kStale, "max: 10%", "max: 1/10"));
    EXPECT_TRUE(lines_of(fraction)[0].ends_with("%, more than 10%)")) << fraction;
}

}  // namespace
