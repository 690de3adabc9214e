// A sweep's results: per-run numbers, per-cell summaries (medians over seeds), tipping points,
// JSON ("faultline-sweep/1") and the terminal table.
#include <algorithm>
#include <cmath>
#include <limits>

#include "json_field.hpp"
#include "report/headline.hpp"
#include "report/sweep.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

constexpr const char* sweep_format = "faultline-sweep/1";
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

double median(std::vector<double> v) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
    if (v.empty()) return nan;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

[[noreturn]] void bad(const std::string& file, const std::string& what) { throw ReportError(file + ": " + what); }

}  // namespace

CellRun cell_run(const RunRecord& r) {
    const Headline h = headline(r);
    CellRun c;
    c.seed = r.seed;
    c.verdict = r.verdict;
    c.trace_hash = r.trace_hash;
    if (r.failure)
        c.failure = r.failure->name;
    else if (r.verdict == "runaway")
        c.failure = r.runaway_reason;
    c.recovery_applicable = h.recovery.applicable;
    c.recovery_judged = h.recovery.judged;
    c.recovery_s = h.recovery.seconds();
    if (h.recovery.applicable) c.recovery_within_s = h.recovery.rule.within_s;
    c.end_s = r.end_s;
    c.latency_p99_s = h.latency_p99_s;
    c.peak_amplification = h.peak_amplification;
    c.errors = h.errors;
    c.goodput_ratio = h.goodput_ratio;
    return c;
}

Json cell_run_to_json(const CellRun& c) {
    Json j;
    j["seed"] = c.seed;
    j["verdict"] = c.verdict;
    j["failure"] = c.failure;
    j["trace_hash"] = c.trace_hash.empty() ? Json(nullptr) : Json(c.trace_hash);
    j["recovery_applicable"] = c.recovery_applicable;
    j["recovery_judged"] = c.recovery_judged;
    j["recovery_s"] = c.recovery_s ? Json(*c.recovery_s) : Json(nullptr);
    j["recovery_within_s"] = number_or_null(c.recovery_within_s);
    j["end_s"] = number_or_null(c.end_s);
    j["latency_p99_s"] = number_or_null(c.latency_p99_s);
    j["peak_amplification"] = number_or_null(c.peak_amplification);
    j["errors"] = number_or_null(c.errors);
    j["goodput_ratio"] = number_or_null(c.goodput_ratio);
    return j;
}

namespace {
using Field = detail::JsonField;

CellRun cell_run_from(const Field& j) {
    CellRun c;
    c.seed = j.at("seed").u64();
    c.verdict = j.at("verdict").str();
    static constexpr std::string_view verdicts[] = {"pass", "fail", "runaway", "crash", "hang", "error"};
    if (std::find(std::begin(verdicts), std::end(verdicts), c.verdict) == std::end(verdicts))
        j.at("verdict").fail("'" + c.verdict + "' is not one of pass, fail, runaway, crash, hang, error");
    // Optional members are null or absent when there is nothing to say; any other type is an error.
    if (j.has("failure")) c.failure = j.at("failure").str();
    c.trace_hash = j.str_or("trace_hash");  // none in files written before it
    c.recovery_applicable = j.flag_or("recovery_applicable", false);
    c.recovery_judged = j.flag_or("recovery_judged", true);
    if (j.has("recovery_s")) c.recovery_s = j.at("recovery_s").seconds();
    c.recovery_within_s = j.number_or_nan("recovery_within_s", 0);
    c.end_s = j.number_or_nan("end_s", 0);
    c.latency_p99_s = j.number_or_nan("latency_p99_s", 0);
    c.peak_amplification = j.number_or_nan("peak_amplification", 0);
    c.errors = j.number_or_nan("errors", 0);
    c.goodput_ratio = j.number_or_nan("goodput_ratio", 0, 1);
    return c;
}
}  // namespace

CellRun cell_run_from_json(const Json& j, const std::string& file) { return cell_run_from(Field(file, j, "")); }

