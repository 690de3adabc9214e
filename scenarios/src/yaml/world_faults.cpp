// The scenario's fault kinds (on top of the kernel's vocabulary), the fault timeline and the
// nemesis, each checked against the file before the run.
//   cache_flush  {targets: [hosts], params: {ratio}}     empty the caches on those hosts
//   load_spike   {targets: [client hosts], params: {factor}}   multiply the workloads' rate (a window)
//   burst        {targets: [client hosts], params: {requests}} that many requests at once
//   bad_deploy   {targets: [hosts], params: {crash_after, restart_delay}}  the hosts restart into a
//                version that crashes `crash_after` after each boot (a crash loop) until the
//                window ends and the deploy is rolled back
#include <algorithm>
#include <memory>

#include "world.hpp"

namespace faultline {

void World::define_scenario_faults() {
    sim::define_standard_faults(*faults_, net_);
    // load_spike and burst act on open-loop workloads, cache_flush on caches: targets that have
    // none (a service's hosts, the database) are a mistake in the file, not a fault that quietly
    // does nothing. `components`: the components that have what the kind acts on, by name.
    auto on_hosts_of = [this](std::string kind, std::string noun, std::vector<std::string> components) {
        return [this, kind, noun, components](sim::Simulator& s, const sim::FaultSpec& spec) -> std::optional<std::string> {
            const std::vector<sim::Host*> targets = s.select(spec.targets[0]);
            std::string where;
            for (const std::string& name : components) {
                auto it = hosts_.find(name);
                if (it == hosts_.end()) continue;
                for (const sim::Host* h : it->second) {
                    if (std::find(targets.begin(), targets.end(), h) != targets.end()) return std::nullopt;
                }
                where += (where.empty() ? "" : ", ") + name + " on " + (it->second.empty() ? "no host" : std::string(it->second.front()->name()) + (it->second.size() > 1 ? ", ..." : ""));
            }
            return "fault '" + kind + "': no " + noun + " runs on '" + spec.targets[0] + "'" +
                   (where.empty() ? " (the scenario has none)" : " (" + noun + "s: " + where + ")");
        };
    };
    std::vector<std::string> open_loop_workloads, cached_services;
    for (const auto& [name, w] : spec_.workloads) {
        if (w.open_loop) open_loop_workloads.push_back(name);
    }
    for (const auto& [name, svc] : spec_.services) {
        if (svc.cache) cached_services.push_back(name);
    }
    auto on_open_loop_hosts = [&](std::string kind) { return on_hosts_of(std::move(kind), "open-loop workload", open_loop_workloads); };
    faults_->define({"cache_flush",
                     "Empty the caches on the hosts (all entries, or a share with ratio).",
                     1,
                     {sim::fault_param<sim::Ratio>("ratio", "share of entries dropped (default 100%)")},
                     false,
                     on_hosts_of("cache_flush", "cache", cached_services),
                     [this](sim::Simulator& s, const sim::FaultSpec& spec, std::optional<sim::Duration>) -> sim::UniqueFunction<void()> {
                         sim::FaultParams p(spec);
                         const sim::Ratio r = p.get<sim::Ratio>("ratio", sim::Ratio{1, 1});
                         sim::Rng rng = s.rng("fault/cache_flush");
                         const auto by_host = caches->by_host();
                         for (sim::Host* h : s.select(spec.targets[0])) {
                             auto it = by_host.find(h->id());
                             if (it == by_host.end()) continue;
                             for (models::Cache* cache : it->second) {
                                 if (r == sim::Ratio{1, 1}) cache->flush();
                                 else cache->flush_ratio(r, rng);
                             }
                         }
                         return nullptr;
                     }});
    faults_->define({"load_spike",
                     "Multiply the rate of the open-loop workloads on the hosts by `factor` for the window.",
                     1,
                     {sim::fault_param<double>("factor", "rate multiplier, 0 to 1000 (default 3)", 0.0, 1000.0)},
                     true,
                     on_open_loop_hosts("load_spike"),
                     [this](sim::Simulator& s, const sim::FaultSpec& spec, std::optional<sim::Duration>) -> sim::UniqueFunction<void()> {
                         sim::FaultParams p(spec);
                         const double factor = p.get<double>("factor", 3.0);
                         auto hosts = std::make_shared<std::vector<std::uint32_t>>();
                         for (sim::Host* h : s.select(spec.targets[0])) hosts->push_back(h->id());
                         std::sort(hosts->begin(), hosts->end());
                         auto set = [this, hosts](double m) {
                             open_loops->for_each([&](std::uint32_t host_id, models::OpenLoopWorkload* load) {
                                 if (std::binary_search(hosts->begin(), hosts->end(), host_id)) load->set_multiplier(m);
                             });
                         };
                         set(factor);
                         return [set] { set(1.0); };
                     }});
    faults_->define({"burst",
                     "Send `requests` requests at once from the open-loop workloads on the hosts.",
                     1,
                     {sim::fault_param<std::uint64_t>("requests", "how many, at most 1,000,000 (default 1000)", std::uint64_t{1}, std::uint64_t{1'000'000})},
                     false,
                     on_open_loop_hosts("burst"),
                     [this](sim::Simulator& s, const sim::FaultSpec& spec, std::optional<sim::Duration>) -> sim::UniqueFunction<void()> {
                         sim::FaultParams p(spec);
                         const std::uint64_t n = p.get<std::uint64_t>("requests", 1000);
                         const auto by_host = open_loops->by_host();
                         for (sim::Host* h : s.select(spec.targets[0])) {
                             auto it = by_host.find(h->id());
                             if (it == by_host.end()) continue;
                             for (models::OpenLoopWorkload* load : it->second) load->burst(n);
                         }
                         return nullptr;
                     }});
    faults_->define({"bad_deploy",
                     "Restart the hosts into a version that crashes `crash_after` after every boot (a crash loop, "
                     "restarted after `restart_delay`) until the window ends and the deploy is rolled back.",
                     1,
                     {sim::fault_param<sim::Duration>("crash_after", "uptime before each crash (default 5s)"),
                      sim::fault_param<sim::Duration>("restart_delay", "down time between crashes (default 5s)")},
                     true,
                     [](sim::Simulator&, const sim::FaultSpec& spec) -> std::optional<std::string> {
                         sim::FaultParams p(spec);
                         const sim::Duration up = p.get<sim::Duration>("crash_after", std::chrono::seconds(5));
                         const sim::Duration down = p.get<sim::Duration>("restart_delay", std::chrono::seconds(5));
                         if (up.count() < 0 || down.count() < 0) return "fault 'bad_deploy': crash_after and restart_delay cannot be negative";
                         // A cycle shorter than a millisecond spends the run on boots (1ns each took 100
                         // million events and minutes of wall time); no deploy crash-loops that fast.
                         if (up + down < std::chrono::milliseconds(1))
                             return "fault 'bad_deploy': crash_after + restart_delay is " +
                                    sim::format_value(up + down) +
                                    ", under 1ms: the hosts would crash and boot so fast that the run spends itself on "
                                    "boots; give a crash loop of at least 1ms a cycle";
                         return std::nullopt;
                     },
                     [this](sim::Simulator& s, const sim::FaultSpec& spec, std::optional<sim::Duration>) -> sim::UniqueFunction<void()> {
                         sim::FaultParams p(spec);
                         const BadVersion bad{p.get<sim::Duration>("crash_after", std::chrono::seconds(5)),
                                              p.get<sim::Duration>("restart_delay", std::chrono::seconds(5))};
                         auto hosts = std::make_shared<std::vector<sim::Host*>>(s.select(spec.targets[0]));
                         // Deploy: every boot from now on starts the bad version too (see the boot
                         // function in world.cpp), so restart into it.
                         for (sim::Host* h : *hosts) {
                             bad_deploy[h->id()] = bad;
                             if (h->alive()) h->restart();
                             else h->boot();
                         }
                         return [this, hosts] {  // roll back: the good version everywhere
                             for (sim::Host* h : *hosts) {
                                 bad_deploy.erase(h->id());
                                 if (h->alive()) h->restart();
                                 else h->boot();
                             }
                         };
                     }});
}

void World::start_bad_version(sim::Host& host) {
    auto it = bad_deploy.find(host.id());
    if (it == bad_deploy.end()) return;
    const BadVersion bad = it->second;
    host.spawn(
        [bad](sim::Ctx& ctx) {
            ctx.sleep_for(bad.crash_after);
            ctx.trace("deploy.crash", {{"injected", true}});
            SIM_COVER("bad deploy: crashed");
            ctx.host().bounce(bad.restart_delay);  // the supervisor starts it again, into the same version
        },
        "bad-version");
}

namespace {

// The target lists to check for a nemesis fault of `k` targets drawn from `candidates` (at least
// k of them): see the caller.
std::vector<std::vector<std::string>> candidate_draws(const std::vector<std::string>& candidates, std::size_t k) {
    std::vector<std::vector<std::string>> out;
    if (k == 0) return {{}};
    if (k == 1) {
        for (const std::string& t : candidates) out.push_back({t});
        return out;
    }
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        for (std::size_t j = 0; j < candidates.size(); ++j) {
            if (i == j) continue;
            std::vector<std::string> draw{candidates[i], candidates[j]};
            for (std::size_t m = 0; m < candidates.size() && draw.size() < k; ++m) {
                if (m != i && m != j) draw.push_back(candidates[m]);
            }
            out.push_back(std::move(draw));
        }
    }
    return out;
}

}  // namespace

