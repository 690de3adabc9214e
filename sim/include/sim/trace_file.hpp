// A JSON Lines trace file: one object per trace record ({"i", "t_ns", "host", "kind", fields...}),
// written through spdlog with a synchronous file sink (never an async one: the file must hold
// everything up to the moment a run stops, even on a crash of the tool).
#pragma once

#include <memory>
#include <string>

#include "sim/trace.hpp"

namespace spdlog {
class logger;
}

namespace sim {

class JsonlTraceFile final : public TraceSink {
public:
    // Throws std::runtime_error with a one-line message if the file cannot be opened.
    explicit JsonlTraceFile(const std::string& path, bool kernel_events = false);
    ~JsonlTraceFile() override;
    void record(const TraceRecord& r) override;
    bool wants_kernel_events() const override { return kernel_events_; }
    void flush();

private:
    std::shared_ptr<spdlog::logger> logger_;
    bool kernel_events_;
};

}  // namespace sim
