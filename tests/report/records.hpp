// A made-up run for the report tests: one client workload at 100 requests/s whose goodput drops
// to 0 during a 10s fault window (20s-30s) and is back from 31s, one call edge that retries
// during the fault, and a `recovers` invariant. Small enough to reason about by hand.
#pragma once

#include <cmath>
#include <limits>

#include "report/record.hpp"

namespace report_test {

using faultline::report::RunRecord;

inline RunRecord outage_run() {
    RunRecord r;
    r.scenario = "outage";
    r.seed = 7;
    r.verdict = "pass";
    r.end_s = 60;
    r.duration_s = 60;
    r.trace_hash = "0123456789abcdef";
    r.repro = "faultline run outage --seed 7";
    r.description = "A made-up outage.";
    // Counters: each value is the rate over the interval before its sample.
    models::Series offered{"users.offered", {}, true}, ok{"users.ok", {}, true},
        timeouts{"users.errors.timeout", {}, true};
    models::Series attempts{"calls.api.db.attempts", {}, true}, requests{"calls.api.db.requests", {}, true};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int t = 1; t <= 60; ++t) {
        const bool down = t > 20 && t <= 30;
        r.times.push_back(t);
        offered.values.push_back(100);
        ok.values.push_back(down ? 0 : 100);
        timeouts.values.push_back(t <= 20 ? nan : down ? 100 : 0);  // appears at the first error
        requests.values.push_back(100);
        attempts.values.push_back(down ? 300 : 100);
    }
    r.series = {offered, ok, timeouts, attempts, requests};
    r.faults.push_back({20, 10, "partition", {"api", "db"}, {{"mode", "both"}}});
    faultline::report::InvariantRecord inv;
    inv.name = "goodput recovers";
    inv.kind = "recovers";
    inv.result = "pass";
    inv.judged_at_s = 50;
    inv.recovery = faultline::report::RecoveryRule{"users.ok", 10, 19, 30, 20, 0.9, 5};
    r.invariants.push_back(inv);
    r.measurements = {{"users.offered", 6000, ""}, {"users.ok", 5000, ""}, {"users.errors", 1000, ""}};
    r.options = {{"workloads.users.open_loop.rate", "100/s", "a rate", "requests per second"}};
    return r;
}

}  // namespace report_test
