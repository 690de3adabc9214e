// A shrunk failure as a plain scenario file: the original YAML with the run's variant, swarm
// draws and overrides written in, its nemesis and variants removed, and the shrunk fault plan as
// an explicit `faults:` timeline (no seed needed to draw faults). `expect` says the run fails the
// way it did and `test_seeds` names the seed, so the file is a regression test to commit:
// `faultline run FILE.yaml --seed N` fails until the bug is fixed. The job's --events-max and
// --time-max go into `limits` (a runaway owes its verdict to them); a --time-max shorter than the
// duration cannot be said in a file, and then there is no file. --shuffle-ties and --buggify
// cannot be said either: the file's first lines and regression_run_flags give them.
//
// Built-in (C++) scenarios have no file to copy; they keep the JSON regression file only.
#pragma once

#include <optional>
#include <string>

#include "explore/artifact.hpp"

namespace faultline::explore {

// The YAML text, or nothing with `why_not` set (a built-in scenario, an unreadable file).
std::optional<std::string> regression_yaml(const Artifact& regression, std::string& why_not);

// What `run FILE` needs besides the file to be the regression's run: " --seed 30 --shuffle-ties".
std::string regression_run_flags(const RunSpec& spec);

// "dir/x.shrunk.json" -> "dir/x.shrunk.yaml"
std::string regression_yaml_path(const std::string& json_path);

}  // namespace faultline::explore
