// Option values for the scenario layer: the kernel's value syntax (sim/values.hpp), in this
// namespace for convenience.
#pragma once

#include "sim/values.hpp"

namespace faultline {
using sim::did_you_mean_or;
using sim::format_value;
using sim::nearest;
using sim::NamedEnum;
using sim::parse_value;
using sim::ParseError;
using sim::Rate;
using sim::type_hint;
}  // namespace faultline
