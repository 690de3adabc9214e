// Metrics and their time series, sampled on virtual time.
//
// Models register counters (monotone counts: requests, errors by kind, retries), gauges (values
// that go up and down: queue depth, connections in use), histograms (latencies) and probes
// (a value read at each sample: cache hit ratio, database load). Every `interval` of virtual
// time a sampler appends one row: counters as rates per second over the interval, gauges and
// probes as their current value, histograms as the interval's count per second, p50, p99 and
// p999 (in seconds for durations), and ratio series (one counter's interval delta over
// another's: retry amplification = attempts / logical requests).
//
// A sample at time t covers the interval before t. An event at exactly t counts in it when it
// was scheduled before the sample at t - interval ran (that sample schedules the next one, and
// events of one instant run first-scheduled-first): faults, scheduled when the run starts, do, so
// a burst at exactly 30s is in the 30s sample. An event scheduled later for exactly t counts in
// the next sample. With shuffle_ties the order at an instant is drawn, and so is which sample.
//
// Names say what and where: "client.requests", "client.errors.timeout", "db.latency". A series
// for a metric created mid-run has no value (NaN: "null" in JSON) before it existed.
//
// Left out: labels as a separate dimension (they are part of the name), exemplars, pushing
// anywhere (series are written as CSV or JSON at the end of a run).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/histogram.hpp"
#include "sim/result.hpp"
#include "sim/simulator.hpp"

namespace models {

class Counter {
public:
    void add(std::uint64_t n = 1) noexcept { value_ += n; }
    std::uint64_t value() const noexcept { return value_; }

private:
    std::uint64_t value_ = 0;
};

class Gauge {
public:
    void set(double v) noexcept { value_ = v; }
    void add(double d) noexcept { value_ += d; }
    double value() const noexcept { return value_; }

private:
    double value_ = 0;
};

// The highest value a model saw since the last sample, for a probe whose value moves between
// samples (a database's memory, which spikes and kills it between two of them, and is back at
// its base by the next): the probe's sample is the greater of its value then and this.
class Peak {
public:
    void observe(double v) noexcept {
        if (v > max_) max_ = v;
    }

private:
    friend class Metrics;
    double take() noexcept { return std::exchange(max_, -std::numeric_limits<double>::infinity()); }
    double max_ = -std::numeric_limits<double>::infinity();
};

// A histogram with its interval twin: the sampler reads and resets the interval one.
class LatencyHistogram {
public:
    void record(sim::Duration d) noexcept {
        if (off_) return;
        total_.record(d);  // a negative value fails the run here, reported once
        if (d.count() >= 0) [[likely]]
            interval_.record(static_cast<std::uint64_t>(d.count()));
    }
    void record(std::uint64_t v) noexcept {
        if (off_) return;
        total_.record(v);
        interval_.record(v);
    }
    const Histogram& total() const noexcept { return total_; }
    Histogram& interval() noexcept { return interval_; }

private:
    friend class Metrics;
    Histogram total_;
    Histogram interval_;
    bool off_ = false;  // sim::Options::metrics is off: records nothing
};

struct Series {
    std::string name;
    std::vector<double> values;  // one per sample; NaN where there is no value
    // The values are of the interval before each sample (a counter's rate, a histogram's
    // quantiles, a ratio, a probe's peak); false: the value at the sample (a gauge, a probe).
    bool over_interval = false;
};

class Metrics {
public:
    static constexpr double missing = std::numeric_limits<double>::quiet_NaN();

    // Starts sampling at the next multiple of `interval` (virtual time). With the simulator's
    // Options::metrics off it never samples and its histograms record nothing (counters still
    // count: they are the models' totals); that switch exists to measure what metrics cost.
    explicit Metrics(sim::Simulator& sim, sim::Duration interval = std::chrono::seconds(1));
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    sim::Duration interval() const noexcept { return interval_; }

