#include "models/load_balancer.hpp"

namespace models {

LoadBalancer::LoadBalancer(sim::Simulator& sim, std::string name, std::vector<std::string> backends, LbOptions options)
    : sim_(&sim),
      name_(std::move(name)),
      backends_(std::move(backends)),
      options_(options),
      rng_(sim.rng("lb/" + name_)),
      state_(backends_.size()) {
    SIM_ASSERT(!backends_.empty(), "a load balancer needs backends");
}

std::size_t LoadBalancer::pick(sim::Time now, std::uint64_t key) {
    const std::size_t n = backends_.size();
    std::size_t chosen = 0;
    switch (options_.policy) {
        case LbPolicy::key_hash: {
            const std::size_t home = static_cast<std::size_t>(sim::mix64(key) % n);
            chosen = home;
            for (std::size_t k = 0; k < n; ++k) {
                if (eligible((home + k) % n, now)) {
                    chosen = (home + k) % n;
                    break;
                }
            }
            break;
        }
        case LbPolicy::round_robin: {
            for (std::size_t tries = 0; tries < n; ++tries) {
                chosen = next_++ % n;
                if (eligible(chosen, now)) break;
            }
            break;
        }
        case LbPolicy::least_outstanding: {
            bool found = false;
            // Ties go to the next in round-robin order, so equal backends share the load.
            for (std::size_t k = 0; k < n; ++k) {
                const std::size_t b = (next_ + k) % n;
                if (!eligible(b, now)) continue;
                if (!found || state_[b].outstanding < state_[chosen].outstanding) {
                    chosen = b;
                    found = true;
                }
            }
            ++next_;
            if (!found) chosen = next_ % n;
            break;
        }
        case LbPolicy::power_of_two: {
            std::size_t a = static_cast<std::size_t>(rng_.uniform_u64(n));
            std::size_t b = n > 1 ? static_cast<std::size_t>(rng_.uniform_u64(n - 1)) : 0;
            if (n > 1 && b >= a) ++b;  // two distinct backends
            if (!eligible(a, now)) std::swap(a, b);
            chosen = (eligible(b, now) && state_[b].outstanding < state_[a].outstanding) ? b : a;
            if (!eligible(a, now)) {
                // Both picks are ejected: the next eligible backend after the first (if any is).
                for (std::size_t k = 1; k < n; ++k) {
                    if (eligible((a + k) % n, now)) {
                        chosen = (a + k) % n;
                        break;
                    }
                }
            }
            break;
        }
    }
    ++state_[chosen].picks;
    return chosen;
}

void LoadBalancer::started(std::size_t backend) { ++state_[backend].outstanding; }

void LoadBalancer::finished(std::size_t backend, bool success, sim::Time now) {
    release(backend);
    Backend& s = state_[backend];
    if (success) {
        s.consecutive_errors = 0;
        return;
    }
    if (!options_.outlier_ejection || ++s.consecutive_errors < options_.ejection_errors) return;
    std::size_t ejected = 0;
    for (const Backend& b : state_) ejected += b.ejected_until > now ? 1 : 0;
    if (static_cast<double>(ejected + 1) > options_.ejected_max_ratio * static_cast<double>(backends_.size())) return;
    s.ejected_until = now + options_.ejection_time;
    s.consecutive_errors = 0;
    ++ejections_;
    SIM_COVER("load balancer: ejected a backend");
    sim_->trace("lb.eject", {{"lb", std::string_view(name_)}, {"backend", std::string_view(backends_[backend])}});
}

}  // namespace models
