// The faultline command line: every subcommand registered, arguments parsed, errors turned into
// exit codes (0 pass, 1 an invariant or assertion failed, 2 bad usage or input, 3 internal
// error). Errors are one clear line, never a stack dump.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "common.hpp"
#include "faultline/cli.hpp"

namespace faultline::cli {

namespace {
// For `--durtion 10s` or `--lambda=2`: the nearest setting of the scenario named on the command
// line, which `--set PATH=VALUE` changes. Nothing when no argument names a scenario.
std::optional<std::string> nearest_setting(std::string name, int argc, char** argv) {
    std::replace(name.begin(), name.end(), '-', '_');
    for (int i = 2; i < argc; ++i) {
        if (argv[i][0] == '-') continue;
        try {
            ResolvedScenario r = resolve_scenario(argv[i]);
            std::vector<std::string> paths;
            for (const FieldInfo& f : r.info->options()) paths.push_back(f.path);
            if (std::find(paths.begin(), paths.end(), name) != paths.end()) return name;
            return nearest(name, paths);
        } catch (const std::exception&) {
            // not a scenario (an option's value): try the next argument
        }
    }
    return std::nullopt;
}

// A command's (or the program's) option names as typed: "--seed" for long names, "-j" for short.
std::vector<std::string> option_names(const CLI::App& app, bool long_names) {
    std::vector<std::string> out;
    for (const CLI::Option* o : app.get_options()) {
        for (const std::string& n : long_names ? o->get_lnames() : o->get_snames())
            out.push_back((long_names ? "--" : "-") + n);
    }
    return out;
}

// The command argv[1] names, or null.
CLI::App* command_named(CLI::App& app, const char* name) {
    try {
        return app.get_subcommand(name);
    } catch (const CLI::OptionNotFound&) {
        return nullptr;
    }
}

// "-jobs 2" for "--jobs 2": CLI11 reads it as '-j' with the value "obs" when the command has a
// '-j', and says "Value obs not in range". A single dash before a name that is one of the
// command's long options is that slip, said as one.
std::optional<std::string> one_dash_long_option(CLI::App& app, int argc, char** argv) {
    CLI::App* sub = command_named(app, argv[1]);
    if (sub == nullptr) return std::nullopt;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") break;
        if (arg.size() < 3 || arg[0] != '-' || arg[1] == '-') continue;
        const std::string name = arg.substr(0, arg.find('='));  // "-jobs"
        const std::vector<std::string> known = option_names(*sub, true);
        if (std::find(known.begin(), known.end(), "-" + name) != known.end())
            return "unknown option '" + name + "' for '" + argv[1] + "' (did you mean '-" + name + "'?)";
    }
    return std::nullopt;
}

// "unknown option '--seeed' for 'run' (did you mean '--seed'?)" for the first option on the
// command line that `command` does not have; nullopt when there is none (another extra argument).
std::optional<std::string> unknown_option(CLI::App& app, int argc, char** argv) {
    CLI::App* sub = command_named(app, argv[1]);
    if (sub == nullptr) return std::nullopt;
    const std::vector<std::string> known = option_names(*sub, true), known_short = option_names(*sub, false);
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-' && !std::isdigit(static_cast<unsigned char>(arg[1]))) {
            // '-seed 1' (one dash for a long name) or an unknown short option: CLI11 would say
            // "The following arguments were not expected: 1 -seed".
            const std::string name = arg.substr(0, arg.find('='));
            if (std::find(known_short.begin(), known_short.end(), name) != known_short.end()) continue;
            std::string msg = "unknown option '" + name + "' for '" + argv[1] + "'";
            if (std::find(known.begin(), known.end(), "-" + name) != known.end())
                msg += " (did you mean '-" + name + "'?)";
            return msg;
        }
        if (!arg.starts_with("--")) continue;
        const std::string name = arg.substr(0, arg.find('='));
        if (std::find(known.begin(), known.end(), name) != known.end()) continue;
        std::string msg = "unknown option '" + name + "' for '" + argv[1] + "'";
        if (auto near = nearest(name, known)) {
            msg += " (did you mean '" + *near + "'?)";
        } else if (std::find(known.begin(), known.end(), "--set") != known.end()) {
            // '--duration 10s', '--durtion=10s': a scenario setting written as an option.
            if (auto key = nearest_setting(name.substr(2), argc, argv)) {
                std::string value = arg.find('=') != std::string::npos ? arg.substr(arg.find('=') + 1)
                                    : i + 1 < argc && argv[i + 1][0] != '-' ? std::string(argv[i + 1])
                                                                            : "VALUE";
                msg += " (to change the scenario's " + *key + ": --set " + *key + "=" + value + ")";
            }
        }
        return msg;
    }
    return std::nullopt;
}
// CLI11's wording of a missing value, in ours: "--seed: 1 required UINT:SEED missing" is "--seed
// needs a value". (Stray arguments are named from the command's remaining() where they are caught.)
std::string plain_parse_error(const std::string& what) {
    static const std::regex missing(R"(^(-[^:]+): \d+ required .* missing$)");
    std::smatch m;
    if (std::regex_match(what, m, missing)) return m[1].str() + " needs a value";
    static const std::regex repeated(R"(^(-[^:]+): At Most 1 required but received (\d+)$)");
    if (std::regex_match(what, m, repeated)) return m[1].str() + " given " + m[2].str() + " times (it takes one value)";
    static const std::regex range(R"(^(-[^:]+): Value (.*) not in range (.*) to (.*)$)");
    if (std::regex_match(what, m, range))
        return m[1].str() + ": '" + m[2].str() + "': must be from " + m[3].str() + " to " + m[4].str();
    return what;
}
}  // namespace

