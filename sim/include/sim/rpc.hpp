// Typed request/response calls over the simulated network, with deadlines. A call returns a
// value or an operating error (timeout, refused, unreachable, overloaded, reset, ...) as a value,
// never an exception. Each request is handled in its own fiber on the server host; a server may
// also refuse a request on arrival (Admit), before any fiber exists for it.
//
//   sim::Rpc<Get, Value> kv(net, "kv");
//   host.on_boot([&](sim::Host& h) { kv.serve(h, [](sim::Ctx& ctx, const Get& g, const sim::CallInfo& info) {
//       ctx.compute(1ms);                      // info.deadline: propagate it downstream
//       return sim::Result<Value>(lookup(g));
//   }); });
//   sim::Result<Value> v = kv.call(ctx, "kv-1", Get{"k"}, 200ms);
//
// A server is volatile state of its host: a crash removes it (and its in-flight handlers), and
// the host's boot function serves again. Calls to a host that is down, or across a dropping
// partition, time out; to a host that is up with nothing serving, they are refused.
//
// Left out: streaming, cancellation of the server's work when the caller gives up (the handler
// runs to completion; its late answer is dropped), and request/response sizes.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "sim/network.hpp"

namespace sim {

struct CallInfo {
    std::uint32_t caller = 0;  // host id
    Time deadline = time_never;
    std::uint64_t call_id = 0;
    // Time left before the caller gives up (never negative).
    Duration remaining(const Ctx& ctx) const {
        return deadline == time_never ? duration_forever : std::max(Duration(0), deadline - ctx.now());
    }
};

struct CallOptions {
    // A pool connection's view of the server: its incarnation when the connection was made
    // (0: no connection semantics). A request reaching a later incarnation is answered "reset".
    std::uint64_t incarnation = 0;
    // Where to store the call's id before waiting (lets a connection pool fail it early).
    std::uint64_t* call_id_out = nullptr;
};

template <class Req, class Resp>
class Rpc {
public:
    using Handler = std::function<Result<Resp>(Ctx&, const Req&, const CallInfo&)>;
    // Runs on arrival, inside the delivery (no fiber, no waiting): an error answers the call at
    // once and no handler runs. For a server that sheds load it cannot queue: a request refused
    // this way costs no fiber. Not asked while the host is paused (a paused host answers nothing).
    using Admit = std::function<Result<void>(const Req&, const CallInfo&)>;

    Rpc(Network& net, std::string service) : net_(&net), service_(std::move(service)), port_(net.port_id("rpc:" + service_)) {}

    Network& network() const noexcept { return *net_; }
    const std::string& service() const noexcept { return service_; }
    std::uint32_t port() const noexcept { return port_; }

    // Serves on `host` until the host crashes.
    void serve(Host& host, Handler handler, Admit admit = nullptr) {
        host.make<Server>(*this, host, std::move(handler), std::move(admit));
    }

    Result<Resp> call(Ctx& ctx, const Host& to, Req request, Duration timeout, CallOptions options = {}) {
        Network& net = *net_;
        const std::uint64_t id = net.next_call_id();
        if (options.call_id_out != nullptr) *options.call_id_out = id;
        const Time deadline = saturating_add(ctx.now(), timeout);
        Network::CallWait wait(net, id);
        Simulator& sim = ctx.sim();
        if (sim.records_details()) sim.trace_detail(ctx.host(), "rpc.call", {{"id", id}, {"service", std::string_view(service_)}, {"to", to.trace_name()}, {"timeout_ns", timeout}});
        Packet p;
        p.kind = Packet::Kind::request;
        p.from = ctx.host().id();
        p.to = to.id();
        p.port = port_;
        p.deadline = deadline;
        p.incarnation = options.incarnation;
        p.set(std::move(request));
        const Packet* answer = wait.send_and_wait(ctx, std::move(p), deadline);
        // Asked again after the wait: a sink may have been attached or removed meanwhile.
        if (answer == nullptr) {
            if (sim.records_details()) sim.trace_detail(ctx.host(), "rpc.done", {{"id", id}, {"result", "timeout"}});
            return Errc::timeout;
        }
        if (!answer->ok) {
            if (sim.records_details()) sim.trace_detail(ctx.host(), "rpc.done", {{"id", id}, {"result", to_string(answer->status)}});
            return answer->status;
        }
        if (sim.records_details()) sim.trace_detail(ctx.host(), "rpc.done", {{"id", id}, {"result", "ok"}});
        SIM_ASSERT(answer->type == Network::type_tag<Resp>(), "response of the wrong type from '" + service_ + "'");
        return *static_cast<const Resp*>(answer->data());
    }

    Result<Resp> call(Ctx& ctx, std::string_view to, Req request, Duration timeout, CallOptions options = {}) {
        Host* host = ctx.sim().find_host(to);
        if (host == nullptr) return Errc::unreachable;
        return call(ctx, *host, std::move(request), timeout, options);
    }

private:
    class Server final : public PortHandler {
    public:
        Server(Rpc& rpc, Host& host, Handler handler, Admit admit)
            : rpc_(rpc), host_(host), handler_(std::move(handler)), admit_(std::move(admit)) {
            rpc_.net_->bind(host_, rpc_.port_, this);
        }

        void deliver(const Packet& p) override {
            SIM_ASSERT(p.type == Network::type_tag<Req>(), "request of the wrong type for service '" + rpc_.service_ + "'");
            CallInfo info{p.from, p.deadline, p.call_id};
            if (admit_ && !host_.paused()) {
                Errc refused{};
                bool admitted = true;
                try {  // an exception escaping it names the service too
                    if (Result<void> r = admit_(*static_cast<const Req*>(p.data()), info); !r) {
                        admitted = false;
                        refused = r.error();
                    }
                } catch (...) {
                    host_.sim().fail_caught("the Admit function of service '" + rpc_.service_ + "'");
                    return;
                }
                if (!admitted) {
                    rpc_.net_->respond(host_, info.caller, info.call_id, false, refused);
                    return;
                }
            }
            host_.spawn([this, request = *static_cast<const Req*>(p.data()), info](Ctx& ctx) {
                // Handlers run in processes without names (a name per request would cost): an
                // exception escaping one, of any type, is reported as the service's. A kill's
                // unwinding (and a failed assertion) passes: fail_caught rethrows it.
                try {
                    Result<Resp> r = handler_(ctx, request, info);
                    if (r) {
                        Packet answer;
                        answer.set(std::move(*r));
                        rpc_.net_->respond(host_, info.caller, info.call_id, true, Errc::internal, std::move(answer));
                    } else {
                        rpc_.net_->respond(host_, info.caller, info.call_id, false, r.error());
                    }
                } catch (...) {
                    ctx.sim().fail_caught("a handler of service '" + rpc_.service_ + "'");
                }
            });
        }

    private:
        Rpc& rpc_;
        Host& host_;
        Handler handler_;
        Admit admit_;
    };

    Network* net_;
    std::string service_;
    std::uint32_t port_;
};

}  // namespace sim
