// The numbers a reviewer reads first: did goodput recover after the trigger and how long it took,
// how many requests failed, tail latency, peak retry amplification, database crashes. Used by
// the run and compare reports, the Markdown summaries and each cell of a sweep.
//
// Recovery is judged the way the scenario's `recovers` invariant judges it (same baseline window,
// smoothing and share, so the two agree to the sample), but scanned to the end of the run, so a
// late recovery is reported with its time rather than only as a failure. A scenario without that
// invariant gets a rule derived from its fault timeline (baseline: up to 20s before the first
// fault; trigger end: the last fault window's end; 90% share; 5s average).
#pragma once

#include <optional>
#include <string>

#include "report/record.hpp"

namespace faultline::report {

struct Recovery {
    bool applicable = false;  // a trigger and a goodput series to judge by
    RecoveryRule rule;
    std::string source;                    // "invariant 'goodput recovers'" or "fault timeline"
    double baseline = 0;                   // goodput per second before the trigger
    std::optional<double> recovered_at_s;  // when the average was back (time since the start)
    bool judged = false;                   // the run lasted until the rule's deadline
    // Seconds from the trigger's end to recovery; none when it did not recover.
    std::optional<double> seconds() const;
    bool within_deadline() const;
    // "5s", "did not recover within 50s", "72s (past the 50s deadline)", "not judged: ...".
    std::string text() const;
};

std::optional<RecoveryRule> default_recovery_rule(const RunRecord& r);
Recovery recovery(const RunRecord& r);

struct Headline {
    std::string workload;  // the main client workload ("users")
    Recovery recovery;
    double offered = 0;  // requests (totals over the run)
    double ok = 0;
    double errors = 0;
    double goodput_ratio = 0;  // ok / offered
    double latency_p50_s = 0;  // whole run, the workload's latency
    double latency_p99_s = 0;
    double peak_p99_s = 0;                // the highest one-sample p99
    double peak_amplification = 0;        // attempts per request in one sample, the worst call edge
    std::string peak_amplification_edge;  // "api -> cache"
    double peak_retries_per_s = 0;        // retries (attempts beyond the first) per second, all edges
    double db_crashes = 0;                // out-of-memory crashes of every database
    double peak_db_connections = 0;
    double min_hit_ratio = 0;  // the lowest one-sample cache hit ratio after the first fault
};

Headline headline(const RunRecord& r);

// Runs in words, for every report (HTML escapes them, Markdown too).

// "expected fail (goodput recovers): as expected" or "...: NOT as expected"; "" when the
// scenario file states no expectation.
std::string expectation_text(const RunRecord& r);
// The measurements an invariant produced and its message, as a report's invariants table shows
// them: "baseline 2636.05 (users.ok per second); recovery_s 5s". A message that goes on from a
// measurement's note is joined to it, not said after it again: "recovery_s: did not recover:
// users.ok was 0/s ...", not "recovery_s: did not recover. did not recover: users.ok ...".
std::string invariant_details(const RunRecord& r, const InvariantRecord& inv);
// "invariant 'goodput recovers' at 81s on host api-1: did not recover ..." or the runaway reason.
std::string failure_text(const RunRecord& r);

// "calls.api.cache" -> "api -> cache".
std::string edge_label(const std::string& edge);

}  // namespace faultline::report
