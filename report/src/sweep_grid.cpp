// --grid PATH=SPEC: ranges and lists of values, and which option paths a name sets.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "report/sweep.hpp"
#include "report/text.hpp"
#include "sim/values.hpp"

namespace faultline::report {

namespace {

constexpr std::size_t axis_values_max = 1000;
// A range without a STEP steps by 1: fine for 1..5 attempts, but 800/s..1600/s would be 801
// cells, most likely not what was meant. Past this many, a STEP must be given.
constexpr double unstepped_values_max = 50;

[[noreturn]] void bad(const std::string& text, const std::string& what) {
    throw ReportError("--grid " + text + ": " + what);
}

// "1000/s" -> (1000, "/s"); "250ms" -> (250, "ms"); false when it does not start with a number.
bool split_number(const std::string& s, double& value, std::string& unit) {
    const char* begin = s.c_str();
    char* end = nullptr;
    value = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(value)) return false;
    // strtod reads "1e3" and hex and "inf"; a unit starting with 'e' ("1e") is not ours to guess.
    unit = std::string(end);
    return true;
}

// A round step that cuts [from, to] into about four: 1, 2, 2.5 or 5 times a power of ten.
double round_step(double from, double to) {
    const double raw = (to - from) / 4;
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    double step = decade;
    for (double m : {2.0, 2.5, 5.0, 10.0}) {
        if (m * decade <= raw) step = m * decade;
    }
    return step;
}

// Nanoseconds in a duration unit (sim's units: "1" + unit read as a duration), or nothing when
// `unit` is not one: for a range whose ends use different ones.
std::optional<double> time_unit_ns(const std::string& unit) {
    sim::Duration d{};
    if (unit.empty() || sim::parse_value("1" + unit, d)) return std::nullopt;
    return static_cast<double>(d.count());
}

// A compound duration ("1m30s", "1ms500us": a unit followed by more digits) as one number and
// unit ("90s", "1500us"), the largest unit that holds it exactly, so that a range reads it whole
// (it read "1" and the unit "ms500us"). Anything else is returned as it is.
std::string one_unit(const std::string& text, const std::string& grid) {
    double value = 0;
    std::string unit;
    if (!split_number(text, value, unit)) return text;
    const auto letters = static_cast<std::size_t>(
        std::find_if(unit.begin(), unit.end(), [](char c) { return !std::isalpha(static_cast<unsigned char>(c)); }) -
        unit.begin());
    // One unit ("250ms"), or not a duration at all ("1e3/s"): as it is.
    if (letters == unit.size() || !time_unit_ns(unit.substr(0, letters))) return text;
    sim::Duration d{};
    if (auto e = sim::parse_value(text, d)) bad(grid, "'" + text + "': " + *e);
    return sim::format_value(d);  // the largest unit that holds it exactly
}

std::string trimmed(const std::string& s) { return std::string(sim::trim(s)); }

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// How deep in brackets the text is after `c`: a value's commas and "..", inside (), [] or {}, are
// the value's (zipf(1000, 1.2), backend-{1..4}). A stray closing bracket is left to the reader.
void track_brackets(char c, std::size_t& depth) {
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
}

}  // namespace

