// World: hosts and groups, network, databases, services, workloads, and what is measured.
#include "world.hpp"

#include <algorithm>
#include <functional>
#include <limits>

#include "sim/disk.hpp"

namespace faultline {

namespace {
double fixed_or_nan(double v) { return v; }
}  // namespace

World::World(sim::Simulator& sim, const ScenarioSpec& spec, std::string file) : sim_(&sim), spec_(spec), file_(std::move(file)) {
    sim::LinkOptions defaults;
    defaults.latency = spec_.network.latency;
    defaults.loss = spec_.network.loss;
    net_ = &sim.make<sim::Network>(sim, defaults);
    metrics_ = &sim.make<models::Metrics>(sim, spec_.metrics_interval);
    faults_ = &sim.make<sim::Faults>(sim);

    // Hosts first (every component's hosts, and the groups), so patterns can resolve.
    for (const auto& [name, d] : spec_.databases) place(name, d.hosts, d.where, "databases." + name + ".hosts");
    for (const auto& [name, s] : spec_.services) place(name, s.hosts, s.where, "services." + name + ".hosts");
    for (const auto& [name, w] : spec_.workloads) place(name, w.hosts, w.where, "workloads." + name + ".hosts");
    for (const auto& [name, m] : spec_.models) place(name, m.hosts, m.where, "models." + name + ".hosts");
    build_stores();  // the store makes its replica hosts; links and groups may name them
    check_component_names();  // once every host exists, a store's clients and controller too
    build_groups();
    name_ranges();
    build_network();
    build_databases();
    build_models();
    build_services();
    build_workloads();
    // One boot function per host, starting every component placed on it, in spec order.
    try {
        for (auto& [host_id, starters] : starters_) {
            sim.host(host_id).on_boot([this, list = starters](sim::Host& h) {
                for (const auto& start : list) start(h);
                start_bad_version(h);
            });
        }
    } catch (const ModelBootError& e) {
        fail(e.where, e.path, e.what());  // the first boot is part of building: the file's model refused
    }
    define_scenario_faults();
    build_faults();
    build_invariants();
    for (const std::string& mark : spec_.coverage) sim.require_coverage(mark);
}

// Every host `pattern` names (its ranges expanded; each name a host, a glob or a group) joins
// `group`; a name that matches nothing is an error at `where`.
void World::join_hosts(const std::string& group, const std::string& pattern, const Where& where, const std::string& path) {
    for (const std::string& name : expand_hosts(pattern)) {
        const std::vector<sim::Host*> found = sim_->select(name);
        if (found.empty()) fail(where, path, "no host or group matches '" + name + "'" + (name == pattern ? "" : " (of the range '" + pattern + "')"));
        for (sim::Host* h : found) h->join(group);
    }
}

// A group's name, or a component's (which names its hosts' group). A pattern names a host before
// a group, so a group called like a host would never be used: a fault on a store 'kv-1' with
// replicas kv-{1..3} would hit the host kv-1 alone. A glob character would make the name a pattern
// that matches other hosts ('*' is every host). `own`: a component's hosts; one whose only host
// bears its name (a database 'db' on host db) means that host either way.
void World::check_group_name(const std::string& name, const Where& where, const std::string& path,
                             const std::vector<sim::Host*>* own) const {
    const sim::Host* host = sim_->find_host(name);
    if (host != nullptr && (own == nullptr || own->size() != 1 || own->front() != host)) {
        fail(
            where, path,
            "'" + name + "' is already a host's name" +
                (own == nullptr ? ""
                                : ": a component's name is also its hosts' group, and a fault target or link naming '" +
                                      name + "' would mean the host alone; rename the component"));
    }
    // A store's clients are the group NAME-clients: another group of that name would merge with
    // it (a crash of a service 'kv-clients' crashed the store's clients too).
    for (const auto& [store, st] : spec_.stores) {
        if (!st.clients.hosts.empty() && name == store + "-clients") {
            fail(where, path,
                 "'" + name + "' is already the group of store " + store +
                     "'s clients (every store's clients are the group STORE-clients); rename it");
        }
    }
    if (name.find_first_of("*?[] \t") != std::string::npos) {
        fail(where, path,
             std::string(own == nullptr ? "a group's name" : "a component's name (its hosts' group's)") +
                 " cannot hold '*', '?', '[', ']' or a space: it would read as a pattern");
    }
}

// Every component's name against every host (its own and later components' included), in the
// order the components are placed.
void World::check_component_names() const {
    auto check = [this](const auto& section, const char* kind) {
        for (const auto& [name, component] : section) {
            check_group_name(name, component.where, std::string(kind) + "." + name, &hosts_.at(name));
        }
    };
    check(spec_.databases, "databases");
    check(spec_.services, "services");
    check(spec_.workloads, "workloads");
    check(spec_.models, "models");
    check(spec_.stores, "stores");
    for (const auto& [store, st] : spec_.stores) {  // the group of its clients, against the hosts
        if (!st.clients.hosts.empty() && sim_->find_host(store + "-clients") != nullptr) {
            fail(st.where, "stores." + store,
                 "its clients are the group '" + store +
                     "-clients', which is already a host's name: a fault target "
                     "naming it would mean the host alone; rename the host or the store");
        }
    }
}

// `groups:`, once every component's hosts exist (a store's included). A group may name another
// group of the section, in any order: each joins once all it names exist (a circle is an error).
void World::build_groups() {
    std::vector<std::string> pending;
    for (const auto& [group, patterns] : spec_.groups) {
        const Where& at = patterns.where;
        if (hosts_.count(group) != 0) fail(at, "groups." + group, "'" + group + "' is already a component's name");
        check_group_name(group, at, "groups." + group, nullptr);
        if (patterns.value.empty()) fail(at, "groups." + group, "an empty group: name its hosts or groups");
        for (const std::string& p : patterns.value) {
            for (const std::string& n : expand_hosts(p)) {
                if (n == group)
                    fail(at, "groups." + group, "'" + group + "' names itself: a group cannot contain itself");
            }
        }
        pending.push_back(group);
    }
    auto names_pending = [&](const std::string& name) {
        return std::find(pending.begin(), pending.end(), name) != pending.end();
    };
    while (!pending.empty()) {
        bool progress = false;
        for (auto it = pending.begin(); it != pending.end();) {
            const auto& patterns = spec_.groups.at(*it);
            bool ready = true;  // names no group still waiting
            for (const std::string& p : patterns.value) {
                for (const std::string& n : expand_hosts(p)) {
                    if (n != *it && names_pending(n)) ready = false;
                }
            }
            if (!ready) {
                ++it;
                continue;
            }
            for (const std::string& p : patterns.value) join_hosts(*it, p, patterns.where, "groups." + *it);
            it = pending.erase(it);
            progress = true;
        }
        if (!progress) {
            // Every group left waits on another one left: follow the first name each waits on
            // until one comes round again; from there on, it is the circle.
            std::vector<std::string> path{pending.front()};
            for (;;) {
                std::string next;
                for (const std::string& p : spec_.groups.at(path.back()).value) {
                    for (const std::string& n : expand_hosts(p)) {
                        if (next.empty() && names_pending(n)) next = n;
                    }
                }
                const auto seen = std::find(path.begin(), path.end(), next);
                if (seen != path.end()) {
                    std::string circle;
                    for (auto c = seen; c != path.end(); ++c) circle += *c + " -> ";
                    fail(spec_.groups.at(next).where, "groups." + next,
                         "groups name each other in a circle (" + circle + next + "): a group cannot contain itself");
                }
                path.push_back(next);
            }
        }
    }
}

// A host pattern with a range (api-{1..3}) in a fault's targets or a link names its hosts as
// a group of that very name, which the kernel's patterns (names, globs, groups) then match.
void World::name_ranges() {
    auto name_range = [this](const std::string& pattern, const Where& where, const std::string& path) {
        if (!sim_->select(pattern).empty() || expand_hosts(pattern) == std::vector<std::string>{pattern}) return;  // named already, or no range
        join_hosts(pattern, pattern, where, path);
    };
    for (std::size_t i = 0; i < spec_.faults.size(); ++i) {
        for (const std::string& t : spec_.faults[i].targets) name_range(t, spec_.faults[i].where, "faults[" + std::to_string(i) + "].targets");
    }
    if (spec_.nemesis) {
        for (std::size_t i = 0; i < spec_.nemesis->faults.size(); ++i) {
            const NemesisFaultSpec& nf = spec_.nemesis->faults[i];
            for (const std::string& t : nf.targets) name_range(t, nf.where, "nemesis.faults[" + std::to_string(i) + "].targets");
        }
    }
    for (std::size_t i = 0; i < spec_.network.links.size(); ++i) {
        const LinkSpec& l = spec_.network.links[i];
        for (const std::string* p : {&l.from, &l.to})
            name_range(*p, l.where, "network.links[" + std::to_string(i) + "]." + (p == &l.from ? "from" : "to"));
    }
}

std::vector<std::string> World::host_names(const std::string& pattern, const Where& where, const std::string& path) const {
    std::vector<std::string> names = expand_hosts(pattern);
    for (const std::string& name : names) {
        if (name.find_first_of("*?{}") != std::string::npos) {
            fail(where, path, "'" + name + "' is not a host name (write names or ranges like app-{1..4}, at most " + std::to_string(hosts_limit) +
                                  " hosts)");
        }
        // A space would read as two names wherever targets are listed (the trace's "targets", shrink's output).
        if (name.empty() || name.find_first_of(" \t\n\r") != std::string::npos)
            fail(where, path, "'" + name + "' is not a host name: a name has no spaces (write api-1, not 'api 1')");
    }
    return names;
}

// The error for a component whose name an earlier one has: at the name, not at its hosts, and
// naming the other (in the order components are placed).
void World::name_taken(const std::string& name, const Where& where, const std::string& section) const {
    const std::pair<const char*, bool> uses[] = {{"databases", spec_.databases.count(name) != 0},
                                                 {"services", spec_.services.count(name) != 0},
                                                 {"workloads", spec_.workloads.count(name) != 0},
                                                 {"models", spec_.models.count(name) != 0}};
    std::string other = "another component";
    for (const auto& [kind, used] : uses) {
        if (used && section != std::string(kind) + "." + name) {
            other = std::string(kind) + "." + name;
            break;
        }
    }
    fail(where, section, "the name '" + name + "' is taken by " + other + " (services, databases, workloads, stores and models share one namespace)");
}

std::vector<sim::Host*> World::place(const std::string& component, const std::string& pattern, const Where& where,
                                     const std::string& path) {
    if (hosts_.count(component) != 0) name_taken(component, where, path.substr(0, path.rfind('.')));
    std::vector<sim::Host*>& out = hosts_[component];
    for (const std::string& name : host_names(pattern, where, path)) {
        sim::Host* h = sim_->find_host(name);
        if (h == nullptr) h = &sim_->add_host(name);
        h->join(component);
        out.push_back(h);
    }
    return out;
}

sim::Rpc<models::Request, models::Response>* World::endpoint(const std::string& name) {
    if (auto it = services_.find(name); it != services_.end()) return &it->second->rpc();
    if (auto it = databases_.find(name); it != databases_.end()) return &it->second->rpc();
    if (auto it = model_endpoints_.find(name); it != model_endpoints_.end()) return it->second;
    return nullptr;
}

void World::check_call(const CallSpec& c, const std::string& path, const Where& owner) {
    const Where& at = c.where.line > 0 ? c.where : owner;  // a call left out of the file: its owner's line
    if (c.target.empty()) fail(at, path, "a call needs a target (the service, database or model it calls)");
    if (spec_.services.count(c.target) == 0 && spec_.databases.count(c.target) == 0 && spec_.models.count(c.target) == 0) {
        std::vector<std::string> names;
        for (const auto& [n, s] : spec_.services) names.push_back(n);
        for (const auto& [n, d] : spec_.databases) names.push_back(n);
        for (const auto& [n, m] : spec_.models) names.push_back(n);
        std::string msg = "call target '" + c.target + "' is not a service, database or model";
        msg += did_you_mean_or(c.target, names, "");
        fail(at, path + ".target", msg);
    }
}

// Services calling each other in a circle (api -> cache -> api, or api -> api) turn every request
// into a recursion that only a timeout ends: almost always a wrong target. Found by a depth-first
// walk in name order; the error is at the call that closes the circle.
void World::check_call_cycles() {
    std::map<std::string, int> state;  // 0 unseen, 1 on the current path, 2 done
    std::vector<std::string> path;
    std::function<void(const std::string&)> visit = [&](const std::string& name) {
        state[name] = 1;
        path.push_back(name);
        const ServiceSpec& s = spec_.services.at(name);
        for (std::size_t i = 0; i < s.calls.size(); ++i) {
            const std::string& target = s.calls[i].target;
            if (spec_.services.count(target) == 0) continue;
            if (state[target] == 1) {
                std::string circle;
                for (auto it = std::find(path.begin(), path.end(), target); it != path.end(); ++it) circle += *it + " -> ";
                const Where& at = s.calls[i].where.line > 0 ? s.calls[i].where : s.where;
                fail(at, "services." + name + ".calls[" + std::to_string(i) + "].target",
                     "'" + target + "' is already on this call path (" + circle + target +
                         "): every request would recurse until a timeout ends it");
            }
            if (state[target] == 0) visit(target);
        }
        path.pop_back();
        state[name] = 2;
    };
    for (const auto& [name, s] : spec_.services) {
        if (state[name] == 0) visit(name);
    }
}

void World::build_network() {
    for (std::size_t i = 0; i < spec_.network.links.size(); ++i) {
        const LinkSpec& l = spec_.network.links[i];
        const std::string path = "network.links[" + std::to_string(i) + "]";
        for (const std::string* p : {&l.from, &l.to}) {
            const char* end = p == &l.from ? "from" : "to";
            if (p->empty()) fail(l.where, path, std::string("a link needs '") + end + "' (a host or group)");
            if (sim_->select(*p).empty()) fail(l.where, path + "." + end, "no host or group matches '" + *p + "'");
        }
        sim::LinkPatch patch{l.latency, l.loss, l.duplicate, l.reorder, std::nullopt};
        if (l.both_ways) net_->patch_links(l.from, l.to, patch);
        else net_->patch_link(l.from, l.to, patch);
    }
}

void World::build_databases() {
    for (const auto& [name, d] : spec_.databases) {
        auto& db = sim_->make<models::Database>(*net_, name, d.options, metrics_);
        databases_[name] = &db;
        for (sim::Host* h : hosts_[name]) starters_[h->id()].push_back([&db](sim::Host& host) { db.serve(host); });
    }
}

void World::build_services() {
    // Every service first, so calls between services can refer to any of them.
    for (const auto& [name, s] : spec_.services) {
        models::ServiceOptions o;
        o.queue = s.queue;
        o.cpu = s.cpu;
        o.timeout = s.timeout;
        o.cpu_last = s.cpu_last;
        services_[name] = &sim_->make<models::Service>(*net_, name, o, metrics_);
    }
    for (const auto& [name, s] : spec_.services) {
        for (std::size_t i = 0; i < s.calls.size(); ++i) check_call(s.calls[i], "services." + name + ".calls[" + std::to_string(i) + "]", s.where);
    }
    check_call_cycles();
    for (const auto& entry : spec_.services) {  // not a structured binding: lambdas capture these (clang 14)
        const std::string& name = entry.first;
        const ServiceSpec& s = entry.second;
        models::Service& svc = *services_[name];
        // A service's cache metrics exist only if it has a cache (a column of zeros otherwise).
        models::Counter* cache_gets = s.cache ? &metrics_->counter(name + ".cache.gets") : nullptr;
        models::Counter* cache_hits = s.cache ? &metrics_->counter(name + ".cache.hits") : nullptr;
        if (s.cache) metrics_->ratio(name + ".cache.hit_ratio", name + ".cache.hits", name + ".cache.gets");
        const std::string service_name = name;
        for (sim::Host* h : hosts_[name]) {
            starters_[h->id()].push_back([this, &s, &svc, cache_gets, cache_hits, service_name](sim::Host& host) {
                models::Cache* cache = nullptr;
                if (s.cache) {
                    cache = &host.make<models::Cache>(*sim_, service_name + "@" + std::string(host.name()), *s.cache);
                    host.make<Listed<models::Cache>>(caches, host.id(), cache);
                }
                // Volatile state of the host, like the clients themselves: the handler and its
                // fills point at it instead of copying the vector per request.
                auto& clients = host.make<std::vector<CallClient*>>();
                for (const CallSpec& c : s.calls) clients.push_back(&host.make<CallClient>(*this, host, c, service_name));
                svc.serve(host, [&s, cache, &clients, cache_gets, cache_hits](
                                    sim::Ctx& ctx, const models::Request& req, const sim::CallInfo& info) -> sim::Result<models::Response> {
                    if (s.disk_write_bytes > 0) {
                        sim::Disk& disk = sim::disk(ctx.host());
                        if (auto w = disk.append(ctx, "log", std::string(static_cast<std::size_t>(s.disk_write_bytes), 'x')); !w) {
                            return w.error();
                        }
                        if (s.disk_fsync) {
                            if (auto f = disk.fsync(ctx, "log"); !f) return f.error();
                        }
                    }
                    // By value: with stale-while-revalidate the cache runs a copy of the fill in a
                    // background process after this handler has returned. (The clients by
                    // reference: a crash unwinds the host's processes before it destroys them.)
                    auto downstream = [&s, &clients, req, deadline = info.deadline](sim::Ctx& c) -> sim::Result<models::Response> {
                        models::Response last{req.key, 0, false};
                        for (std::size_t i = 0; i < clients.size(); ++i) {
                            auto r = clients[i]->call(c, req, s.calls[i].propagate_deadline ? deadline : sim::time_never);
                            if (!r) return r.error();
                            last = *r;
                        }
                        return last;
                    };
                    if (cache == nullptr) return downstream(ctx);
                    if (req.write) {
                        cache->erase(req.key);
                        return downstream(ctx);
                    }
                    const std::uint64_t hits_before = cache->counters().hits;
                    const sim::Time before = ctx.now();
                    auto v = cache->get(ctx, req.key, [downstream](sim::Ctx& c) -> sim::Result<models::CacheValue> {
                        auto r = downstream(c);
                        if (!r) return r.error();
                        return models::CacheValue{r->value, r->version};
                    });
                    cache_gets->add();
                    // A hit never waits; if this get waited, it was a miss whatever else hit meanwhile.
                    if (ctx.now() == before && cache->counters().hits > hits_before) cache_hits->add();
                    if (!v) return v.error();
                    return models::Response{v->value, v->version, true};
                });
            });
        }
    }
}

void World::build_workloads() {
    for (const auto& entry : spec_.workloads) {  // not a structured binding: lambdas capture these (clang 14)
        const std::string& name = entry.first;
        const WorkloadSpec& w = entry.second;
        check_call(w.call, "workloads." + name + ".call", w.where);
        // A workload that starts when the run is over sends nothing, and every invariant on it
        // passes for want of traffic.
        const sim::Duration start = w.open_loop     ? w.open_loop->start
                                    : w.closed_loop ? w.closed_loop->start
                                                    : sim::Duration{};
        if (start >= spec_.duration) {
            fail(w.open_loop && w.open_loop->where.line != 0 ? w.open_loop->where : w.where,
                 "workloads." + name + (w.open_loop ? ".open_loop" : ".closed_loop") + ".start",
                 "at or after the end of the run (" + format_value(spec_.duration) +
                     "): the workload would send nothing");
        }
        auto& stats = sim_->make<models::WorkloadStats>(metrics_, name);
        workload_stats_[name] = &stats;
        for (sim::Host* h : hosts_[name]) {
            starters_[h->id()].push_back([this, &w, &stats, name](sim::Host& host) {
                CallClient& client = host.make<CallClient>(*this, host, w.call, name);
                auto send = [&client](sim::Ctx& ctx, const models::Request& r) { return client.call(ctx, r, sim::time_never); };
                if (w.open_loop) {
                    models::OpenLoopOptions o;
                    o.rate = w.open_loop->rate.per_second;
                    o.keys = w.open_loop->keys;
                    o.diurnal = w.open_loop->diurnal;
                    o.diurnal_period = w.open_loop->diurnal_period;
                    o.inflight_max = w.open_loop->inflight_max;
                    o.start = sim::Time(w.open_loop->start);
                    o.ramp_up = w.open_loop->ramp_up;
                    o.send_touches = client.touches();
                    auto& load = host.make<models::OpenLoopWorkload>(host, name + "@" + std::string(host.name()), o, send, metrics_, &stats);
                    host.make<Listed<models::OpenLoopWorkload>>(open_loops, host.id(), &load);
                } else {
                    models::ClosedLoopOptions o;
                    o.clients = w.closed_loop->clients;
                    o.think = w.closed_loop->think;
                    o.keys = w.closed_loop->keys;
                    o.start = sim::Time(w.closed_loop->start);
                    host.make<models::ClosedLoopWorkload>(host, name + "@" + std::string(host.name()), o, send, metrics_, &stats);
                }
            });
        }
    }
}

std::vector<Measurement> World::measurements() const {
    std::vector<Measurement> out;
    for (const auto& [name, stats] : workload_stats_) {
        const double offered = static_cast<double>(stats->offered_count());
        out.push_back({name + ".offered", offered, ""});
        out.push_back({name + ".ok", static_cast<double>(stats->ok_count()), ""});
        out.push_back({name + ".errors", static_cast<double>(stats->error_count()), ""});
        out.push_back({name + ".goodput_ratio", offered > 0 ? static_cast<double>(stats->ok_count()) / offered : fixed_or_nan(0), "ok / offered"});
        if (const auto* h = metrics_->find_histogram(name + ".latency"); h != nullptr && h->total().count() > 0) {
            out.push_back({name + ".latency_p50_s", static_cast<double>(h->total().percentile(0.5)) * 1e-9, ""});
            out.push_back({name + ".latency_p99_s", static_cast<double>(h->total().percentile(0.99)) * 1e-9, ""});
        }
    }
    for (const auto& [name, s] : spec_.services) {
        for (const CallSpec& c : s.calls) {
            const auto* req = metrics_->find_counter("calls." + name + "." + c.target + ".requests");
            const auto* att = metrics_->find_counter("calls." + name + "." + c.target + ".attempts");
            if (req && att && req->value() > 0) {
                out.push_back({"calls." + name + "." + c.target + ".amplification",
                               static_cast<double>(att->value()) / static_cast<double>(req->value()), "attempts / requests"});
            }
        }
        if (s.cache) {
            const auto* gets = metrics_->find_counter(name + ".cache.gets");
            const auto* hits = metrics_->find_counter(name + ".cache.hits");
            if (gets && hits && gets->value() > 0) {
                out.push_back({name + ".cache.hit_ratio", static_cast<double>(hits->value()) / static_cast<double>(gets->value()), ""});
            }
        }
    }
    for (const auto& [name, w] : spec_.workloads) {
        const auto* req = metrics_->find_counter("calls." + name + "." + w.call.target + ".requests");
        const auto* att = metrics_->find_counter("calls." + name + "." + w.call.target + ".attempts");
        if (req && att && req->value() > 0) {
            out.push_back({"calls." + name + "." + w.call.target + ".amplification",
                           static_cast<double>(att->value()) / static_cast<double>(req->value()), "attempts / requests"});
        }
    }
    for (const auto& [name, db] : databases_) {
        out.push_back({name + ".queries", static_cast<double>(db->counters().queries), ""});
        out.push_back({name + ".refused", static_cast<double>(db->counters().refused), ""});
        out.push_back({name + ".oom", static_cast<double>(db->counters().ooms), "out-of-memory crashes"});
        out.push_back({name + ".connections_peak", static_cast<double>(db->counters().connections_peak), "most open at once on a host"});
    }
    for (const auto& [name, history] : histories_) {
        std::size_t acknowledged = 0;
        for (const auto& op : history->history().ops) acknowledged += op.outcome == models::check::Outcome::ok ? 1 : 0;
        out.push_back({name + ".operations", static_cast<double>(history->size()), "recorded by its clients"});
        out.push_back({name + ".acknowledged", static_cast<double>(acknowledged), ""});
        out.push_back({name + ".failovers", static_cast<double>(stores_.at(name)->failovers()), ""});
    }
    for (const LateMeasure& m : model_measures_) {
        try {
            out.push_back({m.name, m.value(), m.note});
        } catch (const std::exception& e) {  // a model's function, after the run: no value, and why
            out.push_back(
                {m.name, std::numeric_limits<double>::quiet_NaN(), std::string("its function threw: ") + e.what()});
        }
    }
    out.insert(out.end(), late_measurements_->begin(), late_measurements_->end());
    out.push_back({"faults_injected", static_cast<double>(faults_->injected().size()), ""});
    return out;
}

}  // namespace faultline
