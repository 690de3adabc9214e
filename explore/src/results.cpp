#include "explore/results.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "explore/fuzz.hpp"
#include "faultline/input_file.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

Json job_to_json(const JobConfig& job) {
    Json j;
    j["scenario"] = scenario_ref_to_json(job.scenario);
    if (!job.content_hash.empty()) j["scenario"]["content_hash"] = job.content_hash;
    j["overrides"] = overrides_to_json(job.overrides);
    j["swarm"] = job.swarm;
    j["settings"] = {{"shuffle_ties", job.shuffle_ties},
                     {"buggify", job.buggify},
                     {"time_max", job.time_max ? Json(sim::format_duration(*job.time_max)) : Json(nullptr)},
                     {"events_max", job.events_max ? Json(*job.events_max) : Json(nullptr)}};
    j["seeds"] = job.seeds;
    if (job.time_budget) j["time_budget"] = sim::format_duration(*job.time_budget);
    j["shard"] = job.shard;
    j["faultline"] = {{"version", job.version}, {"build_id", job.build_id}};
    if (!job.builds.empty()) j["faultline"]["builds"] = job.builds;
    return j;
}

JobConfig job_from_json(const JsonReader& r) {
    JobConfig job;
    job.scenario = scenario_ref_from_json(r.at("scenario"));
    if (auto h = r.at("scenario").find("content_hash")) job.content_hash = h->str();  // absent before it was kept
    // Every field a job writes is required (a job.json has had them all from the start): one left
    // out would read as its default, and a resume would name a difference without the file.
    job.overrides = overrides_from_json(r.at("overrides"));
    job.swarm = r.at("swarm").boolean();
    {
        const JsonReader s = r.at("settings");
        job.shuffle_ties = s.at("shuffle_ties").boolean();
        job.buggify = s.at("buggify").boolean();
        if (auto v = s.find("time_max")) job.time_max = v->duration();  // null: the scenario's own
        if (auto v = s.find("events_max")) job.events_max = v->u64();
    }
    {
        const JsonReader s = r.at("seeds");
        job.seeds = s.str();
        try {  // read here, so that a bad one names this file, not the --seeds flag
            (void)parse_seed_ranges(job.seeds);
        } catch (const InputError& e) {
            s.fail(std::string(e.what()).substr(std::string_view("--seeds: ").size()));
        }
    }
    if (auto b = r.find("time_budget")) job.time_budget = b->duration();
    {
        const JsonReader s = r.at("shard");
        job.shard = s.str();
        try {
            // One shard ("1/4"), or a merged job's ("merged: 0/2 1/2").
            std::string_view rest = job.shard;
            if (rest.starts_with("merged:")) rest.remove_prefix(7);
            while (!rest.empty()) {
                const std::size_t space = rest.find(' ');
                if (space != 0) (void)parse_shard(rest.substr(0, space), nullptr);
                rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
            }
        } catch (const InputError& e) {
            const std::string what = e.what();
            s.fail(what.starts_with("--shard: ") ? what.substr(9) : what);
        }
    }
    if (auto f = r.find("faultline")) {
        if (auto v = f->find("version")) job.version = v->str();
        if (auto b = f->find("build_id")) job.build_id = b->str();
        if (auto bs = f->find("builds")) {
            for (const JsonReader& b : bs->items()) job.builds.push_back(b.str());
        }
    }
    if (job.builds.empty() && !job.build_id.empty()) job.builds.push_back(job.build_id);  // before builds were kept
    return job;
}

bool for_each_result(const std::string& path, bool repair, const std::function<void(Outcome&&)>& each) {
    // A directory, a FIFO (which hung --resume and merge) or /dev/zero is no job's records.
    if (auto why = not_a_file_to_read(path)) throw InputError(path + ": " + *why + ", not a job's results");
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::string line;
    std::size_t line_no = 0;
    std::uint64_t complete = 0;  // bytes up to the end of the last complete line
    while (std::getline(in, line)) {
        if (in.eof()) break;  // no newline after it: a torn last line, cut short by a crash
        ++line_no;
        complete += line.size() + 1;
        if (line.empty()) continue;
        Json j;
        try {
            j = Json::parse(line);
        } catch (const nlohmann::json::exception&) {
            throw InputError(path + ": line " + std::to_string(line_no) + ": not a result record (invalid JSON)");
        }
        each(record_from_json(JsonReader(path + ": line " + std::to_string(line_no), j)));
    }
    in.close();
    const bool torn = std::filesystem::file_size(path) > complete;
    if (repair && torn) {
        if (::truncate(path.c_str(), static_cast<off_t>(complete)) != 0) {
            throw WriteError("cannot repair " + path + ": " + std::strerror(errno));  // exit 2, as for appending
        }
    }
    return torn;
}

RunSpec spec_for_seed(const JobConfig& job, const Outcome& record) {
    RunSpec spec;
    spec.scenario = job.scenario;
    spec.seed = record.seed;
    spec.overrides = job.overrides;
    spec.swarm = record.swarm;
    spec.shuffle_ties = job.shuffle_ties;
    spec.buggify = job.buggify;
    spec.time_max = job.time_max;
    spec.events_max = job.events_max;
    return spec;
}

std::vector<Outcome> load_results(const std::string& path, bool repair) {
    std::vector<Outcome> out;
    for_each_result(path, repair, [&](Outcome&& o) { out.push_back(std::move(o)); });
    return out;
}

