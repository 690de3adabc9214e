// Options a model is constructed with must pass their validate(): a model built from bad options
// is a bug in the caller, reported as an assertion (inside a run: a failure with the seed).
#pragma once

#include <utility>

#include "sim/check.hpp"
#include "sim/values.hpp"

namespace models {

template <class Options>
Options checked(Options o) {
    const sim::ParseError problem = validate(o);
    SIM_ASSERT(!problem, problem.value_or(""));
    return o;
}

}  // namespace models
