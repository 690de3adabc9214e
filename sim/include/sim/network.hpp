// The simulated network: messages between hosts over links with a latency distribution, loss,
// duplication and reordering, and the network faults: partitions (symmetric, one-way, between
// groups), hold/release, and clogging (a link's latency multiplied for a while).
//
// Every verb takes host patterns (a host, a group, or a glob such as "cache-*" or
// "region-a/*"; see Simulator::select). A pattern is resolved when the verb is called.
// Link settings and faults apply when a message is sent and again when it would arrive: a
// message in flight when a partition starts is lost, one in flight when a hold starts waits.
//
// Left out: bandwidth and message sizes (no congestion from large payloads), TCP flow control,
// MTU and fragmentation, and routing topology (every pair of hosts has its own direct link).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <type_traits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/call_window.hpp"
#include "sim/chunked.hpp"
#include "sim/distribution.hpp"
#include "sim/result.hpp"
#include "sim/simulator.hpp"
#include "sim/sync.hpp"

namespace sim {

struct LinkOptions {
    Delay latency = Delay::fixed(std::chrono::microseconds(500));  // one way
    Ratio loss{0, 1};
    Ratio duplicate{0, 1};
    Ratio reorder{0, 1};  // a reordered message gets an extra delay, so later ones overtake it
    Delay reorder_delay = Delay::uniform(std::chrono::milliseconds(1), std::chrono::milliseconds(10));
};

class Network;

// A tag per payload type, to check that what arrives at a port is what it expects.
template <class T>
const void* payload_type() noexcept {
    static const char tag = 0;
    return &tag;
}

// A partial change to link settings: the fields set here override what came before. Link
// faults (more loss, more latency) are patches over whatever the links were.
struct LinkPatch {
    std::optional<Delay> latency;
    std::optional<Ratio> loss;
    std::optional<Ratio> duplicate;
    std::optional<Ratio> reorder;
    std::optional<Delay> reorder_delay;
    static LinkPatch all(const LinkOptions& o) { return {o.latency, o.loss, o.duplicate, o.reorder, o.reorder_delay}; }
    void apply_to(LinkOptions& o) const {
        if (latency) o.latency = *latency;
        if (loss) o.loss = *loss;
        if (duplicate) o.duplicate = *duplicate;
        if (reorder) o.reorder = *reorder;
        if (reorder_delay) o.reorder_delay = *reorder_delay;
    }
};

// Names the rules one call added (a partition, a hold, a link patch), so exactly they can be
// removed again: Network::heal(handle).
struct NetRules {
    std::vector<std::uint64_t> ids;
};

// What travels. Payloads are immutable and shared (a duplicate shares its original's).
struct Packet {
    enum class Kind : std::uint8_t { message, request, response, connect, connect_ack, probe, probe_ack };
    // The one-byte fields first, beside `from`: 112 bytes in all, not 120 (a packet is moved
    // whole on its way: into the in-flight table and into a caller's answer).
    Kind kind = Kind::message;
    Errc status = Errc::internal;     // responses: meaningful when !ok
    bool ok = true;                   // responses: a value (payload) or an error (status)
    bool is_inline = false;           // the payload is in inline_bytes
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::uint32_t port = 0;
    std::uint64_t id = 0;             // message number, for the trace
    std::uint64_t call_id = 0;        // requests and responses
    std::uint64_t incarnation = 0;    // connections: the server incarnation the sender expects (0: none)
    Time deadline = time_never;       // requests: the caller's deadline
    const void* type = nullptr;       // payload type tag
    // The payload: small trivially copyable values travel inline (no allocation, no reference
    // count); others are shared and immutable (a duplicate shares its original's). 32 bytes: a
    // typical request (an id, a key, a time, a few flags) goes without an allocation.
    static constexpr std::size_t inline_max = 32;
    std::shared_ptr<const void> payload;
    alignas(8) unsigned char inline_bytes[inline_max]{};

