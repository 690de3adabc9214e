// The Chrome trace / Perfetto export: calls as slices on their host (overlapping calls on
// separate lanes), faults as global instants and windows, crashes ending a host's calls, metric
// series as counters; records forwarded to the next sink; the events counted as the file holds them.
#include <gtest/gtest.h>

#include <sstream>

#include "records.hpp"
#include "report/perfetto.hpp"

namespace {

using namespace faultline::report;
using namespace std::chrono_literals;

struct Counting final : sim::TraceSink {
    int records = 0;
    void record(const sim::TraceRecord&) override { ++records; }
};

class Feed {
public:
    explicit Feed(sim::TraceSink& sink) : sink_(sink) {}
    void operator()(sim::Duration at, std::uint32_t host_id, std::string_view host, std::string_view kind,
                    std::initializer_list<sim::TraceField> fields, bool detail = false) {
        const std::vector<sim::TraceField> f(fields);
        sim::TraceRecord r{index_++, sim::Time(at), host_id, host, kind, f, false, 0, detail};
        sink_.record(r);
    }

private:
    sim::TraceSink& sink_;
    std::uint64_t index_ = 0;
};

std::vector<Json> events(const Json& trace, const std::string& ph) {
    std::vector<Json> out;
    for (const Json& e : trace.at("traceEvents")) {
        if (e.at("ph") == ph) out.push_back(e);
    }
    return out;
}

TEST(ReportPerfetto, CallsAreSlicesOnTheirHostAndFaultsAreInstants) {
    Counting next;
    PerfettoRecorder rec({}, &next);
    Feed feed(rec);
    feed(1s, 2, "api-1", "rpc.call", {{"id", std::uint64_t{1}}, {"service", "cache"}, {"to", "cache-1"}}, true);
    feed(1100ms, 2, "api-1", "rpc.call", {{"id", std::uint64_t{2}}, {"service", "cache"}, {"to", "cache-2"}}, true);
    feed(1200ms, 2, "api-1", "rpc.done", {{"id", std::uint64_t{1}}, {"result", "ok"}}, true);
    feed(1500ms, 2, "api-1", "rpc.done", {{"id", std::uint64_t{2}}, {"result", "timeout"}}, true);
    feed(2s, 0, "world", "fault.inject",
         {{"kind", "partition"}, {"targets", "api db"}, {"duration_ns", sim::Duration(5s)}});
    feed(3s, 2, "api-1", "rpc.call", {{"id", std::uint64_t{3}}, {"service", "db"}, {"to", "db-1"}}, true);
    feed(4s, 2, "api-1", "host.crash", {{"reason", "<oom>"}});
    feed(7s, 0, "world", "fault.heal", {{"kind", "partition"}});
    EXPECT_EQ(next.records, 8) << "every record goes on to the next sink";

    std::ostringstream out;
    rec.write(out, report_test::outage_run());
    const Json trace = Json::parse(out.str());
    EXPECT_EQ(trace.at("otherData").at("seed"), 7);

    std::vector<Json> calls;
    for (const Json& e : events(trace, "X")) {
        if (e.value("cat", "") == "rpc") calls.push_back(e);
    }
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls[0].at("name"), "call cache");
    EXPECT_EQ(calls[0].at("ts"), 1e6);
    EXPECT_EQ(calls[0].at("dur"), 2e5);
    EXPECT_EQ(calls[0].at("args").at("result"), "ok");
    EXPECT_EQ(calls[0].at("args").at("to"), "cache-1");
    EXPECT_EQ(calls[1].at("args").at("result"), "timeout");
    EXPECT_NE(calls[0].at("tid"), calls[1].at("tid")) << "overlapping calls get separate lanes";
    EXPECT_EQ(calls[2].at("args").at("result"), "host crashed") << "a crash ends its host's calls";
    EXPECT_EQ(calls[0].at("pid"), calls[2].at("pid"));

