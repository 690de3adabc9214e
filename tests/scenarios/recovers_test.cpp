// The recovery invariant: goodput back to a share of its baseline within a time after the
// trigger, and then no relapse into another outage (a fault after the deadline is still an
// outage the invariant must see).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

const char* const kScenario = R"yaml(name: recovers
description: one service, crashed twice
hypothesis: it recovers from the first crash; the second one is a relapse
duration: 60s
services:
  api:
    hosts: api-1
    queue: {workers_max: 64, queue_max: 256}
    cpu: exponential(2ms)
workloads:
  users:
    hosts: client-1
    open_loop: {rate: 200/s}
    call: {target: api, timeout: 500ms}
faults:
  - {at: 10s, duration: 5s, kind: crash, targets: [api-1]}
  - {at: 35s, duration: 10s, kind: crash, targets: [api-1]}
invariants:
  - name: goodput recovers
    recovers: {metric: users.ok, baseline_from: 2s, baseline_to: 9s, after: 15s, within: 10s, share: 0.9}
)yaml";

sim::RunResult run_with(const std::vector<faultline::Override>& overrides) {
    return test_support::run_text("recovers.yaml", kScenario, overrides);
}

TEST(Recovers, ARelapseAfterTheDeadlineFailsAndSaysWhen) {
    const sim::RunResult r = run_with({});
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_NE(r.failure->message.find("relapsed: recovered at"), std::string::npos) << r.failure->message;
    // The second crash starts at 35s: the 5s average falls under half the baseline by 38s.
    EXPECT_NE(r.failure->message.find("at 3"), std::string::npos) << r.failure->message;
}

TEST(Recovers, WithoutTheSecondCrashItPassesAndRelapsesCanBeTurnedOff) {
    EXPECT_EQ(run_with({{"faults.1.at", "59s"}, {"faults.1.duration", "500ms"}}).verdict, sim::Verdict::pass);
    EXPECT_EQ(run_with({{"invariants.0.recovers.relapse_share", "0"}}).verdict, sim::Verdict::pass);
    // Or only until the second crash.
    EXPECT_EQ(run_with({{"invariants.0.recovers.relapse_until", "34s"}}).verdict, sim::Verdict::pass);
}

TEST(Recovers, NoRecoveryWithinTheTimeIsDidNotRecover) {
    const sim::RunResult r = run_with({{"faults.0.duration", "15s"}});
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_NE(r.failure->message.find("did not recover"), std::string::npos) << r.failure->message;
}

}  // namespace
