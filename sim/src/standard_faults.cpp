// The standard fault vocabulary: host faults always, network faults when there is a network.
// (Disk faults are in disk_faults.cpp.)
#include <algorithm>
#include <memory>

#include "fault_layers.hpp"
#include "sim/faults.hpp"
#include "sim/network.hpp"

namespace sim {

namespace {

// "-5s", "+250ms", "3s": a signed duration.
ParseError parse_offset(std::string_view text, Duration& out) {
    bool negative = !text.empty() && text.front() == '-';
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
    if (auto e = parse_value(text, out)) return e;
    if (negative) out = -out;
    return std::nullopt;
}

FaultParam offset_param(std::string name, std::string help) {
    return {std::move(name), std::move(help), [](std::string_view t) -> ParseError {
                Duration d{};
                return parse_offset(t, d);
            }};
}

std::vector<Host*> hosts_of(Simulator& sim, const FaultSpec& spec, std::size_t i = 0) { return sim.select(spec.targets[i]); }

void define_host_faults(Faults& faults) {
    faults.define({"crash",
                   "Crash the hosts: every process unwinds, volatile state is lost, unsynced disk writes are "
                   "lost. With a duration the hosts boot again at its end (a bounce); without, they stay down.",
                   1,
                   {},
                   true,
                   nullptr,
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       auto down = std::make_shared<std::vector<std::pair<Host*, std::uint64_t>>>();
                       for (Host* h : hosts_of(sim, spec)) {
                           if (!h->alive()) continue;
                           down->emplace_back(h, h->incarnation());
                           h->crash();
                       }
                       return [down] {
                           for (auto [h, incarnation] : *down) {
                               if (!h->alive() && h->incarnation() == incarnation) h->boot();
                           }
                       };
                   }});
    faults.define({"restart",
                   "Crash the hosts and boot them again at once (their boot functions run).",
                   1,
                   {},
                   false,
                   nullptr,
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       for (Host* h : hosts_of(sim, spec)) h->restart();
                       return nullptr;
                   }});
    faults.define({"rolling_restart",
                   "Restart the hosts one at a time, `interval` apart, in name order (a careful deploy).",
                   1,
                   {fault_param<Duration>("interval", "time between two hosts' restarts (default 10s)")},
                   false,
                   nullptr,
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       FaultParams p(spec);
                       const Duration interval = p.get<Duration>("interval", std::chrono::seconds(10));
                       std::vector<Host*> hosts = hosts_of(sim, spec);
                       std::sort(hosts.begin(), hosts.end(), [](const Host* a, const Host* b) { return a->name() < b->name(); });
                       for (std::size_t i = 0; i < hosts.size(); ++i) {
                           Host* h = hosts[i];
                           sim.after(interval * static_cast<std::int64_t>(i), [h] { h->restart(); });
                       }
                       return nullptr;
                   }});
    faults.define({"pause",
                   "Pause the hosts (a stopped VM, a long GC pause): their processes do not run until the end of "
                   "the window; messages still arrive and wait.",
                   1,
                   {},
                   true,
                   nullptr,
                   [table = detail::make_layer_table<bool>()](Simulator& sim, const FaultSpec& spec,
                                                              std::optional<Duration>) -> UniqueFunction<void()> {
                       const std::uint64_t id = ++table->next_id;
                       auto hosts = std::make_shared<std::vector<Host*>>(hosts_of(sim, spec));
                       auto set = [](Host* h) {
                           return [h](bool paused) {
                               if (paused) h->pause();
                               else h->resume();
                           };
                       };
                       for (Host* h : *hosts) table->by_target[h->id()].open(id, true, h->paused(), set(h));
                       return [table, hosts, id, set] {
                           for (Host* h : *hosts) table->by_target[h->id()].close(id, set(h));
                       };
                   }});
    faults.define({"limp",
                   "Slow the hosts down: CPU work and disk operations take `factor` times longer.",
                   1,
                   // checked as a parameter: its error names faults[i].params.factor
                   {fault_param<double>("factor", "slowdown factor, >= 1 (default 10)", 1.0, 1e6)},
                   true,
                   nullptr,
                   [table = detail::make_layer_table<double>()](Simulator& sim, const FaultSpec& spec,
                                                                std::optional<Duration>) -> UniqueFunction<void()> {
                       FaultParams p(spec);
                       const double factor = p.get<double>("factor", 10.0);
                       const std::uint64_t id = ++table->next_id;
                       auto hosts = std::make_shared<std::vector<Host*>>(hosts_of(sim, spec));
                       auto set = [](Host* h) { return [h](double f) { h->set_slowdown(f); }; };
                       for (Host* h : *hosts) table->by_target[h->id()].open(id, factor, h->slowdown(), set(h));
                       return [table, hosts, id, set] {
                           for (Host* h : *hosts) table->by_target[h->id()].close(id, set(h));
                       };
                   }});
    faults.define({"clock_skew",
                   "Move the hosts' local clocks by `offset` (e.g. -5s) for the window. Global virtual time is "
                   "unaffected; models reading Ctx::local_now() see the skew.",
                   1,
                   {offset_param("offset", "signed offset, e.g. 500ms or -5s (default 1s)")},
                   true,
                   nullptr,
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       Duration offset = std::chrono::seconds(1);
                       if (auto it = spec.params.find("offset"); it != spec.params.end()) (void)parse_offset(it->second, offset);
                       auto hosts = std::make_shared<std::vector<Host*>>(hosts_of(sim, spec));
                       for (Host* h : *hosts) h->jump_clock(offset);
                       return [hosts, offset] {
                           for (Host* h : *hosts) h->jump_clock(-offset);
                       };
                   }});
    faults.define({"clock_jump",
                   "Jump the hosts' local clocks by `offset` at once (an NTP step). Not healed.",
                   1,
                   {offset_param("offset", "signed jump, e.g. 30s or -2s (default 1s)")},
                   false,
                   nullptr,
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       Duration offset = std::chrono::seconds(1);
                       if (auto it = spec.params.find("offset"); it != spec.params.end()) (void)parse_offset(it->second, offset);
                       for (Host* h : hosts_of(sim, spec)) h->jump_clock(offset);
                       return nullptr;
                   }});
    faults.define({"clock_drift",
                   "Make the hosts' local clocks run fast (ppm > 0) or slow for the window; the drift accumulated "
                   "is kept afterwards (as with a real clock).",
                   1,
                   {fault_param<double>("ppm", "parts per million, signed, at most 500,000 either way (default 1000)", -500'000.0, 500'000.0)},
                   true,
                   nullptr,
                   [table = detail::make_layer_table<double>()](Simulator& sim, const FaultSpec& spec,
                                                                std::optional<Duration>) -> UniqueFunction<void()> {
                       FaultParams p(spec);
                       const double ppm = p.get<double>("ppm", 1000.0);
                       const std::uint64_t id = ++table->next_id;
                       auto hosts = std::make_shared<std::vector<Host*>>(hosts_of(sim, spec));
                       auto set = [](Host* h) { return [h](double d) { h->set_clock_drift_ppm(d); }; };
                       for (Host* h : *hosts) table->by_target[h->id()].open(id, ppm, h->clock_drift_ppm(), set(h));
                       return [table, hosts, id, set] {
                           for (Host* h : *hosts) table->by_target[h->id()].close(id, set(h));
                       };
                   }});
}

