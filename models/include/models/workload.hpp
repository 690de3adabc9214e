// Client workloads. Open loop: requests arrive as a Poisson process whatever happens to earlier
// ones (a public API, a message queue), at a base rate times a multiplier that spikes, bursts
// and a diurnal curve change. Closed loop: a fixed number of clients, each sending its next
// request only after the last one finished and a think time (a batch job, a UI).
//
// Every request gets a key (uniform or Zipf popularity) and runs in its own fiber through the
// `send` function the scenario gives: an RPC call, through a retrying caller, a load balancer...
// The workload measures what the client sees: offered load, goodput, errors by kind, latency.
// Metrics: <name>.offered, <name>.ok, <name>.errors.<errc>, <name>.dropped (arrivals refused at
// the client beyond inflight_max), <name>.latency, probe <name>.inflight. Rate changes are exact
// for piecewise-constant rates (a pending gap is redrawn when the rate changes: the exponential
// is memoryless); the diurnal curve is a step function (one step per hour of its period).
//
// Left out: sessions, request mixes with different costs (use two workloads), coordinated
// omission in closed loops (a closed loop waits, as its clients would).
//
// The open loop's arrivals are a chain of kernel callbacks, not a fiber: only the requests need
// one (ten thousand client hosts would otherwise each wake a fiber of their own per arrival). A
// client host that is paused makes no arrivals until it resumes; a crash ends them (the workload
// is the host's volatile state).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/metrics.hpp"
#include "models/request.hpp"
#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/simulator.hpp"
#include "sim/sync.hpp"

namespace models {

struct KeyOptions {
    static constexpr std::uint64_t keys_limit = std::uint64_t{1} << 53;  // Zipf ranks are exact doubles
    static constexpr double zipf_s_limit = 100;

    std::uint64_t keys = 100'000;  // 1 ..= keys_limit
    double zipf_s = 0;             // 0: uniform; > 0: Zipf with this exponent (0.99 is typical)
    sim::Ratio write_ratio{0, 1};  // share of requests that are writes
};

struct OpenLoopOptions {
    double rate = 100;                        // requests per second (before multipliers)
    KeyOptions keys;
    std::vector<double> diurnal;              // hourly multipliers over diurnal_period (empty: flat)
    sim::Duration diurnal_period = std::chrono::hours(24);
    std::uint64_t inflight_max = 100'000;     // beyond this, arrivals are dropped at the client
    sim::Time start{};                        // no arrivals before
    sim::Duration ramp_up{0};                 // the rate climbs from 5% to 100% over this, in 20 steps
    std::array<sim::Touches::Range, 3> send_touches{};  // what the send function reads first (a cache hint)
};

// A ramp-up climbs in ramp_steps steps of ramp_step(ramp_up) each; during step k (from 0) the
// rate is (k + 1) / ramp_steps of itself, and all of it after the last step.
inline constexpr int ramp_steps = 20;
sim::Duration ramp_step(sim::Duration ramp_up);
// The seconds at full rate that the first `window` after the start amounts to: `window` itself
// without a ramp-up, about half a ramp-up less with one. For a warning about a rate too low to
// give one arrival in a run.
double full_rate_seconds(sim::Duration window, sim::Duration ramp_up);

struct ClosedLoopOptions {
    int clients = 10;
    sim::Delay think = sim::Delay::exponential(std::chrono::milliseconds(100));
    KeyOptions keys;
    sim::Time start{};
};

// What a workload calls for each request; the result is what the client saw.
using SendFn = std::function<sim::Result<Response>(sim::Ctx&, const Request&)>;

class WorkloadStats {
public:
    WorkloadStats(Metrics* metrics, std::string name);
    void offered();
    void finished(sim::Time created, sim::Time now, const sim::Result<Response>& r);
    std::uint64_t offered_count() const noexcept { return offered_; }
    std::uint64_t ok_count() const noexcept { return ok_; }
    std::uint64_t error_count() const noexcept { return errors_; }
    std::uint64_t inflight() const noexcept { return offered_ - ok_ - errors_ - dropped_; }
    void dropped();
    std::uint64_t dropped_count() const noexcept { return dropped_; }

private:
    Metrics* metrics_;
    std::string name_;
    std::uint64_t offered_ = 0, ok_ = 0, errors_ = 0, dropped_ = 0;
    Counter* offered_metric_ = nullptr;  // looked up once: a lookup by name per request costs
    Counter* ok_metric_ = nullptr;
    Counter* dropped_metric_ = nullptr;
    ErrorCounters error_metrics_;
    LatencyHistogram* latency_ = nullptr;
};

class OpenLoopWorkload {
public:
    // With `shared`, the statistics go there (one WorkloadStats for a workload running on many
    // hosts, outliving any one host's crash); otherwise the workload keeps its own.
    OpenLoopWorkload(sim::Host& host, std::string name, OpenLoopOptions options, SendFn send, Metrics* metrics = nullptr,
                     WorkloadStats* shared = nullptr);
    ~OpenLoopWorkload();
    OpenLoopWorkload(const OpenLoopWorkload&) = delete;
    OpenLoopWorkload& operator=(const OpenLoopWorkload&) = delete;

    const std::string& name() const noexcept { return name_; }
    sim::Host& host() const noexcept { return *host_; }
    // The rate multiplier (spikes); each call redraws the pending gap at the new rate.
    void set_multiplier(double m);
    double multiplier() const noexcept { return multiplier_; }
    double current_rate() const;
    // `n` arrivals at once (beyond inflight_max they are dropped, as any arrival is).
    void burst(std::uint64_t n);
    const WorkloadStats& stats() const noexcept { return *stats_; }

private:
    // Draws the gap to the next arrival (or the next rate step, whichever comes first) from now,
    // and schedules it; before the start, schedules the start.
    void schedule_next();
    void schedule_at(sim::Time t, bool arrival);  // then schedule_next() again
    void cancel_next();
    void arrive();

    sim::Host* host_;
    std::string name_;
    OpenLoopOptions options_;
    SendFn send_;
    sim::Rng rng_;
    sim::Rng gaps_;  // the inter-arrival times
    sim::Zipf zipf_;
    double multiplier_ = 1.0;
    sim::TimerId next_{};  // the pending arrival, rate step or start
    bool next_pending_ = false;  // (a TimerId{} could name another callback's slot)
    std::uint64_t next_id_ = 0;
    std::unique_ptr<WorkloadStats> own_stats_;
    WorkloadStats* stats_;
};

class ClosedLoopWorkload {
public:
    ClosedLoopWorkload(sim::Host& host, std::string name, ClosedLoopOptions options, SendFn send, Metrics* metrics = nullptr,
                       WorkloadStats* shared = nullptr);
    const WorkloadStats& stats() const noexcept { return *stats_; }

private:
    std::string name_;
    ClosedLoopOptions options_;
    SendFn send_;
    sim::Rng rng_;
    sim::Zipf zipf_;
    std::uint64_t next_id_ = 0;
    std::unique_ptr<WorkloadStats> own_stats_;
    WorkloadStats* stats_;
};

}  // namespace models