GridText parse_grid_text(const std::string& text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) bad(text, "expected PATH=A..B[:STEP] or PATH=v1,v2,...");
    GridText g;
    g.name = text.substr(0, eq);
    // 'services..api.cpu', '.attempts_max': what --set says of it, not "no option is called ...".
    if (g.name.front() == '.' || g.name.back() == '.' || g.name.find("..") != std::string::npos)
        bad(text, "empty path segment in " + g.name);
    const std::string spec = text.substr(eq + 1);
    if (spec.empty()) bad(text, "no values after '='");
    // A range's ".." is outside brackets: the one in a host pattern (backend-{1..4}) is the value's.
    std::size_t dots = std::string::npos;
    for (std::size_t i = 0, depth = 0; i + 1 < spec.size() && dots == std::string::npos; ++i) {
        track_brackets(spec[i], depth);
        if (depth == 0 && spec.compare(i, 2, "..") == 0) dots = i;
    }
    if (dots == std::string::npos) {
        // Commas inside brackets belong to the value: zipf(1000, 1.2), [1, 2].
        std::size_t depth = 0;
        std::string v;
        auto push = [&] {
            v = trimmed(v);
            if (v.empty()) bad(text, "an empty value in the list");
            g.labels.push_back(v);
            v.clear();
        };
        for (const char c : spec) {
            if (c == ',' && depth == 0) {
                push();
                continue;
            }
            track_brackets(c, depth);
            v += c;
        }
        if (depth > 0) bad(text, "a bracket in '" + trimmed(v) + "' is never closed");
        push();
        if (g.labels.size() > axis_values_max) bad(text, "more than " + std::to_string(axis_values_max) + " values");
        return g;
    }
    const std::string from_text = one_unit(trimmed(spec.substr(0, dots)), text);
    std::string rest = spec.substr(dots + 2), to_text = rest, step_text;
    if (const std::size_t colon = rest.find(':'); colon != std::string::npos) {
        to_text = rest.substr(0, colon);
        step_text = rest.substr(colon + 1);
    }
    to_text = one_unit(trimmed(to_text), text);
    step_text = one_unit(trimmed(step_text), text);
    double from = 0, to = 0, step = 1;
    std::string unit_from, unit_to, unit_step;
    if (!split_number(from_text, from, unit_from))
        bad(text, "'" + from_text + "' is not a number (a range is A..B[:STEP])");
    if (!split_number(to_text, to, unit_to)) bad(text, "'" + to_text + "' is not a number (a range is A..B[:STEP])");
    if (!step_text.empty() && !split_number(step_text, step, unit_step))
        bad(text, "step '" + step_text + "' is not a number");
    std::string unit = unit_from;
    bool mixed_times = false;
    for (const std::string* u : {&unit_to, &unit_step}) {
        if (u->empty()) continue;
        if (!unit.empty() && *u != unit) {
            if (!time_unit_ns(unit) || !time_unit_ns(*u)) bad(text, "the range mixes units ('" + unit + "' and '" + *u + "')");
            mixed_times = true;
        }
        if (unit.empty() || (time_unit_ns(*u) && *time_unit_ns(*u) < *time_unit_ns(unit))) unit = *u;
    }
    if (mixed_times) {
        // Durations in different units (100ms..2s:100ms): each in the smallest of them, so every
        // label is exact ("1500ms"). A bare number among them has no unit to stand for.
        if (unit_from.empty() || unit_to.empty() || (!step_text.empty() && unit_step.empty()))
            bad(text, "give every end (and the step) a unit when they differ");
        const double into = *time_unit_ns(unit);
        from *= *time_unit_ns(unit_from) / into;
        to *= *time_unit_ns(unit_to) / into;
        if (!step_text.empty()) step *= *time_unit_ns(unit_step) / into;
    }
    if (!(step > 0)) bad(text, "the step must be above 0");
    if (to < from) bad(text, "the range ends (" + to_text + ") before it starts (" + from_text + ")");
    const double count = std::floor((to - from) / step + 1e-9) + 1;
    if (step_text.empty() && count > unstepped_values_max) {
        bad(text, format_number(count, 6) + " values in steps of 1 (no STEP given); give a step, e.g. " + from_text + ".." +
                      to_text + ":" + format_number(round_step(from, to), 12) + unit);
    }
    if (count > axis_values_max)
        bad(text, format_number(count, 6) + " values; at most " + std::to_string(axis_values_max) + " per axis");
    for (long i = 0; i < static_cast<long>(count); ++i) {
        // %.12g drops the binary noise of from + i * step (0.1 + 0.2). Below 1, plain decimals
        // (0.00001, not 1e-05: a ratio is not read with an exponent, and it was not written so).
        const double v = from + static_cast<double>(i) * step;
        std::string label = format_number(v, 12);
        if (label.find('e') != std::string::npos && std::fabs(v) < 1) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.*f", 12 - static_cast<int>(std::floor(std::log10(std::fabs(v)))), v);
            label = buf;
            while (label.back() == '0') label.pop_back();
        }
        g.labels.push_back(label + unit);
    }
    return g;
}

