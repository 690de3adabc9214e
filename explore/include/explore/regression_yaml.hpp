// A shrunk failure as a plain scenario file: the original YAML with the run's variant, swarm
// draws and overrides written in, its nemesis and variants removed, and the shrunk fault plan as
// an explicit `faults:` timeline (no seed needed to draw faults). `expect` says the run fails the
// way it did and `test_seeds` names the seed, so the file is a regression test to commit:
// `faultline run FILE.yaml --seed N` fails until the bug is fixed.
//
// Built-in (C++) scenarios have no file to copy; they keep the JSON regression file only.
#pragma once

#include <optional>
#include <string>

#include "explore/artifact.hpp"

namespace faultline::explore {

// The YAML text, or nothing with `why_not` set (a built-in scenario, an unreadable file).
std::optional<std::string> regression_yaml(const Artifact& regression, std::string& why_not);

// "dir/x.shrunk.json" -> "dir/x.shrunk.yaml"
std::string regression_yaml_path(const std::string& json_path);

}  // namespace faultline::explore
