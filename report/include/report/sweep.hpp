// Parameter sweeps: a grid of option values (several seeds per cell), each run's headline
// numbers, and the heatmaps that show where the system tips into a metastable state.
//
// A grid axis is `PATH=A..B[:STEP]` (numbers, optionally with a unit: 100ms..500ms:100ms) or
// `PATH=v1,v2,...` (any values). PATH is an option path as `--set` takes it, or a shorthand that
// sets several: `load` (the rate of every open-loop workload) or the tail of a path
// (`retry.attempts_max` sets it on every call that has one). A bare number on a rate option is
// taken per second.
//
// Left out: running anything (cli/sweep_command.cpp runs the cells through explore/'s worker
// pool), adaptive refinement of the grid.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "report/record.hpp"

namespace faultline::report {

struct GridAxis {
    std::string name;                 // as given: "load", "retry.attempts_max"
    std::vector<std::string> paths;   // the option paths it sets
    std::vector<std::string> values;  // what is set (units added: "1000/s")
    std::vector<std::string> labels;  // how the axis shows them ("1000")
};

// The PATH=SPEC text, split and expanded (ReportError naming --grid and what is wrong).
struct GridText {
    std::string name;
    std::vector<std::string> labels;
};
GridText parse_grid_text(const std::string& text);

// Resolves the axis name against a scenario's options (path, value, type, help); ReportError when
// it names none ("did you mean ...").
GridAxis resolve_axis(const GridText& grid, const std::vector<FieldInfo>& options);

// One run of a cell, reduced to what the heatmaps and tables show.
struct CellRun {
    std::uint64_t seed = 0;
    std::string verdict;  // pass, fail, runaway, crash, hang, error
    std::string failure;  // the failed invariant, or what went wrong
    // The run's trace hash ("f03f2b21dda64369"), which `run` of the cell's settings and seed
    // prints too; "" for a run that left no result (a crash, a hang) and in files written before
    // the field.
    std::string trace_hash;
    bool recovery_applicable = false;
    // False when the run ended (a failure stopped it) before recovery could be judged: it neither
    // recovered nor failed to in time; false too for a run that left no result (a crash, a
    // hang). Files written before the field: true.
    bool recovery_judged = true;
    std::optional<double> recovery_s;  // none: did not recover (or not applicable, or not judged)
    // The time the recovery rule allows after the trigger (the heatmap's scale goes up to it);
    // none (NaN) when recovery does not apply, or in files written before the field.
    double recovery_within_s = std::numeric_limits<double>::quiet_NaN();
    double end_s = std::numeric_limits<double>::quiet_NaN();  // virtual time it ended (none: no result)
    // None (NaN, null in the file) for a run that left no result: a crash, a hang.
    double latency_p99_s = std::numeric_limits<double>::quiet_NaN();
    double peak_amplification = std::numeric_limits<double>::quiet_NaN();
    double errors = std::numeric_limits<double>::quiet_NaN();
    double goodput_ratio = std::numeric_limits<double>::quiet_NaN();
};
CellRun cell_run(const RunRecord& r);
Json cell_run_to_json(const CellRun& c);
CellRun cell_run_from_json(const Json& j, const std::string& file);

struct SweepCell {
    std::vector<std::size_t> index;  // per axis
    std::vector<CellRun> runs;       // one per seed, in seed order
};

struct SweepResult {
    // The program that ran the sweep, which the page's repro lines name: a user's own program
    // (faultline::cli::run) may know scenarios and model kinds that `faultline` does not.
    std::string program = "faultline";
    std::string scenario;
    std::string file;
    std::string variant;
    std::string description;
    std::string hypothesis;
    std::vector<Override> overrides;
    std::vector<GridAxis> axes;
    std::vector<std::uint64_t> seeds;
    std::vector<SweepCell> cells;  // every combination, the first axis varying fastest
    std::string recovery_rule;     // how recovery is judged, in words
    // A sweep stopped by a signal ("SIGINT", "SIGTERM"; empty when it ran to its end): its cells
    // hold only the runs that finished, in seed order (a cell may have none), of `runs_planned`.
    std::string interrupted;
    std::size_t runs_planned = 0;
};

// Runs the cells hold.
std::size_t runs_finished(const SweepResult& s);
// "interrupted by SIGINT: 4 of 10 runs finished, 6 did not run"; "" for a sweep that ran to its end.
std::string interrupted_text(const SweepResult& s);

// All combinations of axis indexes, the first axis varying fastest.
std::vector<std::vector<std::size_t>> grid_cells(const std::vector<GridAxis>& axes);
// The overrides of one cell (every path of every axis).
std::vector<Override> cell_overrides(const std::vector<GridAxis>& axes, const std::vector<std::size_t>& index);

struct CellSummary {
    std::size_t runs = 0;
    std::size_t passed = 0;
    std::size_t broken = 0;  // crash, hang or error: the harness, not the system
    std::size_t recovered = 0;
    std::size_t recovery_not_judged = 0;  // runs that ended before their recovery could be judged
    bool recovery_applicable = false;
    // Over the runs whose recovery was judged; none: the median of them did not recover, or none was.
    std::optional<double> median_recovery_s;
    double median_p99_s = 0;
    double median_amplification = 0;
    double median_errors = 0;
    double median_errors_per_s = 0;  // errors over the simulated time each run lasted
    double median_end_s = 0;
};
// Recovery applies to the cell, and none of its runs lasted long enough to judge it.
bool recovery_never_judged(const CellSummary& s);
// Some runs of the sweep ended earlier than others (failures stop a run): error totals cover
// different lengths, and the page compares errors per simulated second instead.
bool runs_differ_in_length(const SweepResult& s);
CellSummary summarize(const SweepCell& cell);

// For each value of the second axis (or once, for one axis): the first value along the first
// axis from which at most half the seeds pass, in words.
std::vector<std::string> tipping_points(const SweepResult& s);

Json sweep_to_json(const SweepResult& s);
SweepResult sweep_from_json(const Json& j, const std::string& file);

std::string sweep_html(const SweepResult& s);
std::string sweep_markdown(const SweepResult& s, const std::string& html_name = {});
// The grid as a table of text, for the terminal and the Markdown summary alike: the first axis
// across, a row per combination of the others (the first value first), each cell "3/3 5s"
// (seeds passing / run, the median time to recover; "!1": a run crashed, hung or could not start;
// "-": no run of the cell finished, in an interrupted sweep).
struct SweepTable {
    std::vector<std::vector<std::string>> rows;  // the header first: the axes' names, then the first axis's labels
    std::string legend;                          // what a cell says ("cells: seeds passing / seeds run...")
};
SweepTable sweep_table(const SweepResult& s);
// sweep_table for the terminal, aligned, then the legend and where it tips; an interrupted sweep's
// first line says so.
std::string sweep_text(const SweepResult& s);

}  // namespace faultline::report
