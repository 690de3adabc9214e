#include "report/heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "report/chart.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

std::string px(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

void rgb(const std::string& hex, int& r, int& g, int& b) {
    r = g = b = 0;
    if (hex.size() != 7 || hex[0] != '#') return;
    const long v = std::strtol(hex.c_str() + 1, nullptr, 16);
    r = static_cast<int>((v >> 16) & 0xff);
    g = static_cast<int>((v >> 8) & 0xff);
    b = static_cast<int>(v & 0xff);
}

}  // namespace

std::string blend(const std::vector<std::string>& stops, double t) {
    if (stops.empty()) return "#cccccc";
    if (!(t > 0)) return stops.front();
    if (t >= 1) return stops.back();
    const double at = t * static_cast<double>(stops.size() - 1);
    const auto i = static_cast<std::size_t>(at);
    const double f = at - static_cast<double>(i);
    int r0, g0, b0, r1, g1, b1;
    rgb(stops[i], r0, g0, b0);
    rgb(stops[std::min(i + 1, stops.size() - 1)], r1, g1, b1);
    auto mix = [f](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * f)); };
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(r0, r1), mix(g0, g1), mix(b0, b1));
    return buf;
}

std::string text_colour_on(const std::string& background) {
    int r, g, b;
    rgb(background, r, g, b);
    return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? "#111" : "#fff";
}

std::string render_heatmap_svg(const Heatmap& h) {
    const std::size_t nx = h.x_values.size(), ny = h.y_values.size();
    double y_label_w = 0;
    for (const std::string& v : h.y_values) y_label_w = std::max(y_label_w, text_width(v));
    double cell_text_w = 0;
    for (const auto& row : h.cells) {
        for (const HeatCell& c : row) cell_text_w = std::max(cell_text_w, text_width(c.text, 10.5));
    }
    const double cw = std::clamp(std::max(560.0 / std::max<std::size_t>(nx, 1), cell_text_w + 10), 40.0, 120.0);
    const double ch = 30;
    const double left = std::ceil(y_label_w) + 40, top = 30;
    // Wide enough for the title too (bold 13px), which is drawn from `left`: a long one was cut.
    const double width =
        std::max({left + cw * static_cast<double>(nx) + 16, 360.0, left + text_width(h.title, 13) * 1.1 + 16});
    const double grid_bottom = top + ch * static_cast<double>(ny);
    // Legend swatches wrap over rows.
    double lx = left, ly = grid_bottom + 44;
    std::vector<std::pair<double, double>> legend_at;
    for (const auto& [colour, label] : h.legend) {
        const double w = 18 + text_width(label) + 16;
        if (lx > left && lx + w > width - 8) {
            lx = left;
            ly += 16;
        }
        legend_at.emplace_back(lx, ly);
        lx += w;
    }
    const double height = (h.legend.empty() ? grid_bottom + 40 : ly + 14);

    std::string o = "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + px(width) + " " +
                    px(height) + "\" width=\"" + px(width) + "\" height=\"" + px(height) +
                    "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"" +
                    html(h.title) + "\" id=\"" + html(h.id) + "\">\n<title>" + html(h.title) + "</title>\n";
    o += "<text x=\"" + px(left) + "\" y=\"18\" font-size=\"13\" font-weight=\"bold\" fill=\"#222\">" + html(h.title) +
         "</text>\n";
    for (std::size_t row = 0; row < ny; ++row) {
        const double y = grid_bottom - ch * static_cast<double>(row + 1);
        o += "<text x=\"" + px(left - 6) + "\" y=\"" + px(y + ch / 2 + 4) + "\" text-anchor=\"end\" fill=\"#555\">" +
             html(h.y_values[row]) + "</text>\n";
        for (std::size_t col = 0; col < nx; ++col) {
            const double x = left + cw * static_cast<double>(col);
            const HeatCell* c = row < h.cells.size() && col < h.cells[row].size() ? &h.cells[row][col] : nullptr;
            if (c == nullptr || c->colour.empty()) {
                o += "<rect x=\"" + px(x + 1) + "\" y=\"" + px(y + 1) + "\" width=\"" + px(cw - 2) + "\" height=\"" +
                     px(ch - 2) + "\" fill=\"#f3f3f3\" stroke=\"#ddd\"/>\n";
                continue;
            }
            o += "<g><rect x=\"" + px(x + 1) + "\" y=\"" + px(y + 1) + "\" width=\"" + px(cw - 2) + "\" height=\"" +
                 px(ch - 2) + "\" rx=\"2\" fill=\"" + html(c->colour) + "\"/><text x=\"" + px(x + cw / 2) + "\" y=\"" +
                 px(y + ch / 2 + 4) + "\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"" +
                 text_colour_on(c->colour) + "\">" + html(c->text) + "</text><title>" + html(c->detail) +
                 "</title></g>\n";
        }
    }
    for (std::size_t col = 0; col < nx; ++col) {
        o += "<text x=\"" + px(left + cw * (static_cast<double>(col) + 0.5)) + "\" y=\"" + px(grid_bottom + 14) +
             "\" text-anchor=\"middle\" fill=\"#555\">" + html(h.x_values[col]) + "</text>\n";
    }
    o += "<text x=\"" + px(left + cw * static_cast<double>(nx) / 2) + "\" y=\"" + px(grid_bottom + 30) +
         "\" text-anchor=\"middle\" fill=\"#333\">" + html(h.x_label) + "</text>\n";
    o += "<text transform=\"translate(13 " + px((top + grid_bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">" + html(h.y_label) + "</text>\n";
    for (std::size_t i = 0; i < h.legend.size(); ++i) {
        const auto& [colour, label] = h.legend[i];
        const auto [x, y] = legend_at[i];
        o += "<rect x=\"" + px(x) + "\" y=\"" + px(y - 9) + "\" width=\"14\" height=\"11\" fill=\"" + html(colour) +
             "\" stroke=\"#999\" stroke-width=\"0.5\"/><text x=\"" + px(x + 18) + "\" y=\"" + px(y) +
             "\" fill=\"#333\">" + html(label) + "</text>\n";
    }
    return o + "</svg>\n";
}

}  // namespace faultline::report
