#include "models/database.hpp"

#include <algorithm>

namespace models {

struct Database::Instance {
    Instance(Database& d, sim::Host& h) : host(h), executors(d.options_.executors), listed(d.instances_, this) {}
    sim::Host& host;
    WorkQueue executors;
    int connections = 0;
    HostStates<Instance>::Entry listed;
};

Database::Database(sim::Network& net, std::string name, DatabaseOptions options, Metrics* metrics)
    : name_(std::move(name)),
      options_(std::move(options)),
      metrics_(metrics),
      rpc_(net, name_),
      rng_(net.sim().rng("database/" + name_)) {
    if (metrics_ != nullptr) {
        std::size_t i = 0;
        for (const char* c : {".queries", ".refused", ".shed", ".oom"}) metric_[i++] = &metrics_->counter(name_ + c);
        latency_ = &metrics_->histogram(name_ + ".latency");
        // Connections and memory are seen at every open, so that a sample shows the interval's
        // highest: the spike that kills the database lies between two samples.
        connections_seen_ = &metrics_->peak_probe(name_ + ".connections", [this] { return static_cast<double>(connections()); });
        metrics_->probe(name_ + ".load", [this] { return load(); });
        memory_seen_ = &metrics_->peak_probe(name_ + ".memory_mb", [this] { return instances_.empty() ? 0.0 : memory_mb(); });
    }
}

Database::~Database() = default;

int Database::connections() const noexcept {
    int n = 0;
    instances_.for_each([&](const Instance& i) { n += i.connections; });
    return n;
}

double Database::memory_mb() const noexcept {
    int most = 0;
    instances_.for_each([&](const Instance& i) { most = std::max(most, i.connections); });
    return memory_for(most);
}

double Database::load() const noexcept {
    int busy = 0, total = 0;
    instances_.for_each([&](const Instance& i) {
        busy += i.executors.busy();
        total += i.executors.options().workers_max;
    });
    return total == 0 ? 0.0 : static_cast<double>(busy) / total;
}

void Database::serve(sim::Host& host) {
    Instance& inst = host.make<Instance>(*this, host);
    // Past the connection limit a query is refused on arrival, without a fiber of its own (and
    // again when its fiber starts, if others took the last connections in between).
    auto admit = [this, &inst](const Request&, const sim::CallInfo&) -> sim::Result<void> {
        if (refuse_connection(inst)) return sim::Errc::refused;
        return {};
    };
    rpc_.serve(host, [this, &inst](sim::Ctx& ctx, const Request& req, const sim::CallInfo& info) -> sim::Result<Response> {
        if (refuse_connection(inst)) return sim::Errc::refused;
        ++inst.connections;
        counters_.connections_peak = std::max(counters_.connections_peak, inst.connections);
        if (memory_seen_ != nullptr) {
            memory_seen_->observe(memory_for(inst.connections));
            connections_seen_->observe(static_cast<double>(connections()));
        }
        struct Close {
            Instance& i;
            ~Close() { --i.connections; }
        } close{inst};
        if (options_.memory_max_mb > 0 && memory_for(inst.connections) > options_.memory_max_mb) {
            ++counters_.ooms;
            count(oom);
            SIM_COVER("database: out of memory");
            ctx.trace("db.oom", {{"connections", inst.connections}, {"memory_mb", memory_for(inst.connections)}});
            inst.host.bounce(options_.restart_delay);  // unwinds this handler too
        }
        const sim::Time arrived = ctx.now();
        if (auto admitted = inst.executors.acquire(ctx, info.deadline); !admitted) {
            ++counters_.shed;
            count(shed);
            return admitted.error();
        }
        struct Release {
            WorkQueue& q;
            ~Release() { q.release(); }
        } release{inst.executors};
        ctx.compute(options_.query.sample(rng_));
        ++counters_.queries;
        count(queries);
        if (latency_ != nullptr) latency_->record(ctx.now() - arrived);
        std::uint64_t& version = versions_[req.key];
        if (req.write) ++version;
        return Response{req.key + 1'000'000 * version, version, false};
    }, std::move(admit));
}

bool Database::refuse_connection(const Instance& inst) {
    if (inst.connections < options_.connections_max) return false;
    ++counters_.refused;
    count(refused);
    SIM_COVER("database: connection limit");
    return true;
}

}  // namespace models
