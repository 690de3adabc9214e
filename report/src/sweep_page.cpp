// A sweep as people read it: heatmaps (seeds passing, time to recover, p99 latency, peak retry
// amplification, errors; one set per combination of any axes past the second), where the system
// tips, every cell in a table, the grid's definition, and a Markdown summary.
#include <algorithm>
#include <cmath>
#include <set>

#include "page.hpp"
#include "report/heatmap.hpp"
#include "report/sweep.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

const std::vector<std::string> pass_stops{"#b00020", "#f0b429", "#1a7f37"};
const std::vector<std::string> recovery_stops{"#d9f0d3", "#a6dba0", "#fee08b", "#fc8d59", "#d73027"};
const std::vector<std::string> heat_stops{"#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026"};
constexpr const char* not_recovered = "#4a0010";
constexpr const char* not_judged = "#bdbdbd";

const SweepCell* find_cell(const SweepResult& s, const std::vector<std::size_t>& index) {
    for (const SweepCell& c : s.cells) {
        if (c.index == index) return &c;
    }
    return nullptr;
}

std::string seeds_detail(const SweepCell& c) {
    std::string d;
    for (const CellRun& r : c.runs) {
        d += "\nseed " + std::to_string(r.seed) + ": " + r.verdict;
        if (!r.failure.empty()) d += " (" + r.failure + ")";
        if (r.recovery_applicable) {
            d += r.recovery_s ? ", recovered in " + format_time(*r.recovery_s)
                 : r.recovery_judged
                     ? ", did not recover"
                     : ", recovery not judged (it ended at " + format_time(r.end_s) + ", before the deadline)";
        }
        if (!r.trace_hash.empty()) d += ", trace hash " + r.trace_hash;
    }
    return d;
}

std::string cell_name(const SweepResult& s, const std::vector<std::size_t>& index) {
    std::string n;
    for (std::size_t k = 0; k < s.axes.size(); ++k)
        n += (n.empty() ? "" : ", ") + s.axes[k].name + "=" + s.axes[k].labels[index[k]];
    return n;
}

// A value's place on a scale from lo to hi, logarithmic when the range spans more than 20x.
double position(double v, double lo, double hi) {
    if (!(hi > lo)) return 0.5;
    if (lo > 0 && hi / lo > 20) return (std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo));
    return (v - lo) / (hi - lo);
}

// An axis's name, with "(per second)" when its values are rates given as bare numbers.
std::string axis_title(const GridAxis& a) {
    const bool rate = !a.values.empty() && a.values.front().ends_with("/s") && !a.labels.front().ends_with("/s");
    return a.name + (rate ? " (per second)" : "");
}

enum class Map { passing, recovery, p99, amplification, errors };

struct MapSpec {
    Map map;
    std::string title;
};

