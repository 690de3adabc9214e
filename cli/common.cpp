#include "common.hpp"

namespace faultline::cli {

ResolvedScenario resolve_scenario(const std::string& arg) {
    ResolvedScenario out;
    out.info = builtin_scenarios().find(arg);
    if (out.info) return out;
    std::string msg = "unknown scenario '" + arg + "'";
    if (auto near = nearest(arg, builtin_scenarios().names())) msg += " (did you mean '" + *near + "'?)";
    throw UsageError(msg + "; 'faultline list' shows the scenarios");
}

std::vector<Override> parse_overrides(const std::vector<std::string>& sets) {
    std::vector<Override> out;
    for (const std::string& s : sets) {
        std::size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError("--set expects path=value, got '" + s + "'");
        out.push_back({s.substr(0, eq), s.substr(eq + 1)});
    }
    return out;
}

}  // namespace faultline::cli
