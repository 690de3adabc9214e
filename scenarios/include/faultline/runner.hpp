// Running a scenario once, and the determinism self-check (the same seed twice, compared record
// by record). Pure functions of (scenario, overrides, settings): no wall clock here; callers
// that want wall time measure it themselves.
#pragma once

#include <csignal>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "faultline/scenario.hpp"
#include "sim/trace.hpp"

namespace faultline {

struct RunSettings {
    std::uint64_t seed = 1;
    std::optional<sim::Duration> time_max;     // overrides the scenario's
    std::optional<std::uint64_t> events_max;   // overrides the scenario's
    std::optional<sim::Duration> duration;     // overrides the planned duration
    bool shuffle_ties = false;
    bool buggify = false;
    sim::TraceSink* sink = nullptr;            // e.g. a JSON Lines trace file
    std::string repro;                         // the command that reproduces the run
    std::optional<sim::FaultPlan> fault_plan;  // replaces the scenario's timeline and nemesis
    // Called with the fresh simulator before the scenario builds into it (e.g. to turn on logs
    // for one host).
    std::function<void(sim::Simulator&)> on_start;
    // Set from outside (Ctrl-C's handler) to end the run early: sim::Simulator::set_interrupt.
    const volatile std::sig_atomic_t* interrupt = nullptr;
};

struct ScenarioRun {
    std::string scenario;
    std::uint64_t seed = 0;
    sim::RunResult result;
    std::vector<Measurement> measurements;
    std::vector<std::pair<std::string, std::uint64_t>> coverage;
    std::vector<sim::Simulator::InvariantInfo> invariants;  // the kernel's always/eventually ones
    std::vector<FieldInfo> options;
    sim::FaultPlan injected;  // what the run injected (a plan that reproduces it)
    std::vector<std::size_t> injected_open;  // indices into `injected` of windows still open at the end
    // Invariants judged at a time of their own whose judgement ran (an eventually that held
    // included): Scenario::judged_invariants.
    std::vector<std::string> judged;
    std::vector<double> series_times;   // seconds; one per sample
    std::vector<models::Series> series; // the scenario's metric time series, if it records any
};

// Builds the scenario afresh, runs it, reads its measurements. `error` is set (and the run not
// attempted) when the overrides are bad, or a fault of settings.fault_plan is not one the built
// world can inject (message "faults.plan[i] (...): why").
std::optional<ScenarioRun> run_scenario(const ScenarioInfo& info, const std::vector<Override>& overrides,
                                        const RunSettings& settings, std::string& error);

// Builds the world a run of these settings would build and calls `inspect` with it (its hosts,
// its options: duration and limits) instead of running it, unless building failed. For flags that
// must match the world (a host to log, a window of the run), checked before a command opens any
// output, so that a refused run overwrites nothing; what `inspect` throws passes through. False,
// with `error` set as run_scenario sets it, when the scenario cannot be made.
bool inspect_world(const ScenarioInfo& info, const std::vector<Override>& overrides, const RunSettings& settings,
                   const std::function<void(sim::Simulator&)>& inspect, std::string& error);

// The faults a run of these settings would schedule (its timeline and its nemesis's draws for the
// seed), from building its world without running it: for a run that crashed or hung before it
// could report what it injected. Empty for a scenario that schedules none; nullopt (with `error`
// set) when the scenario cannot be made.
std::optional<sim::FaultPlan> planned_faults(const ScenarioInfo& info, const std::vector<Override>& overrides,
                                             const RunSettings& settings, std::string& error);

struct Divergence {
    std::uint64_t index = 0;    // the first record whose running hash differs
    std::string first_run;      // that record, as JSON, in the first run ("(none)" if it ended)
    std::string second_run;     // and in the second
};

struct DeterminismReport {
    bool ok = true;
    std::uint64_t records = 0;
    std::uint64_t trace_hash = 0;
    std::optional<Divergence> divergence;
    ScenarioRun run;  // the first run
    // A run was interrupted (RunSettings::interrupt): nothing was compared, ok says nothing.
    bool interrupted = false;
};

// Runs the seed twice and compares the trace record by record (kernel dispatches included);
// on a mismatch, names the first divergent record in both runs.
std::optional<DeterminismReport> check_determinism(const ScenarioInfo& info, const std::vector<Override>& overrides,
                                                   const RunSettings& settings, std::string& error);

}  // namespace faultline
