// The fuzzing job: a poll loop over worker processes (no threads), one seed per worker.
#include "explore/fuzz.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "explore/artifact.hpp"
#include "explore/build_info.hpp"
#include "explore/stop_signals.hpp"
#include "explore/swarm.hpp"
#include "explore/workers.hpp"
#include "faultline/scenario_file.hpp"
#include "dir_lock.hpp"
#include "finish.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

namespace {

using Clock = std::chrono::steady_clock;  // wall clock: progress, budgets and worker limits only

std::string format_eta(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const auto s = static_cast<std::uint64_t>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                      static_cast<unsigned long long>(s / 60 % 60));
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                      static_cast<unsigned long long>(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(s));
    return buf;
}

// A progress line on a terminal (rewritten in place), or a plain log line every so often.
class Progress {
public:
    Progress(ProgressMode mode, std::chrono::milliseconds interval, std::string scenario)
        : interval_(interval), scenario_(std::move(scenario)) {
        if (mode == ProgressMode::automatic) mode = ::isatty(2) ? ProgressMode::terminal : ProgressMode::log;
        mode_ = mode;
        start_ = last_ = Clock::now();
    }
    // `total`: seeds this run will do (unknown with a time budget), `budget_left`: seconds.
    void update(std::uint64_t done, std::optional<std::uint64_t> total, std::optional<double> budget_left,
                std::uint64_t findings, std::size_t signatures, bool force = false) {
        if (mode_ == ProgressMode::none) return;
        const Clock::time_point now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
        if (mode_ == ProgressMode::terminal && !force && now - last_ < std::chrono::milliseconds(100)) return;
        if (mode_ == ProgressMode::log && !force && now - last_ < interval_) return;
        last_ = now;
        std::string eta = "ETA ?";
        if (total && rate > 0) eta = "ETA " + format_eta(static_cast<double>(*total - std::min(*total, done)) / rate);
        if (budget_left) eta = "ETA " + format_eta(std::max(0.0, *budget_left));
        if (force) eta = "ended";  // the last line: nothing is left to wait for ("ETA ?" under a --time budget)
        char buf[256];
        std::snprintf(buf, sizeof buf, "%llu%s seeds  %.1f/s  findings %llu (%zu signature%s)  %s",
                      static_cast<unsigned long long>(done), total ? ("/" + std::to_string(*total)).c_str() : "", rate,
                      static_cast<unsigned long long>(findings), signatures, signatures == 1 ? "" : "s", eta.c_str());
        if (mode_ == ProgressMode::terminal) {
            std::fprintf(stderr, "\r\033[Kfuzz %s: %s", scenario_.c_str(), buf);
            drawn_ = true;
        } else {
            std::fprintf(stderr, "fuzz %s: %s\n", scenario_.c_str(), buf);
        }
        std::fflush(stderr);
    }
    // A line that stays (a new finding), above the progress line.
    void note(const std::string& line) {
        if (mode_ == ProgressMode::none) return;
        print(line);
    }
    // A line that says what the job did other than asked (another file, another build, a seed
    // without an artifact, a stop): shown under --progress none too, begun as the command line's
    // own warnings are (cli's print_warnings).
    void warn(const std::string& line) { print("faultline: warning: " + line); }
    void finish() {
        if (mode_ == ProgressMode::terminal && drawn_) std::fprintf(stderr, "\n");
        std::fflush(stderr);
    }

private:
    ProgressMode mode_;
    std::chrono::milliseconds interval_;
    std::string scenario_;
    Clock::time_point start_, last_;
    bool drawn_ = false;

    void print(const std::string& line) {
        if (mode_ == ProgressMode::terminal && drawn_) std::fprintf(stderr, "\r\033[K");
        std::fprintf(stderr, "%s\n", line.c_str());
        std::fflush(stderr);
    }
};

// "runs/" names runs: paths under it are runs/artifacts, not runs//artifacts.
std::string without_trailing_slash(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir;
}

}  // namespace

