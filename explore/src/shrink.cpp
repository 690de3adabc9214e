#include "explore/shrink.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>

#include "explore/workers.hpp"
#include "faultline/runner.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

std::vector<std::size_t> ddmin(std::size_t n, const std::function<bool(const std::vector<std::size_t>&)>& fails,
                               std::size_t& runs_left, bool* ran_out) {
    std::vector<std::size_t> current(n);
    std::iota(current.begin(), current.end(), std::size_t{0});
    std::map<std::vector<std::size_t>, bool> cache;
    bool out_of_runs = false;
    auto test = [&](const std::vector<std::size_t>& subset) {
        if (auto it = cache.find(subset); it != cache.end()) return it->second;
        if (runs_left == 0) {
            out_of_runs = true;
            if (ran_out != nullptr) *ran_out = true;
            return false;
        }
        --runs_left;
        return cache[subset] = fails(subset);
    };
    if (n == 0) return current;
    if (test({})) return {};  // it fails with no fault at all
    std::size_t granularity = 2;
    while (current.size() >= 2 && !out_of_runs) {
        // Split into `granularity` chunks of near-equal size.
        std::vector<std::vector<std::size_t>> chunks;
        const std::size_t size = current.size();
        for (std::size_t i = 0; i < granularity; ++i) {
            const std::size_t begin = i * size / granularity, end = (i + 1) * size / granularity;
            chunks.emplace_back(current.begin() + static_cast<std::ptrdiff_t>(begin),
                                current.begin() + static_cast<std::ptrdiff_t>(end));
        }
        bool reduced = false;
        for (const auto& chunk : chunks) {  // reduce to a subset
            if (!chunk.empty() && test(chunk)) {
                current = chunk;
                granularity = 2;
                reduced = true;
                break;
            }
        }
        if (!reduced && granularity > 2) {  // reduce to a complement (with 2 chunks, the same as above)
            for (const auto& chunk : chunks) {
                std::vector<std::size_t> complement;
                std::set_difference(current.begin(), current.end(), chunk.begin(), chunk.end(),
                                    std::back_inserter(complement));
                if (test(complement)) {
                    current = complement;
                    granularity = std::max<std::size_t>(granularity - 1, 2);
                    reduced = true;
                    break;
                }
            }
        }
        if (!reduced) {
            if (granularity >= current.size()) break;  // every single removal passes: 1-minimal
            granularity = std::min(current.size(), granularity * 2);
        }
    }
    return current;
}

namespace {
std::optional<double> as_number(const std::string& text) {
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return v;
}

void set_override(RunSpec& spec, const std::string& path, const std::string& value) {
    std::erase_if(spec.overrides, [&](const Override& o) { return o.path == path; });
    std::erase_if(spec.swarm, [&](const Override& o) { return o.path == path; });
    spec.overrides.push_back({path, value});
}

sim::Duration total_windows(const sim::FaultPlan& plan) {
    sim::Duration t{};
    for (const sim::PlannedFault& f : plan) t += f.duration.value_or(sim::Duration{});
    return t;
}
}  // namespace

bool faults_recorded(const Artifact& a) {
    return a.spec.fault_plan || (a.expected.verdict != Verdict::crash && a.expected.verdict != Verdict::hang);
}

sim::FaultPlan plan_to_shrink(const Artifact& failing, std::string& why) {
    why.clear();
    if (failing.spec.fault_plan) return *failing.spec.fault_plan;
    if (faults_recorded(failing)) return failing.recorded_plan;
    const Verdict v = failing.expected.verdict;
    const LoadedScenarioRef loaded = load_scenario(failing.spec.scenario);
    std::string error;
    std::optional<sim::FaultPlan> plan =
        planned_faults(*loaded.info, all_overrides(failing.spec), settings_for(failing.spec), error);
    if (!plan) throw InputError("scenario '" + failing.spec.scenario.name + "': " + error);
    why = std::string("not recorded (the run ") + (v == Verdict::crash ? "crashed" : "hung") +
          "): the scenario's plan for seed " + std::to_string(failing.spec.seed) + " has " +
          std::to_string(plan->size()) + (plan->size() == 1 ? " fault" : " faults");
    return *plan;
}

