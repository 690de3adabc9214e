#include "output.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>

#include "explore/outcome.hpp"
#include "explore/workers.hpp"

namespace faultline::cli {

std::string thousands(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

namespace {

std::string describe_failure(const sim::Failure& f) {
    std::string text;
    if (f.kind == "invariant") text = "invariant '" + f.name + "' violated";
    else if (f.kind == "eventually") text = "eventually-invariant '" + f.name + "' " + f.message;
    else if (f.kind == "assertion") text = "assertion failed: " + f.name + (f.message.empty() ? "" : " (" + f.message + ")");
    else if (f.kind == "coverage") text = f.message;
    else if (f.kind == "undecided") text = "invariant '" + f.name + "' undecided: " + f.message;
    else text = f.kind + ": " + (f.message.empty() ? f.name : f.message);
    text += " at " + explore::shown_time(f.time);
    if (!f.host.empty()) text += " on host " + f.host;
    if (!f.where.empty()) text += " [" + f.where + "]";
    if (f.kind == "invariant" && !f.message.empty() && f.message.rfind("violated at", 0) != 0) text += ": " + f.message;
    return text;
}

}  // namespace

int exit_code_for(const RunDisplay& d) {
    if (d.run->result.verdict == sim::Verdict::interrupted) return 128 + d.interrupted_by;
    if (d.determinism && !d.determinism->ok) return 1;
    return d.run->result.verdict == sim::Verdict::pass ? 0 : 1;
}

namespace {
// "by SIGINT at 12.5s virtual, before the run's end"
std::string interruption(const RunDisplay& d) {
    return "by " + explore::signal_name(d.interrupted_by) + " at " + explore::shown_time(d.run->result.end_time) +
           " virtual, before the run's end";
}
}  // namespace

std::string human_summary(const RunDisplay& d) {
    const ScenarioRun& run = *d.run;
    const sim::RunResult& r = run.result;
    std::string out;
    auto line = [&out](const std::string& label, const std::string& value) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%-12s", label.c_str());
        out += buf + value + "\n";
    };
    const std::string summary = d.summary ? *d.summary : d.info ? d.info->summary : std::string();
    line("scenario", run.scenario + (summary.empty() ? "" : "  (" + summary + ")"));
    line("seed", std::to_string(run.seed));
    std::string verdict;
    switch (r.verdict) {
        case sim::Verdict::pass: verdict = "PASS"; break;
        case sim::Verdict::fail: verdict = "FAIL  " + describe_failure(*r.failure); break;
        case sim::Verdict::runaway: verdict = "RUNAWAY  " + r.runaway_reason; break;
        case sim::Verdict::interrupted:
            verdict = "INTERRUPTED  " + interruption(d) + ": what follows is what ran until then";
            break;
    }
    line("verdict", verdict);
    char buf[160];
    // The end to the microsecond, every digit ("3557959.569256s" was "3.55796e+06s"); a judgement
    // a nanosecond after 81s is "81s".
    const sim::Duration end = std::chrono::round<std::chrono::microseconds>(r.end_time.time_since_epoch());
    std::snprintf(buf, sizeof buf, "%s events, %s virtual, %.0f ms wall", thousands(r.events).c_str(),
                  sim::format_duration(end).c_str(), d.wall_ms);
    line("ran", buf);
    // A run whose events ran out before its planned end: the clock went on to it, and nothing
    // happened after this (a deadlock, or every process done or waiting for what never comes).
    if (r.drained_at && *r.drained_at < r.end_time) {
        const sim::Duration still = std::chrono::round<std::chrono::microseconds>(r.drained_at->time_since_epoch());
        line("still",
             "from " + sim::format_duration(still) + " nothing was left to run" +
                 (r.blocked_forever > 0 ? " (" + std::to_string(r.blocked_forever) +
                                              (r.blocked_forever == 1 ? " process" : " processes") + " blocked forever)"
                                        : ""));
    }
    // One column of values, right-aligned, after the longest name (at least 22 wide, so that
    // short names line up from run to run).
    std::size_t name_width = 22;
    for (const Measurement& m : run.measurements) name_width = std::max(name_width, m.name.size());
    bool first = true;
    for (const Measurement& m : run.measurements) {
        char value[32];
        // A whole number exactly (a count of 3,200,433 read 3.20043e+06, which a trace could not be
        // checked against); anything else to six significant digits.
        if (std::fabs(m.value) < 1e15 && m.value == std::trunc(m.value))
            std::snprintf(value, sizeof value, "%14.0f", m.value);
        else
            std::snprintf(value, sizeof value, "%14.6g", m.value);
        if (std::isnan(m.value))
            std::snprintf(value, sizeof value, "%14s", "-");  // none: "did not recover", "no baseline"
        std::string text = m.name + std::string(name_width - m.name.size() + 1, ' ') + value;
        if (!m.note.empty()) text += "   (" + m.note + ")";
        line(first ? "measured" : "", text);
        first = false;
    }
    line("trace hash", sim::hash_hex(r.trace_hash));
    if (d.determinism) {
        if (d.determinism->interrupted) {
            line("determinism", "not checked: the run was interrupted");
        } else if (d.determinism->ok) {
            // Every record the trace hash covers, the kernel's events included: more than a --trace
            // file holds without --trace-kernel, and fewer than one with it (its detail records are
            // not hashed).
            line("determinism", "ok: ran twice, all " + thousands(d.determinism->records) +
                                    " hashed records identical (kernel events included)");
        } else {
            const Divergence& dv = *d.determinism->divergence;
            line("determinism", "MISMATCH: the two runs diverge at trace record #" + std::to_string(dv.index));
            line("", "first run:  " + dv.first_run);
            line("", "second run: " + dv.second_run);
        }
    }
    if (exit_code_for(d) != 0) out += "reproduce: " + d.repro + "\n";
    return out;
}

nlohmann::json json_summary(const RunDisplay& d) {
    const ScenarioRun& run = *d.run;
    const sim::RunResult& r = run.result;
    nlohmann::json j;
    j["scenario"] = run.scenario;
    j["seed"] = run.seed;
    j["verdict"] = std::string(sim::to_string(r.verdict));
    if (r.failure) {
        const sim::Failure& f = *r.failure;
        j["failure"] = {{"kind", f.kind}, {"invariant", f.name}, {"message", f.message}, {"where", f.where},
                        {"host", f.host}, {"time_ns", f.time.time_since_epoch().count()}};
    } else {
        j["failure"] = nullptr;
    }
    if (r.verdict == sim::Verdict::runaway) j["runaway_reason"] = r.runaway_reason;
    if (r.verdict == sim::Verdict::interrupted) j["interrupted_by"] = explore::signal_name(d.interrupted_by);
    j["events"] = r.events;
    j["virtual_time_ns"] = r.end_time.time_since_epoch().count();
    if (r.drained_at) {  // the events ran out here (at or before the end): nothing happened after
        j["drained_at_ns"] = r.drained_at->time_since_epoch().count();
        j["blocked_forever"] = r.blocked_forever;
    }
    j["trace_hash"] = sim::hash_hex(r.trace_hash);
    j["wall_time_ms"] = d.wall_ms;
    nlohmann::json m = nlohmann::json::object();
    for (const Measurement& x : run.measurements) m[x.name] = x.value;
    j["measurements"] = m;
    nlohmann::json o = nlohmann::json::object();
    for (const FieldInfo& f : run.options) o[f.path] = f.value;
    j["options"] = o;
    nlohmann::json c = nlohmann::json::object();
    for (const auto& [name, count] : run.coverage) c[name] = count;
    j["coverage"] = c;
    if (d.determinism) {
        j["determinism"] = {{"ok", d.determinism->ok}, {"records", d.determinism->records}};
        if (d.determinism->interrupted) j["determinism"] = {{"checked", false}, {"why", "the run was interrupted"}};
        if (d.determinism->divergence) {
            j["determinism"]["first_divergent_record"] = d.determinism->divergence->index;
            j["determinism"]["first_run"] = d.determinism->divergence->first_run;
            j["determinism"]["second_run"] = d.determinism->divergence->second_run;
        }
    }
    j["repro"] = d.repro;
    return j;
}

}  // namespace faultline::cli
