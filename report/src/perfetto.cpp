#include "report/perfetto.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <queue>

#include "report/series.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

constexpr std::uint32_t faults_pid = 1;
constexpr std::uint32_t metrics_pid = 2;
std::uint32_t host_pid(std::uint32_t host) { return host + 3; }

// Nanoseconds as the format's microseconds, exactly ("30000000.000").
std::string us(std::int64_t ns) {
    char buf[48];
    const bool neg = ns < 0;
    const std::uint64_t a = neg ? static_cast<std::uint64_t>(-ns) : static_cast<std::uint64_t>(ns);
    std::snprintf(buf, sizeof buf, "%s%llu.%03llu", neg ? "-" : "", static_cast<unsigned long long>(a / 1000),
                  static_cast<unsigned long long>(a % 1000));
    return buf;
}

std::int64_t to_ns(double s) {
    if (!std::isfinite(s)) return s > 0 ? INT64_MAX : INT64_MIN;
    return static_cast<std::int64_t>(std::llround(s * 1e9));
}

std::string field_json(const sim::TraceField& f) {
    std::string o = json_string(f.key) + ":";
    char buf[48];
    switch (f.value.type()) {
        case sim::TraceValue::Type::i64:
            std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(f.value.as_i64()));
            return o + buf;
        case sim::TraceValue::Type::u64:
            std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(f.value.as_u64()));
            return o + buf;
        case sim::TraceValue::Type::f64:
            if (!std::isfinite(f.value.as_f64())) return o + "null";
            std::snprintf(buf, sizeof buf, "%.17g", f.value.as_f64());
            return o + buf;
        case sim::TraceValue::Type::boolean:
            return o + (f.value.as_bool() ? "true" : "false");
        case sim::TraceValue::Type::str:
            return o + json_string(f.value.as_str());
    }
    return o + "null";
}

const sim::TraceValue* find(const sim::TraceRecord& r, std::string_view key) {
    for (const sim::TraceField& f : r.fields) {
        if (f.key == key) return &f.value;
    }
    return nullptr;
}

std::uint64_t as_id(const sim::TraceValue* v) {
    if (v == nullptr) return 0;
    return v->type() == sim::TraceValue::Type::i64 ? static_cast<std::uint64_t>(v->as_i64()) : v->as_u64();
}

}  // namespace

PerfettoRecorder::PerfettoRecorder(PerfettoOptions options, sim::TraceSink* next)
    : options_(options), next_(next), next_kernel_(next != nullptr && next->wants_kernel_events()) {}

std::uint32_t PerfettoRecorder::intern(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(strings_.size());
    strings_.emplace_back(s);
    ids_.emplace(std::string(s), id);
    return id;
}

void PerfettoRecorder::note_host(const sim::TraceRecord& r) {
    if (r.host_id >= hosts_.size()) hosts_.resize(r.host_id + 1);
    if (hosts_[r.host_id].empty()) hosts_[r.host_id] = std::string(r.host);
}

bool PerfettoRecorder::in_window(std::int64_t from_ns, std::int64_t to_ns_) const {
    return to_ns_ >= to_ns(options_.from_s) && from_ns <= to_ns(options_.to_s);
}

bool PerfettoRecorder::has_room() {
    if (kept() < options_.events_max) return true;
    ++dropped_;
    return false;
}

void PerfettoRecorder::close(std::uint32_t host, std::uint64_t id, std::int64_t end_ns, std::uint32_t result) {
    auto it = open_.find({host, id});
    if (it == open_.end()) return;
    const Open o = it->second;
    open_.erase(it);
    if (!in_window(o.start_ns, end_ns) || !has_room()) return;
    slices_.push_back({host, o.start_ns, end_ns, o.name, o.to, result, id});
}

