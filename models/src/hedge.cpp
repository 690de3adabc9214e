// Hedging options (the hedged try itself is a template in caller.hpp).
#include "models/hedge.hpp"

#include <string>

namespace models {

sim::ParseError validate(const HedgeOptions& o) {
    if (o.delay.count() < 0) return std::string("hedge: delay must not be negative");
    if (o.hedges_max < 0 || o.hedges_max > HedgeOptions::hedges_limit) {
        return "hedge: hedges_max must be between 0 and " + std::to_string(HedgeOptions::hedges_limit);
    }
    return std::nullopt;
}

}  // namespace models