void World::build_faults() {
    // At the field the fault's check names ("faults[0].targets"), so that a setting that made it
    // (--set, a variant) is the one blamed.
    auto fail_at = [this](const Where& where, const std::string& path, const sim::Faults::Problem& p) {
        fail(where, p.field.empty() ? path : path + "." + p.field, p.message);
    };
    for (std::size_t i = 0; i < spec_.faults.size(); ++i) {
        const FaultSpecEntry& f = spec_.faults[i];
        const std::string path = "faults[" + std::to_string(i) + "]";
        sim::FaultSpec fs{f.kind, f.targets, f.params};
        if (auto p = faults_->problem(fs)) fail_at(f.where, path, *p);
        const sim::FaultKind* kind = faults_->kind(f.kind);
        if (f.duration && !kind->window && f.kind != "crash") fail(f.where, path, "'" + f.kind + "' is instantaneous: it takes no duration");
        if (f.duration && f.duration->count() == 0)
            fail(f.where, path + ".duration",
                 "0 heals the fault at the instant it is injected: give a length, or leave it out");
        if (f.at >= spec_.duration) fail(f.where, path + ".at", "after the end of the run (" + format_value(spec_.duration) + ")");
        plan_.push_back({sim::Time(f.at), f.duration, fs});
    }
    if (spec_.nemesis) {
        const NemesisSpec& n = *spec_.nemesis;
        sim::NemesisOptions o;
        o.start = sim::Time(n.start);
        o.quiet_at = sim::Time(n.quiet_at ? *n.quiet_at : spec_.duration * 7 / 10);
        o.concurrent_max = n.concurrent_max;
        if (o.quiet_at <= o.start) {
            // quiet_at is often unwritten: say what it is, and the start it must follow.
            const std::string quiet = format_value(o.quiet_at.time_since_epoch());
            fail(n.where, n.quiet_at ? "nemesis.quiet_at" : "nemesis.start",
                 n.quiet_at ? "must come after nemesis.start (" + format_value(o.start.time_since_epoch()) + "); it is " + quiet
                            : "must come before nemesis.quiet_at, which is " + quiet + " (unwritten: 70% of the run); it is " +
                                  format_value(o.start.time_since_epoch()));
        }
        if (o.quiet_at > sim::Time(spec_.duration)) fail(n.where, "nemesis.quiet_at", "after the end of the run (" + format_value(spec_.duration) + ")");
        for (std::size_t i = 0; i < n.faults.size(); ++i) {
            const NemesisFaultSpec& nf = n.faults[i];
            const std::string path = "nemesis.faults[" + std::to_string(i) + "]";
            const sim::FaultKind* kind = faults_->kind(nf.kind);
            if (kind == nullptr) fail_at(nf.where, path, *faults_->problem({nf.kind, {}, {}}));
            if (nf.targets.size() < kind->targets) {
                // A pattern is one candidate (the fault hits all its hosts at once), which a range
                // written as the only entry does not make obvious.
                const bool pattern = !nf.targets.empty() && nf.targets.front().find_first_of("{*?") != std::string::npos;
                fail(nf.where, path + ".targets",
                     "'" + nf.kind + "' needs at least " + std::to_string(kind->targets) + " candidate targets, and " +
                         std::to_string(nf.targets.size()) + " " + (nf.targets.size() == 1 ? "is" : "are") + " listed" +
                         (pattern ? " (each entry is one candidate: a pattern such as '" + nf.targets.front() +
                                        "' is one, whose hosts the fault hits all at once; list the hosts one by one to "
                                        "have each drawn alone)"
                                  : ""));
            }
            // Every draw the plan can make: it takes distinct candidates, so a kind of one target
            // is checked with each candidate, and one of several with each ordered pair of
            // candidates first (a cut between a candidate and itself is never drawn; one between two
            // candidates that name the same hosts is, and is refused), the rest filled in list order.
            for (const std::vector<std::string>& draw : candidate_draws(nf.targets, kind->targets)) {
                if (auto p = faults_->problem({nf.kind, draw, nf.params})) fail_at(nf.where, path, *p);
            }
            if (nf.duration_min > nf.duration_max) fail(nf.where, path, "duration_min is longer than duration_max");
            if (nf.duration_max.count() == 0)
                fail(nf.where, path + ".duration_max", "0: every window would heal at the instant it opens");
            // The plan is drawn whole before the run: bounded, like the run itself.
            const double expected = nf.rate.per_second * sim::to_seconds(o.quiet_at - o.start);
            if (expected > NemesisSpec::planned_max) {
                fail(nf.where, path + ".rate",
                     format_value(nf.rate) + " plans about " + format_value(expected) + " faults between " + format_value(n.start) + " and " +
                         format_value(o.quiet_at.time_since_epoch()) + "; at most " + format_value(NemesisSpec::planned_max));
            }
            o.faults.push_back({nf.kind, nf.rate.per_second * 60.0, nf.duration_min, nf.duration_max, nf.targets, nf.params});
        }
        sim::FaultPlan nemesis = sim::plan_nemesis(o, *faults_, sim_->rng("nemesis"));
        plan_.insert(plan_.end(), nemesis.begin(), nemesis.end());
        std::stable_sort(plan_.begin(), plan_.end(), [](const sim::PlannedFault& a, const sim::PlannedFault& b) { return a.at < b.at; });
        faults_->heal_all_at(o.quiet_at);
    }
}

}  // namespace faultline
