// What replay says about a recorded run before re-running it: where its faults came from (the
// scenario file's timeline, its nemesis, an explicit plan; or not recorded, when the worker died),
// and whether the signal that killed a crashed worker came from outside the run.
#include <set>

#include "explore/replay.hpp"
#include "faultline/scenario_file.hpp"
#include "faultline/yaml_reader.hpp"

namespace faultline::explore {

namespace {

std::string faults_of(std::size_t n) { return std::to_string(n) + (n == 1 ? " fault" : " faults"); }

}  // namespace

std::optional<std::string> killed_from_outside(const Outcome& recorded) {
    if (recorded.verdict != Verdict::crash || !recorded.signature.starts_with("crash ")) return std::nullopt;
    const std::string signal = recorded.signature.substr(6);
    for (const char* external : {"SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"}) {
        if (signal == external) return signal;
    }
    return std::nullopt;
}

std::optional<DeclaredFaults> declared_faults(const Artifact& a) {
    try {
        const LoadedScenarioRef loaded = load_scenario(a.spec.scenario);
        if (!loaded.file) return std::nullopt;
        // A file edited since is not the one the run read: its timeline says nothing of the run's.
        if (a.hashed == "file" && !a.content_hash.empty() && loaded.file_hash != a.content_hash) return std::nullopt;
        const ScenarioSpec spec = load_spec(*loaded.file, a.spec.scenario.variant, all_overrides(a.spec));
        DeclaredFaults d;
        for (const FaultSpecEntry& f : spec.faults) d.timeline.emplace_back(f.at, f.kind);
        d.nemesis = spec.nemesis.has_value() && !spec.nemesis->faults.empty();
        return d;
    } catch (const InputError&) {
    } catch (const SpecError&) {
    }
    return std::nullopt;  // the replay itself says what is wrong with it
}

std::string faults_summary(const Artifact& a, const std::optional<DeclaredFaults>& declared) {
    if (a.spec.fault_plan) return std::to_string(a.spec.fault_plan->size()) + " (explicit plan)";
    std::string has;  // what the scenario file declares
    if (declared) {
        has = declared->timeline.empty() ? "none on the scenario's timeline"
                                         : faults_of(declared->timeline.size()) + " on the scenario's timeline";
        has += declared->nemesis ? ", and a nemesis that draws more from the seed" : ", no nemesis";
    }
    const Verdict v = a.expected.verdict;
    if (v == Verdict::crash || v == Verdict::hang || v == Verdict::error) {
        const char* how = v == Verdict::crash ? "crashed" : v == Verdict::hang ? "hung" : "could not run";
        return std::string("not recorded: the run ") + how + " before it could report them" +
               (declared ? " (" + has + ")" : "");
    }
    const std::size_t injected = a.recorded_plan.size();
    if (!declared) {
        return std::to_string(injected) + " recorded as injected" +
               (a.spec.scenario.path ? "" : " (by the built-in scenario's code)");
    }
    // A timeline fault is injected exactly at its time: an injected fault of the same kind at the
    // same instant is that one; the others were drawn by the nemesis.
    std::set<std::size_t> matched;
    for (const sim::PlannedFault& f : a.recorded_plan) {
        for (std::size_t n = 0; n < declared->timeline.size(); ++n) {
            const auto& [at, kind] = declared->timeline[n];
            if (matched.count(n) == 0 && kind == f.spec.kind && sim::Time(at) == f.at) {
                matched.insert(n);
                break;
            }
        }
    }
    const std::size_t on_timeline = matched.size(), drawn = injected - on_timeline;
    std::string parts;
    auto add = [&parts](const std::string& part) { parts += (parts.empty() ? ": " : ", ") + part; };
    if (!declared->timeline.empty()) add(std::to_string(on_timeline) + " from the scenario's timeline");
    if (declared->nemesis)
        add(std::to_string(drawn) + " drawn from the seed by its nemesis");
    else if (drawn > 0)
        add(std::to_string(drawn) + " not on its timeline");
    std::string out = std::to_string(injected) + " recorded as injected" + parts;
    if (!declared->nemesis) out += declared->timeline.empty() ? " (the scenario has no timeline and no nemesis)" : " (no nemesis)";
    if (on_timeline < declared->timeline.size())
        out += "; " + faults_of(declared->timeline.size() - on_timeline) + " of the timeline not reached (the run ended first)";
    return out;
}

}  // namespace faultline::explore