ShrinkResult shrink(const Artifact& failing, const Evaluate& evaluate, const ShrinkOptions& options) {
    const std::string target = failing.expected.signature;
    if (target.empty())
        throw InputError("the artifact records no failure (verdict " +
                         std::string(to_string(failing.expected.verdict)) + "): nothing to shrink");
    if (failing.expected.verdict == Verdict::error)
        throw InputError("the artifact records a run that could not start (" + failing.expected.detail +
                         "): a configuration error, with no faults to shrink; fix the scenario or its swarm space");
    ShrinkResult result;
    auto say = [&](const std::string& line) {
        result.steps.push_back(line);
        if (options.log) options.log(line);
    };
    std::size_t runs_left = options.runs_max;
    RunSpec spec = failing.spec;
    std::string planned_why;
    spec.fault_plan = plan_to_shrink(failing, planned_why);
    result.faults_before = spec.fault_plan->size();
    if (!planned_why.empty()) say("faults: " + planned_why);

    // Runs a candidate; keeps its outcome when it fails the same way (and in `seen`, if given).
    std::optional<Outcome> last_failing;
    auto still_fails = [&](const RunSpec& candidate, Outcome* seen = nullptr) {
        if (runs_left == 0) {
            result.budget_exhausted = true;
            return false;
        }
        --runs_left;
        ++result.runs;
        Outcome o = evaluate(candidate);
        if (seen != nullptr) *seen = o;
        if (o.signature != target) return false;
        last_failing = std::move(o);
        return true;
    };

    if (Outcome first; !still_fails(spec, &first)) {
        // A run that could not start (a fault the world cannot inject, a scenario gone) is the
        // file's error; one that ran and ended otherwise is said as it ended.
        if (auto e = worker_input_error(first)) throw InputError(*e);
        throw InputError("the run does not fail with '" + target + "' when its " +
                         (planned_why.empty() ? "recorded fault plan is" : "scenario's planned faults are") +
                         " given explicitly (it ended " + std::string(to_string(first.verdict)) +
                         (first.signature.empty() ? "" : ": " + first.signature) +
                         "), so there is nothing to shrink towards");
    }
    Outcome best = *last_failing;

    auto shrink_plan = [&] {
        const sim::FaultPlan plan = *spec.fault_plan;
        const std::size_t before = plan.size();
        const std::size_t runs_before = result.runs;
        std::map<std::vector<std::size_t>, Outcome> failing_outcomes;
        bool ddmin_ran_out = false;
        std::vector<std::size_t> keep = ddmin(
            plan.size(),
            [&](const std::vector<std::size_t>& subset) {
                RunSpec candidate = spec;
                candidate.fault_plan = sim::FaultPlan{};
                for (std::size_t i : subset) candidate.fault_plan->push_back(plan[i]);
                ++result.runs;
                Outcome o = evaluate(candidate);
                if (o.signature != target) return false;
                failing_outcomes[subset] = std::move(o);
                return true;
            },
            runs_left, &ddmin_ran_out);
        if (ddmin_ran_out) result.budget_exhausted = true;
        if (keep.size() == plan.size()) return false;
        sim::FaultPlan kept;
        for (std::size_t i : keep) kept.push_back(plan[i]);
        spec.fault_plan = kept;
        best = failing_outcomes.at(keep);
        say("faults: " + std::to_string(before) + " -> " + std::to_string(kept.size()) + " (delta debugging, " +
            std::to_string(result.runs - runs_before) + " runs)");
        return true;
    };

    // 1. Fewer faults.
    if (!shrink_plan()) {
        say("faults: " + std::to_string(spec.fault_plan->size()) +
            (result.budget_exhausted ? ", none removed before --runs-max ran out" : ", none can go"));
    }

    // 2. Smaller options: the scenario's swarm choices below the current value, smallest first.
    const LoadedScenarioRef loaded = load_scenario(spec.scenario);
    const ScenarioInfo& info = *loaded.info;
    bool options_changed = false;
    if (info.swarm) {
        std::map<std::string, std::string> current(best.options.begin(), best.options.end());
        for (const SwarmDimension& d : info.swarm()) {
            auto it = current.find(d.path);
            if (it == current.end()) continue;
            const auto now = as_number(it->second);
            if (!now) continue;
            std::vector<std::pair<double, std::string>> smaller;
            for (const std::string& c : d.choices) {
                if (auto v = as_number(c); v && *v < *now) smaller.emplace_back(*v, c);
            }
            std::sort(smaller.begin(), smaller.end());
            for (const auto& [value, text] : smaller) {
                RunSpec candidate = spec;
                set_override(candidate, d.path, text);
                if (still_fails(candidate)) {
                    say("option " + d.path + ": " + it->second + " -> " + text);
                    spec = candidate;
                    best = *last_failing;
                    options_changed = true;
                    break;
                }
            }
        }
        if (options_changed) shrink_plan();  // a smaller system may need fewer faults
    }

    // 3. Shorter fault windows: halve each (to whole milliseconds) while the failure stays.
    const sim::Duration windows_before = total_windows(*spec.fault_plan);
    for (std::size_t i = 0; i < spec.fault_plan->size(); ++i) {
        for (;;) {
            const std::optional<sim::Duration> d = (*spec.fault_plan)[i].duration;
            if (!d) break;
            const sim::Duration half = std::chrono::duration_cast<std::chrono::milliseconds>(*d / 2);
            if (half < std::chrono::milliseconds(1) || half == *d) break;
            RunSpec candidate = spec;
            (*candidate.fault_plan)[i].duration = half;
            if (!still_fails(candidate)) break;
            spec = candidate;
            best = *last_failing;
        }
    }
    const sim::Duration windows_after = total_windows(*spec.fault_plan);
    if (windows_after < windows_before) {
        say("fault windows: " + sim::format_duration(windows_before) + " -> " + sim::format_duration(windows_after) +
            " in total");
    }

    // 4. A shorter run: end it just after the failure.
    const sim::Duration end = std::chrono::ceil<std::chrono::milliseconds>(best.end_time.time_since_epoch());
    std::optional<sim::Duration> planned = spec.duration;
    if (!planned) {  // the scenario's own planned length
        std::string error;
        if (std::unique_ptr<Scenario> s = info.make(all_overrides(spec), error)) {
            sim::Options o{};
            s->configure(o);
            if (o.duration) planned = *o.duration;  // (a copy of the optional: g++ 12 -Wmaybe-uninitialized)
        }
    }
    if (best.verdict == Verdict::fail && (!planned || end < *planned)) {
        RunSpec candidate = spec;
        candidate.duration = end;
        // A fault after the end never happens (one left by a --runs-max stop): a regression file
        // that plans one is refused when it is read.
        std::erase_if(*candidate.fault_plan,
                      [end](const sim::PlannedFault& f) { return f.at.time_since_epoch() > end; });
        if (still_fails(candidate)) {
            say("run: ends at " + sim::format_duration(end) + " (the failure's time)");
            spec = candidate;
            best = *last_failing;
        }
    }

    result.faults_after = spec.fault_plan->size();
    result.regression = make_artifact(spec, best);
    result.regression.kind = "regression";
    Json steps = Json::array();
    for (const std::string& s : result.steps) steps.push_back(s);
    result.regression.notes = {
        {"shrunk_from", {{"seed", failing.spec.seed}, {"signature", target}, {"faults", result.faults_before}}},
        {"shrink_runs", result.runs},
        {"steps", steps},
        {"budget_exhausted", result.budget_exhausted}};
    return result;
}

}  // namespace faultline::explore
