// Writes a regression (a shrunk run) as a scenario file. See explore/regression_yaml.hpp.
#include "explore/regression_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "explore/build_info.hpp"
#include "faultline/scenario_file.hpp"
#include "faultline/yaml_reader.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

namespace {

std::string seconds_text(sim::Time t) { return sim::format_value(sim::Duration(t.time_since_epoch())); }

YAML::Node fault_node(const sim::PlannedFault& f) {
    YAML::Node n(YAML::NodeType::Map);
    n.SetStyle(YAML::EmitterStyle::Flow);
    n["at"] = seconds_text(f.at);
    if (f.duration) n["duration"] = sim::format_value(*f.duration);
    n["kind"] = f.spec.kind;
    YAML::Node targets(YAML::NodeType::Sequence);
    targets.SetStyle(YAML::EmitterStyle::Flow);
    for (const std::string& t : f.spec.targets) targets.push_back(t);
    n["targets"] = targets;
    if (!f.spec.params.empty()) {
        YAML::Node params(YAML::NodeType::Map);
        params.SetStyle(YAML::EmitterStyle::Flow);
        for (const auto& [k, v] : f.spec.params) params[k] = v;
        n["params"] = params;
    }
    return n;
}

}  // namespace

std::string regression_run_flags(const RunSpec& spec) {
    std::string flags = " --seed " + std::to_string(spec.seed);
    if (spec.shuffle_ties) flags += " --shuffle-ties";
    if (spec.buggify) flags += " --buggify";
    return flags;
}

std::string regression_yaml_path(const std::string& json_path) {
    std::filesystem::path p(json_path);
    return p.replace_extension(".yaml").string();
}

std::optional<std::string> regression_yaml(const Artifact& regression, std::string& why_not) {
    const RunSpec& spec = regression.spec;
    if (!spec.fault_plan) {
        why_not = "the run has no explicit fault plan";
        return std::nullopt;
    }
    std::optional<std::string> file;
    try {
        file = load_scenario(spec.scenario).file;
    } catch (const std::exception& e) {
        why_not = e.what();
        return std::nullopt;
    }
    if (!file) {
        why_not =
            "'" + spec.scenario.name + "' is a C++ scenario, with no file to copy; the JSON artifact is the regression";
        return std::nullopt;
    }
    YAML::Node root;
    std::function<YAML::Node()> fresh;  // a setting through an alias changes that place alone
    try {
        std::ifstream in(*file, std::ios::binary);
        if (!in) {
            why_not = *file + ": cannot read the file";
            return std::nullopt;
        }
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        root = YAML::Load(text);
        fresh = prepare_for_settings(root, text, *file);
    } catch (const YAML::Exception& e) {
        why_not = *file + ": " + e.what();
        return std::nullopt;
    } catch (const SpecError& e) {
        why_not = e.what();
        return std::nullopt;
    }
    // The design that ran: the variant's settings, then swarm draws and the user's overrides.
    std::vector<Override> sets;
    try {
        if (!spec.scenario.variant.empty()) {
            for (const VariantSetting& v : variant_settings(root, spec.scenario.variant, *file)) sets.push_back({v.path, v.value});
        }
    } catch (const SpecError& e) {
        why_not = e.what();
        return std::nullopt;
    }
    for (const Override& o : all_overrides(spec)) sets.push_back(o);
    for (const Override& o : sets) {
        if (auto e = apply_yaml_override(root, o.path, o.value, fresh)) {
            why_not = *e;
            return std::nullopt;
        }
    }
    const std::string base_name = root["name"] ? root["name"].as<std::string>() : std::filesystem::path(*file).stem().string();
    root["name"] = base_name + "-regression";
    const std::string origin = "seed " + std::to_string(spec.seed) + " of " + spec.scenario.text();
    std::string description = root["description"] ? root["description"].as<std::string>() : std::string();
    while (!description.empty() && description.back() == '\n') description.pop_back();
    root["description"] = "A regression test shrunk by faultline from " + origin + " (" + regression.expected.signature +
                          ").\n" + description;
    if (spec.duration) root["duration"] = sim::format_value(*spec.duration);
    // The job's limits, which the verdict may owe to (a runaway at --events-max): the file keeps
    // them, so that it fails the way it says, and its test_seeds run as the job's seed did.
    if (spec.events_max) root["limits"]["events_max"] = *spec.events_max;
    if (spec.time_max) {
        sim::Duration duration{};
        const YAML::Node d = root["duration"];
        if (!d || !d.IsScalar() || sim::parse_value(d.Scalar(), duration)) {
            why_not = "the scenario's duration does not read as a duration";
            return std::nullopt;
        }
        if (*spec.time_max < duration) {
            why_not = "the run was stopped by --time-max " + sim::format_value(*spec.time_max) +
                      ", before its duration of " + sim::format_value(duration) +
                      ", which a scenario file cannot say; the JSON artifact is the regression";
            return std::nullopt;
        }
        root["limits"]["time_max"] = sim::format_value(*spec.time_max);
    }

    YAML::Node faults(YAML::NodeType::Sequence);
    const sim::Duration end = spec.duration ? *spec.duration : sim::Duration::max();
    for (const sim::PlannedFault& f : *spec.fault_plan) {
        if (f.at.time_since_epoch() < end) faults.push_back(fault_node(f));  // later ones never fire
    }
    root.remove("faults");
    root.remove("nemesis");
    root.remove("variants");
    root.remove("swarm");
    root.remove("test_seeds");
    root.remove("expect");
    root["faults"] = faults;

    // A file can expect a pass, a failure or a runaway; a crash or a hang shows itself.
    const Verdict v = regression.expected.verdict;
    if (v == Verdict::pass || v == Verdict::fail || v == Verdict::runaway) {
        YAML::Node expect(YAML::NodeType::Map);
        expect.SetStyle(YAML::EmitterStyle::Flow);
        expect["verdict"] = std::string(to_string(v));
        if (regression.expected.failure) expect["failure"] = regression.expected.failure->name;
        root["expect"] = expect;
    }
    YAML::Node seeds(YAML::NodeType::Sequence);
    seeds.SetStyle(YAML::EmitterStyle::Flow);
    seeds.push_back(spec.seed);
    root["test_seeds"] = seeds;

    YAML::Emitter out;
    out << YAML::Comment("Written by `" + program_name() + " shrink` from " + origin +
                         ".\nIt fails with: " + regression.expected.signature + "\nRun it: " + program_name() +
                         " run FILE" + regression_run_flags(spec));
    out << YAML::Newline << root;
    if (!out.good()) {
        why_not = out.GetLastError();
        return std::nullopt;
    }
    return std::string(out.c_str()) + "\n";
}

}  // namespace faultline::explore
