// Helpers for the exploration tests: run the faultline binary as a user would, make scratch
// directories, read a job's results as a set that ignores order and wall time.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "support/files.hpp"
#include "support/run_program.hpp"
#include "support/spawn_program.hpp"

namespace explore_test {

using test_support::Result;

inline Result faultline_with(const std::string& program, const std::string& args) {
    return test_support::run_program(program + " " + args);
}

inline Result cli(const std::string& args) { return faultline_with(FAULTLINE_BIN, args); }

// The same, with a command prefix such as "env JOB_COMPLETION_INDEX=2".
inline Result faultline_env(const std::string& prefix, const std::string& args) {
    return faultline_with(prefix + " " + std::string(FAULTLINE_BIN), args);
}

// Starts the faultline binary without waiting; returns its pid (test_support::spawn_program).
inline pid_t spawn(const std::vector<std::string>& args, const std::string& output = "/dev/null", bool own_group = false) {
    std::vector<std::string> argv = {FAULTLINE_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return test_support::spawn_program(std::move(argv), output, own_group);
}

inline bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// Scratch directories are removed when the test program ends, unless a test failed or
// FAULTLINE_KEEP_TEST_DIRS is set (then they are there to look at).
inline struct ScratchCleanup {
    // gtest's UnitTest, asked for at exit, is made first, so that it is destroyed after this
    // (in whichever test file links first: it crashed at exit when that was one including this).
    ScratchCleanup() { (void)::testing::UnitTest::GetInstance(); }
    ~ScratchCleanup() {
        if (std::getenv("FAULTLINE_KEEP_TEST_DIRS") != nullptr || !::testing::UnitTest::GetInstance()->Passed()) return;
        const std::string prefix = "faultline_explore_" + std::to_string(::getpid()) + "_";
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(::testing::TempDir(), ec)) {
            if (e.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove_all(e.path(), ec);
        }
    }
} scratch_cleanup;

// A fresh, empty directory under the test temp dir.
inline std::string scratch(const std::string& name) {
    const std::string dir = ::testing::TempDir() + "faultline_explore_" + std::to_string(::getpid()) + "_" + name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

using test_support::read_file;

inline nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

// (seed, verdict, signature, trace hash): what must agree between two runs of the same job.
using Row = std::tuple<std::uint64_t, std::string, std::string, std::string>;

inline std::set<Row> result_rows(const std::string& dir) {
    std::set<Row> rows;
    std::ifstream in(dir + "/results.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        rows.emplace(j["seed"].get<std::uint64_t>(), j["verdict"].get<std::string>(), j["signature"].get<std::string>(),
                     j["trace_hash"].is_null() ? std::string() : j["trace_hash"].get<std::string>());
    }
    return rows;
}

inline std::size_t line_count(const std::string& path) {
    std::ifstream in(path);
    std::size_t n = 0;
    std::string line;
    while (std::getline(in, line)) ++n;
    return n;
}

// The seeds a job recorded with a finding, by verdict.
inline std::set<std::uint64_t> seeds_with(const std::string& dir, const std::string& verdict) {
    std::set<std::uint64_t> out;
    for (const Row& r : result_rows(dir)) {
        if (std::get<1>(r) == verdict) out.insert(std::get<0>(r));
    }
    return out;
}

// A planted-counter range holding a few of its failing seeds (~1 seed in 200 fails; at the time
// of writing, 3 of these 331).
constexpr const char* counter_seeds = "600..930";
constexpr std::uint64_t counter_first = 600, counter_last = 930;

// The uninterrupted single-process fuzzing job over counter_seeds, run once per test program
// and shared by the tests that need it.
inline const std::string& baseline() {
    static const std::string dir = [] {
        const std::string d = scratch("baseline");
        const Result r =
            cli(std::string("fuzz planted-counter --seeds ") + counter_seeds + " -j2 --progress none --out " + d);
        EXPECT_EQ(r.exit_code, 1) << r.out;  // it finds the bug
        return d;
    }();
    return dir;
}

// The baseline's artifact (its fastest-failing seed).
inline std::string baseline_artifact() {
    const auto summary = read_json(baseline() + "/summary.json");
    if (summary["signatures"].empty()) return "";
    return baseline() + "/" + summary["signatures"][0]["artifact"].get<std::string>();
}

}  // namespace explore_test
