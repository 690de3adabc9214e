// Charts as a reader needs them: a title, axis labels with units, a legend, ticks, the data, and
// every fault window shaded and labelled; the panels a run's series turn into.
#include <gtest/gtest.h>

#include <algorithm>

#include "records.hpp"
#include "report/chart.hpp"
#include "report/heatmap.hpp"
#include "report/panels.hpp"
#include "text_search.hpp"

namespace {

using report_test::contains;
using report_test::count;

using namespace faultline::report;

Chart goodput_chart() {
    Chart c;
    c.id = "c1";
    c.title = "Goodput <users>";
    c.y_label = "requests per second";
    c.unit = Unit::per_second;
    c.x_min = 0;
    c.x_max = 60;
    c.lines.push_back({"offered", {10, 20, 30, 40, 50, 60}, {100, 100, 100, 100, 100, 100}, "#777", 0});
    c.lines.push_back({"goodput & ok", {10, 20, 30, 40, 50, 60}, {100, 100, 0, 0, 100, 100}, "#2a9d3c", 1});
    c.bands.push_back({25, 35, "partition api", "25s for 10s: partition api"});
    c.bands.push_back({45, 45, "restart cache", ""});
    c.markers.push_back({50, "recovered", "#1a7f37", true});
    c.levels.push_back({90, "90% of baseline", "#555"});
    return c;
}

TEST(ReportChart, HasATitleAxisLabelsWithUnitsALegendAndTicks) {
    const std::string svg = render_svg(goodput_chart());
    EXPECT_TRUE(contains(svg, ">Goodput &lt;users&gt;</text>")) << "the title, escaped";
    EXPECT_TRUE(contains(svg, ">requests per second</text>")) << "the y axis label";
    EXPECT_TRUE(contains(svg, ">virtual time since the start of the run</text>")) << "the x axis label";
    EXPECT_TRUE(contains(svg, ">offered</text>"));
    EXPECT_TRUE(contains(svg, ">goodput &amp; ok</text>")) << "the legend, escaped";
    for (const char* tick : {">0/s<", ">20/s<", ">100/s<", ">0s<", ">30s<", ">1m<"})
        EXPECT_TRUE(contains(svg, tick)) << tick;
    EXPECT_EQ(count(svg, "<path d=\"M"), 2u) << "one path per line";
    EXPECT_TRUE(contains(svg, "stroke-dasharray=\"7 4\"")) << "the dashed line";
}

TEST(ReportChart, ShadesAndLabelsEveryFaultWindow) {
    const Chart c = goodput_chart();
    const std::string svg = render_svg(c);
    EXPECT_EQ(count(svg, "<g class=\"fault\">"), 2u);
    EXPECT_EQ(count(svg, "fill=\"#f28e2b\""), 1u) << "the window is shaded; the instant is a line";
    EXPECT_TRUE(contains(svg, ">partition api</text>"));
    EXPECT_TRUE(contains(svg, ">restart cache</text>"));
    EXPECT_TRUE(contains(svg, "<title>25s for 10s: partition api</title>"));
    // The shading spans the window on the time axis.
    const PlotBox b = plot_box(c, {});
    const double x0 = b.left + 25.0 / 60 * (b.right - b.left), x1 = b.left + 35.0 / 60 * (b.right - b.left);
    char rect[128];
    std::snprintf(rect, sizeof rect, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\"", x0, b.top, x1 - x0);
    EXPECT_TRUE(contains(svg, rect)) << rect;
    EXPECT_TRUE(contains(svg, ">90% of baseline</text>"));
    EXPECT_TRUE(contains(svg, ">recovered</text>"));
}

// A window still on when the run ended is shaded to the edge, without the dashed line that marks
// where a window heals.
TEST(ReportChart, AWindowStillOnAtTheEndHasNoHealingLine) {
    Chart c = goodput_chart();
    c.bands.resize(1);
    const std::string healed = render_svg(c);
    EXPECT_EQ(count(healed, "stroke-dasharray=\"3 3\""), 1u) << "where the partition heals";
    c.bands[0].to = 90;  // past the axis's 60s
    c.bands[0].open = true;
    const std::string open = render_svg(c);
    EXPECT_EQ(count(open, "stroke-dasharray=\"3 3\""), 0u) << open;
    EXPECT_EQ(count(open, "fill=\"#f28e2b\""), 1u) << "still shaded";
}

TEST(ReportChart, SaysSoWhenNoLineHasAValue) {
    Chart c = goodput_chart();
    c.lines.clear();
    c.note = "no errors";
    const std::string svg = render_svg(c);
    EXPECT_TRUE(contains(svg, ">no errors</text>"));
    EXPECT_EQ(count(svg, "<path"), 0u);
}

TEST(ReportChart, TheReadOutDataIsSafeInsideAScriptElement) {
    Chart c = goodput_chart();
    c.lines[0].label = "</script><script>alert(1)</script>";
    const std::string json = chart_data_json(c);
    EXPECT_FALSE(contains(json, "</script>")) << json;
    EXPECT_TRUE(contains(json, "\"y\":[100,100,0,0,100,100]"));
}

TEST(ReportPanels, EveryChartOfARunShowsItsFaultWindow) {
    const RunRecord r = report_test::outage_run();
    const std::vector<Panel> panels = build_panels({&r}, {r.scenario});
    ASSERT_GE(panels.size(), 4u);
    for (const Panel& p : panels) {
        ASSERT_EQ(p.chart.bands.size(), 1u) << p.chart.title;
        EXPECT_EQ(p.chart.bands[0].label, "partition api db") << p.chart.title;
        EXPECT_EQ(p.chart.bands[0].from, 20);
        EXPECT_EQ(p.chart.bands[0].to, 30);
        EXPECT_FALSE(p.chart.bands[0].open);
        EXPECT_FALSE(p.chart.y_label.empty()) << p.chart.title;
    }
    // A window past the run's end is open, and says so on hover.
    RunRecord cut = r;
    cut.end_s = 25;
    for (const Panel& p : build_panels({&cut}, {cut.scenario})) {
        ASSERT_EQ(p.chart.bands.size(), 1u) << p.chart.title;
        EXPECT_TRUE(p.chart.bands[0].open) << p.chart.title;
        EXPECT_TRUE(contains(p.chart.bands[0].detail, "(still on when the run ended at 25s)"))
            << p.chart.bands[0].detail;
    }
    // A window with no duration still open at the end (a crash that stays down) is shaded to the
    // edge too (it was an instant's line).
    RunRecord down = r;
    down.faults[0].duration_s.reset();
    down.faults[0].open_at_end = true;
    for (const Panel& p : build_panels({&down}, {down.scenario})) {
        ASSERT_EQ(p.chart.bands.size(), 1u) << p.chart.title;
        EXPECT_TRUE(p.chart.bands[0].open) << p.chart.title;
        EXPECT_EQ(p.chart.bands[0].to, 60) << "to the run's end";
        EXPECT_TRUE(contains(p.chart.bands[0].detail, "(still on when the run ended at 1m)"))
            << p.chart.bands[0].detail;
    }
    std::vector<std::string> titles;
    for (const Panel& p : panels) titles.push_back(p.chart.title);
    for (const char* t : {"Offered load, goodput and errors: users", "Client errors by kind: users",
                          "Retry amplification per call edge", "Retries per call edge"}) {
        EXPECT_NE(std::find(titles.begin(), titles.end(), t), titles.end()) << t;
    }
}

TEST(ReportPanels, GoodputShowsTheRecoveryRuleAndWhenItRecovered) {
    const RunRecord r = report_test::outage_run();
    const std::vector<Panel> panels = build_panels({&r}, {r.scenario});
    const Chart& c = panels.front().chart;
    ASSERT_EQ(c.levels.size(), 1u);
    EXPECT_DOUBLE_EQ(c.levels[0].y, 90);
    bool deadline = false, recovered = false;
    for (const Marker& m : c.markers) {
        deadline = deadline || (m.x == 50 && contains(m.label, "recovery deadline"));
        recovered = recovered || (m.x == 35 && m.label == "recovered 5s after 30s");
    }
    EXPECT_TRUE(deadline);
    EXPECT_TRUE(recovered);
    // Errors before the first one are 0, not a gap.
    const Line& errors = c.lines.at(2);
    EXPECT_EQ(errors.label, "errors");
    EXPECT_EQ(errors.y.front(), 0);
    EXPECT_EQ(errors.y.at(24), 100);
}

TEST(ReportPanels, AComparisonDrawsBothRunsOnTheSameAxesColouredByRun) {
    const RunRecord a = report_test::outage_run();
    RunRecord b = report_test::outage_run();
    for (models::Series& s : b.series) {
        if (s.name == "calls.api.db.attempts") s.values.assign(s.values.size(), 100);
    }
    const std::vector<Panel> panels = build_panels({&a, &b}, {"A", "B"});
    for (const Panel& p : panels) {
        if (p.chart.title != "Retry amplification per call edge") continue;
        ASSERT_EQ(p.chart.lines.size(), 2u);
        EXPECT_EQ(p.chart.lines[0].label, "A");
        EXPECT_EQ(p.chart.lines[1].label, "B");
        EXPECT_EQ(p.chart.lines[0].colour, run_colour(0));
        EXPECT_EQ(p.chart.lines[1].colour, run_colour(1));
        EXPECT_EQ(p.chart.lines[0].y.at(24), 3);
        EXPECT_EQ(p.chart.lines[1].y.at(24), 1);
        EXPECT_EQ(p.chart.bands.size(), 1u) << "the same faults are drawn once";
        return;
    }
    FAIL() << "no amplification chart";
}

TEST(ReportPanels, TwoRunsWithDifferentRecoveryDeadlinesShowEachNamed) {
    const RunRecord a = report_test::outage_run();
    RunRecord b = report_test::outage_run();
    bool changed = false;
    for (InvariantRecord& inv : b.invariants) {
        if (inv.recovery) {
            inv.recovery->within_s = 25;  // B's deadline at 55s, A's at 50s
            changed = true;
        }
    }
    ASSERT_TRUE(changed);
    auto deadlines = [](const std::vector<Panel>& panels) {
        std::vector<std::pair<double, std::string>> out;
        for (const Marker& m : panels.front().chart.markers) {
            if (contains(m.label, "recovery deadline")) out.emplace_back(m.x, m.label);
        }
        return out;
    };
    const auto two = deadlines(build_panels({&a, &b}, {"A", "B"}));
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0], std::make_pair(50.0, std::string("A: recovery deadline (30s + 20s)")));
    EXPECT_EQ(two[1], std::make_pair(55.0, std::string("B: recovery deadline (30s + 25s)")));
    // The same deadline for both: drawn once, unnamed.
    const auto one = deadlines(build_panels({&a, &a}, {"A", "B"}));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0], std::make_pair(50.0, std::string("recovery deadline (30s + 20s)")));
}