std::size_t runs_finished(const SweepResult& s) {
    std::size_t n = 0;
    for (const SweepCell& c : s.cells) n += c.runs.size();
    return n;
}

std::string interrupted_text(const SweepResult& s) {
    if (s.interrupted.empty()) return "";
    const std::size_t done = runs_finished(s);
    return "interrupted by " + s.interrupted + ": " + std::to_string(done) + " of " + count_of(s.runs_planned, "run") +
           " finished, " + std::to_string(s.runs_planned - std::min(done, s.runs_planned)) + " did not run";
}

CellSummary summarize(const SweepCell& cell) {
    CellSummary s;
    s.runs = cell.runs.size();
    std::vector<double> recovery, p99, amp, errors, errors_per_s, ends;
    for (const CellRun& r : cell.runs) {
        if (r.verdict == "pass") ++s.passed;
        if (r.verdict == "crash" || r.verdict == "hang" || r.verdict == "error") {
            ++s.broken;
            continue;
        }
        if (r.recovery_applicable) {
            s.recovery_applicable = true;
            if (r.recovery_s || r.recovery_judged)
                recovery.push_back(r.recovery_s ? *r.recovery_s : std::numeric_limits<double>::infinity());
            else
                ++s.recovery_not_judged;
            if (r.recovery_s) ++s.recovered;
        }
        p99.push_back(r.latency_p99_s);
        amp.push_back(r.peak_amplification);
        errors.push_back(r.errors);
        errors_per_s.push_back(r.end_s > 0 ? r.errors / r.end_s : std::numeric_limits<double>::quiet_NaN());
        ends.push_back(r.end_s);
    }
    const double m = median(recovery);
    if (std::isfinite(m)) s.median_recovery_s = m;
    s.median_p99_s = median(p99);
    s.median_amplification = median(amp);
    s.median_errors = median(errors);
    s.median_errors_per_s = median(errors_per_s);
    s.median_end_s = median(ends);
    return s;
}

bool recovery_never_judged(const CellSummary& s) {
    return s.recovery_applicable && s.recovery_not_judged > 0 && s.recovery_not_judged == s.runs - s.broken;
}

bool runs_differ_in_length(const SweepResult& s) {
    std::optional<double> first;
    for (const SweepCell& c : s.cells) {
        for (const CellRun& r : c.runs) {
            if (!std::isfinite(r.end_s)) continue;
            if (!first)
                first = r.end_s;
            else if (std::fabs(*first - r.end_s) > 1e-9)
                return true;
        }
    }
    return false;
}

