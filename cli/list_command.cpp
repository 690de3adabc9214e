// `faultline list`: the scenarios, and with --options each one's options and defaults.
#include <cstdio>

#include "common.hpp"

namespace faultline::cli {

void add_list_command(CLI::App& app, Command& cmd) {
    auto* sub = app.add_subcommand("list", "List the scenarios faultline can run");
    auto show_options = std::make_shared<bool>(false);
    sub->add_flag("--options", *show_options, "Also list each scenario's options (for --set) and defaults");
    sub->callback([&cmd, show_options] {
        cmd.run = [show_options] {
            for (const ScenarioInfo& s : builtin_scenarios().all()) {
                std::printf("%-26s %s\n", s.name.c_str(), s.summary.c_str());
                if (*show_options) {
                    for (const FieldInfo& f : s.options()) {
                        std::printf("    --set %-28s default %-12s %s\n", (f.path + "=").c_str(), f.value.c_str(), f.help.c_str());
                    }
                }
            }
            return exit_pass;
        };
    });
}

}  // namespace faultline::cli