std::string joined_ranges(const std::vector<std::string>& texts) {
    std::string out;
    std::set<std::string> seen;
    for (const std::string& text : texts) {
        std::size_t i = 0;
        while (i < text.size()) {
            std::size_t j = text.find(' ', i);
            if (j == std::string::npos) j = text.size();
            const std::string r = text.substr(i, j - i);
            if (!r.empty() && seen.insert(r).second) out += (out.empty() ? "" : " ") + r;
            i = j + 1;
        }
    }
    return out;
}

FuzzReport run_fuzz(const FuzzOptions& options) {
    namespace fs = std::filesystem;
    LoadedScenarioRef loaded = load_scenario(options.base.scenario);
    RunSpec base = options.base;  // the scenario may become the job's own file (a resume through a copy)
    const std::shared_ptr<const ScenarioInfo> info_held = loaded.info;  // (the same bytes either way)
    const ScenarioInfo& info = *info_held;
    (void)effective_options(options.base);  // bad overrides: an error now, not in every worker
    if (!options.seeds.last && !options.time_budget)
        throw InputError("give a seed range (--seeds A..B) or a time budget (--time 10m)");
    if (options.out_dir.empty()) throw InputError("--out DIR is required");
    if (options.worker_exe.empty()) throw InputError("no worker executable");
    if (options.junit) {
        check_writable_parent(*options.junit, "--junit", options.out_dir);
        check_not_scenario_file(*options.junit, "--junit", options.base.scenario);  // which --resume reads again
    }
    if (options.swarm && (!info.swarm || info.swarm().empty())) {
        // Every seed would run the base design: a job that looks like a swarm and is not one.
        throw InputError("--swarm: scenario '" + options.base.scenario.name +
                         "' has no swarm space (no options a seed may vary); run without --swarm");
    }

    const std::string dir = without_trailing_slash(options.out_dir);
    if (dir == "-") throw InputError("--out -: name a directory (standard output is where the command prints)");
    check_job_dir_place(dir, "--out");
    MadeDir made(dir, "--out");        // removed again if the job is refused before it writes job.json
    const DirLock lock(dir, "--out");  // one job at a time writes a directory

    JobConfig job;
    job.scenario = options.base.scenario;
    if (loaded.file) job.content_hash = loaded.file_hash;  // the file's bytes: an edit makes another job
    job.overrides = options.base.overrides;
    job.swarm = options.swarm;
    job.shuffle_ties = options.base.shuffle_ties;
    job.buggify = options.base.buggify;
    job.time_max = options.base.time_max;
    job.events_max = options.base.events_max;
    job.seeds = options.seeds.text();
    if (options.time_budget) job.time_budget = std::chrono::duration_cast<sim::Duration>(*options.time_budget);
    job.shard = options.shard.text();
    job.version = version();
    job.build_id = build_id();
    job.builds = {job.build_id};

    const std::string job_path = dir + "/job.json";
    const std::string results_path = dir + "/results.jsonl";
    const bool had_job = fs::exists(job_path);
    // What the directory already holds: counts, findings and the seeds (sorted), not every record.
    Tally tally;
    std::vector<std::uint64_t> prior;
    for_each_result(results_path, options.resume, [&](Outcome&& o) {
        prior.push_back(o.seed);
        tally.add(o);
    });
    std::sort(prior.begin(), prior.end());
    if ((had_job || !prior.empty()) && !options.resume) {
        throw InputError(dir + " already holds a fuzzing job (" + std::to_string(prior.size()) +
                         " seeds recorded): pass --resume to continue it, or choose another --out");
    }
    if (!had_job && !prior.empty()) {
        throw InputError(dir + " holds " + std::to_string(prior.size()) +
                         " results but no job.json, so which job made them is unknown: choose another --out");
    }
    Progress progress(options.progress, options.log_interval, options.base.scenario.name);
    if (had_job) {
        const Json j = read_json_file(job_path);
        const JobConfig previous = job_from_json(JsonReader(job_path, j));
        // Named by the file that records the job: the difference is between it and this command.
        if (auto diff = job_difference(previous, job))
            throw InputError(job_path + ": --resume of a different job: " + *diff);
        if (previous.shard.starts_with("merged:")) {
            throw InputError(dir + " is the output of merge (shard '" + previous.shard +
                             "'), which --resume cannot continue: resume each shard's own directory, then merge "
                             "them again into a new --out");
        }
        if (previous.shard != job.shard)
            throw InputError(job_path + ": --resume of a different job: shard " + previous.shard + " vs " + job.shard +
                             " (--shard)");
        job.seeds = joined_ranges({previous.seeds, job.seeds});
        if (previous.scenario.absolute && job.scenario.absolute &&
            *previous.scenario.absolute != *job.scenario.absolute) {
            // The same bytes in another file (a copy, or the same name in another directory): the
            // job keeps recording its own file while that is still there, so that its artifacts
            // replay once the copy is gone.
            try {
                ScenarioRef at = previous.scenario;
                at.path = *at.absolute;  // that file, not the same name from here
                LoadedScenarioRef own = load_scenario(at);
                if (own.file_hash == loaded.file_hash) {
                    progress.warn("resuming with the job's own file " + *own.file + " (the same bytes as " +
                                  *options.base.scenario.path + ")");
                    loaded = std::move(own);
                    base.scenario = job.scenario = previous.scenario;
                }
            } catch (const InputError&) {  // gone or changed: the copy is the job's file from now on
            }
        }
        // The job stays the build's that started it; this build joins its builds once it runs seeds.
        job.version = previous.version;
        job.build_id = previous.build_id;
        job.builds = previous.builds;
    }

    auto recorded_before = [&](std::uint64_t seed) { return std::binary_search(prior.begin(), prior.end(), seed); };
    std::map<std::string, Outcome> best;  // per signature: the fastest so far
    for (const SignatureGroup& g : group_findings(tally.findings)) best[g.signature] = g.fastest;

    std::set<std::string> fixed;  // options the user set: swarm mode leaves them alone
    for (const Override& o : options.base.overrides) fixed.insert(o.path);

    // The seeds to run, lazily: in range, in this shard, not recorded yet.
    const std::uint64_t last = options.seeds.last.value_or(UINT64_MAX);
    std::uint64_t cursor = options.seeds.first;
    bool exhausted = options.seeds.first > last;
    auto next_seed = [&]() -> std::optional<std::uint64_t> {
        while (!exhausted) {
            const std::uint64_t s = cursor;
            if (cursor == last)
                exhausted = true;
            else
                ++cursor;
            if (options.shard.takes(s) && !recorded_before(s)) return s;
        }
        return std::nullopt;
    };
    FuzzReport report;
    std::optional<std::uint64_t> total;
    if (options.seeds.last) {
        // Seeds in [0, x] that are this shard's: x >= i ? (x - i) / n + 1 : 0.
        const Shard& sh = options.shard;
        auto upto = [&sh](std::uint64_t x) { return x < sh.index ? 0 : (x - sh.index) / sh.count + 1; };
        const std::uint64_t n = upto(last) - (options.seeds.first == 0 ? 0 : upto(options.seeds.first - 1));
        std::uint64_t already = 0;
        for (std::uint64_t s : prior) {
            if (s >= options.seeds.first && s <= last && options.shard.takes(s)) ++already;
        }
        report.seeds_skipped = already;
        total = n - already;
        report.nothing_to_run = already > 0 && *total == 0;
    }
    if (std::find(job.builds.begin(), job.builds.end(), build_id()) == job.builds.end()) {
        const bool runs = !total || *total > 0;
        std::string were;
        for (const std::string& b : job.builds) were += (were.empty() ? "" : ", ") + b;
        progress.warn(dir + " holds results of build" + (job.builds.size() == 1 ? " " : "s ") + were +
                      "; this is build " + build_id() +
                      (runs ? ": job.json and the summary list both, and merge warns of mixed builds"
                            : ", which has no seed left to run here and records nothing"));
        if (runs) job.builds.push_back(build_id());
    }
    report.builds = job.builds;
    // A resumed job's records that cannot be appended to (no permission) refuse it before its
    // job.json takes the new range: a refused attempt leaves the job as it was.
    std::optional<ResultsLog> log;
    if (std::filesystem::exists(results_path)) log.emplace(results_path);
    write_whole_file(job_path, job_to_json(job).dump(2) + "\n");
    made.keep();
    if (!log) log.emplace(results_path);
    std::optional<WorkerPool> pool(std::in_place, options.jobs);  // reset when the loop ends
    std::map<std::uint64_t, RunSpec> specs;  // running, by seed
    std::uint64_t findings = tally.findings.size();
    const Clock::time_point start = Clock::now();
    StopSignals signals;

    // Whether an outcome ran another content than the job's: the content hash it ran, or for an
    // outcome without one (a crash, a hang, bad input: the worker said nothing), the file's now.
    std::uint64_t seeds_other_content = 0;
    std::string changed_to;
    auto content_now = [&](const Outcome& o) -> std::optional<std::string> {
        if (!loaded.file || job.content_hash.empty()) return std::nullopt;
        const bool unknown = o.content_hash == content_changed_mark;  // edited while the run read it
        std::string now = o.content_hash;
        if (now.empty() || unknown) {
            try {
                now = file_content_hash(*loaded.file);
            } catch (const SpecError&) {
                now = "(the file cannot be read)";
            }
        }
        if (now != job.content_hash) return now;
        if (unknown) return job.content_hash + " again after another";
        return std::nullopt;
    };

    // --buggify in a world without a buggify() site arms nothing: said once the job ends.
    std::uint64_t runs_buggify_told = 0, runs_buggify_reached = 0;
    auto handle = [&](const Outcome& o, const RunSpec& spec) {
        if (o.buggify_sites) {
            ++runs_buggify_told;
            runs_buggify_reached += *o.buggify_sites > 0 ? 1 : 0;
        }
        const bool finding = is_finding(o.verdict);
        const auto it = finding ? best.find(o.signature) : best.end();
        if (finding && it == best.end())
            progress.note("finding: " + o.signature + " (seed " + std::to_string(o.seed) + ")");
        try {
            if (finding && (it == best.end() || faster(o, it->second))) {
                // The artifact first, then the record: a record whose seed is a signature's best
                // always has its artifact.
                save_artifact(artifact_path(dir, signature_id(o.signature)), make_artifact(spec, o));
                best[o.signature] = o;
            }
            log->append(o);
        } catch (const std::runtime_error& e) {
            // A full disk: this seed is not recorded (--resume runs it again), none starts after it.
            if (report.write_error.empty()) report.write_error = e.what();
            return;
        }
        findings += finding ? 1 : 0;
        tally.add(o);
        ++report.seeds_run;
    };

    std::size_t exited_unrecorded = 0;  // seeds whose workers ended as the stop signal came
    for (;;) {
        if (stop_signal != 0) break;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        const bool time_up = options.time_budget && elapsed * 1000 >= static_cast<double>(options.time_budget->count());
        while (pool->has_room() && !time_up && report.content_changed.empty() && report.write_error.empty() &&
               report.worker_error.empty()) {
            auto seed = next_seed();
            if (!seed) break;
            RunSpec spec = base;
            spec.seed = *seed;
            spec.fault_plan.reset();
            if (options.swarm) spec.swarm = draw_swarm(info, *seed, fixed);
            try {
                pool->start(*seed, worker_command(options.worker_exe, spec), options.timeout);
            } catch (const WorkerStartError& e) {
                // Not the seed's finding: it stays unrecorded (--resume runs it), none starts after it.
                report.worker_error = e.what();
                break;
            }
            specs.emplace(*seed, std::move(spec));
        }
        if (pool->running() == 0) break;
        const std::vector<WorkerExit> exits = pool->poll(std::chrono::milliseconds(200));
        if (stop_signal != 0) {  // these may have died of the same Ctrl-C: not recorded, abandoned
            exited_unrecorded = exits.size();
            break;
        }
        for (const WorkerExit& e : exits) {
            auto it = specs.find(e.id);
            const Outcome o = outcome_from_exit(e, it->second, options.timeout);
            if (std::optional<std::string> now = content_now(o)) {
                // Ran another content than the job's (or may have): not this job's result.
                ++seeds_other_content;
                if (report.content_changed.empty()) {
                    progress.warn("stopping: " + *loaded.file + " changed during the job (content hash " +
                                  job.content_hash + ", now " + *now + "); no new seed starts");
                    changed_to = *now;
                }
                report.content_changed = "changed";  // worded when the job ends
            } else {
                handle(o, it->second);
            }
            specs.erase(it);
        }
        if (!report.write_error.empty()) break;  // the running seeds could not be recorded either
        std::optional<double> budget_left;
        if (options.time_budget) budget_left = static_cast<double>(options.time_budget->count()) / 1000 - elapsed;
        progress.update(report.seeds_run, total, budget_left, findings, best.size());
    }
    report.interrupted_by = stop_signal;
    report.seeds_abandoned = pool->running() + exited_unrecorded;
    pool.reset();  // kills and reaps what is still running (after a stop signal)
    signals.restore();  // a second Ctrl-C while the summary is written ends the process
    progress.update(report.seeds_run, total, std::nullopt, findings, best.size(), true);
    progress.finish();
    if (runs_buggify_told > 0 && runs_buggify_reached == 0)
        progress.warn(std::string("--buggify armed nothing: none of the ") + std::to_string(runs_buggify_told) +
                      " runs reached a buggify() site (" + buggify_nowhere + ")");

    report.seeds_total = tally.seeds;
    report.findings = findings;
    // How much of every range the directory was given has run (an earlier range left unfinished
    // by a resume with another range counts too).
    const SeedRanges ranges = parse_seed_ranges(job.seeds);
    if (!options.time_budget) report.coverage.expected = ranges.count(options.shard);  // else the budget ended it
    report.coverage.ran = report.seeds_run;
    for (std::uint64_t s : prior) report.coverage.ran += ranges.contains(s) ? 1 : 0;
    if (report.interrupted_by != 0) report.coverage.interrupted = signal_name(report.interrupted_by);
    else if (!report.write_error.empty()) {
        report.coverage.interrupted = "a write error";
        report.coverage.next_step = "free space, then the same command with --resume runs the rest";
    } else if (!report.worker_error.empty()) {
        report.coverage.interrupted = "a worker that could not start";
        report.coverage.next_step = "restore the executable, then the same command with --resume runs the rest";
    } else if (!report.content_changed.empty()) {
        report.coverage.interrupted = "the scenario file's change";
        report.coverage.next_step =
            "--resume runs the rest once the file is as the job started it; the edited file is another job";
        report.content_changed =
            *loaded.file + " changed during the job (content hash " + job.content_hash + ", now " + changed_to +
            "): stopped there; the " + std::to_string(report.seeds_run) + " seed" + (report.seeds_run == 1 ? "" : "s") +
            " recorded now ran the job's content, and the " + std::to_string(seeds_other_content) + " that ran another " +
            (seeds_other_content == 1 ? "was" : "were") + " not recorded. Run the edited file as a new job (another --out)";
    }
    auto artifact_again_or_warn = [&](const Outcome& fastest) -> std::optional<Artifact> {
        // An artifact missing or stale (a job killed between them): run the seed again.
        ArtifactAgain again = artifact_again(job, fastest, options.worker_exe, options.timeout);
        if (!again.artifact) progress.warn("no artifact for '" + fastest.signature + "': " + again.why_not);
        return std::move(again.artifact);
    };
    try {
        report.groups =
            finish_job(dir, job, tally, report.coverage, options.junit, artifact_again_or_warn, report.junit_error);
    } catch (const std::runtime_error& e) {
        if (report.write_error.empty()) throw;
        // The disk is still full: the records are whole; the summary waits for --resume.
        report.groups = group_findings(tally.findings);
        report.write_error += std::string("; the summary could not be written either (") + e.what() + ")";
        report.summary_written = false;
    }
    return report;
}

