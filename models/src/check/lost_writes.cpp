// The lost-writes checker: for each acknowledged write, look for a replica whose final value is
// the write's own or one a not-earlier write wrote.
#include "models/check/lost_writes.hpp"

#include <map>

namespace models::check {

namespace {

bool acknowledged_write(const Operation& op) {
    return op.outcome == Outcome::ok && (op.kind == OpKind::write || (op.kind == OpKind::cas && op.swapped));
}

}  // namespace

LostWritesReport check_lost_writes(const History& history, const FinalState& final_state) {
    LostWritesReport report;
    // key -> value -> the operations that wrote it
    std::map<std::string_view, std::map<std::string_view, std::vector<const Operation*>>> writers;
    for (const Operation& op : history.ops) {
        if (op.may_have_written()) writers[op.key][op.value].push_back(&op);
    }
    for (const auto& [replica, contents] : final_state) {
        for (const auto& [key, cell] : contents) {
            for (const std::string& v : cell.values) {
                auto k = writers.find(key);
                if (k == writers.end() || k->second.find(v) == k->second.end()) {
                    report.unexplained.push_back({replica, key, v});
                }
            }
        }
    }
    for (const Operation& w : history.ops) {
        if (!acknowledged_write(w)) continue;
        ++report.acknowledged;
        const auto& by_value = writers[w.key];
        bool held = false;
        for (const auto& [replica, contents] : final_state) {
            auto it = contents.find(w.key);
            if (it == contents.end()) continue;
            for (const std::string& v : it->second.values) {
                if (v == w.value) held = true;
                auto ws = by_value.find(v);
                if (ws == by_value.end()) continue;
                for (const Operation* other : ws->second) {
                    if (!precedes(*other, w)) held = true;
                }
            }
            if (held) break;
        }
        if (held) continue;
        LostWrite lost{w, {}};
        for (const auto& [replica, contents] : final_state) {
            auto it = contents.find(w.key);
            lost.holdings.emplace_back(replica, it == contents.end() ? std::nullopt : std::optional<Cell>(it->second));
        }
        report.lost.push_back(std::move(lost));
    }
    return report;
}

std::string LostWritesReport::describe(std::size_t examples_max) const {
    std::string out = std::to_string(lost.size()) + " of " + std::to_string(acknowledged) + " acknowledged writes lost";
    for (std::size_t i = 0; i < lost.size() && i < examples_max; ++i) {
        out += "\n  lost " + check::describe(lost[i].write) + "; replicas hold:";
        for (const auto& [replica, cell] : lost[i].holdings) out += " " + replica + "=" + check::describe(cell);
    }
    if (lost.size() > examples_max) out += "\n  ...";
    if (!unexplained.empty()) {
        out += "\n  " + std::to_string(unexplained.size()) + " held values no write in the history wrote, e.g. " +
               unexplained.front().replica + " " + unexplained.front().key + "=" + unexplained.front().value;
    }
    return out;
}

}  // namespace models::check
