#include "report/panels.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "report/headline.hpp"
#include "report/series.hpp"

namespace faultline::report {

namespace {

using Values = std::function<std::vector<double>(const RunRecord&)>;

constexpr const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                   "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"};
constexpr const char* offered_colour = "#7f7f7f";
constexpr const char* goodput_colour = "#2a9d3c";
constexpr const char* error_colour = "#d62728";
constexpr const char* failure_colour = "#b00020";
constexpr const char* recovered_colour = "#1a7f37";

struct LineDef {
    std::string label;
    std::string colour;
    Values values;
    std::string series;  // the series it draws as is (for invariant bounds), if any
};

struct PanelDef {
    std::string group;
    std::string title;
    std::string y_label;
    Unit unit = Unit::count;
    bool log = false;
    std::optional<double> y_min, y_max;
    std::vector<LineDef> lines;
    std::string note = "no data";
    bool keep_when_empty = false;
    std::string goodput_metric;  // draw the recovery rule for this metric
    std::string database;        // draw OOM crashes and the memory limit
};

Values series_of(const std::string& name) {
    return [name](const RunRecord& r) { return values(r, name); };
}

LineDef plain(const std::string& label, const std::string& colour, const std::string& name) {
    return {label, colour, series_of(name), name};
}

bool all_nan(const std::vector<double>& v) {
    return std::none_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

bool same_faults(const std::vector<const RunRecord*>& runs) {
    for (const RunRecord* r : runs) {
        if (r->faults.size() != runs.front()->faults.size()) return false;
        for (std::size_t i = 0; i < r->faults.size(); ++i) {
            if (r->faults[i].detail() != runs.front()->faults[i].detail()) return false;
        }
    }
    return true;
}

const FieldInfo* option(const RunRecord& r, const std::string& path) {
    for (const FieldInfo& f : r.options) {
        if (f.path == path) return &f;
    }
    return nullptr;
}

class Builder {
public:
    Builder(const std::vector<const RunRecord*>& runs, const std::vector<std::string>& labels)
        : runs_(runs), labels_(labels) {
        for (const RunRecord* r : runs)
            x_max_ = std::max({x_max_, r->duration_s, r->end_s, r->times.empty() ? 0.0 : r->times.back()});
    }

    void add(const PanelDef& def) {
        Chart c;
        c.id = "chart-" + std::to_string(panels_.size() + 1);
        c.title = def.title;
        c.y_label = def.y_label;
        c.unit = def.unit;
        c.log_y = def.log;
        c.x_min = 0;
        c.x_max = x_max_;
        c.y_min = def.y_min;
        c.y_max = def.y_max;
        c.note = def.note;
        const bool compare = runs_.size() > 1;
        for (std::size_t li = 0; li < def.lines.size(); ++li) {
            const LineDef& ld = def.lines[li];
            for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
                const RunRecord& r = *runs_[ri];
                std::vector<double> v = ld.values(r);
                if (all_nan(v)) continue;
                Line line;
                line.label = compare ? labels_[ri] + (def.lines.size() > 1 ? ": " + ld.label : "") : ld.label;
                line.colour = compare ? run_colour(ri) : ld.colour;
                line.dash = compare ? static_cast<int>(li % 4) : 0;
                line.x = r.times;
                line.y = std::move(v);
                c.lines.push_back(std::move(line));
            }
            // A counter is drawn as its rate per second, while an always/eventually bound is on
            // its total: a bound belongs only on a chart of values as sampled (gauges, probes).
            if (!ld.series.empty() && def.unit != Unit::per_second) add_bounds(c, ld.series);
        }
        if (c.lines.empty() && !def.keep_when_empty) return;
        add_faults(c);
        if (!def.goodput_metric.empty()) add_recovery(c, def.goodput_metric);
        if (!def.database.empty()) add_database(c, def.database);
        add_failures(c);
        for (const LineDef& ld : def.lines) used_.insert(ld.series);
        panels_.push_back({def.group, std::move(c)});
    }

    void use(const std::string& name) { used_.insert(name); }
    bool used(const std::string& name) const { return used_.count(name) != 0; }
    std::vector<Panel> take() { return std::move(panels_); }
    std::string prefix(std::size_t ri) const { return runs_.size() > 1 ? labels_[ri] + ": " : ""; }

private:
    void add_faults(Chart& c) const {
        const bool shared = same_faults(runs_);
        for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
            if (shared && ri > 0) break;
            // A window that outlasted the run (every run, when they share it) was never seen healed.
            double ended = runs_[ri]->end_s;
            for (const RunRecord* r : runs_)
                if (shared) ended = std::max(ended, r->end_s);
            for (const FaultRecord& f : runs_[ri]->faults) {
                const std::string p = shared ? "" : prefix(ri);
                // Open: a window the run ended inside, or one still open at its end with no
                // duration of its own (a crash that stays down): shaded to the edge.
                const bool open = f.open_at_end || (f.duration_s && f.end_s() > ended);
                std::string detail = p + f.detail();
                if (open) detail += " (still on when the run ended at " + format_time(ended) + ")";
                c.bands.push_back({f.at_s, open ? std::max(f.end_s(), ended) : f.end_s(), p + f.label(), detail, open});
            }
        }
    }