std::string fuzz_summary_text(const FuzzReport& report, const std::string& out_dir) {
    const std::string trimmed = without_trailing_slash(out_dir);
    std::string out;
    char buf[512];
    if (report.nothing_to_run) {
        // Not an error (a retried shard that had finished), but a job that tested nothing.
        std::snprintf(buf, sizeof buf,
                      "seeds       %llu recorded (0 run now: the %llu seed%s of --seeds %s recorded before; a new "
                      "--seeds range, or another --out, tests more)\n",
                      static_cast<unsigned long long>(report.seeds_total),
                      static_cast<unsigned long long>(report.seeds_skipped), report.seeds_skipped == 1 ? "" : "s",
                      report.seeds_skipped == 1 ? "was" : "were");
    } else {
        std::snprintf(buf, sizeof buf, "seeds       %llu recorded (%llu run now, %llu recorded before)\n",
                      static_cast<unsigned long long>(report.seeds_total),
                      static_cast<unsigned long long>(report.seeds_run),
                      static_cast<unsigned long long>(report.seeds_total - report.seeds_run));
    }
    out += buf;
    if (report.groups.empty()) {
        out += "findings    none\n";
    } else {
        std::snprintf(buf, sizeof buf, "findings    %llu seed%s, %zu signature%s\n",
                      static_cast<unsigned long long>(report.findings), report.findings == 1 ? "" : "s",
                      report.groups.size(), report.groups.size() == 1 ? "" : "s");
        out += buf;
        for (const SignatureGroup& g : report.groups) {
            std::string seeds;
            for (std::size_t i = 0; i < g.seeds.size() && i < 8; ++i)
                seeds += (i ? ", " : "") + std::to_string(g.seeds[i]);
            if (g.seeds.size() > 8) seeds += ", ...";
            out += "  " + g.signature + "\n";
            out += "      " + std::to_string(g.count) + " seed" + (g.count == 1 ? "" : "s") + " (" + seeds +
                   "); fastest: seed " + std::to_string(g.fastest.seed) +
                   // a run that failed or ran away ended at a time of its own; a crash or hang has none
                   (g.fastest.verdict == Verdict::fail || g.fastest.verdict == Verdict::runaway
                        ? " at " + shown_time(g.fastest.end_time)
                        : std::string()) +
                   "\n";
            out += g.has_artifact ? "      replay: " + program_name() + " replay " + artifact_path(trimmed, g.id) + "\n"
                                  : std::string("      replay: no artifact (see the warning above)\n");
        }
    }
    if (report.builds.size() > 1) {
        std::string builds;
        for (const std::string& b : report.builds) builds += (builds.empty() ? "" : ", ") + b;
        out += "builds      " + builds + " (results of more than one build)\n";
    }
    if (report.summary_written) out += "summary     " + trimmed + "/summary.json\n";
    if (!report.coverage.complete()) out += "incomplete  " + report.coverage.text() + "\n";
    if (report.interrupted_by != 0) {
        out += "interrupted by " + signal_name(report.interrupted_by) + ": " +
               std::to_string(report.seeds_abandoned) + " running seed" + (report.seeds_abandoned == 1 ? "" : "s") +
               " abandoned, nothing recorded lost; the same command with --resume goes on from here\n";
    }
    return out;
}

}  // namespace faultline::explore
