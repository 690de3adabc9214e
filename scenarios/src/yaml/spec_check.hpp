// The checks a scenario file gets from the reader, for a ScenarioSpec filled in by hand in C++:
// every section's validate(), with the path the reader would give. Cross-references are checked
// by building the world, which places a hand-filled spec's mistakes at its origin.
#pragma once

#include <string>

#include "faultline/spec.hpp"

namespace faultline {

// Runs every section's validate(), innermost first as the reader does. Throws SpecError at the
// section's path ("services.api.calls[0]: timeout must be positive"), placed where the section
// is written, or at `origin` for a spec filled in by hand ("(c++)").
void validate_sections(ScenarioSpec& spec, const std::string& origin);

}  // namespace faultline