    const void* data() const noexcept { return is_inline ? static_cast<const void*>(inline_bytes) : payload.get(); }
    template <class T>
    void set(T value);
};

template <class T>
void Packet::set(T value) {
    type = payload_type<T>();
    if constexpr (std::is_trivially_copyable_v<T> && sizeof(T) <= inline_max && alignof(T) <= 8) {
        std::memcpy(inline_bytes, &value, sizeof(T));
        is_inline = true;
        payload.reset();
    } else {
        payload = std::make_shared<const T>(std::move(value));
        is_inline = false;
    }
}

class Network;

// Something bound to a (host, port): a mailbox, an RPC server. It unbinds itself when destroyed
// (if the network still exists: a network going first detaches its handlers). deliver() runs
// inside a delivery (see Simulator::deliver_at): it may queue, notify, spawn, send and trace, but
// must not wait, kill a process or crash a host.
class PortHandler {
public:
    PortHandler() = default;
    PortHandler(const PortHandler&) = delete;
    PortHandler& operator=(const PortHandler&) = delete;
    virtual ~PortHandler();
    virtual void deliver(const Packet& p) = 0;

private:
    friend class Network;
    Network* net_ = nullptr;
    std::uint32_t host_ = 0;
    std::uint32_t port_ = 0;
};

class Network {
public:
    explicit Network(Simulator& sim, LinkOptions defaults = {});
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    Simulator& sim() const noexcept { return *sim_; }

    // --- links ---------------------------------------------------------------------------------
    // Settings for messages from `from` to `to` (one direction); later settings win field by
    // field. Returns the rule, for heal().
    NetRules patch_link(std::string_view from, std::string_view to, const LinkPatch& patch);
    NetRules patch_links(std::string_view a, std::string_view b, const LinkPatch& patch);  // both ways
    NetRules set_link(std::string_view from, std::string_view to, const LinkOptions& options) {
        return patch_link(from, to, LinkPatch::all(options));
    }
    NetRules set_links(std::string_view a, std::string_view b, const LinkOptions& options) {
        return patch_links(a, b, LinkPatch::all(options));
    }
    const LinkOptions& defaults() const noexcept { return defaults_; }
    // The effective settings from -> to now.
    const LinkOptions& link(const Host& from, const Host& to);
    // Removes exactly the rules a call added (releasing messages no longer held).
    void heal(const NetRules& rules);

    // --- faults (traced as injected) -------------------------------------------------------------
    // Messages between a and b (both ways) are lost. With `reject`, a request is answered at
    // once with Errc::unreachable instead (an ICMP "no route"), rather than timing out.
    NetRules partition(std::string_view a, std::string_view b, bool reject = false);
    NetRules partition_one_way(std::string_view from, std::string_view to, bool reject = false);
    // Cuts the hosts off from every other host, both ways.
    NetRules isolate(std::string_view hosts, bool reject = false);
    // Removes partitions between a and b (both ways); repair_all() removes every partition.
    void repair(std::string_view a, std::string_view b);
    void repair_all();
    // Messages between a and b (both ways) wait; release() sends them on, in order, each with a
    // fresh latency from the moment of release.
    NetRules hold(std::string_view a, std::string_view b);
    void release(std::string_view a, std::string_view b);
    void release_all();
    // Latency between a and b (both ways) multiplied by `factor` (> 0) until unclogged.
    NetRules clog(std::string_view a, std::string_view b, double factor);
    void unclog(std::string_view a, std::string_view b);
    void unclog_all();
    // Heals every network fault: repair, release, unclog.
    void heal_all();

    // True if a message from -> to would not be dropped by a partition now.
    bool connected(const Host& from, const Host& to);
    std::size_t held() const noexcept { return held_.size(); }

    // --- ports and sending ------------------------------------------------------------------------
    std::uint32_t port_id(std::string_view name);
    std::string_view port_name(std::uint32_t id) const { return port_names_[id]; }
    // Binds a handler to (host, port) until unbind(). One handler per (host, port).
    void bind(const Host& host, std::uint32_t port, PortHandler* handler);
    void unbind(PortHandler* handler);
    PortHandler* bound(const Host& host, std::uint32_t port) const;

    // Sends a packet from its `from` host: link rules decide if, when and how often it arrives.
    void send(Packet&& p);

