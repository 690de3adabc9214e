// Client-side adaptive throttling (see throttle.hpp).
#include "models/throttle.hpp"

#include <string>

#include "models/checked.hpp"
#include "sim/check.hpp"

namespace models {

sim::ParseError validate(const ThrottleOptions& o) {
    if (!(o.k >= 1 && o.k <= 100)) return std::string("throttle: k must be between 1 and 100");
    if (o.window_buckets < 1 || o.window_buckets > RollingWindow::buckets_max) {
        return std::string("throttle: window_buckets must be between 1 and 1000");
    }
    if (o.window.count() < o.window_buckets) return std::string("throttle: window too short for its buckets");
    return std::nullopt;
}


AdaptiveThrottle::AdaptiveThrottle(ThrottleOptions options)
    : options_(checked(options)), window_(options_.window, options_.window_buckets) {}

double AdaptiveThrottle::reject_probability(sim::Time now) const {
    const RollingWindow::Counts c = window_.sum(now);
    const auto requests = static_cast<double>(c.total);
    const double excess = requests - options_.k * static_cast<double>(c.marked);
    return excess <= 0 ? 0.0 : excess / (requests + 1);
}

bool AdaptiveThrottle::admit(sim::Time now, sim::Rng& rng) {
    const double p = reject_probability(now);
    if (p <= 0 || !rng.chance(p)) return true;
    SIM_COVER("throttle: rejected");
    ++rejected_;
    window_.add(now, 1, 0);
    return false;
}

void AdaptiveThrottle::record(sim::Time now, bool accepted) { window_.add(now, 1, accepted ? 1 : 0); }

}  // namespace models
