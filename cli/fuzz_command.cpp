// `faultline fuzz SCENARIO --seeds A..B | --time D --out DIR`: many seeds, each in a worker
// process; results recorded as they finish, failures deduplicated, artifacts kept for replay.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "common.hpp"
#include "explore/fuzz.hpp"
#include "explore/workers.hpp"

namespace faultline::cli {

namespace {

struct FuzzArgs {
    std::string scenario;
    std::string variant;
    std::string seeds;
    std::string time;
    unsigned jobs = 0;
    bool swarm = false;
    std::string out;
    bool resume = false;
    std::string shard;
    std::string timeout = "60s";
    std::string junit;
    std::vector<std::string> sets;
    bool shuffle_ties = false;
    bool buggify = false;
    std::string time_max;
    std::uint64_t events_max = 0;
    std::string progress = "auto";
};

int execute(const FuzzArgs& a) {
    explore::FuzzOptions o;
    try {
        o.base.scenario = explore::scenario_ref(a.scenario, a.variant);
        o.base.overrides = parse_overrides(a.sets);
        o.base.shuffle_ties = a.shuffle_ties;
        o.base.buggify = a.buggify;
        if (!a.time_max.empty()) o.base.time_max = parse_time_max(a.time_max);
        if (a.events_max != 0) o.base.events_max = a.events_max;
        o.swarm = a.swarm;
        if (!a.seeds.empty()) {
            o.seeds = explore::parse_seed_range(a.seeds);
            if (o.seeds.first == 0 && o.seeds.last == UINT64_MAX) {  // progress, summary and merge counts wrapped
                throw UsageError("--seeds " + a.seeds +
                                 ": 2^64 seeds, one more than a count can hold; start at 1 (1.." +
                                 std::to_string(UINT64_MAX) + "), or give --time and 0..");
            }
        } else if (!a.time.empty())
            o.seeds = explore::SeedRange{1, std::nullopt};
        if (!a.time.empty()) o.time_budget = parse_wall_limit("--time", a.time);
        o.jobs = a.jobs != 0 ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
        if (!a.shard.empty()) o.shard = explore::parse_shard(a.shard, std::getenv("JOB_COMPLETION_INDEX"));
        o.out_dir = a.out;
        o.resume = a.resume;
        o.timeout = parse_wall_limit("--timeout", a.timeout);
        if (!a.junit.empty()) o.junit = a.junit;
        if (a.progress == "auto")
            o.progress = explore::ProgressMode::automatic;
        else if (a.progress == "tty")
            o.progress = explore::ProgressMode::terminal;
        else if (a.progress == "log")
            o.progress = explore::ProgressMode::log;
        else if (a.progress == "none")
            o.progress = explore::ProgressMode::none;
        else
            throw UsageError("--progress: '" + a.progress + "' is not auto, tty, log or none");
        o.worker_exe = explore::self_exe();
        const explore::FuzzReport report = explore::run_fuzz(o);
        std::cout << explore::fuzz_summary_text(report, o.out_dir);
        if (!report.content_changed.empty()) {  // after the summary: what was recorded stays, and is shown
            std::cout << std::flush;
            throw UsageError(report.content_changed);
        }
        if (!report.write_error.empty()) {  // after the summary, as for a changed file
            std::cout << std::flush;
            throw UsageError(report.write_error + "; " + std::to_string(report.seeds_total) +
                             " seeds recorded, whole: free space and run the same command with --resume");
        }
        if (!report.worker_error.empty()) {
            std::cout << std::flush;
            throw UsageError(report.worker_error + "; " + std::to_string(report.seeds_total) +
                             " seeds recorded, whole: restore it and run the same command with --resume");
        }
        if (!report.junit_error.empty()) {  // after the summary: the job itself is whole
            std::cout << std::flush;
            throw UsageError(report.junit_error);
        }
        if (report.interrupted_by != 0) return 128 + report.interrupted_by;  // as a shell reports a signal
        return report.groups.empty() ? exit_pass : exit_fail;
    } catch (const explore::InputError& e) {
        throw UsageError(e.what());
    }
}

}  // namespace

void add_fuzz_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<FuzzArgs>();
    auto* sub =
        app.add_subcommand("fuzz", "Run many seeds of a scenario in worker processes; record and deduplicate failures");
    sub->add_option("scenario", args->scenario,
                    "Scenario: a name (see '" + explore::program_name() + " list') or a scenario file")
        ->required();
    sub->add_option("--variant", args->variant, "A scenario file's other design");
    sub->add_option("--seeds", args->seeds, "Seed range A..B (inclusive); A.. (open) with --time");
    sub->add_option("--time", args->time, "Wall-clock budget (e.g. 10m): start no new seed after it");
    sub->add_option("--jobs,-j", args->jobs, "Worker processes at once, at most 1024 (default, or 0: one per core)")
        ->check(CLI::Range(0u, 1024u));
    sub->add_flag("--swarm", args->swarm, "Each seed also draws its configuration from the scenario's swarm space");
    sub->add_option("--out", args->out, "Output directory: results.jsonl, artifacts/, summary.json")->required();
    sub->add_flag("--resume", args->resume, "Continue a job in --out: skip the seeds already recorded");
    sub->add_option(
        "--shard", args->shard,
        "Run only shard i of n (seeds s with s % n == i): i/n, or auto/n to read i from JOB_COMPLETION_INDEX");
    sub->add_option("--timeout", args->timeout,
                    "Wall-clock limit per seed; past it the worker is killed and the seed recorded as a hang")
        ->default_str("60s");
    sub->add_option("--junit", args->junit, "Also write JUnit XML to FILE (one test case per failure signature)");
    sub->add_option("--set", args->sets, "Override an option for every seed: --set path=value (repeatable)");
    sub->add_flag("--shuffle-ties", args->shuffle_ties, "Explore orders of same-time events (a random order per seed)");
    sub->add_flag("--buggify", args->buggify, "Arm buggify() fault points");
    sub->add_option("--time-max", args->time_max, "Virtual time limit per run (runaway past it)");
    sub->add_option("--events-max", args->events_max, "Event limit per run (runaway past it)")
        ->transform(decimal_u64("an event limit", 1, "N"));  // 0 would mean "not given", silently
    sub->add_option("--progress", args->progress,
                    "auto (a live line on a terminal, else a log line every 10s), tty, log or none")
        ->default_str("auto");
    sub->callback([&cmd, args] {
        if (args->seeds.empty() && args->time.empty())
            throw CLI::ValidationError("fuzz", "give --seeds A..B or --time D (or both)");
        cmd.run = [args] { return execute(*args); };
    });
}

}  // namespace faultline::cli
