// planted-ordering: a lease service with a planted bug that only an unusual order of two events
// at the same virtual time exposes. Plain seeds never find it (same-time events run first
// scheduled, first run); `--shuffle-ties` (a seeded random order of same-time events) does.
//
// The holder renews its lease at the very instant it expires, and the renewal timer is always
// scheduled just before the server's expiry check for that instant. Run in that order, the lease
// is renewed and the check finds nothing to do. Run the other way round, the lease expires first
// and goes to a contender waiting for it; the late renewal is then accepted anyway (the planted
// bug: the server does not check who holds the lease), and two clients hold it at once.
//
// Invariant: at most one client holds an unexpired lease term. `fixed=true` rejects a renewal
// from a client that no longer holds the lease.
// Left out: the network (the server, the holder and the contender talk through callbacks).
#pragma once

#include <algorithm>
#include <deque>

#include "faultline/scenario.hpp"
#include "sim/sim.hpp"

namespace faultline::builtin {

struct PlantedOrderingOptions {
    sim::Duration ttl = std::chrono::seconds(5);
    sim::Duration duration = std::chrono::seconds(20);
    sim::Duration contender_interval = std::chrono::seconds(2);  // mean time between its attempts
    sim::Duration contender_patience = std::chrono::milliseconds(500);
    sim::Duration contender_hold = std::chrono::seconds(1);
    bool fixed = false;
};

template <class V>
void fields(V& v, PlantedOrderingOptions& o) {
    v("ttl", o.ttl, "lease term; the holder renews at the instant it ends");
    v("duration", o.duration, "length of the run");
    v("contender_interval", o.contender_interval, "mean time between the contender's attempts");
    v("contender_patience", o.contender_patience, "how long the contender waits for the lease");
    v("contender_hold", o.contender_hold, "how long the contender keeps the lease");
    v("fixed", o.fixed, "the fix: reject a renewal from a client that no longer holds the lease");
}

class PlantedOrderingScenario : public Scenario {
public:
    using Options = PlantedOrderingOptions;
    explicit PlantedOrderingScenario(Options o) : o_(o) {}
    static std::optional<std::string> validate(const Options& o) {
        if (o.ttl <= sim::Duration(0) || o.contender_interval <= sim::Duration(0) ||
            o.contender_hold <= sim::Duration(0)) {
            return std::string("ttl, contender_interval and contender_hold must be positive");
        }
        return std::nullopt;
    }
    void configure(sim::Options& options) const override { options.duration = o_.duration; }
    void build(sim::Simulator& sim) override {
        sim_ = &sim;
        rng_ = sim.rng("lease/contender");
        grant(holder_client);
        schedule_attempt();
        sim.always("one lease holder at a time", [this] {
            return !(term_end_[holder_client] > sim_->now() && term_end_[contender_client] > sim_->now());
        });
    }
    std::vector<Measurement> measurements() const override {
        return {{"renewals", static_cast<double>(renewals_), ""}, {"handovers", static_cast<double>(handovers_), ""}};
    }
    std::vector<FieldInfo> effective_options() const override {
        Options copy = o_;
        return list_fields(copy);
    }

private:
    static constexpr int holder_client = 1;
    static constexpr int contender_client = 2;

    void grant(int c) {
        holder_ = c;
        expires_ = sim_->now() + (c == holder_client ? o_.ttl : o_.contender_hold);
        term_end_[c] = expires_;
        if (c != holder_client) ++handovers_;
        sim_->trace(sim_->world(), "lease.grant", {{"client", c}, {"until", expires_}});
        // The holder's renewal is scheduled before the server's expiry check for the same
        // instant, so first-scheduled-first order always renews first.
        if (c == holder_client) sim_->at(expires_, [this] { renew(); });
        sim_->at(expires_, [this] { expire(); });
    }
    void expire() {
        if (holder_ == 0 || sim_->now() < expires_) return;  // renewed in time
        sim_->trace(sim_->world(), "lease.expire", {{"client", holder_}});
        holder_ = 0;
        if (!waiting_.empty()) {
            const int next = waiting_.front();
            waiting_.pop_front();
            grant(next);
        }
    }
    void renew() {
        if (holder_ != holder_client) {
            if (o_.fixed) return request(holder_client);  // lost it: ask again
            SIM_COVER("planted-ordering: renewal accepted after the lease moved on");
        }
        ++renewals_;
        grant(holder_client);  // the planted bug: accepted whoever holds the lease now
    }
    void request(int c) {
        if (holder_ == 0) return grant(c);
        waiting_.push_back(c);
    }
    void schedule_attempt() {
        sim_->at(sim_->now() + rng_.exponential(o_.contender_interval), [this] {
            const bool waiting = std::find(waiting_.begin(), waiting_.end(), contender_client) != waiting_.end();
            if (term_end_[contender_client] <= sim_->now() && !waiting) {
                const std::uint64_t attempt = ++attempts_;
                request(contender_client);
                sim_->after(o_.contender_patience, [this, attempt] {  // gives up waiting
                    if (attempt == attempts_) std::erase(waiting_, contender_client);
                });
            }
            schedule_attempt();
        });
    }

    Options o_;
    sim::Simulator* sim_ = nullptr;
    sim::Rng rng_{0};
    int holder_ = 0;  // 0: nobody
    sim::Time expires_{};
    sim::Time term_end_[3]{};  // per client: when the lease it believes it holds ends
    std::deque<int> waiting_;
    std::uint64_t attempts_ = 0;
    std::uint64_t renewals_ = 0;
    std::uint64_t handovers_ = 0;
};

}  // namespace faultline::builtin
