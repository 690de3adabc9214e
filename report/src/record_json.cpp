// RunRecord <-> JSON ("faultline-run/1"), and reading and writing report files. Every error names
// the file and the field.
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "faultline/input_file.hpp"
#include "faultline/json_error.hpp"
#include "faultline/whole_file.hpp"
#include "json_field.hpp"
#include "report/record.hpp"
#include "report/text.hpp"

namespace faultline::report {

namespace {

constexpr const char* run_format = "faultline-run/1";

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

using Field = detail::JsonField;

}  // namespace

Json overrides_to_json(const std::vector<Override>& overrides) {
    Json out = Json::array();
    for (const Override& o : overrides) out.push_back({{"path", o.path}, {"value", o.value}});
    return out;
}

Json record_to_json(const RunRecord& r) {
    Json j;
    j["format"] = run_format;
    j["scenario"] = r.scenario;
    j["label"] = r.label;
    j["file"] = r.file;
    j["variant"] = r.variant;
    j["variant_description"] = r.variant_description;
    j["description"] = r.description;
    j["hypothesis"] = r.hypothesis;
    j["expect"] = {{"verdict", r.expected_verdict}, {"failure", r.expected_failure}};
    j["seed"] = r.seed;
    j["overrides"] = overrides_to_json(r.overrides);
    j["repro"] = r.repro;
    j["verdict"] = r.verdict;
    if (r.failure) {
        const FailureRecord& f = *r.failure;
        j["failure"] = {{"kind", f.kind}, {"name", f.name},   {"message", f.message},
                        {"host", f.host}, {"where", f.where}, {"time_s", f.time_s}};
    } else {
        j["failure"] = nullptr;
    }
    j["runaway_reason"] = r.runaway_reason;
    j["events"] = r.events;
    j["end_s"] = r.end_s;
    j["duration_s"] = r.duration_s;
    j["trace_hash"] = r.trace_hash;
    Json m = Json::array();
    for (const Measurement& x : r.measurements)
        m.push_back({{"name", x.name}, {"value", number_or_null(x.value)}, {"note", x.note}});
    j["measurements"] = m;
    Json options = Json::array();
    for (const FieldInfo& f : r.options)
        options.push_back({{"path", f.path}, {"value", f.value}, {"type", f.type}, {"help", f.help}});
    j["options"] = options;
    Json faults = Json::array();
    for (const FaultRecord& f : r.faults) {
        Json params = Json::object();
        for (const auto& [k, v] : f.params) params[k] = v;
        faults.push_back({{"at_s", f.at_s},
                          {"duration_s", f.duration_s ? Json(*f.duration_s) : Json(nullptr)},
                          {"kind", f.kind},
                          {"targets", f.targets},
                          {"params", params}});
        if (f.open_at_end) faults.back()["open_at_end"] = true;
    }
    j["faults"] = faults;
    Json invariants = Json::array();
    for (const InvariantRecord& inv : r.invariants) {
        Json i = {
            {"name", inv.name},           {"kind", inv.kind},
            {"condition", inv.condition}, {"result", inv.result},
            {"message", inv.message},     {"judged_at_s", inv.judged_at_s ? Json(*inv.judged_at_s) : Json(nullptr)}};
        if (inv.recovery) {
            const RecoveryRule& rr = *inv.recovery;
            i["recovery"] = {{"metric", rr.metric},
                             {"baseline_from_s", rr.baseline_from_s},
                             {"baseline_to_s", rr.baseline_to_s},
                             {"after_s", rr.after_s},
                             {"within_s", rr.within_s},
                             {"share", rr.share},
                             {"smoothing_s", rr.smoothing_s}};
        } else {
            i["recovery"] = nullptr;
        }
        i["metric"] = inv.metric;
        i["min"] = inv.min ? Json(*inv.min) : Json(nullptr);
        i["max"] = inv.max ? Json(*inv.max) : Json(nullptr);
        invariants.push_back(std::move(i));
    }
    j["invariants"] = invariants;
    Json coverage = Json::array();
    for (const auto& [mark, count] : r.coverage) coverage.push_back({{"mark", mark}, {"count", count}});
    j["coverage"] = coverage;
    Json times = Json::array();
    for (double t : r.times) times.push_back(number_or_null(t));
    j["time_s"] = times;
    Json series = Json::array();
    for (const models::Series& s : r.series) {
        Json values = Json::array();
        for (double v : s.values) values.push_back(number_or_null(v));
        series.push_back({{"name", s.name}, {"values", values}, {"over_interval", s.over_interval}});
    }
    j["series"] = series;
    return j;
}

RunRecord record_from_json(const Json& json, const std::string& file) {
    const Field j(file, json, "");
    if (!json.is_object()) j.fail("expected a JSON object (a result file from 'faultline run --result')");
    const std::string format = j.str_or("format");
    if (format != run_format) {
        j.at("format").fail("expected \"" + std::string(run_format) +
                            "\" (a result file from 'faultline run --result'), got \"" + format + "\"");
    }
    RunRecord r;
    r.scenario = j.at("scenario").str();
    r.label = j.str_or("label");
    r.file = j.str_or("file");
    r.variant = j.str_or("variant");
    r.variant_description = j.str_or("variant_description");
    r.description = j.str_or("description");
    r.hypothesis = j.str_or("hypothesis");
    if (j.has("expect")) {
        r.expected_verdict = j.at("expect").str_or("verdict");
        r.expected_failure = j.at("expect").str_or("failure");
    }
    r.seed = j.at("seed").u64();
    if (j.has("overrides")) r.overrides = j.at("overrides").overrides();
    r.repro = j.str_or("repro");
    r.verdict = j.at("verdict").str();
    if (r.verdict != "pass" && r.verdict != "fail" && r.verdict != "runaway" && r.verdict != "interrupted")
        j.at("verdict").fail("expected pass, fail, runaway or interrupted");
    if (j.has("failure")) {
        const Field f = j.at("failure");
        r.failure = FailureRecord{
            f.at("kind").str(),  f.at("name").str(),
            f.str_or("message"), f.str_or("host"),
            f.str_or("where"),   f.has("time_s") ? f.at("time_s").seconds() : std::numeric_limits<double>::quiet_NaN()};
    }
    r.runaway_reason = j.str_or("runaway_reason");
    r.events = j.has("events") ? j.at("events").u64() : 0;
    r.end_s = j.at("end_s").seconds();
    r.duration_s = j.has("duration_s") ? j.at("duration_s").seconds() : r.end_s;
    r.trace_hash = j.str_or("trace_hash");
    if (j.has("measurements")) {
        const Field m = j.at("measurements");
        for (std::size_t i = 0; i < m.size(); ++i) {
            r.measurements.push_back(
                {m.item(i).at("name").str(), m.item(i).at("value").number(), m.item(i).str_or("note")});
        }
    }
    if (j.has("options")) {
        const Field o = j.at("options");
        for (std::size_t i = 0; i < o.size(); ++i) {
            const Field f = o.item(i);
            r.options.push_back({f.at("path").str(), f.str_or("value"), f.str_or("type"), f.str_or("help")});
        }
    }
    if (j.has("faults")) {
        const Field fs = j.at("faults");
        for (std::size_t i = 0; i < fs.size(); ++i) {
            const Field f = fs.item(i);
            FaultRecord fr;
            fr.at_s = f.at("at_s").seconds();
            if (f.has("duration_s")) fr.duration_s = f.at("duration_s").seconds();
            if (f.has("open_at_end")) {
                if (!f.at("open_at_end").json().is_boolean()) f.at("open_at_end").fail("expected true or false");
                fr.open_at_end = f.at("open_at_end").json().get<bool>();
            }
            fr.kind = f.at("kind").str();
            if (f.has("targets")) {
                const Field t = f.at("targets");
                for (std::size_t k = 0; k < t.size(); ++k) fr.targets.push_back(t.item(k).str());
            }
            if (f.has("params")) {
                const Field p = f.at("params");
                if (!p.json().is_object()) p.fail("expected an object");
                for (const auto& [k, v] : p.json().items()) fr.params[k] = Field(file, v, "faults.params." + k).str();
            }
            r.faults.push_back(std::move(fr));
        }
    }
    if (j.has("invariants")) {
        const Field is = j.at("invariants");
        for (std::size_t i = 0; i < is.size(); ++i) {
            const Field f = is.item(i);
            InvariantRecord inv;
            inv.name = f.at("name").str();
            inv.kind = f.str_or("kind");
            inv.condition = f.str_or("condition");
            inv.result = f.at("result").str();
            if (inv.result != "pass" && inv.result != "fail" && inv.result != "not judged")
                f.at("result").fail("expected pass, fail or not judged");
            inv.message = f.str_or("message");
            if (f.has("judged_at_s")) inv.judged_at_s = f.at("judged_at_s").seconds();
            if (f.has("recovery")) {
                const Field rr = f.at("recovery");
                inv.recovery = RecoveryRule{
                    rr.at("metric").str(),         rr.at("baseline_from_s").seconds(), rr.at("baseline_to_s").seconds(),
                    rr.at("after_s").seconds(),    rr.at("within_s").seconds(),        rr.at("share").number(),
                    rr.at("smoothing_s").seconds()};
                if (!(inv.recovery->share > 0 && inv.recovery->share <= 1.5))
                    rr.at("share").fail("must be in (0, 1.5], as a scenario's recovers.share");
            }
            inv.metric = f.str_or("metric");
            if (f.has("min")) inv.min = f.at("min").number();
            if (f.has("max")) inv.max = f.at("max").number();
            r.invariants.push_back(std::move(inv));
        }
    }
    if (j.has("coverage")) {
        const Field c = j.at("coverage");
        for (std::size_t i = 0; i < c.size(); ++i)
            r.coverage.emplace_back(c.item(i).at("mark").str(), c.item(i).at("count").u64());
    }
    if (j.has("time_s")) r.times = j.at("time_s").times();
    // What a run writes holds together; a hand-edited file that does not would draw a page that
    // says two things at once (a failure at 41s on a run that ended at 10s, a PASS with a failure).
    if (r.verdict == "fail" && !r.failure) j.at("verdict").fail("is fail, but the file has no failure");
    if (r.verdict == "pass" && r.failure) j.at("failure").fail("a run whose verdict is pass has no failure");
    constexpr double slack = 1e-6;  // seconds: the file's decimal times round
    if (r.failure && r.failure->time_s > r.end_s + slack)
        j.at("failure").at("time_s").fail("after the run's end (end_s " + format_time(r.end_s) + ")");
    if (r.duration_s + slack < r.end_s)
        j.at("duration_s")
            .fail("is " + format_time(r.duration_s) + ", before the run's end (end_s " + format_time(r.end_s) +
                  "): the span the page draws holds the whole run");
    if (!r.times.empty() && r.times.back() > r.end_s + slack)
        j.at("end_s").fail("before the last sample (" + format_time(r.times.back()) + ")");
    for (std::size_t i = 0; i < r.faults.size(); ++i) {
        if (r.faults[i].at_s > r.end_s + slack)
            j.at("faults").item(i).at("at_s").fail("after the run's end (end_s " + format_time(r.end_s) +
                                                   "): only injected faults are recorded");
    }
    if (j.has("series")) {
        const Field s = j.at("series");
        for (std::size_t i = 0; i < s.size(); ++i) {
            // Files written before over_interval: the values as at their sample.
            models::Series series{s.item(i).at("name").str(), s.item(i).at("values").numbers(),
                                  s.item(i).flag_or("over_interval", false)};
            if (series.values.size() != r.times.size()) {
                s.item(i).at("values").fail("has " + std::to_string(series.values.size()) + " values for " +
                                            std::to_string(r.times.size()) + " sample times");
            }
            r.series.push_back(std::move(series));
        }
    }
    return r;
}

Json read_json(const std::string& path) {
    if (auto why = not_a_file_to_read(path)) throw ReportError(path + ": " + *why + ", not a result file");
    const std::optional<std::string> read = read_whole_file(path);
    if (!read) throw ReportError(path + ": cannot read the file");
    const std::string& content = *read;
    if (content.rfind("FLTRACE", 0) == 0)
        throw ReportError(path + ": a binary trace, not a result file ('faultline trace " + path + "' prints it)");
    if (content.find('\0') != std::string::npos)
        throw ReportError(path + ": a binary file, not a result file (JSON, from 'faultline run --result')");
    try {
        return Json::parse(content);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number past a double's range
        throw ReportError(path + ": not valid JSON" + json_error_detail(e.what()));
    }
}

RunRecord read_record(const std::string& path) { return record_from_json(read_json(path), path); }

void write_file_with(const std::string& path, const std::string& flag,
                     const std::function<void(std::ostream&)>& write) {
    try {
        write_whole_file(path, write);
    } catch (const FileWriteError& e) {
        throw ReportError(flag + " " + path + (e.opened ? ": writing failed: " : ": cannot write the file: ") +
                          e.reason);
    }
}

void write_file(const std::string& path, const std::string& content, const std::string& flag) {
    write_file_with(path, flag, [&content](std::ostream& out) { out << content; });
}

}  // namespace faultline::report
