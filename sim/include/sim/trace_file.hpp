// Trace files: every trace record of a run, written through spdlog with a synchronous file sink
// (never an async one: what was handed to it is in the file when the run stops, and a binary
// file's header is written as it opens). Two encodings of the same records:
//   JsonlTraceFile   one JSON object per line ({"i", "t_ns", "host", "kind", fields...});
//   BinaryTraceFile  the compact form of sim/trace_binary.hpp (a FILE ending in .ftrace), about
//                    a sixth of the bytes; `faultline trace FILE` prints it as the JSON Lines.
// open_trace_file picks one by the file's name.
//
// A traced run writes millions of records, and spdlog's cost per message (a clock read, the
// pattern, an fwrite) was a quarter of that run's time. So records are gathered in a buffer and
// handed to spdlog about 32 KiB at a time, as one message; flush() writes what is gathered. A
// process killed by a signal loses the records still gathered, as it would lose stdio's own buffer.
// close() (which the commands call when a run stops, pass or fail, and the destructor calls too,
// unless an exception is unwinding past the file) ends the file: a binary trace's end marker,
// which tells a whole file from one cut short on a record boundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "sim/trace.hpp"
#include "sim/trace_binary.hpp"

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace sim {

// What both trace files share: the file, the batch and kernel_events.
class TraceFile : public TraceSink {
public:
    ~TraceFile() override;
    bool wants_kernel_events() const final { return kernel_events_; }
    void flush();
    // Ends the file (what its format puts last, then flush()); once. Nothing may be recorded after.
    void close();
    // The first write that failed ("No space left on device"), kept for the command to report
    // once the run's verdict is shown; spdlog alone would print it as a log line of its own and
    // the run would end as if the file were whole. Nothing when every write succeeded.
    const std::optional<std::string>& error() const noexcept { return error_; }

protected:
    // Throws std::runtime_error with a one-line message if the file cannot be opened.
    TraceFile(const std::string& path, bool kernel_events);
    TraceFile(std::shared_ptr<spdlog::sinks::sink> sink, bool kernel_events);
    // Room for `bytes` at the end of the batch (written out first if it lacks them).
    char* reserve(std::size_t bytes);
    // What was written at reserve()'s pointer ends at `end`.
    void commit(char* end);
    // Where the batch's room ends, and more room after `p` (inside what reserve() handed out):
    // the batch grows, keeping what is written, and `p` is returned where it now is.
    char* batch_end() const noexcept { return batch_.get() + batch_capacity_; }
    char* grow_batch(char* p, std::size_t bytes);
    // What the format puts after the last record (close() calls it once); nothing by default.
    virtual void write_end() {}
    // For a derived class's destructor: close(), unless an exception is unwinding past the file,
    // whose run was then abandoned part-way: its file is not whole and must not say it is.
    void close_unless_unwinding() noexcept;

private:
    void write_batch();

    std::shared_ptr<spdlog::logger> logger_;
    std::unique_ptr<char[]> batch_;
    std::size_t batch_used_ = 0;
    std::size_t batch_capacity_ = 0;
    bool kernel_events_;
    bool closed_ = false;
    int exceptions_at_open_ = std::uncaught_exceptions();
    std::optional<std::string> error_;
};

class JsonlTraceFile final : public TraceFile {
public:
    explicit JsonlTraceFile(const std::string& path, bool kernel_events = false);
    // Into any spdlog sink: `faultline trace` prints a binary file to standard output this way.
    explicit JsonlTraceFile(std::shared_ptr<spdlog::sinks::sink> sink, bool kernel_events = false);
    void record(const TraceRecord& r) override;
};

class BinaryTraceFile final : public TraceFile {
public:
    explicit BinaryTraceFile(const std::string& path, bool kernel_events = false);
    ~BinaryTraceFile() override;
    void record(const TraceRecord& r) override;
    void expect_host(std::uint32_t host_id) noexcept override;

private:
    void write_end() override;  // the end marker, with the record count

    // The encoder's output: the batch, grown in the middle of a record when a string's bytes
    // need more than the record's fixed room.
    struct Output final : BinaryTraceEncoder::Output {
        explicit Output(BinaryTraceFile& f) : file(f) {}
        char* make_room(char* p, std::size_t bytes) override;
        BinaryTraceFile& file;
    };

    BinaryTraceEncoder encoder_;
    Output output_{*this};
    std::uint64_t records_ = 0;
};

// A BinaryTraceFile when `path` ends in .ftrace, else a JsonlTraceFile.
std::unique_ptr<TraceFile> open_trace_file(const std::string& path, bool kernel_events = false);

}  // namespace sim
