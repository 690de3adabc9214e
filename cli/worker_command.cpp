// `faultline worker --spec JSON`: the hidden subcommand `fuzz` and `shrink` start for each run.
// It runs one spec in this process and prints one JSON line: the outcome (verdict, signature,
// trace hash, injected fault plan, effective options). If the run crashes or spins, this
// process dies or is killed, and the parent records that instead.
#include <iostream>
#include <iterator>

#include "common.hpp"
#include "explore/outcome.hpp"

namespace faultline::cli {

void add_worker_command(CLI::App& app, Command& cmd) {
    auto spec_text = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("worker", "Run one spec (JSON) and print its outcome (used by fuzz and shrink)");
    sub->group("");  // hidden from --help
    sub->add_option("--spec", *spec_text, "The run, as JSON; '-' reads it from stdin")->required();
    sub->callback([&cmd, spec_text] {
        cmd.run = [spec_text] {
            try {
                const explore::RunSpec spec = read_spec_argument(*spec_text);
                const explore::Outcome o = explore::execute(spec);
                std::cout << explore::outcome_to_json(o).dump() << "\n" << std::flush;
                return exit_pass;
            } catch (const explore::InputError& e) {
                throw UsageError(e.what());
            }
        };
    });
}

}  // namespace faultline::cli