void PerfettoRecorder::record(const sim::TraceRecord& r) {
    if (next_ != nullptr && (!r.kernel || next_kernel_)) next_->record(r);
    if (r.kernel) return;
    note_host(r);
    const std::int64_t t = r.time.time_since_epoch().count();
    if (r.kind == "rpc.call") {
        const sim::TraceValue* service = find(r, "service");
        const sim::TraceValue* to = find(r, "to");
        const std::string name = "call " + std::string(service ? service->as_str() : "?");
        open_[{r.host_id, as_id(find(r, "id"))}] = Open{t, intern(name), intern(to ? to->as_str() : "")};
        return;
    }
    if (r.kind == "rpc.done") {
        const sim::TraceValue* result = find(r, "result");
        close(r.host_id, as_id(find(r, "id")), t, intern(result ? result->as_str() : "?"));
        return;
    }
    if (r.detail) return;  // per-message chatter (net.send): the slices already show it
    if (r.kind == "host.crash") {
        // The host's processes are gone: its calls end here.
        std::vector<std::uint64_t> ids;
        for (auto it = open_.lower_bound({r.host_id, 0}); it != open_.end() && it->first.first == r.host_id; ++it)
            ids.push_back(it->first.second);
        const std::uint32_t crashed = intern("host crashed");
        for (std::uint64_t id : ids) close(r.host_id, id, t, crashed);
    }
    if (in_window(t, t) && has_room()) {
        std::string args;
        for (const sim::TraceField& f : r.fields) args += (args.empty() ? "" : ",") + field_json(f);
        const bool fault = r.kind == "fault.inject" || r.kind == "fault.heal";
        instants_.push_back({r.host_id, t, intern(r.kind), std::move(args), fault});
    }
    if (r.kind == "fault.inject") {
        // A window is kept when it overlaps the exported part, as a call is, whole: one that
        // began before it (and covers it) is what the exported part is about.
        const sim::TraceValue* d = find(r, "duration_ns");
        const std::int64_t duration = d ? d->as_i64() : -1;
        const std::int64_t end = duration >= 0 ? t + duration : t;
        if (!in_window(t, end) || !has_room()) return;
        const sim::TraceValue* kind = find(r, "kind");
        const sim::TraceValue* targets = find(r, "targets");
        std::string name = std::string(kind ? kind->as_str() : "fault");
        if (targets && !targets->as_str().empty()) name += " " + std::string(targets->as_str());
        windows_.push_back({t, end, intern(name)});
    }
}

