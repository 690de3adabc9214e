#include "report/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "report/text.hpp"

namespace faultline::report {

namespace {

std::string signed_value(double d, Unit unit) {
    const std::string v = format_value(std::fabs(d), unit);
    return (d < 0 ? "-" : "+") + v;
}

// A numeric row; `lower_better` says which way is an improvement.
DiffRow numeric(const std::string& metric, double a, double b, Unit unit, bool lower_better,
                const std::string& note_a = "", const std::string& note_b = "") {
    DiffRow row{metric, format_value(a, unit) + note_a, format_value(b, unit) + note_b, "", 0};
    if (!std::isfinite(a) || !std::isfinite(b)) return row;
    const double d = b - a;
    if (d == 0) {
        row.change = "same";
        return row;
    }
    if (unit == Unit::ratio) {
        row.change = (d < 0 ? "-" : "+") + format_number(std::fabs(d) * 100, 3) + " pts";
    } else {
        row.change = signed_value(d, unit);
        if (a != 0)
            row.change += " (" + std::string(d < 0 ? "-" : "+") + format_number(std::fabs(d / a) * 100, 3) + "%)";
    }
    row.better = (d < 0) == lower_better ? 1 : -1;
    return row;
}

}  // namespace

std::vector<DiffRow> headline_diff(const RunRecord& a, const RunRecord& b) {
    const Headline ha = headline(a), hb = headline(b);
    std::vector<DiffRow> rows;
    {
        DiffRow v{"verdict", upper_case(a.verdict), upper_case(b.verdict), "", 0};
        if (a.verdict != b.verdict) {
            v.change = b.verdict == "pass" ? "B passes" : a.verdict == "pass" ? "B fails" : "";
            v.better = b.verdict == "pass" ? 1 : a.verdict == "pass" ? -1 : 0;
        } else {
            v.change = "same";
        }
        rows.push_back(v);
    }
    if (ha.recovery.applicable || hb.recovery.applicable) {
        DiffRow r{"time to recover", ha.recovery.text(), hb.recovery.text(), "", 0};
        const auto sa = ha.recovery.seconds(), sb = hb.recovery.seconds();
        if (sa && sb) {
            r = numeric("time to recover", *sa, *sb, Unit::seconds, true);
            r.a = ha.recovery.text();
            r.b = hb.recovery.text();
        } else if (!sa && sb && ha.recovery.applicable) {
            r.change = "B recovers";
            r.better = 1;
        } else if (sa && !sb && hb.recovery.applicable) {
            // A run that a failure stopped before the deadline was not judged: it did not fail to recover.
            r.change = hb.recovery.judged ? "B does not recover" : "B not judged";
            r.better = hb.recovery.judged ? -1 : 0;
        } else if (ha.recovery.applicable && hb.recovery.applicable) {
            const bool ja = ha.recovery.judged, jb = hb.recovery.judged;
            r.change = ja && jb     ? "neither recovers"  // (a blank cell read as a missing number)
                       : !ja && !jb ? "neither judged"
                       : !ja        ? "A not judged, B does not recover"
                                    : "B not judged, A does not recover";
        }
        rows.push_back(r);
    }
    std::size_t headline_numbers = 0;
    auto add = [&rows, &headline_numbers](DiffRow row) {
        if (row.a == "-" && row.b == "-") return;
        rows.push_back(std::move(row));
        ++headline_numbers;
    };
    // A failing run stops at its first violation: totals over runs of different lengths do not
    // compare, so say how long each ran and set the errors per simulated second beside them.
    const bool same_length = std::fabs(a.end_s - b.end_s) < 1e-9;
    if (!same_length) {
        auto ran = [](const RunRecord& r) {
            return format_time(r.end_s) + (r.stopped_early() ? " of " + format_time(r.duration_s) : "");
        };
        rows.push_back({"simulated (totals below are over this)", ran(a), ran(b), "not the same length", 0});
    }
    add(numeric("goodput (ok / offered)", ha.goodput_ratio, hb.goodput_ratio, Unit::ratio, false));
    add(numeric("errors", ha.errors, hb.errors, Unit::count, true));
    if (!same_length && a.end_s > 0 && b.end_s > 0) {
        add(numeric("errors per simulated second", ha.errors / a.end_s, hb.errors / b.end_s, Unit::per_second, true));
    }
    add(numeric("latency p50 (ok requests, whole run)", ha.latency_p50_s, hb.latency_p50_s, Unit::seconds, true));
    add(numeric("latency p99 (ok requests, whole run)", ha.latency_p99_s, hb.latency_p99_s, Unit::seconds, true));
    add(numeric("worst one-sample p99", ha.peak_p99_s, hb.peak_p99_s, Unit::seconds, true));
    add(numeric("peak retry amplification", ha.peak_amplification, hb.peak_amplification, Unit::times, true,
                ha.peak_amplification_edge.empty() ? "" : " (" + ha.peak_amplification_edge + ")",
                hb.peak_amplification_edge.empty() ? "" : " (" + hb.peak_amplification_edge + ")"));
    add(numeric("peak retries", ha.peak_retries_per_s, hb.peak_retries_per_s, Unit::per_second, true));
    add(numeric("database crashes", ha.db_crashes, hb.db_crashes, Unit::count, true));
    add(numeric("peak database connections", ha.peak_db_connections, hb.peak_db_connections, Unit::count, true));
    add(numeric("lowest cache hit ratio after the fault", ha.min_hit_ratio, hb.min_hit_ratio, Unit::ratio, false));
    if (headline_numbers == 0) {
        // None of these numbers (a kernel-only model such as mm1): the measurements both runs
        // have, in A's order, with no judgement (which way is better is the model's to say).
        for (const Measurement& ma : a.measurements) {
            const auto mb = std::find_if(b.measurements.begin(), b.measurements.end(),
                                         [&ma](const Measurement& m) { return m.name == ma.name; });
            if (mb == b.measurements.end()) continue;
            DiffRow row{ma.name, format_measurement(ma.value), format_measurement(mb->value), "", 0};
            const double d = mb->value - ma.value;
            if (std::isfinite(d)) {
                char diff[32];
                std::snprintf(diff, sizeof diff, "%.4g", std::fabs(d));  // significant digits, however small
                row.change = d == 0 ? "same" : (d < 0 ? "-" : "+") + std::string(diff);
                if (d != 0 && ma.value != 0)
                    row.change +=
                        " (" + std::string(d < 0 ? "-" : "+") + format_number(std::fabs(d / ma.value) * 100, 3) + "%)";
            }
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

std::vector<OptionDiff> option_diff(const RunRecord& a, const RunRecord& b) {
    std::map<std::string, std::string> bv;
    for (const FieldInfo& f : b.options) bv[f.path] = f.value;
    std::vector<OptionDiff> out;
    std::map<std::string, bool> seen;
    for (const FieldInfo& f : a.options) {
        seen[f.path] = true;
        auto it = bv.find(f.path);
        const std::string other = it == bv.end() ? "" : it->second;
        // An option one side lacks and the other leaves unset ("(none) -> (none)") is no difference.
        if (other != f.value) out.push_back({f.path, f.value, other});
    }
    for (const FieldInfo& f : b.options) {
        if (!seen.count(f.path) && !f.value.empty()) out.push_back({f.path, "", f.value});
    }
    return out;
}

std::string diff_text(const std::vector<DiffRow>& rows, const std::string& label_a, const std::string& label_b) {
    std::size_t w0 = 6, w1 = label_a.size(), w2 = label_b.size();
    for (const DiffRow& r : rows) {
        w0 = std::max(w0, r.metric.size());
        w1 = std::max(w1, r.a.size());
        w2 = std::max(w2, r.b.size());
    }
    auto pad = [](const std::string& s, std::size_t w) {
        return s + std::string(w > s.size() ? w - s.size() : 0, ' ');
    };
    std::string o =
        pad("", w0) + "  " + pad("A: " + label_a, w1 + 3) + "  " + pad("B: " + label_b, w2 + 3) + "  change\n";
    for (const DiffRow& r : rows) {
        o += pad(r.metric, w0) + "  " + pad(r.a, w1 + 3) + "  " + pad(r.b, w2 + 3) + "  " + r.change +
             (r.better > 0   ? "  (better)"
              : r.better < 0 ? "  (worse)"
                             : "") +
             "\n";
    }
    return o;
}

std::string same_events_note(const RunRecord& a, const RunRecord& b) {
    if (a.trace_hash.empty() || a.trace_hash != b.trace_hash) return "";
    return "A and B ran the same events (trace hash " + a.trace_hash + "): B's difference changed nothing on this seed";
}

}  // namespace faultline::report