std::vector<std::string> tipping_points(const SweepResult& s) {
    std::vector<std::string> out;
    if (s.axes.empty()) return out;
    const GridAxis& x = s.axes[0];
    auto cell_at = [&s](const std::vector<std::size_t>& index) -> const SweepCell* {
        for (const SweepCell& c : s.cells) {
            if (c.index == index) return &c;
        }
        return nullptr;
    };
    const std::size_t rows = s.axes.size() > 1 ? s.axes[1].values.size() : 1;
    for (std::size_t row = 0; row < rows; ++row) {
        // The cells that ran, in the axis's order (an interrupted sweep's may hold no run), and
        // whether more than half their seeds passed.
        std::vector<std::pair<std::size_t, bool>> ran;
        for (std::size_t col = 0; col < x.values.size(); ++col) {
            std::vector<std::size_t> index(s.axes.size(), 0);
            index[0] = col;
            if (s.axes.size() > 1) index[1] = row;
            const SweepCell* c = cell_at(index);
            if (!c) continue;
            const CellSummary sum = summarize(*c);
            if (sum.runs > 0) ran.emplace_back(col, 2 * sum.passed > sum.runs);
        }
        std::string where = s.axes.size() > 1 ? "with " + s.axes[1].name + "=" + s.axes[1].labels[row] + ", " : "";
        if (s.axes.size() > 2) where = "(other axes at their first value) " + where;
        const std::string that_ran = s.interrupted.empty() ? "" : " that ran";
        if (ran.empty()) {
            out.push_back(where + "no run finished");
            continue;
        }
        // Where the cells change between "more than half pass" and "at most half pass".
        std::vector<std::size_t> changes;  // positions in `ran` that differ from the one before
        for (std::size_t i = 1; i < ran.size(); ++i) {
            if (ran[i].second != ran[i - 1].second) changes.push_back(i);
        }
        const auto label = [&](std::size_t i) -> const std::string& { return x.labels[ran[i].first]; };
        const bool starts_ok = ran.front().second;
        if (changes.empty() && starts_ok) {
            out.push_back(where + "more than half the seeds pass at every " + x.name + that_ran + " up to " +
                          label(ran.size() - 1));
        } else if (changes.empty()) {
            out.push_back(where + "at most half the seeds pass already at " + x.name + "=" + label(0) +
                          (ran.front().first == 0 ? "" : " (the first value" + that_ran + ")"));
        } else if (changes.size() == 1 && starts_ok) {
            const std::size_t at = changes[0];
            out.push_back(where + "the system tips between " + x.name + "=" + label(at - 1) + " and " + label(at) +
                          " (at most half the seeds pass from " + label(at) +
                          (that_ran.empty() ? "" : " on, of the cells that ran") + ")");
        } else if (changes.size() == 1) {
            // Failing first, then passing: more capacity, a longer timeout.
            const std::size_t at = changes[0];
            out.push_back(where + "at most half the seeds pass up to " + x.name + "=" + label(at - 1) +
                          ", more than half from " + label(at) +
                          (that_ran.empty() ? "" : " on, of the cells that ran"));
        } else {
            // Changing more than once: a list in any order, a noisy system. The first two changes
            // are named, and nothing is claimed "from" anywhere.
            const std::size_t a = changes[0], b = changes[1];
            out.push_back(where + "not monotonic in " + x.name + ": " +
                          (starts_ok ? "at most half the seeds pass at " : "more than half the seeds pass at ") +
                          x.name + "=" + label(a) + ", " + (starts_ok ? "more than half" : "at most half") +
                          " again at " + label(b) + " (see the table)");
        }
    }
    return out;
}

Json sweep_to_json(const SweepResult& s) {
    Json j;
    j["format"] = sweep_format;
    j["program"] = s.program;
    j["scenario"] = s.scenario;
    j["file"] = s.file;
    j["variant"] = s.variant;
    j["description"] = s.description;
    j["hypothesis"] = s.hypothesis;
    j["overrides"] = overrides_to_json(s.overrides);
    Json axes = Json::array();
    for (const GridAxis& a : s.axes)
        axes.push_back({{"name", a.name}, {"paths", a.paths}, {"values", a.values}, {"labels", a.labels}});
    j["axes"] = axes;
    j["seeds"] = s.seeds;
    j["recovery_rule"] = s.recovery_rule;
    Json cells = Json::array();
    for (const SweepCell& c : s.cells) {
        Json runs = Json::array();
        for (const CellRun& r : c.runs) runs.push_back(cell_run_to_json(r));
        cells.push_back({{"index", c.index}, {"runs", runs}});
    }
    j["cells"] = cells;
    if (!s.interrupted.empty())
        j["interrupted"] = {{"by", s.interrupted}, {"runs_planned", s.runs_planned}, {"runs_finished", runs_finished(s)}};
    return j;
}

