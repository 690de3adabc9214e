// `faultline report-worker --spec JSON [--summary]`: the hidden subcommand compare and sweep
// start for each run. It runs one spec in this process and prints one JSON line: the whole run
// record (for compare), or with --summary only its headline numbers (for a sweep cell).
#include <iostream>
#include <iterator>

#include "common.hpp"
#include "explore/spec.hpp"
#include "report/sweep.hpp"
#include "report_workers.hpp"

namespace faultline::cli {

void add_report_worker_command(CLI::App& app, Command& cmd) {
    auto spec_text = std::make_shared<std::string>();
    auto summary = std::make_shared<bool>(false);
    auto* sub =
        app.add_subcommand("report-worker", "Run one spec (JSON) and print its run record (used by compare and sweep)");
    sub->group("");  // hidden from --help
    sub->add_option("--spec", *spec_text, "The run, as JSON; '-' reads it from stdin")->required();
    sub->add_flag("--summary", *summary, "Print only the headline numbers");
    sub->callback([&cmd, spec_text, summary] {
        cmd.run = [spec_text, summary] {
            try {
                const explore::RunSpec spec = read_spec_argument(*spec_text);
                const explore::LoadedScenarioRef loaded = explore::load_scenario(spec.scenario);
                std::string error;
                const std::optional<ScenarioRun> run =
                    run_scenario(*loaded.info, explore::all_overrides(spec), explore::settings_for(spec), error);
                if (!run) throw UsageError("scenario '" + spec.scenario.text() + "': " + error);
                const report::RunRecord record = report::make_record(*run, record_source(spec));
                const report::Json out =
                    *summary ? report::cell_run_to_json(report::cell_run(record)) : report::record_to_json(record);
                std::cout << out.dump() << "\n" << std::flush;
                return exit_pass;
            } catch (const explore::InputError& e) {
                throw UsageError(e.what());
            }
        };
    });
}

}  // namespace faultline::cli
