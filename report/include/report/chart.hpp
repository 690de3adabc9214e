// One chart routine for every time-series chart in a report: lines over virtual time, with fault
// windows shaded and labelled, markers (the failure, an invariant's deadline, the moment goodput
// recovered) and reference levels (90% of the baseline), a title, axis labels with units, a
// legend and nice ticks. Rendered as inline SVG (no script needed to see it); the page's script
// reads chart_data_json() to show the values under the cursor.
//
// Left out: interaction beyond the read-out (zoom, toggling lines), stacked areas, second y axes
// (charts with different units are separate charts).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/text.hpp"

namespace faultline::report {

struct Line {
    std::string label;
    std::vector<double> x;  // seconds of virtual time
    std::vector<double> y;  // NaN: no value there (the line has a gap)
    std::string colour;     // any CSS colour
    int dash = 0;           // 0 solid, 1 dashed, 2 dotted, 3 dash-dot
};

// A fault window [from, to] shaded across the plot; to == from draws an instant (a line).
struct Band {
    double from = 0;
    double to = 0;
    std::string label;   // shown at the top of the plot
    std::string detail;  // shown on hover (the fault's parameters)
    bool open = false;   // still on when the run ended: shaded to the edge, no line where it heals
};

// A moment: a vertical line labelled at the bottom of the plot.
struct Marker {
    double x = 0;
    std::string label;
    std::string colour = "#444";
    bool dashed = true;
};

// A reference value: a horizontal line labelled at its right end.
struct Level {
    double y = 0;
    std::string label;
    std::string colour = "#666";
};

struct Chart {
    std::string id;  // unique in the page (anchors, clip paths)
    std::string title;
    std::string y_label;  // what the y axis measures, with its unit: "requests per second"
    Unit unit = Unit::count;
    bool log_y = false;
    double x_min = 0;
    double x_max = 0;
    std::optional<double> y_min;  // fixed ends; otherwise from 0 (or below, for negative data)
    std::optional<double> y_max;  // to the data's maximum, widened to a tick
    std::vector<Line> lines;
    std::vector<Band> bands;
    std::vector<Marker> markers;
    std::vector<Level> levels;
    std::string note;  // said in the plot when no line has a value
};

struct ChartSize {
    int width = 640;
    int plot_height = 190;
};

std::string render_svg(const Chart& chart, const ChartSize& size = {});

// The numbers behind a chart for the page's cursor read-out: plot edges in pixels, time range,
// unit and each line's points (JSON, safe to place inside <script>).
std::string chart_data_json(const Chart& chart, const ChartSize& size = {});

// Where the plot area sits for a chart of this size (render_svg and the read-out agree on it).
struct PlotBox {
    double left, right, top, bottom, height;  // height: of the whole SVG
};
PlotBox plot_box(const Chart& chart, const ChartSize& size);

// Line styles, as SVG stroke-dasharray values ("" for solid).
const char* dash_pattern(int dash);

// About how wide a label is in the chart's 11px sans-serif font (for layout without a browser).
double text_width(const std::string& s, double font_px = 11);

}  // namespace faultline::report