SweepResult sweep_from_json(const Json& json, const std::string& file) {
    if (!json.is_object() || !json.contains("format") || json.at("format") != sweep_format)
        bad(file, "expected a sweep result (\"format\": \"faultline-sweep/1\")");
    const Field j(file, json, "");
    SweepResult s;
    s.program = j.str_or("program", "faultline");  // a result written before it was recorded
    s.scenario = j.at("scenario").str();
    s.file = j.str_or("file");
    s.variant = j.str_or("variant");
    s.description = j.str_or("description");
    s.hypothesis = j.str_or("hypothesis");
    s.recovery_rule = j.str_or("recovery_rule");
    s.overrides = j.at("overrides").overrides();
    const Field axes = j.at("axes");
    for (std::size_t i = 0; i < axes.size(); ++i) {
        const Field a = axes.item(i);
        GridAxis axis;
        axis.name = a.at("name").str();
        axis.paths = a.at("paths").strings();
        axis.values = a.at("values").strings();
        axis.labels = a.at("labels").strings();
        if (axis.labels.size() != axis.values.size())
            a.at("labels").fail("has " + std::to_string(axis.labels.size()) + " labels for " +
                                std::to_string(axis.values.size()) + " values");
        s.axes.push_back(std::move(axis));
    }
    s.seeds = j.at("seeds").u64s();
    if (s.seeds.empty()) j.at("seeds").fail("is empty: a sweep runs each cell on at least one seed");
    const Field cells = j.at("cells");
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const Field c = cells.item(i);
        SweepCell cell;
        for (std::uint64_t k : c.at("index").u64s()) cell.index.push_back(static_cast<std::size_t>(k));
        if (cell.index.size() != s.axes.size())
            c.at("index").fail("has " + std::to_string(cell.index.size()) + " entries for " +
                               std::to_string(s.axes.size()) + " axes");
        for (std::size_t k = 0; k < cell.index.size(); ++k) {
            if (cell.index[k] >= s.axes[k].values.size())
                c.at("index").fail("is past the end of axis '" + s.axes[k].name + "'");
        }
        for (std::size_t earlier = 0; earlier < s.cells.size(); ++earlier) {
            if (s.cells[earlier].index == cell.index)
                c.at("index").fail("is the same cell as cells[" + std::to_string(earlier) + "]");
        }
        const Field runs = c.at("runs");
        if (runs.size() > s.seeds.size())
            runs.fail("has " + count_of(runs.size(), "run") + " for " + count_of(s.seeds.size(), "seed"));
        for (std::size_t r = 0; r < runs.size(); ++r) {
            cell.runs.push_back(cell_run_from(runs.item(r)));
            if (std::find(s.seeds.begin(), s.seeds.end(), cell.runs.back().seed) == s.seeds.end())
                runs.item(r).at("seed").fail("is seed " + std::to_string(cell.runs.back().seed) +
                                             ", not one of the sweep's seeds");
            for (std::size_t q = 0; q + 1 < cell.runs.size(); ++q) {
                if (cell.runs[q].seed == cell.runs.back().seed)
                    runs.item(r).at("seed").fail("is seed " + std::to_string(cell.runs[q].seed) + " again (runs[" +
                                                 std::to_string(q) + "])");
            }
        }
        s.cells.push_back(std::move(cell));
    }
    // What the file says it ran must hold together: every cell of the grid, each on every seed,
    // unless it says it was interrupted, and then with the counts it gives.
    std::size_t grid = 1;
    for (const GridAxis& a : s.axes) {  // saturating: a hand-made file's axes may multiply past any count
        const std::size_t n = a.values.size();
        grid = n != 0 && grid > (std::size_t{1} << 40) / n ? (std::size_t{1} << 40) : grid * n;
    }
    if (s.cells.size() != grid)
        cells.fail("has " + count_of(s.cells.size(), "cell") + " for a grid of " + std::to_string(grid));
    const std::size_t planned = grid * s.seeds.size();
    if (j.has("interrupted")) {
        const Field in = j.at("interrupted");
        s.interrupted = in.at("by").str();
        s.runs_planned = static_cast<std::size_t>(in.at("runs_planned").u64());
        if (s.interrupted.empty()) in.at("by").fail("expected the signal's name");
        if (s.runs_planned != planned)
            in.at("runs_planned")
                .fail("is " + std::to_string(s.runs_planned) + ", but the grid and the seeds make " +
                      std::to_string(planned));
        if (in.has("runs_finished") && in.at("runs_finished").u64() != runs_finished(s))
            in.at("runs_finished")
                .fail("is " + std::to_string(in.at("runs_finished").u64()) + ", but the cells hold " +
                      std::to_string(runs_finished(s)));
    } else {
        for (std::size_t i = 0; i < s.cells.size(); ++i) {
            if (s.cells[i].runs.size() != s.seeds.size())
                cells.item(i).at("runs").fail("has " + count_of(s.cells[i].runs.size(), "run") + " for " +
                                              count_of(s.seeds.size(), "seed") + ", and the sweep was not interrupted");
        }
    }
    return s;
}

