// A service: an RPC endpoint on one or more hosts, each host with its own worker pool and
// bounded queue (FIFO, LIFO or CoDel), a per-request CPU cost, a server-side timeout, and a
// handler that may call downstream services with the caller's deadline propagated.
//
//   models::Service api(net, "api", {.queue = {.workers_max = 16}, .cpu = Delay::fixed(2ms)}, &metrics);
//   host.on_boot([&](sim::Host& h) { api.serve(h, [&](sim::Ctx& ctx, const Request& r, const sim::CallInfo& info) {
//       return db.rpc().call(ctx, "db", r, api.downstream_timeout(ctx, info));   // the deadline travels on
//   }); });
//
// Each host's pool is volatile state: a crash empties its queue and kills its workers. A request
// that finds the queue full is refused (overloaded) as it arrives, before a fiber is made for it.
// Metrics: <name>.requests, <name>.ok, <name>.errors.<errc>, <name>.latency (server side: queue +
// work), probes <name>.queue (requests waiting, all hosts) and <name>.busy (workers in use).
//
// Left out: keep-alive connection limits on the server side (see sim::ConnectionPool on the
// client side), request sizes, thread contention beyond the worker count.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/host_states.hpp"
#include "models/metrics.hpp"
#include "models/request.hpp"
#include "models/work_queue.hpp"
#include "sim/distribution.hpp"
#include "sim/rpc.hpp"

namespace models {

struct ServiceOptions {
    WorkQueueOptions queue;
    sim::Delay cpu = sim::Delay::fixed(std::chrono::milliseconds(1));  // scaled by the host's slowdown
    sim::Duration timeout{0};        // server side: dropped if still queued after this, answered `timeout` if
                                     // finished after it (0: none)
    sim::Duration downstream_timeout = std::chrono::seconds(1);  // when the caller set no deadline
    // The CPU cost after the handler (its log write, its downstream calls) instead of before: a
    // request the handler fails answers at once, without it (fail fast, as a full disk does).
    bool cpu_last = false;
};

class Service {
public:
    using Handler = std::function<sim::Result<Response>(sim::Ctx&, const Request&, const sim::CallInfo&)>;

    Service(sim::Network& net, std::string name, ServiceOptions options = {}, Metrics* metrics = nullptr);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    const std::string& name() const noexcept { return name_; }
    sim::Rpc<Request, Response>& rpc() noexcept { return rpc_; }
    const ServiceOptions& options() const noexcept { return options_; }

    // Serves on `host` with its own pool; call it from the host's boot function.
    void serve(sim::Host& host, Handler handler = {});

    // The timeout a handler should give a downstream call: what is left of the caller's deadline
    // (and of the server-side timeout), or downstream_timeout when there is none.
    sim::Duration downstream_timeout(const sim::Ctx& ctx, const sim::CallInfo& info) const;

    std::size_t queued() const;
    int busy() const;
    struct Counters {
        std::uint64_t requests = 0, ok = 0, errors = 0;
    };
    const Counters& counters() const noexcept { return counters_; }

private:
    struct Instance;
    void count_request();
    void record_error(sim::Errc e);

    std::string name_;
    ServiceOptions options_;
    Metrics* metrics_;
    sim::Rpc<Request, Response> rpc_;
    sim::Rng rng_;
    HostStates<Instance> instances_;  // live pools, in the order hosts started serving
    Counters counters_;
    Counter* requests_metric_ = nullptr;  // looked up once: a lookup by name per request costs
    Counter* ok_metric_ = nullptr;
    ErrorCounters error_metrics_;
    LatencyHistogram* latency_ = nullptr;
};

}  // namespace models
