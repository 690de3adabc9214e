#include "planted_counter.hpp"

#include <deque>

#include "sim/log.hpp"

namespace faultline::builtin {

namespace {
constexpr const char* node_names[2] = {"counter-1", "counter-2"};
}

std::optional<std::string> PlantedCounterScenario::validate(const Options& o) {
    if (o.clients < 1 || o.clients > 1000) return "clients must be between 1 and 1000";
    if (o.quiet_at >= o.duration) return "quiet_at must come before the end of the run";
    for (const double rate : {o.crash_rate, o.partition_rate, o.noise_rate}) {
        if (!(rate >= 0 && rate <= 6000)) return "fault rates must be between 0 and 6000 (per minute)";
    }
    if (o.fault_duration_max < std::chrono::milliseconds(500)) return "fault_duration_max must be at least 500ms";
    if (o.request_interval <= sim::Duration(0) || o.resync_interval <= sim::Duration(0))
        return "intervals must be positive";
    return std::nullopt;
}

void PlantedCounterScenario::apply(int node, std::uint64_t id) {
    if (nodes_[node].seen.insert(id).second) ++nodes_[node].count;
}

void PlantedCounterScenario::build(sim::Simulator& sim) {
    auto& net = sim.make<sim::Network>(
        sim, sim::LinkOptions{.latency = sim::Delay::lognormal(std::chrono::milliseconds(2), 0.5)});
    auto& inc = sim.make<sim::Rpc<std::uint64_t, std::uint64_t>>(net, "counter.increment");
    auto& replicate = sim.make<sim::Rpc<std::uint64_t, std::uint64_t>>(net, "counter.replicate");
    faults_ = &sim.make<sim::Faults>(sim);
    sim::define_standard_faults(*faults_, &net);

    for (int n = 0; n < 2; ++n) {
        sim::Host& host = sim.add_host(node_names[n]);
        host.on_boot([this, &inc, &replicate, n](sim::Host& h) {
            // Increments acknowledged but not yet on the backup: volatile, lost with a crash.
            auto& resync = h.make<std::deque<std::uint64_t>>();
            inc.serve(h,
                      [this, &replicate, &resync, n](sim::Ctx& ctx, const std::uint64_t& id,
                                                     const sim::CallInfo&) -> sim::Result<std::uint64_t> {
                          if (n != primary()) return sim::Errc::refused;
                          apply(n, id);
                          SIM_LOG(ctx, debug, "increment {} applied, count {}", id, nodes_[n].count);
                          if (promoted_) return nodes_[n].count;  // the promoted backup serves alone
                          if (auto r = replicate.call(ctx, node_names[1], id, o_.replicate_timeout); !r) {
                              if (o_.fixed) return sim::Errc::unreachable;
                              // The planted bug: acknowledge anyway and catch the backup up later.
                              SIM_COVER("planted-counter: acknowledged without the backup");
                              SIM_LOG(ctx, debug, "backup did not take increment {} ({}); acknowledging anyway", id,
                                      sim::to_string(r.error()));
                              ctx.trace("counter.ack_unreplicated", {{"id", id}});
                              ++acked_unreplicated_;
                              resync.push_back(id);
                          }
                          return nodes_[n].count;
                      });
            replicate.serve(
                h, [this, n](sim::Ctx&, const std::uint64_t& id, const sim::CallInfo&) -> sim::Result<std::uint64_t> {
                    if (n != 1) return sim::Errc::refused;
                    apply(n, id);
                    return nodes_[n].count;
                });
            if (n == 0) {
                h.spawn([this, &replicate, &resync](sim::Ctx& ctx) {
                    for (;;) {
                        ctx.sleep_for(o_.resync_interval);
                        while (!resync.empty() && !promoted_) {
                            const std::uint64_t id = resync.front();
                            if (!replicate.call(ctx, node_names[1], id, o_.replicate_timeout)) break;
                            resync.pop_front();
                            SIM_LOG(ctx, debug, "resynced increment {}", id);
                        }
                    }
                });
            }
        });
    }

    std::vector<std::string> targets = {node_names[0], node_names[1]};
    for (int c = 0; c < o_.clients; ++c) {
        targets.push_back("client-" + std::to_string(c + 1));
        sim::Host& host = sim.add_host(targets.back());
        host.on_boot([this, &inc](sim::Host& h) {
            h.spawn([this, &inc](sim::Ctx& ctx) {
                for (;;) {
                    ctx.sleep_for(ctx.rng().exponential(o_.request_interval));
                    const std::uint64_t id = next_id_++;
                    if (inc.call(ctx, node_names[primary()], id, std::chrono::milliseconds(150))) acked_.push_back(id);
                }
            });
        });
    }

    // Failover: when the primary is down and the backup up, promote the backup (for good).
    sim.world().spawn([this, &sim](sim::Ctx& ctx) {
        sim::Host& p = sim.host(node_names[0]);
        sim::Host& b = sim.host(node_names[1]);
        while (!(!p.alive() && b.alive())) ctx.sleep_for(std::chrono::milliseconds(50));
        promoted_ = true;
        for (std::uint64_t id : acked_) {
            if (nodes_[1].seen.count(id) == 0) ++lost_;
        }
        SIM_COVER("planted-counter: backup promoted");
        ctx.trace("counter.promote", {{"acked", static_cast<std::uint64_t>(acked_.size())}, {"lost", lost_}});
    });
    sim.always("acknowledged increments survive failover", [this] { return lost_ == 0; });

    sim::NemesisOptions nemesis;
    nemesis.start = sim::Time(std::chrono::seconds(1));
    nemesis.quiet_at = sim::Time(o_.quiet_at);
    nemesis.concurrent_max = 4;
    const sim::Duration shortest = std::chrono::milliseconds(500);
    nemesis.faults.push_back({"crash", o_.crash_rate, shortest, o_.fault_duration_max, targets, {}});
    nemesis.faults.push_back({"partition", o_.partition_rate, shortest, o_.fault_duration_max, targets, {}});
    for (const char* kind : {"pause", "clog", "loss"}) {
        nemesis.faults.push_back({kind, o_.noise_rate, shortest, o_.fault_duration_max, targets, {}});
    }
    schedule_faults(*faults_, sim::plan_nemesis(nemesis, *faults_, sim.rng("nemesis")));
    faults_->heal_all_at(sim::Time(o_.quiet_at));
}

std::vector<Measurement> PlantedCounterScenario::measurements() const {
    return {{"acked", static_cast<double>(acked_.size()), ""},
            {"acked_unreplicated", static_cast<double>(acked_unreplicated_), "the planted bug's path"},
            {"promoted", promoted_ ? 1.0 : 0.0, ""},
            {"lost", static_cast<double>(lost_), "acknowledged increments the new primary lacks"},
            {"faults_injected", static_cast<double>(faults_ ? faults_->injected().size() : 0), ""}};
}

}  // namespace faultline::builtin
