// The checks a scenario file gets from the reader, for a ScenarioSpec filled in by hand in C++:
// every section's validate(), with the path the reader would give, and the places the reader
// would have stamped with a file and line. Cross-references are checked by building the world.
#pragma once

#include <string>

#include "faultline/spec.hpp"

namespace faultline {

// Gives every position left empty (no file, no line) the name of where the spec came from,
// "(c++)" say, so that a mistake found later is reported there rather than as a setting's.
void stamp_origin(ScenarioSpec& spec, const std::string& origin);

// Runs every section's validate(), innermost first as the reader does. Throws SpecError at the
// section's path ("services.api.calls[0]: timeout must be positive").
void validate_sections(ScenarioSpec& spec);

}  // namespace faultline