TEST(ReportHeatmap, DrawsEveryCellWithItsTextAndTheAxes) {
    Heatmap h;
    h.id = "h";
    h.title = "Seeds passing";
    h.x_label = "load";
    h.y_label = "retries";
    h.x_values = {"1000", "2000"};
    h.y_values = {"1", "2"};
    h.cells = {{{"#1a7f37", "3/3", "a"}, {"#b00020", "0/3", "b"}}, {{"#1a7f37", "3/3", "c"}, {"", "", ""}}};
    h.legend = {{"#1a7f37", "all pass"}};
    const std::string svg = render_heatmap_svg(h);
    EXPECT_EQ(count(svg, ">3/3</text>"), 2u);
    EXPECT_EQ(count(svg, ">0/3</text>"), 1u);
    EXPECT_EQ(count(svg, "fill=\"#f3f3f3\""), 1u) << "a cell that did not run";
    for (const char* t : {">1000<", ">2000<", ">load<", ">retries<", ">all pass<"}) EXPECT_TRUE(contains(svg, t)) << t;
    EXPECT_EQ(text_colour_on("#b00020"), "#fff");
    EXPECT_EQ(text_colour_on("#ffffcc"), "#111");
    EXPECT_EQ(blend({"#000000", "#ffffff"}, 0.5), "#808080");
    // A title longer than the grid widens the picture (it was cut: "... so tota").
    h.title = "Errors per simulated second (median; failing runs stop early, so totals would cover different lengths)";
    const std::string wide = render_heatmap_svg(h);
    const std::size_t at = wide.find("width=\"") + 7;
    const double width = std::stod(wide.substr(at));
    const std::size_t x_at = wide.find("<text x=\"") + 9;
    const double title_x = std::stod(wide.substr(x_at));
    EXPECT_GE(width, title_x + text_width(h.title, 13)) << wide.substr(0, 400);
}

}  // namespace

