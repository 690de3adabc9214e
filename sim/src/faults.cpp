#include "sim/faults.hpp"

#include <algorithm>

namespace sim {

std::string describe(const PlannedFault& f) {
    std::string out = "at " + format_time(f.at);
    if (f.duration) out += " for " + format_duration(*f.duration);  // "3.907711696s", as `at` is written
    out += " " + f.spec.kind;
    for (const std::string& t : f.spec.targets) out += " " + t;
    for (const auto& [k, v] : f.spec.params) out += " " + k + "=" + v;
    return out;
}

Faults::Faults(Simulator& sim) : sim_(&sim) {}

void Faults::define(FaultKind kind) {
    SIM_ASSERT(!kind.name.empty() && kind.apply, "a fault kind needs a name and an apply function");
    std::string name = kind.name;
    kinds_.insert_or_assign(std::move(name), std::move(kind));
}

const FaultKind* Faults::kind(std::string_view name) const {
    auto it = kinds_.find(name);
    return it == kinds_.end() ? nullptr : &it->second;
}

std::vector<std::string> Faults::kind_names() const {
    std::vector<std::string> out;
    for (const auto& [name, k] : kinds_) out.push_back(name);
    return out;
}

std::optional<Faults::Problem> Faults::problem(const FaultSpec& spec) const {
    const FaultKind* k = kind(spec.kind);
    if (k == nullptr && spec.kind.empty()) {
        std::string all;
        for (const std::string& n : kind_names()) all += (all.empty() ? "" : ", ") + n;
        return Problem{"kind", "a fault needs a kind (one of: " + all + ")"};
    }
    if (k == nullptr) {
        std::string msg = "unknown fault '" + spec.kind + "'";
        msg += did_you_mean_or(spec.kind, kind_names(), "");
        return Problem{"kind", msg};
    }
    if (spec.targets.size() != k->targets) {
        return Problem{"targets", "fault '" + spec.kind + "' takes " + std::to_string(k->targets) + " host pattern" +
                                      (k->targets == 1 ? "" : "s") + ", got " + std::to_string(spec.targets.size())};
    }
    for (const std::string& t : spec.targets) {
        if (sim_->select(t).empty()) {
            std::vector<std::string> names;
            for (std::uint32_t i = 1; i < sim_->host_count(); ++i) names.emplace_back(sim_->host(i).name());
            for (const std::string& g : sim_->group_names()) names.push_back(g);
            std::string msg = "no host or group matches '" + t + "'";
            const bool glob = t.find_first_of("*?") != std::string::npos;
            if (auto near = glob ? std::nullopt : nearest(t, names)) msg += " (did you mean '" + *near + "'?)";
            return Problem{"targets", msg};
        }
    }
    for (const auto& param : spec.params) {
        const std::string& name = param.first;
        const std::string& value = param.second;
        auto p = std::find_if(k->params.begin(), k->params.end(), [&name](const FaultParam& fp) { return fp.name == name; });
        if (p == k->params.end()) {
            std::vector<std::string> known;
            for (const FaultParam& fp : k->params) known.push_back(fp.name);
            std::string msg = "fault '" + spec.kind + "' has no parameter '" + name + "'";
            if (auto near = nearest(name, known)) msg += " (did you mean '" + *near + "'?)";
            else if (known.empty()) msg += " (it takes none)";
            return Problem{"params." + name, msg};
        }
        if (auto e = p->check(value)) return Problem{"params." + name, "fault '" + spec.kind + "' parameter '" + name + "': '" + value + "': " + *e};
    }
    if (k->validate) {
        if (auto e = k->validate(*sim_, spec)) return Problem{"", *e};
    }
    return std::nullopt;
}

std::optional<std::string> Faults::validate(const FaultSpec& spec) const {
    if (auto p = problem(spec)) return std::move(p->message);
    return std::nullopt;
}

void Faults::schedule(const PlannedFault& f) {
    sim_->at(f.at, [this, f] { inject(f.spec, f.duration); });
}

void Faults::schedule(const FaultPlan& plan) {
    for (const PlannedFault& f : plan) schedule(f);
}

void Faults::inject(const FaultSpec& spec, std::optional<Duration> duration) {
    if (auto e = validate(spec)) {
        // Recorded as tried: the injected plan is what reproduces the run (an artifact's faults,
        // a shrink's start), and this fault is its failure.
        ++next_id_;  // ids count injections (open_injected's indices)
        injected_.push_back({sim_->now(), duration, spec});
        SIM_ASSERT(false, "bad fault " + describe({sim_->now(), duration, spec}) + ": " + *e);
    }
    const FaultKind& k = *kind(spec.kind);
    std::string targets;
    for (const std::string& t : spec.targets) targets += (targets.empty() ? "" : " ") + t;
    std::string params;
    for (const auto& [name, value] : spec.params) params += (params.empty() ? "" : " ") + name + "=" + value;
    sim_->trace(sim_->world(), "fault.inject",
                {{"kind", std::string_view(spec.kind)}, {"targets", std::string_view(targets)}, {"params", std::string_view(params)},
                 {"duration_ns", duration ? *duration : Duration(-1)}, {"injected", true}});
    sim_->cover("fault: " + spec.kind);
    const std::uint64_t id = ++next_id_;
    PlannedFault f{sim_->now(), duration, spec};
    injected_.push_back(f);
    UniqueFunction<void()> heal_fn = k.apply(*sim_, spec, duration);
    if (!heal_fn) return;
    Open open{id, std::move(f), std::move(heal_fn), {}};
    if (duration) open.timer = sim_->after(*duration, [this, id] { heal(id); });
    open_.push_back(std::move(open));
}

void Faults::heal(std::uint64_t id) {
    auto it = std::find_if(open_.begin(), open_.end(), [id](const Open& o) { return o.id == id; });
    if (it == open_.end()) return;
    Open o = std::move(*it);
    open_.erase(it);
    sim_->cancel(o.timer);
    std::string targets;
    for (const std::string& t : o.fault.spec.targets) targets += (targets.empty() ? "" : " ") + t;
    sim_->trace(sim_->world(), "fault.heal",
                {{"kind", std::string_view(o.fault.spec.kind)}, {"targets", std::string_view(targets)}, {"injected", true}});
    o.heal();
}

void Faults::heal_all() {
    while (!open_.empty()) heal(open_.front().id);
}

void Faults::heal_all_at(Time t) {
    sim_->at(t, [this] { heal_all(); });
}

std::size_t Faults::open_windows() const noexcept { return open_.size(); }

std::vector<std::size_t> Faults::open_injected() const {
    std::vector<std::size_t> out;
    for (const Open& o : open_) out.push_back(static_cast<std::size_t>(o.id - 1));  // ids count injections from 1
    std::sort(out.begin(), out.end());
    return out;
}

// ---- the nemesis -------------------------------------------------------------------------------

FaultPlan plan_nemesis(const NemesisOptions& options, const Faults& faults, Rng rng) {
    FaultPlan plan;
    const std::int64_t quiet = options.quiet_at.time_since_epoch().count();
    for (const NemesisFault& nf : options.faults) {
        const FaultKind* k = faults.kind(nf.kind);
        SIM_ASSERT(k != nullptr, "nemesis: unknown fault '" + nf.kind + "'");
        SIM_ASSERT(nf.duration_min <= nf.duration_max, "nemesis: duration_min > duration_max for " + nf.kind);
        if (nf.rate_per_minute <= 0 || nf.targets.size() < k->targets) continue;
        // Each kind draws from its own stream, so adding a kind does not move the others' faults.
        Rng r = rng.fork(nf.kind);
        const Duration mean_gap = saturating_duration(60e9 / nf.rate_per_minute);
        SIM_ASSERT(mean_gap.count() > 0, "nemesis: a rate of " + std::to_string(nf.rate_per_minute) + "/min for " + nf.kind +
                                             " leaves no nanosecond between faults");
        Time t = options.start;
        for (;;) {
            t = saturating_add(t, r.exponential(mean_gap));  // a rate of almost never: never
            if (t.time_since_epoch().count() >= quiet) break;
            PlannedFault f;
            f.at = t;
            f.spec.kind = nf.kind;
            f.spec.params = nf.params;
            // Distinct targets where there are enough candidates.
            std::vector<std::string> pool = nf.targets;
            for (std::size_t i = 0; i < k->targets; ++i) {
                const std::size_t pick = static_cast<std::size_t>(r.uniform_u64(pool.size()));
                f.spec.targets.push_back(pool[pick]);
                if (pool.size() > 1) pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(pick));
            }
            Duration d = r.uniform_duration(nf.duration_min, nf.duration_max);
            if (k->window) {
                const Duration left = Duration(quiet) - t.time_since_epoch();
                f.duration = std::min(d, left);
            }
            plan.push_back(std::move(f));
        }
    }
    std::stable_sort(plan.begin(), plan.end(), [](const PlannedFault& a, const PlannedFault& b) { return a.at < b.at; });
    // At most concurrent_max open windows at once.
    FaultPlan kept;
    std::vector<Time> ends;
    for (PlannedFault& f : plan) {
        std::erase_if(ends, [&](Time e) { return e <= f.at; });
        if (f.duration && ends.size() >= options.concurrent_max) continue;
        if (f.duration) ends.push_back(f.at + *f.duration);
        kept.push_back(std::move(f));
    }
    return kept;
}

}  // namespace sim