    bool host_named = false;
    for (const Json& m : events(trace, "M")) {
        host_named = host_named || (m.at("name") == "process_name" && m.at("pid") == calls[0].at("pid") &&
                                    m.at("args").at("name") == "api-1");
    }
    EXPECT_TRUE(host_named) << "each host is a process named after it";

    int global_faults = 0;
    bool crash_instant = false;
    for (const Json& i : events(trace, "i")) {
        if (i.at("s") == "g") ++global_faults;
        if (i.at("name") == "host.crash") crash_instant = i.at("args").at("reason") == "<oom>";
    }
    EXPECT_EQ(global_faults, 2) << "inject and heal";
    EXPECT_TRUE(crash_instant);
    bool window = false;
    for (const Json& e : events(trace, "X")) {
        window = window || (e.value("cat", "") == "fault" && e.at("name") == "partition api db" && e.at("dur") == 5e6);
    }
    EXPECT_TRUE(window) << "the fault's window as a slice";
    EXPECT_EQ(events(trace, "C").size(), 5u * 60 - 20) << "every sample with a value, of every series, as a counter";
}

TEST(ReportPerfetto, AWindowAndALimitKeepTheFileSmall) {
    PerfettoRecorder rec({.from_s = 2, .to_s = 3, .events_max = 1});
    Feed feed(rec);
    for (int i = 0; i < 5; ++i) {
        const auto at = sim::Duration(std::chrono::milliseconds(1000 * i + 100));
        feed(at, 1, "a", "rpc.call", {{"id", std::uint64_t(i)}, {"service", "s"}, {"to", "b"}}, true);
        feed(at + 10ms, 1, "a", "rpc.done", {{"id", std::uint64_t(i)}, {"result", "ok"}}, true);
    }
    feed(2500ms, 1, "a", "rpc.call", {{"id", std::uint64_t{9}}, {"service", "s"}, {"to", "b"}}, true);
    feed(2600ms, 1, "a", "rpc.done", {{"id", std::uint64_t{9}}, {"result", "ok"}}, true);
    EXPECT_EQ(rec.kept(), 1u) << "only the call at 2.1s: inside the window, and the limit is one";
    EXPECT_EQ(rec.dropped(), 1u) << "the call at 2.5s was in the window but past the limit";
}

// One count everywhere (the command's message, otherData.events_kept, events_max): every slice
// (calls, one still open at the end, fault windows) and every instant in the file.
TEST(ReportPerfetto, TheCountsAreTheSlicesAndInstantsOfTheFile) {
    PerfettoRecorder rec;
    Feed feed(rec);
    feed(1s, 2, "api-1", "rpc.call", {{"id", std::uint64_t{1}}, {"service", "cache"}, {"to", "cache-1"}}, true);
    feed(1200ms, 2, "api-1", "rpc.done", {{"id", std::uint64_t{1}}, {"result", "ok"}}, true);
    feed(2s, 0, "world", "fault.inject",
         {{"kind", "partition"}, {"targets", "api"}, {"duration_ns", sim::Duration(5s)}});
    feed(3s, 2, "api-1", "rpc.call", {{"id", std::uint64_t{2}}, {"service", "db"}, {"to", "db-1"}}, true);  // left open
    std::ostringstream out;
    const PerfettoCounts counts = rec.write(out, report_test::outage_run());
    const Json trace = Json::parse(out.str());
    const std::size_t in_file = events(trace, "X").size() + events(trace, "i").size();
    EXPECT_EQ(in_file, 4u) << "a call, the open call, the fault's window and its instant";
    EXPECT_EQ(counts.kept, in_file);
    EXPECT_EQ(trace.at("otherData").at("events_kept"), in_file);
    EXPECT_EQ(counts.dropped, 0u);

    // The limit counts the same events: a fault's window is one of them.
    PerfettoRecorder limited({.events_max = 1});
    Feed feed_limited(limited);
    feed_limited(2s, 0, "world", "fault.inject",
                 {{"kind", "partition"}, {"targets", "api"}, {"duration_ns", sim::Duration(5s)}});
    std::ostringstream small;
    const PerfettoCounts limited_counts = limited.write(small, report_test::outage_run());
    const Json small_trace = Json::parse(small.str());
    EXPECT_EQ(limited_counts.kept, 1u);
    EXPECT_EQ(limited_counts.dropped, 1u);
    EXPECT_EQ(events(small_trace, "X").size() + events(small_trace, "i").size(), 1u);
    EXPECT_EQ(small_trace.at("otherData").at("events_dropped"), 1u);
}

}  // namespace

