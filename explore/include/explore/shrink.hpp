// `faultline shrink ARTIFACT`: cut a failing run down to a small one that still fails with the
// same signature: fewer faults (delta debugging over the fault plan), shorter fault windows
// (halving), smaller options (the scenario's swarm choices below the current value), and a
// shorter run (ending at the failure). Every candidate runs in a worker process and must fail
// with the same signature to be kept. The result is a regression file with an explicit fault plan.
//
// Why delta debugging and not RapidCheck's shrinking: the failing plan is a fixed recorded list,
// not a value produced by a generator; ddmin needs no generator, is 1-minimal by construction
// (removing any one remaining fault makes the failure go away) and needs O(n log n) runs in the
// usual case. RapidCheck is used in the tests, to check that property of ddmin.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "explore/artifact.hpp"

namespace faultline::explore {

// A 1-minimal subset of {0, ..., n-1} (as sorted indices) for which `fails` holds, assuming it
// holds for the whole set. `runs_left` bounds the calls to `fails` (it is decremented; at zero
// the best subset so far is returned). Results are cached: no subset is tested twice.
// `ran_out`, if given, is set when a test was wanted past the budget (the result may then not be
// 1-minimal); a budget that ends just as the search does is not running out.
std::vector<std::size_t> ddmin(std::size_t n, const std::function<bool(const std::vector<std::size_t>&)>& fails,
                               std::size_t& runs_left, bool* ran_out = nullptr);

using Evaluate = std::function<Outcome(const RunSpec&)>;

struct ShrinkOptions {
    std::size_t runs_max = 500;
    std::function<void(const std::string&)> log;  // one line per step
};

struct ShrinkResult {
    Artifact regression;  // kind "regression": explicit plan, expected outcome of the shrunk run
    std::size_t runs = 0;
    std::size_t faults_before = 0;
    std::size_t faults_after = 0;
    bool budget_exhausted = false;
    std::vector<std::string> steps;  // what each phase achieved, in words
};

// The plan shrinking starts from: the artifact's explicit plan, else what its run recorded as
// injected; for a run that crashed or hung (it recorded nothing), the faults its scenario plans
// for its seed, from building the world without running it. `why` says where it came from when
// it was not recorded ("" otherwise). InputError when the scenario cannot be made.
sim::FaultPlan plan_to_shrink(const Artifact& failing, std::string& why);
// Whether the artifact holds its faults (an explicit plan, or what its run recorded): not for a
// run that crashed or hung.
bool faults_recorded(const Artifact& a);

// InputError when the artifact does not fail with its signature when run with that plan as an
// explicit plan (there is then nothing to shrink towards).
ShrinkResult shrink(const Artifact& failing, const Evaluate& evaluate, const ShrinkOptions& options);

}  // namespace faultline::explore
