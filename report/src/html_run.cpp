// The run report and the A/B comparison page.
#include <algorithm>
#include <cmath>

#include "page.hpp"
#include "report/compare.hpp"
#include "report/html.hpp"
#include "report/series.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

// A sample's length as durations are written: 250ms, 5s, 1m (not 60s).
std::string sample_length(double seconds) {
    return seconds >= 60 ? format_time(seconds) : format_value(seconds, Unit::seconds);
}

std::string card(const std::string& key, const std::string& value, const std::string& note) {
    return "<div class=\"card\"><div class=\"k\">" + html(key) + "</div><div class=\"v\">" + html(value) + "</div>" +
           (note.empty() ? "" : "<div class=\"n\">" + html(note) + "</div>") + "</div>\n";
}

std::string cards(const RunRecord& r) {
    const Headline h = headline(r);
    std::string o;
    if (h.recovery.applicable) {
        const RecoveryRule& rule = h.recovery.rule;
        o += card("time to recover", h.recovery.text(),
                  rule.metric + " back to " + format_number(rule.share * 100) + "% of " +
                      format_short(h.recovery.baseline, Unit::per_second) + " after " + format_time(rule.after_s) +
                      " (" + h.recovery.source + ")");
    }
    if (std::isfinite(h.goodput_ratio)) {
        o += card("goodput", format_value(h.goodput_ratio, Unit::ratio),
                  thousands(h.ok) + " of " + thousands(h.offered) + " requests ok (" + h.workload + ")");
    }
    if (std::isfinite(h.errors)) o += card("errors", thousands(h.errors), "requests that failed at the clients");
    if (std::isfinite(h.latency_p99_s)) {
        o += card("latency p99", format_value(h.latency_p99_s, Unit::seconds),
                  "of the requests that succeeded, whole run; p50 " + format_value(h.latency_p50_s, Unit::seconds) +
                      "; worst " + sample_length(sample_interval(r)) + " sample " +
                      format_value(h.peak_p99_s, Unit::seconds));
    }
    if (std::isfinite(h.peak_amplification)) {
        o += card("peak retry amplification", format_value(h.peak_amplification, Unit::times),
                  "attempts sent per request started on " + h.peak_amplification_edge +
                      ", worst sample (retries of earlier requests count, so it can exceed attempts_max)");
    }
    if (std::isfinite(h.db_crashes)) {
        o += card("database crashes", thousands(h.db_crashes),
                  "out of memory; peak " + thousands(h.peak_db_connections) + " connections");
    }
    if (std::isfinite(h.min_hit_ratio))
        o += card("lowest cache hit ratio", format_value(h.min_hit_ratio, Unit::ratio), "after the first fault");
    if (o.empty()) {
        return "<p class=\"sub\">None: the scenario has no client workload, retries or database to sum up; its own "
               "numbers are under Measurements.</p>\n";
    }
    return "<div class=\"cards\">\n" + o + "</div>\n";
}

std::string invariants_table(const RunRecord& r) {
    if (r.invariants.empty()) {
        // A built-in scenario checks its invariants in its C++ code; only a scenario file's are listed.
        if (r.verdict == "pass") {
            return "<p class=\"sub\">Passed: every invariant the scenario checks held (a built-in scenario's "
                   "invariants are in its code; only a scenario file's are listed here).</p>\n";
        }
        return "<p>" + html(failure_text(r)) + "</p>\n";
    }
    std::string o = "<table><tr><th>invariant</th><th>condition</th><th>result</th><th>measured</th></tr>\n";
    for (const InvariantRecord& inv : r.invariants) {
        const std::string measured = invariant_details(r, inv);
        o += "<tr><td>" + html(inv.name) + "</td><td>" + html(inv.kind) + ": " + html(inv.condition) + "</td><td>" +
             page::verdict_badge(inv.result) + "</td><td>" + html(measured) + "</td></tr>\n";
    }
    return o + "</table>\n";
}

std::string title_of(const RunRecord& r) { return r.scenario + " (seed " + std::to_string(r.seed) + "): " + r.verdict; }

std::string about(const RunRecord& r) {
    std::string o;
    if (!r.description.empty()) o += page::paragraph(r.description);
    if (!r.hypothesis.empty()) o += "<p><b>Hypothesis.</b> " + html(r.hypothesis) + "</p>\n";
    if (!r.variant.empty()) {
        o += "<p><b>Variant <code>" + html(r.variant) + "</code>.</b> " + html(r.variant_description) + "</p>\n";
    }
    return o.empty() ? "" : "<div class=\"box\">" + o + "</div>\n";
}

