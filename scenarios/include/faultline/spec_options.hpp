// A scenario file's effective options as rows of (path, value, type, help), with the paths that
// `--set` and `sweep --grid` take ("services.cache.cache.coalesce", "faults.0.kind"). Defaults are
// included: a field the file leaves out still has a value, and still has a path to set.
//
// Left out: the file's own bookkeeping (name, description, hypothesis, expect, variants,
// test_seeds, swarm), which reports show elsewhere or not at all. `faultline list --options`,
// reports and sweeps read these rows.
#pragma once

#include <vector>

#include "faultline/spec.hpp"

namespace faultline {

// Every option of a loaded spec, in the order of the spec's fields() and map keys.
std::vector<FieldInfo> spec_options(const ScenarioSpec& spec);

}  // namespace faultline
