// `faultline shrink ARTIFACT`: cut a failure down to a small regression file that still fails
// with the same signature (fewer faults, shorter windows, smaller options, a shorter run), and,
// for scenario files, the same regression as a plain scenario file with an explicit timeline.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common.hpp"
#include "explore/json.hpp"
#include "explore/regression_yaml.hpp"
#include "explore/replay.hpp"
#include "explore/shrink.hpp"
#include "explore/workers.hpp"
#include "report_output.hpp"

namespace faultline::cli {

namespace {

struct ShrinkArgs {
    std::string artifact;
    std::string out;
    std::size_t runs_max = 500;
    std::string timeout = "60s";
};

// The regression as a plain scenario file next to the JSON one, checked to fail the same way.
void write_scenario_file(const explore::Artifact& regression, const std::string& json_path, const std::string& exe,
                         std::chrono::milliseconds timeout) {
    std::string why_not;
    const std::optional<std::string> yaml = explore::regression_yaml(regression, why_not);
    if (!yaml) {
        std::printf("            (no scenario file: %s)\n", why_not.c_str());
        return;
    }
    const std::string path = explore::regression_yaml_path(json_path);
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << *yaml;
        if (!f) throw UsageError(path + ": cannot write the scenario file");
    }
    explore::RunSpec check;
    check.scenario = explore::scenario_ref(path);
    check.seed = regression.spec.seed;
    check.shuffle_ties = regression.spec.shuffle_ties;
    check.buggify = regression.spec.buggify;
    const explore::Outcome o = explore::run_in_worker(exe, check, timeout);
    const bool same = o.signature == regression.expected.signature;
    std::printf("wrote       %s (%s)\nrun it:     %s run %s%s\n", path.c_str(),
                same ? "checked: fails the same way"
                     : ("WARNING: it ran as " + std::string(explore::to_string(o.verdict)) +
                        (o.signature.empty() ? "" : ", " + o.signature) + "; keep the JSON file")
                           .c_str(),
                explore::program_name().c_str(), path.c_str(), explore::regression_run_flags(check).c_str());
}

int execute(const ShrinkArgs& a) {
    check_output_path(a.out, flag_as_typed("-o", "--out"));
    std::string made_elsewhere;  // added to an error: the artifact's scenario may be another program's
    try {
        const explore::Artifact failing = explore::load_artifact(a.artifact);
        made_elsewhere = explore::made_by_another_program(failing, "shrink");
        const std::chrono::milliseconds timeout = parse_wall_limit("--timeout", a.timeout);
        std::string out = a.out;
        std::string where;  // said after the file's name when it is not beside the artifact
        if (out.empty()) {
            // Beside the artifact, unless that is a fuzzing job's artifacts directory (its files
            // are the job's): then in the current directory.
            std::filesystem::path p(a.artifact);
            out = (p.parent_path() / (p.stem().string() + ".shrunk.json")).string();
            if (explore::enclosing_job_file(out)) {
                out = p.stem().string() + ".shrunk.json";
                where = " (in the current directory: not beside the artifact, among a fuzzing job's own files)";
            }
        }
        // Neither file written may overwrite what shrink reads: the artifact, its scenario file.
        const std::string out_name = a.out.empty() ? "the regression file" : flag_as_typed("-o", "--out");
        if (same_file(out, explore::regression_yaml_path(out))) {
            throw UsageError(out_name + " " + out +
                             ": the regression is written as JSON, and its scenario file beside it as " +
                             explore::regression_yaml_path(out) + "; name it FILE.json");
        }
        check_output_files(
            {{out_name, out},
             {"the regression's scenario file", explore::regression_yaml_path(out)},
             input_file("the artifact", a.artifact),
             input_file("the artifact's scenario file", explore::scenario_file(failing.spec.scenario).value_or(""))});
        check_not_scenario_path(out, out_name, failing.spec.scenario);
        check_not_scenario_path(explore::regression_yaml_path(out), "the regression's scenario file",
                                failing.spec.scenario);
        try {
            const explore::LoadedScenarioRef loaded = explore::load_scenario(failing.spec.scenario);
            if (auto changed = explore::scenario_change(failing, loaded, explore::effective_options(failing.spec))) {
                std::printf("note        %s: shrinking against it as it is now\n", changed->c_str());
            }
        } catch (const explore::InputError&) {  // the first run says what is wrong with it
        }
        // (Faults a dead worker did not record are worked out by shrink's first step, which says so.)
        const std::size_t faults =
            failing.spec.fault_plan ? failing.spec.fault_plan->size() : failing.recorded_plan.size();
        const std::string count = explore::faults_recorded(failing)
                                      ? std::to_string(faults) + (faults == 1 ? " fault" : " faults")
                                      : std::string("its faults not recorded");
        std::printf("shrinking   %s: %s (seed %llu, %s)\n", a.artifact.c_str(), failing.expected.signature.c_str(),
                    static_cast<unsigned long long>(failing.spec.seed), count.c_str());
        std::fflush(stdout);
        const std::string exe = explore::self_exe();
        explore::ShrinkOptions options;
        options.runs_max = a.runs_max;
        options.log = [](const std::string& step) {
            std::printf("            %s\n", step.c_str());
            std::fflush(stdout);
        };
        const explore::ShrinkResult r = explore::shrink(
            failing, [&](const explore::RunSpec& spec) { return explore::run_in_worker(exe, spec, timeout); }, options);
        explore::save_artifact(out, r.regression);
        std::printf("result      %zu -> %zu faults in %zu runs%s\n", r.faults_before, r.faults_after, r.runs,
                    r.budget_exhausted ? " (stopped at --runs-max: maybe not minimal)" : "");
        for (const sim::PlannedFault& f : *r.regression.spec.fault_plan)
            std::printf("            %s\n", sim::describe(f).c_str());
        std::printf("wrote       %s%s\nrun it:     %s run %s\n", out.c_str(), where.c_str(),
                    explore::program_name().c_str(), out.c_str());
        write_scenario_file(r.regression, out, exe, timeout);
        return exit_pass;
    } catch (const explore::WorkerStartError& e) {  // the executable, not the artifact
        throw UsageError(e.what());
    } catch (const explore::InputError& e) {
        throw file_error(a.artifact, e.what() + made_elsewhere);
    }
}

}  // namespace

void add_shrink_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<ShrinkArgs>();
    auto* sub = app.add_subcommand(
        "shrink", "Shrink a failure artifact to a small regression file that still fails the same way");
    sub->add_option("artifact", args->artifact, "A failure artifact (from fuzz)")->required();
    sub->add_option("--out,-o", args->out,
                    "The regression file to write (default: beside the artifact, its name with .shrunk.json "
                    "for .json; in the current directory for an artifact in a fuzzing job's artifacts/, which "
                    "are the job's)");
    sub->add_option("--runs-max", args->runs_max, "At most this many candidate runs")
        ->transform(decimal_u64("a run limit", 1, "N"))
        ->default_val(500);
    sub->add_option("--timeout", args->timeout, "Wall-clock limit per candidate run")->default_str("60s");
    sub->callback([&cmd, args] { cmd.run = [args] { return execute(*args); }; });
}

}  // namespace faultline::cli
