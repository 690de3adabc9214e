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
};

// A registered scenario: how to make it, with overrides applied.
struct ScenarioInfo {
    std::string name;
    std::string summary;  // one line, for `faultline list`
    // Builds a fresh scenario; on bad overrides returns null and fills `error`.
    std::function<std::unique_ptr<Scenario>(const std::vector<Override>& overrides, std::string& error)> make;
    // The options and their defaults, for `faultline list --options`.
    std::function<std::vector<FieldInfo>()> options;
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

// The scenarios built into faultline, in the order `faultline list` shows them.
const Registry& builtin_scenarios();

}  // namespace faultline
