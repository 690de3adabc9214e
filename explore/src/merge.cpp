// `faultline merge`: shard directories into one, deduplicated the same way as one job.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "explore/fuzz.hpp"
#include "dir_lock.hpp"
#include "finish.hpp"

namespace faultline::explore {

namespace {

std::string hash_or_none(const std::optional<std::uint64_t>& h) { return h ? sim::hash_hex(*h) : "none"; }

// Whether an artifact is a run of `job` (its scenario and file, --set overrides and settings): a
// crash or a hang has no trace hash to tell an artifact of another job apart.
bool made_by_job(const Artifact& a, const JobConfig& job) {
    const RunSpec& s = a.spec;
    const bool same_overrides = same_settings(job, s.overrides, job.overrides);
    const bool same_file = job.content_hash.empty() || a.hashed != "file" || a.content_hash == job.content_hash;
    return s.scenario == job.scenario && same_overrides && same_file && s.shuffle_ties == job.shuffle_ties &&
           s.buggify == job.buggify && s.time_max == job.time_max && s.events_max == job.events_max;
}

// What a directory's own summary.json says it did not run (a job stopped by a signal, a merge
// with gaps): for directories whose seeds cannot be counted (an open range, a time budget, a
// merged directory).
std::vector<std::string> recorded_gaps(const std::string& dir) {
    std::vector<std::string> out;
    try {
        const Json j = read_json_file(dir + "/summary.json");
        if (!j.contains("incomplete")) return out;
        const Json& c = j["incomplete"];
        std::string line = dir + " is incomplete";
        if (c.contains("interrupted_by") && c["interrupted_by"].is_string())
            line += " (interrupted by " + c["interrupted_by"].get<std::string>() + ")";
        out.push_back(line);
        if (c.contains("gaps") && c["gaps"].is_array()) {
            for (const Json& g : c["gaps"]) {
                if (g.is_string()) out.push_back(dir + ": " + g.get<std::string>());
            }
        }
    } catch (const std::exception&) {  // no summary (killed before it was written): nothing it says
    }
    return out;
}

// The seeds of the job's range (the union of the ranges its directories were given) that no
// directory recorded, whatever the sharding: shards of different counts, or given different
// ranges, leave seeds that no shard took, and those count as not run. Per shard i/n (when every
// directory is one shard of the same n), which shard is missing or short. A range that cannot be
// counted (a time budget, an open range) falls back to what each directory's summary says.
template <class BySeed>
Coverage merged_coverage(const std::vector<std::string>& dirs, const std::vector<JobConfig>& jobs,
                         const std::vector<std::optional<Shard>>& dir_shards, const BySeed& by_seed) {
    Coverage c;
    std::string all;
    bool countable = true;
    for (const JobConfig& job : jobs) {
        all += " " + job.seeds;
        countable = countable && !job.time_budget;
    }
    SeedRanges ranges;
    try {
        ranges = parse_seed_ranges(all);
    } catch (const InputError&) {
        ranges.open = true;
    }
    if (!countable || ranges.open) {
        for (const std::string& dir : dirs) {
            for (std::string& gap : recorded_gaps(dir)) c.gaps.push_back(std::move(gap));
        }
        return c;
    }
    c.expected = ranges.count(Shard{0, 1});
    for (const auto& [seed, seen] : by_seed) c.ran += ranges.contains(seed) ? 1 : 0;
    std::uint64_t n = 0;
    bool one_sharding = true;
    for (const std::optional<Shard>& sh : dir_shards) {
        if (!sh || (n != 0 && sh->count != n)) one_sharding = false;
        if (sh) n = sh->count;
    }
    std::uint64_t explained = 0;  // missing seeds that a per-shard line accounts for
    if (one_sharding && n != 0) {
        std::map<std::uint64_t, std::uint64_t> ran_by_shard;
        for (const auto& [seed, seen] : by_seed) {
            if (ranges.contains(seed)) ++ran_by_shard[seed % n];
        }
        for (std::uint64_t i = 0; i < n; ++i) {
            const Shard shard{i, n};
            const std::uint64_t expected = ranges.count(shard).value_or(0);
            bool present = false;
            for (const std::optional<Shard>& sh : dir_shards) present = present || sh->index == i;
            const auto it = ran_by_shard.find(i);
            const std::uint64_t ran = it == ran_by_shard.end() ? 0 : it->second;
            if (ran >= expected) continue;
            explained += expected - ran;
            c.gaps.push_back("shard " + shard.text() +
                             (present ? " ran " + std::to_string(ran) + " of " + std::to_string(expected) + " seed" +
                                            (expected == 1 ? "" : "s")
                                      : " is missing (its " + std::to_string(expected - ran) + " seed" +
                                            (expected - ran == 1 ? " did" : "s did") + " not run)"));
        }
    }
    if (c.missing() > explained) {
        std::string shards;
        for (const std::optional<Shard>& sh : dir_shards)
            shards += (shards.empty() ? "" : ", ") + (sh ? sh->text() : "merged");
        std::string range;
        for (const auto& [first, last] : ranges.spans)
            range += (range.empty() ? "" : " ") + std::to_string(first) + ".." + std::to_string(last);
        c.gaps.push_back(std::to_string(c.missing()) + " of the " + std::to_string(*c.expected) + " seed" +
                         (*c.expected == 1 ? "" : "s") + " of " + range + (c.missing() == 1 ? " was" : " were") +
                         " run by no directory (shards " + shards + ")");
        // Which: what a merged input's own summary says it lacked.
        for (std::size_t d = 0; d < dirs.size(); ++d) {
            if (dir_shards[d]) continue;
            for (std::string& gap : recorded_gaps(dirs[d])) c.gaps.push_back(std::move(gap));
        }
    }
    return c;
}

}  // namespace

MergeReport merge_results(const std::vector<std::string>& dirs, const std::string& out_dir,
                          const std::optional<std::string>& junit, const std::string& worker_exe) {
    namespace fs = std::filesystem;
    if (dirs.empty()) throw InputError("merge: name at least one result directory");
    if (out_dir == "-") throw InputError("--out -: name a directory (standard output is where the command prints)");
    if (out_dir.empty()) throw InputError("merge: --out DIR is required");
    if (junit) check_writable_parent(*junit, "--junit", out_dir);
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        const std::string& d = dirs[i];
        std::error_code ec;
        if (!fs::exists(d, ec)) throw InputError(d + ": no such directory");
        if (!fs::is_directory(d, ec)) throw InputError(d + ": not a directory");
        if (fs::equivalent(d, out_dir, ec))
            throw InputError("merge: --out " + out_dir + " is one of the inputs; choose a new directory");
        // Inside an input (shard/merged): the merged job would be written into a shard's directory.
        if (is_within(out_dir, d))
            throw InputError("merge: --out " + out_dir + " is inside the input " + d +
                             "; choose a directory outside the inputs");
        for (std::size_t k = 0; k < i; ++k) {
            if (fs::equivalent(d, dirs[k], ec)) throw InputError(d + ": given twice (as " + dirs[k] + ")");
        }
        check_not_being_written(d);  // (--junit into an input's own files: check_writable_parent)
    }
    if (fs::exists(out_dir + "/results.jsonl") || fs::exists(out_dir + "/job.json")) {
        throw InputError("merge: " + out_dir + " already holds results; choose a new directory");
    }
    check_job_dir_place(out_dir, "--out");

