// `faultline run SCENARIO --seed N`: one run, its verdict, and how to reproduce it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "common.hpp"
#include "explore/artifact.hpp"
#include "explore/stop_signals.hpp"
#include "explore/workers.hpp"
#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "output.hpp"
#include "report_output.hpp"
#include "sim/trace_file.hpp"
#include "sim/values.hpp"

namespace faultline::cli {

namespace {

struct RunArgs {
    std::string scenario;
    std::string variant;
    std::uint64_t seed = 1;
    std::string trace;
    bool trace_kernel = false;
    bool check_determinism = false;
    bool json = false;
    std::vector<std::string> sets;
    std::string time_max;
    std::uint64_t events_max = 0;
    bool shuffle_ties = false;
    bool buggify = false;
    bool run_settings_given = false;  // --seed, --set, --shuffle-ties or --buggify on the command line
    RunReportFlags report;            // --report, --result, --perfetto
};

// A regression file (from `faultline shrink`) or failure artifact (from `faultline fuzz`): its
// scenario, seed, overrides and explicit fault plan, instead of a scenario name.
bool is_run_file(const std::string& arg) {
    return arg.size() > 5 && arg.compare(arg.size() - 5, 5, ".json") == 0;
}

// A run refused: its scenario's options, or a regression file's own error (its fault plan's),
// named as replay names it.
std::string scenario_error(const RunArgs& a, const ScenarioInfo& info, const std::string& error) {
    // A scenario file by its name: as fuzz, replay and the reports name it (its path is in the
    // error's own "FILE:LINE:COLUMN" where the file is at fault).
    return is_run_file(a.scenario) ? a.scenario + ": scenario '" + info.name + "': " + error
                                   : "scenario '" + info.name + "': " + error;
}

int execute(const RunArgs& a) {
    ResolvedScenario scenario;
    std::vector<Override> overrides;
    RunSettings settings;
    explore::LoadedScenarioRef from_file;  // keeps a file's scenario alive for the run
    report::RecordSource source;           // where the run came from, for reports
    if (is_run_file(a.scenario)) {
        if (a.run_settings_given || !a.variant.empty()) {
            throw UsageError(a.scenario +
                             " fixes the seed, options and settings; --seed, --variant, --set, --shuffle-ties and "
                             "--buggify cannot be added");
        }
        try {
            const explore::Artifact file = explore::load_artifact(a.scenario);
            from_file = explore::load_scenario(file.spec.scenario, a.scenario);
            scenario.info = from_file.info.get();
            overrides = explore::all_overrides(file.spec);
            settings = explore::settings_for(file.spec);
            source = {from_file.file.value_or(""), file.spec.scenario.variant, overrides, "", ""};
        } catch (const explore::InputError& e) {
            throw UsageError(e.what());
        }
        settings.repro = explore::program_name() + " run " + a.scenario;
    } else {
        try {
            scenario = resolve_scenario(a.scenario, a.variant);
        } catch (const UsageError& e) {
            // The file alone does not load: a --set is no cure, and its error speaks of the file.
            if (a.sets.empty() || !std::filesystem::is_regular_file(a.scenario)) throw;
            throw UsageError(std::string(e.what()) +
                             " (the file as written: --set changes a file that loads on its own)");
        }
        overrides = parse_overrides(a.sets);
        print_spec_warnings(scenario, a.variant, overrides);
        settings.seed = a.seed;
        settings.shuffle_ties = a.shuffle_ties;
        settings.buggify = a.buggify;
        source = {scenario.path, a.variant, overrides, "", ""};
    }
    if (!a.time_max.empty()) settings.time_max = parse_time_max(a.time_max);
    if (a.events_max != 0) settings.events_max = a.events_max;
    // The command that runs it again, with an event limit (0: none): an interrupted run's is the
    // events it ran, which is what reproduces its trace hash.
    const std::string file_repro = settings.repro;
    auto repro_with = [&](std::uint64_t events_max) {
        if (is_run_file(a.scenario)) {  // the file's own limits, replaced: part of the run to reproduce
            std::string cmd = file_repro;
            if (!a.time_max.empty()) cmd += " --time-max " + sim::format_value(*settings.time_max);
            if (events_max != 0) cmd += " --events-max " + std::to_string(events_max);
            return cmd;
        }
        // The same command line as fuzzing's artifacts print (one quoting, one order).
        explore::RunSpec spec;
        spec.scenario = explore::scenario_ref(a.scenario, a.variant);
        spec.seed = a.seed;
        spec.overrides = overrides;
        spec.shuffle_ties = a.shuffle_ties;
        spec.buggify = a.buggify;
        spec.time_max = settings.time_max;
        if (events_max != 0) spec.events_max = events_max;
        return explore::run_command(spec).value_or("");
    };
    settings.repro = repro_with(a.events_max);
    source.repro = settings.repro;
    source.summary = scenario.info->summary;
    if (!source.file.empty() &&
        std::any_of(overrides.begin(), overrides.end(), [](const Override& o) { return o.path == "description"; })) {
        try {  // --set description=...: the run's own, as its report and result say it
            source.summary = summary_of(load_spec(source.file, a.variant, overrides).description);
        } catch (const SpecError&) {
            // the run reports what is wrong with the settings
        }
    }

    // No output may overwrite what the run reads: its scenario file, or the artifact.
    RunOutputs outputs(a.report,
                       {{"--trace", a.trace},
                        input_file(is_run_file(a.scenario) ? "the artifact" : "the scenario file", a.scenario),
                        input_file("the scenario file", source.file)});
    // Flags that must match the world, and the world itself (a --set the file refuses), before
    // the trace file is opened: a refused run must not empty the trace of an earlier one.
    std::string error;
    if ((outputs.checks_run() || !a.trace.empty()) &&
        !inspect_world(
            *scenario.info, overrides, settings, [&](sim::Simulator& sim) { outputs.check_run(sim.options()); }, error))
        throw UsageError(scenario_error(a, *scenario.info, error));
    TraceOutput trace(a.trace, a.trace_kernel);
    if (trace.file()) settings.sink = trace.file();
    settings.sink = outputs.sink(settings.sink);

    // Ctrl-C or SIGTERM ends the run at its next instant of virtual time, with the verdict
    // "interrupted"; what ran is shown and written as any run's. A second one ends the program.
    explore::StopSignals stop_signals(true);
    settings.interrupt = &explore::stop_signal;
    const auto start = std::chrono::steady_clock::now();  // wall time, for the report only
    std::optional<ScenarioRun> run;
    std::optional<DeterminismReport> determinism;
    if (a.check_determinism) {
        determinism = check_determinism(*scenario.info, overrides, settings, error);
        if (determinism) run = determinism->run;
    } else {
        run = run_scenario(*scenario.info, overrides, settings, error);
    }
    const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const int interrupted_by = explore::stop_signal;
    stop_signals.restore();  // from here a signal ends the program, as it would any other
    if (!run) throw UsageError(scenario_error(a, *scenario.info, error));
    if (settings.buggify && run->result.buggify_sites == 0)
        print_warnings({std::string("--buggify armed nothing: the run reached no buggify() site (") +
                        explore::buggify_nowhere + ")"});
    if (run->result.verdict == sim::Verdict::interrupted) {
        run->result.runaway_reason = "interrupted by " + explore::signal_name(interrupted_by);
        // `--seed N` alone runs to the end, another hash: the events that ran give this one.
        settings.repro = source.repro = repro_with(run->result.events);
    }
    // A file that cannot be written does not cost the verdict: it is shown first, then what failed.
    std::vector<std::string> errors;
    if (auto e = trace.close()) errors.push_back(*e);
    for (std::string& e : outputs.write(*run, source)) errors.push_back(std::move(e));

    RunDisplay display{scenario.info,  &*run,         wall_ms, settings.repro, determinism ? &*determinism : nullptr,
                       interrupted_by, source.summary};
    if (a.json) std::cout << json_summary(display).dump() << "\n";
    else std::cout << human_summary(display);
    if (auto e = stdout_error()) errors.push_back(*e);
    throw_errors(errors);
    return exit_code_for(display);
}

}  // namespace

void add_run_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<RunArgs>();
    const std::string& self = explore::program_name();
    auto* sub = app.add_subcommand("run", "Run one scenario on one seed and print its verdict");
    sub->add_option("scenario", args->scenario,
                    "Scenario: a name (see '" + self + " list'), a scenario file, or a regression file or failure "
                    "artifact (FILE.json, from '" + self + " shrink' or '" + self + " fuzz')")
        ->required();
    sub->add_option("--seed", args->seed, "Root seed: the same seed reproduces the run bit for bit")->default_val(1)->transform(seed_range());
    sub->add_option("--variant", args->variant, "A scenario file's other design (see '" + self + " list')");
    sub->add_option("--set", args->sets,
                    "Override an option: --set path=value (repeatable; '" + self + " list --options')");
    auto* trace = sub->add_option(
        "--trace", args->trace,
        "Write every trace event to FILE as JSON Lines (FILE.ftrace: the compact binary form, read with '" + self +
            " trace')");
    sub->add_flag("--trace-kernel", args->trace_kernel, "Include kernel dispatches (every process resume) in --trace")
        ->needs(trace);  // alone it would change nothing, silently
    sub->add_flag("--check-determinism", args->check_determinism,
                  "Run the seed twice and compare the traces; name the first divergent event if they differ");
    sub->add_flag("--json", args->json, "Print one JSON object instead of the human summary");
    sub->add_option("--time-max", args->time_max, "Virtual time limit (e.g. 10m); passing it ends the run as 'runaway'");
    sub->add_option("--events-max", args->events_max, "Event limit; passing it ends the run as 'runaway'")
        ->transform(decimal_u64("an event limit", 1, "N"));  // 0 would mean "not given", silently
    sub->add_flag("--shuffle-ties", args->shuffle_ties, "Order same-time events by a seeded random priority");
    sub->add_flag("--buggify", args->buggify, "Arm buggify() fault points (which ones, from the seed)");
    args->report.add_to(*sub);
    sub->callback([&cmd, args, sub] {
        args->run_settings_given =
            sub->count("--seed") + sub->count("--set") + sub->count("--shuffle-ties") + sub->count("--buggify") > 0;
        cmd.run = [args] { return execute(*args); };
    });
}

}  // namespace faultline::cli
