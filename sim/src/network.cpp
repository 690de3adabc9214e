#include "sim/network.hpp"

#include <algorithm>

namespace sim {

namespace {
constexpr std::uint32_t reply_port = 0;

std::uint64_t pair_key(std::uint32_t from, std::uint32_t to) {
    return (static_cast<std::uint64_t>(from) << 32) | to;
}

std::string_view kind_name(Packet::Kind k) {
    switch (k) {
        case Packet::Kind::message: return "message";
        case Packet::Kind::request: return "request";
        case Packet::Kind::response: return "response";
        case Packet::Kind::connect: return "connect";
        case Packet::Kind::connect_ack: return "connect_ack";
        case Packet::Kind::probe: return "probe";
        case Packet::Kind::probe_ack: return "probe_ack";
    }
    return "?";
}
}  // namespace

Network::Network(Simulator& sim, LinkOptions defaults) : sim_(&sim), defaults_(std::move(defaults)), rng_(sim.rng("network")) {
    no_rules_state_.link = defaults_;
    port_id("reply");  // port 0: responses to calls
}

Network::~Network() {
    // Processes still suspended in calls refer to this network as they unwind: end them first
    // (a network declared after its simulator is destroyed before it).
    if (sim_->processes_alive() != 0 && sim_->current() == nullptr) sim_->shutdown();
    for (PortHandler* h : bound_) {
        if (h != nullptr) h->net_ = nullptr;
    }
}

PortHandler::~PortHandler() {
    if (net_ != nullptr) net_->unbind(this);
}

// ---- rules -------------------------------------------------------------------------------------

Network::HostSet Network::resolve(std::string_view pattern) {
    std::vector<Host*> hosts = sim_->select(pattern);
    SIM_ASSERT(!hosts.empty(), "no host matches '" + std::string(pattern) + "'");
    HostSet set(sim_->host_count(), false);
    for (Host* h : hosts) set[h->id()] = true;
    return set;
}

void Network::rules_changed() {
    pair_cache_.clear();
    ++rules_generation_;
}

std::uint64_t Network::add_rule(Rule r) {
    r.id = ++next_rule_;
    rules_.push_back(std::move(r));
    rules_changed();
    return next_rule_;
}

void Network::heal(const NetRules& handle) {
    bool had_hold = false;
    std::erase_if(rules_, [&](const Rule& r) {
        const bool hit = std::find(handle.ids.begin(), handle.ids.end(), r.id) != handle.ids.end();
        had_hold = had_hold || (hit && r.kind == Rule::Kind::hold);
        return hit;
    });
    rules_changed();
    if (had_hold) release_matching(nullptr, nullptr);  // re-checks each held message against the rules left
}

void Network::remove_rules(Rule::Kind kind, const HostSet& a, const HostSet& b, bool both_ways) {
    std::erase_if(rules_, [&](const Rule& r) {
        return r.kind == kind && ((r.from == a && r.to == b) || (both_ways && r.from == b && r.to == a));
    });
    rules_changed();
}

const Network::PairState& Network::state(std::uint32_t from, std::uint32_t to) {
    // Without rules every pair has the defaults: no per-pair entry (10,000 clients would make
    // tens of thousands, and their lookups cost more than the rest of a send).
    if (rules_.empty()) return no_rules_state_;
    const std::uint64_t key = pair_key(from, to);
    if (auto it = pair_cache_.find(key); it != pair_cache_.end()) return it->second;
    PairState st;
    st.link = defaults_;
    for (const Rule& r : rules_) {
        if (!in(r.from, from) || !in(r.to, to)) continue;
        switch (r.kind) {
            case Rule::Kind::link: r.link.apply_to(st.link); break;
            case Rule::Kind::block:
                st.blocked = true;
                st.reject = st.reject || r.reject;
                break;
            case Rule::Kind::hold: st.held = true; break;
            case Rule::Kind::clog: st.clog *= r.factor; break;
        }
    }
    return pair_cache_.emplace(key, st).first->second;
}

NetRules Network::patch_link(std::string_view from, std::string_view to, const LinkPatch& patch) {
    return {{add_rule({Rule::Kind::link, resolve(from), resolve(to), patch, false, 1.0, 0})}};
}

NetRules Network::patch_links(std::string_view a, std::string_view b, const LinkPatch& patch) {
    HostSet sa = resolve(a), sb = resolve(b);
    return {{add_rule({Rule::Kind::link, sa, sb, patch, false, 1.0, 0}), add_rule({Rule::Kind::link, sb, sa, patch, false, 1.0, 0})}};
}

const LinkOptions& Network::link(const Host& from, const Host& to) { return state(from.id(), to.id()).link; }

bool Network::connected(const Host& from, const Host& to) { return !state(from.id(), to.id()).blocked; }

void Network::trace_fault(std::string_view kind, std::string_view a, std::string_view b, TraceFields extra) {
    std::vector<TraceField> fields{{"a", a}, {"b", b}, {"injected", true}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    const Host& where = sim_->world();
    // TraceFields is an initializer_list; build the record through the span-taking overload.
    sim_->trace(where, kind, fields);
}

NetRules Network::partition(std::string_view a, std::string_view b, bool reject) {
    HostSet sa = resolve(a), sb = resolve(b);
    NetRules out{{add_rule({Rule::Kind::block, sa, sb, {}, reject, 1.0, 0}), add_rule({Rule::Kind::block, sb, sa, {}, reject, 1.0, 0})}};
    trace_fault("fault.partition", a, b, {{"one_way", false}, {"reject", reject}});
    return out;
}

NetRules Network::partition_one_way(std::string_view from, std::string_view to, bool reject) {
    NetRules out{{add_rule({Rule::Kind::block, resolve(from), resolve(to), {}, reject, 1.0, 0})}};
    trace_fault("fault.partition", from, to, {{"one_way", true}, {"reject", reject}});
    return out;
}

NetRules Network::isolate(std::string_view hosts, bool reject) {
    HostSet inside = resolve(hosts);
    HostSet outside(inside.size(), false);
    for (std::size_t i = 1; i < inside.size(); ++i) outside[i] = !inside[i];
    NetRules out{{add_rule({Rule::Kind::block, inside, outside, {}, reject, 1.0, 0}),
                  add_rule({Rule::Kind::block, outside, inside, {}, reject, 1.0, 0})}};
    trace_fault("fault.isolate", hosts, "*", {{"reject", reject}});
    return out;
}

void Network::repair(std::string_view a, std::string_view b) {
    remove_rules(Rule::Kind::block, resolve(a), resolve(b), true);
    trace_fault("fault.repair", a, b);
}

void Network::repair_all() {
    std::erase_if(rules_, [](const Rule& r) { return r.kind == Rule::Kind::block; });
    rules_changed();
    trace_fault("fault.repair", "*", "*");
}

NetRules Network::hold(std::string_view a, std::string_view b) {
    HostSet sa = resolve(a), sb = resolve(b);
    NetRules out{{add_rule({Rule::Kind::hold, sa, sb, {}, false, 1.0, 0}), add_rule({Rule::Kind::hold, sb, sa, {}, false, 1.0, 0})}};
    trace_fault("fault.hold", a, b);
    return out;
}

void Network::release_matching(const HostSet* a, const HostSet* b) {
    std::vector<Packet> keep;
    std::vector<Packet> go;
    for (Packet& p : held_) {
        const bool match = a == nullptr || (in(*a, p.from) && in(*b, p.to)) || (in(*b, p.from) && in(*a, p.to));
        (match ? go : keep).push_back(std::move(p));
    }
    held_ = std::move(keep);
    for (Packet& p : go) {
        const PairState& st = state(p.from, p.to);
        if (st.held) {  // still held by another rule
            held_.push_back(std::move(p));
            continue;
        }
        Duration d = st.link.latency.sample(rng_);
        schedule_delivery(std::move(p), st.clog == 1.0 ? d : saturating_duration(static_cast<double>(d.count()) * st.clog), &st);
    }
}

void Network::release(std::string_view a, std::string_view b) {
    HostSet sa = resolve(a), sb = resolve(b);
    remove_rules(Rule::Kind::hold, sa, sb, true);
    trace_fault("fault.release", a, b, {{"held", held_.size()}});
    release_matching(&sa, &sb);
}

void Network::release_all() {
    std::erase_if(rules_, [](const Rule& r) { return r.kind == Rule::Kind::hold; });
    rules_changed();
    trace_fault("fault.release", "*", "*", {{"held", held_.size()}});
    release_matching(nullptr, nullptr);
}

NetRules Network::clog(std::string_view a, std::string_view b, double factor) {
    SIM_ASSERT(factor > 0 && factor <= 1e6, "clog factor must be in (0, 1e6]");
    HostSet sa = resolve(a), sb = resolve(b);
    NetRules out{{add_rule({Rule::Kind::clog, sa, sb, {}, false, factor, 0}), add_rule({Rule::Kind::clog, sb, sa, {}, false, factor, 0})}};
    trace_fault("fault.clog", a, b, {{"factor", factor}});
    return out;
}

void Network::unclog(std::string_view a, std::string_view b) {
    remove_rules(Rule::Kind::clog, resolve(a), resolve(b), true);
    trace_fault("fault.unclog", a, b);
}

void Network::unclog_all() {
    std::erase_if(rules_, [](const Rule& r) { return r.kind == Rule::Kind::clog; });
    rules_changed();
    trace_fault("fault.unclog", "*", "*");
}

void Network::heal_all() {
    repair_all();
    release_all();
    unclog_all();
}

// ---- ports -------------------------------------------------------------------------------------

std::uint32_t Network::port_id(std::string_view name) {
    if (auto it = port_ids_.find(name); it != port_ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(port_names_.size());
    port_ids_.emplace(std::string(name), id);
    port_names_.emplace_back(name);
    if (id >= port_stride_) {  // re-lay the bindings table with room for more ports
        const std::size_t stride = port_stride_ * 2;
        std::vector<PortHandler*> wider(bound_.size() / port_stride_ * stride, nullptr);
        for (std::size_t i = 0; i < bound_.size(); ++i) wider[i / port_stride_ * stride + i % port_stride_] = bound_[i];
        bound_.swap(wider);
        port_stride_ = stride;
    }
    return id;
}

void Network::bind(const Host& host, std::uint32_t port, PortHandler* handler) {
    SIM_ASSERT(port < port_names_.size(), "unknown port id");
    const std::size_t at = host.id() * port_stride_ + port;
    if (bound_.size() <= at) bound_.resize((host.id() + 1) * port_stride_, nullptr);
    SIM_ASSERT(bound_[at] == nullptr, "port '" + port_names_[port] + "' is already bound on host '" + std::string(host.name()) + "'");
    SIM_ASSERT(handler->net_ == nullptr, "a port handler binds once");
    bound_[at] = handler;
    handler->net_ = this;
    handler->host_ = host.id();
    handler->port_ = port;
}

void Network::unbind(PortHandler* handler) {
    if (handler->net_ != this) return;
    auto& slot = bound_[handler->host_ * port_stride_ + handler->port_];
    if (slot == handler) slot = nullptr;
    handler->net_ = nullptr;
}

PortHandler* Network::bound(const Host& host, std::uint32_t port) const {
    const std::size_t at = host.id() * port_stride_ + port;
    return at < bound_.size() ? bound_[at] : nullptr;
}

// ---- sending and delivery ----------------------------------------------------------------------

std::uint32_t Network::store(Packet&& p, const PairState* st) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = in_flight_.grow();
    }
    InFlight& f = in_flight_[slot];
    f.packet = std::move(p);
    f.state = st;
    f.generation = rules_generation_;
    return slot;
}

void Network::schedule_delivery(Packet&& p, Duration delay, const PairState* st) {
    const std::uint32_t slot = store(std::move(p), st);
    sim_->deliver_after(delay, [this, slot] { arrive(slot); });
}

void Network::send(Packet&& p) {
    p.id = ++messages_;
    ++counters_.sent;
    const PairState& st = state(p.from, p.to);
    const LinkOptions& link = st.link;
    // Every draw happens whatever the rates, so changing one rate does not shift the others.
    // A rate of zero draws nothing (the common case costs nothing); a non-zero rate always draws.
    const bool lost = link.loss.num != 0 && rng_.bernoulli(link.loss);
    const bool duplicated = link.duplicate.num != 0 && rng_.bernoulli(link.duplicate);
    const bool reordered = link.reorder.num != 0 && rng_.bernoulli(link.reorder);
    if (st.blocked) return blocked(p, st);
    if (st.held) {
        sim_->trace(sim_->host(p.from), "net.hold", {{"id", p.id}, {"to", sim_->host_name(p.to)}});
        held_.push_back(std::move(p));
        return;
    }
    if (lost) {
        ++counters_.dropped_loss;
        return drop(p, "loss");
    }
    auto latency = [&] {
        Duration d = link.latency.sample(rng_);
        if (st.clog != 1.0) d = saturating_duration(static_cast<double>(d.count()) * st.clog);
        return d;
    };
    Duration d = latency();
    if (reordered) {
        ++counters_.reordered;
        d += link.reorder_delay.sample(rng_);
    }
    if (sim_->records_details()) {
        sim_->trace_detail(sim_->host(p.from), "net.send",
                           {{"id", p.id}, {"to", sim_->host_name(p.to)}, {"port", std::string_view(port_names_[p.port])},
                            {"packet", kind_name(p.kind)}, {"latency_ns", d}});
    }
    if (duplicated) {
        ++counters_.duplicated;
        Packet copy = p;
        const Duration d2 = latency();
        sim_->trace(sim_->host(p.from), "net.duplicate", {{"id", p.id}, {"latency_ns", d2}, {"injected", true}});
        schedule_delivery(std::move(copy), d2, &st);
    }
    schedule_delivery(std::move(p), d, &st);
}

// The packet is delivered in its slot, which is freed after: a handler that sends takes another.
void Network::arrive(std::uint32_t slot) {
    InFlight& f = in_flight_[slot];
    Packet& p = f.packet;
    // The state seen at send time holds if no rule changed since (the cache entry is still there).
    const PairState& st = (f.state != nullptr && f.generation == rules_generation_) ? *f.state : state(p.from, p.to);
    if (st.blocked) {
        blocked(p, st);  // a partition that started while it was in flight
    } else if (st.held) {
        held_.push_back(std::move(p));
    } else {
        deliver(p);
    }
    p.payload.reset();
    free_slots_.push_back(slot);
}

void Network::blocked(const Packet& p, const PairState& st) {
    ++counters_.dropped_partition;
    drop(p, "partition");
    // A rejecting partition answers a request at once with "no route" (from the network, not
    // the peer: it arrives even though the link is cut).
    if (st.reject && (p.kind == Packet::Kind::request || p.kind == Packet::Kind::connect)) {
        complete_call(p.call_id, Errc::unreachable);
    }
}

void Network::drop(const Packet& p, std::string_view reason) {
    sim_->trace(sim_->host(p.from), "net.drop", {{"id", p.id}, {"to", sim_->host_name(p.to)}, {"reason", reason}});
}

void Network::deliver(Packet& p) {
    Host& to = sim_->host(p.to);
    if (!to.alive()) {
        ++counters_.dropped_host_down;
        return drop(p, "host_down");
    }
    switch (p.kind) {
        case Packet::Kind::response:
        case Packet::Kind::connect_ack:
        case Packet::Kind::probe_ack:
            ++counters_.delivered;
            return deliver_reply(p);
        case Packet::Kind::probe:
            ++counters_.delivered;
            return respond(to, p.from, p.call_id, true, Errc::internal);
        case Packet::Kind::connect:
            ++counters_.delivered;
            if (bound(to, p.port) == nullptr) return respond(to, p.from, p.call_id, false, Errc::refused);
            return respond(to, p.from, p.call_id, true, Errc::internal);
        case Packet::Kind::request:
            if (p.incarnation != 0 && p.incarnation != to.incarnation()) {
                // A request on a connection to an earlier life of this host: the connection is
                // gone on this side, so the host answers with a reset.
                ++counters_.delivered;
                return respond(to, p.from, p.call_id, false, Errc::reset);
            }
            [[fallthrough]];
        case Packet::Kind::message: {
            PortHandler* handler = bound(to, p.port);
            if (handler == nullptr) {
                ++counters_.dropped_no_listener;
                drop(p, "no_listener");
                if (p.kind == Packet::Kind::request) respond(to, p.from, p.call_id, false, Errc::refused);
                return;
            }
            ++counters_.delivered;
            handler->deliver(p);
            return;
        }
    }
}

void Network::respond(const Host& server, std::uint32_t caller, std::uint64_t call_id, bool ok, Errc status, Packet&& r) {
    r.kind = Packet::Kind::response;
    r.from = server.id();
    r.to = caller;
    r.port = reply_port;
    r.call_id = call_id;
    r.ok = ok;
    r.status = status;
    r.incarnation = server.incarnation();
    send(std::move(r));
}

// finish_call moves the packet only when a caller takes it; otherwise it is still whole here.
void Network::deliver_reply(Packet& p) {
    if (!finish_call(p.call_id, std::move(p))) drop(p, "late_reply");  // the caller gave up or is gone
}

bool Network::finish_call(std::uint64_t id, Packet&& answer) {
    CallWait* c = pending_.take(id);
    if (c == nullptr) return false;
    c->done_ = true;
    c->response_ = std::move(answer);
    if (detail::Waiter* w = c->waiter_.pop_front()) sim_->notify(*w);
    return true;
}

Result<std::uint64_t> Network::handshake(Ctx& ctx, const Host& to, std::uint32_t port, Packet::Kind kind, Duration timeout) {
    CallWait wait(*this, next_call_id());
    Packet p;
    p.kind = kind;
    p.from = ctx.host().id();
    p.to = to.id();
    p.port = port;
    const Packet* answer = wait.send_and_wait(ctx, std::move(p), saturating_add(ctx.now(), timeout));
    if (answer == nullptr) return Errc::timeout;
    if (!answer->ok) return answer->status;
    return answer->incarnation;
}

void Network::complete_call(std::uint64_t id, Errc status) {
    Packet failed;
    failed.ok = false;
    failed.status = status;
    finish_call(id, std::move(failed));
}

}  // namespace sim