    MergeReport report;
    std::optional<JobConfig> first;
    std::string first_dir;
    // Per seed: the record kept, by a digest of its result and the directory that recorded it
    // (not the whole record). Where two directories disagree about a seed, a finding is kept
    // over a pass (it happened, somewhere), then the smaller digest: the same choice whatever
    // the order of the arguments.
    struct Seen {
        std::uint64_t digest;
        std::size_t dir;
        bool finding;
        bool written = false;
    };
    std::unordered_map<std::uint64_t, Seen> by_seed;
    auto digest = [](const Outcome& o) {
        return sim::hash_name(std::string(to_string(o.verdict)) + "|" + o.signature + "|" +
                              (o.trace_hash ? sim::hash_hex(*o.trace_hash) : ""));
    };
    // Each build that ran seeds in a directory (job.json's builds), with those directories.
    std::vector<std::pair<std::string, std::vector<std::string>>> builds;
    std::set<std::uint64_t> shard_counts;
    std::vector<std::string> shards;
    std::vector<JobConfig> jobs;                   // per directory
    std::vector<std::optional<Shard>> dir_shards;  // per directory, when it is one shard
    for (std::size_t di = 0; di < dirs.size(); ++di) {
        const std::string& d = dirs[di];
        const std::string job_path = d + "/job.json";
        if (!fs::exists(job_path)) throw InputError(d + ": not a fuzzing output directory (no job.json)");
        const Json j = read_json_file(job_path);
        const JobConfig job = job_from_json(JsonReader(job_path, j));
        if (!first) {
            first = job;
            first_dir = d;
        } else if (auto diff = job_difference(*first, job)) {
            throw InputError(d + ": not the same job as " + first_dir + ": " + *diff);
        }
        for (const std::string& b : job.builds) {
            auto it = std::find_if(builds.begin(), builds.end(), [&b](const auto& e) { return e.first == b; });
            if (it == builds.end()) it = builds.insert(builds.end(), {b, {}});
            it->second.push_back(d);
        }
        shards.push_back(job.shard);
        jobs.push_back(job);
        dir_shards.emplace_back();
        try {  // "i/n"; a merged directory's shard ("merged: ...") says nothing about coverage
            const Shard sh = parse_shard(job.shard, nullptr);
            shard_counts.insert(sh.count);
            dir_shards.back() = sh;
        } catch (const InputError&) {
        }
    }
    if (junit) {  // the scenario file each directory's --resume reads again (copies of it count as the job's)
        for (const JobConfig& j : jobs) check_not_scenario_file(*junit, "--junit", j.scenario);
    }
    // Every directory checked: first which record of each seed to keep (reading every record,
    // so that a bad one refuses the merge before --out is made), then those records, streamed
    // into the merged file.
    std::error_code ec;
    std::set<std::uint64_t> disputed;  // seeds the directories recorded differently
    auto said = [](const Outcome& o) {
        return std::string(to_string(o.verdict)) + (o.signature.empty() ? "" : " (" + o.signature + ")");
    };
    for (std::size_t di = 0; di < dirs.size(); ++di) {
        const std::string& d = dirs[di];
        const std::string results = d + "/results.jsonl";
        if (!fs::exists(results, ec)) {
            report.warnings.push_back(d + " has no results.jsonl: a shard that recorded nothing (its seeds are missing)");
            continue;
        }
        std::uint64_t records = 0;
        const bool torn = for_each_result(results, false, [&](Outcome&& o) {
            ++records;
            const Seen seen{digest(o), di, is_finding(o.verdict)};
            auto [it, fresh] = by_seed.try_emplace(o.seed, seen);
            if (fresh) return;
            ++report.duplicates;
            Seen& kept = it->second;
            if (kept.digest == seen.digest) return;
            disputed.insert(o.seed);
            if (seen.finding > kept.finding || (seen.finding == kept.finding && seen.digest < kept.digest)) kept = seen;
        });
        if (torn) report.warnings.push_back(results + ": its last record was cut short (a job killed mid-write) and is left out");
        if (records == 0) report.warnings.push_back(results + " is empty: a shard that recorded nothing");
    }
    // Refused from here on (a disk that fails, an input changed under us): what was made goes again.
    MadeDir made(out_dir, "merge: --out");
    const DirLock lock(out_dir, "--out");
    const std::string partial = out_dir + "/results.jsonl.partial";
    fs::remove(partial, ec);
    Tally tally;
    // A merge that fails half-way (a bad record in a shard) leaves no results.jsonl.partial behind.
    struct RemoveUnlessKept {
        std::string path;
        bool kept = false;
        ~RemoveUnlessKept() {
            std::error_code ignored;
            if (!kept) std::filesystem::remove(path, ignored);
        }
    } partial_file{partial};
    std::optional<ResultsLog> out(std::in_place, partial, std::chrono::hours(1));
    std::map<std::uint64_t, std::vector<std::string>> accounts;  // of each disputed seed, by each directory
    for (std::size_t di = 0; di < dirs.size(); ++di) {
        for_each_result(dirs[di] + "/results.jsonl", false, [&](Outcome&& o) {
            Seen& kept = by_seed.at(o.seed);
            if (disputed.count(o.seed)) accounts[o.seed].push_back(dirs[di] + " recorded " + said(o));
            if (kept.written || kept.dir != di || kept.digest != digest(o)) return;
            kept.written = true;
            out->append(o);
            tally.add(o);
        });
    }
    for (const auto& [seed, said_by] : accounts) {
        std::string joined;
        for (const std::string& a : said_by) joined += (joined.empty() ? "" : ", ") + a;
        report.warnings.push_back("seed " + std::to_string(seed) + " ran differently: " + joined +
                                  "; kept the " + (by_seed.at(seed).finding ? "finding" : "first by digest") +
                                  " (replay it on each machine or build to see which differs)");
    }
    if (builds.size() > 1) {
        std::string which;
        for (const auto& [build, in] : builds) {
            std::string where;
            for (const std::string& d : in) where += (where.empty() ? "" : ", ") + d;
            which += (which.empty() ? "" : "; ") + build + " (" + where + ")";
        }
        report.warnings.push_back("the results come from " + std::to_string(builds.size()) +
                                  " different builds: " + which);
    }
    for (const auto& b : builds) report.builds.push_back(b.first);
    report.coverage = merged_coverage(dirs, jobs, dir_shards, by_seed);
    // Seeds counted, the gaps say exactly which are missing; otherwise (a time budget, an open range) only this.
    if (shard_counts.size() > 1 && !report.coverage.expected)
        report.warnings.push_back("the directories were sharded differently; seeds may be missing");
    for (const std::string& gap : report.coverage.gaps)
        report.warnings.push_back(gap);

