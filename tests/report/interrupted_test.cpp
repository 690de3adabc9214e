// Ctrl-C and a job runner's SIGTERM on the commands of many runs, as on fuzz: sweep keeps and
// writes the runs that finished (table, --result, --report, all marked incomplete) and exits
// 128 + the signal; compare says that it was interrupted, writes nothing half, exits the same.
// An interrupted `run` says how to reproduce its trace hash: with the events it ran.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/run_program.hpp"
#include "support/spawn_program.hpp"
#include "text_search.hpp"

namespace {

using report_test::contains;
using report_test::read;
using report_test::scratch;
namespace fs = std::filesystem;

const std::string stampede = std::string(FAULTLINE_REPORT_DATA) + "/small-stampede.yaml";

// Waits (up to a minute) until the file holds `text`.
bool wait_for(const fs::path& file, const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (fs::exists(file) && contains(read(file), text)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

TEST(ReportInterrupted, ASweepStoppedBySignalWritesTheRunsThatFinished) {
    for (const int sig : {SIGINT, SIGTERM}) {
        const fs::path dir = scratch();
        const fs::path log = dir / "log.txt", html = dir / "sweep.html", json = dir / "sweep.json";
        // 32 short runs, one at a time; a log line at every tenth of them.
        const pid_t pid = test_support::spawn_program(
            {FAULTLINE_BIN, "sweep", stampede, "--grid", "load=300..1200:300", "--grid", "retry.attempts_max=1..2",
             "--seeds", "4", "--jobs", "1", "--report", html.string(), "--result", json.string()},
            log.string(), /*own_group=*/true);
        ASSERT_TRUE(wait_for(log, "sweep: 4/32 runs")) << read(log);
        // SIGINT as a terminal sends it, to the sweep and its workers alike; SIGTERM as a job runner does, to the sweep.
        ::kill(sig == SIGINT ? -pid : pid, sig);
        const int code = test_support::wait_exit(pid);
        const std::string out = read(log);
        ASSERT_EQ(code, 128 + sig) << out;
        const std::string name = sig == SIGINT ? "SIGINT" : "SIGTERM";
        EXPECT_TRUE(contains(out, "sweep: interrupted by " + name + ": ")) << out;
        EXPECT_TRUE(contains(out, " of 32 runs finished, ")) << out;
        EXPECT_TRUE(contains(out, "INCOMPLETE: interrupted by " + name)) << "the printed table says so: " << out;

        const nlohmann::json j = nlohmann::json::parse(read(json));
        ASSERT_TRUE(j.contains("interrupted")) << j.dump();
        EXPECT_EQ(j.at("interrupted").at("by"), name);
        EXPECT_EQ(j.at("interrupted").at("runs_planned"), 32);
        std::size_t runs = 0;
        for (const auto& c : j.at("cells")) {
            for (const auto& r : c.at("runs")) {
                ++runs;
                EXPECT_NE(r.at("verdict"), "crash") << "a worker killed by the same Ctrl-C is not a crash: " << r.dump();
            }
        }
        EXPECT_GE(runs, 4u) << "the runs that finished before the signal are kept";
        EXPECT_LT(runs, 32u);
        EXPECT_EQ(j.at("interrupted").at("runs_finished"), runs);
        EXPECT_TRUE(contains(out, "interrupted by " + name + ": " + std::to_string(runs) + " of 32 runs finished")) << out;
        EXPECT_TRUE(contains(read(html), ">INCOMPLETE</span> The sweep was interrupted by " + name));
        EXPECT_TRUE(contains(read(dir / "sweep.md"), "**Incomplete:** the sweep was interrupted by " + name));
    }
}

TEST(ReportInterrupted, ACompareStoppedBySignalSaysSoAndWritesNothingHalf) {
    const fs::path dir = scratch();
    const fs::path log = dir / "log.txt", json = dir / "ab.json";
    const pid_t pid = test_support::spawn_program({FAULTLINE_BIN, "compare", stampede, "--seed", "1", "--b-variant",
                                                   "warmup-limit", "--jobs", "1", "--json", "--result", json.string()},
                                                  log.string(), /*own_group=*/true);
    ASSERT_TRUE(wait_for(log, "compare: running A")) << read(log);
    ::kill(-pid, SIGINT);
    const int code = test_support::wait_exit(pid);
    const std::string out = read(log);
    ASSERT_EQ(code, 130) << out;
    EXPECT_TRUE(contains(out, "compare: interrupted by SIGINT: ")) << out;
    EXPECT_TRUE(contains(out, " of 2 runs finished; nothing compared or written")) << out;
    EXPECT_FALSE(fs::exists(json)) << "a comparison needs both runs";
    const std::size_t brace = out.find("\n{");
    ASSERT_NE(brace, std::string::npos) << "--json still prints one document: " << out;
    const nlohmann::json j = nlohmann::json::parse(out.substr(brace + 1, out.find('\n', brace + 1) - brace - 1));
    EXPECT_EQ(j.at("complete"), false);
    EXPECT_EQ(j.at("b").at("verdict"), "interrupted") << "B starts after A (--jobs 1): " << j.dump();
    EXPECT_EQ(j.at("b").at("failure"), "did not finish: interrupted by SIGINT");
    // Named as a finished run names itself: with its variant.
    EXPECT_TRUE(j.at("b").at("scenario").get<std::string>().ends_with("/warmup-limit")) << j.dump();
}

// `run --seed 3` alone runs on to the end, another hash (a tester's finding): the command printed
// beside an interrupted run's hash, and its report's and result's, carry --events-max.
TEST(ReportInterrupted, AnInterruptedRunsReproduceCommandGivesItsTraceHash) {
    const fs::path dir = scratch();
    const fs::path log = dir / "log.txt", result = dir / "int.json", trace = dir / "t.jsonl";
    // An hour of virtual time: minutes of wall time if nothing stopped it; stopped after its fault.
    const pid_t pid = test_support::spawn_program(
        {FAULTLINE_BIN, "run", stampede, "--seed", "3", "--set", "duration=3600s", "--set", "limits.time_max=2h",
         "--report", (dir / "int.html").string(), "--result", result.string(), "--trace", trace.string()},
        log.string(), /*own_group=*/true);
    ASSERT_TRUE(wait_for(trace, "\"kind\":\"fault.inject\"")) << read(log);
    ::kill(-pid, SIGINT);
    ASSERT_EQ(test_support::wait_exit(pid), 130) << read(log);
    const std::string out = read(log);
    const nlohmann::json j = nlohmann::json::parse(read(result));
    ASSERT_EQ(j.at("verdict"), "interrupted");
    const std::string events = std::to_string(j.at("events").get<std::uint64_t>());
    const std::string repro = j.at("repro"), hash = j.at("trace_hash");
    EXPECT_TRUE(repro.ends_with(" --events-max " + events)) << repro;
    EXPECT_TRUE(contains(out, "trace hash  " + hash + "\nreproduce: " + repro + "\n")) << out;
    EXPECT_TRUE(contains(read(dir / "int.md"), "Reproduce: `" + repro + "`"));
    EXPECT_TRUE(contains(read(dir / "int.html"), "--events-max " + events));

    // The command as printed, with this build's program in front.
    const std::size_t space = repro.find(' ');
    ASSERT_NE(space, std::string::npos);
    const test_support::Result again = test_support::run_program(std::string(FAULTLINE_BIN) + repro.substr(space));
    EXPECT_TRUE(contains(again.out, "trace hash  " + hash + "\n")) << again.out;
}

}  // namespace
