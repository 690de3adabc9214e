#include "explore/replay.hpp"

#include <cstdio>
#include <map>

#include "explore/build_info.hpp"
#include "sim/log.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

namespace {
spdlog::level::level_enum parse_level(const std::string& text, const std::string& what) {
    static const std::pair<const char*, spdlog::level::level_enum> levels[] = {
        {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
        {"warn", spdlog::level::warn},   {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
        {"off", spdlog::level::off},
    };
    for (const auto& [name, level] : levels) {
        if (text == name) return level;
    }
    throw OptionError(what + ": '" + text + "' is not a log level (trace, debug, info, warn, error, critical, off)");
}

std::vector<std::string> option_changes(const std::vector<std::pair<std::string, std::string>>& recorded,
                                        const std::vector<std::pair<std::string, std::string>>& now) {
    std::vector<std::string> out;
    std::map<std::string, std::string> before(recorded.begin(), recorded.end());
    std::map<std::string, std::string> after(now.begin(), now.end());
    for (const auto& [path, value] : before) {
        auto it = after.find(path);
        if (it == after.end())
            out.push_back("option '" + path + "' no longer exists");
        else if (it->second != value)
            out.push_back("option '" + path + "' was " + value + ", is now " + it->second);
    }
    for (const auto& [path, value] : after) {
        if (before.count(path) == 0) out.push_back("option '" + path + "' is new (" + value + ")");
    }
    return out;
}
}  // namespace

void check_replay_options(const Artifact& artifact, const ReplayOptions& options) {
    if (options.log_level) (void)parse_level(*options.log_level, "--log-level");
    for (const auto& [host, level] : options.log_hosts) (void)parse_level(level, "--log-host " + host);
    if (options.log_hosts.empty()) return;
    // Each --log-host names a host of the built world: one that names none would log nothing, silently.
    const LoadedScenarioRef loaded = load_scenario(artifact.spec.scenario);
    std::string error;
    // (a scenario that cannot be made is replay's to report: it may be the failure recorded)
    (void)inspect_world(*loaded.info, all_overrides(artifact.spec), settings_for(artifact.spec), [&](sim::Simulator& sim) {
        std::vector<std::string> names;
        for (std::uint32_t i = 0; i < sim.host_count(); ++i) names.emplace_back(sim.host(i).name());
        for (const auto& [host, level] : options.log_hosts) {
            if (sim.find_host(host) != nullptr) continue;
            throw OptionError("--log-host " + host + "=" + level + ": scenario '" + artifact.spec.scenario.name +
                              "' has no host '" + host + "'" + sim::did_you_mean_or_nearest(host, names, "hosts"));
        }
    }, error);
}

std::optional<std::string> scenario_change(const Artifact& artifact, const LoadedScenarioRef& loaded,
                                           const std::vector<std::pair<std::string, std::string>>& current) {
    const std::string hash_now = content_hash(loaded, current);
    if (artifact.content_hash.empty() || hash_now == artifact.content_hash) return std::nullopt;
    std::string what;
    for (const std::string& d : option_changes(artifact.options, current)) what += (what.empty() ? "" : "; ") + d;
    return std::string(loaded.file ? "the scenario file changed" : "the scenario changed") + " (content hash " +
           artifact.content_hash + ", now " + hash_now + ")" + (what.empty() ? "" : ": " + what);
}

ReplayReport replay(const Artifact& artifact, const ReplayOptions& options) {
    ReplayReport report;
    RunSpec spec = artifact.spec;
    if (!artifact.build_id.empty() && artifact.build_id != build_id()) {
        report.changes.push_back("the build changed: the artifact was made by " +
                                 (artifact.program.empty() ? "faultline" : artifact.program) + " " + artifact.version +
                                 " build " + artifact.build_id + "; this is " + version() + " build " + build_id());
    }
    // First: a file that is not there is said as such, without the hint below.
    const LoadedScenarioRef loaded = load_scenario(spec.scenario);
    // A stop point lowers the run's own limits, never raises them: the replay ends where the
    // recorded run did if that came first (and is then compared with it).
    std::uint64_t own_events_max = 0;
    sim::Duration own_time_max{};
    if (options.stop_at_event || options.stop_at) {
        std::string error;
        (void)inspect_world(
            *loaded.info, all_overrides(spec), settings_for(spec),
            [&](sim::Simulator& sim) {
                own_events_max = sim.options().events_max;
                own_time_max = sim.options().time_max;
            },
            error);
    }
    const bool stops_by_event =
        options.stop_at_event && (own_events_max == 0 || *options.stop_at_event < own_events_max);
    const bool stops_by_time = options.stop_at && (own_time_max == sim::Duration{} || *options.stop_at < own_time_max);
    if (stops_by_event) spec.events_max = *options.stop_at_event;
    if (stops_by_time) spec.time_max = *options.stop_at;
    std::vector<std::pair<std::string, std::string>> current;
    try {
        current = effective_options(spec);
    } catch (const InputError& e) {
        // A recorded configuration error (a swarm draw the scenario rejects, say) is reproduced
        // when the run is refused the same way; any other refusal is a scenario changed since.
        const Outcome& want = artifact.expected;
        if (want.verdict == Verdict::error && !std::string_view(e.what()).empty() && want.detail.ends_with(e.what())) {
            report.outcome = want;
            report.reproduced = true;
            report.conclusion = std::string("reproduced: the run is refused as recorded: ") + e.what();
            return report;
        }
        throw InputError(std::string(e.what()) + " (the scenario changed since the artifact was made?)");
    }
    if (auto changed = scenario_change(artifact, loaded, current)) report.changes.push_back(*changed);

    check_replay_options(artifact, options);
    ExecuteHooks hooks;
    hooks.sink = options.sink;
    hooks.interrupt = options.interrupt;
    if (options.log_level || !options.log_hosts.empty()) {
        const spdlog::level::level_enum all =
            options.log_level ? parse_level(*options.log_level, "--log-level") : spdlog::level::off;
        std::vector<std::pair<std::string, spdlog::level::level_enum>> hosts;
        for (const auto& [host, level] : options.log_hosts)
            hosts.emplace_back(host, parse_level(level, "--log-host " + host));
        hooks.on_start = [all, hosts](sim::Simulator& sim) {
            sim::log::enable(sim, all);
            for (const auto& [host, level] : hosts) sim::log::set_host_level(sim, host, level);
        };
    }
    report.outcome = execute(spec, hooks);
    const Outcome& got = report.outcome;
    const Outcome& want = artifact.expected;

    if (got.interrupted) {
        report.interrupted = true;
        report.conclusion = "interrupted at event " + std::to_string(got.events) + ", virtual time " +
                            sim::format_time(got.end_time) + " (the recorded run went on to " +
                            std::to_string(want.events) + " events, " + sim::format_time(want.end_time) +
                            "); nothing to compare";
        return report;
    }
    // Ended by a stop point (not by the run's own limit, nor by a failure first).
    const bool at_stop_event = stops_by_event && got.signature == "runaway: event limit reached";
    const bool at_stop_time = stops_by_time && got.signature == "runaway: virtual time limit reached";
    if (got.verdict == Verdict::runaway && (at_stop_event || at_stop_time)) {
        report.stopped = true;
        report.conclusion =
            "stopped as asked at " +
            (at_stop_event ? "event " + std::to_string(got.events) : "virtual time " + sim::format_time(got.end_time)) +
            " (the recorded run went on to " + std::to_string(want.events) + " events, " +
            sim::format_time(want.end_time) + "); nothing to compare";
        return report;
    }
    const std::string got_hash = got.trace_hash ? sim::hash_hex(*got.trace_hash) : "(none)";
    const std::string want_hash = want.trace_hash ? sim::hash_hex(*want.trace_hash) : "(none)";
    report.reproduced =
        got.verdict == want.verdict && got.signature == want.signature && got.trace_hash == want.trace_hash;
    if (report.reproduced) {
        report.conclusion = "reproduced: trace hash matches (" + got_hash + ")";
        return report;
    }
    if (const auto signal = killed_from_outside(want)) {
        // A run never sends itself these: whatever the replay gives, the record has no result of the
        // run to compare it with, and a different ending says nothing about determinism.
        report.killed_from_outside = true;
        report.conclusion = "killed from outside: the recorded worker died of " + *signal +
                            ", which a run does not send itself (the kernel's OOM killer when the machine ran short "
                            "of memory, an operator, a job runner's stop), so it left no result to reproduce; "
                            "this replay ran to its own end: " +
                            std::string(to_string(got.verdict)) + (got.signature.empty() ? "" : " (" + got.signature + ")") +
                            ", trace hash " + got_hash;
        return report;
    }
    if (want.verdict == Verdict::hang) {
        // A hang is the job's wall-clock limit, not a property of the run: a run that is only slow
        // meets it on a loaded machine and not on another, with the same trace.
        report.hang_ended = true;
        char took[32];
        std::snprintf(took, sizeof took, "%.1f s", got.wall_ms / 1000);
        report.conclusion = "ended here: the recorded worker was stopped at the job's wall-clock limit (" + want.detail +
                            "); this replay ran to its own end in " + took + " of wall-clock time: " +
                            std::string(to_string(got.verdict)) + (got.signature.empty() ? "" : " (" + got.signature + ")") +
                            ", trace hash " + got_hash +
                            ". A run that virtual time does not end would not have ended here either, so the recorded "
                            "run was most likely only slow there (the machine, its load, the other workers): run it "
                            "again on that machine, or fuzz with a larger --timeout";
        return report;
    }
    std::string what;
    if (want.verdict == Verdict::crash) {
        what = "the recorded " + std::string(to_string(want.verdict)) + " did not happen in this process (" +
               std::string(to_string(got.verdict)) + (got.signature.empty() ? "" : ": " + got.signature) + ")";
    } else if (got.verdict != want.verdict || got.signature != want.signature) {
        what = "verdict " + std::string(to_string(got.verdict)) +
               (got.signature.empty() ? "" : " (" + got.signature + ")") + ", recorded " +
               std::string(to_string(want.verdict)) + (want.signature.empty() ? "" : " (" + want.signature + ")") +
               "; trace hash " + got_hash + ", recorded " + want_hash;
    } else {
        what = "same verdict, but trace hash " + got_hash + " differs from the recorded " + want_hash;
    }
    std::string why;
    if (!report.changes.empty()) {
        why = "likely because " + report.changes.front();
        for (std::size_t i = 1; i < report.changes.size(); ++i) why += ", and " + report.changes[i];
    } else {
        // The file itself is not hashed: a hand edit of its seed, settings or plan looks the same.
        why = "same build and same scenario options, so unless the file's seed, settings or faults were edited, "
              "the run itself is not deterministic";
        if (auto cmd = run_command(spec)) why += "; check with: " + *cmd + " --check-determinism";
    }
    report.conclusion = "NOT reproduced: " + what + "; " + why;
    return report;
}

}  // namespace faultline::explore