namespace {
// A run that failed before its fault window was healed: the window ends with the run, not at its
// planned heal (a 40s run drew a partition to 75s).
TEST(ReportPerfetto, AFaultWindowEndsNoLaterThanTheRun) {
    PerfettoRecorder rec({}, nullptr);
    Feed feed(rec);
    feed(50s, 0, "world", "fault.inject", {{"kind", "partition"}, {"targets", "api"}, {"duration_ns", sim::Duration(25s)}});
    std::ostringstream out;
    rec.write(out, report_test::outage_run());  // it ended at 60s
    const Json trace = Json::parse(out.str());
    bool window = false;
    for (const Json& e : events(trace, "X")) {
        if (e.value("cat", "") != "fault") continue;
        window = true;
        EXPECT_EQ(e.at("ts"), 50e6);
        EXPECT_EQ(e.at("dur"), 10e6) << "to the run's end at 60s, not the planned 75s";
    }
    EXPECT_TRUE(window);
}
}  // namespace

namespace {
std::vector<Json> fault_windows(const Json& trace) {
    std::vector<Json> out;
    for (const Json& e : events(trace, "X")) {
        if (e.value("cat", "") == "fault") out.push_back(e);
    }
    return out;
}

// A tester's finding: `--perfetto-window 40s..50s` inside a 30s-70s fault window left the faults
// track empty, because the window's slice was only made with its inject instant, which is
// outside the exported part. A window overlapping the exported part is kept whole, as calls are.
TEST(ReportPerfetto, AFaultWindowThatBeganBeforeTheExportedPartIsKept) {
    auto export_of = [](double from_s, double to_s) {
        PerfettoRecorder rec({.from_s = from_s, .to_s = to_s});
        Feed feed(rec);
        feed(30s, 0, "world", "fault.inject",
             {{"kind", "bad_deploy"}, {"targets", "api"}, {"duration_ns", sim::Duration(40s)}});
        feed(70s, 0, "world", "fault.heal", {{"kind", "bad_deploy"}});
        RunRecord run = report_test::outage_run();
        run.end_s = run.duration_s = 100;
        std::ostringstream out;
        const PerfettoCounts counts = rec.write(out, run);
        const Json trace = Json::parse(out.str());
        EXPECT_EQ(counts.kept, events(trace, "X").size() + events(trace, "i").size());
        return trace;
    };
    const Json inside = export_of(40, 50);
    ASSERT_EQ(fault_windows(inside).size(), 1u);
    EXPECT_EQ(fault_windows(inside)[0].at("name"), "bad_deploy api");
    EXPECT_EQ(fault_windows(inside)[0].at("ts"), 30e6) << "whole, as a call that began before the window is";
    EXPECT_EQ(fault_windows(inside)[0].at("dur"), 40e6);
    EXPECT_EQ(events(inside, "i").size(), 0u) << "the inject and heal instants are outside it";

    const Json heal = export_of(65, 80);
    EXPECT_EQ(fault_windows(heal).size(), 1u);
    EXPECT_EQ(events(heal, "i").size(), 1u) << "the heal at 70s";

    const Json after = export_of(75, 80);
    EXPECT_EQ(fault_windows(after).size(), 0u) << "healed before the window";
    EXPECT_EQ(fault_windows(export_of(20, 30)).size(), 1u) << "injected at the window's last instant";
}

double counter_at(const Json& trace, const std::string& name, double ts) {
    for (const Json& e : events(trace, "C")) {
        if (e.at("name") == name && e.at("ts") == ts) return e.at("args").at("value").get<double>();
    }
    return -1;
}

// A tester's finding: counters lagged one metrics interval behind the slices. A sample at t covers
// the interval before t, and a counter holds its value from its timestamp: stamped at t, the
// outage's first second (20s-21s, goodput 0) showed as the last second before it.
TEST(ReportPerfetto, ACounterValueIsStampedAtTheStartOfTheIntervalItCovers) {
    PerfettoRecorder rec;
    std::ostringstream out;
    rec.write(out, report_test::outage_run());  // samples at 1s, 2s, ...: users.ok 0 in (20s, 30s]
    const Json trace = Json::parse(out.str());
    EXPECT_EQ(counter_at(trace, "users.ok", 0), 100) << "the first sample covers 0s-1s";
    EXPECT_EQ(counter_at(trace, "users.ok", 19e6), 100);
    EXPECT_EQ(counter_at(trace, "users.ok", 20e6), 0) << "the fault begins at 20s, and so does the drop";
    EXPECT_EQ(counter_at(trace, "users.ok", 29e6), 0);
    EXPECT_EQ(counter_at(trace, "users.ok", 30e6), 100) << "healed at 30s";
    EXPECT_EQ(counter_at(trace, "users.ok", 60e6), -1) << "nothing stamped at the last sample's own time";

    // In a window, the counters whose interval overlaps it: the value it opens with included.
    PerfettoRecorder windowed({.from_s = 25, .to_s = 30});
    std::ostringstream part;
    windowed.write(part, report_test::outage_run());
    const Json window = Json::parse(part.str());
    std::vector<double> stamps;
    for (const Json& e : events(window, "C")) {
        if (e.at("name") == "users.ok") stamps.push_back(e.at("ts").get<double>() / 1e6);
    }
    EXPECT_EQ(stamps, (std::vector<double>{25, 26, 27, 28, 29, 30}));
}

// The regression tester's finding on the fix above: a gauge's value is the value at its sample
// (in flight at 11s), and stamped at the interval's start it showed requests piling up before
// the fault that piled them. Only values of an interval move to its start.
TEST(ReportPerfetto, AGaugeValueIsStampedAtItsSample) {
    RunRecord run = report_test::outage_run();
    models::Series inflight{"users.inflight", {}, false};
    for (double t : run.times) inflight.values.push_back(t > 20 && t <= 30 ? 500 : 10);
    run.series.push_back(inflight);
    PerfettoRecorder rec;
    std::ostringstream out;
    rec.write(out, run);
    const Json trace = Json::parse(out.str());
    EXPECT_EQ(counter_at(trace, "users.inflight", 20e6), 10) << "at 20s, as the fault begins";
    EXPECT_EQ(counter_at(trace, "users.inflight", 21e6), 500);
    EXPECT_EQ(counter_at(trace, "users.ok", 20e6), 0) << "the rate over 20s-21s, at 20s";
    // A window keeps the gauge's samples inside it.
    PerfettoRecorder windowed({.from_s = 25, .to_s = 30});
    std::ostringstream part;
    windowed.write(part, run);
    std::vector<double> stamps;
    for (const Json& e : events(Json::parse(part.str()), "C")) {
        if (e.at("name") == "users.inflight") stamps.push_back(e.at("ts").get<double>() / 1e6);
    }
    EXPECT_EQ(stamps, (std::vector<double>{25, 26, 27, 28, 29, 30}));
    // A window opening between two samples keeps the gauge's value it opens with (24s's, which
    // holds until 25s), as the full export shows it over 24.5s-25s.
    PerfettoRecorder between({.from_s = 24.5, .to_s = 26});
    std::ostringstream part2;
    between.write(part2, run);
    stamps.clear();
    for (const Json& e : events(Json::parse(part2.str()), "C")) {
        if (e.at("name") == "users.inflight") stamps.push_back(e.at("ts").get<double>() / 1e6);
    }
    EXPECT_EQ(stamps, (std::vector<double>{24, 25, 26}));
}
}  // namespace
