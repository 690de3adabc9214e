// `faultline list`: the scenarios, and with --options each one's options and defaults.
#include <cstdio>

#include "common.hpp"
#include "faultline/scenario_file.hpp"

namespace faultline::cli {

void add_list_command(CLI::App& app, Command& cmd) {
    auto* sub = app.add_subcommand("list", "List the scenarios faultline can run");
    auto show_options = std::make_shared<bool>(false);
    sub->add_flag("--options", *show_options, "Also list each scenario's options (for --set) and defaults");
    sub->callback([&cmd, show_options] {
        cmd.run = [show_options] {
            std::printf("Scenario library (%s):\n", scenario_library_dir().c_str());
            for (const std::string& name : library_scenarios()) {
                try {
                    LoadedScenario loaded = load_scenario_file(*library_scenario_path(name));
                    std::printf("  %-26s %s\n", name.c_str(), loaded.info->summary.c_str());
                    for (const auto& [v, spec] : loaded.spec.variants) {
                        std::printf("    --variant %-17s %s\n", v.c_str(), spec.description.c_str());
                    }
                } catch (const SpecError& e) {
                    std::printf("  %-26s (does not load: %s)\n", name.c_str(), e.what());
                }
            }
            std::printf("\nBuilt in:\n");
            for (const ScenarioInfo& s : builtin_scenarios().all()) {
                std::printf("  %-26s %s\n", s.name.c_str(), s.summary.c_str());
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
