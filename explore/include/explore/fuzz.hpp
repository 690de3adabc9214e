// `faultline fuzz`: many seeds of one scenario, each in a worker process, results recorded as
// they finish, failures deduplicated by signature with the fastest-failing seed's artifact kept.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "explore/results.hpp"
#include "explore/spec.hpp"

namespace faultline::explore {

// "A..B" (inclusive), "A.." (open: with a time budget), or "N" (one seed).
struct SeedRange {
    std::uint64_t first = 1;
    std::optional<std::uint64_t> last;
    std::string text() const;
};
SeedRange parse_seed_range(std::string_view text);  // InputError on bad text

// Shard i of n takes the seeds s with s % n == i. "i/n", or "auto/n" to read i from the
// JOB_COMPLETION_INDEX environment variable (Kubernetes indexed Jobs).
struct Shard {
    std::uint64_t index = 0;
    std::uint64_t count = 1;
    bool takes(std::uint64_t seed) const noexcept { return seed % count == index; }
    std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};
// `completion_index` is the value of JOB_COMPLETION_INDEX (null when unset).
Shard parse_shard(std::string_view text, const char* completion_index);

// The seeds a directory has been given over its resumptions (job.json's "1..1000 500..2000"), as
// a union of disjoint spans; `open` when one range has no end (a job with a time budget).
struct SeedRanges {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // sorted, disjoint, inclusive
    bool open = false;
    bool contains(std::uint64_t seed) const;
    // How many of the spans' seeds shard `shard` takes; nullopt for an open range.
    std::optional<std::uint64_t> count(const Shard& shard) const;
};
SeedRanges parse_seed_ranges(std::string_view text);  // InputError on bad text
// The seed ranges of job.json's "seeds" over resumptions and merges ("1..30 100..102"): each
// range of `texts` once, in the order first met.
std::string joined_ranges(const std::vector<std::string>& texts);

enum class ProgressMode { automatic, terminal, log, none };

struct FuzzOptions {
    RunSpec base;  // scenario, overrides and kernel settings (seed and swarm set per seed)
    bool swarm = false;
    SeedRange seeds;
    std::optional<std::chrono::milliseconds> time_budget;  // stop starting seeds after this
    unsigned jobs = 1;
    Shard shard;
    std::string out_dir;
    bool resume = false;
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // per seed, wall clock
    std::string worker_exe;
    std::optional<std::string> junit;
    ProgressMode progress = ProgressMode::automatic;
    std::chrono::milliseconds log_interval{std::chrono::seconds(10)};
};

struct FuzzReport {
    bool summary_written = true;      // false: the disk refused it (write_error says so)
    std::uint64_t seeds_run = 0;      // by this invocation
    std::uint64_t seeds_skipped = 0;  // already recorded (--resume)
    std::uint64_t seeds_total = 0;    // recorded in the directory now
    bool nothing_to_run = false;      // --resume found every seed of --seeds (in its shard) recorded
    std::vector<SignatureGroup> groups;
    std::uint64_t findings = 0;  // seeds with a finding
    int interrupted_by = 0;             // SIGINT or SIGTERM when the job was stopped by one
    std::uint64_t seeds_abandoned = 0;  // running when it was stopped (not recorded)
    Coverage coverage;                  // of the directory's seed ranges, as summary.json says it
    std::vector<std::string> builds;    // every build that ran seeds in the directory (job.json's)
    // Set when the scenario file changed during the job: no seed was started after it was seen,
    // and no seed that ran another content was recorded. The one-line error to end with.
    std::string content_changed;
    // Set when a result or an artifact could not be written (a full disk): no new seed was
    // started after it, and what was recorded before stays whole. The error to end with.
    std::string write_error;
    // Set when a worker could not be started (the executable gone: a rebuild during the job): no
    // new seed was started after it; the ones running were recorded. The error to end with.
    std::string worker_error;
    std::string junit_error;  // the JUnit file could not be written (the rest was)
};

// Throws InputError on bad usage (existing results without --resume, a different job in DIR).
FuzzReport run_fuzz(const FuzzOptions& options);

// The final lines a person reads: seeds, findings per signature, where the artifacts are.
std::string fuzz_summary_text(const FuzzReport& report, const std::string& out_dir);

// `faultline merge DIR... --out DIR`: the union of shard directories, deduplicated the same way.
// Where a signature's fastest seed has lost its artifact, it is made again by running the seed
// in a worker (`worker_exe`; empty: a warning instead). Seeds recorded differently by two
// directories are warned of, and the finding is kept.
struct MergeReport {
    std::uint64_t seeds = 0;
    std::uint64_t duplicates = 0;  // seeds recorded by more than one directory (identical results)
    std::vector<SignatureGroup> groups;
    std::vector<std::string> warnings;  // missing shards, build differences
    std::vector<std::string> builds;    // every build that ran seeds in any of the directories
    Coverage coverage;                  // seeds of the shards' ranges that no directory recorded
    std::string junit_error;            // the JUnit file could not be written (the rest was)
};
MergeReport merge_results(const std::vector<std::string>& dirs, const std::string& out_dir,
                          const std::optional<std::string>& junit, const std::string& worker_exe = {});

// JUnit XML: one failing test case per signature (its fastest seed, its count and the replay
// command), one passing case for the seeds that passed, and an error case for the seeds of the
// range that did not run (an interrupted job, a shard that did not finish).
std::string junit_xml(const JobConfig& job, const Tally& tally, const std::vector<SignatureGroup>& groups,
                      const std::string& out_dir, const Coverage& coverage = {});

}  // namespace faultline::explore
