#include "models/service.hpp"

#include <algorithm>

namespace models {

struct Service::Instance {
    Instance(Service& s, sim::Host& h) : host(h), queue(s.options_.queue), listed(s.instances_, this) {}
    sim::Host& host;
    WorkQueue queue;
    HostStates<Instance>::Entry listed;
};

Service::Service(sim::Network& net, std::string name, ServiceOptions options, Metrics* metrics)
    : name_(std::move(name)),
      options_(std::move(options)),
      metrics_(metrics),
      rpc_(net, name_),
      rng_(net.sim().rng("service/" + name_)),
      error_metrics_(metrics, name_) {
    if (metrics_ != nullptr) {
        requests_metric_ = &metrics_->counter(name_ + ".requests");
        ok_metric_ = &metrics_->counter(name_ + ".ok");
        latency_ = &metrics_->histogram(name_ + ".latency");
        metrics_->probe(name_ + ".queue", [this] { return static_cast<double>(queued()); });
        metrics_->probe(name_ + ".busy", [this] { return static_cast<double>(busy()); });
    }
}

Service::~Service() = default;

std::size_t Service::queued() const {
    std::size_t n = 0;
    instances_.for_each([&](const Instance& i) { n += i.queue.queued(); });
    return n;
}

int Service::busy() const {
    int n = 0;
    instances_.for_each([&](const Instance& i) { n += i.queue.busy(); });
    return n;
}

void Service::count_request() {
    ++counters_.requests;
    if (requests_metric_ != nullptr) requests_metric_->add();
}

void Service::record_error(sim::Errc e) {
    ++counters_.errors;
    error_metrics_.add(e);
}

sim::Duration Service::downstream_timeout(const sim::Ctx& ctx, const sim::CallInfo& info) const {
    if (info.deadline == sim::time_never) return options_.downstream_timeout;
    return info.remaining(ctx);
}

void Service::serve(sim::Host& host, Handler handler) {
    Instance& inst = host.make<Instance>(*this, host);
    // A request that finds the queue full is refused on arrival, without a fiber of its own.
    auto admit = [this, &inst](const Request&, const sim::CallInfo&) -> sim::Result<void> {
        if (!inst.queue.full()) return {};
        count_request();
        const sim::Errc refused = inst.queue.refuse_full();
        record_error(refused);
        return refused;
    };
    rpc_.serve(host, [this, &inst, handler = std::move(handler)](sim::Ctx& ctx, const Request& req,
                                                                  const sim::CallInfo& info) -> sim::Result<Response> {
        const sim::Time arrived = ctx.now();
        count_request();
        sim::CallInfo local = info;
        if (options_.timeout.count() > 0) local.deadline = std::min(local.deadline, arrived + options_.timeout);
        if (auto admitted = inst.queue.acquire(ctx, local.deadline); !admitted) {
            record_error(admitted.error());
            return admitted.error();
        }
        struct Release {
            WorkQueue& q;
            ~Release() { q.release(); }
        } release{inst.queue};
        if (!options_.cpu_last) ctx.compute(options_.cpu.sample(rng_));
        sim::Result<Response> r = handler ? handler(ctx, req, local) : sim::Result<Response>(Response{req.key, 0, false});
        if (options_.cpu_last && r) ctx.compute(options_.cpu.sample(rng_));  // a failed handler answers at once
        if (r && options_.timeout.count() > 0 && ctx.now() > arrived + options_.timeout) {
            SIM_COVER("service: finished after its server-side timeout");
            r = sim::Errc::timeout;  // the work was done, but too late: the server answers with an error
        }
        if (latency_ != nullptr) latency_->record(ctx.now() - arrived);
        if (!r) {
            record_error(r.error());
            return r;
        }
        ++counters_.ok;
        if (ok_metric_ != nullptr) ok_metric_->add();
        return r;
    }, std::move(admit));
}

}  // namespace models
