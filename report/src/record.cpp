// make_record: a ScenarioRun plus what its scenario file says (description, hypothesis,
// expectation, invariants and options) becomes a RunRecord.
#include <algorithm>
#include <cmath>

#include "faultline/scenario_file.hpp"
#include "report/record.hpp"
#include "faultline/spec_options.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

std::string dur(sim::Duration d) { return format_time(sim::to_seconds(d)); }

std::string bound(const std::optional<double>& min, const std::optional<double>& max) {
    if (min && max) return "between " + format_number(*min) + " and " + format_number(*max);
    if (max) return "at most " + format_number(*max);
    if (min) return "at least " + format_number(*min);
    return "(no bound)";
}

// The invariant as the file states it, its kind and when it is judged.
InvariantRecord describe(const InvariantSpec& inv, double duration_s) {
    InvariantRecord r;
    r.name = inv.name;
    if (inv.always) {
        r.kind = "always";
        r.condition = inv.always->metric + " " + bound(inv.always->min, inv.always->max) + " after every event";
        r.metric = inv.always->metric;
        r.min = inv.always->min;
        r.max = inv.always->max;
    } else if (inv.eventually) {
        r.kind = "eventually";
        r.condition = inv.eventually->metric + " becomes " + bound(inv.eventually->min, inv.eventually->max) +
                      (inv.eventually->after.count() > 0 ? " after " + dur(inv.eventually->after) : "") + " by " +
                      (inv.eventually->by ? dur(*inv.eventually->by) : "the end of the run");
        r.judged_at_s = inv.eventually->by ? sim::to_seconds(*inv.eventually->by) : duration_s;
        r.metric = inv.eventually->metric;
        r.min = inv.eventually->min;
        r.max = inv.eventually->max;
    } else if (inv.recovers) {
        const RecoversSpec& s = *inv.recovers;
        r.kind = "recovers";
        r.condition = s.metric + " back to " + format_number(s.share * 100) + "% of its " + dur(s.baseline_from) + "-" +
                      dur(s.baseline_to) + " baseline within " + dur(s.within) + " after " + dur(s.after) + " (" +
                      dur(s.smoothing) + " average)";
        r.judged_at_s = sim::to_seconds(s.after + s.within);
        r.recovery = RecoveryRule{s.metric,
                                  sim::to_seconds(s.baseline_from),
                                  sim::to_seconds(s.baseline_to),
                                  sim::to_seconds(s.after),
                                  sim::to_seconds(s.within),
                                  s.share,
                                  sim::to_seconds(s.smoothing)};
    } else if (inv.slo) {
        const SloSpec& s = *inv.slo;
        r.kind = "slo";
        const double to_s = s.to ? sim::to_seconds(*s.to) : duration_s;
        r.condition = "p" + format_number(s.quantile * 100) + " of " + s.metric + " between " + dur(s.from) + " and " +
                      (s.to ? dur(*s.to) : "the end of the run") + " at most " +
                      format_value(sim::to_seconds(s.max), Unit::seconds);
        r.judged_at_s = to_s;
    } else {
        const std::pair<const std::optional<CheckerSpec>*, const char*> checkers[] = {
            {&inv.converges, "converges"},
            {&inv.no_lost_writes, "no_lost_writes"},
            {&inv.linearizable, "linearizable"},
            {&inv.stale_reads, "stale_reads"},
        };
        for (const auto& [spec, kind] : checkers) {
            if (!*spec) continue;
            r.kind = kind;
            const CheckerSpec& c = **spec;
            if (r.kind == "converges")
                r.condition = "every replica of " + c.store + " holds the same data";
            else if (r.kind == "no_lost_writes")
                r.condition = "no write acknowledged by " + c.store + " is lost";
            else if (r.kind == "linearizable")
                r.condition = "the history of " + c.store + " is linearizable, key by key";
            else
                r.condition =
                    "stale reads from " + c.store + " at most " + (c.max ? format_value(*c.max) : std::string("0"));
            r.judged_at_s = c.at ? sim::to_seconds(*c.at) : duration_s;
        }
    }
    return r;
}

// Pass, fail or not judged, from the run's one failure, where it stopped, and which invariants
// judged at a time of their own were judged (`judged`: a failure ends the run at once, so one
// due at the same instant as the failure, after it, never was).
void judge(InvariantRecord& inv, const RunRecord& run, const std::vector<std::string>& judged) {
    if (run.failure && run.failure->name == inv.name) {
        inv.result = "fail";
        inv.message = run.failure->message;
        return;
    }
    const bool stopped = run.verdict != "pass";
    if (!stopped) {
        inv.result = "pass";
        return;
    }
    const std::string why = run.verdict == "runaway"       ? "the run ran away at " + format_time(run.end_s)
                            : run.verdict == "interrupted" ? "the run was interrupted at " + format_time(run.end_s)
                                                           : "the run stopped at " + format_time(run.end_s);
    if (!inv.judged_at_s) {
        inv.result = "pass";
        inv.message = "held until " + format_time(run.end_s) + ", when " + why.substr(4);
    } else if (std::find(judged.begin(), judged.end(), inv.name) != judged.end()) {
        inv.result = "pass";  // judged (an eventually that held before its deadline included), and not the failure
    } else if (*inv.judged_at_s > run.end_s + 1e-9) {
        inv.result = "not judged";
        inv.message = why + ", before it was judged (" + format_time(*inv.judged_at_s) + ")";
    } else {
        inv.result = "not judged";
        inv.message = why + (run.failure ? ", when '" + run.failure->name + "' failed" : std::string()) +
                      ", at the instant this one was due and before it was judged (a failure ends the run at once)";
    }
}

