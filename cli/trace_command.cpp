// `faultline trace FILE.ftrace [--kind K] [--host H] [--from T] [--to T]`: a binary trace file
// (written by `--trace FILE.ftrace`) printed as the JSON Lines the run would have written with
// `--trace FILE.jsonl`, byte for byte, optionally only the records that match. A file cut short
// (a run killed while writing) prints every whole record and then says where it ends (exit 2).
#include <spdlog/sinks/stdout_sinks.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "sim/trace_binary.hpp"
#include "sim/trace_file.hpp"

namespace faultline::cli {

namespace {

struct TraceArgs {
    std::string file;
    std::vector<std::string> kinds;
    std::vector<std::string> hosts;
    std::string from;
    std::string to;
};

bool matches_kind(const std::vector<std::string>& kinds, std::string_view kind) {
    if (kinds.empty()) return true;
    for (const std::string& k : kinds) {
        if (kind.starts_with(k)) return true;
    }
    return false;
}

bool matches_host(const std::vector<std::string>& hosts, std::string_view host) {
    if (hosts.empty()) return true;
    for (const std::string& h : hosts) {
        if (host == h) return true;
    }
    return false;
}

// "t.jsonl: byte 0: not a faultline binary trace (...)", and for a JSON Lines file what to do.
std::string not_binary_hint(const std::string& file) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f == nullptr) return {};
    const int first = std::fgetc(f);
    std::fclose(f);
    return first == '{' ? "; it looks like a JSON Lines trace, which is text already" : "";
}

int execute(const TraceArgs& a) {
    const sim::Time from = a.from.empty() ? sim::Time(sim::Duration(0)) : sim::Time(parse_duration_flag("--from", a.from));
    const sim::Time to = a.to.empty() ? sim::time_never : sim::Time(parse_duration_flag("--to", a.to));
    if (to < from) throw UsageError("--to " + a.to + " is before --from " + a.from);
    sim::JsonlTraceFile out(std::make_shared<spdlog::sinks::stdout_sink_st>());  // the lines a run's --trace FILE.jsonl holds
    try {
        sim::read_binary_trace_file(a.file, [&](const sim::TraceRecord& r) {
            if (r.time < from || r.time > to) return;
            if (!matches_kind(a.kinds, r.kind) || !matches_host(a.hosts, r.host)) return;
            out.record(r);
        });
    } catch (const sim::TraceFormatError& e) {
        out.flush();  // every whole record first
        throw UsageError(std::string(e.what()) + (e.offset() == 0 ? not_binary_hint(a.file) : ""));
    } catch (const std::runtime_error& e) {
        out.flush();
        throw UsageError(e.what());
    }
    return exit_pass;
}

}  // namespace

void add_trace_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<TraceArgs>();
    auto* sub = app.add_subcommand("trace", "Print a binary trace file (--trace FILE.ftrace) as JSON Lines, optionally filtered");
    sub->add_option("file", args->file, "The trace file, written by 'faultline run ... --trace FILE.ftrace'")->required();
    sub->add_option("--kind", args->kinds, "Only records whose kind starts with this (e.g. rpc. or fault.; repeatable)");
    sub->add_option("--host", args->hosts, "Only records of this host (repeatable)");
    sub->add_option("--from", args->from, "Only records at or after this virtual time (e.g. 40s)");
    sub->add_option("--to", args->to, "Only records at or before this virtual time (e.g. 41.5s)");
    sub->callback([&cmd, args] { cmd.run = [args] { return execute(*args); }; });
}

}  // namespace faultline::cli
