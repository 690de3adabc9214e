#include "models/workload.hpp"

#include "models/service.hpp"

namespace models {

// ---- stats -------------------------------------------------------------------------------------

WorkloadStats::WorkloadStats(Metrics* metrics, std::string name)
    : metrics_(metrics), name_(std::move(name)), error_metrics_(metrics, name_) {
    if (metrics_ != nullptr) {
        offered_metric_ = &metrics_->counter(name_ + ".offered");
        ok_metric_ = &metrics_->counter(name_ + ".ok");
        dropped_metric_ = &metrics_->counter(name_ + ".dropped");
        latency_ = &metrics_->histogram(name_ + ".latency");
        metrics_->probe(name_ + ".inflight", [this] { return static_cast<double>(inflight()); });
    }
}

void WorkloadStats::offered() {
    ++offered_;
    if (offered_metric_ != nullptr) offered_metric_->add();
}

void WorkloadStats::dropped() {
    ++dropped_;
    if (dropped_metric_ != nullptr) dropped_metric_->add();
}

void WorkloadStats::finished(sim::Time created, sim::Time now, const sim::Result<Response>& r) {
    if (r) {
        ++ok_;
        if (metrics_ != nullptr) {
            ok_metric_->add();
            latency_->record(now - created);
        }
    } else {
        ++errors_;
        error_metrics_.add(r.error());
    }
}

namespace {
Request make_request(sim::Rng& rng, const sim::Zipf& zipf, const KeyOptions& keys, std::uint64_t id, sim::Time now) {
    Request r;
    r.id = id;
    r.key = keys.zipf_s > 0 ? zipf(rng) - 1 : rng.uniform_u64(keys.keys);
    r.created = now;
    r.write = keys.write_ratio.num > 0 && rng.bernoulli(keys.write_ratio);
    return r;
}
}  // namespace

// ---- open loop ---------------------------------------------------------------------------------

OpenLoopWorkload::OpenLoopWorkload(sim::Host& host, std::string name, OpenLoopOptions options, SendFn send, Metrics* metrics,
                                   WorkloadStats* shared)
    : host_(&host),
      name_(std::move(name)),
      options_(std::move(options)),
      send_(std::move(send)),
      rng_(host.sim().rng("workload/" + name_)),
      gaps_(host.sim().rng("workload/" + name_ + "/arrivals")),
      zipf_(std::max<std::uint64_t>(options_.keys.keys, 1), options_.keys.zipf_s > 0 ? options_.keys.zipf_s : 1.0),
      own_stats_(shared ? nullptr : std::make_unique<WorkloadStats>(metrics, name_)),
      stats_(shared ? shared : own_stats_.get()) {
    SIM_ASSERT(options_.rate >= 0, "a workload rate cannot be negative");
    schedule_next();
}

OpenLoopWorkload::~OpenLoopWorkload() { cancel_next(); }

sim::Duration ramp_step(sim::Duration ramp_up) { return sim::Duration(std::max<std::int64_t>(1, ramp_up.count() / ramp_steps)); }

double full_rate_seconds(sim::Duration window, sim::Duration ramp_up) {
    if (ramp_up.count() <= 0) return sim::to_seconds(window);
    const std::int64_t step = ramp_step(ramp_up).count();
    const std::int64_t ramped = std::min(window.count(), step * ramp_steps);
    const std::int64_t whole = ramped / step;  // steps done, at 1/20, 2/20, ... of the rate
    const std::int64_t partial = ramped - whole * step;
    const double ns = static_cast<double>(step) * static_cast<double>(whole * (whole + 1)) / (2.0 * ramp_steps) +
                      static_cast<double>(partial) * static_cast<double>(whole + 1) / ramp_steps +
                      static_cast<double>(window.count() - ramped);
    return ns / 1e9;
}

double OpenLoopWorkload::current_rate() const {
    double rate = options_.rate * multiplier_;
    if (options_.ramp_up.count() > 0) {
        const sim::Duration since = host_->sim().now() - options_.start;
        const std::int64_t step = since.count() / ramp_step(options_.ramp_up).count();
        if (step < ramp_steps) rate *= static_cast<double>(step + 1) / static_cast<double>(ramp_steps);
    }
    if (!options_.diurnal.empty()) {
        const std::int64_t period = options_.diurnal_period.count();
        const std::int64_t into = host_->sim().now().time_since_epoch().count() % period;
        // The same integer steps schedule_next() stops at, so a step starts exactly at its boundary.
        const std::int64_t step_ns = std::max<std::int64_t>(1, period / static_cast<std::int64_t>(options_.diurnal.size()));
        const auto step = std::min(static_cast<std::size_t>(into / step_ns), options_.diurnal.size() - 1);
        rate *= options_.diurnal[step];
    }
    return rate;
}

void OpenLoopWorkload::set_multiplier(double m) {
    SIM_ASSERT(m >= 0, "a rate multiplier cannot be negative");
    multiplier_ = m;
    cancel_next();  // the pending gap is redrawn at the new rate (the exponential is memoryless)
    schedule_next();
}

void OpenLoopWorkload::burst(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) arrive();
}

