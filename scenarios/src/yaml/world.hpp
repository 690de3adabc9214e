// Builds a ScenarioSpec into a simulator: hosts and groups, the network, databases, services
// (each with its cache and downstream calls), workloads, replicated stores, models of kinds
// registered from C++, the scenario's own fault kinds, the
// fault timeline and nemesis, invariants and coverage. Cross-references are checked here and
// reported as SpecErrors at the place in the file they came from.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "faultline/model_kind.hpp"
#include "faultline/scenario.hpp"
#include "faultline/spec.hpp"
#include "models/cache.hpp"
#include "models/caller.hpp"
#include "models/check/history.hpp"
#include "models/database.hpp"
#include "models/replication/store.hpp"
#include "models/load_balancer.hpp"
#include "models/metrics.hpp"
#include "models/service.hpp"
#include "models/workload.hpp"
#include "sim/connection_pool.hpp"
#include "sim/faults.hpp"
#include "sim/network.hpp"

namespace faultline {

// What a model's boot function threw, with the model's place in the file.
struct ModelBootError : std::runtime_error {
    ModelBootError(Where w, std::string p, const std::string& message)
        : std::runtime_error(message), where(std::move(w)), path(std::move(p)) {}
    Where where;
    std::string path;
};

class World;

// A call from one host to a component, with its policies: one per (host, call), volatile.
class CallClient {
public:
    CallClient(World& world, sim::Host& host, const CallSpec& spec, const std::string& owner);
    sim::Result<models::Response> call(sim::Ctx& ctx, const models::Request& request, sim::Time deadline);
    // What a call reads first, for a cache hint: this object, its caller's state, its balancer's.
    std::array<sim::Touches::Range, 3> touches() const noexcept {
        return {sim::Touches::Range{this, sizeof(*this)}, caller_.touches(), lb_.touches()};
    }

private:
    sim::Result<models::Response> attempt(sim::Ctx& ctx, models::Request request, sim::Duration timeout);
    sim::Result<models::Response> one(sim::Ctx& ctx, const models::Request& request, sim::Time deadline);

    sim::Host& host_;
    const CallSpec& spec_;
    sim::Rpc<models::Request, models::Response>* rpc_;
    const std::vector<sim::Host*>& targets_;  // the world's list, shared by every client of the target
    models::ResilientCaller caller_;
    models::LoadBalancer lb_;
    std::vector<std::unique_ptr<sim::ConnectionPool>> pools_;
    models::Counter* requests_;
    models::Counter* attempts_;
};

// Live objects by host, in the order they were made (a fault applies to them in that order).
// Removal is O(log n), so tearing down a world of 100,000 clients is not quadratic.
template <class T>
class LiveList {
public:
    std::uint64_t add(std::uint32_t host, T* item) {
        entries_.emplace(next_, std::pair<std::uint32_t, T*>{host, item});
        return next_++;
    }
    void remove(std::uint64_t key) { entries_.erase(key); }
    // f(host id, item) for each live item, in the order they were made.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& [key, entry] : entries_) f(entry.first, entry.second);
    }

    // The live items of each host, each host's in the order they were made.
    std::map<std::uint32_t, std::vector<T*>> by_host() const {
        std::map<std::uint32_t, std::vector<T*>> out;
        for (const auto& [key, entry] : entries_) out[entry.first].push_back(entry.second);
        return out;
    }

private:
    std::map<std::uint64_t, std::pair<std::uint32_t, T*>> entries_;
    std::uint64_t next_ = 0;
};

// Keeps a pointer in a list for as long as it lives (made with host.make, so a crash removes it).
// The list is shared: a world whose construction failed is gone before the simulator destroys
// its hosts' state, and the entries must not outlive the list they erase themselves from.
template <class T>
struct Listed {
    Listed(std::shared_ptr<LiveList<T>> list, std::uint32_t host, T* item) : list_(std::move(list)), key_(list_->add(host, item)) {}
    ~Listed() { list_->remove(key_); }
    Listed(const Listed&) = delete;
    Listed& operator=(const Listed&) = delete;

private:
    std::shared_ptr<LiveList<T>> list_;
    std::uint64_t key_;
};

// The world must outlive the simulator it is built into (hosts' state refers into it).
class World {
public:
    // Builds everything; throws SpecError for what is wrong in the spec.
    World(sim::Simulator& sim, const ScenarioSpec& spec, std::string file);
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    sim::Simulator& sim() const noexcept { return *sim_; }
    sim::Network& net() noexcept { return *net_; }
    models::Metrics& metrics() noexcept { return *metrics_; }
    sim::Faults& faults() noexcept { return *faults_; }
    const ScenarioSpec& spec() const noexcept { return spec_; }

