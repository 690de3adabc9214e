#include "explore/outcome.hpp"

#include <chrono>

#include "faultline/scenario_file.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

namespace {
constexpr std::pair<Verdict, std::string_view> verdict_names[] = {
    {Verdict::pass, "pass"},   {Verdict::fail, "fail"}, {Verdict::runaway, "runaway"},
    {Verdict::crash, "crash"}, {Verdict::hang, "hang"}, {Verdict::error, "error"},
};

// "/work/main/scenarios/src/builtin/planted_counter.cpp:88" -> "builtin/planted_counter.cpp:88"
std::string short_where(const std::string& where) {
    std::size_t cut = where.rfind('/');
    if (cut == std::string::npos || cut == 0) return where;
    cut = where.rfind('/', cut - 1);
    return cut == std::string::npos ? where : where.substr(cut + 1);
}

}  // namespace

std::string_view to_string(Verdict v) {
    for (const auto& [value, name] : verdict_names) {
        if (value == v) return name;
    }
    return "?";
}

std::optional<Verdict> verdict_from_string(std::string_view s) {
    for (const auto& [value, name] : verdict_names) {
        if (name == s) return value;
    }
    return std::nullopt;
}

Json failure_to_json(const sim::Failure& f) {
    Json j;
    j["kind"] = f.kind;
    j["name"] = f.name;
    j["message"] = f.message;
    j["where"] = f.where;
    j["host"] = f.host;
    j["time"] = sim::format_time(f.time);
    return j;
}

sim::Failure failure_from_json(const JsonReader& r) {
    sim::Failure f;
    f.kind = r.at("kind").str();
    f.name = r.at("name").str();
    if (auto v = r.find("message")) f.message = v->str();
    if (auto v = r.find("where")) f.where = v->str();
    if (auto v = r.find("host")) f.host = v->str();
    if (auto v = r.find("time")) f.time = sim::Time(v->duration());
    return f;
}
bool is_finding(Verdict v) { return v != Verdict::pass; }

std::string shown_time(sim::Time t) {
    return sim::format_time(sim::Time(std::chrono::round<std::chrono::microseconds>(t.time_since_epoch())));
}

std::string signature_of(const sim::RunResult& r) {
    if (r.verdict == sim::Verdict::runaway) {
        std::string reason = r.runaway_reason;
        if (auto paren = reason.find(" ("); paren != std::string::npos) reason.resize(paren);  // drop the limit's value
        return "runaway: " + reason;
    }
    if (r.verdict != sim::Verdict::fail || !r.failure) return "";
    const sim::Failure& f = *r.failure;
    std::string sig = f.kind + " '" + f.name + "'";
    if (!f.where.empty()) sig += " at " + short_where(f.where);
    if (f.kind == "exception") sig += ": " + f.message;
    return sig;
}

std::string signature_id(const std::string& signature) { return sim::hash_hex(sim::hash_name(signature)); }

bool faster(const Outcome& a, const Outcome& b) {
    if (a.end_time != b.end_time) return a.end_time < b.end_time;
    if (a.events != b.events) return a.events < b.events;
    return a.seed < b.seed;
}

