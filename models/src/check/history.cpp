// The history types' text forms and the recorder.
#include "models/check/history.hpp"

#include <algorithm>

#include "models/check/replica_state.hpp"
#include "sim/check.hpp"

namespace models::check {

std::string_view to_string(OpKind kind) noexcept {
    switch (kind) {
        case OpKind::read:
            return "read";
        case OpKind::write:
            return "write";
        case OpKind::cas:
            return "cas";
    }
    return "?";
}

std::string_view to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::ok:
            return "ok";
        case Outcome::fail:
            return "fail";
        case Outcome::unknown:
            return "unknown";
    }
    return "?";
}

namespace {
std::string join_values(const std::vector<std::string>& values) {
    if (values.empty()) return "absent";
    if (values.size() == 1) return values.front();
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) out.append(i ? "," : "").append(values[i]);
    return out.append("}");
}
}  // namespace

std::string describe(const Operation& op) {
    // Built by appending: g++ 12 warns (-Wrestrict, a false positive) on "literal" + std::string&&.
    std::string out = "#";
    out.append(std::to_string(op.id)).append(" ").append(op.client).append(" ");
    out.append(to_string(op.kind)).append(" ").append(op.key);
    switch (op.kind) {
        case OpKind::read:
            if (op.outcome == Outcome::ok) out.append(" -> ").append(join_values(op.read));
            break;
        case OpKind::write:
            out.append("=").append(op.value);
            break;
        case OpKind::cas:
            out.append(" ").append(op.expected.value_or("absent")).append("->").append(op.value);
            if (op.outcome == Outcome::ok) out.append(op.swapped ? " (swapped)" : " (no match)");
            break;
    }
    out.append(" [").append(sim::format_time(op.invoked)).append(", ");
    out.append(op.completed == sim::time_never ? std::string("never") : sim::format_time(op.completed));
    out.append("] ").append(to_string(op.outcome));
    return out;
}

std::string describe(const std::optional<Cell>& cell) {
    if (!cell) return "absent";
    return join_values(cell->values) + (cell->version.empty() ? "" : "@" + cell->version);
}

std::string describe(const Applied& entry) {
    return sim::format_time(entry.time) + " " + entry.replica + " " + entry.key + " <- " + describe(entry.cell) + " (" +
           entry.cause + ")";
}

std::uint64_t HistoryRecorder::invoke(sim::Time at, std::string client, OpKind kind, std::string key, std::string value,
                                      std::optional<std::string> expected) {
    if (full()) {
        if (!full_at_) full_at_ = at;
        return 0;
    }
    Operation op;
    op.id = history_.ops.size() + 1;  // ids are positions + 1: op() finds an operation at once
    op.client = std::move(client);
    op.kind = kind;
    op.key = std::move(key);
    op.value = std::move(value);
    op.expected = std::move(expected);
    op.invoked = at;
    history_.ops.push_back(std::move(op));
    completed_.push_back(false);
    return history_.ops.back().id;
}

void HistoryRecorder::complete(std::uint64_t id, sim::Time at, Outcome outcome, std::vector<std::string> read,
                               bool swapped) {
    SIM_ASSERT(id >= 1 && id <= history_.ops.size(), "completing an operation that was never invoked");
    SIM_ASSERT(!completed_[id - 1], "an operation completed twice");
    completed_[id - 1] = true;
    Operation& op = history_.ops[id - 1];
    SIM_ASSERT(at >= op.invoked, "an operation completed before it was invoked");
    op.completed = at;
    op.outcome = outcome;
    std::sort(read.begin(), read.end());
    op.read = std::move(read);
    op.swapped = swapped;
}

const Operation& HistoryRecorder::op(std::uint64_t id) const {
    SIM_ASSERT(id >= 1 && id <= history_.ops.size(), "no such operation");
    return history_.ops[id - 1];
}

}  // namespace models::check
