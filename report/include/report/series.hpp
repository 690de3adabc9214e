// Reading a run's metric series by the names the models give them: which workloads, services,
// caches, databases and call edges a run has, and the derived series reports draw (errors of
// every kind summed, attempts per request, retries per second).
//
// Names follow models/ and the scenario world: "W.offered", "W.ok", "W.errors.<kind>",
// "W.latency.p99", "S.queue", "S.busy", "S.cache.hit_ratio", "D.connections", "D.memory_mb",
// "calls.<caller>.<target>.attempts" / ".requests". Anything else is an "other" series.
#pragma once

#include <string>
#include <vector>

#include "report/record.hpp"

namespace faultline::report {

struct Topology {
    std::vector<std::string> workloads;  // W with W.offered and W.ok
    std::vector<std::string> services;   // S with S.queue
    std::vector<std::string> caches;     // S with S.cache.hit_ratio
    std::vector<std::string> databases;  // D with D.connections
    std::vector<std::string> edges;      // "calls.X.Y" with .attempts and .requests
};

// In order of first appearance across the runs (a compare draws both runs' components).
Topology topology(const std::vector<const RunRecord*>& runs);

// The series by name, or all NaN (one per sample) when the run has none.
std::vector<double> values(const RunRecord& r, const std::string& name);
// Every series starting with `prefix`, summed per sample (a missing value counts as 0; NaN only
// where none has a value).
std::vector<double> sum_with_prefix(const RunRecord& r, const std::string& prefix);
// An error counter appears at its first error: before that it was 0, not missing. Leading NaNs
// become 0 (a series that never appears is 0 throughout: no errors of that kind).
// Only in a run that has the component (`witness`, a series every such component has: W.offered,
// S.queue): in an A/B of two scenarios, the side without it draws no line of zeros.
std::vector<double> counter_from_zero(const RunRecord& r, std::vector<double> v, const std::string& witness);
// a / b per sample (NaN where b is 0 or missing).
std::vector<double> ratio(const std::vector<double>& a, const std::vector<double>& b);
// a - b per sample.
std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b);
// The attempts after each request's first (retries and hedges) per second on a call edge
// ("calls.api.db"): its `.retries` series, counted as they are sent. A result file of an older
// build has none: then attempts less requests, never below 0 (requests refused before any attempt,
// or attempts queued into the next sample, would take it below).
std::vector<double> retries_per_second(const RunRecord& r, const std::string& edge);
// Names of series starting with `prefix`, in the run's order.
std::vector<std::string> names_with_prefix(const std::vector<const RunRecord*>& runs, const std::string& prefix);

// The largest finite value (NaN when there is none) and the smallest.
double peak(const std::vector<double>& v);
double lowest(const std::vector<double>& v);
// The time between two samples (the metrics interval; the first sample's time when there is one
// sample, 1 when there is none).
double sample_interval(const RunRecord& r);
// Sum of rate * interval: a per-second series back to a total.
double total(const RunRecord& r, const std::vector<double>& per_second);

}  // namespace faultline::report
