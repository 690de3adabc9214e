// Version vectors and the three merge rules.
#include "models/replication/version.hpp"

#include <algorithm>
#include <tuple>

namespace models::replication {

std::uint64_t VersionVector::get(std::uint64_t actor) const noexcept {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(actor, std::uint64_t{0}));
    return (it != entries_.end() && it->first == actor) ? it->second : 0;
}

void VersionVector::set(std::uint64_t actor, std::uint64_t counter) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(actor, std::uint64_t{0}));
    if (it != entries_.end() && it->first == actor)
        it->second = counter;
    else
        entries_.insert(it, {actor, counter});
}

void VersionVector::merge(const VersionVector& other) {
    for (const auto& [actor, counter] : other.entries_) {
        if (counter > get(actor)) set(actor, counter);
    }
}

bool VersionVector::leq(const VersionVector& other) const noexcept {
    return std::all_of(entries_.begin(), entries_.end(),
                       [&](const auto& entry) { return entry.second <= other.get(entry.first); });
}

bool lww_before(const Version& a, const Version& b) noexcept {
    return std::tie(a.stamp, a.origin, a.value) < std::tie(b.stamp, b.origin, b.value);
}

bool merge(MergeRule rule, Siblings& siblings, const Version& incoming) {
    switch (rule) {
        case MergeRule::replace:
            if (siblings.size() == 1 && siblings.front() == incoming) return false;
            siblings.assign(1, incoming);
            return true;
        case MergeRule::lww:
            if (!siblings.empty() && !lww_before(siblings.front(), incoming)) return false;
            siblings.assign(1, incoming);
            return true;
        case MergeRule::version_vector: {
            for (const Version& s : siblings) {
                if (incoming.clock.leq(s.clock)) return false;  // already known, or older
            }
            std::erase_if(siblings, [&](const Version& s) { return s.clock.leq(incoming.clock); });
            auto at =
                std::lower_bound(siblings.begin(), siblings.end(), incoming, [](const Version& a, const Version& b) {
                    return std::tie(a.value, a.stamp) < std::tie(b.value, b.stamp);
                });
            siblings.insert(at, incoming);
            return true;
        }
    }
    return false;
}

}  // namespace models::replication
