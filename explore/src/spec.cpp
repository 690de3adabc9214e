#include "explore/spec.hpp"

#include <filesystem>

#include "explore/build_info.hpp"
#include "faultline/input_file.hpp"
#include "faultline/scenario_file.hpp"
#include "faultline/yaml_reader.hpp"
#include "sim/random.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

std::vector<Override> all_overrides(const RunSpec& spec) {
    std::vector<Override> out = spec.swarm;
    out.insert(out.end(), spec.overrides.begin(), spec.overrides.end());
    return out;
}

RunSettings settings_for(const RunSpec& spec) {
    RunSettings s;
    s.seed = spec.seed;
    s.time_max = spec.time_max;
    s.events_max = spec.events_max;
    s.duration = spec.duration;
    s.shuffle_ties = spec.shuffle_ties;
    s.buggify = spec.buggify;
    s.fault_plan = spec.fault_plan;
    if (auto cmd = run_command(spec)) s.repro = *cmd;
    return s;
}

ScenarioRef scenario_ref(const std::string& arg, const std::string& variant) {
    ScenarioRef ref;
    ref.variant = variant;
    const bool yaml = arg.size() > 5 && (arg.ends_with(".yaml") || arg.ends_with(".yml"));
    if (yaml || (arg.find('/') != std::string::npos && builtin_scenarios().find(arg) == nullptr)) {
        ref.path = std::filesystem::path(arg).lexically_normal().string();  // "./x.yaml" is "x.yaml"
        ref.absolute = std::filesystem::absolute(arg).lexically_normal().string();
        // The scenario's own name (`name:`), as `run` and the reports call it; the file's stem
        // when the file does not load (its error comes when it is loaded for the run).
        ref.name = std::filesystem::path(arg).stem().string();
        try {
            std::error_code ec;
            if (std::filesystem::is_regular_file(arg, ec)) {
                const std::string named = load_spec(arg).name;
                if (!named.empty()) ref.name = named;
            }
        } catch (const std::exception&) {
        }
    } else {
        ref.name = arg;
    }
    return ref;
}

std::optional<std::string> scenario_file(const ScenarioRef& ref) {
    if (!ref.path) {
        if (builtin_scenarios().find(ref.name)) return std::nullopt;
        return library_scenario_path(ref.name);
    }
    // Recorded in another directory: the absolute path still finds it on the same machine.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*ref.path, ec) && ref.absolute && *ref.absolute != *ref.path &&
        std::filesystem::is_regular_file(*ref.absolute, ec))
        return ref.absolute;
    return ref.path;
}

void check_not_scenario_file(const std::string& file, const std::string& flag, const ScenarioRef& ref) {
    namespace fs = std::filesystem;
    std::error_code ec;
    // The path as typed is read first wherever it leads to a file: a file made there, or a copy
    // there, is the scenario from here on, even where none is yet.
    if (ref.path && fs::absolute(file, ec).lexically_normal() == fs::absolute(*ref.path, ec).lexically_normal()) {
        if (fs::exists(*ref.path, ec))
            throw InputError(flag + " " + file + " would overwrite the scenario file " + *ref.path);
        throw InputError(flag + " " + file + " would be read as the scenario: it is the scenario's path as recorded (" +
                         *ref.path + "), which is read before " + ref.absolute.value_or("the recorded file") +
                         " wherever it holds a file; name another file");
    }
    for (const std::optional<std::string>& scenario : {scenario_file(ref), ref.absolute}) {
        // (false, with ec set, when either is missing: a file not there is not overwritten)
        if (scenario && fs::equivalent(file, *scenario, ec))
            throw InputError(flag + " " + file + " would overwrite the scenario file " + *scenario);
    }
}

