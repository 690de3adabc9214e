// The virtual-time logger: a custom spdlog flag (%*) prints the simulator's clock.
#include "sim/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace sim::log {

namespace {

class VirtualTimeFlag final : public spdlog::custom_flag_formatter {
public:
    explicit VirtualTimeFlag(const Simulator* sim) : sim_(sim) {}
    void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
        const std::string t = format_time(sim_->now());
        dest.append(t.data(), t.data() + t.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<VirtualTimeFlag>(sim_); }

private:
    const Simulator* sim_;
};

struct State {
    std::shared_ptr<spdlog::logger> logger;
    spdlog::level::level_enum level = spdlog::level::off;
    std::map<std::string, spdlog::level::level_enum, std::less<>> host_levels;
};

// Per-simulator state, keyed by address: looked up, never iterated (no order leaks).
using States = std::map<const Simulator*, State>;  // never iterated

States& states() {
    static States s;
    return s;
}

}  // namespace

void enable(Simulator& sim, spdlog::level::level_enum level, spdlog::sink_ptr sink) {
    if (!sink) sink = std::make_shared<spdlog::sinks::stderr_color_sink_st>();
    auto logger = std::make_shared<spdlog::logger>("faultline", std::move(sink));
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<VirtualTimeFlag>('*', &sim).set_pattern("[%*] %^%l%$ %v");
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::trace);
    State& st = states()[&sim];
    st.logger = std::move(logger);
    st.level = level;
    // Forget the state when the simulator goes (the address may be reused by the next run).
    struct Forget {
        explicit Forget(const Simulator* sim_) : s(sim_) {}
        Forget(const Forget&) = delete;
        Forget& operator=(const Forget&) = delete;
        ~Forget() { states().erase(s); }
        const Simulator* s;
    };
    sim.make<Forget>(&sim);
}

void disable(Simulator& sim) { states().erase(&sim); }

void set_host_level(Simulator& sim, std::string_view host, spdlog::level::level_enum level) {
    auto it = states().find(&sim);
    if (it != states().end()) it->second.host_levels[std::string(host)] = level;
}

spdlog::logger* logger_for(const Simulator& sim, const Host& host, spdlog::level::level_enum level) {
    auto& all = states();
    if (all.empty()) return nullptr;
    auto it = all.find(&sim);
    if (it == all.end()) return nullptr;
    const State& st = it->second;
    spdlog::level::level_enum threshold = st.level;
    if (!st.host_levels.empty()) {
        auto h = st.host_levels.find(host.name());
        if (h != st.host_levels.end()) threshold = h->second;
    }
    return level >= threshold && threshold != spdlog::level::off ? st.logger.get() : nullptr;
}

}  // namespace sim::log
