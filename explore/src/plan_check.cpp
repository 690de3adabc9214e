// An explicit fault plan (a regression file's, or one edited by hand) is checked against the world
// it will run in when the file is read, as a scenario file's timeline is when it loads: each
// fault's kind, targets and parameters as the world's fault registry judges them, and its time and
// window as the loader does (World::build_faults). Left to the run, a fault after the run's end
// never happens and the run passes in silence.
#include "explore/artifact.hpp"
#include "faultline/runner.hpp"
#include "sim/check.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

void check_explicit_plan(const RunSpec& spec, const std::string& file) {
    if (!spec.fault_plan || spec.fault_plan->empty()) return;
    // A scenario that cannot be made, or a world that fails to build, is the run's own error to
    // tell (with the words of the program that made the file): nothing to check the plan against.
    LoadedScenarioRef loaded;
    try {
        loaded = load_scenario(spec.scenario);
    } catch (const InputError&) {
        return;
    }
    std::string error;
    const std::unique_ptr<Scenario> scenario = loaded.info->make(all_overrides(spec), error);
    if (!scenario) return;
    sim::Options options;
    scenario->configure(options);
    options.seed = spec.seed;
    if (spec.duration) options.duration = *spec.duration;
    sim::Simulator sim(options);
    {
        sim::CurrentScope scope(sim);
        try {
            scenario->build(sim);
        } catch (const sim::detail::AssertionFailure&) {
        }
    }
    if (sim.failed()) return;
    auto fail = [&file](std::size_t i, const std::string& field, const std::string& what) {
        throw InputError(file + ": field 'faults.plan[" + std::to_string(i) + "]" + (field.empty() ? "" : "." + field) +
                         "': " + what);
    };
    const sim::Faults* faults = scenario->faults();
    if (faults == nullptr) throw InputError(file + ": field 'faults.plan': the scenario injects no faults");
    // The run ends at its planned duration, or without one at its time limit.
    const sim::Duration end = options.duration ? *options.duration : options.effective_time_max();
    for (std::size_t i = 0; i < spec.fault_plan->size(); ++i) {
        const sim::PlannedFault& f = (*spec.fault_plan)[i];
        if (auto p = faults->problem(f.spec)) fail(i, p->field, p->message);
        if (f.duration && !faults->kind(f.spec.kind)->window && f.spec.kind != "crash")
            fail(i, "for", "'" + f.spec.kind + "' is instantaneous: it takes no duration");
        if (f.duration && f.duration->count() == 0)
            fail(i, "for", "0 heals the fault at the instant it is injected: give a length, or leave it out");
        // (A fault at the end's very instant still runs: shrink ends a run at the failure's time.)
        if (f.at.time_since_epoch() > end) fail(i, "at", "after the end of the run (" + sim::format_value(end) + ")");
    }
}

}  // namespace faultline::explore
