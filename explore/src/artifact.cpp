#include "explore/artifact.hpp"

#include "explore/build_info.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

Artifact make_artifact(const RunSpec& spec, const Outcome& outcome) {
    Artifact a;
    a.kind = spec.fault_plan ? "regression" : "failure";
    a.spec = spec;
    a.options = outcome.options;
    if (a.options.empty()) {  // a crash or hang reports no options: read them from the scenario
        try {
            a.options = effective_options(spec);
        } catch (const InputError&) {
        }
    }
    try {
        const LoadedScenarioRef loaded = load_scenario(spec.scenario);
        a.content_hash = content_hash(loaded, a.options);
        if (loaded.file) a.hashed = "file";
    } catch (const InputError&) {
        a.content_hash = options_hash(a.options);
    }
    if (!outcome.content_hash.empty() && outcome.content_hash != content_changed_mark) {
        a.content_hash = outcome.content_hash;  // what the run read (the file may have changed since)
        a.hashed = "file";
    }
    if (!spec.fault_plan) a.recorded_plan = outcome.injected;
    a.version = version();
    a.build_id = build_id();
    a.program = program_name();
    a.expected = outcome;
    return a;
}

Json artifact_to_json(const Artifact& a) {
    Json j;
    j["faultline_artifact"] = artifact_format;
    j["kind"] = a.kind;
    Json spec;
    spec_to_json(a.spec, spec);
    Json scenario = spec["scenario"];
    scenario["content_hash"] = a.content_hash;
    scenario["hashed"] = a.hashed;
    j["scenario"] = scenario;
    j["seed"] = spec["seed"];
    j["overrides"] = spec["overrides"];
    j["swarm"] = spec["swarm"];
    j["settings"] = spec["settings"];
    const bool is_explicit = a.spec.fault_plan.has_value();
    j["faults"] = {{"source", is_explicit ? "explicit" : "seed"},
                   {"plan", plan_to_json(is_explicit ? *a.spec.fault_plan : a.recorded_plan)}};
    Json options = Json::object();
    for (const auto& [k, v] : a.options) options[k] = v;
    j["options"] = options;
    j["faultline"] = {{"version", a.version}, {"build_id", a.build_id}, {"program", a.program}};
    const Outcome& e = a.expected;
    Json expected;
    expected["verdict"] = std::string(to_string(e.verdict));
    expected["signature"] = e.signature;
    expected["signature_id"] = e.signature.empty() ? Json(nullptr) : Json(signature_id(e.signature));
    expected["trace_hash"] = e.trace_hash ? Json(sim::hash_hex(*e.trace_hash)) : Json(nullptr);
    expected["events"] = e.events;
    expected["end_time"] = sim::format_time(e.end_time);
    expected["failure"] = e.failure ? failure_to_json(*e.failure) : Json(nullptr);
    expected["detail"] = e.detail;
    if (!e.stderr_tail.empty()) expected["stderr_tail"] = e.stderr_tail;
    j["expected"] = expected;
    if (auto cmd = run_command(a.spec)) j["run_command"] = *cmd;
    if (!a.notes.empty()) j["notes"] = a.notes;
    return j;
}

Artifact artifact_from_json(const JsonReader& r) {
    Artifact a;
    if (!r.json().is_object()) r.fail("not a faultline artifact (expected a JSON object)");
    if (!r.find("faultline_artifact")) r.fail("not a faultline artifact (no 'faultline_artifact' field)");
    const std::uint64_t format = r.at("faultline_artifact").u64();
    if (format != artifact_format) {
        r.at("faultline_artifact")
            .fail("format " + std::to_string(format) + " is not one this build reads (" +
                  std::to_string(artifact_format) + ")");
    }
    a.kind = r.at("kind").str();
    if (a.kind != "failure" && a.kind != "regression")
        r.at("kind").fail("expected \"failure\" or \"regression\", found \"" + a.kind + "\"");
    a.spec = spec_from_json(r);
    if (auto h = r.at("scenario").find("content_hash")) a.content_hash = h->str();
    if (auto h = r.at("scenario").find("hashed")) a.hashed = h->str();
    JsonReader faults = r.at("faults");
    if (!a.spec.fault_plan) a.recorded_plan = plan_from_json(faults.at("plan"));
    if (auto o = r.find("options")) {
        for (const auto& [k, v] : o->members()) a.options.emplace_back(k, v.scalar_text());
    }
    if (auto f = r.find("faultline")) {
        if (auto v = f->find("version")) a.version = v->str();
        if (auto b = f->find("build_id")) a.build_id = b->str();
        if (auto p = f->find("program")) a.program = p->str();
    }
    JsonReader e = r.at("expected");
    Outcome& o = a.expected;
    o.seed = a.spec.seed;
    const std::string verdict = e.at("verdict").str();
    auto v = verdict_from_string(verdict);
    if (!v) e.at("verdict").fail("unknown verdict '" + verdict + "'");
    o.verdict = *v;
    if (auto s = e.find("signature")) o.signature = s->str();
    // Derived from the signature and written for the reader (it names the file), so not used; but a
    // field of the wrong type is a broken file all the same.
    if (auto id = e.find("signature_id")) (void)id->hex64();
    if (auto h = e.find("trace_hash")) o.trace_hash = h->hex64();
    if (auto n = e.find("events")) o.events = n->u64();
    if (auto t = e.find("end_time")) o.end_time = sim::Time(t->duration());
    if (auto d = e.find("detail")) o.detail = d->str();
    if (auto f = e.find("failure")) o.failure = failure_from_json(*f);
    if (auto t = e.find("stderr_tail")) o.stderr_tail = t->str();  // a crash's last words: merge copies them
    o.swarm = a.spec.swarm;
    o.options = a.options;
    o.injected = a.spec.fault_plan ? *a.spec.fault_plan : a.recorded_plan;
    if (auto n = r.find("notes")) {
        (void)n->members();  // an object (how a regression was shrunk)
        a.notes = n->json();
    }
    if (auto c = r.find("run_command")) (void)c->str();  // for the reader; run_command(spec) is the one used
    return a;
}

Artifact load_artifact(const std::string& path) {
    const Json j = read_json_file(path);
    Artifact a = artifact_from_json(JsonReader(path, j));
    check_explicit_plan(a.spec, path);
    return a;
}

std::string made_by_another_program(const Artifact& a, const std::string& verb) {
    if (a.program.empty() || a.program == program_name()) return "";
    return " (the artifact was made by '" + a.program + "', not '" + program_name() + "': " + verb + " it with that program)";
}

void save_artifact(const std::string& path, const Artifact& a) {
    write_whole_file(path, artifact_to_json(a).dump(2) + "\n");
}

}  // namespace faultline::explore
