#include "common.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "faultline/scenario_file.hpp"

namespace faultline::cli {

explore::RunSpec read_spec_argument(const std::string& argument) {
    std::string text = argument;
    if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    explore::Json j;
    try {
        j = explore::Json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
        throw UsageError("--spec: not valid JSON");
    }
    try {
        return explore::spec_from_json(explore::JsonReader("--spec", j));
    } catch (const explore::InputError& e) {
        throw UsageError(e.what());
    }
}


std::unique_ptr<sim::TraceFile> open_trace(const std::string& path, bool kernel_records) {
    if (path.empty()) return nullptr;
    check_output_path(path, "--trace");  // as every output file: spdlog would create a missing directory
    try {
        return sim::open_trace_file(path, kernel_records);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

ResolvedScenario resolve_scenario(const std::string& arg, const std::string& variant) {
    ResolvedScenario out;
    out.info = builtin_scenarios().find(arg);
    if (out.info) {
        if (!variant.empty()) throw UsageError("scenario '" + arg + "' is built in and has no variants");
        return out;
    }
    std::optional<std::string> path = library_scenario_path(arg);
    std::error_code ec;
    if (!path && std::filesystem::is_regular_file(arg, ec)) path = arg;
    if (path) {
        try {
            LoadedScenario loaded = load_scenario_file(*path, variant);
            out.owned = loaded.info;
            out.info = out.owned.get();
            out.path = *path;
            out.content_hash = loaded.content_hash;
            return out;
        } catch (const SpecError& e) {
            throw UsageError(e.what());
        }
    }
    std::vector<std::string> names = builtin_scenarios().names();
    for (const std::string& n : library_scenarios()) names.push_back(n);
    std::string msg = "unknown scenario '" + arg + "'";
    if (std::filesystem::is_directory(arg, ec)) msg = "'" + arg + "' is a directory, not a scenario file";
    else if (arg.size() > 5 && (arg.ends_with(".yaml") || arg.ends_with(".yml"))) msg = "no scenario file '" + arg + "'";
    else if (auto near = nearest(arg, names)) msg += " (did you mean '" + *near + "'?)";
    throw UsageError(msg + "; 'faultline list' shows the scenarios");
}

void print_warnings(const std::vector<std::string>& warnings) {
    for (const std::string& w : warnings) std::fprintf(stderr, "faultline: warning: %s\n", w.c_str());
}

void print_spec_warnings(const ResolvedScenario& scenario, const std::string& variant, const std::vector<Override>& overrides) {
    if (scenario.path.empty()) return;
    try {
        print_warnings(spec_warnings(load_spec(scenario.path, variant, overrides)));
    } catch (const SpecError&) {
        // A bad override: the run reports it, as one error, when it builds the scenario.
    }
}

std::vector<Override> parse_overrides(const std::vector<std::string>& sets) {
    std::vector<Override> out;
    for (const std::string& s : sets) {
        std::size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError("--set expects path=value, got '" + s + "'");
        out.push_back({s.substr(0, eq), s.substr(eq + 1)});
    }
    return out;
}

void check_output_path(const std::string& path, const std::string& flag) {
    if (path.empty()) return;
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::absolute(path, ec).parent_path();
    if (ec || !std::filesystem::is_directory(parent, ec))
        throw UsageError(flag + " " + path + ": no directory " + parent.string());
    if (std::filesystem::is_directory(path, ec))
        throw UsageError(flag + " " + path + ": is a directory; give a file name");
}

UsageError file_error(const std::string& file, const std::string& what) {
    return UsageError(what.rfind(file + ":", 0) == 0 ? what : file + ": " + what);
}

sim::Duration parse_duration_flag(const std::string& flag, const std::string& text) {
    sim::Duration d{};
    if (auto e = parse_value(text, d)) throw UsageError(flag + ": '" + text + "': " + *e);
    return d;
}

std::chrono::milliseconds parse_wall_limit(const std::string& flag, const std::string& text) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(parse_duration_flag(flag, text));
    if (ms.count() <= 0) throw UsageError(flag + " " + text + ": must be at least 1ms");
    return ms;
}

}  // namespace faultline::cli