    out.reset();  // closed and synced
    fs::rename(partial, out_dir + "/results.jsonl");
    partial_file.kept = true;
    JobConfig job = *first;
    std::string shard_list;
    for (const std::string& s : shards) shard_list += (shard_list.empty() ? "" : " ") + s;
    job.shard = "merged: " + shard_list;
    job.builds = report.builds;  // the first directory's build first: it is job.build_id
    std::set<std::string> ranges;  // sorted: the same text whatever the order of the arguments
    for (const JobConfig& j : jobs) ranges.insert(j.seeds);
    job.seeds = joined_ranges({ranges.begin(), ranges.end()});
    write_whole_file(out_dir + "/job.json", job_to_json(job).dump(2) + "\n");
    made.keep();  // a job's directory now: its results stay whatever happens to the summary

    report.seeds = tally.seeds;
    report.groups = finish_job(
        out_dir, job, tally, report.coverage, junit,
        [&](const Outcome& fastest) -> std::optional<Artifact> {
            // Each shard kept its own fastest seed per signature, so the overall fastest seed's
            // artifact is in the directory that ran it.
            const std::string from = dirs[by_seed.at(fastest.seed).dir];
            const std::string path = artifact_path(from, signature_id(fastest.signature));
            std::string wrong = " is missing or unreadable";
            try {
                Artifact a = load_artifact(path);
                // Copied only when it is the run its shard recorded: an artifact edited, or left
                // by another build, would replay as something the merged results never saw.
                const bool ours = made_by_job(a, jobs[by_seed.at(fastest.seed).dir]);
                if (a.spec.seed == fastest.seed && a.expected.signature == fastest.signature &&
                    a.expected.trace_hash == fastest.trace_hash && ours)
                    return a;
                if (a.spec.seed == fastest.seed && !ours)
                    wrong = " is not a run of its directory's job.json (another scenario, --set or setting)";
                else if (a.spec.seed == fastest.seed)
                    wrong = " disagrees with its results.jsonl (" +
                            (a.expected.signature != fastest.signature
                                 ? "signature '" + a.expected.signature + "', recorded '" + fastest.signature + "'"
                                 : "trace hash " + hash_or_none(a.expected.trace_hash) + ", recorded " +
                                       hash_or_none(fastest.trace_hash)) +
                            ")";
            } catch (const InputError&) {
            }
            // Missing, unreadable or not the recorded run: the record says how to make it again,
            // as the job itself does.
            if (!worker_exe.empty()) {
                const std::string lost = "the artifact of seed " + std::to_string(fastest.seed) + " in " + from + wrong;
                ArtifactAgain again = artifact_again(*first, fastest, worker_exe, std::chrono::seconds(60));
                report.warnings.push_back(lost + (again.artifact ? "; " + again.how() : ", and " + again.why_not));
                return std::move(again.artifact);
            } else {
                report.warnings.push_back("no artifact for seed " + std::to_string(fastest.seed) + " in " + from +
                                          " (" + fastest.signature + "): it" + wrong +
                                          "; rerun that shard with --resume to write it");
            }
            return std::nullopt;
        },
        report.junit_error);
    return report;
}

}  // namespace faultline::explore
