// The eventually invariant: a bound that must hold at some instant before its deadline, counted
// from `after`. Counted from the start, a bound that 0 meets held at once: "the queue drains by
// the end" passed on a queue that only grew (M/M/1 at twice its capacity). Such a file gets a
// warning; with `after`, the bound is asked for when it means something.
#include <gtest/gtest.h>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "faultline/spec.hpp"
#include "support/scenario_text.hpp"

namespace {

using test_support::load_error;
using test_support::write_file;

// 200 requests a second to one worker that serves 100: the queue grows by about 100 a second.
const char* const kDrain = R"yaml(name: drain
description: M/M/1 at rho 2 with an unbounded queue; the queue never drains
duration: 30s
network:
  latency: fixed(0)
services:
  api:
    hosts: api-1
    queue: {workers_max: 1, queue_max: 100000}
    cpu: exponential(10ms)
workloads:
  users:
    hosts: client-1
    open_loop: {rate: 200/s}
    call: {target: api, timeout: 100s}
invariants:
  - name: the queue drains by the end
    eventually: {metric: api.queue, max: 0, by: 25s}
)yaml";

sim::RunResult run_with(const std::vector<faultline::Override>& overrides) {
    return test_support::run_text("drain.yaml", kDrain, overrides);
}

TEST(Eventually, ABoundZeroMeetsIsAWarningWithoutAfter) {
    const auto loaded = faultline::load_scenario_file(write_file("drain.yaml", kDrain));
    const std::vector<std::string> warnings = faultline::spec_warnings(loaded.spec);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("drain.yaml:17:"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("invariants[0].eventually: api.queue is 0 at the start"), std::string::npos)
        << warnings[0];
    // It still holds at once, as the warning says (the run is as the file is).
    EXPECT_EQ(run_with({}).verdict, sim::Verdict::pass);
    // A bound 0 does not meet, or one counted from later, gets none.
    const auto later = faultline::load_spec(
        write_file("drain-after.yaml", test_support::replaced(kDrain, "by: 25s", "after: 5s, by: 25s")));
    EXPECT_TRUE(faultline::spec_warnings(later).empty());
    const auto served = faultline::load_spec(write_file(
        "drain-min.yaml", test_support::replaced(kDrain, "metric: api.queue, max: 0", "metric: users.ok, min: 1")));
    EXPECT_TRUE(faultline::spec_warnings(served).empty());
    // An invariant a setting wrote has no place in the file: the warning names the file alone (it
    // said drain.yaml:1:1, the place of the setting's own text in a file it is not in).
    const auto set = faultline::load_spec(
        write_file("drain-set.yaml", test_support::replaced(kDrain, "max: 0, by: 25s", "min: 1, by: 25s")), "",
        {{"invariants.0", "{name: the queue drains by the end, eventually: {metric: api.queue, max: 0}}"}});
    const std::vector<std::string> set_warnings = faultline::spec_warnings(set);
    ASSERT_EQ(set_warnings.size(), 1u);
    EXPECT_NE(set_warnings[0].find("drain-set.yaml: invariants[0].eventually: api.queue is 0 at the start"),
              std::string::npos)
        << set_warnings[0];
}

TEST(Eventually, CountedFromAfterAQueueThatNeverDrainsFails) {
    const sim::RunResult grows = run_with({{"invariants.0.eventually.after", "5s"}});
    ASSERT_EQ(grows.verdict, sim::Verdict::fail);
    ASSERT_TRUE(grows.failure);
    EXPECT_EQ(grows.end_time, sim::Time(std::chrono::seconds(25)));
    EXPECT_NE(grows.failure->message.find("api.queue is"), std::string::npos) << grows.failure->message;
    // At 50 requests a second (utilisation 0.5) the queue is empty again soon after 5s: the same
    // bound passes.
    const sim::RunResult drains =
        run_with({{"invariants.0.eventually.after", "5s"}, {"workloads.users.open_loop.rate", "50/s"}});
    EXPECT_EQ(drains.verdict, sim::Verdict::pass);
}

TEST(Eventually, AnAfterPastItsDeadlineOrTheRunIsRefused) {
    EXPECT_NE(
        load_error(write_file("drain-late.yaml", test_support::replaced(kDrain, "by: 25s", "after: 26s, by: 25s")))
            .find("invariants[0].eventually: after (26s) comes after by (25s): the bound could never count"),
        std::string::npos);
    EXPECT_NE(load_error(write_file("drain-end.yaml", test_support::replaced(kDrain, "by: 25s", "after: 30s")))
                  .find("invariants[0].eventually.after: at or after the end of the run (30s)"),
              std::string::npos);
}

}  // namespace
