// Human-readable logs on virtual time, through spdlog. Every line carries the virtual time
// (a custom pattern flag reads it from the simulator, never the wall clock) and the host.
// Logs are for people, so they are not part of the trace hash. Off unless a run enables them;
// one host can be turned up on its own (`--log-host db-1=debug`).
//
//   sim::log::enable(sim, spdlog::level::info);
//   SIM_LOG(ctx, info, "cache miss for key {}", key);
#pragma once

#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <string>

#include "sim/simulator.hpp"

namespace sim::log {

// Turns logging on for `sim`, to stderr (or the given spdlog sink), at `level`.
void enable(Simulator& sim, spdlog::level::level_enum level, spdlog::sink_ptr sink = nullptr);
void disable(Simulator& sim);
// A different level for one host.
void set_host_level(Simulator& sim, std::string_view host, spdlog::level::level_enum level);

// The logger for `sim` if `host` logs at `level`, else null.
spdlog::logger* logger_for(const Simulator& sim, const Host& host, spdlog::level::level_enum level);

}  // namespace sim::log

#define SIM_LOG(ctx, lvl, ...)                                                                              \
    do {                                                                                                    \
        if (auto* sim_logger_ = ::sim::log::logger_for((ctx).sim(), (ctx).host(), ::spdlog::level::lvl)) { \
            sim_logger_->log(::spdlog::level::lvl, "[{}] {}", (ctx).host().name(), fmt::format(__VA_ARGS__)); \
        }                                                                                                   \
    } while (0)