// The heatmaps of one facet (fixed values of the axes past the second).
std::string facet_maps(const SweepResult& s, const std::vector<std::size_t>& fixed, int& id) {
    const GridAxis& x = s.axes[0];
    const GridAxis* y = s.axes.size() > 1 ? &s.axes[1] : nullptr;
    const std::size_t ny = y ? y->values.size() : 1;
    auto index_of = [&](std::size_t col, std::size_t row) {
        std::vector<std::size_t> index{col};
        if (y) index.push_back(row);
        index.insert(index.end(), fixed.begin(), fixed.end());
        return index;
    };
    // Ranges over the whole sweep, so facets share one colour scale.
    double rec_hi = 0, p99_lo = INFINITY, p99_hi = 0, amp_lo = INFINITY, amp_hi = 0, err_lo = INFINITY, err_hi = 0;
    double err_min = INFINITY;  // the scale is logarithmic from 1: 0 errors share its colour
    bool any_recovery = false, any_unjudged = false, any_broken = false;
    // Time to recover is scaled against the time the recovery rule allows (the longest, if cells
    // differ), so that a uniformly fast recovery is pale, not the scale's red: only a recovery
    // near its deadline is. A sweep saved without deadlines is scaled to its slowest cell.
    double rec_deadline = 0;
    const bool per_second = runs_differ_in_length(s);  // error totals over different lengths do not compare
    for (const SweepCell& c : s.cells) {
        const CellSummary m = summarize(c);
        any_recovery = any_recovery || m.recovery_applicable;
        any_unjudged = any_unjudged || recovery_never_judged(m);
        any_broken = any_broken || m.broken > 0;
        if (m.median_recovery_s) rec_hi = std::max(rec_hi, *m.median_recovery_s);
        for (const CellRun& r : c.runs) {
            if (std::isfinite(r.recovery_within_s)) rec_deadline = std::max(rec_deadline, r.recovery_within_s);
        }
        if (std::isfinite(m.median_p99_s) && m.median_p99_s > 0) {
            p99_lo = std::min(p99_lo, m.median_p99_s);
            p99_hi = std::max(p99_hi, m.median_p99_s);
        }
        if (std::isfinite(m.median_amplification)) {
            amp_lo = std::min(amp_lo, m.median_amplification);
            amp_hi = std::max(amp_hi, m.median_amplification);
        }
        if (const double e = per_second ? m.median_errors_per_s : m.median_errors; std::isfinite(e)) {
            err_lo = std::min(err_lo, per_second ? e : std::max(1.0, e));
            err_min = std::min(err_min, e);
            err_hi = std::max(err_hi, e);
        }
    }
    const double rec_top = std::max(rec_hi, rec_deadline);
    std::vector<MapSpec> maps{{Map::passing, "Seeds passing"}};
    if (any_recovery) maps.push_back({Map::recovery, "Time to recover (median over seeds)"});
    if (p99_hi > 0) maps.push_back({Map::p99, "Latency p99 (median over seeds)"});
    if (amp_hi > 0) maps.push_back({Map::amplification, "Peak retry amplification (median)"});
    if (std::isfinite(err_lo)) {
        maps.push_back({Map::errors, per_second ? "Errors per simulated second (median; failing runs stop early, so "
                                                  "totals would cover different lengths)"
                                                : "Errors (median over seeds)"});
    }

    std::string o = "<div class=\"charts\">\n";
    for (const MapSpec& spec : maps) {
        Heatmap h;
        h.id = "heatmap-" + std::to_string(++id);
        h.title = spec.title;
        h.x_label = axis_title(x);
        h.y_label = y ? axis_title(*y) : "";
        h.x_values = x.labels;
        h.y_values = y ? y->labels : std::vector<std::string>{""};
        h.cells.assign(ny, std::vector<HeatCell>(x.values.size()));
        for (std::size_t row = 0; row < ny; ++row) {
            for (std::size_t col = 0; col < x.values.size(); ++col) {
                const SweepCell* c = find_cell(s, index_of(col, row));
                if (!c || c->runs.empty()) continue;
                const CellSummary m = summarize(*c);
                HeatCell& cell = h.cells[row][col];
                cell.detail = cell_name(s, c->index) + seeds_detail(*c);
                switch (spec.map) {
                    case Map::passing: {
                        cell.colour = blend(pass_stops, static_cast<double>(m.passed) / static_cast<double>(m.runs));
                        cell.text = std::to_string(m.passed) + "/" + std::to_string(m.runs) +
                                    (m.broken ? " !" + std::to_string(m.broken) : "");
                        break;
                    }
                    case Map::recovery: {
                        if (!m.recovery_applicable) break;
                        if (recovery_never_judged(m)) {
                            cell.colour = not_judged;
                            cell.text = "not judged";
                        } else if (!m.median_recovery_s) {
                            cell.colour = not_recovered;
                            cell.text = m.recovered ? "x (" + std::to_string(m.recovered) + " ok)" : "x";
                        } else {
                            cell.colour = blend(recovery_stops, rec_top > 0 ? *m.median_recovery_s / rec_top : 0);
                            cell.text = format_time(std::round(*m.median_recovery_s * 10) / 10);
                            const std::size_t judged_not_recovered =
                                m.runs - m.broken - m.recovery_not_judged - m.recovered;
                            if (judged_not_recovered > 0)
                                cell.text += " (" + std::to_string(judged_not_recovered) + "x)";
                        }
                        break;
                    }
                    case Map::p99:
                        if (!std::isfinite(m.median_p99_s)) break;
                        cell.colour = blend(heat_stops, position(m.median_p99_s, p99_lo, p99_hi));
                        cell.text = format_short(m.median_p99_s, Unit::seconds);
                        break;
                    case Map::amplification:
                        if (!std::isfinite(m.median_amplification)) break;
                        cell.colour = blend(heat_stops, position(m.median_amplification, amp_lo, amp_hi));
                        cell.text = format_short(m.median_amplification, Unit::times);
                        break;
                    case Map::errors:
                        if (per_second) {
                            if (!std::isfinite(m.median_errors_per_s)) break;
                            cell.colour = blend(heat_stops, position(m.median_errors_per_s, err_lo, err_hi));
                            cell.text = format_short(m.median_errors_per_s, Unit::per_second);
                        } else {
                            if (!std::isfinite(m.median_errors)) break;
                            cell.colour = blend(heat_stops, position(std::max(1.0, m.median_errors), err_lo, err_hi));
                            cell.text = format_short(m.median_errors, Unit::count);
                        }
                        break;
                }
            }
        }
        switch (spec.map) {
            case Map::passing:
                h.legend = {{pass_stops[0], "none pass"}, {pass_stops[1], "half"}, {pass_stops[2], "all pass"}};
                if (any_broken) h.legend.push_back({"#ffffff", "!N: N runs crashed, hung or could not start"});
                break;
            case Map::recovery:
                h.legend.clear();
                if (rec_hi > 0) {  // a scale only where some cell recovered
                    h.legend = {
                        {recovery_stops.front(), "0s"},
                        {blend(recovery_stops, 0.5), format_time(rec_top / 2)},
                        {recovery_stops.back(),
                         format_time(rec_top) + (rec_deadline > 0 && rec_deadline >= rec_hi ? " (the deadline)" : "")}};
                }
                h.legend.push_back({not_recovered, "x: did not recover"});
                if (any_unjudged) h.legend.push_back({not_judged, "not judged: every run ended before the deadline"});
                break;
            case Map::p99:
                h.legend = {{heat_stops.front(), format_short(p99_lo, Unit::seconds)},
                            {heat_stops.back(), format_short(p99_hi, Unit::seconds)}};
                break;
            case Map::amplification:
                h.legend = {{heat_stops.front(), format_short(amp_lo, Unit::times)},
                            {heat_stops.back(), format_short(amp_hi, Unit::times)}};
                break;
            case Map::errors:
                if (per_second) {
                    h.legend = {{heat_stops.front(), format_short(err_lo, Unit::per_second)},
                                {heat_stops.back(), format_short(err_hi, Unit::per_second)}};
                } else {
                    h.legend = {
                        {heat_stops.front(), err_min < 1 ? std::string("0") : format_short(err_lo, Unit::count)},
                        {heat_stops.back(), format_short(err_hi, Unit::count)}};
                }
                break;
        }
        o += "<div class=\"chartbox\">" + render_heatmap_svg(h) + "</div>\n";
    }
    return o + "</div>\n";
}

