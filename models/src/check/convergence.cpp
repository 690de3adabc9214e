// The convergence checker: compare final contents, then replay the apply log of each divergent key
// to find where the lasting disagreement began.
#include "models/check/convergence.hpp"

#include <algorithm>
#include <map>

namespace models::check {

namespace {

using State = std::map<std::string, std::optional<Cell>, std::less<>>;  // replica -> cell

bool all_equal(const State& s) {
    auto first = s.begin();
    return std::all_of(s.begin(), s.end(), [&](const auto& entry) { return entry.second == first->second; });
}

std::vector<ReplicaGroup> group(const State& s) {
    std::vector<ReplicaGroup> groups;
    for (const auto& entry : s) {
        // Not a structured binding: clang 14 cannot capture one in the lambda.
        const std::optional<Cell>& cell = entry.second;
        auto it = std::find_if(groups.begin(), groups.end(), [&](const ReplicaGroup& g) { return g.cell == cell; });
        if (it == groups.end()) {
            groups.push_back({{entry.first}, cell});
        } else {
            it->replicas.push_back(entry.first);
        }
    }
    // Largest group first: the odd ones out read last. Replica names within a group are already
    // sorted (the state map is), and stable_sort keeps first-name order among equal sizes.
    std::stable_sort(groups.begin(), groups.end(), [](const ReplicaGroup& a, const ReplicaGroup& b) {
        return a.replicas.size() > b.replicas.size();
    });
    return groups;
}

}  // namespace

ConvergenceReport check_convergence(const FinalState& final_state, const ApplyLog& log) {
    ConvergenceReport report;
    report.replicas = final_state.size();
    std::map<std::string, State, std::less<>> by_key;
    for (const auto& [replica, contents] : final_state) {
        for (const auto& [key, cell] : contents) by_key[key];
    }
    report.keys = by_key.size();
    for (auto& [key, state] : by_key) {
        for (const auto& [replica, contents] : final_state) {
            auto it = contents.find(key);
            state[replica] = it == contents.end() ? std::nullopt : std::optional<Cell>(it->second);
        }
    }
    // The log's entries per divergent key, in log order.
    std::map<std::string, std::vector<const Applied*>, std::less<>> entries;
    for (const auto& [key, state] : by_key) {
        if (!all_equal(state)) entries[key];
    }
    for (const Applied& a : log) {
        auto it = entries.find(a.key);
        if (it != entries.end()) it->second.push_back(&a);
    }
    for (const auto& [key, final_cells] : by_key) {
        if (all_equal(final_cells)) continue;
        Divergence d;
        d.key = key;
        d.groups = group(final_cells);
        State replay;
        for (const auto& [replica, cell] : final_cells) replay[replica] = std::nullopt;
        const Applied* began = nullptr;
        bool equal = true;
        for (const Applied* a : entries[key]) {
            auto it = replay.find(a->replica);
            if (it == replay.end()) continue;  // a replica not in the final state
            it->second = a->cell;
            const bool now_equal = all_equal(replay);
            if (equal && !now_equal) began = a;
            equal = now_equal;
        }
        if (!log.empty()) d.log_explains_final = replay == final_cells;
        if (began != nullptr && !equal) d.diverged_at = *began;
        report.divergences.push_back(std::move(d));
    }
    return report;
}

std::string ConvergenceReport::describe(std::size_t examples_max) const {
    if (converged()) {
        return "converged: " + std::to_string(replicas) + " replicas agree on " + std::to_string(keys) + " keys";
    }
    std::string out = "diverged: " + std::to_string(divergences.size()) + " of " + std::to_string(keys) +
                      " keys differ across " + std::to_string(replicas) + " replicas";
    for (std::size_t i = 0; i < divergences.size() && i < examples_max; ++i) {
        const Divergence& d = divergences[i];
        out += "\n  key " + d.key + ":";
        for (const ReplicaGroup& g : d.groups) {
            std::string names;
            for (const std::string& r : g.replicas) names += (names.empty() ? "" : ",") + r;
            out += " [" + names + "] " + check::describe(g.cell) + ";";
        }
        if (d.diverged_at)
            out += " diverged at " + check::describe(*d.diverged_at);
        else
            out += " divergence not in the apply log";
        if (!d.log_explains_final) out += " (the apply log does not end in the final state)";
    }
    if (divergences.size() > examples_max) out += "\n  ...";
    return out;
}

}  // namespace models::check