    void add_failures(Chart& c) const {
        for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
            const RunRecord& r = *runs_[ri];
            if (r.verdict == "pass") continue;
            const std::string what = r.verdict == "runaway"       ? "runaway"
                                     : r.verdict == "interrupted" ? "interrupted"
                                                                  : "failed";
            c.markers.push_back({r.end_s, prefix(ri) + what + " at " + format_time(r.end_s),
                                 runs_.size() > 1 ? run_colour(ri) : failure_colour, false});
        }
    }

    void add_recovery(Chart& c, const std::string& metric) const {
        // One deadline when the runs share it (an A/B of one scenario); each run's, named, when
        // they differ (two scenarios).
        std::vector<std::pair<double, double>> deadlines;  // after, within
        for (const RunRecord* r : runs_) {
            const Recovery rec = recovery(*r);
            if (rec.applicable && rec.rule.metric == metric && rec.baseline > 0) {
                deadlines.emplace_back(rec.rule.after_s, rec.rule.within_s);
            }
        }
        const bool one_deadline =
            std::all_of(deadlines.begin(), deadlines.end(), [&](const auto& d) { return d == deadlines.front(); });
        bool deadline_drawn = false;
        for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
            const Recovery rec = recovery(*runs_[ri]);
            if (!rec.applicable || rec.rule.metric != metric || !(rec.baseline > 0)) continue;
            const std::string colour = runs_.size() > 1 ? run_colour(ri) : "#555";
            c.levels.push_back({rec.rule.share * rec.baseline,
                                prefix(ri) + format_number(rec.rule.share * 100) + "% of baseline (" +
                                    format_short(rec.rule.share * rec.baseline, Unit::per_second) + ")",
                                colour});
            if (!one_deadline || !deadline_drawn) {
                c.markers.push_back({rec.rule.after_s + rec.rule.within_s,
                                     (one_deadline ? "" : prefix(ri)) + "recovery deadline (" +
                                         format_time(rec.rule.after_s) + " + " + format_time(rec.rule.within_s) + ")",
                                     one_deadline ? "#555" : colour, true});
                deadline_drawn = true;
            }
            if (auto s = rec.seconds()) {
                c.markers.push_back(
                    {*rec.recovered_at_s,
                     prefix(ri) + "recovered " + format_time(*s) + " after " + format_time(rec.rule.after_s),
                     runs_.size() > 1 ? run_colour(ri) : recovered_colour, true});
            }
        }
    }

    void add_database(Chart& c, const std::string& db) const {
        for (std::size_t ri = 0; ri < runs_.size(); ++ri) {
            const RunRecord& r = *runs_[ri];
            const std::vector<double> ooms = values(r, db + ".oom");
            bool labelled = false;
            for (std::size_t i = 0; i < ooms.size() && i < r.times.size(); ++i) {
                if (!(ooms[i] > 0)) continue;
                // A sample covers the interval before its time: the crash happened in it.
                c.markers.push_back({r.times[i], labelled ? "" : prefix(ri) + db + " out of memory",
                                     runs_.size() > 1 ? run_colour(ri) : failure_colour, false});
                labelled = true;
            }
        }
        if (c.unit == Unit::megabytes) {
            if (const FieldInfo* f = option(*runs_.front(), "databases." + db + ".memory_max_mb")) {
                const double limit = std::atof(f->value.c_str());
                if (limit > 0)
                    c.levels.push_back(
                        {limit, "memory limit (" + format_value(limit, Unit::megabytes) + ")", failure_colour});
            }
        }
    }

    // An always/eventually invariant on a series drawn as it was sampled: its bound as a level.
    void add_bounds(Chart& c, const std::string& series) const {
        for (const InvariantRecord& inv : runs_.front()->invariants) {
            if (inv.metric != series) continue;
            if (inv.max) c.levels.push_back({*inv.max, "limit: " + inv.name, failure_colour});
            if (inv.min) c.levels.push_back({*inv.min, "floor: " + inv.name, failure_colour});
        }
    }

    const std::vector<const RunRecord*>& runs_;
    const std::vector<std::string>& labels_;
    double x_max_ = 0;
    std::vector<Panel> panels_;
    std::set<std::string> used_;
};

