// Scenario files: a YAML file (or a library name, resolved to scenarios/NAME.yaml) loaded into a
// ScenarioInfo that the runner, the CLI and exploration treat like a built-in scenario.
//
// Loading reads the YAML, applies the chosen variant's overrides and then the caller's
// (--set), reads it all into a ScenarioSpec, and builds it once in a throwaway simulator, so
// that every mistake - syntax, unknown keys, wrong types, dangling references, unknown hosts in
// faults, unknown metrics in invariants - is one SpecError naming file, line and column before
// anything runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "faultline/scenario.hpp"
#include "faultline/spec.hpp"

namespace faultline {

// The directory of the scenario library: FAULTLINE_SCENARIOS in the environment; else, for an
// installed program, the library installed with it (its bin/../share/faultline/scenarios);
// else the source tree's scenarios/ it was built from; else, for a program built against the
// installed package elsewhere once that tree is gone, the package's installed copy.
std::string scenario_library_dir();
// The choice itself, from the candidates (empty: none), for tests.
struct LibraryPlaces {
    std::string environment, beside_program, source, installed;
};
std::string choose_scenario_library_dir(const LibraryPlaces& places);
// "cache-flush-stampede" -> ".../scenarios/cache-flush-stampede.yaml" if that file exists.
std::optional<std::string> library_scenario_path(const std::string& name);
// The library's scenario names, sorted.
std::vector<std::string> library_scenarios();

// The settings a file's variant makes, in file order, each with where it is written. SpecError:
// no such variant (the nearest name suggested), or a setting that is not a plain value.
struct VariantSetting {
    std::string path;
    std::string value;
    Where where;
};
std::vector<VariantSetting> variant_settings(const YAML::Node& root, const std::string& variant, const std::string& file);

// Reads and checks a spec. Throws SpecError.
ScenarioSpec load_spec(const std::string& path, const std::string& variant = {}, const std::vector<Override>& overrides = {});
// The first sentence of a description, as `faultline list` and a run's header show it.
std::string summary_of(const std::string& description);
// Settings as an error or warning names them: "--set duration=30s, faults.0.at=5s".
std::string describe_settings(const std::vector<Override>& settings);

struct LoadedScenario {
    std::shared_ptr<ScenarioInfo> info;  // info->make(overrides, error) reloads the file each time
    ScenarioSpec spec;                   // as loaded (variant applied, no extra overrides)
    std::string path;
    std::string variant;
    std::string content_hash;            // of the file's bytes
};

// The hash of a file's bytes, as LoadedScenario::content_hash has it. Throws SpecError when the
// file cannot be read.
std::string file_content_hash(const std::string& path);

// Throws SpecError.
LoadedScenario load_scenario_file(const std::string& path, const std::string& variant = {});

// A scenario built from a spec: what both a scenario file and a C++ program filling in a
// ScenarioSpec by hand run. It runs the spec as it is: a mistake in it (a call target that is
// nothing) fails the run. spec_scenario_info checks it first.
std::unique_ptr<Scenario> make_spec_scenario(ScenarioSpec spec, std::string file = "(c++)");

// The checks a scenario file gets, for a spec filled in by hand: every section's validate(),
// each model's typed options (their type, then their validate()), and the cross-references
// (call and fault targets, metrics, hosts), found by building it once. Throws SpecError, placed
// at `origin` ("(c++): services.api.calls[0].target: call target 'ledgr' is not ...").
void check_spec(ScenarioSpec& spec, const std::string& origin = "(c++)");

// A C++ spec as a registered scenario (register_scenario), the twin of a file's: make() applies
// `--set` settings (a model's options through its kind: models.NAME.options.OPTION) and runs
// check_spec, returning the first mistake as the error (bad input, exit 2); options() lists
// the settings; swarm() is the spec's swarm and nemesis rates.
ScenarioInfo spec_scenario_info(ScenarioSpec spec, std::string origin = "(c++)");

}  // namespace faultline