void Tally::add(const Outcome& o) {
    ++seeds;
    ++by_verdict[o.verdict];
    if (!is_finding(o.verdict)) return;
    Outcome slim = o;
    slim.injected.clear();
    slim.options.clear();
    slim.stderr_tail.clear();
    findings.push_back(std::move(slim));
}

ResultsLog::ResultsLog(const std::string& path, std::chrono::milliseconds sync_interval)
    : path_(path), sync_interval_(sync_interval), synced_(std::chrono::steady_clock::now()) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw WriteError("cannot open " + path + ": " + std::strerror(errno));  // exit 2: the machine's answer
}

ResultsLog::~ResultsLog() {
    if (fd_ < 0) return;
    sync();
    ::close(fd_);
}

void ResultsLog::sync() {
    if (!dirty_) return;
    ::fdatasync(fd_);
    dirty_ = false;
    synced_ = std::chrono::steady_clock::now();
}

void ResultsLog::append(const Outcome& o) {
    const std::string line = record_to_json(o).dump() + "\n";
    // One write() per record: a kill -9 leaves whole records (a torn last line can only come
    // from a machine going down mid-write; load_results drops it).
    const off_t before = ::lseek(fd_, 0, SEEK_END);
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            // A full disk may take part of the line: cut it off, so the log ends with a whole record.
            if (before >= 0 && done > 0 && ::ftruncate(fd_, before) == 0) ::lseek(fd_, before, SEEK_SET);
            throw WriteError("cannot append to " + path_ + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    dirty_ = true;
    if (std::chrono::steady_clock::now() - synced_ >= sync_interval_) sync();
}

std::vector<SignatureGroup> group_findings(const std::vector<Outcome>& records) {
    std::map<std::string, SignatureGroup> by_signature;
    for (const Outcome& o : records) {
        if (!is_finding(o.verdict)) continue;
        auto [it, fresh] = by_signature.try_emplace(o.signature);
        SignatureGroup& g = it->second;
        if (fresh) {
            g.signature = o.signature;
            g.id = signature_id(o.signature);
            g.verdict = o.verdict;
            g.fastest = o;
        } else if (faster(o, g.fastest)) {
            g.fastest = o;
        }
        ++g.count;
        g.seeds.push_back(o.seed);
    }
    std::vector<SignatureGroup> out;
    for (auto& [sig, g] : by_signature) {
        std::sort(g.seeds.begin(), g.seeds.end());
        out.push_back(std::move(g));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const SignatureGroup& a, const SignatureGroup& b) { return a.count > b.count; });
    return out;
}

std::string artifact_path(const std::string& dir, const std::string& id) { return dir + "/artifacts/" + id + ".json"; }

std::string Coverage::text() const {
    if (!expected)
        return std::to_string(ran) + (ran == 1 ? " seed" : " seeds") +
               " ran (a time budget or an open range: no count of those not run)";
    return std::to_string(ran) + " of " + std::to_string(*expected) + (*expected == 1 ? " seed" : " seeds") +
           " of the range ran (" + std::to_string(missing()) + " not run)";
}

Json summary_json(const JobConfig& job, const Tally& tally, const std::vector<SignatureGroup>& groups,
                  const Coverage& coverage) {
    Json j;
    j["job"] = job_to_json(job);
    j["seeds_recorded"] = tally.seeds;
    // Whether the job's seed ranges were all run: absent from a complete job's summary, so that an
    // interrupted job resumed to its end has the same summary as one never interrupted.
    if (!coverage.complete()) {
        Json c;
        c["interrupted_by"] = coverage.interrupted.empty() ? Json(nullptr) : Json(coverage.interrupted);
        c["seeds_in_range"] = coverage.expected ? Json(*coverage.expected) : Json(nullptr);
        c["seeds_run"] = coverage.ran;
        c["seeds_not_run"] = coverage.expected ? Json(coverage.missing()) : Json(nullptr);
        c["gaps"] = coverage.gaps;
        j["incomplete"] = c;
    }
    Json verdicts = Json::object();
    for (const Verdict v :
         {Verdict::pass, Verdict::fail, Verdict::runaway, Verdict::crash, Verdict::hang, Verdict::error}) {
        verdicts[std::string(to_string(v))] = tally.count(v);
    }
    const std::uint64_t findings = tally.findings.size();
    j["verdicts"] = verdicts;
    j["findings"] = findings;
    Json sigs = Json::array();
    for (const SignatureGroup& g : groups) {
        Json s;
        s["signature"] = g.signature;
        s["id"] = g.id;
        s["verdict"] = std::string(to_string(g.verdict));
        s["seeds_failing"] = g.count;
        Json seeds = Json::array();
        for (std::size_t i = 0; i < g.seeds.size() && i < 100; ++i) seeds.push_back(g.seeds[i]);
        s["seeds"] = seeds;  // the first hundred
        s["fastest_seed"] = g.fastest.seed;
        s["fastest_end_time"] = sim::format_time(g.fastest.end_time);
        s["artifact"] = g.has_artifact ? Json("artifacts/" + g.id + ".json") : Json(nullptr);
        sigs.push_back(std::move(s));
    }
    j["signatures"] = sigs;
    return j;
}

}  // namespace faultline::explore
