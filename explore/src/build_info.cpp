#include "explore/build_info.hpp"

namespace faultline::explore {

std::string version() { return FAULTLINE_VERSION; }
std::string build_id() { return FAULTLINE_BUILD_ID; }

}  // namespace faultline::explore
