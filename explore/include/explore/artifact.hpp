// Failure artifacts and regression files: one JSON format for both.
//
// A failure artifact (kind "failure") is what `faultline fuzz` keeps for a failure signature's
// fastest-failing seed: the scenario (name, optional file path, content hash), seed, overrides,
// swarm settings, kernel settings, the fault plan the run injected (drawn from the seed, kept for
// reading and shrinking), the effective options, the faultline version and build id, and the
// expected verdict, signature and trace hash. `faultline replay` re-runs it and checks the hash.
//
// A regression file (kind "regression") is what `faultline shrink` writes: the same fields, but
// its fault plan is explicit (faults.source "explicit"): it replaces the scenario's timeline and
// nemesis, so no seed is needed to draw the faults. `faultline run FILE` runs either kind.
// (When scenario files exist, a YAML regression file will carry the same fields.)
#pragma once

#include <string>

#include "explore/json.hpp"
#include "explore/outcome.hpp"
#include "explore/spec.hpp"

namespace faultline::explore {

inline constexpr int artifact_format = 1;

struct Artifact {
    std::string kind = "failure";              // or "regression"
    RunSpec spec;                              // spec.fault_plan is set when the plan is explicit
    std::string content_hash;                  // built-ins: hash of the effective options; files: of the file
    std::string hashed = "effective options";  // what content_hash covers: "file" or "effective options"
    std::vector<std::pair<std::string, std::string>> options;  // effective options when recorded
    sim::FaultPlan recorded_plan;                              // for kind "failure": what the seed's run injected
    std::string version;
    std::string build_id;
    std::string program;          // the program that made it ("faultline", or one built on cli::run); "" if not recorded
    Outcome expected;             // verdict, signature, failure, trace hash, events, end time
    Json notes = Json::object();  // e.g. how a regression file was shrunk
};

// An artifact for a finished run of `spec` (kind "failure", or "regression" when the spec has an
// explicit plan).
Artifact make_artifact(const RunSpec& spec, const Outcome& outcome);
Json artifact_to_json(const Artifact& a);
// InputError naming the file and the field.
Artifact artifact_from_json(const JsonReader& r);
// Reads the file, and checks an explicit plan against the world it runs in (check_explicit_plan).
Artifact load_artifact(const std::string& path);
// InputError naming `file` and the field (faults.plan[2].at) unless every fault of the spec's
// explicit plan is one its world can inject when the run would: a kind, targets and parameters
// its fault registry takes, a window only on a kind that has one and not of 0, and a time not
// after the run's end, as a scenario file's timeline is checked. Nothing to say (no check) when
// there is no explicit plan, or the scenario cannot be loaded or built: the run says why.
void check_explicit_plan(const RunSpec& spec, const std::string& file);
// Words for the end of an error about `a` when another program made it (its own scenarios and
// model kinds are not in this one): " (the artifact was made by 'myfl', not 'faultline': replay
// it with that program)". Empty when this program made it, or the artifact does not say.
std::string made_by_another_program(const Artifact& a, const std::string& verb = "replay");
void save_artifact(const std::string& path, const Artifact& a);

}  // namespace faultline::explore
