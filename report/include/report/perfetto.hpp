// A run's timeline for a trace viewer (Perfetto, chrome://tracing): the Chrome trace event JSON
// format. Each host is a process; every RPC a host makes is a slice on it (from the call to its
// result: ok, timeout, refused, ...), laid out on as many lanes as calls overlap; faults are
// global instants plus a slice per fault window; crashes, boots and other model events are
// instants on their host; every metric series is a counter track.
//
// The recorder is a trace sink: it reads the kernel's rpc.call / rpc.done detail records, which
// the kernel emits only while a sink is attached and never hashes, so exporting does not change
// the run's trace hash. It forwards every record to `next` (a --trace file, say).
//
// Left out: the server side of a call (the models do not trace when a request is handled), flow
// arrows between a call and the calls it causes.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "report/record.hpp"
#include "sim/trace.hpp"

namespace faultline::report {

// What the file's events are, as counted everywhere (the file's otherData.events_kept, the
// command's message, events_max): every slice (a call, one still open at the end of the run, a
// fault's window) and every instant. The tracks' names and the metric counters are not counted.
struct PerfettoOptions {
    double from_s = 0;  // the window of virtual time exported (slices overlapping it are kept)
    double to_s = std::numeric_limits<double>::infinity();
    std::uint64_t events_max = 1'000'000;  // events kept; later ones are only counted
};

// What a written file holds: events kept, and those left out past events_max.
struct PerfettoCounts {
    std::uint64_t kept = 0;
    std::uint64_t dropped = 0;
};

class PerfettoRecorder final : public sim::TraceSink {
public:
    explicit PerfettoRecorder(PerfettoOptions options = {}, sim::TraceSink* next = nullptr);
    void record(const sim::TraceRecord& r) override;
    bool wants_kernel_events() const override { return next_kernel_; }

    // Writes the trace; calls still open are closed at the end of the run as "unfinished" (and
    // counted then: the counts returned are the file's).
    PerfettoCounts write(std::ostream& out, const RunRecord& run) const;

    // Events recorded so far (calls still open not yet among them).
    std::uint64_t kept() const noexcept { return slices_.size() + instants_.size() + windows_.size(); }
    std::uint64_t dropped() const noexcept { return dropped_; }

private:
    struct Slice {
        std::uint32_t host;
        std::int64_t start_ns;
        std::int64_t end_ns;
        std::uint32_t name;    // interned: "call cache"
        std::uint32_t to;      // interned: "cache-3"
        std::uint32_t result;  // interned: "ok", "timeout", ...
        std::uint64_t id;
    };
    struct Open {
        std::int64_t start_ns;
        std::uint32_t name;
        std::uint32_t to;
    };
    struct Instant {
        std::uint32_t host;
        std::int64_t time_ns;
        std::uint32_t name;
        std::string args;  // a JSON object's members, written once here
        bool global = false;
    };
    struct Window {
        std::int64_t start_ns;
        std::int64_t end_ns;
        std::uint32_t name;
    };

    std::uint32_t intern(std::string_view s);
    void note_host(const sim::TraceRecord& r);
    void close(std::uint32_t host, std::uint64_t id, std::int64_t end_ns, std::uint32_t result);
    bool in_window(std::int64_t from_ns, std::int64_t to_ns) const;
    bool has_room();

    PerfettoOptions options_;
    sim::TraceSink* next_;
    bool next_kernel_;  // next_'s answer, asked once (it holds while a sink is attached)
    std::map<std::string, std::uint32_t, std::less<>> ids_;
    std::vector<std::string> strings_;
    std::vector<std::string> hosts_;  // by host id
    std::map<std::pair<std::uint32_t, std::uint64_t>, Open> open_;
    std::vector<Slice> slices_;
    std::vector<Instant> instants_;
    std::vector<Window> windows_;
    std::uint64_t dropped_ = 0;
};

}  // namespace faultline::report
