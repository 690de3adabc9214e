// Warnings about a scenario spec: settings that load and run, but very likely say something the
// writer did not mean. The run goes on; the CLI prints each on stderr with its location. Left out:
// anything a run can only know as it goes (an invariant that never sees a sample, a fault
// outside the run's time is an error already).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "faultline/spec.hpp"
#include "models/workload.hpp"

namespace faultline {

namespace {

// About two significant digits: a warning's numbers are orders of magnitude, not values to copy.
std::string rough(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v >= 10 ? "%.0f" : "%.2g", v);
    return buf;
}

// An open-loop workload whose rate, over all its hosts and the whole run, gives less than one
// arrival on average (its ramp-up and diurnal peak counted): `5/h` written for `5/s`, say. A rate
// of 0 is left alone (a workload held back for a fault to scale up is a 0 on purpose).
void warn_rate_too_low(const std::string& name, const WorkloadSpec& w, sim::Duration duration, std::vector<std::string>& out) {
    if (!w.open_loop || !(w.open_loop->rate.per_second > 0)) return;
    const OpenLoopSpec& o = *w.open_loop;
    double peak = 1;
    if (!o.diurnal.empty()) peak = *std::max_element(o.diurnal.begin(), o.diurnal.end());
    if (!(peak > 0)) {
        // The profile, not the rate, holds the workload back: asking about the rate's unit misleads.
        const Where& at = o.where.line != 0 ? o.where : w.where;
        out.push_back(at.text() + ": workloads." + name +
                      ".open_loop.diurnal is 0 at every hour: the workload sends nothing " +
                      "(write 1 for the hours it should run at its rate)");
        return;
    }
    const sim::Duration window = std::max(duration - o.start, sim::Duration{0});
    if (window.count() <= 0) return;
    const auto hosts = static_cast<double>(expand_hosts(w.hosts).size());
    const double expected = o.rate.per_second * peak * hosts * models::full_rate_seconds(window, o.ramp_up);
    if (expected >= 1) return;
    const Where& at = o.where.line != 0 ? o.where : w.where;  // the open_loop section, where the rate is
    if (o.start.count() > 0 && o.rate.per_second * peak * hosts * models::full_rate_seconds(duration, o.ramp_up) >= 1) {
        // The rate would do over the whole run: the late start is what leaves too little of it.
        out.push_back(at.text() + ": workloads." + name + ".open_loop.start " + format_value(o.start) + " leaves " +
                      format_value(window) + " of the " + format_value(duration) + " run: " + rough(expected) +
                      " arrivals on average (is the start right?)");
        return;
    }
    // The rate in the largest unit that makes it a whole number, as it was most likely written
    // (100/h, 2/min, 10/s): a rate of 10/s that a 50ms run leaves short is not asked about its unit.
    const double r = o.rate.per_second;
    const auto whole = [](double v) { return v >= 1 && std::abs(v - std::round(v)) <= 1e-9 * v; };
    const bool per_second = whole(r) || r >= 1;
    const char* unit = per_second ? "/s" : whole(r * 60) ? "/min" : "/h";
    const double shown = per_second ? r : whole(r * 60) ? r * 60 : r * 3600;
    out.push_back(at.text() + ": workloads." + name + ".open_loop.rate " + rough(shown) + unit + " per host gives " +
                  rough(expected) + " arrivals on average in the whole run (" + rough(hosts) +
                  (hosts == 1 ? " host, " : " hosts, ") + format_value(window) +
                  (o.ramp_up.count() > 0 ? " with its ramp-up" : "") + "): " +
                  (per_second ? std::string("is the run long enough?")
                              : "is the unit right (5/s, not 5" + std::string(unit) + ")?"));
}

// An eventually bound that 0 meets, counted from the start: counters and most gauges are 0
// before anything runs, so it holds at once whatever happens later ("the queue drains by the
// end" passed on a queue that only grew).
void warn_eventually_met_at_start(std::size_t index, const InvariantSpec& inv, std::vector<std::string>& out) {
    if (!inv.eventually || inv.eventually->after.count() > 0) return;
    const EventuallySpec& e = *inv.eventually;
    if ((e.max && *e.max < 0) || (e.min && *e.min > 0)) return;
    out.push_back(
        inv.where.text() + ": invariants[" + std::to_string(index) + "].eventually: " + e.metric +
        " is 0 at the start, as counters and most gauges are, and 0 is within its bound: it holds at once "
        "whatever happens later; give `after` (e.g. the end of the last fault) for the bound to count from then");
}

}  // namespace

std::vector<std::string> spec_warnings(const ScenarioSpec& s) {
    std::vector<std::string> out;
    for (const auto& [name, w] : s.workloads) warn_rate_too_low(name, w, s.duration, out);
    for (std::size_t i = 0; i < s.invariants.size(); ++i) warn_eventually_met_at_start(i, s.invariants[i], out);
    return out;
}

}  // namespace faultline
