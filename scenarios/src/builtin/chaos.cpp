#include "chaos.hpp"

namespace faultline::builtin {

namespace {
struct Put {
    std::uint64_t key;
    std::uint64_t value;
};
}  // namespace

std::optional<std::string> ChaosScenario::validate(const Options& o) {
    if (o.regions < 1 || o.regions > 100 || o.hosts_per_region < 1 || o.hosts_per_region > 1000) {
        return "regions must be between 1 and 100, hosts_per_region between 1 and 1000";
    }
    if (o.regions * o.hosts_per_region < 2) return "need at least two nodes";
    if (o.quiet_at >= o.duration) return "quiet_at must come before the end of the run";
    if (!(o.fault_rate >= 0 && o.fault_rate <= 6000)) return "fault_rate must be between 0 and 6000 (per minute)";
    return std::nullopt;
}

void ChaosScenario::build(sim::Simulator& sim) {
    net_ = &sim.make<sim::Network>(sim, sim::LinkOptions{.latency = sim::Delay::lognormal(std::chrono::milliseconds(2), 0.5)});
    auto& kv = sim.make<sim::Rpc<Put, std::uint64_t>>(*net_, "kv");
    faults_ = &sim.make<sim::Faults>(sim);
    sim::define_standard_faults(*faults_, net_);

    for (int r = 0; r < o_.regions; ++r) {
        for (int i = 0; i < o_.hosts_per_region; ++i) {
            names_.push_back("region-" + std::to_string(r) + "/node-" + std::to_string(i));
        }
    }
    last_ok_.assign(names_.size(), sim::Time{});
    for (std::size_t n = 0; n < names_.size(); ++n) {
        sim::Host& h = sim.add_host(names_[n]);
        h.join("region-" + std::to_string(n / static_cast<std::size_t>(o_.hosts_per_region)));
        h.on_boot([this, &kv, n](sim::Host& host) {
            // Server: append each write to the log; fsync every 4th.
            auto writes = std::make_shared<std::uint64_t>(0);
            kv.serve(host, [this, writes, n](sim::Ctx& ctx, const Put& p, const sim::CallInfo&) -> sim::Result<std::uint64_t> {
                sim::Disk& d = sim::disk(ctx.host());
                if (auto w = d.append(ctx, "log", std::to_string(p.key) + "=" + std::to_string(p.value) + "\n"); !w) return w.error();
                if (++*writes % 4 == 0) {
                    if (auto f = d.fsync(ctx, "log"); !f) return f.error();
                }
                last_ok_[n] = ctx.now();
                return p.value;
            });
            auto& gossip = host.make<sim::Mailbox<std::uint64_t>>(*net_, host, "gossip", 64);
            std::string target = names_[(n + 1) % names_.size()];
            auto& pool = host.make<sim::ConnectionPool>(*net_, host, target, kv.port(),
                                                        sim::PoolOptions{.connections_max = 2,
                                                                         .acquire_timeout = std::chrono::milliseconds(200),
                                                                         .connect_timeout = std::chrono::milliseconds(300),
                                                                         .keepalive_interval = std::chrono::seconds(2),
                                                                         .keepalive_timeout = std::chrono::seconds(1)});
            host.spawn([this, &kv, &pool, &gossip, n](sim::Ctx& ctx) {
                for (std::uint64_t k = 0;; ++k) {
                    ctx.sleep_for(ctx.rng().exponential(sim::Duration(std::chrono::milliseconds(50))));
                    const std::size_t peer = static_cast<std::size_t>(ctx.rng().uniform_u64(names_.size()));
                    auto r = ctx.rng().bernoulli({1, 2}) ? pool.call(ctx, kv, Put{k, n}, std::chrono::milliseconds(300))
                                                         : kv.call(ctx, names_[peer], Put{k, n}, std::chrono::milliseconds(300));
                    if (r) {
                        ++ok_;
                        if (ctx.now() > sim::Time(o_.quiet_at)) ++ok_after_quiet_;
                    } else {
                        ++failed_;
                    }
                    sim::send_message(*net_, ctx.host(), ctx.sim().host(names_[peer]), "gossip", k);
                    while (gossip.try_recv()) {
                    }
                    ctx.compute(std::chrono::microseconds(200));
                }
            });
        });
    }

    // A nemesis with every kind in the vocabulary.
    sim::NemesisOptions nemesis;
    nemesis.start = sim::Time(std::chrono::seconds(1));
    nemesis.quiet_at = sim::Time(o_.quiet_at);
    nemesis.concurrent_max = 6;
    std::vector<std::string> targets = names_;
    // A region is a target only beside another region: isolating or partitioning the only one
    // would cut every host from nothing (a fault the vocabulary refuses).
    if (o_.regions > 1) {
        for (int r = 0; r < o_.regions; ++r) targets.push_back("region-" + std::to_string(r));
    }
    for (const std::string& kind : faults_->kind_names()) {
        nemesis.faults.push_back({kind, o_.fault_rate, std::chrono::milliseconds(200), o_.fault_duration_max, targets, {}});
    }
    schedule_faults(*faults_, sim::plan_nemesis(nemesis, *faults_, sim.rng("nemesis")));
    faults_->heal_all_at(sim::Time(o_.quiet_at));
    // A clock_jump or crash may still be in force at quiet_at: bring every node back up then.
    sim.at(sim::Time(o_.quiet_at), [this, &sim] {
        for (const std::string& name : names_) {
            sim::Host& h = sim.host(name);
            if (!h.alive()) h.boot();
        }
    });
    SIM_COVER("chaos: built");
    sim.eventually("every node serves writes again after the faults end", sim::Time(o_.quiet_at + o_.recovery_within), [this] {
        for (sim::Time t : last_ok_) {
            if (t <= sim::Time(o_.quiet_at)) return false;
        }
        return true;
    });
}

std::vector<Measurement> ChaosScenario::measurements() const {
    return {{"calls_ok", static_cast<double>(ok_), ""},
            {"calls_failed", static_cast<double>(failed_), ""},
            {"calls_ok_after_quiet", static_cast<double>(ok_after_quiet_), ""},
            {"faults_injected", static_cast<double>(faults_ ? faults_->injected().size() : 0), ""},
            {"messages_sent", static_cast<double>(net_ ? net_->counters().sent : 0), ""}};
}

}  // namespace faultline::builtin
