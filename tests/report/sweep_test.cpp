// Sweeps: --grid text, axes resolved against a scenario's options, the cells, per-cell medians,
// where the system tips, the result file and the heatmap page.
#include <gtest/gtest.h>

#include <limits>

#include "report/heatmap.hpp"
#include "report/sweep.hpp"
#include "text_search.hpp"

namespace {

using report_test::contains;
using report_test::count;

using namespace faultline::report;

std::string grid_error(const std::string& text) {
    try {
        (void)parse_grid_text(text);
    } catch (const ReportError& e) {
        return e.what();
    }
    return "";
}

TEST(ReportSweep, GridRangesListsAndUnits) {
    EXPECT_EQ(parse_grid_text("load=1000..9000:1000").labels,
              (std::vector<std::string>{"1000", "2000", "3000", "4000", "5000", "6000", "7000", "8000", "9000"}));
    EXPECT_EQ(parse_grid_text("retry.attempts_max=1..5").labels, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
    EXPECT_EQ(parse_grid_text("t=100ms..300ms:100ms").labels, (std::vector<std::string>{"100ms", "200ms", "300ms"}));
    EXPECT_EQ(parse_grid_text("x=0.1..0.3:0.1").labels, (std::vector<std::string>{"0.1", "0.2", "0.3"}));
    // Durations may mix units: all in the smallest of them (this was refused as mixing units).
    EXPECT_EQ(parse_grid_text("t=500ms..1.5s:500ms").labels, (std::vector<std::string>{"500ms", "1000ms", "1500ms"}));
    EXPECT_EQ(parse_grid_text("t=30s..2m:30s").labels, (std::vector<std::string>{"30s", "60s", "90s", "120s"}));
    // A value may hold commas inside brackets (a distribution, a list); spaces around values go.
    EXPECT_EQ(parse_grid_text("keys=zipf(1000, 1.2), uniform(100)").labels,
              (std::vector<std::string>{"zipf(1000, 1.2)", "uniform(100)"}));
    EXPECT_EQ(parse_grid_text("d=[1, 2],[1, 3]").labels, (std::vector<std::string>{"[1, 2]", "[1, 3]"}));
    EXPECT_EQ(parse_grid_text("x= 0.5 .. 0.6 : 0.1").labels, (std::vector<std::string>{"0.5", "0.6"}));
    const GridText list = parse_grid_text("faults.0.kind=restart,rolling_restart");
    EXPECT_EQ(list.name, "faults.0.kind");
    EXPECT_EQ(list.labels, (std::vector<std::string>{"restart", "rolling_restart"}));
}

// A tester's finding: a range in tiny steps was labelled '0', '0', '0' (and then refused as one
// value given twice); then '1e-05', which a ratio does not read. Huge values keep an exponent.
TEST(ReportSweep, TinyAndHugeRangeValuesAreLabelledAsTheyAre) {
    EXPECT_EQ(parse_grid_text("load=0.00001..0.00003:0.00001").labels,
              (std::vector<std::string>{"0.00001", "0.00002", "0.00003"}));
    EXPECT_EQ(parse_grid_text("x=0.1..0.3:0.1").labels, (std::vector<std::string>{"0.1", "0.2", "0.3"}));
    EXPECT_EQ(parse_grid_text("x=1e300..1e300").labels, (std::vector<std::string>{"1e+300"}));
}

TEST(ReportSweep, BadGridTextIsOneLineNamingTheFlag) {
    EXPECT_EQ(grid_error("load"), "--grid load: expected PATH=A..B[:STEP] or PATH=v1,v2,...");
    EXPECT_EQ(grid_error("load="), "--grid load=: no values after '='");
    EXPECT_EQ(grid_error("load=9..1"), "--grid load=9..1: the range ends (1) before it starts (9)");
    EXPECT_EQ(grid_error("load=1..9:0"), "--grid load=1..9:0: the step must be above 0");
    // Compound durations are read whole, as everywhere else ("1.5ms500us" is 2ms, not 1.5 x 1.5ms).
    EXPECT_EQ(parse_grid_text("t=1ms..3ms:0s1ms").labels, (std::vector<std::string>{"1ms", "2ms", "3ms"}));
    EXPECT_EQ(parse_grid_text("t=1ms500us..3ms:1ms").labels, (std::vector<std::string>{"1500us", "2500us"}));
    EXPECT_EQ(parse_grid_text("t=0s1ms..1m0.5s:30s").labels, (std::vector<std::string>{"1ms", "30001ms", "60001ms"}));
    EXPECT_EQ(grid_error("t=1ms..3ms:1ms1000us"),
              "--grid t=1ms..3ms:1ms1000us: '1ms1000us': in '1ms1000us', 1000us is not less than one ms");
    EXPECT_EQ(grid_error("t=1ms..3ms:0.5ms500us"),
              "--grid t=1ms..3ms:0.5ms500us: '0.5ms500us': in '0.5ms500us', only the last part may have a fraction");
    EXPECT_EQ(parse_grid_text("r=1e3/s..2e3/s:1e3/s").labels, (std::vector<std::string>{"1000/s", "2000/s"}));
    EXPECT_EQ(grid_error("load=x..9"), "--grid load=x..9: 'x' is not a number (a range is A..B[:STEP])");
    EXPECT_EQ(grid_error("t=1ms..3s"),
              "--grid t=1ms..3s: 3000 values in steps of 1 (no STEP given); give a step, e.g. 1ms..3s:500ms");
    EXPECT_EQ(grid_error("r=1/s..2/min"), "--grid r=1/s..2/min: the range mixes units ('/s' and '/min')");
    EXPECT_EQ(grid_error("t=1..3s:100ms"), "--grid t=1..3s:100ms: give every end (and the step) a unit when they differ");
    EXPECT_EQ(grid_error("a=1,,2"), "--grid a=1,,2: an empty value in the list");
    EXPECT_EQ(grid_error("load=800,(1000"), "--grid load=800,(1000: a bracket in '(1000' is never closed");
    EXPECT_EQ(grid_error("a=1..5000:1"), "--grid a=1..5000:1: 5000 values; at most 1000 per axis");
    // Without a STEP a range steps by 1: past 50 values that is taken for a slip, and a round
    // step is offered (about four steps across the range).
    EXPECT_EQ(grid_error("workloads.users.open_loop.rate=800/s..1600/s"),
              "--grid workloads.users.open_loop.rate=800/s..1600/s: 801 values in steps of 1 (no STEP given); "
              "give a step, e.g. 800/s..1600/s:200/s");
    EXPECT_EQ(grid_error("a=1..5000"), "--grid a=1..5000: 5000 values in steps of 1 (no STEP given); give a step, e.g. 1..5000:1000");
    EXPECT_EQ(grid_error("t=0ms..90ms"), "--grid t=0ms..90ms: 91 values in steps of 1 (no STEP given); give a step, e.g. 0ms..90ms:20ms");
    EXPECT_EQ(parse_grid_text("a=1..50").labels.size(), 50u);
    EXPECT_EQ(parse_grid_text("a=1..200:1").labels.size(), 200u);
}

std::vector<faultline::FieldInfo> options() {
    return {{"workloads.users.open_loop.rate", "3000/s", "a rate like 5000/s", ""},
            {"services.api.calls.0.retry.attempts_max", "3", "a whole number", ""},
            {"services.cache.calls.0.retry.attempts_max", "2", "a whole number", ""},
            {"services.cache.cache.coalesce", "false", "true or false", ""}};
}

TEST(ReportSweep, ShorthandsSetEveryMatchingOption) {
    const GridAxis load = resolve_axis(parse_grid_text("load=1000..2000:1000"), options());
    EXPECT_EQ(load.paths, (std::vector<std::string>{"workloads.users.open_loop.rate"}));
    EXPECT_EQ(load.values, (std::vector<std::string>{"1000/s", "2000/s"})) << "a bare number on a rate is per second";
    EXPECT_EQ(load.labels, (std::vector<std::string>{"1000", "2000"}));
    const GridAxis retries = resolve_axis(parse_grid_text("retry.attempts_max=1..2"), options());
    EXPECT_EQ(retries.paths, (std::vector<std::string>{"services.api.calls.0.retry.attempts_max",
                                                       "services.cache.calls.0.retry.attempts_max"}));
    const GridAxis exact = resolve_axis(parse_grid_text("services.cache.cache.coalesce=false,true"), options());
    EXPECT_EQ(exact.paths, (std::vector<std::string>{"services.cache.cache.coalesce"}));
    EXPECT_THROW((void)resolve_axis(parse_grid_text("load=1..2"), {}), ReportError);
    // A section written as one value (keys: zipf(...) lists keys.keys, keys.zipf_s): values in that
    // form set the section the tail names, whole; the field keys.keys was set (and refused).
    std::vector<faultline::FieldInfo> with_keys = options();
    with_keys.push_back({"workloads.users.open_loop.keys.keys", "10000", "a non-negative integer", ""});
    with_keys.push_back({"workloads.users.open_loop.keys.zipf_s", "1", "a number", ""});
    with_keys.push_back({"workloads.bots.open_loop.keys.keys", "50", "a non-negative integer", ""});
    for (const char* tail : {"keys", "open_loop.keys", "users.open_loop.keys"}) {
        const GridAxis keys =
            resolve_axis(parse_grid_text(std::string(tail) + "=zipf(1000, 1.2),uniform(100)"), with_keys);
        const std::vector<std::string> expected =
            std::string(tail) == "users.open_loop.keys"
                ? std::vector<std::string>{"workloads.users.open_loop.keys"}
                : std::vector<std::string>{"workloads.users.open_loop.keys", "workloads.bots.open_loop.keys"};
        EXPECT_EQ(keys.paths, expected) << tail;
        EXPECT_EQ(keys.values, (std::vector<std::string>{"zipf(1000, 1.2)", "uniform(100)"})) << tail;
    }
    // A plain number is a field's value: the field the tail names.
    EXPECT_EQ(resolve_axis(parse_grid_text("keys.keys=100,200"), with_keys).paths,
              (std::vector<std::string>{"workloads.users.open_loop.keys.keys", "workloads.bots.open_loop.keys.keys"}));
}

TEST(ReportSweep, CellsCoverEveryCombinationFirstAxisFastest) {
    const std::vector<GridAxis> axes{{"a", {"a"}, {"1", "2"}, {"1", "2"}},
                                     {"b", {"x.b", "y.b"}, {"p", "q", "r"}, {"p", "q", "r"}}};
    const auto cells = grid_cells(axes);
    ASSERT_EQ(cells.size(), 6u);
    EXPECT_EQ(cells[0], (std::vector<std::size_t>{0, 0}));
    EXPECT_EQ(cells[1], (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(cells[5], (std::vector<std::size_t>{1, 2}));
    const std::vector<faultline::Override> o = cell_overrides(axes, cells[3]);
    ASSERT_EQ(o.size(), 3u);
    EXPECT_EQ(o[0].path, "a");
    EXPECT_EQ(o[0].value, "2");
    EXPECT_EQ(o[1].path, "x.b");
    EXPECT_EQ(o[2].value, "q");
}

CellRun run(std::uint64_t seed, const std::string& verdict, std::optional<double> recovery_s) {
    CellRun c;
    c.seed = seed;
    c.verdict = verdict;
    c.recovery_applicable = true;
    c.recovery_s = recovery_s;
    c.latency_p99_s = 0.1 * static_cast<double>(seed);
    c.peak_amplification = 1;
    c.errors = 10;
    return c;
}

SweepResult two_by_two() {
    SweepResult s;
    s.scenario = "<stampede>";
    s.axes = {{"load", {"workloads.users.open_loop.rate"}, {"1000/s", "2000/s"}, {"1000", "2000"}},
              {"retry.attempts_max", {"a.retry.attempts_max"}, {"1", "3"}, {"1", "3"}}};
    s.seeds = {1, 2, 3};
    // (load, retries): (1000, 1) all recover; (2000, 1) all recover slowly; (1000, 3) two of
    // three; (2000, 3) none.
    s.cells = {{{0, 0}, {run(1, "pass", 5), run(2, "pass", 6), run(3, "pass", 7)}},
               {{1, 0}, {run(1, "pass", 20), run(2, "pass", 30), run(3, "pass", 25)}},
               {{0, 1}, {run(1, "pass", 8), run(2, "fail", std::nullopt), run(3, "pass", 9)}},
               {{1, 1}, {run(1, "fail", std::nullopt), run(2, "fail", std::nullopt), run(3, "crash", std::nullopt)}}};
    return s;
}

// The errors heatmap is logarithmic from 1, where cells with no error share the lowest colour:
// its legend starts at 0 then, not at 1 beside cells that read 0.
TEST(ReportSweep, TheErrorsLegendStartsAtZeroWhenACellHasNone) {
    SweepResult s = two_by_two();
    for (CellRun& r : s.cells[0].runs) r.errors = 0;
    for (CellRun& r : s.cells[3].runs) r.errors = 147000;
    const std::string page = sweep_html(s);
    const std::size_t errors = page.find(">Errors (median over seeds)</text>");
    ASSERT_NE(errors, std::string::npos);
    const std::string map = page.substr(errors, page.find("</svg>", errors) - errors);
    // Legend entries: a swatch, then its text in the legend's colour.
    EXPECT_TRUE(contains(map, "fill=\"#333\">0</text>")) << map;
    EXPECT_TRUE(contains(map, "fill=\"#333\">147k</text>")) << map;
    EXPECT_FALSE(contains(map, "fill=\"#333\">1</text>")) << map;
}

TEST(ReportSweep, ACellsSummaryIsTheMedianOverItsSeeds) {
    const SweepResult s = two_by_two();
    const CellSummary slow = summarize(s.cells[1]);
    EXPECT_EQ(slow.passed, 3u);
    ASSERT_TRUE(slow.median_recovery_s.has_value());
    EXPECT_EQ(*slow.median_recovery_s, 25);
    EXPECT_DOUBLE_EQ(slow.median_p99_s, 0.2);
    const CellSummary mixed = summarize(s.cells[2]);
    EXPECT_EQ(mixed.recovered, 2u);
    EXPECT_EQ(*mixed.median_recovery_s, 9) << "one seed did not recover: it counts as the slowest";
    const CellSummary broken = summarize(s.cells[3]);
    EXPECT_EQ(broken.broken, 1u);
    EXPECT_FALSE(broken.median_recovery_s.has_value());
}

TEST(ReportSweep, SaysWhereTheSystemTips) {
    const std::vector<std::string> t = tipping_points(two_by_two());
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0], "with retry.attempts_max=1, more than half the seeds pass at every load up to 2000");
    EXPECT_EQ(t[1],
              "with retry.attempts_max=3, the system tips between load=1000 and 2000 (at most half the seeds pass from "
              "2000)");
}

// Where it tips is claimed only of what the cells show: a list may be in any order and a noisy
// system may pass again further on ("from 0.95" was said of a grid whose 0.3 after it passed 3/3),
// and an interrupted sweep's first cell may not have run (its tip was named as "between" it).
TEST(ReportSweep, WhereItTipsClaimsNoMoreThanTheCellsShow) {
    SweepResult s;
    s.scenario = "mm1";
    s.axes = {{"lambda", {"lambda"}, {"0.2", "0.95", "0.3"}, {"0.2", "0.95", "0.3"}}};
    s.seeds = {1, 2, 3};
    auto cell = [](std::size_t col, int passing) {
        SweepCell c{{col}, {}};
        for (int i = 0; i < 3; ++i)
            c.runs.push_back(run(static_cast<std::uint64_t>(i + 1), i < passing ? "pass" : "fail", std::nullopt));
        return c;
    };
    s.cells = {cell(0, 3), cell(1, 0), cell(2, 3)};
    EXPECT_EQ(tipping_points(s), std::vector<std::string>{"not monotonic in lambda: at most half the seeds pass at "
                                                          "lambda=0.95, more than half again at 0.3 (see the table)"});
    s.cells[2] = cell(2, 1);
    EXPECT_EQ(tipping_points(s),
              std::vector<std::string>{"the system tips between lambda=0.2 and 0.95 (at most half the "
                                       "seeds pass from 0.95)"});
    s.cells[0].runs.clear();  // interrupted before the first value's runs finished
    s.interrupted = "SIGINT";
    s.runs_planned = 9;
    EXPECT_EQ(tipping_points(s),
              std::vector<std::string>{"at most half the seeds pass already at lambda=0.95 (the first "
                                       "value that ran)"});
    // Failing first, then passing (more capacity): one change, the other way: no "again".
    s.interrupted.clear();
    s.cells = {cell(0, 0), cell(1, 0), cell(2, 3)};
    EXPECT_EQ(tipping_points(s),
              std::vector<std::string>{"at most half the seeds pass up to lambda=0.95, more than half from 0.3"});
    s.cells = {cell(0, 0), cell(1, 3), cell(2, 0)};
    EXPECT_EQ(tipping_points(s), std::vector<std::string>{"not monotonic in lambda: more than half the seeds pass at "
                                                          "lambda=0.95, at most half again at 0.3 (see the table)"});
    s.interrupted = "SIGINT";
    s.cells = {cell(0, 2), cell(1, 0), cell(2, 0)};
    s.cells[1].runs.clear();
    EXPECT_EQ(tipping_points(s),
              std::vector<std::string>{"the system tips between lambda=0.2 and 0.3 (at most half the "
                                       "seeds pass from 0.3 on, of the cells that ran)"});
}

// A run that left no result (a crash, a hang) has no numbers: they were written as 0.0.
TEST(ReportSweep, ARunWithoutAResultHasNoNumbersInTheFile) {
    CellRun crashed;
    crashed.seed = 2;
    crashed.verdict = "crash";
    const Json j = cell_run_to_json(crashed);
    for (const char* k : {"latency_p99_s", "peak_amplification", "errors", "goodput_ratio"})
        EXPECT_TRUE(j.at(k).is_null()) << k;
}

TEST(ReportSweep, TheResultFileRoundTripsAndBadOnesAreRefused) {
    const SweepResult s = two_by_two();
    const Json j = sweep_to_json(s);
    EXPECT_EQ(sweep_to_json(sweep_from_json(Json::parse(j.dump()), "sweep.json")).dump(), j.dump());
    Json bad = j;
    bad["cells"][0]["index"] = {0, 5};
    try {
        (void)sweep_from_json(bad, "sweep.json");
        FAIL();
    } catch (const ReportError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "sweep.json: field 'cells[0].index': is past the end of axis 'retry.attempts_max'");
    }
    // Every error names the field, in the file's own words, not the JSON library's.
    auto error_of = [](const Json& b) -> std::string {
        try {
            (void)sweep_from_json(b, "sweep.json");
        } catch (const ReportError& e) {
            return e.what();
        }
        return "";
    };
    Json no_axes = j;
    no_axes.erase("axes");
    EXPECT_EQ(error_of(no_axes), "sweep.json: field 'axes': missing");
    Json no_labels = j;
    no_labels["axes"][0].erase("labels");
    EXPECT_EQ(error_of(no_labels), "sweep.json: field 'axes[0].labels': missing");
    Json bad_recovery = j;
    bad_recovery["cells"][0]["runs"][0]["recovery_s"] = "x";
    EXPECT_EQ(error_of(bad_recovery), "sweep.json: field 'cells[0].runs[0].recovery_s': expected a time in seconds");
    Json cells_text = j;
    cells_text["cells"] = "x";
    EXPECT_EQ(error_of(cells_text), "sweep.json: field 'cells': expected an array");
    Json twice = j;
    twice["cells"].push_back(twice["cells"][0]);
    EXPECT_EQ(error_of(twice), "sweep.json: field 'cells[" + std::to_string(j["cells"].size()) +
                                   "].index': is the same cell as cells[0]");
    Json minus_errors = j;
    minus_errors["cells"][0]["runs"][0]["errors"] = -7;
    EXPECT_EQ(error_of(minus_errors),
              "sweep.json: field 'cells[0].runs[0].errors': is -7, expected a number from 0 to infinity");
    Json ratio = j;
    ratio["cells"][0]["runs"][0]["goodput_ratio"] = 7;
    EXPECT_EQ(error_of(ratio),
              "sweep.json: field 'cells[0].runs[0].goodput_ratio': is 7, expected a number from 0 to 1");
    Json same_seed = j;
    same_seed["cells"][0]["runs"][1]["seed"] = same_seed["cells"][0]["runs"][0]["seed"];
    EXPECT_EQ(error_of(same_seed), "sweep.json: field 'cells[0].runs[1].seed': is seed 1 again (runs[0])");
    Json negative = j;
    negative["interrupted"] = {{"by", "SIGINT"}, {"runs_planned", -3}};
    EXPECT_EQ(error_of(negative), "sweep.json: field 'interrupted.runs_planned': expected a whole number");
    // A file that contradicts itself (a hand edit, a tool's bug) is refused, not drawn: a page that
    // says "6 of 3 runs finished" or "0 seeds each: 6 runs" would say two things at once.
    Json no_seeds = j;
    no_seeds["seeds"] = Json::array();
    EXPECT_EQ(error_of(no_seeds), "sweep.json: field 'seeds': is empty: a sweep runs each cell on at least one seed");
    Json stranger = j;
    stranger["cells"][0]["runs"][0]["seed"] = 99;
    EXPECT_EQ(error_of(stranger),
              "sweep.json: field 'cells[0].runs[0].seed': is seed 99, not one of the sweep's seeds");
    Json too_many = j;
    too_many["cells"][0]["runs"].push_back(too_many["cells"][0]["runs"][0]);
    EXPECT_EQ(error_of(too_many), "sweep.json: field 'cells[0].runs': has 4 runs for 3 seeds");
    Json cell_lost = j;
    cell_lost["cells"].erase(3);
    EXPECT_EQ(error_of(cell_lost), "sweep.json: field 'cells': has 3 cells for a grid of 4");
    Json run_lost = j;
    run_lost["cells"][1]["runs"].erase(2);
    EXPECT_EQ(error_of(run_lost),
              "sweep.json: field 'cells[1].runs': has 2 runs for 3 seeds, and the sweep was not interrupted");
    Json stopped = run_lost;  // the same file, said to be interrupted: what it holds is what finished
    stopped["interrupted"] = {{"by", "SIGINT"}, {"runs_planned", 12}, {"runs_finished", 11}};
    EXPECT_EQ(error_of(stopped), "");
    stopped["interrupted"]["runs_finished"] = 10;
    EXPECT_EQ(error_of(stopped), "sweep.json: field 'interrupted.runs_finished': is 10, but the cells hold 11");
    stopped["interrupted"] = {{"by", "SIGINT"}, {"runs_planned", 3}, {"runs_finished", 11}};
    EXPECT_EQ(error_of(stopped),
              "sweep.json: field 'interrupted.runs_planned': is 3, but the grid and the seeds make 12");
    for (const std::string& e : {error_of(no_axes), error_of(bad_recovery), error_of(cells_text)})
        EXPECT_FALSE(contains(e, "json.exception")) << e;
    EXPECT_THROW((void)sweep_from_json(Json::object(), "sweep.json"), ReportError);
    // A run's optional members are null or of their type; anything else is refused, not ignored.
    const std::pair<const char*, Json> wrong[] = {
        {"verdict", "passed"}, {"failure", 3}, {"recovery_s", "soon"}, {"format", 1}};
    for (const auto& [key, value] : wrong) {
        Json b = j;
        if (std::string(key) == "format")
            b[key] = value;
        else
            b["cells"][0]["runs"][0][key] = value;
        EXPECT_THROW((void)sweep_from_json(b, "sweep.json"), ReportError) << key;
    }
    Json null_failure = j;
    null_failure["cells"][0]["runs"][0]["failure"] = nullptr;
    EXPECT_NO_THROW((void)sweep_from_json(null_failure, "sweep.json"));
}

TEST(ReportSweep, ThePageHasHeatmapsOfPassingAndRecoveryAndEscapesNames) {
    const std::string page = sweep_html(two_by_two());
    EXPECT_TRUE(contains(page, "Sweep: &lt;stampede&gt;"));
    EXPECT_FALSE(contains(page, "<stampede>"));
    EXPECT_TRUE(contains(page, ">Seeds passing</text>"));
    EXPECT_TRUE(contains(page, ">Time to recover (median over seeds)</text>"));
    EXPECT_TRUE(contains(page, ">load (per second)</text>"));
    EXPECT_TRUE(contains(page, ">0/3 !1</text>")) << "a cell with a crashed run is marked, with how many";
    EXPECT_TRUE(contains(page, ">!N: N runs crashed, hung or could not start</text>"))
        << "and the legend says what '!' is";
    EXPECT_TRUE(contains(page, ">25s</text>"));
    const std::string text = sweep_text(two_by_two());
    EXPECT_TRUE(contains(text, "retry.attempts_max \\ load    1000      2000\n")) << text;
    EXPECT_TRUE(contains(text, "\n3                          2/3 9s  0/3 !1 x\n")) << text;
    const std::string md = sweep_markdown(two_by_two(), "sweep.html");
    EXPECT_TRUE(contains(md, "| 3 | 2/3 9s | 0/3 \\!1 x |")) << md;
}

// A run that a failure stopped before its recovery deadline was not judged: it neither recovered
// nor failed to. The sweep says so everywhere the run report does, not "did not recover".
TEST(ReportSweep, RecoveryNotJudgedIsNotDidNotRecover) {
    SweepResult s = two_by_two();
    for (CellRun& r : s.cells[3].runs) {
        if (r.verdict == "fail") r.recovery_judged = false;
        r.end_s = 85;
    }
    s.cells[2].runs[1].recovery_judged = false;  // (1000, 3): the failing seed stopped early
    for (std::size_t i = 0; i < 3; ++i)
        for (CellRun& r : s.cells[i].runs) r.end_s = 90;
    s.cells[2].runs[1].end_s = 40;
    const CellSummary none = summarize(s.cells[3]);
    EXPECT_TRUE(recovery_never_judged(none));
    EXPECT_EQ(none.recovery_not_judged, 2u);
    const CellSummary mixed = summarize(s.cells[2]);
    EXPECT_FALSE(recovery_never_judged(mixed));
    EXPECT_EQ(*mixed.median_recovery_s, 8.5) << "the median of the judged seeds (8s and 9s)";
    const std::string text = sweep_text(s);
    EXPECT_TRUE(contains(text, "2/3 8.5s  0/3 !1 ?\n")) << text;
    EXPECT_TRUE(contains(text, "?: recovery not judged")) << text;
    const std::string page = sweep_html(s);
    EXPECT_TRUE(contains(page, ">not judged</text>")) << "the heatmap cell";
    EXPECT_TRUE(contains(page, "<td class=\"num\">not judged</td>")) << "the table of every cell";
    EXPECT_TRUE(contains(page, "recovery not judged (it ended at 40s, before the deadline)")) << "a seed's detail";
    // Runs of different lengths: errors compare per simulated second, not as totals.
    EXPECT_TRUE(contains(page, ">Errors per simulated second (median;")) << page;
    EXPECT_FALSE(contains(page, ">Errors (median over seeds)</text>"));
    // The field survives the result file; a file written before it reads as judged.
    const SweepResult back = sweep_from_json(sweep_to_json(s), "sweep.json");
    EXPECT_FALSE(back.cells[3].runs[0].recovery_judged);
    EXPECT_EQ(back.cells[2].runs[1].end_s, 40);
    Json old = cell_run_to_json(s.cells[3].runs[0]);
    old.erase("recovery_judged");
    EXPECT_TRUE(cell_run_from_json(old, "old.json").recovery_judged);
}

// No cell recovered: the recovery map's legend has no scale of times (it read "0s, 0s, 0s").
TEST(ReportSweep, TheRecoveryLegendHasNoScaleWhenNoCellRecovered) {
    SweepResult s = two_by_two();
    for (SweepCell& c : s.cells)
        for (CellRun& r : c.runs) r.recovery_s.reset();
    const std::string page = sweep_html(s);
    const std::size_t at = page.find(">Time to recover (median over seeds)</text>");
    ASSERT_NE(at, std::string::npos);
    const std::string map = page.substr(at, page.find("</svg>", at) - at);
    EXPECT_FALSE(contains(map, ">0s</text>")) << map;
    EXPECT_TRUE(contains(map, ">x: did not recover</text>")) << map;
}

// A tester's finding: every cell recovered in 5s, and every cell was the scale's worst red, next
// to the dark "did not recover": the scale went from 0 to the slowest cell. It goes up to the
// time the recovery rule allows (50s here), so a uniformly fast recovery is pale.
TEST(ReportSweep, UniformFastRecoveryIsPaleOnTheRecoveryMap) {
    SweepResult s = two_by_two();
    for (SweepCell& c : s.cells) {
        for (CellRun& r : c.runs) {
            r.verdict = "pass";
            r.recovery_s = 5;
            r.recovery_within_s = 50;
        }
    }
    auto recovery_map = [](const SweepResult& sweep) {
        const std::string page = sweep_html(sweep);
        const std::size_t at = page.find(">Time to recover (median over seeds)</text>");
        EXPECT_NE(at, std::string::npos);
        return page.substr(at, page.find("</svg>", at) - at);
    };
    const std::string map = recovery_map(s);
    EXPECT_EQ(
        count(map, "rx=\"2\" fill=\"" + blend({"#d9f0d3", "#a6dba0", "#fee08b", "#fc8d59", "#d73027"}, 0.1) + "\""), 4u)
        << "5s of 50s, in each of the four cells: " << map;
    EXPECT_FALSE(contains(map, "#d73027\"/><text")) << "no cell in the scale's red";
    EXPECT_TRUE(contains(map, ">50s (the deadline)</text>")) << map;
    // The field survives the result file; a file without it is scaled to its slowest cell.
    const SweepResult back = sweep_from_json(sweep_to_json(s), "sweep.json");
    EXPECT_EQ(back.cells[0].runs[0].recovery_within_s, 50);
    for (SweepCell& c : s.cells)
        for (CellRun& r : c.runs) r.recovery_within_s = std::numeric_limits<double>::quiet_NaN();
    EXPECT_TRUE(contains(recovery_map(s), ">5s</text>"));
}

// A failing cell's repro line names the program that ran the sweep (a user's own program built
// on faultline::cli::run knows scenarios `faultline` does not), kept in the result file; a file
// written before the program was recorded was written by `faultline`.
TEST(ReportSweep, ReproLinesNameTheProgramThatRanTheSweep) {
    SweepResult s = two_by_two();
    EXPECT_TRUE(contains(sweep_html(s), "<code>faultline run ")) << "the stock program";
    s.program = "myfl";
    const std::string page = sweep_html(s);
    EXPECT_TRUE(contains(page, "<code>myfl run ")) << page;
    EXPECT_FALSE(contains(page, "faultline run "));
    Json j = sweep_to_json(s);
    EXPECT_EQ(sweep_from_json(j, "sweep.json").program, "myfl");
    j.erase("program");
    EXPECT_EQ(sweep_from_json(j, "sweep.json").program, "faultline");
}

// The terminal table and the Markdown summary are one table: the same header (the axes' names,
// a one-axis sweep's too), the same rows in the same order (the first value first), the same cells.
TEST(ReportSweep, TheTerminalAndMarkdownTablesAgreeRowForRow) {
    const std::string text = sweep_text(two_by_two());
    const std::string md = sweep_markdown(two_by_two());
    EXPECT_LT(text.find("\n1 "), text.find("\n3 ")) << text;
    EXPECT_LT(md.find("| 1 |"), md.find("| 3 |")) << md;
    EXPECT_TRUE(contains(md, "| retry.attempts\\_max \\\\ load | 1000 | 2000 |\n|---|---|---|\n| 1 | 3/3 6s | 3/3 25s |\n| 3 |"))
        << md;
    EXPECT_TRUE(contains(text, "Cells: seeds passing / seeds run, median time to recover (x: the median seed did not "
                               "recover); !N: N runs crashed, hung or could not start\n"))
        << text;
    EXPECT_TRUE(contains(md, "Cells: seeds passing / seeds run, median time to recover (x: the median seed did not "
                             "recover); \\!N: N runs crashed, hung or could not start.\n"))
        << md;

    SweepResult one = two_by_two();
    one.axes.pop_back();
    one.cells.resize(2);
    for (SweepCell& c : one.cells) c.index.pop_back();
    const SweepTable table = sweep_table(one);
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[0], (std::vector<std::string>{"load", "1000", "2000"}));
    EXPECT_EQ(table.rows[1], (std::vector<std::string>{"", "3/3 6s", "3/3 25s"}));
    EXPECT_EQ(sweep_text(one).substr(0, sweep_text(one).find('\n')), "load    1000     2000");
    EXPECT_TRUE(contains(sweep_markdown(one), "| load | 1000 | 2000 |\n|---|---|---|\n|  | 3/3 6s | 3/3 25s |\n"))
        << sweep_markdown(one);
}

