// `faultline trace FILE.ftrace [--kind K] [--host H] [--from T] [--to T]`: a binary trace file
// (written by `--trace FILE.ftrace`) printed as the JSON Lines the run would have written with
// `--trace FILE.jsonl`, byte for byte, optionally only the records that match. A file cut short
// (a run killed while writing) prints every whole record and then says where it ends (exit 2), as
// does standard output that cannot be written, or a --host or --kind that matches no record of
// the file when nothing was printed (beside records the other values matched, a warning), or
// filters that each match records but none together (a host without records of the kind, a
// window past the run's end).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common.hpp"
#include "sim/trace_binary.hpp"
#include "sim/trace_file.hpp"
#include "sim/values.hpp"

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
    TraceOutput out = TraceOutput::standard_output();  // the lines a run's --trace FILE.jsonl holds
    std::set<std::string, std::less<>> hosts;  // every host in the file: a --host that names none is a typo
    std::set<std::string, std::less<>> kinds;  // and every kind, for a --kind that starts none
    auto check_written = [&out] {
        if (auto e = out.error()) throw UsageError(*e);
    };
    std::uint64_t printed = 0;
    // For filters that each match records but together none: where the records are.
    std::uint64_t records = 0, in_window = 0, in_window_of_hosts = 0;
    sim::Time first = sim::time_never, last = sim::Time(sim::Duration(0));
    std::set<std::string, std::less<>> kinds_there;  // of the records in the window of the hosts
    try {
        sim::read_binary_trace_file(a.file, [&](const sim::TraceRecord& r) {
            if (!a.hosts.empty() && !hosts.contains(r.host)) hosts.emplace(r.host);  // (the file keeps no host ids)
            if (!a.kinds.empty() && !kinds.contains(r.kind)) kinds.emplace(r.kind);
            // Stop reading once standard output fails (a full disk, a closed pipe), now and then.
            if (++records % 65536 == 0) check_written();
            first = std::min(first, r.time);
            last = std::max(last, r.time);
            if (r.time < from || r.time > to) return;
            ++in_window;
            if (!matches_host(a.hosts, r.host)) return;
            ++in_window_of_hosts;
            if (!matches_kind(a.kinds, r.kind)) {
                if (kinds_there.size() < 64 && !kinds_there.contains(r.kind)) kinds_there.emplace(r.kind);
                return;
            }
            out.file()->record(r);
            ++printed;
        });
    } catch (const sim::TraceFormatError& e) {
        check_written();  // every whole record first
        throw UsageError(std::string(e.what()) + (e.offset() == 0 ? not_binary_hint(a.file) : ""));
    } catch (const UsageError&) {
        throw;
    } catch (const std::runtime_error& e) {
        check_written();
        throw UsageError(e.what());
    }
    check_written();
    // A value that matches nothing is a typo, found only once the file is read: an error when
    // nothing was printed, a warning beside what the other values printed (they are alternatives).
    std::vector<std::string> unmatched;
    for (const std::string& h : a.hosts) {
        if (hosts.contains(h)) continue;
        const std::vector<std::string> names(hosts.begin(), hosts.end());
        unmatched.push_back("--host " + h + ": no such host in " + a.file +
                            sim::did_you_mean_or_nearest(h, names, "hosts in it"));
    }
    for (const std::string& k : a.kinds) {
        if (std::any_of(kinds.begin(), kinds.end(), [&k](const std::string& kind) { return kind.starts_with(k); }))
            continue;
        std::string have;
        for (const std::string& kind : kinds) have += (have.empty() ? "" : ", ") + kind;
        unmatched.push_back("--kind " + k + ": no record of " + a.file +
                            " has a kind that starts with it (kinds in it: " + (have.empty() ? "none" : have) + ")");
    }
    if (!unmatched.empty() && printed == 0) throw UsageError(unmatched.front());
    if (printed == 0 && unmatched.empty()) {
        // Each filter matches records, but not together (or the window holds none): as much an
        // error as one filter that matches nothing, and said the same way.
        std::string window;
        if (!a.from.empty()) window += "--from " + a.from;
        if (!a.to.empty()) window += (window.empty() ? "" : " ") + std::string("--to ") + a.to;
        std::string host_list;
        for (const std::string& h : a.hosts) host_list += (host_list.empty() ? "" : ", ") + h;
        const std::string of_hosts =
            a.hosts.empty() ? "" : " of host" + std::string(a.hosts.size() == 1 ? " " : "s ") + host_list;
        if (!window.empty() && in_window == 0) {
            throw UsageError(
                window + ": no record of " + a.file + " is in that window (" +
                (records == 0 ? std::string("it holds no records")
                              : "its records run from " + sim::format_time(first) + " to " + sim::format_time(last)) +
                ")");
        }
        if (!window.empty() && !a.hosts.empty() && in_window_of_hosts == 0)
            throw UsageError(window + ": no record" + of_hosts + " in " + a.file + " is in that window");
        if (!a.kinds.empty()) {
            std::string kind_list, have;
            for (const std::string& k : a.kinds) kind_list += (kind_list.empty() ? "" : " or ") + k;
            for (const std::string& k : kinds_there) have += (have.empty() ? "" : ", ") + k;
            throw UsageError("--kind " + kind_list + ": no record" + of_hosts +
                             (window.empty() ? "" : " in " + window) + " in " + a.file +
                             " has a kind that starts with " + (a.kinds.size() == 1 ? "it" : "one") +
                             " (kinds there: " + have + ")");
        }
    }
    for (const std::string& u : unmatched) std::fprintf(stderr, "faultline: warning: %s\n", u.c_str());
    return exit_pass;
}

}  // namespace

void add_trace_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<TraceArgs>();
    auto* sub = app.add_subcommand("trace", "Print a binary trace file (--trace FILE.ftrace) as JSON Lines, optionally filtered");
    sub->add_option("file", args->file,
                    "The trace file, written by '" + explore::program_name() + " run ... --trace FILE.ftrace'")
        ->required();
    sub->add_option("--kind", args->kinds, "Only records whose kind starts with this (e.g. rpc. or fault.; repeatable)");
    sub->add_option("--host", args->hosts, "Only records of this host (repeatable)");
    sub->add_option("--from", args->from, "Only records at or after this virtual time (e.g. 40s)");
    sub->add_option("--to", args->to, "Only records at or before this virtual time (e.g. 41.5s)");
    sub->callback([&cmd, args] { cmd.run = [args] { return execute(*args); }; });
}

}  // namespace faultline::cli