    template <class T>
    static const void* type_tag() noexcept {
        return payload_type<T>();
    }

    // --- RPC plumbing (used by sim::Rpc) ----------------------------------------------------------
    std::uint64_t next_call_id() noexcept { return ++calls_; }

    // The caller's side of one call, on its stack: registered under its id for as long as it
    // lives, so that a kill unwinding the caller leaves no dangling entry behind.
    class CallWait {
    public:
        CallWait(Network& net, std::uint64_t id) : net_(net), id_(id) { net_.pending_.insert(id_, this); }
        ~CallWait() {
            if (!done_) net_.pending_.take(id_);  // an answer took it already
        }
        CallWait(const CallWait&) = delete;
        CallWait& operator=(const CallWait&) = delete;

        // Sends request `p` for this call and waits until its answer or `deadline`: the answer
        // (ok/status, the payload, the server's incarnation), or null when the deadline came first.
        const Packet* send_and_wait(Ctx& ctx, Packet&& p, Time deadline) {
            p.call_id = id_;
            net_.send(std::move(p));
            if (!done_) ctx.park(&waiter_, deadline);
            return done_ ? &response_ : nullptr;
        }

    private:
        friend class Network;  // finish_call answers it
        Network& net_;
        std::uint64_t id_;
        detail::WaitList waiter_;
        bool done_ = false;
        Packet response_;  // when done: ok/status, the payload, the server's incarnation
    };
    // Sends the answer to call `call_id` from `server` back to host `caller`: `answer` carries
    // the payload (if ok) and nothing else need be set.
    void respond(const Host& server, std::uint32_t caller, std::uint64_t call_id, bool ok, Errc status, Packet&& answer = {});
    // Completes a pending call at once, locally (e.g. the client noticed its connection died).
    void complete_call(std::uint64_t id, Errc status);
    // One round trip of a control packet (connect or probe) to (to, port): the peer's incarnation,
    // or refused (nothing bound there, for connect), timeout, unreachable.
    Result<std::uint64_t> handshake(Ctx& ctx, const Host& to, std::uint32_t port, Packet::Kind kind, Duration timeout);

    // --- counters ----------------------------------------------------------------------------------
    struct Counters {
        std::uint64_t sent = 0;
        std::uint64_t delivered = 0;
        std::uint64_t dropped_loss = 0;
        std::uint64_t dropped_partition = 0;
        std::uint64_t dropped_host_down = 0;
        std::uint64_t dropped_no_listener = 0;
        std::uint64_t duplicated = 0;
        std::uint64_t reordered = 0;
    };
    const Counters& counters() const noexcept { return counters_; }

private:
    // A set of hosts, by id (resolved from a pattern when a rule is made).
    using HostSet = std::vector<bool>;
    struct Rule {
        enum class Kind : std::uint8_t { link, block, hold, clog };
        Kind kind;
        HostSet from;
        HostSet to;
        LinkPatch link;  // kind == link
        bool reject = false;
        double factor = 1;
        std::uint64_t id = 0;
    };
    // The effective state of one directed pair, cached until the rules change.
    struct PairState {
        LinkOptions link;
        bool blocked = false;
        bool reject = false;
        bool held = false;
        double clog = 1.0;
    };
    // Cache entries stay valid (node-based map) until the rules change; the generation says when.
    std::uint64_t rules_generation_ = 0;

    HostSet resolve(std::string_view pattern);
    static bool in(const HostSet& s, std::uint32_t id) { return id < s.size() && s[id]; }
    std::uint64_t add_rule(Rule r);
    void remove_rules(Rule::Kind kind, const HostSet& a, const HostSet& b, bool both_ways);
    const PairState& state(std::uint32_t from, std::uint32_t to);
    void schedule_delivery(Packet&& p, Duration delay, const PairState* st);
    void rules_changed();
    void arrive(std::uint32_t slot);
    void deliver(Packet& p);  // in its in-flight slot: a reply moves on to its caller
    void blocked(const Packet& p, const PairState& st);
    void drop(const Packet& p, std::string_view reason);
    void deliver_reply(Packet& p);
    // Ends pending call `id` with `answer` and wakes its caller; false if no caller waits for it.
    bool finish_call(std::uint64_t id, Packet&& answer);
    std::uint32_t store(Packet&& p, const PairState* st);
    void trace_fault(std::string_view kind, std::string_view a, std::string_view b, TraceFields extra = {});
    void release_matching(const HostSet* a, const HostSet* b);

