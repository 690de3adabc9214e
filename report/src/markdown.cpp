#include "report/markdown.hpp"

#include <algorithm>
#include <cmath>

#include "report/compare.hpp"
#include "report/headline.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

// A fence longer than any run of backticks inside, so the text cannot end its own code block.
std::string fence_for(const std::string& s) {
    std::size_t run = 0, longest = 0;
    for (char c : s) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

// Code escapes nothing: a control character is shown as its picture, never written raw.
std::string code_block(const std::string& s) {
    const std::string fence = fence_for(s);
    return fence + "\n" + visible(s) + "\n" + fence + "\n";
}

// Inline code; text with backticks or newlines goes in a block instead.
std::string code(const std::string& s) {
    if (s.find('`') == std::string::npos && s.find('\n') == std::string::npos) return "`" + visible(s) + "`";
    return "\n\n" + code_block(s);
}

std::string invariants(const RunRecord& r) {
    if (r.invariants.empty()) return "";
    std::string o = "| Invariant | Result | Details |\n|---|---|---|\n";
    for (const InvariantRecord& inv : r.invariants) {
        o += "| " + markdown(inv.name) + " | " + upper_case(inv.result) + " | " + markdown(invariant_details(r, inv)) +
             " |\n";
    }
    return o + "\n";
}

std::string faults(const RunRecord& r) {
    if (r.faults.empty()) return "No faults injected.\n\n";
    std::string o;
    for (const FaultRecord& f : r.faults) o += "- " + markdown(f.detail()) + "\n";
    return o + "\n";
}

// " (expected fail: as expected)"
std::string expectation(const RunRecord& r) {
    const std::string e = expectation_text(r);
    return e.empty() ? "" : " (" + markdown(e) + ")";
}

// The headline numbers; a scenario without any (no client workload, retries or database: a
// kernel-only model) gets its own measurements instead, rather than an empty table.
std::string headline_table(const RunRecord& r) {
    const Headline h = headline(r);
    std::string rows;
    if (h.recovery.applicable) rows += "| time to recover | " + markdown(h.recovery.text()) + " |\n";
    if (std::isfinite(h.goodput_ratio))
        rows += "| goodput (ok / offered) | " + format_value(h.goodput_ratio, Unit::ratio) + " |\n";
    if (std::isfinite(h.errors)) rows += "| errors | " + thousands(h.errors) + " |\n";
    if (std::isfinite(h.latency_p99_s))
        rows += "| latency p99 (ok requests, whole run) | " + format_value(h.latency_p99_s, Unit::seconds) + " |\n";
    if (std::isfinite(h.peak_amplification)) {
        rows += "| peak retry amplification | " + format_value(h.peak_amplification, Unit::times) + " (" +
                markdown(h.peak_amplification_edge) + ") |\n";
    }
    if (std::isfinite(h.db_crashes)) rows += "| database crashes | " + thousands(h.db_crashes) + " |\n";
    if (std::isfinite(h.min_hit_ratio))  // as the page's card and compare's table have it
        rows +=
            "| lowest cache hit ratio (after the first fault) | " + format_value(h.min_hit_ratio, Unit::ratio) + " |\n";
    if (!rows.empty()) return "| Headline | Value |\n|---|---|\n" + rows;
    if (r.measurements.empty()) return "";
    std::string o = "| Measurement | Value | Note |\n|---|---|---|\n";
    for (const Measurement& m : r.measurements)
        o += "| " + code(m.name) + " | " + format_measurement(m.value) + " | " + markdown(m.note) + " |\n";
    return o;
}

}  // namespace

std::string run_markdown(const RunRecord& r, const std::string& html_name) {
    std::string o = "## " + markdown(r.scenario) + ": " + upper_case(r.verdict) + expectation(r) + "\n\n";
    o += "Seed " + std::to_string(r.seed) + ", " + format_time(r.end_s) + " of virtual time" +
         (r.stopped_early() ? " (of " + format_time(r.duration_s) + " planned)" : "") + ", trace hash `" +
         r.trace_hash + "`.\n\n";
    if (!r.description.empty()) o += markdown(r.description) + "\n\n";
    if (!r.hypothesis.empty()) o += "**Hypothesis.** " + markdown(r.hypothesis) + "\n\n";
    if (!r.variant.empty()) o += "**Variant " + code(r.variant) + ".** " + markdown(r.variant_description) + "\n\n";
    if (r.verdict != "pass")
        o += std::string(r.verdict == "interrupted" ? "**Stopped early:** " : "**Why it failed:** ") +
             markdown(failure_text(r)) + "\n\n";
    o += invariants(r);
    o += headline_table(r);
    o += "\n**Faults:**\n\n" + faults(r);
    o += "Reproduce: " + code(r.repro) + "\n";
    if (!html_name.empty()) o += "\nCharts: [" + markdown(html_name) + "](" + html_name + ")\n";
    return o;
}

std::string compare_markdown(const RunRecord& a, const RunRecord& b, const std::string& html_name) {
    const std::string la = a.display_name(), lb = b.display_name();
    std::string o = "## A/B: " + markdown(la) + " vs " + markdown(lb) + "\n\n";
    o += "Seed " + std::to_string(a.seed) + (a.seed == b.seed ? "" : " / " + std::to_string(b.seed)) + ". A is " +
         markdown(a.scenario) + ": **" + upper_case(a.verdict) + "**" + expectation(a) + "; B is " +
         markdown(b.scenario) + ": **" + upper_case(b.verdict) + "**" + expectation(b) + ".\n\n";
    // One scenario's text once; two scenarios' each, named.
    const bool same_text = a.description == b.description && a.hypothesis == b.hypothesis;
    if (same_text && !a.hypothesis.empty()) o += "**Hypothesis.** " + markdown(a.hypothesis) + "\n\n";
    for (const RunRecord* r : {&a, &b}) {
        if (!same_text && (!r->description.empty() || !r->hypothesis.empty())) {
            o += "**" + markdown(r->display_name()) + ".** " + markdown(r->description) +
                 (r->hypothesis.empty() ? "" : " *Hypothesis:* " + markdown(r->hypothesis)) + "\n\n";
        }
    }
    for (const RunRecord* r : {&a, &b}) {
        if (!r->variant_description.empty())
            o += "- **" + markdown(r->display_name()) + "**: " + markdown(r->variant_description) + "\n";
    }
    if (const std::string same = same_events_note(a, b); !same.empty()) o += "\n**Note.** " + markdown(same) + ".\n";
    o += "\n| | A: " + markdown(la) + " | B: " + markdown(lb) + " | change |\n|---|---|---|---|\n";
    for (const DiffRow& row : headline_diff(a, b)) {
        o += "| " + markdown(row.metric) + " | " + markdown(row.a) + " | " + markdown(row.b) + " | " +
             markdown(row.change) +
             (row.better > 0   ? " (better)"
              : row.better < 0 ? " (worse)"
                               : "") +
             " |\n";
    }
    const std::vector<OptionDiff> diff = option_diff(a, b);
    if (!diff.empty()) {
        o += "\n**What differs:**\n\n";
        for (const OptionDiff& d : diff) {
            o += "- " + code(d.path) + ": " + markdown(d.a.empty() ? "(none)" : d.a) + " -> " +
                 markdown(d.b.empty() ? "(none)" : d.b) + "\n";
        }
    }
    o += "\nReproduce:\n\n" + code_block(a.repro + "\n" + b.repro);
    if (!html_name.empty()) o += "\nCharts: [" + markdown(html_name) + "](" + html_name + ")\n";
    return o;
}

}  // namespace faultline::report