std::string run_line(const RunRecord& r) {
    std::string s = "seed " + std::to_string(r.seed) + " &middot; ";
    if (r.stopped_early())
        s += html(format_time(r.duration_s)) + " planned, stopped at " + html(format_time(r.end_s));
    else
        s += html(format_time(r.end_s)) + " of virtual time";
    s += " &middot; " + html(thousands(static_cast<double>(r.events))) + " events &middot; trace hash <code>" +
         html(r.trace_hash) + "</code>";
    const std::string e = expectation_text(r);
    if (!e.empty()) s += " &middot; " + html(e);
    return s;
}

}  // namespace

std::string run_html(const RunRecord& r) {
    std::string o = page::begin("faultline: " + title_of(r));
    o += "<h1>" + html(r.scenario) + " " + page::verdict_badge(r.verdict) + "</h1>\n";
    o += "<p class=\"sub\">" + run_line(r) + "</p>\n";
    o += about(r);
    if (r.verdict != "pass")
        o += "<div class=\"box\"><b>" + std::string(r.verdict == "interrupted" ? "Stopped early:" : "Why it failed:") +
             "</b> " + html(failure_text(r)) + "</div>\n";
    o += "<h2>Headline</h2>\n" + cards(r);
    o += "<h2>Invariants</h2>\n" + invariants_table(r);
    o += "<h2>Faults injected</h2>\n" + page::faults_table(r);
    o += "<h2>Time series</h2>\n";
    std::string data = "[";
    const std::vector<Panel> panels = build_panels({&r}, {r.display_name()});
    if (panels.empty())
        o += "<p class=\"sub\">This scenario records no metric time series.</p>\n";
    else
        o += "<p class=\"sub\">Shaded: fault windows (an instant fault is a line). Samples every " +
             html(format_time(r.times.size() > 1 ? r.times[1] - r.times[0] : 1)) +
             "; each covers the interval before its time, its end included (an event at exactly 25s is in the sample "
             "at 25s).</p>\n" +
             page::charts(panels, data);
    data += "]";
    o += "<h2>Measurements</h2>\n" + page::measurements_table(r);
    o += "<h2>Options</h2>\n" + page::options_section(r) + page::coverage_section(r);
    o += "<h2>Reproduce</h2>\n<pre>" + html(r.repro) + "</pre>\n";
    return o + page::end(data);
}

