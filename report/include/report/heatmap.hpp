// A heatmap of a sweep: one cell per pair of grid values, coloured and labelled by the caller,
// with axis labels, a title and a legend of colour swatches. Inline SVG, like the charts.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace faultline::report {

struct HeatCell {
    std::string colour;  // "" for no cell (not run)
    std::string text;    // drawn in the cell
    std::string detail;  // on hover
};

struct Heatmap {
    std::string id;
    std::string title;
    std::string x_label;
    std::string y_label;
    std::vector<std::string> x_values;
    std::vector<std::string> y_values;                        // bottom to top
    std::vector<std::vector<HeatCell>> cells;                 // [y][x]
    std::vector<std::pair<std::string, std::string>> legend;  // (colour, label)
};

std::string render_heatmap_svg(const Heatmap& h);

// A colour t in [0, 1] of the way along `stops` (hex "#rrggbb"), interpolated in RGB.
std::string blend(const std::vector<std::string>& stops, double t);
// Black or white, whichever reads better on `background`.
std::string text_colour_on(const std::string& background);

}  // namespace faultline::report
