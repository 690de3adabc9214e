// A run record: its JSON round trip, errors that name the file and field, the headline numbers
// (recovery judged like the `recovers` invariant), A/B differences, and the HTML and Markdown
// built from it.
#include <gtest/gtest.h>

#include <regex>

#include "records.hpp"
#include "report/compare.hpp"
#include "report/headline.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"
#include "report/sweep.hpp"
#include "text_search.hpp"

namespace {

using report_test::contains;
using report_test::count;

using namespace faultline::report;

std::string error_of(const Json& j) {
    try {
        (void)record_from_json(j, "run.json");
    } catch (const ReportError& e) {
        return e.what();
    }
    return "";
}

TEST(ReportRecord, RoundTripsThroughJsonToTheSameReport) {
    const RunRecord r = report_test::outage_run();
    const Json j = record_to_json(r);
    const RunRecord back = record_from_json(Json::parse(j.dump()), "run.json");
    EXPECT_EQ(record_to_json(back).dump(), j.dump());
    EXPECT_EQ(run_html(back), run_html(r));
    EXPECT_EQ(run_markdown(back), run_markdown(r));
    EXPECT_TRUE(std::isnan(back.series[2].values[0])) << "a gap stays a gap (null in JSON)";
}

TEST(ReportRecord, BadInputNamesTheFileAndTheField) {
    Json j = record_to_json(report_test::outage_run());
    EXPECT_EQ(error_of(Json::array()),
              "run.json: expected a JSON object (a result file from 'faultline run --result')");
    Json wrong_format = j;
    wrong_format["format"] = "something-else";
    EXPECT_TRUE(contains(error_of(wrong_format), "run.json: field 'format': expected \"faultline-run/1\""));
    Json no_seed = j;
    no_seed.erase("seed");
    EXPECT_EQ(error_of(no_seed), "run.json: field 'seed': missing");
    Json bad_value = j;
    bad_value["series"][1]["values"][3] = "many";
    EXPECT_EQ(error_of(bad_value), "run.json: field 'series[1].values[3]': expected a number");
    Json short_series = j;
    short_series["series"][0]["values"].erase(0);
    EXPECT_EQ(error_of(short_series), "run.json: field 'series[0].values': has 59 values for 60 sample times");
    Json bad_verdict = j;
    bad_verdict["verdict"] = "maybe";
    EXPECT_EQ(error_of(bad_verdict), "run.json: field 'verdict': expected pass, fail, runaway or interrupted");
    // Times are seconds of a virtual clock: a missing sample time would put "nan" in the page's
    // chart data (not JSON), a negative end would read "stopped at -5s".
    Json no_time = j;
    no_time["time_s"][3] = nullptr;
    EXPECT_EQ(error_of(no_time), "run.json: field 'time_s[3]': expected a time in seconds");
    Json backwards = j;
    backwards["time_s"][3] = 1;
    EXPECT_EQ(error_of(backwards), "run.json: field 'time_s[3]': is 1, not after the time before it");
    Json negative_end = j;
    negative_end["end_s"] = -5;
    EXPECT_EQ(error_of(negative_end), "run.json: field 'end_s': is -5, expected a time in seconds between 0 and 9.2e9");
    Json far_end = j;
    far_end["end_s"] = 1e300;
    EXPECT_TRUE(contains(error_of(far_end),
                         "run.json: field 'end_s': is 1e+300, expected a time in seconds between 0 and 9.2e9"));
    Json negative_fault = j;
    negative_fault["faults"][0]["at_s"] = -1;
    EXPECT_EQ(error_of(negative_fault),
              "run.json: field 'faults[0].at_s': is -1, expected a time in seconds between 0 and 9.2e9");
    // A hand-edited file that does not hold together: refused, naming the field, rather than a
    // page that says two things at once.
    Json maybe = j;
    maybe["invariants"][0]["result"] = "maybe";
    EXPECT_EQ(error_of(maybe), "run.json: field 'invariants[0].result': expected pass, fail or not judged");
    Json fail_without_failure = j;
    fail_without_failure["verdict"] = "fail";
    EXPECT_EQ(error_of(fail_without_failure), "run.json: field 'verdict': is fail, but the file has no failure");
    Json pass_with_failure = j;
    pass_with_failure["failure"] = {{"kind", "invariant"}, {"name", "x"}, {"time_s", 30}};
    EXPECT_EQ(error_of(pass_with_failure), "run.json: field 'failure': a run whose verdict is pass has no failure");
    Json failed_later = pass_with_failure;
    failed_later["verdict"] = "fail";
    failed_later["failure"]["time_s"] = 61;
    EXPECT_EQ(error_of(failed_later), "run.json: field 'failure.time_s': after the run's end (end_s 1m)");
    Json ended_early = j;
    ended_early["end_s"] = 10;
    EXPECT_EQ(error_of(ended_early), "run.json: field 'end_s': before the last sample (1m)");
    Json short_plan = j;  // a run's planned span holds its end: 0s would draw a run of nothing
    short_plan["duration_s"] = 0;
    EXPECT_EQ(error_of(short_plan),
              "run.json: field 'duration_s': is 0s, before the run's end (end_s 1m): the span "
              "the page draws holds the whole run");
    Json fault_after = j;
    fault_after["faults"][0]["at_s"] = 1e6;
    EXPECT_TRUE(contains(error_of(fault_after), "run.json: field 'faults[0].at_s': after the run's end (end_s 1m)"));
    Json share = j;
    share["invariants"][0]["recovery"]["share"] = 2.0;
    EXPECT_TRUE(contains(error_of(share), "run.json: field 'invariants[0].recovery.share': must be in (0, 1.5]"));
    // A missing sample value is a gap, not an error.
    Json gap = j;
    gap["series"][0]["values"][3] = nullptr;
    EXPECT_EQ(error_of(gap), "");
}

TEST(ReportRecord, TheMarkdownSummaryGoesNextToTheHtml) {
    EXPECT_EQ(sibling_path("out/report.html", ".md"), "out/report.md");
    EXPECT_EQ(sibling_path("report", ".md"), "report.md");
    EXPECT_EQ(sibling_path("a.b/report", ".md"), "a.b/report.md");
}

TEST(ReportHeadline, RecoveryIsTimedFromTheTriggerLikeTheInvariantJudgesIt) {
    const RunRecord r = report_test::outage_run();
    const Headline h = headline(r);
    ASSERT_TRUE(h.recovery.applicable);
    EXPECT_EQ(h.recovery.source, "invariant 'goodput recovers'");
    EXPECT_DOUBLE_EQ(h.recovery.baseline, 100);
    ASSERT_TRUE(h.recovery.recovered_at_s.has_value());
    EXPECT_DOUBLE_EQ(*h.recovery.recovered_at_s, 35) << "the first full 5s window after 30s";
    EXPECT_EQ(h.recovery.text(), "5s");
    EXPECT_EQ(h.errors, 1000);
    EXPECT_DOUBLE_EQ(h.peak_amplification, 3);
    EXPECT_EQ(h.peak_amplification_edge, "api -> db");
    EXPECT_DOUBLE_EQ(h.peak_retries_per_s, 200);
}

TEST(ReportHeadline, ARunThatNeverRecoversSaysSo) {
    RunRecord r = report_test::outage_run();
    for (models::Series& s : r.series) {
        if (s.name == "users.ok") std::fill(s.values.begin() + 20, s.values.end(), 50.0);
    }
    const Recovery rec = recovery(r);
    EXPECT_FALSE(rec.seconds().has_value());
    EXPECT_EQ(rec.text(), "did not recover within 20s");
}

// The run a failed `recovers` invariant stopped: it ends just after the deadline (the invariant
// judges then), which need not be a sample time. A tester's finding: the card said "not judged:
// the run ended before 40.5s" beside the FAIL, and a sweep cell read "?", because the last
// sample (40s) was taken for the run's end.
RunRecord stopped_by_its_recovers_invariant(double within_s, double end_s) {
    RunRecord r = report_test::outage_run();
    for (models::Series& s : r.series) {
        if (s.name == "users.ok") std::fill(s.values.begin() + 20, s.values.end(), 50.0);
    }
    std::size_t keep = 0;
    while (keep < r.times.size() && r.times[keep] <= end_s) ++keep;
    r.times.resize(keep);
    for (models::Series& s : r.series) s.values.resize(keep);
    r.end_s = end_s;
    r.verdict = "fail";
    r.invariants[0].recovery->within_s = within_s;
    r.invariants[0].judged_at_s = 30 + within_s;
    r.invariants[0].result = "fail";
    r.failure = FailureRecord{"invariant", "goodput recovers", "did not recover", "", "", end_s};
    return r;
}

TEST(ReportHeadline, ARunItsRecoversInvariantStoppedBetweenTwoSamplesWasJudged) {
    const RunRecord half = stopped_by_its_recovers_invariant(10.5, 40.500000001);
    ASSERT_DOUBLE_EQ(half.times.back(), 40);
    EXPECT_TRUE(recovery(half).judged);
    EXPECT_EQ(recovery(half).text(), "did not recover within 10.5s");
    EXPECT_FALSE(cell_run(half).recovery_s.has_value());
    EXPECT_TRUE(cell_run(half).recovery_judged) << "a sweep cell reads x, not ?";

    // Samples every 5s (35s, 40s), the deadline at 41s and the run ended just after it.
    RunRecord coarse = stopped_by_its_recovers_invariant(11, 41.000000001);
    std::vector<double> times;
    std::vector<std::vector<double>> values(coarse.series.size());
    for (std::size_t k = 4; k < coarse.times.size(); k += 5) {
        times.push_back(coarse.times[k]);
        for (std::size_t s = 0; s < coarse.series.size(); ++s) values[s].push_back(coarse.series[s].values[k]);
    }
    coarse.times = times;
    for (std::size_t s = 0; s < coarse.series.size(); ++s) coarse.series[s].values = values[s];
    ASSERT_DOUBLE_EQ(coarse.times.back(), 40);
    EXPECT_EQ(recovery(coarse).text(), "did not recover within 11s");

    // The invariant's own verdict is enough: it fails only once it has judged.
    RunRecord exact = stopped_by_its_recovers_invariant(10.5, 40.5);
    EXPECT_EQ(recovery(exact).text(), "did not recover within 10.5s");
    exact.invariants[0].result = "not judged";
    EXPECT_EQ(recovery(exact).text(), "not judged: the run ended before 40.5s");
}

TEST(ReportHeadline, WithoutARecoversInvariantTheFaultTimelineGivesTheRule) {
    RunRecord r = report_test::outage_run();
    r.invariants.clear();
    const std::optional<RecoveryRule> rule = default_recovery_rule(r);
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(rule->metric, "users.ok");
    EXPECT_EQ(rule->baseline_from_s, 10);
    EXPECT_EQ(rule->baseline_to_s, 20);
    EXPECT_EQ(rule->after_s, 30);
    EXPECT_EQ(rule->within_s, 30);
    EXPECT_EQ(recovery(r).source, "fault timeline");
    EXPECT_EQ(recovery(r).text(), "5s");
}

TEST(ReportHeadline, AnInterruptedRunIsNeitherAsExpectedNorNot) {
    RunRecord r = report_test::outage_run();
    r.expected_verdict = "fail";
    r.verdict = "fail";
    EXPECT_EQ(expectation_text(r), "expected fail: as expected");
    r.verdict = "pass";
    EXPECT_EQ(expectation_text(r), "expected fail: NOT as expected");
    r.verdict = "interrupted";  // it said "NOT as expected", though nothing was judged
    EXPECT_EQ(expectation_text(r), "expected fail: not judged (the run was interrupted)");
}

TEST(ReportCompare, RunsOfDifferentLengthsAreComparedPerSimulatedSecondToo) {
    // A stopped at 50s of 100s with 1,000 errors; B ran 100s with 1,500: more errors in total,
    // but fewer per second.
    RunRecord a = report_test::outage_run();
    RunRecord b = report_test::outage_run();
    b.end_s = b.duration_s = 100;
    a.duration_s = 100;
    a.end_s = 50;
    a.measurements[2].value = 1000;  // users.errors
    b.measurements[2].value = 1500;
    const std::vector<DiffRow> rows = headline_diff(a, b);
    auto find = [&rows](const std::string& metric) -> const DiffRow* {
        for (const DiffRow& r : rows) {
            if (r.metric == metric) return &r;
        }
        return nullptr;
    };
    const DiffRow* ran = find("simulated (totals below are over this)");
    ASSERT_NE(ran, nullptr);
    EXPECT_EQ(ran->a, "50s of 1m40s");
    EXPECT_EQ(ran->b, "1m40s");
    const DiffRow* total = find("errors");
    ASSERT_NE(total, nullptr);
    EXPECT_EQ(total->better, -1);
    const DiffRow* rate = find("errors per simulated second");
    ASSERT_NE(rate, nullptr);
    EXPECT_EQ(rate->better, 1);  // 20/s -> 15/s
    // Same length: neither extra row.
    const std::vector<DiffRow> same = headline_diff(b, b);
    for (const DiffRow& r : same) {
        EXPECT_NE(r.metric, "errors per simulated second");
        EXPECT_NE(r.metric, "simulated (totals below are over this)");
    }
}

TEST(ReportCompare, TheHeadlineTableSaysWhichWayEachNumberMoved) {
    RunRecord a = report_test::outage_run();
    RunRecord b = report_test::outage_run();
    a.verdict = "fail";
    for (models::Series& s : a.series) {
        if (s.name == "users.ok") std::fill(s.values.begin() + 20, s.values.end(), 50.0);
    }
    a.measurements[2].value = 4000;  // users.errors
    const std::vector<DiffRow> rows = headline_diff(a, b);
    auto row = [&rows](const std::string& metric) {
        for (const DiffRow& r : rows) {
            if (r.metric == metric) return r;
        }
        ADD_FAILURE() << "no row " << metric;
        return DiffRow{};
    };
    EXPECT_EQ(row("verdict").change, "B passes");
    EXPECT_EQ(row("time to recover").a, "did not recover within 20s");
    EXPECT_EQ(row("time to recover").b, "5s");
    EXPECT_EQ(row("time to recover").better, 1);
    EXPECT_EQ(row("errors").change, "-3,000 (-75%)");
    EXPECT_EQ(row("errors").better, 1);
    EXPECT_EQ(row("peak retry amplification").change, "same");
    const std::string text = diff_text(rows, "broken", "fixed");
    EXPECT_TRUE(contains(text, "A: broken")) << text;
    EXPECT_TRUE(contains(text, "B recovers  (better)")) << text;
    // Neither recovers: said, not a blank cell.
    const std::vector<DiffRow> neither = headline_diff(a, a);
    for (const DiffRow& r : neither) {
        if (r.metric == "time to recover") {
            EXPECT_EQ(r.change, "neither recovers");
        }
    }
    // A run a failure stopped before the recovery deadline was not judged: it did not "not
    // recover" (a tester's finding: two such sides read "neither recovers").
    RunRecord cut = a;
    const std::size_t keep = 25;  // the samples up to 25s; the deadline is later
    cut.times.resize(keep);
    for (models::Series& s : cut.series) s.values.resize(keep);
    cut.end_s = cut.times.back();
    ASSERT_FALSE(recovery(cut).judged);
    auto change_of = [](const std::vector<DiffRow>& d) {
        for (const DiffRow& r : d) {
            if (r.metric == "time to recover") return r.change;
        }
        return std::string("no row");
    };
    EXPECT_EQ(change_of(headline_diff(cut, cut)), "neither judged");
    EXPECT_EQ(change_of(headline_diff(cut, a)), "A not judged, B does not recover");
    EXPECT_EQ(change_of(headline_diff(b, cut)), "B not judged");
}

RunRecord hostile_run() {
    RunRecord r = report_test::outage_run();
    r.scenario = "<script>alert(\"name\")</script>";
    r.description = "</script><script>alert(1)</script> <img src=\"http://example.com/x.png\">";
    r.hypothesis = "**bold** | pipe";
    r.invariants[0].name = "<b>goodput</b>";
    r.faults[0].targets = {"<api>"};
    r.series[0].name = "users.offered";
    r.options[0].value = "<i>100/s</i>";
    r.repro = "faultline run '<script>'";
    return r;
}

// Every "<tag" in the page is one the report itself writes.
void expect_only_own_tags(const std::string& page) {
    static const std::regex tag("<(/?)([a-zA-Z!][a-zA-Z0-9]*)");
    static const std::vector<std::string> own{
        "!DOCTYPE", "html", "head", "meta",     "title", "style", "script", "body", "main", "h1", "h2",      "h3",
        "p",        "div",  "span", "b",        "code",  "pre",   "table",  "tr",   "th",   "td", "details", "summary",
        "footer",   "svg",  "defs", "clipPath", "rect",  "text",  "line",   "path", "g",    "ul", "li",      "br"};
    // Script bodies are code ("i<t"), checked by the JSON escaping tests instead.
    const std::string markup =
        std::regex_replace(page, std::regex("<script([^>]*)>[^]*?</script>"), "<script$1></script>");
    for (std::sregex_iterator it(markup.begin(), markup.end(), tag), end; it != end; ++it) {
        const std::string name = (*it)[2];
        EXPECT_NE(std::find(own.begin(), own.end(), name), own.end()) << "a tag the report does not write: <" << name;
    }
}

TEST(ReportHtml, EveryScenarioStringIsEscaped) {
    const RunRecord r = hostile_run();
    for (const std::string& page : {run_html(r), compare_html(r, r)}) {
        EXPECT_FALSE(contains(page, "<script>alert")) << "a scenario string became markup";
        EXPECT_FALSE(contains(page, "<img")) << "a scenario string became markup";
        EXPECT_FALSE(contains(page, "<b>goodput"));
        EXPECT_FALSE(contains(page, "<api>"));
        EXPECT_FALSE(contains(page, "<i>100"));
        EXPECT_TRUE(contains(page, "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;"));
        expect_only_own_tags(page);
        // Exactly the report's own three script elements: the error recorder, the chart data, the read-out.
        std::size_t scripts = 0;
        for (std::size_t at = page.find("<script"); at != std::string::npos; at = page.find("<script", at + 1))
            ++scripts;
        EXPECT_EQ(scripts, 3u);
    }
}

TEST(ReportHtml, ItsOwnMarkupFetchesNothing) {
    // Scenario strings cannot add references (they are escaped, above); the report's own markup
    // has none: no src, href, @import or url() but the SVG's own clip paths, and no URL but the
    // SVG namespace name (an identifier, never fetched).
    for (const std::string& page :
         {run_html(report_test::outage_run()), compare_html(report_test::outage_run(), report_test::outage_run())}) {
        EXPECT_TRUE(contains(page, "Content-Security-Policy\" content=\"default-src 'none';"));
        static const std::regex fetch(
            "\\bsrc=|\\bhref=|@import|url\\((?!#)|(https?:)?//(?!www\\.w3\\.org/2000/svg\")[a-z]");
        std::smatch m;
        EXPECT_FALSE(std::regex_search(page, m, fetch)) << "a reference: " << m.str(0) << " at " << m.position(0);
    }
}

TEST(ReportHtml, ShowsTheVerdictInvariantsOptionsAndFaults) {
    const std::string page = run_html(report_test::outage_run());
    for (const char* s :
         {"<h1>outage <span class=\"verdict pass\">PASS</span></h1>", "A made-up outage.", "<h2>Invariants</h2>",
          "goodput recovers", "<h2>Faults injected</h2>", "partition", "<h2>Options</h2>",
          "workloads.users.open_loop.rate", "faultline run outage --seed 7", "<svg class=\"chart\""}) {
        EXPECT_TRUE(contains(page, s)) << s;
    }
}

// A tester's finding: the latency card said "worst second" of samples 5s (or 250ms) long.
TEST(ReportHtml, TheLatencyCardNamesTheSampleItsWorstP99CameFrom) {
    RunRecord r = report_test::outage_run();
    r.measurements.push_back({"users.latency_p50_s", 0.002, ""});
    r.measurements.push_back({"users.latency_p99_s", 0.02, ""});
    r.series.push_back({"users.latency.p99", std::vector<double>(r.times.size(), 0.03)});
    EXPECT_TRUE(contains(run_html(r), "; worst 1s sample 30ms")) << "samples a second apart";
    for (double& t : r.times) t *= 5;  // metrics_interval=5s
    r.end_s = r.duration_s = 300;
    const std::string page = run_html(r);
    EXPECT_TRUE(contains(page, "; worst 5s sample 30ms"));
    EXPECT_FALSE(contains(page, "worst second"));
    // A sample under a second long in the unit durations are written in (it read "worst 0.25s").
    for (double& t : r.times) t /= 20;  // metrics_interval=250ms
    r.end_s = r.duration_s = 15;
    EXPECT_TRUE(contains(run_html(r), "; worst 250ms sample 30ms")) << "250ms samples";
    for (double& t : r.times) t *= 240;  // metrics_interval=1m: not "60s"
    r.end_s = r.duration_s = 3600;
    EXPECT_TRUE(contains(run_html(r), "; worst 1m sample 30ms")) << "1m samples";
}

// A run with no headline numbers (a kernel-only model: no client workload, retries or database)
// shows its measurements instead of an empty headline table, and a built-in scenario, whose
// invariants are in its code, is not said to have none.
TEST(ReportMarkdown, ARunWithoutHeadlineNumbersShowsItsMeasurements) {
    RunRecord r = report_test::outage_run();
    r.series.clear();  // no workload, calls or database to sum up
    r.faults.clear();
    r.invariants.clear();
    r.end_s = r.duration_s = 100.2;
    r.measurements = {{"utilization", 0.896595, "theory 0.9"},
                      {"customers_served", 200000, ""},
                      {"db.queries", 7951, ""},
                      {"rate", 1234.5, ""}};
    const std::string md = run_markdown(r);
    EXPECT_FALSE(contains(md, "| Headline |")) << md;
    EXPECT_TRUE(contains(md,
                         "| Measurement | Value | Note |\n|---|---|---|\n| `utilization` | 0.896595 | theory 0.9 |\n"
                         "| `customers_served` | 200,000 |  |\n| `db.queries` | 7,951 |  |\n| `rate` | 1234.5 |  |\n"))
        << md;
    EXPECT_TRUE(contains(md, "Seed 7, 1m40.2s of virtual time")) << md;
    const std::string page = run_html(r);
    EXPECT_FALSE(contains(page, "does not list them")) << "mm1 checks its queue_max; it lists nothing";
    EXPECT_TRUE(contains(page, "Passed: every invariant the scenario checks held")) << page;
    EXPECT_FALSE(contains(page, "<div class=\"cards\">\n</div>")) << "no empty headline";
    EXPECT_TRUE(contains(page, "its own numbers are under Measurements")) << page;
}

TEST(ReportMarkdown, EscapesScenarioStringsAndLinksTheHtml) {
    std::string md = run_markdown(hostile_run(), "report.html");
    const std::string repro = "Reproduce: `faultline run '<script>'`";  // code: shown as it is, never markup
    ASSERT_TRUE(contains(md, repro)) << md;
    md.erase(md.find(repro), repro.size());
    EXPECT_EQ(count(md, "<"), count(md, "\\<")) << "every '<' escaped with a backslash: no tag can open: " << md;
    EXPECT_TRUE(contains(md, "## \\<script>alert(\"name\")\\</script>: PASS"));
    EXPECT_TRUE(contains(md, "\\*\\*bold\\*\\* \\| pipe"));
    EXPECT_TRUE(contains(md, "| time to recover | 5s |"));
    EXPECT_TRUE(contains(md, "Charts: [report.html](report.html)"));
}

}  // namespace

namespace {
// The database's peak connections: the run's own count of its peak, not the once-a-second samples,
// which miss the spike that killed it (the stampede's report said "11 crashes: out of memory;
// peak 11 connections" for a database that died at 129). Older result files have only samples.
TEST(ReportHeadline, PeakDatabaseConnectionsAreTheRunsOwnCountNotTheSamples) {
    RunRecord r = report_test::outage_run();
    r.series.push_back({"db.connections", std::vector<double>(r.times.size(), 11.0)});
    r.series.push_back({"db.queries", std::vector<double>(r.times.size(), 50.0)});  // what makes "db" a database
    EXPECT_DOUBLE_EQ(headline(r).peak_db_connections, 11) << "no count of its own: the samples' peak";
    r.measurements.push_back({"db.connections_peak", 129, "most open at once on a host"});
    EXPECT_DOUBLE_EQ(headline(r).peak_db_connections, 129);
}
}  // namespace
