// Swarm testing: each seed also draws its configuration from the scenario's swarm space (which
// fault kinds are on and at what rate, zero included, and other options the scenario marks), so
// that a long job covers many configurations and not only the defaults. The draw depends only on
// (seed, option path): it is reproducible, and it is stored with the result anyway.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "faultline/scenario.hpp"

namespace faultline::explore {

// One choice per dimension, as overrides; dimensions whose path is in `fixed` (options the user
// set) are left alone.
std::vector<Override> draw_swarm(const ScenarioInfo& info, std::uint64_t seed, const std::set<std::string>& fixed);

}  // namespace faultline::explore