SweepTable sweep_table(const SweepResult& s) {
    SweepTable t;
    if (s.axes.empty()) return t;
    const GridAxis& x = s.axes[0];
    auto cell_text = [](const SweepCell& c) -> std::string {
        if (c.runs.empty()) return "-";  // an interrupted sweep's cell that no run finished
        const CellSummary sum = summarize(c);
        std::string text = std::to_string(sum.passed) + "/" + std::to_string(sum.runs);
        if (sum.broken > 0) text += " !" + std::to_string(sum.broken);
        if (recovery_never_judged(sum))
            text += " ?";
        else if (sum.recovery_applicable)
            text += sum.median_recovery_s ? " " + format_time(std::round(*sum.median_recovery_s * 10) / 10) : " x";
        return text;
    };
    // Rows: every combination of the other axes, the first value first.
    const std::vector<GridAxis> others(s.axes.begin() + 1, s.axes.end());
    const std::vector<std::vector<std::size_t>> rows =
        others.empty() ? std::vector<std::vector<std::size_t>>{{}} : grid_cells(others);
    std::string corner;
    for (const GridAxis& a : others) corner += (corner.empty() ? "" : ", ") + a.name;
    std::vector<std::string> header{corner.empty() ? x.name : corner + " \\ " + x.name};
    for (const std::string& l : x.labels) header.push_back(l);
    t.rows.push_back(std::move(header));
    for (const auto& row : rows) {
        std::vector<std::string> line;
        std::string label;
        for (std::size_t k = 0; k < others.size(); ++k) label += (label.empty() ? "" : ", ") + others[k].labels[row[k]];
        line.push_back(label);
        for (std::size_t col = 0; col < x.values.size(); ++col) {
            std::vector<std::size_t> index{col};
            index.insert(index.end(), row.begin(), row.end());
            std::string text = "-";
            for (const SweepCell& c : s.cells) {
                if (c.index == index) text = cell_text(c);
            }
            line.push_back(text);
        }
        t.rows.push_back(std::move(line));
    }
    bool any_recovery = false, any_broken = false, any_unjudged = false;
    for (const SweepCell& c : s.cells) {
        const CellSummary sum = summarize(c);
        any_recovery = any_recovery || sum.recovery_applicable;
        any_broken = any_broken || sum.broken > 0;
        any_unjudged = any_unjudged || recovery_never_judged(sum);
    }
    t.legend = "Cells: seeds passing / seeds run";
    if (any_recovery) t.legend += ", median time to recover (x: the median seed did not recover)";
    if (any_unjudged)
        t.legend += "; ?: recovery not judged (every run ended, stopped by a failure, before its deadline)";
    if (any_broken) t.legend += "; !N: N runs crashed, hung or could not start";
    if (!s.interrupted.empty()) t.legend += "; -: no run of the cell finished (the sweep was interrupted)";
    return t;
}

std::string sweep_text(const SweepResult& s) {
    const SweepTable table = sweep_table(s);
    if (table.rows.empty()) return "";
    std::vector<std::size_t> widths(table.rows.front().size(), 0);
    for (const auto& line : table.rows) {
        for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
    }
    std::string o;
    if (!s.interrupted.empty()) o += "INCOMPLETE: " + interrupted_text(s) + "; the table holds only those\n";
    for (const auto& line : table.rows) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            const std::string& cell = line[i];
            const std::string pad(widths[i] - cell.size(), ' ');
            o += (i == 0 ? cell + pad : "  " + pad + cell);
        }
        while (!o.empty() && o.back() == ' ') o.pop_back();
        o += "\n";
    }
    o += table.legend + "\n";
    for (const std::string& t : tipping_points(s)) o += t + "\n";
    return o;
}

}  // namespace faultline::report
