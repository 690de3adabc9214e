// The short configurations explore_bench measures fuzzing throughput on by default: the scenario
// shortened so that a seed takes well under a second, with its invariants' windows moved to fit.
// A test (tests/explore/short_configuration_test.cpp) runs them too, so that a stricter loader
// cannot leave the benchmark refusing its own default, as happened once when the loader began
// rejecting a recovery baseline that starts during the ramp-up.
#pragma once

#include <string_view>
#include <vector>

#include "faultline/fields.hpp"

namespace bench {

// The overrides for `scenario`'s short configuration; empty if it has none (it runs as it is).
inline std::vector<faultline::Override> short_configuration(std::string_view scenario) {
    if (scenario == "chaos") return {{"duration", "30s"}, {"quiet_at", "20s"}, {"recovery_within", "10s"}};
    if (scenario == "cache-flush-stampede") {
        // 45 s: the ramp-up ends at 10 s, the restart at 15 s, recovery judged from 16 s to 41 s.
        return {{"duration", "45s"},
                {"workloads.users.open_loop.ramp_up", "10s"},
                {"faults.0.at", "15s"},
                {"invariants.0.recovers.baseline_from", "10s"},
                {"invariants.0.recovers.baseline_to", "14s"},
                {"invariants.0.recovers.after", "16s"},
                {"invariants.0.recovers.within", "25s"}};
    }
    return {};
}

}  // namespace bench
