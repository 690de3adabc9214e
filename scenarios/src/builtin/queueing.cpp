#include "queueing.hpp"

#include <cstdio>

namespace faultline::builtin {

std::optional<double> erlang_c_response(double lambda, double mu, int servers) {
    const double a = lambda / mu;  // offered load in servers
    const double c = servers;
    if (a >= c) return std::nullopt;
    // sum_{k<c} a^k/k! and a^c/c!, built up by multiplication.
    double term = 1.0, sum = 0.0;
    for (int k = 0; k < servers; ++k) {
        sum += term;
        term *= a / (k + 1);
    }
    const double tail = term / (1.0 - a / c);
    const double wait_probability = tail / (sum + tail);
    return wait_probability / (c * mu - lambda) + 1.0 / mu;
}

std::optional<std::string> QueueScenario::validate(const Options& o) {
    // Gaps are whole nanoseconds: past 1e9 a second they round to 0 and the model is no longer
    // M/M/c; below 1e-9 a second (one in 32 years) the run's time limit would pass int64.
    if (!(o.lambda >= 1e-9 && o.lambda <= 1e9)) return "lambda must be between 1e-9 and 1e9 (arrivals per second)";
    if (!(o.mu >= 1e-9 && o.mu <= 1e9)) return "mu must be between 1e-9 and 1e9 (services per second)";
    if (o.servers < 1 || o.servers > 100000) return "servers must be between 1 and 100000";
    if (o.customers < 1) return "customers must be at least 1";
    return std::nullopt;
}

void QueueScenario::build(sim::Simulator& sim) {
    queue_ = &sim.make<sim::Channel<sim::Time>>();
    sim::Host& clients = sim.add_host("clients");
    sim::Host& server = sim.add_host("server");
    const auto interarrival = sim::saturating_duration(1e9 / o_.lambda);
    const auto service = sim::saturating_duration(1e9 / o_.mu);

    clients.spawn(
        [this, interarrival](sim::Ctx& ctx) {
            for (std::uint64_t i = 0; i < o_.customers; ++i) {
                ctx.sleep_for(ctx.rng().exponential(interarrival));
                queue_->try_send(ctx.now());
            }
            queue_->close();
        },
        "arrivals");
    for (int s = 0; s < o_.servers; ++s) {
        server.spawn(
            [this, service](sim::Ctx& ctx) {
                while (auto arrived = queue_->recv(ctx)) {
                    const sim::Time start = ctx.now();
                    ctx.sleep_for(ctx.rng().exponential(service));
                    wait_total_s_ += sim::to_seconds(start - *arrived);
                    response_total_s_ += sim::to_seconds(ctx.now() - *arrived);
                    busy_total_s_ += sim::to_seconds(ctx.now() - start);
                    end_ = ctx.now();
                    ++served_;
                    ctx.trace("depart", {{"wait_ns", start - *arrived}, {"response_ns", ctx.now() - *arrived}});
                }
            },
            "server-" + std::to_string(s));
    }
    sim.always("queue stays under queue_max", [this] { return queue_->size() <= o_.queue_max; });
}

namespace {
// A theory note as precise as the measurement beside it (six significant digits), so that
// "2.87437 (theory 2.96938)" compares digit for digit.
std::string theory_note(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "theory %.6g", v);
    return buf;
}
}  // namespace

std::vector<Measurement> QueueScenario::measurements() const {
    const double n = served_ == 0 ? 1.0 : static_cast<double>(served_);
    std::vector<Measurement> out;
    auto theory = erlang_c_response(o_.lambda, o_.mu, o_.servers);
    out.push_back({"response_mean_s", response_total_s_ / n,
                   theory ? theory_note(*theory) : "theory: unstable (lambda >= servers * mu)"});
    out.push_back({"wait_mean_s", wait_total_s_ / n, theory ? theory_note(*theory - 1.0 / o_.mu) : ""});
    out.push_back({"utilization",
                   sim::to_seconds(end_) > 0 ? busy_total_s_ / (sim::to_seconds(end_) * o_.servers) : 0.0,
                   theory ? theory_note(o_.lambda / (o_.mu * o_.servers)) : "theory 1 (saturated)"});
    out.push_back({"customers_served", static_cast<double>(served_), ""});
    return out;
}

}  // namespace faultline::builtin
