#include "explore/swarm.hpp"

#include "sim/random.hpp"

namespace faultline::explore {

std::vector<Override> draw_swarm(const ScenarioInfo& info, std::uint64_t seed, const std::set<std::string>& fixed) {
    std::vector<Override> out;
    if (!info.swarm) return out;
    // A stream of its own, per dimension: adding a dimension does not change the others' draws,
    // and nothing here touches the streams the run itself draws from.
    const sim::Rng root = sim::Rng::derive(seed, "faultline/swarm");
    for (const SwarmDimension& d : info.swarm()) {
        if (d.choices.empty() || fixed.count(d.path) != 0) continue;
        sim::Rng r = root.fork(d.path);
        out.push_back({d.path, d.choices[static_cast<std::size_t>(r.uniform_u64(d.choices.size()))]});
    }
    return out;
}

}  // namespace faultline::explore