LoadedScenarioRef load_scenario(const ScenarioRef& ref, const std::string& where) {
    const std::string prefix = where.empty() ? "" : where + ": ";
    LoadedScenarioRef out;
    if (!ref.path) {
        if (const ScenarioInfo* info = builtin_scenarios().find(ref.name)) {
            if (!ref.variant.empty())
                throw InputError(prefix + "scenario '" + ref.name + "' is a C++ scenario and has no variants");
            out.info = std::shared_ptr<const ScenarioInfo>(info, [](const ScenarioInfo*) {});  // static: not owned
            return out;
        }
    }
    std::optional<std::string> file = scenario_file(ref);
    if (!file) {
        std::vector<std::string> names = builtin_scenarios().names();
        for (const std::string& n : library_scenarios()) names.push_back(n);
        std::string msg = prefix + "unknown scenario '" + ref.name + "'";
        if (auto near = sim::nearest(ref.name, names)) msg += " (did you mean '" + *near + "'?)";
        throw InputError(msg);
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*file, ec)) {
        const std::string& typed = ref.path.value_or(*file);
        if (auto why = not_a_file_to_read(*file))
            throw InputError(prefix + "'" + *file + "' " + *why + ", not a scenario file");
        throw InputError(prefix + "no scenario file '" + typed + "'" +
                         (ref.path && ref.absolute && *ref.absolute != typed ? " (nor " + *ref.absolute + ")" : ""));
    }
    try {
        LoadedScenario loaded = load_scenario_file(*file, ref.variant);
        out.info = loaded.info;
        out.file = *file;
        out.file_hash = loaded.content_hash;
    } catch (const SpecError& e) {
        throw InputError(prefix + e.what());
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> effective_options(const RunSpec& spec) {
    const LoadedScenarioRef loaded = load_scenario(spec.scenario);
    std::string error;
    std::unique_ptr<Scenario> scenario = loaded.info->make(all_overrides(spec), error);
    if (!scenario) throw InputError("scenario '" + spec.scenario.name + "': " + error);
    std::vector<std::pair<std::string, std::string>> out;
    for (const FieldInfo& f : scenario->effective_options()) out.emplace_back(f.path, f.value);
    return out;
}

std::string options_hash(const std::vector<std::pair<std::string, std::string>>& options) {
    std::string text;
    for (const auto& [path, value] : options) text += path + "=" + value + "\n";
    return sim::hash_hex(sim::hash_name(text));
}

std::string content_hash(const LoadedScenarioRef& loaded,
                         const std::vector<std::pair<std::string, std::string>>& options) {
    return loaded.file ? loaded.file_hash : options_hash(options);
}

namespace {
std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_of(" \t\"'$\\*?;&|<>()`!#~{}[]") == std::string::npos) return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}
}  // namespace

std::optional<std::string> run_command(const RunSpec& spec) {
    if (spec.fault_plan) return std::nullopt;
    std::string cmd = shell_quote(program_name()) + " run " +
                      shell_quote(spec.scenario.path ? *spec.scenario.path : spec.scenario.name) + " --seed " +
                      std::to_string(spec.seed);
    if (!spec.scenario.variant.empty()) cmd += " --variant " + shell_quote(spec.scenario.variant);
    for (const Override& o : all_overrides(spec)) cmd += " --set " + shell_quote(o.path + "=" + o.value);
    if (spec.time_max) cmd += " --time-max " + sim::format_duration(*spec.time_max);
    if (spec.events_max) cmd += " --events-max " + std::to_string(*spec.events_max);
    if (spec.shuffle_ties) cmd += " --shuffle-ties";
    if (spec.buggify) cmd += " --buggify";
    if (spec.duration) return std::nullopt;  // `run` has no option for a shortened run
    return cmd;
}

Json plan_to_json(const sim::FaultPlan& plan) {
    Json out = Json::array();
    for (const sim::PlannedFault& f : plan) {
        Json j;
        j["at"] = sim::format_time(f.at);
        if (f.duration) j["for"] = sim::format_duration(*f.duration);
        j["kind"] = f.spec.kind;
        j["targets"] = f.spec.targets;
        Json params = Json::object();
        for (const auto& [k, v] : f.spec.params) params[k] = v;
        j["params"] = params;
        out.push_back(std::move(j));
    }
    return out;
}

