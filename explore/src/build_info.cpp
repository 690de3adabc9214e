#include "explore/build_info.hpp"

#include <string_view>

#include "faultline_build_id.h"  // generated on every build (cmake/build_id.cmake)

namespace faultline::explore {

std::string version() { return FAULTLINE_VERSION; }
std::string build_id() { return FAULTLINE_BUILD_ID; }

namespace {
std::string& program() {
    static std::string name = "faultline";
    return name;
}
}  // namespace

const std::string& program_name() { return program(); }

void set_program_name(const char* argv0) {
    const std::string_view path = argv0 != nullptr ? argv0 : "";
    const std::string_view base = path.substr(path.rfind('/') + 1);  // npos + 1 is 0: no '/', all of it
    program() = base.empty() ? "faultline" : std::string(base);
}

}  // namespace faultline::explore
