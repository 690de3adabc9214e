#include "models/metrics.hpp"

#include <algorithm>
#include <cstdio>

#include "sim/check.hpp"

namespace models {

std::string error_metric(std::string_view prefix, sim::Errc e) {
    return std::string(prefix) + ".errors." + std::string(sim::to_string(e));
}

Metrics::Metrics(sim::Simulator& sim, sim::Duration interval) : sim_(&sim), interval_(interval), on_(sim.options().metrics) {
    SIM_ASSERT(interval.count() > 0, "metrics interval must be positive");
    if (on_) schedule_next();
}

void Metrics::schedule_next() {
    const std::int64_t now = sim_->now().time_since_epoch().count();
    const std::int64_t next = (now / interval_.count() + 1) * interval_.count();
    sim_->at(sim::Time(sim::Duration(next)), [this] {
        sample();
        schedule_next();
    });
}

Metrics::Entry& Metrics::add(std::string name, Kind kind) {
    SIM_ASSERT(by_name_.find(name) == by_name_.end(), "metric '" + name + "' registered twice with different kinds");
    auto e = std::make_unique<Entry>();
    e->name = std::move(name);
    e->kind = kind;
    e->first_column = columns_.size();
    switch (kind) {
        case Kind::counter:
        case Kind::gauge:
        case Kind::probe:
        case Kind::ratio: columns_.push_back(e->name); break;
        case Kind::histogram:
            for (const char* suffix : {".rate", ".p50", ".p99", ".p999"}) columns_.push_back(e->name + suffix);
            break;
    }
    by_name_.emplace(e->name, entries_.size());
    entries_.push_back(std::move(e));
    return *entries_.back();
}

Metrics::Entry* Metrics::find(std::string_view name) {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : entries_[it->second].get();
}

const Metrics::Entry* Metrics::find(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : entries_[it->second].get();
}

Counter& Metrics::counter(std::string_view name) {
    if (Entry* e = find(name)) {
        SIM_ASSERT(e->kind == Kind::counter, "metric '" + std::string(name) + "' is not a counter");
        return *e->counter;
    }
    Entry& e = add(std::string(name), Kind::counter);
    e.counter = std::make_unique<Counter>();
    return *e.counter;
}

Gauge& Metrics::gauge(std::string_view name) {
    if (Entry* e = find(name)) {
        SIM_ASSERT(e->kind == Kind::gauge, "metric '" + std::string(name) + "' is not a gauge");
        return *e->gauge;
    }
    Entry& e = add(std::string(name), Kind::gauge);
    e.gauge = std::make_unique<Gauge>();
    return *e.gauge;
}

LatencyHistogram& Metrics::histogram(std::string_view name, bool seconds) {
    if (Entry* e = find(name)) {
        SIM_ASSERT(e->kind == Kind::histogram, "metric '" + std::string(name) + "' is not a histogram");
        return *e->histogram;
    }
    Entry& e = add(std::string(name), Kind::histogram);
    e.histogram = std::make_unique<LatencyHistogram>();
    e.histogram->off_ = !on_;
    e.seconds = seconds;
    return *e.histogram;
}

void Metrics::probe(std::string name, std::function<double()> read) {
    if (Entry* existing = find(name)) {
        SIM_ASSERT(existing->kind == Kind::probe && !existing->peak, "metric '" + name + "' is not a probe to add to");
        existing->reads.push_back(std::move(read));
        return;
    }
    Entry& e = add(std::move(name), Kind::probe);
    e.reads.push_back(std::move(read));
}

Peak& Metrics::peak_probe(std::string name, std::function<double()> read) {
    Entry& e = add(std::move(name), Kind::probe);
    e.reads.push_back(std::move(read));
    e.peak = std::make_unique<Peak>();
    return *e.peak;
}

std::function<double()> Metrics::reader(std::string_view name) const {
    const Entry* e = find(name);
    if (e == nullptr) return {};
    switch (e->kind) {
        case Kind::counter: return [c = e->counter.get()] { return static_cast<double>(c->value()); };
        case Kind::gauge: return [g = e->gauge.get()] { return g->value(); };
        case Kind::probe:
            return [e] {
                double sum = 0;
                for (const auto& r : e->reads) sum += r();
                return sum;
            };
        default: return {};
    }
}

void Metrics::ratio(std::string name, std::string_view numerator, std::string_view denominator) {
    Entry& e = add(std::move(name), Kind::ratio);
    e.numerator = std::string(numerator);
    e.denominator = std::string(denominator);
}

const Counter* Metrics::find_counter(std::string_view name) const {
    const Entry* e = find(name);
    return e != nullptr && e->kind == Kind::counter ? e->counter.get() : nullptr;
}

const LatencyHistogram* Metrics::find_histogram(std::string_view name) const {
    const Entry* e = find(name);
    return e != nullptr && e->kind == Kind::histogram ? e->histogram.get() : nullptr;
}

void Metrics::sample() {
    if (!on_) return;
    const double t = sim::to_seconds(sim_->now());
    if (!times_.empty() && times_.back() == t) return;  // one sample per instant
    const double dt = times_.empty() ? sim::to_seconds(sim_->now()) : t - times_.back();
    const double per_second = dt > 0 ? 1.0 / dt : 0.0;
    std::vector<double> row(columns_.size(), missing);
    auto counter_value = [this](std::string_view name) -> std::uint64_t {
        const Counter* c = find_counter(name);
        return c ? c->value() : 0;
    };
    for (auto& ep : entries_) {
        Entry& e = *ep;
        const std::size_t c = e.first_column;
        switch (e.kind) {
            case Kind::counter: {
                const std::uint64_t v = e.counter->value();
                row[c] = static_cast<double>(v - e.last) * per_second;
                e.last = v;
                break;
            }
            case Kind::gauge: row[c] = e.gauge->value(); break;
            case Kind::probe: {
                double sum = 0;
                for (const auto& r : e.reads) sum += r();
                row[c] = e.peak ? std::max(sum, e.peak->take()) : sum;
                break;
            }
            case Kind::ratio: {
                const std::uint64_t n = counter_value(e.numerator), d = counter_value(e.denominator);
                const std::uint64_t dn = n - e.last_num, dd = d - e.last_den;
                row[c] = dd == 0 ? missing : static_cast<double>(dn) / static_cast<double>(dd);
                e.last_num = n;
                e.last_den = d;
                break;
            }
            case Kind::histogram: {
                Histogram& h = e.histogram->interval();
                const double scale = e.seconds ? 1e-9 : 1.0;
                row[c] = static_cast<double>(h.count()) * per_second;
                if (h.count() != 0) {
                    row[c + 1] = static_cast<double>(h.percentile(0.5)) * scale;
                    row[c + 2] = static_cast<double>(h.percentile(0.99)) * scale;
                    row[c + 3] = static_cast<double>(h.percentile(0.999)) * scale;
                }
                h.reset();
                break;
            }
        }
    }
    times_.push_back(t);
    rows_.push_back(std::move(row));
}

std::vector<std::string> Metrics::names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e->name);
    return out;
}