// A cut between a set of hosts and itself cuts nothing (the fault would be injected, counted and
// drawn, and change nothing): the two patterns must name different sets.
std::optional<std::string> two_different_sets(Simulator& sim, const FaultSpec& spec) {
    std::vector<Host*> a = sim.select(spec.targets[0]), b = sim.select(spec.targets[1]);
    auto by_id = [](const Host* x, const Host* y) { return x->id() < y->id(); };
    std::sort(a.begin(), a.end(), by_id);
    std::sort(b.begin(), b.end(), by_id);
    if (a == b)
        return "'" + spec.targets[0] + "' and '" + spec.targets[1] +
               "' are the same hosts: a cut between a set and itself cuts nothing";
    return std::nullopt;
}

// Isolating every host leaves no other host to cut them off from.
std::optional<std::string> not_every_host(Simulator& sim, const FaultSpec& spec) {
    const std::size_t hosts = sim.host_count() - 1;  // host 0 is the world's own
    if (sim.select(spec.targets[0]).size() >= hosts)
        return "'" + spec.targets[0] + "' is every host: there is no other host to isolate it from";
    return std::nullopt;
}

UniqueFunction<void()> heal_rules(Network* net, NetRules rules) {
    return [net, rules = std::move(rules)] { net->heal(rules); };
}

