// Which faultline made a result: its version and build id (the git commit at configure time).
// Artifacts record both; replay compares them to say whether the build changed.
#pragma once

#include <string>

namespace faultline::explore {

std::string version();
std::string build_id();

}  // namespace faultline::explore