// One line per name, coloured from the palette; the label is the name without `strip`.
std::vector<LineDef> each(const std::vector<std::string>& names, const std::string& strip_prefix,
                          const std::string& strip_suffix) {
    std::vector<LineDef> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::string label = names[i].substr(strip_prefix.size());
        if (!strip_suffix.empty() && label.ends_with(strip_suffix)) label.resize(label.size() - strip_suffix.size());
        out.push_back(plain(label, palette[i % std::size(palette)], names[i]));
    }
    return out;
}

}  // namespace

const char* run_colour(std::size_t index) {
    constexpr const char* colours[] = {"#d95f02", "#1b6ca8", "#1b9e77", "#7570b3", "#e7298a"};
    return colours[index % std::size(colours)];
}

std::vector<Panel> build_panels(const std::vector<const RunRecord*>& runs, const std::vector<std::string>& labels) {
    Builder b(runs, labels);
    const Topology t = topology(runs);

    for (const std::string& w : t.workloads) {
        const std::string group = "Clients (" + w + ")";
        PanelDef load{group, "Offered load, goodput and errors: " + w, "requests per second", Unit::per_second};
        load.lines = {plain("offered", offered_colour, w + ".offered"),
                      plain("goodput (ok)", goodput_colour, w + ".ok"),
                      {"errors", error_colour,
                       [w](const RunRecord& r) {
                           return counter_from_zero(r, sum_with_prefix(r, w + ".errors."), w + ".offered");
                       },
                       ""}};
        load.goodput_metric = w + ".ok";
        b.add(load);

        PanelDef latency{group, "Latency at the clients: " + w, "latency of successful requests", Unit::seconds, true};
        latency.lines = {plain("p50", palette[0], w + ".latency.p50"), plain("p99", palette[3], w + ".latency.p99")};
        b.add(latency);
        for (const char* s : {".latency.rate", ".latency.p999"}) b.use(w + s);

        PanelDef errors{group, "Client errors by kind: " + w, "errors per second", Unit::per_second};
        errors.lines = each(names_with_prefix(runs, w + ".errors."), w + ".errors.", "");
        for (LineDef& l : errors.lines) {
            l.values = [name = l.series, w](const RunRecord& r) {
                return counter_from_zero(r, values(r, name), w + ".offered");
            };
        }
        errors.note = "no errors";
        errors.keep_when_empty = true;
        b.add(errors);

        PanelDef inflight{group, "Requests in flight at the clients: " + w, "requests outstanding", Unit::count};
        inflight.lines = {plain("in flight", palette[0], w + ".inflight")};
        b.add(inflight);
    }

    if (!t.edges.empty()) {
        PanelDef amp{"Retries", "Retry amplification per call edge", "attempts per request", Unit::times};
        PanelDef retries{"Retries", "Retries per call edge", "retries (attempts after the first) per second",
                         Unit::per_second};
        for (std::size_t i = 0; i < t.edges.size(); ++i) {
            const std::string e = t.edges[i];
            const char* colour = palette[i % std::size(palette)];
            amp.lines.push_back(
                {edge_label(e), colour,
                 [e](const RunRecord& r) { return ratio(values(r, e + ".attempts"), values(r, e + ".requests")); },
                 ""});
            retries.lines.push_back(
                {edge_label(e), colour, [e](const RunRecord& r) { return retries_per_second(r, e); }, ""});
            b.use(e + ".attempts");
            b.use(e + ".requests");
            b.use(e + ".retries");
        }
        b.add(amp);
        b.add(retries);
    }

    if (!t.caches.empty()) {
        PanelDef hit{"Caches", "Cache hit ratio", "share of gets served from the cache", Unit::ratio};
        hit.y_min = 0;
        hit.y_max = 1;
        for (std::size_t i = 0; i < t.caches.size(); ++i) {
            hit.lines.push_back(plain(t.caches[i], palette[i % std::size(palette)], t.caches[i] + ".cache.hit_ratio"));
            b.use(t.caches[i] + ".cache.gets");
            b.use(t.caches[i] + ".cache.hits");
        }
        b.add(hit);
    }

    for (const std::string& d : t.databases) {
        const std::string group = "Database " + d;
        PanelDef queries{group, "Database " + d + ": queries", "queries per second", Unit::per_second};
        queries.lines = {plain("queries", palette[0], d + ".queries"), plain("refused", palette[1], d + ".refused"),
                         plain("shed", palette[4], d + ".shed")};
        queries.database = d;
        b.add(queries);
        PanelDef conns{group, "Database " + d + ": open connections", "connections", Unit::count};
        conns.lines = {plain("connections", palette[0], d + ".connections")};
        b.add(conns);
        PanelDef memory{group, "Database " + d + ": memory", "memory in use", Unit::megabytes};
        memory.lines = {plain("memory", palette[3], d + ".memory_mb")};
        memory.database = d;
        b.add(memory);
        PanelDef load{group, "Database " + d + ": executor utilisation", "share of executors busy", Unit::ratio};
        load.y_min = 0;
        load.y_max = 1;
        load.lines = {plain("utilisation", palette[0], d + ".load")};
        b.add(load);
        PanelDef latency{group, "Database " + d + ": query latency", "query latency", Unit::seconds, true};
        latency.lines = {plain("p50", palette[0], d + ".latency.p50"), plain("p99", palette[3], d + ".latency.p99")};
        b.add(latency);
        for (const char* s : {".oom", ".latency.rate", ".latency.p999"}) b.use(d + s);
    }

    if (!t.services.empty()) {
        const std::string group = "Services";
        auto per_service = [&t](const std::string& suffix) {
            std::vector<LineDef> out;
            for (std::size_t i = 0; i < t.services.size(); ++i) {
                out.push_back(plain(t.services[i], palette[i % std::size(palette)], t.services[i] + suffix));
            }
            return out;
        };
        PanelDef queue{group, "Queue depth by service", "requests waiting (all hosts)", Unit::count};
        queue.lines = per_service(".queue");
        b.add(queue);
        PanelDef busy{group, "Busy workers by service", "workers busy (all hosts)", Unit::count};
        busy.lines = per_service(".busy");
        b.add(busy);
        PanelDef served{group, "Requests per second by service", "requests per second", Unit::per_second};
        served.lines = per_service(".requests");
        b.add(served);
        PanelDef errors{group, "Errors per second by service", "errors per second", Unit::per_second};
        for (std::size_t i = 0; i < t.services.size(); ++i) {
            const std::string s = t.services[i];
            errors.lines.push_back({s, palette[i % std::size(palette)],
                                    [s](const RunRecord& r) {
                                        return counter_from_zero(r, sum_with_prefix(r, s + ".errors."), s + ".queue");
                                    },
                                    ""});
            for (const std::string& n : names_with_prefix(runs, s + ".errors.")) b.use(n);
        }
        errors.note = "no errors";
        b.add(errors);
        PanelDef latency{group, "Latency p99 by service", "server-side latency", Unit::seconds, true};
        latency.lines = per_service(".latency.p99");
        b.add(latency);
        for (const std::string& s : t.services) {
            for (const char* suffix : {".ok", ".latency.rate", ".latency.p50", ".latency.p999"}) b.use(s + suffix);
        }
    }
    for (const std::string& w : t.workloads) {
        for (const std::string& n : names_with_prefix(runs, w + ".errors.")) b.use(n);
    }

    // Everything else, one chart each; a series that stayed at 0 in every run says nothing (a
    // service without a cache still counts its cache gets).
    std::vector<std::string> others;
    auto always_zero = [&runs](const std::string& name) {
        return std::all_of(runs.begin(), runs.end(), [&name](const RunRecord* r) {
            const models::Series* s = r->find_series(name);
            return s == nullptr ||
                   std::all_of(s->values.begin(), s->values.end(), [](double v) { return v == 0 || std::isnan(v); });
        });
    };
    for (const RunRecord* r : runs) {
        for (const models::Series& s : r->series) {
            if (!b.used(s.name) && std::find(others.begin(), others.end(), s.name) == others.end() &&
                !always_zero(s.name)) {
                others.push_back(s.name);
            }
        }
    }
    for (const std::string& name : others) {
        PanelDef other{"Other series", name, "value per sample", Unit::count};
        other.lines = {plain(name, palette[0], name)};
        b.add(other);
    }
    return b.take();
}

}  // namespace faultline::report