std::vector<double> Metrics::column(std::string_view name) const {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        if (columns_[c] != name) continue;
        std::vector<double> out;
        out.reserve(rows_.size());
        for (const auto& row : rows_) out.push_back(c < row.size() ? row[c] : missing);
        return out;
    }
    return {};
}

std::vector<Series> Metrics::series() const {
    std::vector<Series> out(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        out[c].name = columns_[c];
        out[c].values.reserve(rows_.size());
        for (const auto& row : rows_) out[c].values.push_back(c < row.size() ? row[c] : missing);
    }
    for (const auto& ep : entries_) {
        const Entry& e = *ep;
        const bool over = e.kind != Kind::gauge && (e.kind != Kind::probe || e.peak);
        const std::size_t columns = e.kind == Kind::histogram ? 4 : 1;
        for (std::size_t c = e.first_column; c < e.first_column + columns && c < out.size(); ++c)
            out[c].over_interval = over;
    }
    return out;
}

std::vector<std::pair<std::string, double>> Metrics::totals() const {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& ep : entries_) {
        const Entry& e = *ep;
        if (e.kind == Kind::counter) {
            out.emplace_back(e.name, static_cast<double>(e.counter->value()));
        } else if (e.kind == Kind::histogram) {
            const Histogram& h = e.histogram->total();
            const double scale = e.seconds ? 1e-9 : 1.0;
            out.emplace_back(e.name + ".count", static_cast<double>(h.count()));
            out.emplace_back(e.name + ".mean", h.mean() * scale);
            out.emplace_back(e.name + ".p50", static_cast<double>(h.percentile(0.5)) * scale);
            out.emplace_back(e.name + ".p99", static_cast<double>(h.percentile(0.99)) * scale);
            out.emplace_back(e.name + ".p999", static_cast<double>(h.percentile(0.999)) * scale);
            out.emplace_back(e.name + ".max", static_cast<double>(h.max()) * scale);
        }
    }
    return out;
}

namespace {
void write_number(std::ostream& out, double v, bool json) {
    if (std::isnan(v) || std::isinf(v)) {
        if (json) out << "null";
        return;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    out << buf;
}

void write_json_string(std::ostream& out, std::string_view s) {
    out << '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out << '\\' << c;
        else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out << buf;
        } else out << c;
    }
    out << '"';
}
}  // namespace

void Metrics::write_csv(std::ostream& out) const {
    out << "time_s";
    for (const std::string& c : columns_) out << ',' << c;
    out << '\n';
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        write_number(out, times_[r], false);
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            out << ',';
            write_number(out, c < rows_[r].size() ? rows_[r][c] : missing, false);
        }
        out << '\n';
    }
}

void Metrics::write_json(std::ostream& out) const {
    out << "{\"interval_s\":";
    write_number(out, sim::to_seconds(interval_), true);
    out << ",\"time_s\":[";
    for (std::size_t r = 0; r < times_.size(); ++r) {
        if (r) out << ',';
        write_number(out, times_[r], true);
    }
    out << "],\"series\":{";
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        if (c) out << ',';
        write_json_string(out, columns_[c]);
        out << ":[";
        for (std::size_t r = 0; r < rows_.size(); ++r) {
            if (r) out << ',';
            write_number(out, c < rows_[r].size() ? rows_[r][c] : missing, true);
        }
        out << ']';
    }
    out << "}}";
}

}  // namespace models