int run(int argc, char** argv) {
    // Every command line printed from here on (help, reproduce, replay) names this program.
    explore::set_program_name(argc > 0 ? argv[0] : nullptr);
    remember_arguments(argc, argv);
    const std::string& self = explore::program_name();
    CLI::App app{
        "faultline: deterministic simulation testing. Runs models of services, networks, caches,\n"
        "databases and retrying clients under injected failures, reproducibly from a seed.\n\n"
        "Start with:  " + self + " list            (what can run)\n"
        "             " + self + " run mm1 --seed 1\n",
        self};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every subcommand");
    // The build an artifact names ("made by faultline 0.1.0 build 8f24f142dad3"), to compare.
    app.set_version_flag("--version", self + " " + explore::version() + " build " + explore::build_id(),
                         "Print the version and the build (the commit it was built from) and exit");
    Command cmd;
    add_list_command(app, cmd);
    add_run_command(app, cmd);
    add_trace_command(app, cmd);
    add_fuzz_command(app, cmd);
    add_replay_command(app, cmd);
    add_shrink_command(app, cmd);
    add_merge_command(app, cmd);
    add_worker_command(app, cmd);
    add_compare_command(app, cmd);
    add_sweep_command(app, cmd);
    add_report_command(app, cmd);
    add_report_worker_command(app, cmd);
    // An option given an empty value ('--stop-at ""', a shell variable that was not set) is an
    // error, not the option left out: every command reads an empty string as "not given".
    const CLI::Validator not_empty(
        [](const std::string& v) { return v.empty() ? std::string("an empty value (was a shell variable unset?)") : std::string(); },
        "", "NOT_EMPTY");
    for (CLI::App* sub : app.get_subcommands({})) {
        for (CLI::Option* o : sub->get_options()) {
            if (o->get_type_size() != 0) o->check(not_empty);
        }
    }
    if (argc == 1) {  // no command at all: what there is, rather than "a subcommand is required"
        std::fputs(app.help().c_str(), stdout);
        return exit_usage;
    }
    if (argc > 1 && argv[1][0] == '-') {
        // An option before any command: the program's own (--help, --version) or a mistake, said
        // as one, rather than CLI11's "A subcommand is required".
        std::vector<std::string> known = option_names(app, true);
        for (std::string& n : option_names(app, false)) known.push_back(std::move(n));
        const std::string arg = argv[1];
        const std::string name = arg.substr(0, arg.find('='));
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string msg =
                "unknown option '" + name + "' (an option goes after its command: '" + self + " run --seed 3 ...')";
            // Only a long name is near another by its spelling ('-j' is not a slip for '-h'); a
            // letter is a slip for the program's option it begins ('-V', '-v': '--version').
            std::optional<std::string> near = name.starts_with("--") ? nearest(name, known) : std::nullopt;
            if (name.size() == 2 && name[0] == '-') {
                for (const std::string& n : option_names(app, true)) {
                    if (std::tolower(static_cast<unsigned char>(n[2])) ==
                        std::tolower(static_cast<unsigned char>(name[1]))) {
                        near = n;
                        break;
                    }
                }
            }
            if (near) msg = "unknown option '" + name + "' (did you mean '" + *near + "'?)";
            if (name == "--")
                msg = "'--' before any command (the command comes first: '" + self + " run mm1 --seed 3')";
            std::fprintf(stderr, "faultline: error: %s; see '%s --help'\n", msg.c_str(), self.c_str());
            return exit_usage;
        }
    }
    if (argc > 1 && argv[1][0] != '-') {
        // A mistyped command: name it and suggest the nearest, rather than CLI11's generic message.
        const std::string word = argv[1];
        std::vector<std::string> names, visible;
        for (const CLI::App* sub : app.get_subcommands({})) {
            names.push_back(sub->get_name());
            if (!sub->get_group().empty()) visible.push_back(sub->get_name());
        }
        if (std::find(names.begin(), names.end(), word) == names.end()) {
            std::string msg = "unknown command '" + word + "'";
            msg += did_you_mean_or(word, visible, "");
            std::fprintf(stderr, "faultline: error: %s; see '%s --help'\n", msg.c_str(), self.c_str());
            return exit_usage;
        }
    }
    if (argc > 2 && argv[1][0] != '-') {
        if (auto slip = one_dash_long_option(app, argc, argv)) {
            std::fprintf(stderr, "faultline: error: %s; see '%s %s --help'\n", slip->c_str(), self.c_str(), argv[1]);
            return exit_usage;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string msg = plain_parse_error(e.what());
        if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
            // The stray arguments as given (CLI11's message lists them last first, split at spaces).
            std::vector<std::string> extra;
            for (const CLI::App* sub : app.get_subcommands({})) {
                if (sub->parsed())
                    for (const std::string& a : sub->remaining()) extra.push_back(a);
            }
            if (!extra.empty()) {
                msg = extra.size() == 1 ? "unexpected argument " : "unexpected arguments ";
                for (std::size_t i = 0; i < extra.size(); ++i) msg += (i == 0 ? "'" : " '") + extra[i] + "'";
            }
            if (auto unknown = unknown_option(app, argc, argv)) msg = *unknown;
        }
        // argv[1], when not an option, is a known command (checked above): its own help.
        const std::string help = self + (argc > 1 && argv[1][0] != '-' ? " " + std::string(argv[1]) : "") + " --help";
        std::fprintf(stderr, "faultline: error: %s; see '%s'\n", msg.c_str(), help.c_str());  // one line
        return exit_usage;
    }
    try {
        return cmd.run ? cmd.run() : exit_usage;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "faultline: error: %s\n", e.what());
        return exit_usage;
    } catch (const explore::WriteError& e) {
        std::fprintf(stderr, "faultline: error: %s\n", e.what());
        return exit_usage;
    } catch (const explore::InputError& e) {  // one a command did not word (a worker that cannot start)
        std::fprintf(stderr, "faultline: error: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "faultline: internal error: %s\n", e.what());
        return exit_internal;
    }
}

}  // namespace faultline::cli
