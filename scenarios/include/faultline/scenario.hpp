// What a scenario is to the tools: something that builds a topology, workload, faults and
// invariants into a fresh simulator, and reports its own measurements after the run. C++
// scenarios implement this directly; scenario files (YAML) build the same objects.
//
// Scenarios are listed in an explicit registry (no static self-registration, which a linker
// may silently drop).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "faultline/fields.hpp"
#include "models/metrics.hpp"
#include "sim/faults.hpp"
#include "sim/simulator.hpp"

namespace faultline {

struct Measurement {
    std::string name;  // snake_case with its unit last: "response_mean_s"
    double value = 0;
    std::string note;  // e.g. "theory 10.0"
};

class Scenario {
public:
    virtual ~Scenario() = default;
    // The planned duration and limits this scenario needs (the runner then applies the seed
    // and any limits given on the command line).
    virtual void configure(sim::Options& options) const { (void)options; }
    // Builds everything into a fresh simulator.
    virtual void build(sim::Simulator& sim) = 0;
    // Headline numbers, read after the run.
    virtual std::vector<Measurement> measurements() const { return {}; }
    // The effective options (after overrides), for summaries and artifacts.
    virtual std::vector<FieldInfo> effective_options() const { return {}; }

    // The invariants judged at a time of their own (not after every event) whose judgement ran,
    // pass or fail. A failure ends the run at once: one judged later at that same instant was not
    // judged, and a report must not call it passed.
    virtual std::vector<std::string> judged_invariants() const { return {}; }

    // The run's metrics and time series (null if the scenario records none): for reports.
    virtual const models::Metrics* metrics() const { return nullptr; }

    // --- faults: what exploration needs -----------------------------------------------------
    // The fault registry this scenario injects through (null if it injects none). After the run,
    // its injected() plan is stored with results and artifacts.
    virtual const sim::Faults* faults() const { return nullptr; }
    // Replace the scenario's fault timeline and nemesis with an explicit plan (replay of a
    // shrunk failure, or the shrinker's candidates). Scenarios honour it through
    // schedule_faults().
    void set_fault_plan(sim::FaultPlan plan) { plan_override_ = std::move(plan); }
    bool has_fault_plan_override() const noexcept { return plan_override_.has_value(); }
    // The scenario's own plan (timeline and nemesis draws) once built, whether or not an
    // override replaced it: what a run that died before reporting its faults would have injected.
    const std::optional<sim::FaultPlan>& usual_plan() const noexcept { return usual_; }

protected:
    // Schedules `usual` (the scenario's timeline plus its nemesis plan), or the override if one
    // was set.
    void schedule_faults(sim::Faults& faults, const sim::FaultPlan& usual) {
        usual_ = usual;
        faults.schedule(plan_override_ ? *plan_override_ : usual);
    }

private:
    std::optional<sim::FaultPlan> plan_override_;
    std::optional<sim::FaultPlan> usual_;
};

// One dimension of a scenario's swarm space: an option path and the values a swarm seed may
// pick for it ("0", "1/min", "4/min" for a fault rate; "1", "3" for retry attempts).
struct SwarmDimension {
    std::string path;
    std::vector<std::string> choices;
};

// A registered scenario: how to make it, with overrides applied.
struct ScenarioInfo {
    std::string name;
    std::string summary;  // one line, for `faultline list`
    // Builds a fresh scenario; on bad overrides returns null and fills `error`.
    std::function<std::unique_ptr<Scenario>(const std::vector<Override>& overrides, std::string& error)> make;
    // The options and their defaults, for `faultline list --options`.
    std::function<std::vector<FieldInfo>()> options;
    // Options a swarm run may vary (each seed draws one choice per dimension, applied as
    // overrides): fault kinds on or off, their rates, configuration. Empty: no swarm space.
    std::function<std::vector<SwarmDimension>()> swarm;
};

// A scenario class S with `using Options = ...` (described by fields()) and `explicit S(Options)`.
template <class S>
ScenarioInfo scenario_info(std::string name, std::string summary) {
    ScenarioInfo info;
    info.name = std::move(name);
    info.summary = std::move(summary);
    info.make = [](const std::vector<Override>& overrides, std::string& error) -> std::unique_ptr<Scenario> {
        typename S::Options options;
        if (auto e = apply_overrides(options, overrides)) {
            error = *e;
            return nullptr;
        }
        if (auto e = S::validate(options)) {
            error = *e;
            return nullptr;
        }
        return std::make_unique<S>(options);
    };
    info.options = [] {
        typename S::Options options;
        return list_fields(options);
    };
    if constexpr (requires { S::swarm(); }) info.swarm = [] { return S::swarm(); };
    return info;
}

class Registry {
public:
    void add(ScenarioInfo info) { entries_.push_back(std::move(info)); }
    const ScenarioInfo* find(std::string_view name) const {
        for (const ScenarioInfo& e : entries_) {
            if (e.name == name) return &e;
        }
        return nullptr;
    }
    const std::vector<ScenarioInfo>& all() const { return entries_; }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const ScenarioInfo& e : entries_) out.push_back(e.name);
        return out;
    }

private:
    std::vector<ScenarioInfo> entries_;
};

// The scenarios built into faultline, in the order `faultline list` shows them, followed by
// those a C++ program registered.
const Registry& builtin_scenarios();
// Adds a C++ scenario (e.g. scenario_info<MyScenario>("my-scenario", "...")) before
// faultline::cli::run; `faultline run my-scenario` then finds it. A name already registered (a
// built-in such as "canary") or of a library scenario file throws std::invalid_argument: the
// scenario would be unreachable, or would shadow the file. Not thread-safe.
void register_scenario(ScenarioInfo info);

}  // namespace faultline
