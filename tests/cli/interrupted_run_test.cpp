// Ctrl-C (or a job runner's SIGTERM) during `run`: the run ends at its next instant of virtual
// time with the verdict "interrupted", prints what ran (its events, time, measurements and trace
// hash, which is the hash of exactly those events), writes --result, --report and a complete
// --trace file, and exits 128 + the signal. Before, the program died on the spot: nothing
// printed, the trace file cut short, no result.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>

#include "support/files.hpp"
#include "support/run_program.hpp"
#include "support/spawn_program.hpp"

namespace {

using test_support::read_file;
namespace fs = std::filesystem;

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

fs::path scratch() { return test_support::test_dir("interrupted"); }

// Waits (up to a minute) until the file has grown past `bytes`: the run is under way.
bool wait_for_size(const fs::path& file, std::uintmax_t bytes) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::error_code ec;
        if (fs::file_size(file, ec) > bytes && !ec) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

// Starts the command (argv, with its --trace FILE), waits until the trace file shows the run under
// way, sends `sig` (SIGINT to the whole group, as a terminal does; SIGTERM to the program, as a job
// runner does), and returns the exit code and what the command printed.
std::pair<int, std::string> interrupted(const std::vector<std::string>& argv, const fs::path& trace,
                                        const fs::path& log, int sig = SIGINT) {
    const pid_t pid = test_support::spawn_program(argv, log.string(), /*own_group=*/true);
    if (!wait_for_size(trace, 2'000'000)) {
        ::kill(-pid, SIGKILL);
        test_support::wait_exit(pid);
        return {-1, "the trace never grew: " + read_file(log.string())};
    }
    ::kill(sig == SIGINT ? -pid : pid, sig);
    const int code = test_support::wait_exit(pid);
    return {code, read_file(log.string())};
}

TEST(InterruptedRun, CtrlCEndsTheRunAtItsNextInstantAndWritesWhatRan) {
    // 50 simulated minutes: about five minutes of wall time on this machine if nothing stopped it.
    const std::vector<std::string> run = {"run",       "cache-flush-stampede",
                                          "--variant", "warmup-limit",
                                          "--set",     "duration=3000s",
                                          "--set",     "limits.time_max=1h",
                                          "--seed",    "1"};
    for (const int sig : {SIGINT, SIGTERM}) {
        const fs::path dir = scratch() / std::to_string(sig);
        fs::create_directories(dir);
        const fs::path log = dir / "log.txt", result = dir / "r.json", trace = dir / "t.ftrace";
        std::vector<std::string> argv = {FAULTLINE_BIN};
        argv.insert(argv.end(), run.begin(), run.end());
        for (const std::string& a : {std::string("--result"), result.string(), std::string("--report"),
                                     (dir / "r.html").string(), std::string("--trace"), trace.string()})
            argv.push_back(a);
        const auto [code, out] = interrupted(argv, trace, log, sig);
        ASSERT_EQ(code, 128 + sig) << out;
        const std::string name = sig == SIGINT ? "SIGINT" : "SIGTERM";
        EXPECT_TRUE(contains(out, "verdict     INTERRUPTED  by " + name + " at ")) << out;
        EXPECT_TRUE(contains(out, "virtual, before the run's end")) << out;
        EXPECT_TRUE(contains(out, "users.ok")) << "the measurements of what ran: " << out;
        EXPECT_TRUE(contains(out, "reproduce: ")) << out;

        const nlohmann::json j = nlohmann::json::parse(read_file(result.string()));
        EXPECT_EQ(j.at("verdict"), "interrupted");
        EXPECT_EQ(j.at("runaway_reason"), "interrupted by " + name);
        const double end_s = j.at("end_s").get<double>();
        EXPECT_GT(end_s, 0);
        EXPECT_LT(end_s, 3000);
        const std::uint64_t events = j.at("events").get<std::uint64_t>();
        const std::string hash = j.at("trace_hash").get<std::string>();
        EXPECT_TRUE(contains(out, "trace hash  " + hash)) << out;

        // The trace file is whole (its end marker written), and ends where the run did.
        const fs::path decoded_file = dir / "t.jsonl";
        const test_support::Result decoded = test_support::run_program(
            "{ " + std::string(FAULTLINE_BIN) + " trace " + trace.string() + " >" + decoded_file.string() + "; }");
        EXPECT_EQ(decoded.exit_code, 0) << decoded.out;
        EXPECT_TRUE(decoded.out.empty()) << decoded.out;
        const std::string lines = read_file(decoded_file.string());
        ASSERT_GT(lines.size(), 2u);
        const std::size_t last = lines.rfind('\n', lines.size() - 2);
        const nlohmann::json last_record = nlohmann::json::parse(lines.substr(last + 1));
        EXPECT_NEAR(last_record.at("t_ns").get<double>() * 1e-9, end_s, 1e-3) << last_record.dump();

        // The report renders again from the result and says why it stopped.
        const test_support::Result again = test_support::run_program(
            std::string(FAULTLINE_BIN) + " report " + result.string() + " -o " + (dir / "again.html").string());
        ASSERT_EQ(again.exit_code, 0) << again.out;
        EXPECT_TRUE(
            contains(read_file((dir / "again.md").string()), "**Stopped early:** interrupted by " + name + " at "));
        EXPECT_TRUE(contains(read_file((dir / "again.html").string()), "INTERRUPTED"));

        // The hash is that of exactly the events that ran: the same run limited to that many
        // events (a runaway) gives it too.
        if (sig == SIGINT) {
            std::string cmd = FAULTLINE_BIN;
            for (const std::string& a : run) cmd += " " + a;
            const test_support::Result limited =
                test_support::run_program(cmd + " --events-max " + std::to_string(events) + " --json");
            const nlohmann::json l = nlohmann::json::parse(limited.out);
            EXPECT_EQ(l.at("verdict"), "runaway");
            EXPECT_EQ(l.at("events"), events);
            EXPECT_EQ(l.at("trace_hash"), hash);
        }
    }
}

// Ctrl-C during replay ends the replayed run the same way: it says where it stopped, compares
// nothing (not "not reproduced"), closes its trace file whole and exits 130.
TEST(InterruptedRun, AReplayInterruptedSaysWhereItStoppedAndComparesNothing) {
    const fs::path dir = scratch();
    // A runaway artifact of a long run: 8 million events (a few seconds to replay).
    const test_support::Result job = test_support::run_program(
        std::string(FAULTLINE_BIN) +
        " fuzz cache-flush-stampede --variant warmup-limit --set duration=3000s --set limits.time_max=1h "
        "--events-max 8000000 --seeds 1..1 --progress none --out " +
        (dir / "job").string());
    ASSERT_EQ(job.exit_code, 1) << job.out;
    std::string artifact;
    for (const auto& e : fs::directory_iterator(dir / "job" / "artifacts")) artifact = e.path().string();
    ASSERT_FALSE(artifact.empty());
    const fs::path log = dir / "log.txt", trace = dir / "t.ftrace";
    const auto [code, out] = interrupted({FAULTLINE_BIN, "replay", artifact, "--trace", trace.string()}, trace, log);
    ASSERT_EQ(code, 130) << out;
    EXPECT_TRUE(contains(out, "got         INTERRUPTED by SIGINT at event ")) << out;
    EXPECT_TRUE(contains(out, "(the recorded run went on to 8000000 events, ")) << out;
    EXPECT_TRUE(contains(out, "; nothing to compare\n")) << out;
    EXPECT_FALSE(contains(out, "not reproduced")) << out;
    const test_support::Result decoded =
        test_support::run_program(std::string(FAULTLINE_BIN) + " trace " + trace.string() + " --kind rpc.done");
    EXPECT_EQ(decoded.exit_code, 0) << decoded.out.substr(0, 400);  // whole: its end marker written
    EXPECT_FALSE(contains(decoded.out, "end marker")) << decoded.out.substr(0, 400);
}

// A run stuck in one step of a process (planted-harness's endless loop) never reaches the instant
// where it would stop: one SIGTERM (a `timeout` without -k, a job runner) still ends it, after the
// grace, with 143 and a line saying why, where it used to spin until killed.
TEST(InterruptedRun, ARunStuckInAStepEndsAfterTheGraceOnOneSignal) {
    const fs::path dir = scratch();
    const fs::path log = dir / "log.txt";
    const pid_t pid = test_support::spawn_program(
        {FAULTLINE_BIN, "run", "planted-harness", "--seed", "3", "--set", "hang_on_seed=3"}, log.string(), true);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // it hangs at 1s of virtual time, at once
    const auto sent = std::chrono::steady_clock::now();
    ::kill(pid, SIGTERM);
    int code = -1;
    while (std::chrono::steady_clock::now() - sent < std::chrono::seconds(60)) {
        if (const auto exited = test_support::try_wait_exit(pid)) {
            code = *exited;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
    if (code == -1) {
        ::kill(-pid, SIGKILL);
        test_support::wait_exit(pid);
    }
    const std::string out = read_file(log.string());
    ASSERT_EQ(code, 143) << out;
    EXPECT_GE(waited, 4.5) << "the grace is 5s: a run that stops at its next instant is not cut short";
    EXPECT_TRUE(contains(out,
                         "faultline: the run did not stop within 5s of the signal (still building its world, or a "
                         "process stuck in one step: a hang?); ended at once, nothing more written\n"))
        << out;
}

// --check-determinism interrupted compares nothing, and says so rather than "MISMATCH".
TEST(InterruptedRun, ADeterminismCheckInterruptedSaysItCheckedNothing) {
    const fs::path dir = scratch();
    const fs::path log = dir / "log.txt", trace = dir / "t.ftrace";
    const auto [code, out] =
        interrupted({FAULTLINE_BIN, "run", "cache-flush-stampede", "--variant", "warmup-limit", "--set",
                     "duration=3000s", "--set", "limits.time_max=1h", "--check-determinism", "--trace", trace.string()},
                    trace, log);
    ASSERT_EQ(code, 130) << out;
    EXPECT_TRUE(contains(out, "determinism not checked: the run was interrupted")) << out;
    EXPECT_FALSE(contains(out, "MISMATCH")) << out;
}

}  // namespace