// One arrival: counted as offered, then started in its own fiber, or dropped at the client when
// more than inflight_max are already in flight.
void OpenLoopWorkload::arrive() {
    stats_->offered();
    if (stats_->inflight() > options_.inflight_max) {
        stats_->dropped();
        return;
    }
    Request req = make_request(rng_, zipf_, options_.keys, ++next_id_, host_->sim().now());
    host_->spawn([this, req](sim::Ctx& ctx) {
        const sim::Result<Response> r = send_(ctx, req);  // before now(): the call takes time
        stats_->finished(req.created, ctx.now(), r);
    });
}

void OpenLoopWorkload::schedule_next() {
    const sim::Time now = host_->sim().now();
    if (now < options_.start) return schedule_at(options_.start, /*arrival=*/false);
    const double rate = current_rate();
    // A mean gap past int64's nanoseconds (a rate under one in 292 years) saturates to forever.
    sim::Duration gap = rate > 0 ? gaps_.exponential(sim::saturating_duration(1e9 / rate)) : sim::duration_forever;
    // Diurnal and ramp steps change the rate on their own: stop at each step boundary to redraw.
    const sim::Duration step = options_.diurnal.empty() ? sim::duration_forever
                                                        : options_.diurnal_period / static_cast<std::int64_t>(options_.diurnal.size());
    const sim::Duration ramp = ramp_step(options_.ramp_up);
    const bool ramping = options_.ramp_up.count() > 0 && now - options_.start < options_.ramp_up;
    bool truncated = false;
    for (const sim::Duration s : {step, ramping ? ramp : sim::duration_forever}) {
        if (s == sim::duration_forever) continue;
        const std::int64_t offset = (now - (s == ramp && ramping ? options_.start : sim::Time{})).count();
        const sim::Duration to_boundary(s.count() - offset % s.count());
        if (to_boundary < gap) {
            gap = to_boundary;
            truncated = true;
        }
    }
    if (gap == sim::duration_forever) return;  // no rate and no step ahead: until the rate changes
    schedule_at(sim::saturating_add(now, gap), /*arrival=*/!truncated);  // a step boundary only redraws
}

void OpenLoopWorkload::schedule_at(sim::Time t, bool arrival) {
    // The host is captured beside `this`, so that its paused flag and this workload (both cold by
    // the time the arrival is due) are loaded side by side rather than one after the other. The
    // hint asks the kernel to load both, and what the send reads first, about a millisecond ahead
    // in a big run (the stampede at 10,000 clients: 18-20% less CPU).
    next_ = host_->sim().at(
        t,
        [this, host = host_, arrival] {
            next_pending_ = false;
            if (arrival && !host->paused()) arrive();
            schedule_next();
        },
        sim::Touches{{this, sizeof(*this)}, {host_, host_->hot_bytes()}, options_.send_touches[0], options_.send_touches[1],
                     options_.send_touches[2]});
    next_pending_ = true;
}

void OpenLoopWorkload::cancel_next() {
    if (next_pending_) host_->sim().cancel(next_);
    next_pending_ = false;
}

// ---- closed loop -------------------------------------------------------------------------------

ClosedLoopWorkload::ClosedLoopWorkload(sim::Host& host, std::string name, ClosedLoopOptions options, SendFn send, Metrics* metrics,
                                       WorkloadStats* shared)
    : name_(std::move(name)),
      options_(std::move(options)),
      send_(std::move(send)),
      rng_(host.sim().rng("workload/" + name_)),
      zipf_(std::max<std::uint64_t>(options_.keys.keys, 1), options_.keys.zipf_s > 0 ? options_.keys.zipf_s : 1.0),
      own_stats_(shared ? nullptr : std::make_unique<WorkloadStats>(metrics, name_)),
      stats_(shared ? shared : own_stats_.get()) {
    for (int c = 0; c < options_.clients; ++c) {
        host.spawn(
            [this](sim::Ctx& ctx) {
                if (ctx.now() < options_.start) ctx.sleep_until(options_.start);
                for (;;) {
                    Request req = make_request(rng_, zipf_, options_.keys, ++next_id_, ctx.now());
                    stats_->offered();
                    const sim::Result<Response> r = send_(ctx, req);  // first: it takes time
                    stats_->finished(req.created, ctx.now(), r);
                    ctx.sleep_for(options_.think.sample(rng_));
                }
            },
            "client:" + name_ + "/" + std::to_string(c));
    }
}

}  // namespace models