GridAxis resolve_axis(const GridText& grid, const std::vector<FieldInfo>& options) {
    GridAxis axis;
    axis.name = grid.name;
    axis.labels = grid.labels;
    std::vector<const FieldInfo*> matched;
    for (const FieldInfo& f : options) {
        if (f.path == grid.name) matched = {&f};
    }
    if (matched.empty()) {
        const std::string suffix = grid.name == "load" ? ".open_loop.rate" : "." + grid.name;
        for (const FieldInfo& f : options) {
            if (ends_with(f.path, suffix)) matched.push_back(&f);
        }
        // A section written as one value (keys: zipf(1000, 1.2) is keys.keys, keys.zipf_s, ...):
        // values in that form (a call or a flow mapping) set the sections the tail names whole,
        // in place of the fields inside them.
        const bool whole_values = std::all_of(grid.labels.begin(), grid.labels.end(), [](const std::string& v) {
            return v.find('(') != std::string::npos || v.starts_with("{");
        });
        std::vector<std::string> sections;
        for (const FieldInfo& f : options) {
            for (std::size_t dot = f.path.rfind('.'); whole_values && dot != std::string::npos && dot > 0;
                 dot = f.path.rfind('.', dot - 1)) {
                const std::string section = f.path.substr(0, dot);
                if ((section == grid.name || ends_with(section, suffix)) &&
                    std::find(sections.begin(), sections.end(), section) == sections.end())
                    sections.push_back(section);
            }
        }
        // Nested ones (services.cache and services.cache.cache for 'cache'): the innermost.
        const std::vector<std::string> found = sections;
        std::erase_if(sections, [&](const std::string& outer) {
            return std::any_of(found.begin(), found.end(),
                               [&](const std::string& inner) { return inner.starts_with(outer + "."); });
        });
        if (!sections.empty()) {
            axis.paths = sections;
            axis.values = grid.labels;
            return axis;
        }
        if (matched.empty() && grid.name == "load") {
            throw ReportError(
                "--grid load: the scenario has no open-loop workload ('load' sets workloads.*.open_loop.rate)");
        }
    }
    if (matched.empty()) {
        // A path the file leaves out (an absent optional section) may still be settable: the
        // caller checks it by loading the scenario with the first value.
        axis.paths = {grid.name};
        axis.values = grid.labels;
        return axis;
    }
    for (const FieldInfo* f : matched) axis.paths.push_back(f->path);
    const bool rate = matched.front()->type.find("rate like") != std::string::npos;
    for (const std::string& v : grid.labels) {
        const bool bare =
            !v.empty() && v.find('/') == std::string::npos && std::isdigit(static_cast<unsigned char>(v.back())) != 0;
        axis.values.push_back(rate && bare ? v + "/s" : v);
    }
    return axis;
}

std::vector<std::vector<std::size_t>> grid_cells(const std::vector<GridAxis>& axes) {
    std::vector<std::vector<std::size_t>> out;
    std::vector<std::size_t> index(axes.size(), 0);
    for (const GridAxis& a : axes) {
        if (a.values.empty()) return out;
    }
    while (true) {
        out.push_back(index);
        std::size_t k = 0;
        while (k < axes.size()) {
            if (++index[k] < axes[k].values.size()) break;
            index[k] = 0;
            ++k;
        }
        if (k == axes.size()) return out;
    }
}

std::vector<Override> cell_overrides(const std::vector<GridAxis>& axes, const std::vector<std::size_t>& index) {
    std::vector<Override> out;
    for (std::size_t k = 0; k < axes.size(); ++k) {
        for (const std::string& p : axes[k].paths) out.push_back({p, axes[k].values[index[k]]});
    }
    return out;
}

}  // namespace faultline::report
