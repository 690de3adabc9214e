// A JSON Lines trace file: one object per trace record ({"i", "t_ns", "host", "kind", fields...}),
// written through spdlog with a synchronous file sink (never an async one: the file must hold
// everything up to the moment a run stops, even on a crash of the tool).
//
// A traced run writes millions of lines, and spdlog's cost per message (a clock read, the
// pattern, an fwrite) was a quarter of that run's time. So lines are gathered in a buffer and
// handed to spdlog about 32 KiB at a time, as one message; flush() (which the commands call when
// a run stops, pass or fail, and the destructor calls too) writes what is gathered. The file is
// the same, byte for byte. A process killed by a signal loses the lines still gathered, as it
// would lose stdio's own buffer.
#pragma once

#include <cstddef>
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
    void write_batch();

    std::shared_ptr<spdlog::logger> logger_;
    std::unique_ptr<char[]> batch_;  // whole lines, each ending in '\n'
    std::size_t batch_used_ = 0;
    std::size_t batch_capacity_ = 0;
    bool kernel_events_;
};

}  // namespace sim
