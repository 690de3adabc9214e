// Invariants from the spec: always and eventually bounds on metrics, recovery of goodput after a
// trigger (the check metastable failures break), and latency SLOs in a window.
#include <algorithm>
#include <cstdio>

#include "world.hpp"

namespace faultline {

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// A latency in the unit a person would write it in: "55.84ms", "196.1ms", "1.25s", "850us".
std::string latency_text(double seconds) {
    if (seconds < 1e-3) return number(seconds * 1e6) + "us";
    if (seconds < 1) return number(seconds * 1e3) + "ms";
    return number(seconds) + "s";
}

std::string bound_text(const std::optional<double>& min, const std::optional<double>& max) {
    if (min && max) return "in [" + number(*min) + ", " + number(*max) + "]";
    if (max) return "at most " + number(*max);
    return "at least " + number(*min);
}

// The kinds a service's or workload's errors are counted by: COMPONENT.errors.KIND.
constexpr sim::Errc error_kinds[] = {sim::Errc::timeout, sim::Errc::refused,   sim::Errc::unreachable, sim::Errc::overloaded,
                                     sim::Errc::reset,   sim::Errc::exhausted, sim::Errc::disk_full,   sim::Errc::io_error,
                                     sim::Errc::cancelled, sim::Errc::internal};

bool is_error_kind(std::string_view kind) {
    return std::any_of(std::begin(error_kinds), std::end(error_kinds), [kind](sim::Errc e) { return kind == sim::to_string(e); });
}

std::string error_kind_list() {
    std::string out;
    for (sim::Errc e : error_kinds) out += (out.empty() ? "" : ", ") + std::string(sim::to_string(e));
    return out;
}

// "no metric 'api.queue_depth'", then the nearest name or, when none is close, what there is:
// the component's metrics, or the components that have any.
std::string no_such_metric(const std::string& what, const std::string& metric, const std::vector<std::string>& names) {
    std::string msg = "no " + what + " '" + metric + "'";
    if (auto near = nearest(metric, names)) return msg + " (did you mean '" + *near + "'?)";
    const std::string component = metric.substr(0, metric.find('.'));
    std::vector<std::string> same, components;
    for (const std::string& n : names) {
        if (n.size() > component.size() && n.starts_with(component) && n[component.size()] == '.') same.push_back(n);
        const std::string c = n.substr(0, n.find('.'));
        if (std::find(components.begin(), components.end(), c) == components.end()) components.push_back(c);
    }
    const std::vector<std::string>& listed = same.empty() ? components : same;
    if (listed.empty()) return msg;
    msg += same.empty() ? " (no component '" + component + "'; components with metrics:" : " (" + component + " has:";
    constexpr std::size_t shown_max = 12;
    for (std::size_t i = 0; i < listed.size() && i < shown_max; ++i) msg += (i == 0 ? " " : ", ") + listed[i];
    if (listed.size() > shown_max) msg += ", ... " + std::to_string(listed.size() - shown_max) + " more";
    return msg + ")";
}

// A latency histogram has no single value to bound or to compare with a baseline.
// (The error's path names the invariant's kind: "invariants[0].always.metric".)
std::string histogram_metric(const std::string& metric) {
    return "'" + metric + "' is a latency histogram; this invariant needs a counter, gauge or ratio (one number per sample): "
           "for latency, use an slo invariant (a percentile within a window)";
}

}  // namespace

std::vector<std::string> World::metric_names() const {
    std::vector<std::string> names = metrics_->names();
    // Error counters are made by the first error of their kind: named by their pattern.
    for (const auto& [name, s] : spec_.services) names.push_back(name + ".errors.KIND");
    for (const auto& [name, w] : spec_.workloads) names.push_back(name + ".errors.KIND");
    return names;
}

std::function<double()> World::metric_reader(const std::string& metric, const Where& where, const std::string& path) {
    if (metrics_->find_histogram(metric) != nullptr) fail(where, path, histogram_metric(metric));
    if (auto r = metrics_->reader(metric)) return r;
    // A service's or workload's error counter appears with the first error of its kind: read
    // lazily (0 until then). Only for a component that counts errors, and a kind there is.
    const std::string component = metric.substr(0, metric.find('.'));
    if (metric.starts_with(component + ".errors") && (spec_.services.count(component) != 0 || spec_.workloads.count(component) != 0)) {
        const std::string_view rest = std::string_view(metric).substr(component.size() + 7);
        if (!rest.starts_with('.') || !is_error_kind(rest.substr(1))) {
            fail(where, path, "no metric '" + metric + "': errors are counted by kind, " + component + ".errors.KIND, KIND one of " +
                                  error_kind_list());
        }
        models::Metrics* m = metrics_;
        return [m, metric] {
            auto r = m->reader(metric);
            return r ? r() : 0.0;
        };
    }
    fail(where, path, no_such_metric("metric", metric, metric_names()));
}

