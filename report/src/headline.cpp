#include "report/headline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/series.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The client workload the headline is about: the one the recovery rule watches, else the first.
std::string main_workload(const RunRecord& r, const std::optional<RecoveryRule>& rule) {
    const Topology t = topology({&r});
    if (rule) {
        for (const std::string& w : t.workloads) {
            if (rule->metric == w + ".ok") return w;
        }
    }
    return t.workloads.empty() ? std::string() : t.workloads.front();
}

// The rule, and the `recovers` invariant it comes from (none: the fault timeline's).
std::optional<RecoveryRule> rule_for(const RunRecord& r, std::string& source, const InvariantRecord*& from) {
    for (const InvariantRecord& inv : r.invariants) {
        if (inv.recovery) {
            source = "invariant '" + inv.name + "'";
            from = &inv;
            return inv.recovery;
        }
    }
    source = "fault timeline";
    from = nullptr;
    return default_recovery_rule(r);
}

}  // namespace

std::optional<double> Recovery::seconds() const {
    if (!recovered_at_s) return std::nullopt;
    return *recovered_at_s - rule.after_s;
}

bool Recovery::within_deadline() const {
    return recovered_at_s && *recovered_at_s <= rule.after_s + rule.within_s + 1e-9;
}

std::string Recovery::text() const {
    if (!applicable) return "-";
    if (!(baseline > 0)) return "no baseline (no goodput before the trigger)";
    if (auto s = seconds()) {
        if (within_deadline()) return format_time(*s);
        return format_time(*s) + " (past the " + format_time(rule.within_s) + " deadline)";
    }
    if (!judged) return "not judged: the run ended before " + format_time(rule.after_s + rule.within_s);
    return "did not recover within " + format_time(rule.within_s);
}

std::optional<RecoveryRule> default_recovery_rule(const RunRecord& r) {
    if (r.faults.empty()) return std::nullopt;
    const std::string w = main_workload(r, std::nullopt);
    if (w.empty()) return std::nullopt;
    double first = r.faults.front().at_s, last_end = 0;
    for (const FaultRecord& f : r.faults) {
        first = std::min(first, f.at_s);
        last_end = std::max(last_end, f.end_s());
    }
    RecoveryRule rule;
    rule.metric = w + ".ok";
    rule.baseline_to_s = first;
    rule.baseline_from_s = std::max(first / 2, first - 20);
    rule.after_s = last_end;
    rule.within_s = std::max(0.0, std::max(r.duration_s, r.end_s) - last_end);
    rule.share = 0.9;
    rule.smoothing_s = 5;
    return rule;
}

Recovery recovery(const RunRecord& r) {
    Recovery out;
    const InvariantRecord* invariant = nullptr;
    std::optional<RecoveryRule> rule = rule_for(r, out.source, invariant);
    const models::Series* s = rule ? r.find_series(rule->metric) : nullptr;
    if (!rule || s == nullptr || r.times.empty()) return out;
    out.applicable = true;
    out.rule = *rule;
    const std::vector<double>& t = r.times;
    const std::vector<double>& rate = s->values;
    // As world_invariants.cpp judges `recovers`: the baseline is the mean over (from, to]; the
    // goodput after the trigger is a trailing mean over `smoothing`, counted only once a full
    // window lies after the trigger.
    double base_sum = 0;
    int base_n = 0;
    for (std::size_t j = 0; j < t.size(); ++j) {
        if (t[j] > rule->baseline_from_s && t[j] <= rule->baseline_to_s && std::isfinite(rate[j])) {
            base_sum += rate[j];
            ++base_n;
        }
    }
    out.baseline = base_n > 0 ? base_sum / base_n : 0;
    const double interval = sample_interval(r);
    const std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(rule->smoothing_s / interval + 1e-9));
    const double deadline = rule->after_s + rule->within_s;
    // Judged when the run reached the deadline: its last sample is there, or it went on past it
    // (the invariant judges just after it, and its failure ends the run then, between two
    // samples), or the invariant itself failed, which it does only once it has judged.
    out.judged =
        t.back() + 1e-9 >= deadline || r.end_s > deadline || (invariant != nullptr && invariant->result == "fail");
    for (std::size_t j = 0; j < t.size() && out.baseline > 0; ++j) {
        if (t[j] <= rule->after_s) continue;
        double sum = 0;
        std::size_t n = 0;
        for (std::size_t m = j + 1 - std::min(k, j + 1); m <= j; ++m) {
            if (t[m] > rule->after_s) {
                sum += std::isfinite(rate[m]) ? rate[m] : 0;
                ++n;
            }
        }
        if (n < std::min<std::size_t>(k, j + 1)) continue;
        if (sum / static_cast<double>(n) >= rule->share * out.baseline) {
            out.recovered_at_s = t[j];
            break;
        }
    }
    if (out.recovered_at_s) out.judged = true;
    return out;
}

std::string edge_label(const std::string& edge) {
    std::string e = edge.starts_with("calls.") ? edge.substr(6) : edge;
    const std::size_t dot = e.find('.');
    if (dot == std::string::npos) return e;
    return e.substr(0, dot) + " -> " + e.substr(dot + 1);
}

