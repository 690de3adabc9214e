// An example model kind: a third-party API with a request quota (think of a payment provider
// or a geocoding service that answers "429 Too Many Requests" past its limit). Registered from
// C++, used from scenario files as `kind: quota_api`.
//
// Each host of the model keeps a token bucket: `quota` tokens a second, at most `burst` saved
// up. A request that finds a token is answered after `latency`; one that finds none is refused
// at once with Errc::overloaded. The bucket is volatile: a restarted host starts full.
//
// Left out: per-client quotas, Retry-After hints, and quota shared between the hosts.
#pragma once

#include <algorithm>
#include <chrono>

#include "faultline/model_kind.hpp"
#include "sim/ctx.hpp"
#include "sim/distribution.hpp"
#include "sim/host.hpp"

namespace example {

using namespace std::chrono_literals;

struct QuotaApiOptions {
    sim::Rate quota{100};
    double burst = 10;
    sim::Delay latency = sim::Delay::fixed(20ms);
};

template <class V>
void fields(V& v, QuotaApiOptions& o) {
    v("quota", o.quota, "requests a second each host answers; past it, 'overloaded'");
    v("burst", o.burst, "requests the bucket saves up when idle");
    v("latency", o.latency, "time to answer an accepted request");
}

inline std::optional<std::string> validate(const QuotaApiOptions& o) {
    if (o.quota.per_second <= 0) return "quota must be positive";
    if (o.burst < 1) return "burst must be at least 1";
    return std::nullopt;
}

// One host's bucket: made by the host's boot function, so a crash empties it.
struct QuotaBucket {
    double tokens;
    sim::Time refilled;
};

inline void build_quota_api(faultline::ModelContext& m, const QuotaApiOptions& o) {
    models::Counter& accepted = m.metrics().counter(m.name() + ".accepted");
    models::Counter& refused = m.metrics().counter(m.name() + ".refused");
    m.measure(m.name() + ".accepted", [&accepted] { return static_cast<double>(accepted.value()); });
    m.measure(m.name() + ".refused", [&refused] { return static_cast<double>(refused.value()); }, "over quota");
    m.on_boot([&m, o, &accepted, &refused](sim::Host& host) {
        auto& bucket = host.make<QuotaBucket>(QuotaBucket{o.burst, host.sim().now()});
        m.endpoint().serve(host, [o, &bucket, &accepted, &refused](sim::Ctx& ctx, const models::Request& req,
                                                                     const sim::CallInfo&) -> sim::Result<models::Response> {
            const double elapsed = sim::to_seconds(ctx.now() - bucket.refilled);
            bucket.tokens = std::min(o.burst, bucket.tokens + elapsed * o.quota.per_second);
            bucket.refilled = ctx.now();
            if (bucket.tokens < 1) {
                refused.add();
                return sim::Errc::overloaded;
            }
            bucket.tokens -= 1;
            accepted.add();
            ctx.sleep_for(o.latency.sample(ctx.rng()));
            return models::Response{req.key, 1, false};
        });
    });
}

inline void register_quota_api() {
    faultline::register_model_kind<QuotaApiOptions>("quota_api", "a third-party API with a request quota per host",
                                                    build_quota_api);
}

}  // namespace example
