// A run as a report sees it: everything a person reads about one run (what the scenario is and
// expects, how it was run, the verdict and each invariant's result with its numbers, the faults
// injected, the metric time series), independent of the simulator that produced it.
//
// `faultline run --result FILE.json` writes it; `faultline report FILE.json` reads it back and
// renders the same bytes a direct `--report` would (doubles round-trip exactly through JSON).
// Left out: wall-clock time and anything else that differs between two runs of one seed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faultline/runner.hpp"

namespace faultline::report {

using Json = nlohmann::ordered_json;

// Bad input (an unreadable or malformed result file, an unwritable output): one line naming the
// file and, where it is about a field, the field. The command turns it into exit code 2.
struct ReportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct FaultRecord {
    double at_s = 0;
    std::optional<double> duration_s;  // a window; none for an instant (a restart, a flush)
    std::string kind;
    std::vector<std::string> targets;
    std::map<std::string, std::string> params;
    bool open_at_end = false;    // still on when the run ended (a crash without a duration, say)
    std::string label() const;   // "restart cache", "load_spike users"
    std::string detail() const;  // "30s for 5s: load_spike users factor=2"
    double end_s() const { return at_s + duration_s.value_or(0); }
};

// A recovery check's parameters (the scenario's `recovers` invariant, or defaults derived from the
// fault timeline when it has none).
struct RecoveryRule {
    std::string metric;  // a counter series whose rate is the goodput, e.g. users.ok
    double baseline_from_s = 0;
    double baseline_to_s = 0;
    double after_s = 0;  // when the trigger ended
    double within_s = 0;
    double share = 0.9;
    double smoothing_s = 5;
};

struct InvariantRecord {
    std::string name;
    std::string kind;                   // always, eventually, recovers, slo, converges, no_lost_writes, ...
    std::string condition;              // what it says, in words
    std::string result;                 // "pass", "fail" or "not judged"
    std::string message;                // the failure, or why it was not judged
    std::optional<double> judged_at_s;  // none: checked after every event
    std::optional<RecoveryRule> recovery;
    // always / eventually: the metric and its bounds (charts of that metric draw them).
    std::string metric;
    std::optional<double> min;
    std::optional<double> max;
};

struct FailureRecord {
    std::string kind;
    std::string name;
    std::string message;
    std::string host;
    std::string where;
    double time_s = 0;
};

struct RunRecord {
    std::string scenario;  // as run: "cache-flush-stampede/coalescing"
    std::string label;     // what charts and tables call this run (compare sets it)
    std::string file;      // the scenario file, when it came from one
    std::string variant;
    std::string variant_description;
    std::string description;
    std::string hypothesis;
    std::string expected_verdict;  // from the file's `expect`, when it has one
    std::string expected_failure;
    std::uint64_t seed = 1;
    std::vector<Override> overrides;  // --set on top of the variant
    std::string repro;

    std::string verdict;  // "pass", "fail", "runaway", "interrupted" (Ctrl-C: what ran until then)
    std::optional<FailureRecord> failure;
    std::string runaway_reason;
    std::uint64_t events = 0;
    double end_s = 0;       // virtual time when the run ended
    double duration_s = 0;  // the planned length (end_s is shorter when a failure stopped the run)
    std::string trace_hash;

    std::vector<Measurement> measurements;
    std::vector<FieldInfo> options;  // effective options, with --set paths
    std::vector<FaultRecord> faults;
    std::vector<InvariantRecord> invariants;
    std::vector<std::pair<std::string, std::uint64_t>> coverage;
    std::vector<double> times;           // seconds; one per sample
    std::vector<models::Series> series;  // same length as times

    const models::Series* find_series(std::string_view name) const;
    std::optional<double> measurement(std::string_view name) const;
    const std::string& display_name() const { return label.empty() ? scenario : label; }
    bool stopped_early() const { return end_s + 1e-9 < duration_s; }
};

// What the runner does not know about a run: where it came from and how to repeat it.
struct RecordSource {
    std::string file;  // a scenario file (its description, invariants and options are read from it)
    std::string variant;
    std::vector<Override> overrides;
    std::string repro;
    std::string summary;  // a built-in scenario's one line (files have a description instead)
};

RunRecord make_record(const ScenarioRun& run, const RecordSource& source);

Json record_to_json(const RunRecord& r);
// [{"path": ..., "value": ...}, ...]: how run and sweep files write their --set overrides.
Json overrides_to_json(const std::vector<Override>& overrides);
// `file` names the source in errors: "run.json: field 'series[3].values': expected an array".
RunRecord record_from_json(const Json& j, const std::string& file);
RunRecord read_record(const std::string& path);

// Reads a JSON file (ReportError: unreadable, a directory, or not JSON, with the line).
Json read_json(const std::string& path);
// Writes a file whole (ReportError naming `flag`, the path and the system's reason when it cannot).
void write_file(const std::string& path, const std::string& content, const std::string& flag);
// The same, the content written by `write` to the file's stream (a document too big to build
// as one string first: a Perfetto timeline).
void write_file_with(const std::string& path, const std::string& flag, const std::function<void(std::ostream&)>& write);
// "report.html" -> "report.md" (the Markdown summary is written next to the HTML).
std::string sibling_path(const std::string& path, const std::string& extension);

}  // namespace faultline::report