    // Get-or-create by name. References stay valid for the Metrics' life.
    Counter& counter(std::string_view name);
    Gauge& gauge(std::string_view name);
    // `seconds`: values are durations in nanoseconds, reported in seconds.
    LatencyHistogram& histogram(std::string_view name, bool seconds = true);
    // A value read at every sample. Registering a name again adds to it: the probe's value is
    // the sum (queue depth over several hosts).
    void probe(std::string name, std::function<double()> read);
    // A probe whose sample is also at least the highest value observed on the returned Peak
    // since the sample before. Its current value (reader()) is read()'s. One registration a name.
    Peak& peak_probe(std::string name, std::function<double()> read);
    // The current value of a counter (its total), gauge or probe; empty if there is none.
    std::function<double()> reader(std::string_view name) const;
    bool has(std::string_view name) const { return find(name) != nullptr; }
    std::vector<std::string> names() const;  // every metric, in registration order
    // The sampled series of one column ("users.ok", "users.latency.p99"); empty if none.
    std::vector<double> column(std::string_view name) const;
    // interval delta of `numerator` / interval delta of `denominator` (missing when 0/0).
    void ratio(std::string name, std::string_view numerator, std::string_view denominator);

    // Looks a metric up without creating it (null if absent).
    const Counter* find_counter(std::string_view name) const;
    const LatencyHistogram* find_histogram(std::string_view name) const;

    // Takes a sample now (the sampler calls this; a scenario may call it once more at the end).
    void sample();

    const std::vector<double>& times() const noexcept { return times_; }  // seconds of virtual time
    std::vector<Series> series() const;
    // The whole-run view of every counter (totals) and histogram (count, mean, p50/p99/p999, max).
    std::vector<std::pair<std::string, double>> totals() const;

    void write_csv(std::ostream& out) const;
    // {"interval_s":1,"time_s":[...],"series":{"name":[...],...}}
    void write_json(std::ostream& out) const;

private:
    enum class Kind { counter, gauge, histogram, probe, ratio };
    struct Entry {
        std::string name;
        Kind kind;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<LatencyHistogram> histogram;
        bool seconds = true;
        std::vector<std::function<double()>> reads;
        std::unique_ptr<Peak> peak;  // probes made by peak_probe()
        std::string numerator, denominator;
        std::uint64_t last = 0;  // counters: value at the previous sample
        std::uint64_t last_num = 0, last_den = 0;
        std::size_t first_column = 0;
    };
    Entry& add(std::string name, Kind kind);
    Entry* find(std::string_view name);
    const Entry* find(std::string_view name) const;
    void schedule_next();

    sim::Simulator* sim_;
    sim::Duration interval_;
    bool on_;  // sim::Options::metrics
    std::vector<std::unique_ptr<Entry>> entries_;            // registration order = column order
    std::map<std::string, std::size_t, std::less<>> by_name_;
    std::vector<std::string> columns_;
    std::vector<std::vector<double>> rows_;                  // rows_[sample][column]
    std::vector<double> times_;
};

// A name for a metric per error kind: "<prefix>.errors.timeout", "<prefix>.errors.overloaded", ...
std::string error_metric(std::string_view prefix, sim::Errc e);

// A model's error counters, found by code instead of by name on every error (a lookup by name
// builds a string and walks a map: it was most of what a request cost the models). Each counter
// is registered when its error first happens, as a lookup by name would, so columns keep their
// order. Does nothing without metrics.
class ErrorCounters {
public:
    ErrorCounters(Metrics* metrics, std::string prefix) : metrics_(metrics), prefix_(std::move(prefix)) {}
    void add(sim::Errc e) {
        if (metrics_ == nullptr) return;
        Counter*& c = by_code_[static_cast<std::size_t>(e)];
        if (c == nullptr) c = &metrics_->counter(error_metric(prefix_, e));
        c->add();
    }

private:
    Metrics* metrics_;
    std::string prefix_;
    std::array<Counter*, sim::errc_count> by_code_{};
};

}  // namespace models
