// `faultline list [SCENARIO]`: the scenarios, and with --options each one's options and values; with
// --kinds the model kinds a program registered for scenario files (`models:`); with --keys every
// key of the scenario language.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "common.hpp"
#include "faultline/key_reference.hpp"
#include "faultline/model_kind.hpp"
#include "faultline/scenario_file.hpp"

namespace faultline::cli {

namespace {

void print_keys(bool markdown) {
    ScenarioSpec spec;
    if (markdown) std::printf("| key | type | default | meaning |\n|---|---|---|---|\n");
    for (const KeyInfo& k : list_keys(spec)) {
        if (markdown) {
            std::printf("| `%s` | %s | %s | %s |\n", k.path.c_str(), k.type.c_str(), k.value.empty() ? "" : ("`" + k.value + "`").c_str(),
                        k.help.c_str());
        } else {
            std::printf("%-50s %-24s %-12s %s\n", k.path.c_str(), k.type.c_str(), k.value.empty() ? "-" : k.value.c_str(), k.help.c_str());
        }
    }
}

void print_kinds() {
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
}

void print_options(const ScenarioInfo& info) {
    for (const FieldInfo& f : info.options()) {
        std::printf("    --set %-44s %-14s %s\n", (f.path + "=").c_str(), f.value.empty() ? "(unset)" : f.value.c_str(), f.help.c_str());
    }
}

// In the whole list a file that does not load is shown as such; asked for alone, its error is the
// answer (exit 2).
void print_file_scenario(const std::string& name, const std::string& path, bool options, bool alone) {
    try {
        LoadedScenario loaded = load_scenario_file(path);
        std::printf("  %-26s %s\n", name.c_str(), loaded.info->summary.c_str());
        std::size_t width = 17;
        for (const auto& [v, spec] : loaded.spec.variants) width = std::max(width, v.size());
        for (const auto& [v, spec] : loaded.spec.variants) {
            std::printf("    --variant %-*s %s\n", static_cast<int>(width), v.c_str(), spec.description.c_str());
        }
        if (options) print_options(*loaded.info);
    } catch (const SpecError& e) {
        if (alone) throw UsageError(e.what());
        std::printf("  %-26s (does not load: %s)\n", name.c_str(), e.what());
    }
}

int list(const std::string& only, bool options) {
    if (!only.empty()) {
        // One scenario, looked for in run's order: a built-in, a library name, a file (a file or a
        // directory named like a built-in in the current directory is not the one run runs).
        if (const ScenarioInfo* s = builtin_scenarios().find(only)) {
            std::printf("  %-26s %s\n", s->name.c_str(), s->summary.c_str());
            if (options) print_options(*s);
        } else if (auto path = library_scenario_path(only)) {
            print_file_scenario(only, *path, options, true);
        } else if (std::filesystem::exists(only)) {
            print_file_scenario(only, only, options, true);
        } else {
            std::vector<std::string> names = library_scenarios();
            for (const ScenarioInfo& s : builtin_scenarios().all()) names.push_back(s.name);
            std::string msg = "no scenario '" + only + "'";
            msg += did_you_mean_or(only, names, "");
            throw UsageError(msg);
        }
        return exit_pass;
    }
    std::printf("Scenario library (%s):\n", scenario_library_dir().c_str());
    for (const std::string& name : library_scenarios())
        print_file_scenario(name, *library_scenario_path(name), options, false);
    std::printf("\nBuilt in:\n");
    for (const ScenarioInfo& s : builtin_scenarios().all()) {
        std::printf("  %-26s %s\n", s.name.c_str(), s.summary.c_str());
        if (options) print_options(s);
    }
    return exit_pass;
}

}  // namespace

void add_list_command(CLI::App& app, Command& cmd) {
    auto* sub = app.add_subcommand("list", "List the scenarios faultline can run");
    auto show_options = std::make_shared<bool>(false);
    auto show_kinds = std::make_shared<bool>(false);
    auto show_keys = std::make_shared<bool>(false);
    auto markdown = std::make_shared<bool>(false);
    auto only = std::make_shared<std::string>();
    sub->add_option("scenario", *only, "Only this scenario (a library name, a built-in or a .yaml file)");
    sub->add_flag("--options", *show_options, "Also list each scenario's options: the paths --set, compare and sweep take");
    sub->add_flag("--kinds", *show_kinds, "List the model kinds scenario files may use under `models:`, with their options");
    sub->add_flag("--keys", *show_keys, "List every key a scenario file may hold, with its type, default and meaning");
    sub->add_flag("--markdown", *markdown, "With --keys: a Markdown table (docs/scenario-language.md's reference)");
    sub->callback([&cmd, show_options, show_kinds, show_keys, markdown, only] {
        cmd.run = [show_options, show_kinds, show_keys, markdown, only] {
            if (*markdown && !*show_keys)
                throw UsageError("--markdown goes with --keys (the keys' reference as a Markdown table)");
            // --keys and --kinds list what every scenario file may hold: a scenario or --options
            // with them would be dropped without a word.
            if (*show_keys && *show_kinds) throw UsageError("--keys and --kinds are two lists: give one of them");
            for (const auto& [given, flag] : {std::pair{*show_keys, "--keys"}, std::pair{*show_kinds, "--kinds"}}) {
                if (!given) continue;
                if (!only->empty())
                    throw UsageError(std::string(flag) +
                                     " lists what any scenario file may hold, not one scenario's ('" + *only +
                                     "'): for its options, 'list " + *only + " --options'");
                if (*show_options)
                    throw UsageError(std::string(flag) + " and --options are two lists: give one of them");
            }
            if (*show_keys) {
                print_keys(*markdown);
                return exit_pass;
            }
            if (*show_kinds) {
                print_kinds();
                return exit_pass;
            }
            return list(*only, *show_options);
        };
    });
}

}  // namespace faultline::cli
