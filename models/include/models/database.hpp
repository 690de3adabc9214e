// A database server: a connection limit, a pool of query executors with a queue in front (so
// latency grows with load the way an M/M/c queue's does), and overload behaviour: past the
// connection limit new requests are refused (as they arrive, without a fiber); past the queue
// limit they are shed; and with a memory limit, memory grows with open connections until the
// server dies of it (out of memory) and restarts after `restart_delay`. With the load still
// there, it comes back into the same flood and dies again: the crash loop of a cache-flush
// stampede.
//
// Data: a key's value is its key plus 1,000,000 times its version; writes bump the version.
// (Enough to check freshness; replicated stores are in models/replication.)
//
// Metrics: <name>.queries, <name>.refused, <name>.oom, <name>.latency, probes <name>.connections
// and <name>.load (busy executors / executors).
//
// Left out: locks and transactions, query plans (every query costs a draw from `query`), disk
// I/O (the buffer pool is assumed warm), replication.
#pragma once

#include <array>
#include <map>
#include <string>

#include "models/host_states.hpp"
#include "models/metrics.hpp"
#include "models/request.hpp"
#include "models/work_queue.hpp"
#include "sim/distribution.hpp"
#include "sim/rpc.hpp"

namespace models {

struct DatabaseOptions {
    int connections_max = 200;
    WorkQueueOptions executors{.workers_max = 8, .queue_max = 10'000};
    sim::Delay query = sim::Delay::exponential(std::chrono::milliseconds(2));  // one query on one executor
    double memory_base_mb = 256;
    double memory_per_connection_mb = 4;
    double memory_max_mb = 0;  // 0: no limit
    sim::Duration restart_delay = std::chrono::seconds(10);
};

class Database {
public:
    Database(sim::Network& net, std::string name, DatabaseOptions options = {}, Metrics* metrics = nullptr);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const std::string& name() const noexcept { return name_; }
    sim::Rpc<Request, Response>& rpc() noexcept { return rpc_; }
    const DatabaseOptions& options() const noexcept { return options_; }

    // Serves on `host`; call it from the host's boot function.
    void serve(sim::Host& host);

    int connections() const noexcept;  // over all hosts
    // The memory of the fullest host (the one nearest memory_max_mb; each host has its own).
    double memory_mb() const noexcept;
    double load() const noexcept;
    struct Counters {
        std::uint64_t queries = 0, refused = 0, shed = 0, ooms = 0;
        // The most connections open at once on one host over the run (what its memory grows
        // with): seen at every open, where the sampled <name>.connections shows only the value at
        // each sample, and misses the spike that kills the database between two samples.
        int connections_peak = 0;
    };
    const Counters& counters() const noexcept { return counters_; }

private:
    struct Instance;
    enum MetricIndex { queries, refused, shed, oom };  // metric_'s order, and Counters'
    // At the connection limit: counts the refusal and says so.
    bool refuse_connection(const Instance& inst);
    void count(MetricIndex what) {
        if (metric_[what] != nullptr) metric_[what]->add();
    }
    double memory_for(int connections) const noexcept {
        return options_.memory_base_mb + options_.memory_per_connection_mb * connections;
    }

    std::string name_;
    DatabaseOptions options_;
    Metrics* metrics_;
    sim::Rpc<Request, Response> rpc_;
    sim::Rng rng_;
    HostStates<Instance> instances_;                   // live pools, in the order hosts started serving
    std::map<std::uint64_t, std::uint64_t> versions_;  // durable data: survives restarts
    Counters counters_;
    // Looked up once, in the order of Counters (a lookup by name per query costs).
    std::array<Counter*, 4> metric_{};  // by MetricIndex
    LatencyHistogram* latency_ = nullptr;
    Peak* connections_seen_ = nullptr;  // the probes' highest since the last sample
    Peak* memory_seen_ = nullptr;
};

}  // namespace models
