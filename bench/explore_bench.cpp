// Fuzzing throughput: seeds per minute per core, with every seed in its own worker process (as
// `faultline fuzz` runs them), against the same seeds run in this process (the reference,
// measured in the same run): the ratio is what process isolation costs.
//
// Usage: explore_bench [SCENARIO] [--seeds N] [--jobs J] [--set path=value]... [--quick]
// Default: the cache-flush-stampede scenario in its short configuration (45s runs: the restart at
// 15s, recovery judged by 41s; see short_configurations.hpp). `explore_bench chaos` runs the
// kernel-level chaos scenario's short configuration instead. --set replaces the short configuration.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "explore/fuzz.hpp"
#include "explore/outcome.hpp"
#include "short_configurations.hpp"

namespace {

using Clock = std::chrono::steady_clock;  // bench code, not simulation code

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Seeds per minute through worker processes, `jobs` at a time.
double fuzz_rate(const faultline::explore::RunSpec& base, std::uint64_t seeds, unsigned jobs) {
    namespace ex = faultline::explore;
    const std::string dir =
        std::filesystem::temp_directory_path().string() + "/faultline_explore_bench_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    ex::FuzzOptions o;
    o.base = base;
    o.seeds = {1, seeds};
    o.jobs = jobs;
    o.out_dir = dir;
    o.worker_exe = FAULTLINE_BIN;
    o.progress = ex::ProgressMode::none;
    const Clock::time_point start = Clock::now();
    ex::run_fuzz(o);
    const double secs = seconds_since(start);
    std::filesystem::remove_all(dir);
    return static_cast<double>(seeds) * 60 / secs;
}

std::string per_minute(double v) {
    // Thousands separated by commas, without depending on the locale.
    std::string digits = std::to_string(static_cast<long long>(v + 0.5));
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

}  // namespace

int main(int argc, char** argv) {
    namespace ex = faultline::explore;
    std::setlocale(LC_NUMERIC, "");
    ex::RunSpec base;
    base.scenario.name = "cache-flush-stampede";
    std::uint64_t seeds = 200;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    std::vector<faultline::Override> sets;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quick")
            seeds = 40;
        else if (a == "--seeds" && i + 1 < argc)
            seeds = std::stoull(argv[++i]);
        else if (a == "--jobs" && i + 1 < argc)
            jobs = static_cast<unsigned>(std::stoul(argv[++i]));
        else if (a == "--set" && i + 1 < argc) {
            const std::string s = argv[++i];
            const std::size_t eq = s.find('=');
            if (eq == std::string::npos) {
                std::fprintf(stderr, "explore_bench: --set expects path=value\n");
                return 2;
            }
            sets.push_back({s.substr(0, eq), s.substr(eq + 1)});
        } else if (a[0] != '-')
            base.scenario.name = a;
        else {
            std::fprintf(stderr,
                         "usage: explore_bench [SCENARIO] [--seeds N] [--jobs J] [--set path=value]... [--quick]\n");
            return 2;
        }
    }
    if (sets.empty()) sets = bench::short_configuration(base.scenario.name);
    base.overrides = sets;
    std::string config;
    for (const auto& s : sets) config += (config.empty() ? "" : " ") + s.path + "=" + s.value;

    try {
        // The reference: the same seeds, one after another, in this process.
        const Clock::time_point start = Clock::now();
        for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
            ex::RunSpec spec = base;
            spec.seed = seed;
            (void)ex::execute(spec);
        }
        const double in_process = static_cast<double>(seeds) * 60 / seconds_since(start);
        const double one_job = fuzz_rate(base, seeds, 1);
        const double all_jobs = jobs > 1 ? fuzz_rate(base, seeds, jobs) : one_job;

        std::printf("fuzz throughput: %s%s, %llu seeds\n", base.scenario.name.c_str(),
                    config.empty() ? "" : (" (" + config + ")").c_str(), static_cast<unsigned long long>(seeds));
        std::printf("  in this process (reference)  %10s seeds/min on one core  (%.2f ms per seed)\n",
                    per_minute(in_process).c_str(), 60'000 / in_process);
        std::printf(
            "  worker processes, 1 job      %10s seeds/min per core     (%.2fx the reference; isolation costs %.2f ms "
            "per seed)\n",
            per_minute(one_job).c_str(), one_job / in_process, 60'000 / one_job - 60'000 / in_process);
        if (jobs > 1) {
            std::printf("  worker processes, %u jobs    %10s seeds/min, %s per core\n", jobs,
                        per_minute(all_jobs).c_str(), per_minute(all_jobs / jobs).c_str());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "explore_bench: %s\n", e.what());
        return 2;
    }
    return 0;
}
