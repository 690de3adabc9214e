// CallClient: a call with its client-side policies (retries, budget, throttle, breaker, hedging),
// load balancing over the target's hosts, optional connection pools, and fan-out.
#include <memory>

#include "world.hpp"

namespace faultline {

CallClient::CallClient(World& world, sim::Host& host, const CallSpec& spec, const std::string& owner)
    : host_(host),
      spec_(spec),
      rpc_(world.endpoint(spec.target)),
      targets_(world.hosts_of(spec.target)),
      caller_(world.sim(), owner + "@" + std::string(host.name()) + "->" + spec.target,
              models::CallerOptions{spec.retry, spec.throttle, spec.breaker, spec.hedge, spec.timeout, spec.deadline}),
      lb_(world.sim(), owner + "@" + std::string(host.name()) + "->" + spec.target,
          [&] {
              std::vector<std::string> names;
              for (sim::Host* h : world.hosts_of(spec.target)) names.emplace_back(h->name());
              return names;
          }(),
          spec.lb),
      requests_(&world.metrics().counter("calls." + owner + "." + spec.target + ".requests")),
      attempts_(&world.metrics().counter("calls." + owner + "." + spec.target + ".attempts")) {
    caller_.set_retries_metric(&world.metrics().counter("calls." + owner + "." + spec.target + ".retries"));
    if (spec.pool) {
        for (sim::Host* t : targets_) {
            pools_.push_back(std::make_unique<sim::ConnectionPool>(world.net(), host, std::string(t->name()), rpc_->port(), *spec.pool));
        }
    }
}

sim::Result<models::Response> CallClient::attempt(sim::Ctx& ctx, models::Request request, sim::Duration timeout) {
    attempts_->add();
    return lb_.route(ctx, request.key, [&](std::size_t b) {
        return pools_.empty() ? rpc_->call(ctx, *targets_[b], request, timeout) : pools_[b]->call(ctx, *rpc_, request, timeout);
    });
}

sim::Result<models::Response> CallClient::one(sim::Ctx& ctx, const models::Request& request, sim::Time deadline) {
    requests_->add();
    // The attempt runs in hedge processes too: it captures copies, never this frame.
    return caller_.call(
        ctx, [this, request](sim::Ctx& c, sim::Duration timeout) { return attempt(c, request, timeout); }, deadline);
}

sim::Result<models::Response> CallClient::call(sim::Ctx& ctx, const models::Request& original, sim::Time deadline) {
    models::Request request = original;
    if (spec_.key) request.key = *spec_.key;
    if (spec_.fanout == 1) return one(ctx, request, deadline);
    // Fan-out: the other copies in processes of their own; all must succeed.
    struct Join {
        int pending = 0;
        std::optional<sim::Errc> error;
        sim::Event done;
    };
    auto join = std::make_shared<Join>();
    join->pending = spec_.fanout - 1;
    for (int i = 1; i < spec_.fanout; ++i) {
        host_.spawn([this, join, request, deadline](sim::Ctx& c) {
            auto r = one(c, request, deadline);
            if (!r && !join->error) join->error = r.error();
            if (--join->pending == 0) join->done.set();
        });
    }
    auto mine = one(ctx, request, deadline);
    join->done.wait(ctx);
    if (!mine) return mine;
    if (join->error) return *join->error;
    return mine;
}

}  // namespace faultline
