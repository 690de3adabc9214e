// A fuzzing job's output directory:
//   DIR/job.json        what the job runs (scenario, overrides, settings, seeds, shard, build)
//   DIR/results.jsonl   one record per seed, appended and fsynced as each seed finishes
//   DIR/artifacts/ID.json  for each failure signature, the artifact of its fastest-failing seed
//   DIR/summary.json    counts and signatures, rewritten at the end (derived from the above)
// results.jsonl is the truth: a killed job (even kill -9) loses only the seeds that were
// running; --resume reads it (a torn last line is dropped) and skips the seeds it holds.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "explore/json.hpp"
#include "explore/outcome.hpp"
#include "explore/spec.hpp"

namespace faultline::explore {

// What makes two result directories parts of one job: records can be merged only when these
// agree (the seed range and shard may differ).
struct JobConfig {
    ScenarioRef scenario;
    std::string content_hash;  // of the scenario file (empty: a built-in, or a job.json from before it was kept)
    std::vector<Override> overrides;
    bool swarm = false;
    bool shuffle_ties = false;
    bool buggify = false;
    std::optional<sim::Duration> time_max;
    std::optional<std::uint64_t> events_max;
    std::string seeds;  // as given: "1..1000", "1.." (with --time)
    // The last invocation's --time: a budget, not the range, bounds the seeds it ran.
    std::optional<sim::Duration> time_budget;
    std::string shard;  // "0/1" for an unsharded job
    std::string version;   // of the build that started the job
    std::string build_id;  // the build that started the job
    // Every build that has run seeds in the directory, the one that started it first: a resume
    // with another build adds it (the records do not name their build), so that summaries and
    // merge still see a directory of mixed builds. A job.json from before it was kept has only
    // build_id, which is read as the one build.
    std::vector<std::string> builds;
};
Json job_to_json(const JobConfig& job);
JobConfig job_from_json(const JsonReader& r);
// How two jobs differ in what their runs mean (scenario and its content, overrides, swarm,
// settings), in words; nullopt when their records can be combined. A build difference is reported
// separately. Overrides compare as a set (job_difference.cpp says exactly how).
std::optional<std::string> job_difference(const JobConfig& a, const JobConfig& b);
// --set overrides in a form that does not depend on the order of independent settings: a setting
// replaced by a later one of the same path is dropped (last wins), and settings whose paths do not
// overlap are put in path order; one that contains another (`replicas` and `replicas.0`) keeps
// its order relative to it.
std::vector<Override> canonical_overrides(const std::vector<Override>& overrides);
// Whether two lists of --set overrides of `job`'s scenario set the same: compared as above, and
// for a built-in scenario (typed options) by the values they set (crash_rate=1.7 is 1.70).
bool same_settings(const JobConfig& job, const std::vector<Override>& a, const std::vector<Override>& b);

// Reads results.jsonl record by record. A last line without its newline (a write cut short) is
// dropped; with `repair` the file is also truncated to its last complete line so appends start
// clean. Any other bad line is an InputError naming the file and line. A missing file is empty.
// Returns whether a torn last line was dropped.
bool for_each_result(const std::string& path, bool repair, const std::function<void(Outcome&&)>& each);
std::vector<Outcome> load_results(const std::string& path, bool repair);

// The run a job's record stands for: the job's scenario, overrides and settings, with the
// record's seed and swarm draws (to write an artifact again from the record alone).
RunSpec spec_for_seed(const JobConfig& job, const Outcome& record);

// What summaries need from a job's records without keeping every passing one: counts by verdict,
// and the findings (without their fault plans and options; those live in artifacts).
struct Tally {
    std::uint64_t seeds = 0;
    std::map<Verdict, std::uint64_t> by_verdict;
    std::vector<Outcome> findings;
    void add(const Outcome& o);
    std::uint64_t count(Verdict v) const {
        auto it = by_verdict.find(v);
        return it == by_verdict.end() ? 0 : it->second;
    }
};

// Appends records, each with one write() before append() returns: once it has returned, the
// record survives the job being killed (kill -9 included; the kernel has it). fdatasync, which
// makes records survive the machine going down as well, costs milliseconds, so it runs at most
// every `sync_interval` and when the log is closed: a power cut loses at most that much of the
// latest records (whose seeds --resume then runs again).
class ResultsLog {
public:
    explicit ResultsLog(const std::string& path,
                        std::chrono::milliseconds sync_interval = std::chrono::milliseconds(250));
    ~ResultsLog();
    ResultsLog(const ResultsLog&) = delete;
    ResultsLog& operator=(const ResultsLog&) = delete;
    void append(const Outcome& o);
    void sync();

private:
    std::string path_;
    int fd_ = -1;
    std::chrono::milliseconds sync_interval_;
    std::chrono::steady_clock::time_point synced_;  // wall clock: durability only
    bool dirty_ = false;
};

// Findings grouped by signature, each with its fastest-failing seed (passing records are ignored).
struct SignatureGroup {
    std::string signature;
    std::string id;
    Verdict verdict = Verdict::fail;
    std::uint64_t count = 0;
    std::vector<std::uint64_t> seeds;  // sorted
    Outcome fastest;
    bool has_artifact = true;  // false when its artifact could not be written (a merge says why)
};
// Sorted by how many seeds hit them (most first), then by signature.
std::vector<SignatureGroup> group_findings(const std::vector<Outcome>& records);

// How much of a job's seed ranges has been run: a job stopped by a signal, or a merge of shards
// that did not all finish, must not read as a clean pass.
struct Coverage {
    std::optional<std::uint64_t> expected;  // seeds of the job's ranges (in its shard); none for an open range
    std::uint64_t ran = 0;                  // of those, the seeds recorded
    std::string interrupted;                // "SIGTERM" when the job was stopped by a signal
    std::vector<std::string> gaps;          // per shard: "shard 1/2 ran 369 of 1000 seeds"
    std::string next_step;                  // what runs the rest, when not "the same command with --resume"
    std::uint64_t missing() const { return expected && *expected > ran ? *expected - ran : 0; }
    bool complete() const { return interrupted.empty() && missing() == 0 && gaps.empty(); }
    std::string text() const;  // "369 of 1000 seeds of the range ran (631 not run)"
};

std::string artifact_path(const std::string& dir, const std::string& signature_id);
Json summary_json(const JobConfig& job, const Tally& tally, const std::vector<SignatureGroup>& groups,
                  const Coverage& coverage = {});

}  // namespace faultline::explore