Headline headline(const RunRecord& r) {
    Headline h;
    h.recovery = recovery(r);
    h.workload = main_workload(r, h.recovery.applicable ? std::optional<RecoveryRule>(h.recovery.rule) : std::nullopt);
    const std::string& w = h.workload;
    auto measured_or = [&r](const std::string& name, double fallback) {
        return r.measurement(name).value_or(fallback);
    };
    if (!w.empty()) {
        h.offered = measured_or(w + ".offered", total(r, values(r, w + ".offered")));
        h.ok = measured_or(w + ".ok", total(r, values(r, w + ".ok")));
        h.errors = measured_or(w + ".errors", total(r, sum_with_prefix(r, w + ".errors.")));
        h.goodput_ratio = h.offered > 0 ? h.ok / h.offered : nan;
        h.latency_p50_s = measured_or(w + ".latency_p50_s", nan);
        h.latency_p99_s = measured_or(w + ".latency_p99_s", nan);
        h.peak_p99_s = peak(values(r, w + ".latency.p99"));
    } else {
        h.offered = h.ok = h.errors = h.goodput_ratio = h.latency_p50_s = h.latency_p99_s = h.peak_p99_s = nan;
    }
    const Topology t = topology({&r});
    h.peak_amplification = nan;
    h.peak_retries_per_s = t.edges.empty() ? nan : 0;
    std::vector<double> retries(r.times.size(), 0);
    for (const std::string& e : t.edges) {
        const std::vector<double> attempts = values(r, e + ".attempts"), requests = values(r, e + ".requests");
        const double p = peak(ratio(attempts, requests));
        if (std::isfinite(p) && (std::isnan(h.peak_amplification) || p > h.peak_amplification)) {
            h.peak_amplification = p;
            h.peak_amplification_edge = edge_label(e);
        }
        const std::vector<double> d = retries_per_second(r, e);
        for (std::size_t i = 0; i < retries.size() && i < d.size(); ++i) retries[i] += std::isfinite(d[i]) ? d[i] : 0;
    }
    if (!t.edges.empty()) h.peak_retries_per_s = peak(retries);
    h.db_crashes = t.databases.empty() ? nan : 0;
    h.peak_db_connections = t.databases.empty() ? nan : 0;
    for (const std::string& d : t.databases) {
        h.db_crashes += measured_or(d + ".oom", total(r, values(r, d + ".oom")));
        // The run's own count of its peak, where there is one: the samples (once a second by default) miss the
        // spike that took the database past its memory limit between two of them.
        h.peak_db_connections = std::max(h.peak_db_connections, measured_or(d + ".connections_peak", peak(values(r, d + ".connections"))));
    }
    // The cache hit ratio's low point after the first fault (before it, the caches warm up).
    h.min_hit_ratio = nan;
    double first_fault = INFINITY;
    for (const FaultRecord& f : r.faults) first_fault = std::min(first_fault, f.at_s);
    for (const std::string& c : t.caches) {
        std::vector<double> v = values(r, c + ".cache.hit_ratio");
        for (std::size_t i = 0; i < v.size() && i < r.times.size(); ++i) {
            if (r.times[i] <= first_fault) v[i] = nan;
        }
        const double low = lowest(v);
        if (std::isfinite(low) && (std::isnan(h.min_hit_ratio) || low < h.min_hit_ratio)) h.min_hit_ratio = low;
    }
    return h;
}

std::string expectation_text(const RunRecord& r) {
    if (r.expected_verdict.empty()) return "";
    const bool verdict_ok = r.expected_verdict == r.verdict;
    const bool failure_ok = r.expected_failure.empty() || (r.failure && r.failure->name == r.expected_failure);
    std::string s = "expected " + r.expected_verdict;
    if (!r.expected_failure.empty()) s += " (" + r.expected_failure + ")";
    // An interrupted run ended before it could be judged: neither as expected nor not.
    if (r.verdict == "interrupted") return s + ": not judged (the run was interrupted)";
    return s + (verdict_ok && failure_ok ? ": as expected" : ": NOT as expected");
}

std::string invariant_details(const RunRecord& r, const InvariantRecord& inv) {
    std::string o, message = inv.message;
    const std::string prefix = inv.name + ".";
    for (const Measurement& m : r.measurements) {
        if (!m.name.starts_with(prefix)) continue;
        const std::string key = m.name.substr(prefix.size());
        std::string text;
        if (!std::isfinite(m.value)) {
            text = key + ": " + (m.note.empty() ? "-" : m.note);  // "recovery_s: did not recover"
            if (!m.note.empty() && message.starts_with(m.note)) {  // "did not recover: users.ok was 0/s ..."
                text = key + ": " + message;
                message.clear();
            }
        } else {
            text = key + " " +
                   (key.ends_with("_s") ? format_value(m.value, Unit::seconds) : format_number(m.value, 6)) +
                   (m.note.empty() ? "" : " (" + m.note + ")");
        }
        o += (o.empty() ? "" : "; ") + text;
    }
    if (!message.empty()) o += (o.empty() ? "" : ". ") + message;
    return o;
}

std::string failure_text(const RunRecord& r) {
    if (r.verdict == "runaway") return "runaway at " + format_time(r.end_s) + ": " + r.runaway_reason;
    // runaway_reason says who: "interrupted by SIGINT"
    if (r.verdict == "interrupted")
        return r.runaway_reason + " at " + format_time(r.end_s) +
               ", before the run's end: what is shown is what ran until then";
    if (!r.failure) return "";
    const FailureRecord& f = *r.failure;
    std::string s = f.kind + " '" + f.name + "' at " + format_time(f.time_s);
    if (!f.host.empty()) s += " on host " + f.host;
    if (!f.where.empty()) s += " [" + f.where + "]";
    if (!f.message.empty()) s += ": " + f.message;
    return s;
}

}  // namespace faultline::report
