// The stale-read checker. Per key, the acknowledged writes sorted by completion with a running
// maximum of their invocation times: a value is older than some write acknowledged before the read
// exactly when its writers all finished before that maximum.
#include "models/check/stale_reads.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace models::check {

namespace {

struct KeyWrites {
    std::vector<const Operation*> acked;  // by completion
    std::vector<std::size_t> latest;      // latest[i]: index in acked[0..i] of the largest invocation
    std::map<std::string_view, std::vector<const Operation*>> by_value;
};

}  // namespace

StaleReadReport check_stale_reads(const History& history, const StaleReadOptions& options) {
    StaleReadReport report;
    std::map<std::string_view, KeyWrites> keys;
    for (const Operation& op : history.ops) {
        if (!op.may_have_written()) continue;
        KeyWrites& k = keys[op.key];
        k.by_value[op.value].push_back(&op);
        if (op.outcome == Outcome::ok) k.acked.push_back(&op);
    }
    for (auto& [key, k] : keys) {
        std::stable_sort(k.acked.begin(), k.acked.end(),
                         [](const Operation* a, const Operation* b) { return a->completed < b->completed; });
        for (std::size_t i = 0; i < k.acked.size(); ++i) {
            std::size_t best = i;
            if (i > 0 && k.acked[k.latest[i - 1]]->invoked >= k.acked[i]->invoked) best = k.latest[i - 1];
            k.latest.push_back(best);
        }
    }
    for (const Operation& r : history.ops) {
        if (r.kind != OpKind::read || r.outcome != Outcome::ok) continue;
        ++report.reads;
        auto kit = keys.find(r.key);
        if (kit == keys.end()) {
            if (!r.read.empty()) ++report.unexplained;
            continue;
        }
        const KeyWrites& k = kit->second;
        // Acknowledged writes that finished before the read began: a prefix of `acked`, plus the
        // same client's writes acknowledged at the instant the read began (see precedes()).
        const auto end = std::partition_point(k.acked.begin(), k.acked.end(),
                                              [&](const Operation* w) { return w->completed < r.invoked; });
        const Operation* newest = nullptr;
        if (end != k.acked.begin()) newest = k.acked[k.latest[static_cast<std::size_t>(end - k.acked.begin()) - 1]];
        for (auto it = end; it != k.acked.end() && (*it)->completed == r.invoked; ++it) {
            if (precedes(**it, r) && (newest == nullptr || (*it)->invoked > newest->invoked)) newest = *it;
        }
        if (newest == nullptr) {
            // Nothing acknowledged before it: no value is too old, but a value nobody wrote is odd.
            bool any_known = r.read.empty();
            for (const std::string& v : r.read) any_known |= k.by_value.count(v) != 0;
            if (!any_known) ++report.unexplained;
            continue;
        }
        bool fresh = false;
        bool any_known = false;
        for (const std::string& v : r.read) {
            auto ws = k.by_value.find(v);
            if (ws == k.by_value.end()) continue;
            any_known = true;
            for (const Operation* w : ws->second) {
                if (!precedes(*w, *newest)) fresh = true;
            }
        }
        if (fresh) continue;
        if (!r.read.empty() && !any_known) {
            ++report.unexplained;
            continue;
        }
        ++report.stale;
        if (report.examples.size() < options.examples_max) report.examples.push_back({r, *newest});
    }
    return report;
}

std::string StaleReadReport::describe() const {
    char rate_text[32];
    std::snprintf(rate_text, sizeof rate_text, "%.4f", rate());
    std::string out = std::to_string(stale) + " of " + std::to_string(reads) + " reads stale (rate " + rate_text + ")";
    if (unexplained != 0) out += ", " + std::to_string(unexplained) + " returned values nobody wrote";
    for (const StaleRead& s : examples) {
        out += "\n  " + check::describe(s.read) + " missed " + check::describe(s.missed);
    }
    return out;
}

}  // namespace models::check