std::string runs_count(const SweepResult& s) {
    const std::string each = count_of(s.cells.size(), "cell") + ", " + count_of(s.seeds.size(), "seed") + " each: ";
    if (!s.interrupted.empty())
        return each + std::to_string(runs_finished(s)) + " of " + count_of(s.runs_planned, "run") + " (interrupted)";
    return each + count_of(runs_finished(s), "run");
}

std::string repro(const SweepResult& s, const SweepCell& c, std::uint64_t seed) {
    std::string cmd = s.program + " run " + (s.file.empty() ? s.scenario : s.file) + " --seed " + std::to_string(seed);
    if (!s.variant.empty()) cmd += " --variant " + s.variant;
    for (const Override& o : s.overrides) cmd += " --set " + o.path + "=" + o.value;
    for (const Override& o : cell_overrides(s.axes, c.index)) cmd += " --set " + o.path + "=" + o.value;
    return cmd;
}

// The first run of a cell that did not pass; none when every run passed.
const CellRun* first_failing(const SweepCell& c) {
    for (const CellRun& r : c.runs) {
        if (r.verdict != "pass") return &r;
    }
    return nullptr;
}

// The Markdown's commands that reproduce each cell's first failing seed, with the trace hash the
// run had (and the command prints); the first `cells_max`, the page has every cell's.
std::string reproduce_list(const SweepResult& s) {
    constexpr std::size_t cells_max = 20;
    std::string o;
    std::size_t listed = 0, more = 0;
    for (const SweepCell& c : s.cells) {
        const CellRun* failing = first_failing(c);
        if (!failing) continue;
        if (listed == cells_max) {
            ++more;
            continue;
        }
        ++listed;
        const std::string command = visible(repro(s, c, failing->seed));
        const std::string fence = command.find('`') == std::string::npos ? "`" : "`` ";
        const std::string close = fence == "`" ? "`" : " ``";
        o += "- " + markdown(cell_name(s, c.index)) + ", seed " + std::to_string(failing->seed) + " (" +
             markdown(failing->failure.empty() ? failing->verdict : failing->failure) + "): " + fence + command +
             close + (failing->trace_hash.empty() ? "" : ", trace hash `" + failing->trace_hash + "`") + "\n";
    }
    if (o.empty()) return "";
    if (more > 0) o += "- and " + count_of(more, "more cell") + " (the page lists every cell)\n";
    return "\n**Reproduce** each cell's first seed that did not pass:\n\n" + o;
}

}  // namespace