Outcome execute(const RunSpec& spec, const ExecuteHooks& hooks) {
    const LoadedScenarioRef loaded = load_scenario(spec.scenario);
    const ScenarioInfo& info = *loaded.info;
    RunSettings settings = settings_for(spec);
    settings.sink = hooks.sink;
    settings.on_start = hooks.on_start;
    settings.interrupt = hooks.interrupt;
    std::string error;
    const auto start = std::chrono::steady_clock::now();  // wall time: reported, never used by the run
    std::optional<ScenarioRun> run = run_scenario(info, all_overrides(spec), settings, error);
    if (!run) throw InputError("scenario '" + spec.scenario.name + "': " + error);
    Outcome o;
    o.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    o.seed = spec.seed;
    const sim::RunResult& r = run->result;
    o.verdict = r.verdict == sim::Verdict::pass   ? Verdict::pass
                : r.verdict == sim::Verdict::fail ? Verdict::fail
                                                  : Verdict::runaway;
    o.interrupted = r.verdict == sim::Verdict::interrupted;
    o.signature = signature_of(r);
    o.failure = r.failure;
    o.detail = r.runaway_reason;
    o.trace_hash = r.trace_hash;
    o.events = r.events;
    o.end_time = r.failure ? r.failure->time : r.end_time;
    o.swarm = spec.swarm;
    if (spec.buggify) o.buggify_sites = r.buggify_sites;
    o.injected = run->injected;
    for (const FieldInfo& f : run->options) o.options.emplace_back(f.path, f.value);
    if (loaded.file) {
        // The run read the file again to build (ScenarioInfo::make); an edit in between would
        // make this outcome another content's. Read once more: unchanged since the load, and the
        // run read what was hashed.
        std::string now;
        try {
            now = file_content_hash(*loaded.file);
        } catch (const SpecError&) {
        }
        o.content_hash = now == loaded.file_hash ? loaded.file_hash : content_changed_mark;
    }
    return o;
}

Json record_to_json(const Outcome& o) {
    Json j;
    j["seed"] = o.seed;
    j["verdict"] = std::string(to_string(o.verdict));
    j["signature"] = o.signature;
    j["signature_id"] = o.signature.empty() ? Json(nullptr) : Json(signature_id(o.signature));
    j["trace_hash"] = o.trace_hash ? Json(sim::hash_hex(*o.trace_hash)) : Json(nullptr);
    j["events"] = o.events;
    j["end_time"] = sim::format_time(o.end_time);
    j["wall_ms"] = static_cast<double>(static_cast<std::int64_t>(o.wall_ms * 1000)) / 1000;
    j["failure"] = o.failure ? failure_to_json(*o.failure) : Json(nullptr);
    j["detail"] = o.detail;
    j["swarm"] = overrides_to_json(o.swarm);
    return j;
}

Outcome record_from_json(const JsonReader& r) {
    Outcome o;
    o.seed = r.at("seed").u64();
    const std::string verdict = r.at("verdict").str();
    auto v = verdict_from_string(verdict);
    if (!v) r.at("verdict").fail("unknown verdict '" + verdict + "'");
    o.verdict = *v;
    if (auto s = r.find("signature")) o.signature = s->str();
    if (auto h = r.find("trace_hash")) o.trace_hash = h->hex64();
    if (auto e = r.find("events")) o.events = e->u64();
    if (auto t = r.find("end_time")) o.end_time = sim::Time(t->duration());
    if (auto w = r.find("wall_ms")) o.wall_ms = w->number();
    if (auto f = r.find("failure")) o.failure = failure_from_json(*f);
    if (auto d = r.find("detail")) o.detail = d->str();
    if (auto s = r.find("swarm")) o.swarm = overrides_from_json(*s);
    return o;
}

Json outcome_to_json(const Outcome& o) {
    Json j = record_to_json(o);
    j["injected"] = plan_to_json(o.injected);
    Json options = Json::object();
    for (const auto& [k, v] : o.options) options[k] = v;
    j["options"] = options;
    if (!o.stderr_tail.empty()) j["stderr_tail"] = o.stderr_tail;
    if (!o.content_hash.empty()) j["content_hash"] = o.content_hash;
    if (o.buggify_sites) j["buggify_sites"] = *o.buggify_sites;
    return j;
}

Outcome outcome_from_json(const JsonReader& r) {
    Outcome o = record_from_json(r);
    if (auto p = r.find("injected")) o.injected = plan_from_json(*p);
    if (auto opts = r.find("options")) {
        for (const auto& [k, v] : opts->members()) o.options.emplace_back(k, v.scalar_text());
    }
    if (auto e = r.find("stderr_tail")) o.stderr_tail = e->str();
    if (auto h = r.find("content_hash")) o.content_hash = h->str();
    if (auto b = r.find("buggify_sites")) o.buggify_sites = b->u64();
    return o;
}

}  // namespace faultline::explore