void World::build_invariants() {
    for (std::size_t i = 0; i < spec_.invariants.size(); ++i) {
        const InvariantSpec& inv = spec_.invariants[i];
        const std::string path = "invariants[" + std::to_string(i) + "]";
        // A failure is known by its invariant's name: in the verdict, expect.failure, fuzzing
        // signatures and reports. Two of one name would be one, whichever failed.
        for (std::size_t j = 0; j < i; ++j) {
            if (spec_.invariants[j].name == inv.name) {
                fail(inv.where, path + ".name",
                     "'" + inv.name + "' is already the name of invariants[" + std::to_string(j) +
                         "]: failures are told apart by name (the verdict, expect.failure, fuzzing signatures)");
            }
        }
        if (inv.always) {
            const BoundSpec b = *inv.always;
            auto read = metric_reader(b.metric, inv.where, path + ".always.metric");
            auto holds = [read, b] {
                const double v = read();
                return (!b.max || v <= *b.max) && (!b.min || v >= *b.min);
            };
            sim_->always(inv.name, holds, [read, b] { return b.metric + " is " + number(read()) + ", must be " + bound_text(b.min, b.max); });
        } else if (inv.eventually) {
            const EventuallySpec e = *inv.eventually;
            auto read = metric_reader(e.metric, inv.where, path + ".eventually.metric");
            if (e.by && *e.by > spec_.duration) {
                fail(inv.where, path + ".eventually.by",
                     "after the end of the run (" + format_value(spec_.duration) + "): it would be judged when the run ends");
            }
            if (e.after >= spec_.duration) {
                fail(inv.where, path + ".eventually.after",
                     "at or after the end of the run (" + format_value(spec_.duration) +
                         "): the bound could never count");
            }
            sim_->eventually(
                inv.name, sim::Time(e.by.value_or(spec_.duration)),
                [read, e, &sim = *sim_] {
                    if (sim.now() < sim::Time(e.after)) return false;
                    const double v = read();
                    return (!e.max || v <= *e.max) && (!e.min || v >= *e.min);
                },
                [read, e] { return e.metric + " is " + number(read()) + ", must become " + bound_text(e.min, e.max); });
        } else if (inv.recovers) {
            const RecoversSpec r = *inv.recovers;
            if (!metrics_->has(r.metric)) {
                std::vector<std::string> rates;  // what it can take: not a latency histogram
                for (const std::string& n : metrics_->names()) {
                    if (metrics_->find_histogram(n) == nullptr) rates.push_back(n);
                }
                fail(inv.where, path + ".recovers.metric", no_such_metric("metric", r.metric, rates));
            }
            if (metrics_->find_histogram(r.metric) != nullptr)
                fail(inv.where, path + ".recovers.metric", histogram_metric(r.metric));
            // A baseline taken while the workload still ramps up is below its steady load, and
            // "recovered to 90% of it" then means much less than 90%.
            const std::string component = r.metric.substr(0, r.metric.find('.'));
            if (auto w = spec_.workloads.find(component); w != spec_.workloads.end() && w->second.open_loop) {
                const sim::Duration steady = w->second.open_loop->start + w->second.open_loop->ramp_up;
                if (w->second.open_loop->ramp_up.count() > 0 && r.baseline_from < steady) {
                    fail(inv.where, path + ".recovers.baseline_from",
                         "is " + format_value(r.baseline_from) + ", while workload '" + component + "' still ramps up (until " +
                             format_value(steady) + "): the baseline would be below the steady load; start it at " +
                             format_value(steady) + " or later");
                }
            }
            if (r.after >= spec_.duration || r.within >= spec_.duration - r.after) {  // after + within could overflow
                fail(inv.where, path + ".recovers", "after + within must end before the run does (" + format_value(spec_.duration) + ")");
            }
            if (r.smoothing.count() <= 0) {
                fail(inv.where, path + ".recovers.smoothing", "must be positive (the rate is averaged over it)");
            } else if (r.within < r.smoothing) {
                // Recovery is judged on averages over `smoothing` after `after`: none fits a
                // shorter window, so it could never pass (and would report a rate of 0).
                fail(inv.where, path + ".recovers.within",
                     "is " + format_value(r.within) + ", shorter than smoothing (" + format_value(r.smoothing) +
                         "): no averaged rate fits in it, so it could never recover; make within at least " +
                         format_value(r.smoothing) + " or lower smoothing");
            }
            {  // (the checks above fail at once: the windows are sane here)
                // The rates are samples taken every metrics_interval (at its multiples): a window
                // that holds none measures nothing, and read as a rate of 0.
                const std::int64_t every = spec_.metrics_interval.count();
                auto samples_in = [every](sim::Duration from, sim::Duration to) {
                    return to.count() / every - from.count() / every;
                };
                const std::string sampled = "metrics are sampled every " + sim::format_duration(spec_.metrics_interval);
                if (samples_in(r.baseline_from, r.baseline_to) < 1) {
                    fail(inv.where, path + ".recovers.baseline_to",
                         "the baseline window (" + sim::format_duration(r.baseline_from) + ", " +
                             sim::format_duration(r.baseline_to) + "] holds no metrics sample (" + sampled +
                             "): widen it, or lower metrics_interval");
                }
                const std::int64_t needed = std::max<std::int64_t>(1, r.smoothing.count() / every);
                const std::int64_t held = samples_in(r.after, r.after + r.within);
                if (held < needed) {
                    fail(
                        inv.where, path + ".recovers.within",
                        "holds " + std::to_string(held) + " metrics sample" + (held == 1 ? "" : "s") +
                            " after `after` (" + sampled + "), fewer than the " + std::to_string(needed) +
                            " that smoothing averages: it could never recover; lengthen it, or lower metrics_interval");
                }
            }
            if (r.relapse_until && (*r.relapse_until <= r.after + r.within || *r.relapse_until > spec_.duration)) {
                fail(inv.where, path + ".recovers.relapse_until", "must come after after + within and by the end of the run");
            }
            if (r.relapse_share < 0 || r.relapse_share > r.share) {
                fail(inv.where, path + ".recovers.relapse_share",
                     "is " + number(r.relapse_share) + ", must be between 0 and share (" + number(r.share) +
                         "): lower relapse_share with share, or 0 to not check relapses");
            }
            // Judged just after the last sample that counts (samples come every interval).
            const sim::Time judge = sim::Time(r.after + r.within) + sim::Duration(1);
            sim_->at(judge, [this, r, name = inv.name] {
                judged_.push_back(name);
                const std::vector<double> times = metrics_->times();
                const std::vector<double> rates = metrics_->column(r.metric);
                SIM_ASSERT(rates.size() == times.size(), "recovers: no series for metric '" + r.metric + "'");
                double base_sum = 0;
                int base_n = 0;
                for (std::size_t j = 0; j < times.size(); ++j) {
                    if (times[j] > sim::to_seconds(r.baseline_from) && times[j] <= sim::to_seconds(r.baseline_to)) {
                        base_sum += rates[j];
                        ++base_n;
                    }
                }
                const double baseline = base_n > 0 ? base_sum / base_n : 0;
                const double after = sim::to_seconds(r.after), deadline = sim::to_seconds(r.after + r.within);
                const std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(r.smoothing / spec_.metrics_interval));
                double recovered_at = -1, last_rate = 0, last_t = after;
                for (std::size_t j = 0; j < times.size(); ++j) {
                    if (times[j] <= after || times[j] > deadline) continue;
                    double sum = 0;
                    std::size_t n = 0;
                    for (std::size_t m = j + 1 - std::min(k, j + 1); m <= j; ++m) {
                        if (times[m] > after) {
                            sum += rates[m];
                            ++n;
                        }
                    }
                    if (n < std::min<std::size_t>(k, j + 1)) continue;  // a full smoothing window after the trigger
                    last_rate = sum / static_cast<double>(n);
                    last_t = times[j];
                    if (last_rate >= r.share * baseline) {
                        recovered_at = times[j];
                        break;
                    }
                }
                late_measurements_->push_back({name + ".baseline", baseline, r.metric + " per second"});
                if (baseline <= 0) recovered_at = -1;  // 0/s is "back to 90%" of a 0/s baseline: no recovery to time
                late_measurements_->push_back({name + ".recovery_s",
                                               recovered_at < 0 ? models::Metrics::missing : recovered_at - after,
                                               baseline <= 0      ? "no baseline"
                                               : recovered_at < 0 ? "did not recover"
                                                                  : "after the trigger"});
                if (baseline > 0 && recovered_at >= 0 && r.relapse_share > 0) {
                    // Recovered: from then on it must not fall back into an outage.
                    const sim::Duration until = r.relapse_until ? *r.relapse_until : spec_.duration;
                    sim_->at(sim::Time(until), [this, r, name, baseline, recovered_at, k, until] {
                        const std::vector<double> times = metrics_->times();
                        const std::vector<double> rates = metrics_->column(r.metric);
                        double sum = 0;
                        std::size_t n = 0, first = 0;
                        for (std::size_t j = 0; j < times.size(); ++j) {
                            if (times[j] <= recovered_at || times[j] > sim::to_seconds(until)) continue;
                            if (n == 0) first = j;
                            sum += rates[j];
                            ++n;
                            if (n > k) {
                                sum -= rates[first++];
                                --n;
                            }
                            if (n == k && sum / static_cast<double>(n) < r.relapse_share * baseline) {
                                sim_->fail({"invariant", name,
                                            "relapsed: recovered at " + number(recovered_at) + "s, then " + r.metric + " fell to " +
                                                number(sum / static_cast<double>(n)) + "/s at " + number(times[j]) + "s, " +
                                                number(100 * sum / static_cast<double>(n) / baseline) + "% of its " + number(baseline) +
                                                "/s baseline (a relapse is below " + number(100 * r.relapse_share) + "%)",
                                            "", "", sim_->now()});
                                return;
                            }
                        }
                    });
                }
                if (baseline <= 0) {
                    sim_->fail({"invariant", name, "no baseline: " + r.metric + " was 0 in the baseline window", "", "", sim_->now()});
                } else if (recovered_at < 0) {
                    sim_->fail({"invariant", name,
                                "did not recover: " + r.metric + " was " + number(last_rate) + "/s at " +
                                    number(last_t) + "s, " + number(100 * last_rate / baseline) + "% of its " +
                                    number(baseline) + "/s baseline; needed " + number(100 * r.share) + "% within " +
                                    sim::format_duration(r.within) + " after " + sim::format_duration(r.after),
                                "", "", sim_->now()});
                }
            });
        } else if (inv.converges || inv.no_lost_writes || inv.linearizable || inv.stale_reads) {
            build_checker(inv, path);
        } else if (inv.slo) {
            const SloSpec slo = *inv.slo;
            if (metrics_->find_histogram(slo.metric) == nullptr) {
                std::vector<std::string> names;
                for (const std::string& n : metrics_->names()) {
                    if (metrics_->find_histogram(n) != nullptr) names.push_back(n);
                }
                fail(inv.where, path + ".slo.metric", no_such_metric("latency histogram", slo.metric, names));
            }
            if (slo.to && *slo.to > spec_.duration) fail(inv.where, path + ".slo.to", "after the end of the run");
            const sim::Duration to = slo.to.value_or(spec_.duration);
            if (to <= slo.from) fail(inv.where, path + ".slo.from", "at or after the end of the run");
            auto start = std::make_shared<models::Histogram>();
            sim_->at(sim::Time(slo.from), [this, start, slo] { *start = metrics_->find_histogram(slo.metric)->total(); });
            sim_->at(sim::Time(to), [this, start, slo, to, name = inv.name] {
                judged_.push_back(name);
                models::Histogram window = metrics_->find_histogram(slo.metric)->total();
                window.subtract(*start);
                const double q = static_cast<double>(window.percentile(slo.quantile)) * 1e-9;
                late_measurements_->push_back({name + ".value_s", window.count() > 0 ? q : models::Metrics::missing,
                                               "quantile " + number(slo.quantile)});
                if (window.count() == 0) {
                    // The histogram counts successful requests: none in the window is an outage (or
                    // no traffic at all), not a latency of 0.
                    sim_->fail({"invariant", name,
                                "no request counted in " + slo.metric + " between " + sim::format_duration(slo.from) +
                                    " and " + sim::format_duration(to) + " (none succeeded): its " +
                                    number(100 * slo.quantile) + "th percentile cannot be under " +
                                    latency_text(sim::to_seconds(slo.max)),
                                "", "", sim_->now()});
                } else if (q > sim::to_seconds(slo.max)) {
                    sim_->fail({"invariant", name,
                                "the " + number(100 * slo.quantile) + "th percentile of " + slo.metric + " between " +
                                    sim::format_duration(slo.from) + " and " + sim::format_duration(to) + " was " +
                                    latency_text(q) + ", above " + latency_text(sim::to_seconds(slo.max)),
                                "", "", sim_->now()});
                }
            });
        }
    }
}

}  // namespace faultline