std::string sweep_html(const SweepResult& s) {
    std::string o = page::begin("faultline sweep: " + s.scenario);
    const bool variant_in_name = !s.variant.empty() && s.scenario.ends_with("/" + s.variant);
    o += "<h1>Sweep: " + html(s.scenario) +
         (s.variant.empty() || variant_in_name ? "" : " <span class=\"sub\">variant " + html(s.variant) + "</span>") +
         "</h1>\n";
    std::string seeds;
    for (std::uint64_t seed : s.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(seed);
    o += "<p class=\"sub\">" + html(runs_count(s)) + " (seeds " + html(seeds) + ")</p>\n";
    if (!s.interrupted.empty()) {
        o += "<p class=\"box\"><span class=\"verdict runaway\">INCOMPLETE</span> The sweep was " +
             html(interrupted_text(s)) +
             ". Every number below is of the runs that finished; a blank cell had none.</p>\n";
    }
    if (!s.description.empty() || !s.hypothesis.empty()) {
        o += "<div class=\"box\">" + page::paragraph(s.description) +
             (s.hypothesis.empty() ? "" : "<p><b>Hypothesis.</b> " + html(s.hypothesis) + "</p>") + "</div>\n";
    }
    o += "<h2>Where it tips</h2>\n<ul>\n";
    for (const std::string& t : tipping_points(s)) o += "<li>" + html(t) + "</li>\n";
    o += "</ul>\n";
    const bool recovery_applies = std::any_of(s.cells.begin(), s.cells.end(), [](const SweepCell& c) {
        return std::any_of(c.runs.begin(), c.runs.end(), [](const CellRun& r) { return r.recovery_applicable; });
    });
    if (!s.recovery_rule.empty() && recovery_applies)
        o += "<p class=\"sub\">Recovery: " + html(s.recovery_rule) + "</p>\n";
    o += "<h2>Heatmaps</h2>\n<p class=\"sub\">Hover over a cell for its seeds.</p>\n";
    int id = 0;
    if (s.axes.size() <= 2) {
        o += facet_maps(s, {}, id);
    } else {
        std::vector<GridAxis> rest(s.axes.begin() + 2, s.axes.end());
        for (const auto& fixed : grid_cells(rest)) {
            std::string name;
            for (std::size_t k = 0; k < rest.size(); ++k)
                name += (name.empty() ? "" : ", ") + rest[k].name + "=" + rest[k].labels[fixed[k]];
            o += "<h3>" + html(name) + "</h3>\n" + facet_maps(s, fixed, id);
        }
    }
    o += "<h2>Every cell</h2>\n<table><tr>";
    for (const GridAxis& a : s.axes) o += "<th>" + html(a.name) + "</th>";
    o += "<th>seeds passing</th><th>time to recover (median)</th><th>p99 (median)</th><th>peak "
         "amplification (median)</th><th>errors "
         "(median)</th><th>ended (median)</th><th>failures</th><th>reproduce (first failing seed)</th></tr>\n";
    for (const SweepCell& c : s.cells) {
        const CellSummary m = summarize(c);
        o += "<tr>";
        for (std::size_t k = 0; k < s.axes.size(); ++k)
            o += "<td class=\"num\">" + html(s.axes[k].labels[c.index[k]]) + "</td>";
        std::set<std::string> failures;
        const CellRun* failing = first_failing(c);
        for (const CellRun& r : c.runs) {
            if (r.verdict != "pass") failures.insert(r.failure.empty() ? r.verdict : r.failure);
        }
        std::string f;
        for (const std::string& x : failures) f += (f.empty() ? "" : "; ") + x;
        o += "<td class=\"num\">" +
             (c.runs.empty() ? std::string("not run") : std::to_string(m.passed) + "/" + std::to_string(m.runs)) +
             "</td><td class=\"num\">" +
             html(!m.recovery_applicable     ? "-"
                  : recovery_never_judged(m) ? "not judged"
                  : m.median_recovery_s      ? format_time(*m.median_recovery_s)
                                             : "did not recover") +
             "</td><td class=\"num\">" + html(format_value(m.median_p99_s, Unit::seconds)) + "</td><td class=\"num\">" +
             html(format_value(m.median_amplification, Unit::times)) + "</td><td class=\"num\">" +
             html(format_value(m.median_errors, Unit::count)) + "</td><td class=\"num\">" +
             html(std::isfinite(m.median_end_s) ? format_time(m.median_end_s) : "-") + "</td><td>" + html(f) +
             "</td><td>" + (failing ? "<code>" + html(repro(s, c, failing->seed)) + "</code>" : "") +
             (failing && !failing->trace_hash.empty()
                  ? "<br><span class=\"sub\">trace hash <code>" + html(failing->trace_hash) + "</code></span>"
                  : "") +
             "</td></tr>\n";
    }
    o += "</table>\n<h2>The grid</h2>\n<table><tr><th>axis</th><th>sets</th><th>values</th></tr>\n";
    for (const GridAxis& a : s.axes) {
        std::string paths, values;
        for (const std::string& p : a.paths) paths += (paths.empty() ? "" : "<br>") + ("<code>" + html(p) + "</code>");
        for (const std::string& v : a.values) values += (values.empty() ? "" : ", ") + v;
        o += "<tr><td>" + html(a.name) + "</td><td>" + paths + "</td><td>" + html(values) + "</td></tr>\n";
    }
    o += "</table>\n";
    if (!s.overrides.empty()) {
        o += "<p>Also set in every run:";
        for (const Override& ov : s.overrides) o += " <code>" + html(ov.path + "=" + ov.value) + "</code>";
        o += "</p>\n";
    }
    return o + page::end("[]");
}

std::string sweep_markdown(const SweepResult& s, const std::string& html_name) {
    std::string o = "## Sweep: " + markdown(s.scenario) +
                    (s.variant.empty() ? "" : " (variant " + markdown(s.variant) + ")") + "\n\n";
    o += markdown(runs_count(s)) + ".\n\n";
    if (!s.interrupted.empty())
        o += "**Incomplete:** the sweep was " + markdown(interrupted_text(s)) + "; the table holds only those.\n\n";
    if (!s.hypothesis.empty()) o += "**Hypothesis.** " + markdown(s.hypothesis) + "\n\n";
    for (const std::string& t : tipping_points(s)) o += "- " + markdown(t) + "\n";
    o += "\n";
    const SweepTable table = sweep_table(s);  // the terminal's table, row for row
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        o += "|";
        for (const std::string& cell : table.rows[r]) o += " " + markdown(cell) + " |";
        o += "\n";
        if (r == 0) {
            o += "|";
            for (std::size_t i = 0; i < table.rows[r].size(); ++i) o += "---|";
            o += "\n";
        }
    }
    if (!table.legend.empty()) o += "\n" + markdown(table.legend) + ".\n";
    o += reproduce_list(s);
    if (!html_name.empty()) o += "\nHeatmaps: [" + markdown(html_name) + "](" + html_name + ")\n";
    return o;
}

}  // namespace faultline::report
