// Hedged calls through a load balancer with outlier ejection, from a scenario file: the losing
// copies a hedge kills are neither successes nor errors of their backend, so healthy backends
// with a long tail are never ejected, while a backend that really fails still is.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

// Three healthy backends whose tail is long (pareto: a few answers take many times the median),
// so about one request in five sends a hedge and the slower copy is killed when the first answers.
// Two consecutive errors eject a backend.
const char* const kHedged = R"yaml(name: hedged
description: hedged calls over healthy backends with a long tail
hypothesis: no backend is ejected, because nothing fails
duration: 20s
services:
  api:
    hosts: api-{1..3}
    queue: {workers_max: 256, queue_max: 256}
    cpu: pareto(1ms, 1.5)
workloads:
  users:
    hosts: client-1
    open_loop: {rate: 300/s}
    call:
      target: api
      timeout: 2s
      hedge: {enabled: true, delay: 3ms, hedges_max: 1}
      lb: {outlier_ejection: true, ejection_errors: 2, ejection_time: 5s}
invariants:
  - name: requests in flight stay bounded
    always: {metric: users.inflight, max: 100000}
)yaml";

// How often a coverage point was reached in one run of the text (seed 1).
struct Outcome {
    std::uint64_t hedges_sent = 0;
    std::uint64_t ejections = 0;
};

Outcome run(const std::string& text) {
    const std::string path = test_support::write_file("hedged.yaml", text);
    auto loaded = faultline::load_scenario_file(path);
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    auto r = faultline::run_scenario(*loaded.info, {}, settings, error);
    EXPECT_TRUE(r) << error;
    Outcome out;
    if (r) {
        for (const auto& [point, count] : r->coverage) {
            if (point == "hedge: sent") out.hedges_sent = count;
            if (point == "load balancer: ejected a backend") out.ejections = count;
        }
    }
    return out;
}

TEST(Hedging, LosingCopiesKilledByAHedgeDoNotEjectHealthyBackends) {
    const Outcome o = run(kHedged);
    EXPECT_GT(o.hedges_sent, 300u);  // each one's losing copy is killed when the other answers
    EXPECT_EQ(o.ejections, 0u);
}

TEST(Hedging, ABackendThatFailsIsStillEjected) {
    // The same run with one backend crashed for the whole run: its calls time out (a returned
    // error), so ejection must still see it.
    const std::string text = test_support::replaced(kHedged, "invariants:",
                                                    "faults:\n  - {at: 1s, duration: 15s, kind: crash, targets: [api-2]}\ninvariants:");
    const Outcome o = run(test_support::replaced(text, "timeout: 2s", "timeout: 50ms"));
    EXPECT_GT(o.hedges_sent, 300u);
    EXPECT_GT(o.ejections, 0u);
}

}  // namespace
