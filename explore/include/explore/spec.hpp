// One run, as data: which scenario, seed, option overrides, swarm draws, kernel settings and
// (optionally) an explicit fault plan. Workers receive it, artifacts and regression files store
// it, replay and shrink rebuild runs from it. A run is a pure function of its spec (and build).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "explore/json.hpp"
#include "faultline/runner.hpp"
#include "sim/faults.hpp"

namespace faultline::explore {

// A scenario: a built-in or library scenario by name ("chaos", "cache-flush-stampede"), or a
// scenario file by path (named by its `name:`, as `run` names it); `variant` picks one of a file's designs. Files are identified by the
// hash of their content, built-ins by the hash of their effective options.
//
// A file's path is kept as it was typed (relative paths read well in commands and stay valid
// on another machine with the same layout) and as an absolute path, which finds the file when a
// replay runs in another directory than the job did. Two references name the same file when
// either form agrees ("dnl.yaml" and "./dnl.yaml" from one directory, or one path typed alike on
// two machines).
struct ScenarioRef {
    std::string name;
    std::optional<std::string> path;
    std::optional<std::string> absolute;  // of `path`, where it was made
    std::string variant;
    // A file's name is its content's (`name:`; the stem in records made before): the path says
    // which file it is.
    friend bool operator==(const ScenarioRef& a, const ScenarioRef& b) {
        if (a.variant != b.variant || a.path.has_value() != b.path.has_value()) return false;
        if (!a.path) return a.name == b.name;
        return *a.path == *b.path || (a.absolute && b.absolute && *a.absolute == *b.absolute);
    }
    // As a run names itself: "cache-flush-stampede/coalescing".
    std::string run_name() const { return name + (variant.empty() ? "" : "/" + variant); }
    std::string text() const { return (path ? *path : name) + (variant.empty() ? "" : " --variant " + variant); }
};

struct RunSpec {
    ScenarioRef scenario;
    std::uint64_t seed = 1;
    std::vector<Override> overrides;  // the user's --set
    std::vector<Override> swarm;      // drawn for this seed by swarm mode (applied first)
    bool shuffle_ties = false;
    bool buggify = false;
    std::optional<sim::Duration> time_max;
    std::optional<std::uint64_t> events_max;
    std::optional<sim::Duration> duration;     // a shortened run (shrink)
    std::optional<sim::FaultPlan> fault_plan;  // explicit: replaces the scenario's timeline and nemesis
};

// Swarm draws first, then the user's overrides (which win: swarm mode never draws an option the
// user set).
std::vector<Override> all_overrides(const RunSpec& spec);
RunSettings settings_for(const RunSpec& spec);

// What a command-line argument names: a built-in, a library scenario, or a .yaml file.
ScenarioRef scenario_ref(const std::string& arg, const std::string& variant = {});

// The scenario a reference names, ready to make runs; InputError (prefixed with `where`) when
// there is no such scenario or its file does not load.
struct LoadedScenarioRef {
    std::shared_ptr<const ScenarioInfo> info;
    std::optional<std::string> file;  // the file it came from (library scenarios included)
    std::string file_hash;            // that file's content hash
};
LoadedScenarioRef load_scenario(const ScenarioRef& ref, const std::string& where = "");
// The file `ref` loads: its path as typed, or where it was recorded when the path leads to no file
// from here, or the library's file of its name. Nothing for a C++ scenario; an unknown name or a
// missing file is load_scenario's error to give.
std::optional<std::string> scenario_file(const ScenarioRef& ref);
// InputError when writing `file` (given as `flag`) would overwrite the scenario file `ref` loads
// or the one it was recorded from, or would make a file at its path as typed (which is read
// first), from whatever directory the command runs.
void check_not_scenario_file(const std::string& file, const std::string& flag, const ScenarioRef& ref);

// The effective options of the scenario with the spec's overrides (path, value), and their hash.
// InputError when the overrides are bad.
std::vector<std::pair<std::string, std::string>> effective_options(const RunSpec& spec);
std::string options_hash(const std::vector<std::pair<std::string, std::string>>& options);
// What identifies the scenario's content: the file's hash, or for a built-in its options' hash.
std::string content_hash(const LoadedScenarioRef& loaded,
                         const std::vector<std::pair<std::string, std::string>>& options);

// `faultline run NAME --seed N --set ...`: the command that repeats a run without a file (only
// when it has no explicit fault plan), naming the running program (program_name()).
std::optional<std::string> run_command(const RunSpec& spec);

// JSON forms. A spec is written as the flat fields of an artifact (scenario, seed, overrides,
// swarm, settings, faults); reading accepts the same.
Json plan_to_json(const sim::FaultPlan& plan);
sim::FaultPlan plan_from_json(const JsonReader& r);
Json scenario_ref_to_json(const ScenarioRef& ref);  // {name, path, absolute_path, variant}
ScenarioRef scenario_ref_from_json(const JsonReader& r);
Json overrides_to_json(const std::vector<Override>& overrides);
std::vector<Override> overrides_from_json(const JsonReader& r);
void spec_to_json(const RunSpec& spec, Json& out);
RunSpec spec_from_json(const JsonReader& r);

}  // namespace faultline::explore