    // The timeline plus the nemesis plan, for Scenario::schedule_faults.
    const sim::FaultPlan& usual_plan() const noexcept { return plan_; }
    std::vector<Measurement> measurements() const;
    // The invariants judged at a time of their own so far (Scenario::judged_invariants).
    const std::vector<std::string>& judged() const noexcept { return judged_; }

    // What a call to `name` reaches: its RPC endpoint and hosts (null if no such component).
    sim::Rpc<models::Request, models::Response>* endpoint(const std::string& name);
    const std::vector<sim::Host*>& hosts_of(const std::string& component) const { return hosts_.at(component); }

    // Live objects by host, for scenario fault kinds.
    std::shared_ptr<LiveList<models::Cache>> caches = std::make_shared<LiveList<models::Cache>>();
    std::shared_ptr<LiveList<models::OpenLoopWorkload>> open_loops = std::make_shared<LiveList<models::OpenLoopWorkload>>();
    struct BadVersion {
        sim::Duration crash_after;
        sim::Duration restart_delay;
    };
    std::map<std::uint32_t, BadVersion> bad_deploy;  // hosts running a bad deploy
    // Called by every host's boot function: starts the bad version where one is deployed.
    void start_bad_version(sim::Host& host);

    // A spec filled in by hand in C++ has no positions: its mistakes are placed at its origin
    // ("(c++)"), the world's file, rather than read as a setting's ("(--set)").
    [[noreturn]] void fail(const Where& w, const std::string& path, const std::string& message) const {
        if (w.file.empty() && w.line == 0) throw SpecError(Where{file_, 0, 0}, path, message);
        throw SpecError(w, path, message);
    }

private:
    // The names a host pattern expands to, each checked to be a name (not a glob or a bad range).
    std::vector<std::string> host_names(const std::string& pattern, const Where& where, const std::string& path) const;
    std::vector<sim::Host*> place(const std::string& component, const std::string& pattern, const Where& where,
                                  const std::string& path);
    [[noreturn]] void name_taken(const std::string& name, const Where& where, const std::string& section) const;
    void check_group_name(const std::string& name, const Where& where, const std::string& path,
                          const std::vector<sim::Host*>* own) const;
    void check_component_names() const;
    void build_network();
    void build_databases();
    void build_services();
    void build_workloads();
    void build_stores();
    void join_hosts(const std::string& group, const std::string& pattern, const Where& where, const std::string& path);
    void build_groups();
    void name_ranges();
    void build_models();
    void build_checker(const InvariantSpec& inv, const std::string& path);
    void define_scenario_faults();
    void build_faults();
    void build_invariants();
    void check_call(const CallSpec& c, const std::string& path, const Where& owner);
    void check_call_cycles();
    std::function<double()> metric_reader(const std::string& metric, const Where& where, const std::string& path);
    std::vector<std::string> metric_names() const;  // for errors: the metrics, and the error counters' pattern

    sim::Simulator* sim_;
    const ScenarioSpec& spec_;
    std::string file_;
    sim::Network* net_ = nullptr;
    models::Metrics* metrics_ = nullptr;
    sim::Faults* faults_ = nullptr;
    std::map<std::string, std::vector<sim::Host*>> hosts_;  // component -> hosts
    std::map<std::uint32_t, std::vector<std::function<void(sim::Host&)>>> starters_;  // host -> what its boot starts
    std::map<std::string, models::Service*> services_;
    std::map<std::string, models::Database*> databases_;
    std::map<std::string, models::WorkloadStats*> workload_stats_;
    std::map<std::string, models::replication::Store*> stores_;
    std::map<std::string, models::check::HistoryRecorder*> histories_;
    std::map<std::string, sim::Rpc<models::Request, models::Response>*> model_endpoints_;  // custom models
    std::vector<std::unique_ptr<ModelContext>> model_contexts_;
    sim::FaultPlan plan_;
    std::vector<Measurement> invariant_measurements_;
    struct LateMeasure {
        std::string name;
        std::function<double()> value;
        std::string note;
    };
    std::vector<LateMeasure> model_measures_;  // from custom models, read at the end
    friend class ModelPlace;
    std::shared_ptr<std::vector<Measurement>> late_measurements_ = std::make_shared<std::vector<Measurement>>();
    // The names of invariants whose judgement at their own time ran (Scenario::judged_invariants).
    std::vector<std::string> judged_;
};

}  // namespace faultline
