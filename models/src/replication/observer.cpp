// The apply log: what changed on which replica, when, and why.
#include "observer.hpp"

#include <algorithm>

namespace models::replication::detail {

namespace {

// "1.3": incarnation 1, third write of that life (see VersionVector).
std::string counter_text(std::uint64_t counter) {
    return std::to_string(counter >> 40) + "." + std::to_string(counter & ((1ull << 40) - 1));
}

}  // namespace

check::Cell Observer::cell(const Siblings& versions) const {
    std::vector<const Version*> sorted;
    for (const Version& v : versions) sorted.push_back(&v);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Version* a, const Version* b) { return a->value < b->value; });
    check::Cell c;
    for (const Version* v : sorted) {
        c.values.push_back(v->value);
        if (!c.version.empty()) c.version += ",";
        switch (rule_) {
            case MergeRule::replace:
                c.version += "seq=" + std::to_string(v->stamp);
                break;
            case MergeRule::lww:
                c.version += "ts=" + std::to_string(v->stamp) + "@" + std::string(sim_.host(v->origin).name());
                break;
            case MergeRule::version_vector: {
                std::string vv = "{";
                for (const auto& [actor, counter] : v->clock.entries()) {
                    if (vv.size() > 1) vv += ",";
                    vv +=
                        std::string(sim_.host(static_cast<std::uint32_t>(actor)).name()) + ":" + counter_text(counter);
                }
                c.version += vv + "}";
                break;
            }
        }
    }
    return c;
}

check::Contents Observer::contents(const Data& data) const {
    check::Contents out;
    for (const auto& [key, versions] : data) {
        if (!versions.empty()) out.emplace(key, cell(versions));
    }
    return out;
}

void Observer::append(std::string_view replica, std::string_view key, std::optional<check::Cell> cell,
                      std::string_view cause) {
    check::Contents& mine = current_[std::string(replica)];
    if (cell)
        mine.insert_or_assign(std::string(key), *cell);
    else if (auto it = mine.find(key); it != mine.end())
        mine.erase(it);
    if (log_.size() >= entries_max_) {
        truncated_ = true;
        return;
    }
    log_.push_back({sim_.now(), std::string(replica), std::string(key), std::move(cell), std::string(cause)});
}

void Observer::changed(std::string_view replica, std::string_view key, const Siblings* now, std::string_view cause) {
    append(replica, key, (now == nullptr || now->empty()) ? std::nullopt : std::optional<check::Cell>(cell(*now)),
           cause);
}

void Observer::recovered(std::string_view replica, const Data& data) {
    const check::Contents now = contents(data);
    const check::Contents before = current_[std::string(replica)];
    // Keys in either view, in key order: what the crash took away and what came back.
    for (const auto& [key, cell] : before) {
        auto it = now.find(key);
        if (it == now.end())
            append(replica, key, std::nullopt, "recover");
        else if (!(it->second == cell))
            append(replica, key, it->second, "recover");
    }
    for (const auto& [key, cell] : now) {
        if (before.find(key) == before.end()) append(replica, key, cell, "recover");
    }
}

}  // namespace models::replication::detail