void define_network_faults(Faults& faults, Network* net) {
    // The cuts' one parameter: drop (requests time out) or refuse (they fail at once).
    const FaultParam reject =
        fault_param<bool>("reject", "answer requests with unreachable instead of dropping (default false)");
    faults.define({"partition",
                   "Cut the network between two sets of hosts, both ways. Messages are lost (requests time out); "
                   "with reject=true requests fail at once with 'unreachable'.",
                   2,
                   {reject},
                   true,
                   two_different_sets,
                   [net](Simulator&, const FaultSpec& spec, std::optional<Duration>) {
                       FaultParams p(spec);
                       return heal_rules(
                           net, net->partition(spec.targets[0], spec.targets[1], p.get<bool>("reject", false)));
                   }});
    faults.define({"partition_one_way",
                   "Cut the network from the first set of hosts to the second only.",
                   2,
                   {reject},
                   true,
                   two_different_sets,
                   [net](Simulator&, const FaultSpec& spec, std::optional<Duration>) {
                       FaultParams p(spec);
                       return heal_rules(net, net->partition_one_way(spec.targets[0], spec.targets[1], p.get<bool>("reject", false)));
                   }});
    faults.define({"isolate",
                   "Cut the hosts off from every other host, both ways.",
                   1,
                   {reject},
                   true,
                   not_every_host,
                   [net](Simulator&, const FaultSpec& spec, std::optional<Duration>) {
                       FaultParams p(spec);
                       return heal_rules(net, net->isolate(spec.targets[0], p.get<bool>("reject", false)));
                   }});
    faults.define({"hold",
                   "Hold messages between two sets of hosts (both ways); at the end of the window they are delivered, "
                   "in order, each with a fresh latency.",
                   2,
                   {},
                   true,
                   two_different_sets,
                   [net](Simulator&, const FaultSpec& spec, std::optional<Duration>) {
                       return heal_rules(net, net->hold(spec.targets[0], spec.targets[1]));
                   }});
    faults.define({"clog",
                   "Multiply the latency between two sets of hosts (both ways) by `factor`.",
                   2,
                   {FaultParam{"factor", "latency multiplier, > 0 (default 10)",
                               [](std::string_view text) -> ParseError {
                                   double f = 0;
                                   if (ParseError e = parse_value(text, f)) return e;
                                   if (!(f > 0 && f <= 1e6)) return std::string("must be above 0 and at most 1e6");
                                   return std::nullopt;
                               }}},
                   true,
                   nullptr,
                   [net](Simulator&, const FaultSpec& spec, std::optional<Duration>) {
                       FaultParams p(spec);
                       return heal_rules(net, net->clog(spec.targets[0], spec.targets[1], p.get<double>("factor", 10.0)));
                   }});
    auto link_fault = [net, &faults](std::string name, std::string help, std::vector<FaultParam> params,
                                     std::function<LinkPatch(const FaultParams&)> make) {
        faults.define({std::move(name), std::move(help), 2, std::move(params), true, nullptr,
                       [net, make](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) {
                           FaultParams p(spec);
                           NetRules rules = net->patch_links(spec.targets[0], spec.targets[1], make(p));
                           sim.trace(sim.world(), "fault.link", {{"kind", std::string_view(spec.kind)}, {"injected", true}});
                           return heal_rules(net, std::move(rules));
                       }});
    };
    link_fault("loss", "Lose a share of the messages between two sets of hosts (both ways).",
               {fault_param<Ratio>("ratio", "share lost, e.g. 10% or 1/100 (default 10%)")},
               [](const FaultParams& p) { return LinkPatch{{}, p.get<Ratio>("ratio", Ratio{1, 10}), {}, {}, {}}; });
    link_fault("latency", "Replace the latency between two sets of hosts (both ways) with a distribution.",
               {fault_param<Delay>("delay", "e.g. 200ms or lognormal(50ms, 1.0) (default 100ms)")},
               [](const FaultParams& p) {
                   return LinkPatch{p.get<Delay>("delay", Delay::fixed(std::chrono::milliseconds(100))), {}, {}, {}, {}};
               });
    link_fault("duplicate", "Deliver a share of the messages twice.",
               {fault_param<Ratio>("ratio", "share duplicated (default 10%)")},
               [](const FaultParams& p) { return LinkPatch{{}, {}, p.get<Ratio>("ratio", Ratio{1, 10}), {}, {}}; });
    link_fault("reorder", "Delay a share of the messages by an extra amount, so later ones overtake them.",
               {fault_param<Ratio>("ratio", "share reordered (default 10%)"),
                fault_param<Delay>("delay", "the extra delay (default uniform(1ms, 10ms))")},
               [](const FaultParams& p) {
                   return LinkPatch{{}, {}, {}, p.get<Ratio>("ratio", Ratio{1, 10}),
                                    p.get<Delay>("delay", Delay::uniform(std::chrono::milliseconds(1), std::chrono::milliseconds(10)))};
               });
}

}  // namespace

void define_disk_faults(Faults& faults);  // disk_faults.cpp

void define_standard_faults(Faults& faults, Network* net) {
    define_host_faults(faults);
    if (net != nullptr) define_network_faults(faults, net);
    define_disk_faults(faults);
}

}  // namespace sim
