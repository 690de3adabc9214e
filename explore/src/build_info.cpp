#include "explore/build_info.hpp"

#include "faultline_build_id.h"  // generated on every build (cmake/build_id.cmake)

namespace faultline::explore {

std::string version() { return FAULTLINE_VERSION; }
std::string build_id() { return FAULTLINE_BUILD_ID; }

}  // namespace faultline::explore
