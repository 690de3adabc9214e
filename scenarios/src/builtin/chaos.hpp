// chaos: every fault in the standard vocabulary against a small replicated key-value system, from
// a nemesis, to check that runs stay deterministic whatever is injected (`--check-determinism`
// over many seeds is part of the test suite).
//
// Topology: `regions` regions of `hosts_per_region` nodes. Every node serves "kv" over RPC
// (appending each write to its disk, fsyncing every few writes) and runs a client that writes to
// random peers, through a connection pool with keepalive, and gossips over a mailbox.
// After the nemesis goes quiet, every node must be up and serving again.
#pragma once

#include "faultline/scenario.hpp"
#include "sim/sim.hpp"

namespace faultline::builtin {

struct ChaosOptions {
    int regions = 2;
    int hosts_per_region = 2;
    sim::Duration duration = std::chrono::seconds(120);
    sim::Duration quiet_at = std::chrono::seconds(80);  // the nemesis heals everything by then
    double fault_rate = 4.0;                             // per minute, for every fault kind
    sim::Duration fault_duration_max = std::chrono::seconds(8);
    sim::Duration recovery_within = std::chrono::seconds(30);
};

template <class V>
void fields(V& v, ChaosOptions& o) {
    v("regions", o.regions, "number of regions");
    v("hosts_per_region", o.hosts_per_region, "nodes per region");
    v("duration", o.duration, "length of the run");
    v("quiet_at", o.quiet_at, "when the nemesis stops (everything healed)");
    v("fault_rate", o.fault_rate, "faults per minute, for each fault kind");
    v("fault_duration_max", o.fault_duration_max, "longest fault window");
    v("recovery_within", o.recovery_within, "after quiet_at, every node serves again within this");
}

class ChaosScenario : public Scenario {
public:
    using Options = ChaosOptions;
    explicit ChaosScenario(Options o) : o_(o) {}
    static std::optional<std::string> validate(const Options& o);
    static std::vector<SwarmDimension> swarm() {
        return {{"fault_rate", {"0", "1", "4", "8"}}, {"hosts_per_region", {"2", "3"}}, {"regions", {"1", "2", "3"}}};
    }
    void configure(sim::Options& options) const override { options.duration = o_.duration; }
    void build(sim::Simulator& sim) override;
    std::vector<Measurement> measurements() const override;
    std::vector<FieldInfo> effective_options() const override {
        Options copy = o_;
        return list_fields(copy);
    }
    const sim::Faults* faults() const override { return faults_; }

private:
    Options o_;
    sim::Network* net_ = nullptr;
    sim::Faults* faults_ = nullptr;
    std::vector<std::string> names_;
    std::uint64_t ok_ = 0, failed_ = 0, ok_after_quiet_ = 0;
    std::vector<sim::Time> last_ok_;  // per node: the last successful write it served
};

}  // namespace faultline::builtin
