// The latency SLO invariant: a quantile of a latency histogram under a bound in a window. The
// histogram counts successful requests, so a window in which none succeeded is an outage the SLO
// must fail, not a percentile of 0; and a bound or a window it cannot judge is refused at load.
#include <gtest/gtest.h>

#include <cmath>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

using test_support::load_error;
using test_support::replaced;
using test_support::write_file;

const char* const kScenario = R"yaml(name: slo
description: one service, down from 10s to 20s
hypothesis: requests are fast while it is up; none succeeds while it is down
duration: 40s
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
  - {at: 10s, duration: 10s, kind: crash, targets: [api-1]}
invariants:
  - name: fast
    slo: {metric: users.latency, quantile: 0.99, max: 100ms, from: 12s, to: 18s}
)yaml";

struct Outcome {
    sim::RunResult result;
    double value_s = 0;
};

Outcome run_with(const std::vector<faultline::Override>& overrides) {
    auto loaded = faultline::load_scenario_file(write_file("slo.yaml", kScenario));
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    auto run = faultline::run_scenario(*loaded.info, overrides, settings, error);
    EXPECT_TRUE(run) << error;
    Outcome out;
    if (!run) return out;
    out.result = run->result;
    for (const auto& m : run->measurements) {
        if (m.name == "fast.value_s") out.value_s = m.value;
    }
    return out;
}

TEST(Slo, AWindowInWhichNoRequestSucceededFailsInsteadOfPassingAtZero) {
    const Outcome down = run_with({});
    ASSERT_EQ(down.result.verdict, sim::Verdict::fail);
    EXPECT_EQ(down.result.failure->message,
              "no request counted in users.latency between 12s and 18s (none succeeded): its 99th percentile cannot be "
              "under 100ms");
    EXPECT_TRUE(std::isnan(down.value_s)) << down.value_s;
    // The same SLO over a window where the service is up passes, with the percentile it measured.
    const Outcome up = run_with({{"invariants.0.slo.from", "22s"}, {"invariants.0.slo.to", "38s"}});
    EXPECT_EQ(up.result.verdict, sim::Verdict::pass);
    EXPECT_GT(up.value_s, 0.0);
    EXPECT_LT(up.value_s, 0.1);
}

TEST(Slo, ABoundOfZeroOrAnEmptyWindowIsRefusedAtLoad) {
    const std::string text(kScenario);
    const std::string no_max = write_file("slo-no-max.yaml", replaced(text, " max: 100ms,", ""));
    EXPECT_NE(load_error(no_max).find("invariants[0].slo: needs max, a bound above 0 (e.g. max: 100ms)"),
              std::string::npos)
        << load_error(no_max);
    const std::string backwards =
        write_file("slo-backwards.yaml", replaced(text, "from: 12s, to: 18s", "from: 18s, to: 12s"));
    EXPECT_NE(load_error(backwards).find("invariants[0].slo: to (12s) must come after from (18s)"), std::string::npos)
        << load_error(backwards);
    const std::string late = write_file("slo-late.yaml", replaced(text, "from: 12s, to: 18s", "from: 40s"));
    EXPECT_NE(load_error(late).find("invariants[0].slo.from: at or after the end of the run"), std::string::npos)
        << load_error(late);
}

// "Over the whole run" is the SLO without a window: `to` is the end of the run (it was required,
// with a table default of 0 that the loader refused).
TEST(Slo, WithoutToTheWindowEndsWithTheRun) {
    const Outcome whole = run_with({{"invariants.0.slo", "{metric: users.latency, quantile: 0.5, max: 100ms}"}});
    EXPECT_EQ(whole.result.verdict, sim::Verdict::pass);
    EXPECT_EQ(whole.result.end_time, sim::Time(std::chrono::seconds(40)));  // judged at the end
    EXPECT_GT(whole.value_s, 0.0);
    const Outcome after = run_with({{"invariants.0.slo", "{metric: users.latency, max: 100ms, from: 22s}"}});
    EXPECT_EQ(after.result.verdict, sim::Verdict::pass);
}

}  // namespace
