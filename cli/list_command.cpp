// `faultline list`: the scenarios, and with --options each one's options and defaults; with
// --kinds the model kinds a program registered for scenario files (`models:`); with --keys every
// key of the scenario language.
#include <algorithm>
#include <cstdio>

#include "common.hpp"
#include "faultline/key_reference.hpp"
#include "faultline/model_kind.hpp"
#include "faultline/scenario_file.hpp"

namespace faultline::cli {

void add_list_command(CLI::App& app, Command& cmd) {
    auto* sub = app.add_subcommand("list", "List the scenarios faultline can run");
    auto show_options = std::make_shared<bool>(false);
    auto show_kinds = std::make_shared<bool>(false);
    auto show_keys = std::make_shared<bool>(false);
    auto markdown = std::make_shared<bool>(false);
    sub->add_flag("--options", *show_options, "Also list each scenario's options (for --set) and defaults");
    sub->add_flag("--kinds", *show_kinds, "List the model kinds scenario files may use under `models:`, with their options");
    sub->add_flag("--keys", *show_keys, "List every key a scenario file may hold, with its type, default and meaning");
    sub->add_flag("--markdown", *markdown, "With --keys: a Markdown table (docs/scenario-language.md's reference)");
    sub->callback([&cmd, show_options, show_kinds, show_keys, markdown] {
        cmd.run = [show_options, show_kinds, show_keys, markdown] {
            if (*show_keys) {
                ScenarioSpec spec;
                if (*markdown) std::printf("| key | type | default | meaning |\n|---|---|---|---|\n");
                for (const KeyInfo& k : list_keys(spec)) {
                    if (*markdown) {
                        std::printf("| `%s` | %s | %s | %s |\n", k.path.c_str(), k.type.c_str(),
                                    k.value.empty() ? "" : ("`" + k.value + "`").c_str(), k.help.c_str());
                    } else {
                        std::printf("%-50s %-24s %-12s %s\n", k.path.c_str(), k.type.c_str(), k.value.empty() ? "-" : k.value.c_str(),
                                    k.help.c_str());
                    }
                }
                return exit_pass;
            }
            if (*show_kinds) {
                const auto names = model_kind_names();
                if (names.empty()) std::printf("No model kinds registered (a C++ program adds them: docs/scenario-language.md).\n");
                for (const std::string& name : names) {
                    const ModelKind* kind = find_model_kind(name);
                    std::printf("  %-26s %s\n", name.c_str(), kind->description.c_str());
                    const auto defaults = kind->defaults();
                    for (const FieldInfo& f : kind->list(defaults.get())) {
                        std::printf("    %-28s default %-12s %s\n", (f.path + ":").c_str(), f.value.c_str(), f.help.c_str());
                    }
                }
                return exit_pass;
            }
            std::printf("Scenario library (%s):\n", scenario_library_dir().c_str());
            for (const std::string& name : library_scenarios()) {
                try {
                    LoadedScenario loaded = load_scenario_file(*library_scenario_path(name));
                    std::printf("  %-26s %s\n", name.c_str(), loaded.info->summary.c_str());
                    std::size_t width = 17;
                    for (const auto& [v, spec] : loaded.spec.variants) width = std::max(width, v.size());
                    for (const auto& [v, spec] : loaded.spec.variants) {
                        std::printf("    --variant %-*s %s\n", static_cast<int>(width), v.c_str(), spec.description.c_str());
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