    Simulator* sim_;
    LinkOptions defaults_;
    Rng rng_;
    std::vector<Rule> rules_;
    std::uint64_t next_rule_ = 0;
    std::unordered_map<std::uint64_t, PairState> pair_cache_;  // looked up only, never iterated
    PairState no_rules_state_;                                 // every pair's while rules_ is empty
    struct InFlight {
        Packet packet;
        const PairState* state = nullptr;  // the pair's state when sent, valid while the generation holds
        std::uint64_t generation = 0;
    };
    // Slots, reused. A packet is delivered where it lies, and the reply its delivery sends may
    // take a new slot: the table never moves what it holds.
    detail::Chunked<InFlight, 8> in_flight_;
    std::vector<std::uint32_t> free_slots_;
    std::vector<Packet> held_;                                 // in the order they were held
    std::map<std::string, std::uint32_t, std::less<>> port_ids_;
    std::vector<std::string> port_names_;
    std::vector<PortHandler*> bound_;                          // [host * port_stride_ + port]
    std::size_t port_stride_ = 8;
    detail::CallWindow<CallWait> pending_;                      // looked up only, never iterated
    std::uint64_t messages_ = 0;
    std::uint64_t calls_ = 0;
    Counters counters_;
};

// ---- typed mailboxes ---------------------------------------------------------------------------

template <class T>
struct Envelope {
    std::uint32_t from;  // host id
    T message;
};

// Receives messages of type T sent to (host, port). A mailbox is volatile state: make it with
// host.make<Mailbox<T>>(...) in the host's boot function and a crash takes it (and what it held)
// away. With capacity_max, messages arriving at a full mailbox are dropped.
template <class T>
class Mailbox final : public PortHandler {
public:
    Mailbox(Network& net, Host& host, std::string_view port, std::size_t capacity_max = 0)
        : net_(net), host_(host), port_(net.port_id(port)), capacity_max_(capacity_max) {
        net_.bind(host_, port_, this);
    }

    std::optional<Envelope<T>> recv(Ctx& ctx, Duration timeout = duration_forever) { return queue_.recv(ctx, timeout); }
    std::uint32_t port() const noexcept { return port_; }
    std::optional<Envelope<T>> try_recv() { return queue_.try_recv(); }
    std::size_t size() const noexcept { return queue_.size(); }
    std::uint64_t dropped() const noexcept { return dropped_; }

    void deliver(const Packet& p) override {
        SIM_ASSERT(p.type == Network::type_tag<T>(), "message of the wrong type sent to port '" +
                                                          std::string(net_.port_name(port_)) + "'");
        if (capacity_max_ != 0 && queue_.size() >= capacity_max_) {
            ++dropped_;
            net_.sim().trace(host_, "net.drop", {{"reason", "mailbox_full"}, {"id", p.id}});
            return;
        }
        queue_.try_send(Envelope<T>{p.from, *static_cast<const T*>(p.data())});
    }

private:
    Network& net_;
    Host& host_;
    std::uint32_t port_;
    std::size_t capacity_max_;
    std::uint64_t dropped_ = 0;
    Channel<Envelope<T>> queue_;
};

// Sends one message of type T from `from` to (to, port). The port id form skips a name lookup.
template <class T>
void send_message(Network& net, const Host& from, const Host& to, std::uint32_t port, T message) {
    Packet p;
    p.kind = Packet::Kind::message;
    p.from = from.id();
    p.to = to.id();
    p.port = port;
    p.set(std::move(message));
    net.send(std::move(p));
}

template <class T>
void send_message(Network& net, const Host& from, const Host& to, std::string_view port, T message) {
    send_message(net, from, to, net.port_id(port), std::move(message));
}

}  // namespace sim
