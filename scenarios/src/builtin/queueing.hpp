// M/M/1 and M/M/c queues built on the kernel alone: Poisson arrivals, exponential service,
// c servers pulling from one FIFO queue. Their mean response time has a closed form (M/M/1:
// W = 1/(mu - lambda); M/M/c: Erlang C), so they check the kernel's time, randomness and
// scheduling against theory.
//
// Left out: finite queues, balking, service disciplines other than FIFO (the model library's
// Service covers those).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faultline/scenario.hpp"
#include "sim/sim.hpp"

namespace faultline::builtin {

struct QueueOptions {
    double lambda = 0.9;  // arrivals per second
    double mu = 1.0;      // services per second, per server
    int servers = 1;
    std::uint64_t customers = 200'000;
    std::uint64_t queue_max = 1'000'000;  // an invariant: the queue never grows past this
};

template <class V>
void fields(V& v, QueueOptions& o) {
    v("lambda", o.lambda, "arrival rate (customers per second)");
    v("mu", o.mu, "service rate of one server (customers per second)");
    v("servers", o.servers, "number of servers (c)");
    v("customers", o.customers, "customers to serve before the run ends");
    v("queue_max", o.queue_max, "invariant: the queue never holds more than this");
}

// Mean response time (wait plus service) by queueing theory; nullopt when unstable.
std::optional<double> erlang_c_response(double lambda, double mu, int servers);

class QueueScenario : public Scenario {
public:
    using Options = QueueOptions;
    explicit QueueScenario(Options o) : o_(o) {}
    static std::optional<std::string> validate(const Options& o);

    // The run ends when the last customer leaves; allow three times the expected arrival span.
    void configure(sim::Options& options) const override {
        const sim::Time span(sim::saturating_duration(3e9 * static_cast<double>(o_.customers) / o_.lambda));
        options.time_max = sim::saturating_add(span, std::chrono::hours(1)).time_since_epoch();
    }
    void build(sim::Simulator& sim) override;
    std::vector<Measurement> measurements() const override;
    std::vector<FieldInfo> effective_options() const override {
        Options copy = o_;
        return list_fields(copy);
    }

private:
    Options o_;
    sim::Channel<sim::Time>* queue_ = nullptr;
    std::uint64_t served_ = 0;
    double response_total_s_ = 0;
    double wait_total_s_ = 0;
    double busy_total_s_ = 0;
    sim::Time end_{};
};

}  // namespace faultline::builtin