// A sweep stopped by Ctrl-C keeps the runs that finished and says everywhere that it is
// incomplete: the terminal table, the Markdown, the page and the result file (which round-trips
// it); a cell no run of which finished is "-", and where it tips speaks only of what ran.
TEST(ReportSweep, AnInterruptedSweepIsMarkedIncompleteEverywhere) {
    SweepResult s = two_by_two();
    s.cells[1].runs.resize(1);  // (2000, 1): one of three seeds finished
    s.cells[3].runs.clear();    // (2000, 3): none
    s.interrupted = "SIGINT";
    s.runs_planned = 12;
    EXPECT_EQ(runs_finished(s), 7u);
    EXPECT_EQ(interrupted_text(s), "interrupted by SIGINT: 7 of 12 runs finished, 5 did not run");
    EXPECT_EQ(interrupted_text(two_by_two()), "");

    const std::string text = sweep_text(s);
    EXPECT_EQ(text.substr(0, text.find('\n')),
              "INCOMPLETE: interrupted by SIGINT: 7 of 12 runs finished, 5 did not run; the table holds only those");
    EXPECT_TRUE(contains(text, "\n3                          2/3 9s        -\n")) << text;
    EXPECT_TRUE(contains(text, "-: no run of the cell finished (the sweep was interrupted)")) << text;
    const std::vector<std::string> tips = tipping_points(s);
    ASSERT_EQ(tips.size(), 2u);
    EXPECT_EQ(tips[0], "with retry.attempts_max=1, more than half the seeds pass at every load that ran up to 2000");
    EXPECT_EQ(tips[1], "with retry.attempts_max=3, more than half the seeds pass at every load that ran up to 1000")
        << "the cell that would tip it did not run: not claimed";

    const std::string md = sweep_markdown(s, "sweep.html");
    EXPECT_TRUE(contains(md, "4 cells, 3 seeds each: 7 of 12 runs (interrupted).")) << md;
    EXPECT_TRUE(contains(md, "**Incomplete:** the sweep was interrupted by SIGINT: 7 of 12 runs finished, 5 did not run"))
        << md;
    EXPECT_TRUE(contains(md, "| 3 | 2/3 9s | - |")) << md;
    const std::string page = sweep_html(s);
    EXPECT_TRUE(contains(page, "<span class=\"verdict runaway\">INCOMPLETE</span> The sweep was interrupted by SIGINT: "
                               "7 of 12 runs finished, 5 did not run."))
        << page;
    EXPECT_TRUE(contains(page, "<td class=\"num\">not run</td>"));

    const Json j = sweep_to_json(s);
    EXPECT_EQ(j.at("interrupted"), (Json{{"by", "SIGINT"}, {"runs_planned", 12}, {"runs_finished", 7}}));
    const SweepResult back = sweep_from_json(Json::parse(j.dump()), "sweep.json");
    EXPECT_EQ(back.interrupted, "SIGINT");
    EXPECT_EQ(back.runs_planned, 12u);
    EXPECT_EQ(sweep_html(back), page) << "faultline report renders the same page";
    EXPECT_FALSE(sweep_to_json(two_by_two()).contains("interrupted")) << "a whole sweep's file is as before";
}

}  // namespace
