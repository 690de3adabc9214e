// Determinism with every fault active: the chaos scenario under --check-determinism on many
// seeds, and every kind in the vocabulary injected somewhere across them.
#include <gtest/gtest.h>

#include <set>

#include "faultline/runner.hpp"
#include "sim/faults.hpp"
#include "sim/network.hpp"

namespace {

TEST(Chaos, EverySeedIsDeterministicAndRecoversWithEveryFaultKindInPlay) {
    const auto* info = faultline::builtin_scenarios().find("chaos");
    ASSERT_NE(info, nullptr);
    std::set<std::string> kinds_seen;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        faultline::RunSettings settings;
        settings.seed = seed;
        std::string error;
        auto report = faultline::check_determinism(*info, {}, settings, error);
        ASSERT_TRUE(report) << error;
        EXPECT_TRUE(report->ok) << "seed " << seed << " diverged at record " << report->divergence->index << "\n"
                                << report->divergence->first_run << "\n"
                                << report->divergence->second_run;
        EXPECT_EQ(report->run.result.verdict, sim::Verdict::pass) << "seed " << seed;
        for (const auto& [mark, count] : report->run.coverage) {
            if (mark.rfind("fault: ", 0) == 0) kinds_seen.insert(mark.substr(7));
        }
    }
    // Every kind of the standard vocabulary was injected on some seed.
    sim::Simulator s;
    sim::Network net(s);
    sim::Faults faults(s);
    sim::define_standard_faults(faults, &net);
    for (const std::string& k : faults.kind_names()) EXPECT_TRUE(kinds_seen.count(k)) << "never injected: " << k;
}

}  // namespace
