// Host: process list, groups, boot function and volatile/durable state, crash/boot/pause,
// the host clock and CPU slowdown.
#include <cmath>

#include "sim/simulator.hpp"

namespace sim {

Host::~Host() {
    destroy_volatile();
    for (auto it = durable_.rbegin(); it != durable_.rend(); ++it) it->destroy(it->object);
}

void Host::link(Ctx& p) noexcept {
    p.host_prev_ = last_;
    p.host_next_ = nullptr;
    if (last_) last_->host_next_ = &p;
    else first_ = &p;
    last_ = &p;
    ++process_count_;
}

void Host::unlink(Ctx& p) noexcept {
    if (p.host_prev_) p.host_prev_->host_next_ = p.host_next_;
    else first_ = p.host_next_;
    if (p.host_next_) p.host_next_->host_prev_ = p.host_prev_;
    else last_ = p.host_prev_;
    p.host_prev_ = p.host_next_ = nullptr;
    --process_count_;
}

void Host::join(std::string group) {
    SIM_ASSERT(!group.empty(), "empty group name");
    for (const std::string& g : groups_) {
        if (g == group) return;
    }
    auto& members = sim_->groups_[group];
    members.push_back(id_);
    groups_.push_back(std::move(group));
}

void Host::on_boot(UniqueFunction<void(Host&)> boot) {
    SIM_ASSERT(static_cast<bool>(boot), "an empty boot function");
    boot_.push_back(std::move(boot));
    if (alive_) boot_.back()(*this);
}

void Host::destroy_volatile() noexcept {
    // Newest first; a destructor may make more (unusual), so loop until empty.
    while (!volatile_.empty()) {
        Owned o = volatile_.back();
        volatile_.pop_back();
        o.destroy(o.object);
    }
}

void Host::crash() {
    SIM_ASSERT(id_ != 0, "the world host cannot crash");
    if (!alive_) return;
    Ctx* running = sim_->current();
    if (running != nullptr && &running->host() == this && running->state_ == Ctx::State::running) {
        // The caller is one of this host's processes: it stops here, and the rest of the crash
        // happens when it is off the CPU (its stack may still refer to the volatile state).
        sim_->defer_host_crash(*this, false);
        running->kill_requested_ = true;
        throw detail::ProcessKilled{};
    }
    crash_now();
}

void Host::crash_now() {
    sim_->assert_may_kill();
    if (!alive_) return;
    alive_ = false;
    if (paused_) --sim_->hosts_paused_;
    paused_ = false;
    deferred_.clear();
    sim_->trace(*this, "host.crash", {{"incarnation", incarnation_}});
    // Kill in spawn order. Collect first: an unwinding process may end others.
    std::vector<ProcessRef> victims;
    victims.reserve(process_count_);
    for (Ctx* p = first_; p != nullptr; p = p->host_next_) victims.push_back(sim_->ref(*p));
    for (const ProcessRef& v : victims) v.kill();
    destroy_volatile();
}

void Host::boot() {
    if (alive_) return;
    alive_ = true;
    ++incarnation_;
    sim_->trace(*this, "host.boot", {{"incarnation", incarnation_}});
    for (std::size_t i = 0; i < boot_.size(); ++i) boot_[i](*this);  // by index: a boot function may add another
}

void Host::restart() {
    Ctx* running = sim_->current();
    if (running != nullptr && &running->host() == this && alive_ && running->state_ == Ctx::State::running) {
        sim_->defer_host_crash(*this, true);
        running->kill_requested_ = true;
        throw detail::ProcessKilled{};
    }
    crash_now();
    boot();
}

void Host::bounce(Duration down) {
    SIM_ASSERT(down.count() >= 0, "negative bounce duration");
    const std::uint64_t crashed_incarnation = incarnation_;
    sim_->after(down, [this, crashed_incarnation] {
        // Boot only the incarnation this bounce took down (someone may have booted it since).
        if (!alive_ && incarnation_ == crashed_incarnation) boot();
    });
    crash();
}

void Host::pause() {
    SIM_ASSERT(id_ != 0, "the world host cannot pause");
    if (!alive_ || paused_) return;
    paused_ = true;
    ++sim_->hosts_paused_;
    sim_->trace(*this, "host.pause");
}

void Host::resume() {
    if (!paused_) return;
    paused_ = false;
    --sim_->hosts_paused_;
    sim_->trace(*this, "host.resume");
    std::vector<std::uint64_t> held;
    held.swap(deferred_);
    for (std::uint64_t payload : held) sim_->push(sim_->now(), payload);
}

void Host::set_clock_offset(Duration d) {
    clock_offset_ = d;
    sim_->trace(*this, "host.clock", {{"offset_ns", d}, {"drift_ppm", drift_ppm_}});
}

void Host::set_clock_drift_ppm(double ppm) {
    SIM_ASSERT(std::isfinite(ppm) && ppm > -1e6 && ppm < 1e6, "clock drift out of range");
    clock_offset_ = local_now() - sim_->now();  // keep what has drifted so far
    drift_ppm_ = ppm;
    drift_since_ = sim_->now();
    sim_->trace(*this, "host.clock", {{"offset_ns", clock_offset_}, {"drift_ppm", ppm}});
}

void Host::set_slowdown(double factor) {
    SIM_ASSERT(factor >= 1.0 && factor <= 1e6, "slowdown factor must be in [1, 1e6]");
    slowdown_ = factor;
    sim_->trace(*this, "host.slowdown", {{"factor", factor}});
}

}  // namespace sim
