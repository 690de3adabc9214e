// A client-side load balancer over the hosts of one service: round robin, least outstanding
// requests, power of two choices (pick two at random, take the less loaded), or key hashing
// (a key always goes to the same backend: a partitioned cache tier behaves as one cache), with outlier
// ejection (a backend that fails `ejection_errors` times in a row is left out for
// `ejection_time`, never more than `ejected_max_ratio` of the backends at once).
//
// Left out: weights, zone awareness, health checks (ejection learns from real traffic only),
// slow start after a backend comes back.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/rpc.hpp"
#include "sim/simulator.hpp"

namespace models {

enum class LbPolicy { round_robin, least_outstanding, power_of_two, key_hash };

inline auto enum_names(LbPolicy) {
    return std::array<std::pair<std::string_view, LbPolicy>, 4>{{{"round_robin", LbPolicy::round_robin},
                                                                  {"least_outstanding", LbPolicy::least_outstanding},
                                                                  {"power_of_two", LbPolicy::power_of_two},
                                                                  {"key_hash", LbPolicy::key_hash}}};
}

struct LbOptions {
    LbPolicy policy = LbPolicy::round_robin;
    bool outlier_ejection = false;
    int ejection_errors = 5;
    sim::Duration ejection_time = std::chrono::seconds(10);
    double ejected_max_ratio = 0.5;
};

class LoadBalancer {
public:
    LoadBalancer(sim::Simulator& sim, std::string name, std::vector<std::string> backends, LbOptions options = {});

    // The backend for the next request (an index into backends()). `key` matters to key_hash only;
    // an ejected backend's keys go to the next eligible one.
    std::size_t pick(sim::Time now, std::uint64_t key = 0);
    void started(std::size_t backend);
    void finished(std::size_t backend, bool success, sim::Time now);

    // pick + `send(backend index)` + bookkeeping in one; `key` as for pick(). The backend's
    // in-flight count drops however the send ends, but only a send that returned counts toward
    // ejection: a caller killed mid-send (a losing hedge copy, a crashed client) says nothing about
    // the backend, and counting it as an error would eject healthy backends that lost hedge races.
    template <class Send>
    auto route(sim::Ctx& ctx, std::uint64_t key, Send&& send) -> decltype(send(std::size_t{})) {
        const std::size_t b = pick(ctx.now(), key);
        started(b);
        struct Abandoned {  // the kill's path: unwinding through the send
            LoadBalancer& lb;
            std::size_t b;
            bool returned = false;
            ~Abandoned() {
                if (!returned) lb.release(b);
            }
        } abandoned{*this, b};
        auto r = send(b);
        abandoned.returned = true;
        finished(b, r.ok(), ctx.now());
        return r;
    }

    // route() to an RPC service whose hosts are the backends, by name.
    template <class Req, class Resp>
    sim::Result<Resp> call(sim::Ctx& ctx, sim::Rpc<Req, Resp>& rpc, Req request, sim::Duration timeout, std::uint64_t key = 0) {
        return route(ctx, key, [&](std::size_t b) { return rpc.call(ctx, backends_[b], std::move(request), timeout); });
    }

    const std::vector<std::string>& backends() const noexcept { return backends_; }
    std::uint64_t outstanding(std::size_t b) const noexcept { return state_[b].outstanding; }
    std::uint64_t picks(std::size_t b) const noexcept { return state_[b].picks; }
    bool ejected(std::size_t b, sim::Time now) const noexcept { return state_[b].ejected_until > now; }
    std::uint64_t ejections() const noexcept { return ejections_; }
    // What a route reads first, for a cache hint (sim::Touches): the backends' counters.
    sim::Touches::Range touches() const noexcept { return {state_.data(), state_.size() * sizeof(Backend)}; }

private:
    bool eligible(std::size_t b, sim::Time now) const noexcept { return state_[b].ejected_until <= now; }
    // One request to backend b is no longer in flight.
    void release(std::size_t b) noexcept {
        if (state_[b].outstanding > 0) --state_[b].outstanding;
    }

    // What one backend's requests touch, side by side: a client's balancer is read once per
    // request, long after the last one, so each separate array was a cache miss of its own.
    struct Backend {
        std::uint64_t outstanding = 0;
        std::uint64_t picks = 0;
        sim::Time ejected_until{};
        int consecutive_errors = 0;
    };

    sim::Simulator* sim_;
    std::string name_;
    std::vector<std::string> backends_;
    LbOptions options_;
    sim::Rng rng_;
    std::size_t next_ = 0;
    std::vector<Backend> state_;  // by backend index
    std::uint64_t ejections_ = 0;
};

}  // namespace models