PerfettoCounts PerfettoRecorder::write(std::ostream& out, const RunRecord& run) const {
    const std::int64_t end_ns = to_ns(run.end_s);
    // Calls still open at the end: slices to the end of the run.
    std::vector<Slice> slices = slices_;
    const std::uint32_t unfinished = static_cast<std::uint32_t>(strings_.size());
    std::uint64_t dropped = dropped_;
    for (const auto& [key, o] : open_) {
        if (!in_window(o.start_ns, end_ns)) continue;
        if (slices.size() + instants_.size() + windows_.size() >= options_.events_max) {
            ++dropped;
            continue;
        }
        slices.push_back({key.first, o.start_ns, end_ns, o.name, o.to, unfinished, key.second});
    }
    auto str = [this, unfinished](std::uint32_t id) -> std::string {
        return id == unfinished ? std::string("unfinished") : strings_[id];
    };
    std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
        if (a.host != b.host) return a.host < b.host;
        if (a.start_ns != b.start_ns) return a.start_ns < b.start_ns;
        if (a.end_ns != b.end_ns) return a.end_ns < b.end_ns;
        return a.id < b.id;
    });

    const std::uint64_t kept = slices.size() + instants_.size() + windows_.size();
    out << "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":" << json_string(run.scenario)
        << ",\"seed\":" << run.seed << ",\"trace_hash\":" << json_string(run.trace_hash)
        << ",\"verdict\":" << json_string(run.verdict) << ",\"events_kept\":" << kept
        << ",\"events_dropped\":" << dropped << "},\n\"traceEvents\":[\n";
    bool first = true;
    auto event = [&out, &first](const std::string& e) {
        out << (first ? "" : ",\n") << e;
        first = false;
    };
    auto process = [&event](std::uint32_t pid, const std::string& name) {
        event("{\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
              ",\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":" + json_string(name) + "}}");
        event("{\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
              ",\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":" + std::to_string(pid) + "}}");
    };
    auto thread = [&event](std::uint32_t pid, std::uint32_t tid, const std::string& name) {
        event("{\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
              ",\"name\":\"thread_name\",\"args\":{\"name\":" + json_string(name) + "}}");
    };

    // Faults: windows on lanes of their own, inject and heal as global instants.
    process(faults_pid, "faults");
    thread(faults_pid, 0, "inject / heal");
    {
        std::vector<std::int64_t> lane_end;
        for (const Window& planned : windows_) {
            // A window the run did not live to see end (a failure stops it) ends with the run.
            Window w = planned;
            w.end_ns = std::min(w.end_ns, std::max(end_ns, w.start_ns));
            std::size_t lane = 0;
            while (lane < lane_end.size() && lane_end[lane] > w.start_ns) ++lane;
            if (lane == lane_end.size()) {
                lane_end.push_back(0);
                thread(faults_pid, static_cast<std::uint32_t>(lane + 1), "fault windows " + std::to_string(lane + 1));
            }
            lane_end[lane] = std::max(w.end_ns, w.start_ns + 1);
            event("{\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(lane + 1) + ",\"ts\":" + us(w.start_ns) +
                  ",\"dur\":" + us(w.end_ns - w.start_ns) + ",\"name\":" + json_string(strings_[w.name]) +
                  ",\"cat\":\"fault\"}");
        }
    }

    // Hosts: a process each, calls on lanes (the lowest lane free when a call starts).
    std::vector<bool> named(hosts_.size(), false);
    auto name_host = [&](std::uint32_t h) {
        if (h < named.size() && !named[h]) {
            process(host_pid(h), hosts_[h].empty() ? "host " + std::to_string(h) : hosts_[h]);
            thread(host_pid(h), 0, "events");
            named[h] = true;
        }
    };
    std::size_t i = 0;
    while (i < slices.size()) {
        const std::uint32_t h = slices[i].host;
        name_host(h);
        using Busy = std::pair<std::int64_t, std::uint32_t>;  // (end, lane)
        std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
        std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> free;
        std::uint32_t lanes = 0;
        for (; i < slices.size() && slices[i].host == h; ++i) {
            const Slice& s = slices[i];
            while (!busy.empty() && busy.top().first <= s.start_ns) {
                free.push(busy.top().second);
                busy.pop();
            }
            std::uint32_t lane;
            if (!free.empty()) {
                lane = free.top();
                free.pop();
            } else {
                lane = ++lanes;
                thread(host_pid(h), lane, "calls " + std::to_string(lane));
            }
            busy.push({std::max(s.end_ns, s.start_ns + 1), lane});
            event("{\"ph\":\"X\",\"pid\":" + std::to_string(host_pid(h)) + ",\"tid\":" + std::to_string(lane) +
                  ",\"ts\":" + us(s.start_ns) + ",\"dur\":" + us(s.end_ns - s.start_ns) + ",\"name\":" +
                  json_string(str(s.name)) + ",\"cat\":\"rpc\",\"args\":{\"to\":" + json_string(str(s.to)) +
                  ",\"result\":" + json_string(str(s.result)) + ",\"id\":" + std::to_string(s.id) + "}}");
        }
    }
    for (const Instant& in : instants_) {
        if (in.global) {
            event("{\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,\"ts\":" + us(in.time_ns) +
                  ",\"name\":" + json_string(strings_[in.name]) + ",\"cat\":\"fault\",\"args\":{" + in.args + "}}");
            continue;
        }
        name_host(in.host);
        event("{\"ph\":\"i\",\"s\":\"t\",\"pid\":" + std::to_string(host_pid(in.host)) +
              ",\"tid\":0,\"ts\":" + us(in.time_ns) + ",\"name\":" + json_string(strings_[in.name]) +
              ",\"cat\":\"event\",\"args\":{" + in.args + "}}");
    }

    // Every metric series as a counter track, which holds its value from its timestamp on. A
    // value of the interval before its sample (a rate, a quantile, a ratio, a peak) is stamped at
    // the interval's start (the previous sample's time; the first interval is as long as the
    // second), so that it lines up with the slices and instants of that interval, and is kept when
    // [start, t) overlaps the window: the value the window opens with too. A value at its sample
    // (a gauge: in flight, a queue) is stamped at the sample, not before what made it.
    process(metrics_pid, "metrics");
    const std::vector<double>& times = run.times;
    std::vector<std::int64_t> starts(times.size());
    for (std::size_t k = 0; k < times.size(); ++k)
        starts[k] = to_ns(k > 0 ? times[k - 1] : std::max(0.0, times[0] - sample_interval(run)));
    for (const models::Series& s : run.series) {
        for (std::size_t k = 0; k < s.values.size() && k < times.size(); ++k) {
            const std::int64_t t = to_ns(times[k]);
            const std::int64_t from = s.over_interval ? starts[k] : t;
            // A value at its sample holds until the next one: the last before the window opens it.
            const std::int64_t until = s.over_interval        ? t
                                       : k + 1 < times.size() ? to_ns(times[k + 1])
                                                              : std::numeric_limits<std::int64_t>::max();
            const bool overlaps =
                from <= to_ns(options_.to_s) && (until > to_ns(options_.from_s) || from >= to_ns(options_.from_s));
            if (!std::isfinite(s.values[k]) || !overlaps) continue;
            char buf[48];
            std::snprintf(buf, sizeof buf, "%.9g", s.values[k]);
            event("{\"ph\":\"C\",\"pid\":2,\"tid\":0,\"ts\":" + us(from) + ",\"name\":" + json_string(s.name) +
                  ",\"args\":{\"value\":" + buf + "}}");
        }
    }
    out << "\n]}\n";
    return {kept, dropped};
}

}  // namespace faultline::report