namespace {
// A tester's finding: `always: {metric: db.queries, max: 1000000}` stretched the queries chart to
// 1M/s, and `eventually: {metric: users.ok, min: 5000}` drew a 5k/s floor on goodput. Those
// invariants bound a counter's total; its chart is its rate per second. A gauge's chart is in
// the invariant's units, and keeps its bound.
TEST(ReportPanels, AnInvariantBoundIsDrawnOnlyWhereTheChartIsInItsUnits) {
    RunRecord r = report_test::outage_run();
    r.series.push_back({"users.inflight", std::vector<double>(r.times.size(), 10)});
    auto bound = [](const std::string& name, const std::string& metric, std::optional<double> min,
                    std::optional<double> max) {
        InvariantRecord inv;
        inv.name = name;
        inv.kind = "always";
        inv.result = "pass";
        inv.metric = metric;
        inv.min = min;
        inv.max = max;
        return inv;
    };
    r.invariants.push_back(bound("ok total", "users.ok", 5000, std::nullopt));
    r.invariants.push_back(bound("offered total", "users.offered", std::nullopt, 1e6));
    r.invariants.push_back(bound("in flight", "users.inflight", std::nullopt, 50));
    bool inflight_chart = false;
    for (const Panel& p : build_panels({&r}, {r.scenario})) {
        for (const Level& l : p.chart.levels) {
            EXPECT_FALSE(contains(l.label, "total")) << p.chart.title << ": " << l.label << " on a rate chart";
        }
        if (contains(p.chart.title, "Requests in flight")) {
            inflight_chart = true;
            ASSERT_EQ(p.chart.levels.size(), 1u);
            EXPECT_EQ(p.chart.levels[0].y, 50);
            EXPECT_EQ(p.chart.levels[0].label, "limit: in flight");
        }
    }
    EXPECT_TRUE(inflight_chart);
}
}  // namespace