FaultRecord fault_record(const sim::PlannedFault& f) {
    FaultRecord r;
    r.at_s = sim::to_seconds(f.at);
    if (f.duration) r.duration_s = sim::to_seconds(*f.duration);
    r.kind = f.spec.kind;
    r.targets = f.spec.targets;
    r.params = f.spec.params;
    return r;
}

}  // namespace

std::string FaultRecord::label() const {
    std::string s = kind;
    for (const std::string& t : targets) s += " " + t;
    return s;
}

std::string FaultRecord::detail() const {
    std::string s = format_time(at_s);
    if (duration_s) s += " for " + format_time(*duration_s);
    s += ": " + label();
    for (const auto& [k, v] : params) s += " " + k + "=" + v;
    return s;
}

const models::Series* RunRecord::find_series(std::string_view name) const {
    for (const models::Series& s : series) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

std::optional<double> RunRecord::measurement(std::string_view name) const {
    for (const Measurement& m : measurements) {
        if (m.name == name) return m.value;
    }
    return std::nullopt;
}

RunRecord make_record(const ScenarioRun& run, const RecordSource& source) {
    RunRecord r;
    r.scenario = run.scenario;
    r.file = source.file;
    r.variant = source.variant;
    r.description = source.summary;
    r.seed = run.seed;
    r.overrides = source.overrides;
    r.repro = source.repro;
    r.verdict = std::string(sim::to_string(run.result.verdict));
    if (run.result.failure) {
        const sim::Failure& f = *run.result.failure;
        r.failure = FailureRecord{f.kind, f.name, f.message, f.host, f.where, sim::to_seconds(f.time)};
    }
    r.runaway_reason = run.result.runaway_reason;
    r.events = run.result.events;
    r.end_s = sim::to_seconds(run.result.end_time);
    r.duration_s = r.end_s;
    r.trace_hash = sim::hash_hex(run.result.trace_hash);
    r.measurements = run.measurements;
    r.options = run.options;
    for (const sim::PlannedFault& f : run.injected) r.faults.push_back(fault_record(f));
    for (const std::size_t i : run.injected_open) {
        if (i < r.faults.size()) r.faults[i].open_at_end = true;
    }
    r.coverage = run.coverage;
    r.times = run.series_times;
    r.series = run.series;
    if (!source.file.empty()) {
        try {
            const ScenarioSpec spec = load_spec(source.file, source.variant, source.overrides);
            r.description = spec.description;
            r.hypothesis = spec.hypothesis;
            r.duration_s = std::max(r.end_s, sim::to_seconds(spec.duration));
            r.expected_verdict = spec.expect.verdict;
            r.expected_failure = spec.expect.failure;
            if (!source.variant.empty()) {
                if (auto it = spec.variants.find(source.variant); it != spec.variants.end()) {
                    r.variant_description = it->second.description;
                }
            }
            r.options = spec_options(spec);
            for (const InvariantSpec& inv : spec.invariants) r.invariants.push_back(describe(inv, r.duration_s));
        } catch (const SpecError&) {
            // The run itself loaded this file; if it no longer does, the report goes without it.
        }
    }
    if (source.file.empty()) {
        // A C++ scenario: its invariants are the kernel's, named as it gave them.
        for (const sim::Simulator::InvariantInfo& k : run.invariants) {
            InvariantRecord inv;
            inv.name = k.name;
            inv.kind = k.kind;
            if (k.deadline) {
                inv.judged_at_s = sim::to_seconds(*k.deadline);
                inv.condition = "holds by " + format_time(*inv.judged_at_s);
            } else {
                inv.condition = "checked after every event";
            }
            r.invariants.push_back(std::move(inv));
        }
    }
    for (InvariantRecord& inv : r.invariants) judge(inv, r, run.judged);
    // Trim trailing whitespace that YAML's folded scalars leave.
    for (std::string* s : {&r.description, &r.hypothesis, &r.variant_description}) {
        while (!s->empty() && (s->back() == '\n' || s->back() == ' ')) s->pop_back();
    }
    return r;
}

std::string sibling_path(const std::string& path, const std::string& extension) {
    const std::size_t slash = path.rfind('/');
    const std::size_t dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1)
        return path + extension;
    return path.substr(0, dot) + extension;
}

}  // namespace faultline::report