std::string compare_html(const RunRecord& a, const RunRecord& b) {
    const std::string la = a.display_name(), lb = b.display_name();
    std::string o = page::begin("faultline: " + la + " vs " + lb);
    o += "<h1>A/B: " + html(la) + " vs " + html(lb) + "</h1>\n";
    o += "<p class=\"sub\">Both on seed " + std::to_string(a.seed) +
         (a.seed == b.seed ? "" : " / " + std::to_string(b.seed)) +
         ", drawn on the same axes: <b style=\"color:" + std::string(run_colour(0)) +
         "\">A</b> and <b style=\"color:" + std::string(run_colour(1)) + "\">B</b>.</p>\n";
    o += "<div class=\"two\">\n";
    // One scenario's text once, under both; two scenarios' each in its run's box.
    const bool same_text = a.description == b.description && a.hypothesis == b.hypothesis;
    const RunRecord* runs[] = {&a, &b};
    for (int i = 0; i < 2; ++i) {
        const RunRecord& r = *runs[i];
        o += "<div class=\"box\"><h3 style=\"color:" + std::string(run_colour(static_cast<std::size_t>(i))) + "\">" +
             (i == 0 ? "A: " : "B: ") + html(r.display_name()) + " " + page::verdict_badge(r.verdict) + "</h3>\n";
        o += "<p class=\"sub\">" + html(r.scenario) + " &middot; " + run_line(r) + "</p>\n";
        if (!r.variant_description.empty()) o += "<p>" + html(r.variant_description) + "</p>\n";
        if (!same_text) {
            o += page::paragraph(r.description);
            if (!r.hypothesis.empty()) o += "<p><b>Hypothesis.</b> " + html(r.hypothesis) + "</p>\n";
        }
        if (r.verdict != "pass")
            o += "<p><b>" + std::string(r.verdict == "interrupted" ? "Stopped early:" : "Failed:") + "</b> " +
                 html(failure_text(r)) + "</p>\n";
        o += "</div>\n";
    }
    o += "</div>\n";
    if (same_text && (!a.description.empty() || !a.hypothesis.empty())) {
        o += "<div class=\"box\">" + page::paragraph(a.description) +
             (a.hypothesis.empty() ? "" : "<p><b>Hypothesis.</b> " + html(a.hypothesis) + "</p>") + "</div>\n";
    }

    o += "<h2>Headline differences</h2>\n";
    if (const std::string same = same_events_note(a, b); !same.empty())
        o += "<p class=\"sub\"><b>Note.</b> " + html(same) + ".</p>\n";
    o += "<table class=\"diff\"><tr><th></th><th>A: " + html(la) + "</th><th>B: " + html(lb) +
         "</th><th>change (B vs A)</th></tr>\n";
    for (const DiffRow& row : headline_diff(a, b)) {
        o += std::string("<tr") +
             (row.better > 0   ? " class=\"better\""
              : row.better < 0 ? " class=\"worse\""
                               : "") +
             "><td>" + html(row.metric) + "</td><td class=\"num\">" + html(row.a) + "</td><td class=\"num\">" +
             html(row.b) + "</td><td class=\"change num\">" + html(row.change) + "</td></tr>\n";
    }
    o += "</table>\n";

    // Invariants side by side, by name (A's order, then B's own).
    std::vector<std::string> names;
    for (const RunRecord* r : runs) {
        for (const InvariantRecord& inv : r->invariants) {
            if (std::find(names.begin(), names.end(), inv.name) == names.end()) names.push_back(inv.name);
        }
    }
    if (!names.empty()) {
        o += "<h2>Invariants</h2>\n<table><tr><th>invariant</th><th>A</th><th>B</th></tr>\n";
        for (const std::string& n : names) {
            o += "<tr><td>" + html(n) + "</td>";
            for (const RunRecord* r : runs) {
                const InvariantRecord* found = nullptr;
                for (const InvariantRecord& inv : r->invariants) {
                    if (inv.name == n) found = &inv;
                }
                if (!found) {
                    o += "<td class=\"sub\">(not in this scenario)</td>";
                    continue;
                }
                const std::string measured = invariant_details(*r, *found);
                o += "<td>" + page::verdict_badge(found->result) + " " + html(measured) + "</td>";
            }
            o += "</tr>\n";
        }
        o += "</table>\n";
    }

    o += "<h2>Time series</h2>\n<p class=\"sub\">A solid/dashed in <b style=\"color:" + std::string(run_colour(0)) +
         "\">orange</b>, B in <b style=\"color:" + std::string(run_colour(1)) +
         "\">blue</b>; where a chart has several measures, the dash pattern tells them apart. Shaded: fault "
         "windows.</p>\n";
    std::string data = "[";
    const std::vector<Panel> panels = build_panels({&a, &b}, {"A", "B"});
    if (panels.empty())
        o += "<p class=\"sub\">These scenarios record no metric time series.</p>\n";
    else
        o += page::charts(panels, data);
    data += "]";

    const std::vector<OptionDiff> diff = option_diff(a, b);
    o += "<h2>What differs</h2>\n";
    if (diff.empty()) {
        o += "<p class=\"sub\">The two runs have the same options" +
             std::string(a.seed != b.seed ? " (different seeds)" : "") + ".</p>\n";
    } else {
        o += "<table><tr><th>option</th><th>A</th><th>B</th></tr>\n";
        for (const OptionDiff& d : diff) {
            o += "<tr><td><code>" + html(d.path) + "</code></td><td><code>" + html(d.a.empty() ? "(none)" : d.a) +
                 "</code></td><td><code>" + html(d.b.empty() ? "(none)" : d.b) + "</code></td></tr>\n";
        }
        o += "</table>\n";
    }
    o += "<h2>Faults injected</h2>\n<div class=\"two\"><div><h3>A</h3>" + page::faults_table(a) +
         "</div><div><h3>B</h3>" + page::faults_table(b) + "</div></div>\n";
    o += "<h2>Measurements</h2>\n<div class=\"two\"><div><h3>A</h3>" + page::measurements_table(a) +
         "</div><div><h3>B</h3>" + page::measurements_table(b) + "</div></div>\n";
    o += "<h2>Reproduce</h2>\n<pre>A: " + html(a.repro) + "\nB: " + html(b.repro) + "</pre>\n";
    return o + page::end(data);
}

}  // namespace faultline::report