sim::FaultPlan plan_from_json(const JsonReader& r) {
    sim::FaultPlan plan;
    for (const JsonReader& item : r.items()) {
        sim::PlannedFault f;
        f.at = sim::Time(item.at("at").duration());
        if (auto d = item.find("for")) f.duration = d->duration();
        f.spec.kind = item.at("kind").str();
        for (const JsonReader& t : item.at("targets").items()) f.spec.targets.push_back(t.str());
        if (auto p = item.find("params")) {
            for (const auto& [k, v] : p->members()) f.spec.params[k] = v.scalar_text();
        }
        plan.push_back(std::move(f));
    }
    return plan;
}

Json overrides_to_json(const std::vector<Override>& overrides) {
    Json out = Json::object();
    for (const Override& o : overrides) out[o.path] = o.value;
    return out;
}

std::vector<Override> overrides_from_json(const JsonReader& r) {
    std::vector<Override> out;
    for (const auto& [k, v] : r.members()) out.push_back({k, v.scalar_text()});
    return out;
}

Json scenario_ref_to_json(const ScenarioRef& ref) {
    Json scenario;
    scenario["name"] = ref.name;
    if (ref.path) scenario["path"] = *ref.path;
    if (ref.absolute) scenario["absolute_path"] = *ref.absolute;
    if (!ref.variant.empty()) scenario["variant"] = ref.variant;
    return scenario;
}

ScenarioRef scenario_ref_from_json(const JsonReader& r) {
    ScenarioRef ref;
    ref.name = r.at("name").str();
    if (auto p = r.find("path")) ref.path = p->str();
    if (auto p = r.find("absolute_path")) ref.absolute = p->str();
    if (auto v = r.find("variant")) ref.variant = v->str();
    return ref;
}

void spec_to_json(const RunSpec& spec, Json& out) {
    out["scenario"] = scenario_ref_to_json(spec.scenario);
    out["seed"] = spec.seed;
    out["overrides"] = overrides_to_json(spec.overrides);
    out["swarm"] = overrides_to_json(spec.swarm);
    Json settings;
    settings["shuffle_ties"] = spec.shuffle_ties;
    settings["buggify"] = spec.buggify;
    settings["time_max"] = spec.time_max ? Json(sim::format_duration(*spec.time_max)) : Json(nullptr);
    settings["events_max"] = spec.events_max ? Json(*spec.events_max) : Json(nullptr);
    settings["duration"] = spec.duration ? Json(sim::format_duration(*spec.duration)) : Json(nullptr);
    out["settings"] = settings;
    if (spec.fault_plan) out["faults"] = {{"source", "explicit"}, {"plan", plan_to_json(*spec.fault_plan)}};
}

RunSpec spec_from_json(const JsonReader& r) {
    RunSpec spec;
    spec.scenario = scenario_ref_from_json(r.at("scenario"));
    spec.seed = r.at("seed").u64();
    if (auto o = r.find("overrides")) spec.overrides = overrides_from_json(*o);
    if (auto s = r.find("swarm")) spec.swarm = overrides_from_json(*s);
    if (auto s = r.find("settings")) {
        if (auto v = s->find("shuffle_ties")) spec.shuffle_ties = v->boolean();
        if (auto v = s->find("buggify")) spec.buggify = v->boolean();
        if (auto v = s->find("time_max")) spec.time_max = v->duration();
        if (auto v = s->find("events_max")) {
            spec.events_max = v->u64();
            if (*spec.events_max == 0) v->fail("must be at least 1 (as --events-max)");
        }
        if (auto v = s->find("duration")) spec.duration = v->duration();
    }
    if (auto f = r.find("faults")) {
        const std::string source = f->at("source").str();
        if (source == "explicit")
            spec.fault_plan = plan_from_json(f->at("plan"));
        else if (source != "seed")
            f->at("source").fail("expected \"seed\" or \"explicit\", found \"" + source + "\"");
    }
    return spec;
}

}  // namespace faultline::explore
