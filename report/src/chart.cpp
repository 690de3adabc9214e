#include "report/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/ticks.hpp"

namespace faultline::report {

namespace {

constexpr double legend_row = 15;
constexpr int band_label_rows_max = 3;
constexpr double title_height = 26;

std::string px(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

struct LegendItem {
    double x;
    int row;
};

std::vector<LegendItem> legend_layout(const Chart& c, double left, double right, int& rows) {
    std::vector<LegendItem> out;
    double x = left;
    int row = 0;
    for (const Line& l : c.lines) {
        const double w = 24 + text_width(l.label) + 14;
        if (x > left && x + w > right) {
            x = left;
            ++row;
        }
        out.push_back({x, row});
        x += w;
    }
    rows = c.lines.empty() ? 0 : row + 1;
    return out;
}

struct YAxis {
    Ticks ticks;
    bool log = false;
};

YAxis y_axis(const Chart& c) {
    double lo = INFINITY, hi = -INFINITY;
    for (const Line& l : c.lines) {
        for (double v : l.y) {
            if (!std::isfinite(v) || (c.log_y && v <= 0)) continue;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    for (const Level& l : c.levels) {
        if (std::isfinite(l.y) && (!c.log_y || l.y > 0)) {
            lo = std::min(lo, l.y);
            hi = std::max(hi, l.y);
        }
    }
    YAxis a;
    a.log = c.log_y;
    if (c.log_y) {
        if (!(hi > 0)) {
            lo = 1e-3;
            hi = 1;
        }
        a.ticks = log_ticks(c.y_min.value_or(lo), c.y_max.value_or(hi));
        return a;
    }
    if (!std::isfinite(lo)) lo = hi = 0;
    const double from = c.y_min.value_or(std::min(0.0, lo));
    double to = c.y_max.value_or(hi);
    if (!(to > from)) to = from + (c.unit == Unit::ratio ? 1 : 1);
    a.ticks = linear_ticks(from, to, c.y_max && c.y_min ? 4 : 5);
    return a;
}

}  // namespace

double text_width(const std::string& s, double font_px) {
    double w = 0;
    for (unsigned char ch : s) {
        if ((ch & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: counted with its lead
        if (ch >= 0x80)
            w += 7;
        else if (std::string_view("il.,:;'|!()[] ").find(static_cast<char>(ch)) != std::string_view::npos)
            w += 3.2;
        else if (ch == 'm' || ch == 'w' || ch == 'M' || ch == 'W')
            w += 9;
        else if (ch >= 'A' && ch <= 'Z')
            w += 7.4;
        else
            w += 6.1;
    }
    return w * font_px / 11;
}

const char* dash_pattern(int dash) {
    switch (dash) {
        case 1:
            return "7 4";
        case 2:
            return "2 3";
        case 3:
            return "8 3 2 3";
        default:
            return "";
    }
}

PlotBox plot_box(const Chart& c, const ChartSize& size) {
    const YAxis a = y_axis(c);
    double label_w = 0;
    for (double v : a.ticks.values) label_w = std::max(label_w, text_width(format_short(v, c.unit)));
    PlotBox b{};
    b.left = std::max(52.0, std::ceil(label_w) + 30);
    b.right = size.width - 14;
    int rows = 0;
    legend_layout(c, b.left, b.right, rows);
    b.top = title_height + rows * legend_row + 8;
    b.bottom = b.top + size.plot_height;
    b.height = b.bottom + 38;
    return b;
}

std::string render_svg(const Chart& c, const ChartSize& size) {
    const PlotBox b = plot_box(c, size);
    const YAxis a = y_axis(c);
    const Scale sx(c.x_min, c.x_max > c.x_min ? c.x_max : c.x_min + 1, b.left, b.right);
    const Scale sy(a.ticks.lo, a.ticks.hi, b.bottom, b.top, a.log);
    const std::string clip = "clip-" + c.id;
    std::string o;
    o.reserve(16384);
    o += "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size.width) + " " +
         px(b.height) + "\" width=\"" + std::to_string(size.width) + "\" height=\"" + px(b.height) +
         "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"" + html(c.title) +
         "\" id=\"" + html(c.id) + "\" data-chart=\"" + html(c.id) + "\">\n";
    o += "<title>" + html(c.title) + "</title>\n";
    o += "<defs><clipPath id=\"" + html(clip) + "\"><rect x=\"" + px(b.left) + "\" y=\"" + px(b.top) + "\" width=\"" +
         px(b.right - b.left) + "\" height=\"" + px(b.bottom - b.top) + "\"/></clipPath></defs>\n";
    o += "<text x=\"" + px(b.left) + "\" y=\"17\" font-size=\"13\" font-weight=\"bold\" fill=\"#222\">" +
         html(c.title) + "</text>\n";

    // Legend.
    int rows = 0;
    const std::vector<LegendItem> items = legend_layout(c, b.left, b.right, rows);
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
        const Line& l = c.lines[i];
        const double y = title_height + items[i].row * legend_row + 4;
        const double x = items[i].x;
        o += "<line x1=\"" + px(x) + "\" y1=\"" + px(y) + "\" x2=\"" + px(x + 20) + "\" y2=\"" + px(y) +
             "\" stroke=\"" + html(l.colour) + "\" stroke-width=\"2.4\"";
        if (*dash_pattern(l.dash)) o += std::string(" stroke-dasharray=\"") + dash_pattern(l.dash) + "\"";
        o += "/><text x=\"" + px(x + 24) + "\" y=\"" + px(y + 4) + "\" fill=\"#333\">" + html(l.label) + "</text>\n";
    }

    // Plot area, grid and ticks.
    o += "<rect x=\"" + px(b.left) + "\" y=\"" + px(b.top) + "\" width=\"" + px(b.right - b.left) + "\" height=\"" +
         px(b.bottom - b.top) + "\" fill=\"#fff\" stroke=\"#bbb\"/>\n";
    for (double v : a.ticks.values) {
        const double y = sy(v);
        o += "<line x1=\"" + px(b.left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(b.right) + "\" y2=\"" + px(y) +
             "\" stroke=\"#e5e5e5\"/><text x=\"" + px(b.left - 6) + "\" y=\"" + px(y + 4) +
             "\" text-anchor=\"end\" fill=\"#555\">" + html(format_short(v, c.unit)) + "</text>\n";
    }
    const Ticks xt = time_ticks(c.x_min, c.x_max > c.x_min ? c.x_max : c.x_min + 1, 10);
    for (double v : xt.values) {
        const double x = sx(v);
        o += "<line x1=\"" + px(x) + "\" y1=\"" + px(b.top) + "\" x2=\"" + px(x) + "\" y2=\"" + px(b.bottom) +
             "\" stroke=\"#f0f0f0\"/><line x1=\"" + px(x) + "\" y1=\"" + px(b.bottom) + "\" x2=\"" + px(x) +
             "\" y2=\"" + px(b.bottom + 4) + "\" stroke=\"#888\"/><text x=\"" + px(x) + "\" y=\"" + px(b.bottom + 15) +
             "\" text-anchor=\"middle\" fill=\"#555\">" + html(format_time(v)) + "</text>\n";
    }

    // Fault windows under the data.
    for (const Band& band : c.bands) {
        const double x0 = std::clamp(sx(band.from), b.left, b.right), x1 = std::clamp(sx(band.to), b.left, b.right);
        o += "<g class=\"fault\">";
        if (band.to > band.from) {
            o += "<rect x=\"" + px(x0) + "\" y=\"" + px(b.top) + "\" width=\"" + px(std::max(1.0, x1 - x0)) +
                 "\" height=\"" + px(b.bottom - b.top) + "\" fill=\"#f28e2b\" fill-opacity=\"0.16\"/>";
        }
        o += "<line x1=\"" + px(x0) + "\" y1=\"" + px(b.top) + "\" x2=\"" + px(x0) + "\" y2=\"" + px(b.bottom) +
             "\" stroke=\"#d4660f\" stroke-width=\"1.2\"/>";
        if (band.to > band.from && !band.open) {
            o += "<line x1=\"" + px(x1) + "\" y1=\"" + px(b.top) + "\" x2=\"" + px(x1) + "\" y2=\"" + px(b.bottom) +
                 "\" stroke=\"#d4660f\" stroke-width=\"0.8\" stroke-dasharray=\"3 3\"/>";
        }
        o += "<title>" + html(band.detail.empty() ? band.label : band.detail) + "</title></g>\n";
    }
    for (const Level& l : c.levels) {
        const double y = sy(l.y);
        o += "<line x1=\"" + px(b.left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(b.right) + "\" y2=\"" + px(y) +
             "\" stroke=\"" + html(l.colour) + "\" stroke-dasharray=\"5 3\" stroke-width=\"1.2\"/>";
        o += "<text x=\"" + px(b.right - 4) + "\" y=\"" + px(y - 4) + "\" text-anchor=\"end\" fill=\"" +
             html(l.colour) + "\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">" + html(l.label) +
             "</text>\n";
    }

    // The data.
    bool any = false;
    for (const Line& l : c.lines) {
        std::string d;
        bool pen = false;
        for (std::size_t i = 0; i < l.x.size() && i < l.y.size(); ++i) {
            double v = l.y[i];
            if (!std::isfinite(v) || (a.log && v <= 0)) {
                pen = false;
                continue;
            }
            any = true;
            d += pen ? " L" : (d.empty() ? "M" : " M");
            d += px(sx(l.x[i])) + " " + px(sy(v));
            pen = true;
        }
        if (d.empty()) continue;
        o += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + html(l.colour) +
             "\" stroke-width=\"1.8\" stroke-linejoin=\"round\" stroke-linecap=\"round\" clip-path=\"url(#" +
             html(clip) + ")\"";
        if (*dash_pattern(l.dash)) o += std::string(" stroke-dasharray=\"") + dash_pattern(l.dash) + "\"";
        o += "><title>" + html(l.label) + "</title></path>\n";
    }
    if (!any) {
        o += "<text x=\"" + px((b.left + b.right) / 2) + "\" y=\"" + px((b.top + b.bottom) / 2) +
             "\" text-anchor=\"middle\" fill=\"#888\">" + html(c.note.empty() ? "no data" : c.note) + "</text>\n";
    }

    // Markers, then labels on top of everything: fault labels along the top, marker labels
    // along the bottom, each in the first row where it does not overlap a neighbour.
    for (const Marker& m : c.markers) {
        const double x = std::clamp(sx(m.x), b.left, b.right);
        o += "<line x1=\"" + px(x) + "\" y1=\"" + px(b.top) + "\" x2=\"" + px(x) + "\" y2=\"" + px(b.bottom) +
             "\" stroke=\"" + html(m.colour) + "\" stroke-width=\"1.4\"" +
             (m.dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>\n";
    }
    auto place = [&](double x, double w, std::vector<double>& row_ends) -> int {
        for (std::size_t r = 0; r < row_ends.size(); ++r) {
            if (x >= row_ends[r]) {
                row_ends[r] = x + w + 6;
                return static_cast<int>(r);
            }
        }
        return -1;
    };
    std::vector<double> top_rows(band_label_rows_max, -1e9), bottom_rows(band_label_rows_max, -1e9);
    for (const Band& band : c.bands) {
        if (band.label.empty()) continue;
        const double w = text_width(band.label, 10) * 1.1;  // the estimate runs a little short
        double x = std::clamp(sx(band.from), b.left, b.right) + 3;
        if (x + w > b.right) x = std::max(b.left, b.right - w - 2);
        const int r = place(x, w, top_rows);
        if (r < 0) continue;  // too crowded: the band keeps its hover title
        o += "<text x=\"" + px(x) + "\" y=\"" + px(b.top + 12 + r * 12) +
             "\" font-size=\"10\" fill=\"#a04a00\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">" +
             html(band.label) + "</text>\n";
    }
    for (const Marker& m : c.markers) {
        if (m.label.empty()) continue;
        const double w = text_width(m.label, 10) * 1.1;
        double x = std::clamp(sx(m.x), b.left, b.right) + 3;
        if (x + w > b.right) x = std::max(b.left, std::clamp(sx(m.x), b.left, b.right) - w - 3);
        const int r = place(x, w, bottom_rows);
        if (r < 0) continue;
        o += "<text x=\"" + px(x) + "\" y=\"" + px(b.bottom - 5 - r * 12) + "\" font-size=\"10\" fill=\"" +
             html(m.colour) + "\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">" + html(m.label) +
             "</text>\n";
    }

    // Axis labels.
    const double mid_y = (b.top + b.bottom) / 2;
    o += "<text transform=\"translate(13 " + px(mid_y) + ") rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">" +
         html(c.y_label) + (a.log ? " (log scale)" : "") + "</text>\n";
    o += "<text x=\"" + px((b.left + b.right) / 2) + "\" y=\"" + px(b.bottom + 31) +
         "\" text-anchor=\"middle\" fill=\"#333\">virtual time since the start of the run</text>\n";
    o += "<line class=\"cursor\" x1=\"0\" y1=\"" + px(b.top) + "\" x2=\"0\" y2=\"" + px(b.bottom) +
         "\" stroke=\"#333\" stroke-width=\"0.8\" visibility=\"hidden\"/>\n";
    o += "</svg>\n";
    return o;
}

std::string chart_data_json(const Chart& c, const ChartSize& size) {
    const PlotBox b = plot_box(c, size);
    const char* unit = "count";
    switch (c.unit) {
        case Unit::count:
            unit = "count";
            break;
        case Unit::per_second:
            unit = "per_second";
            break;
        case Unit::seconds:
            unit = "seconds";
            break;
        case Unit::ratio:
            unit = "ratio";
            break;
        case Unit::times:
            unit = "times";
            break;
        case Unit::megabytes:
            unit = "megabytes";
            break;
    }
    std::string o = "{\"id\":" + json_string(c.id) + ",\"left\":" + px(b.left) + ",\"right\":" + px(b.right) +
                    ",\"width\":" + std::to_string(size.width) + ",\"t0\":" + num(c.x_min) +
                    ",\"t1\":" + num(c.x_max > c.x_min ? c.x_max : c.x_min + 1) + ",\"unit\":\"" + unit +
                    "\",\"lines\":[";
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
        const Line& l = c.lines[i];
        o += std::string(i ? "," : "") + "{\"label\":" + json_string(l.label) + ",\"colour\":" + json_string(l.colour) +
             ",\"x\":[";
        for (std::size_t k = 0; k < l.x.size(); ++k) o += (k ? "," : "") + num(l.x[k]);
        o += "],\"y\":[";
        for (std::size_t k = 0; k < l.y.size(); ++k)
            o += std::string(k ? "," : "") + (std::isfinite(l.y[k]) ? num(l.y[k]) : "null");
        o += "]}";
    }
    return o + "]}";
}

}  // namespace faultline::report
