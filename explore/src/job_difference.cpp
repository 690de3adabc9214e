// When two fuzzing jobs are one job, for --resume and merge: the same scenario with the same
// content, the same --set overrides taken as a set, the same swarm mode and run settings. The seed
// range, the shard and the build may differ (callers say so separately).
#include <algorithm>

#include "explore/results.hpp"
#include "faultline/yaml_reader.hpp"

namespace faultline::explore {

namespace {

// Whether two settings touch the same option: the same path ("faults[0].at" is "faults.0.at"), or
// one inside the other ("replicas" and "replicas.0"). Only then does their order matter.
bool overlap(const std::string& a, const std::string& b) {
    const std::string x = dotted_path(a), y = dotted_path(b);
    const std::string& shorter = x.size() <= y.size() ? x : y;
    const std::string& longer = x.size() <= y.size() ? y : x;
    if (longer.compare(0, shorter.size(), shorter) != 0) return false;
    return longer.size() == shorter.size() || longer[shorter.size()] == '.';
}

bool same_overrides(const std::vector<Override>& a, const std::vector<Override>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Override& x, const Override& y) {
        return dotted_path(x.path) == dotted_path(y.path) && x.value == y.value;
    });
}

std::string text(const std::vector<Override>& overrides) {
    std::string t;
    for (const Override& o : overrides) t += (t.empty() ? "" : " ") + o.path + "=" + o.value;
    return t.empty() ? std::string("(none)") : t;
}

// A built-in scenario's options are typed: `crash_rate=3.0` and `crash_rate=3` set the same value,
// which its effective options show. (A scenario file's effective options name only the file, so
// its settings are compared as written.) The same paths are required: swarm mode draws the others.
bool same_effective_options(const JobConfig& a, const std::vector<Override>& ca, const std::vector<Override>& cb) {
    if (a.scenario.path || !builtin_scenarios().find(a.scenario.name) || ca.size() != cb.size()) return false;
    for (std::size_t i = 0; i < ca.size(); ++i) {
        if (dotted_path(ca[i].path) != dotted_path(cb[i].path)) return false;
    }
    RunSpec x, y;
    x.scenario = y.scenario = a.scenario;
    x.overrides = ca;
    y.overrides = cb;
    try {
        return effective_options(x) == effective_options(y);
    } catch (const InputError&) {
        return false;
    }
}

}  // namespace

std::vector<Override> canonical_overrides(const std::vector<Override>& overrides) {
    // Last wins: a setting is dropped when the next later setting touching its option sets the
    // same path (so nothing in between used what it set).
    std::vector<Override> kept;
    for (std::size_t i = 0; i < overrides.size(); ++i) {
        bool replaced = false;
        for (std::size_t k = i + 1; k < overrides.size(); ++k) {
            if (!overlap(overrides[i].path, overrides[k].path)) continue;
            replaced = dotted_path(overrides[i].path) == dotted_path(overrides[k].path);
            break;
        }
        if (!replaced) kept.push_back(overrides[i]);
    }
    // Settings that touch different options commute: take, again and again, the smallest path
    // among those not held back by an earlier overlapping one still waiting. Two lists that differ
    // only in the order of independent settings come out the same.
    std::vector<Override> out;
    std::vector<bool> taken(kept.size(), false);
    while (out.size() < kept.size()) {
        std::size_t best = kept.size();
        for (std::size_t i = 0; i < kept.size(); ++i) {
            if (taken[i]) continue;
            bool held = false;
            for (std::size_t k = 0; k < i && !held; ++k) held = !taken[k] && overlap(kept[k].path, kept[i].path);
            if (held) continue;
            if (best == kept.size() || dotted_path(kept[i].path) < dotted_path(kept[best].path)) best = i;
        }
        taken[best] = true;
        out.push_back(kept[best]);
    }
    return out;
}

bool same_settings(const JobConfig& job, const std::vector<Override>& a, const std::vector<Override>& b) {
    const std::vector<Override> ca = canonical_overrides(a), cb = canonical_overrides(b);
    return same_overrides(ca, cb) || same_effective_options(job, ca, cb);
}

std::optional<std::string> job_difference(const JobConfig& a, const JobConfig& b) {
    // A scenario file is the same by its path (as typed, or absolute) or by its bytes: a copy of
    // it elsewhere (another checkout, another machine's path) is the same job.
    const bool same_bytes = a.scenario.path && b.scenario.path && !a.content_hash.empty() &&
                            a.content_hash == b.content_hash && a.scenario.name == b.scenario.name &&
                            a.scenario.variant == b.scenario.variant;
    if (!(a.scenario == b.scenario) && !same_bytes) {
        // Two files of one scenario (by name and variant): their bytes are what differs.
        if (a.scenario.path && b.scenario.path && a.scenario.name == b.scenario.name &&
            a.scenario.variant == b.scenario.variant && !a.content_hash.empty() && !b.content_hash.empty()) {
            return "the scenario file " + b.scenario.absolute.value_or(*b.scenario.path) + " is not the job's " +
                   a.scenario.absolute.value_or(*a.scenario.path) + " (content hash " + a.content_hash + " vs " +
                   b.content_hash + ")";
        }
        return "scenario '" + a.scenario.text() + "' vs '" + b.scenario.text() + "'";
    }
    // A job.json from before content hashes were kept has none: accepted, as it was then.
    if (!a.content_hash.empty() && !b.content_hash.empty() && a.content_hash != b.content_hash) {
        // The same relative name may be another file (run from another directory), or the file edited.
        const bool other = a.scenario.absolute && b.scenario.absolute && *a.scenario.absolute != *b.scenario.absolute;
        return (other ? "the scenario file " + *b.scenario.absolute + " is not the job's " + *a.scenario.absolute
                      : std::string("the scenario file's content differs")) +
               " (content hash " + a.content_hash + " vs " + b.content_hash + ")";
    }
    if (!same_settings(a, a.overrides, b.overrides))
        return "overrides " + text(canonical_overrides(a.overrides)) + " vs " + text(canonical_overrides(b.overrides));
    if (a.swarm != b.swarm)
        return std::string("swarm mode ") + (a.swarm ? "on" : "off") + " vs " + (b.swarm ? "on" : "off");
    if (a.shuffle_ties != b.shuffle_ties)
        return std::string("--shuffle-ties ") + (a.shuffle_ties ? "on" : "off") + " vs " +
               (b.shuffle_ties ? "on" : "off");
    if (a.buggify != b.buggify)
        return std::string("--buggify ") + (a.buggify ? "on" : "off") + " vs " + (b.buggify ? "on" : "off");
    if (a.time_max != b.time_max || a.events_max != b.events_max) return "run limits (--time-max, --events-max) differ";
    return std::nullopt;
}

}  // namespace faultline::explore
