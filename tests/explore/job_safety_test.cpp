// What a nightly pipeline does to a job's directories besides running it once: two jobs aimed at
// one directory, Ctrl-C and a job runner's SIGTERM, resumes with other arguments, shards that
// lost an artifact or recorded a seed differently, artifacts replayed from another directory,
// and options given an empty value. Nothing recorded may be lost or silently mixed.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "explore_helpers.hpp"

namespace {

using namespace explore_test;

void wait_for_lines(const std::string& path, std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (line_count(path) < n && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string copy_of(const std::string& from, const std::string& name) {
    const std::string to = scratch(name);
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(to + "/.lock");
    return to;
}

TEST(JobSafety, ASecondJobOnTheSameDirectoryIsRefusedWhileTheFirstRuns) {
    const std::string dir = scratch("locked");
    const pid_t first = spawn({"fuzz", "planted-counter", "--seeds", counter_seeds, "-j1", "--progress", "none", "--out", dir});
    wait_for_lines(dir + "/results.jsonl", 5);
    const Result second =
        cli("fuzz planted-counter --seeds " + std::string(counter_seeds) + " -j1 --progress none --resume --out " + dir);
    const Result merge = cli("merge " + dir + " --out " + dir + "_merged");
    const int first_exit = wait_exit(first);
    ASSERT_EQ(first_exit, 1) << "the first job must still have been running (it finds the planted bug)";
    EXPECT_EQ(second.exit_code, 2) << second.out;
    EXPECT_TRUE(contains(second.out, "another job is writing to it (pid " + std::to_string(first) + ")")) << second.out;
    EXPECT_EQ(merge.exit_code, 2) << merge.out;
    EXPECT_TRUE(contains(merge.out, "still writing to it")) << merge.out;
    // The first job's records alone: every seed once.
    EXPECT_EQ(line_count(dir + "/results.jsonl"), counter_last - counter_first + 1);
    EXPECT_EQ(result_rows(dir), result_rows(baseline()));
    // Once it has ended, the directory is free again.
    const Result resumed =
        cli("fuzz planted-counter --seeds " + std::string(counter_seeds) + " -j1 --progress none --resume --out " + dir);
    EXPECT_EQ(resumed.exit_code, 1) << resumed.out;
}

// A job killed with -9 while it started a worker: the child holds the lock between fork and exec,
// for milliseconds, under the pid of a job that is gone. A command run right after the kill waits
// for it instead of being refused in the dead job's name; a live job's lock is refused at once.
TEST(JobSafety, ALockHeldBrieflyInTheNameOfADeadJobIsWaitedFor) {
    const std::string dir = scratch("dead_holder");
    std::filesystem::create_directories(dir);
    const pid_t dead = ::fork();  // a pid that is gone once reaped
    if (dead == 0) ::_exit(0);
    ::waitpid(dead, nullptr, 0);
    for (const bool holder_alive : {false, true}) {
        int ready[2];
        ASSERT_EQ(::pipe(ready), 0);
        const pid_t child = ::fork();
        if (child == 0) {
            const int fd = ::open((dir + "/.lock").c_str(), O_RDWR | O_CREAT, 0644);
            if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(3);
            const std::string pid = std::to_string(holder_alive ? ::getpid() : dead) + "\n";
            if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) ::_exit(3);
            (void)::write(ready[1], "x", 1);
            ::usleep(holder_alive ? 3'000'000 : 300'000);
            ::_exit(0);
        }
        char c = 0;
        ASSERT_EQ(::read(ready[0], &c, 1), 1);
        ::close(ready[0]);
        ::close(ready[1]);
        const Result r = cli("fuzz planted-counter --seeds 600..601 -j1 --progress none --resume --out " + dir);
        if (holder_alive) {
            EXPECT_EQ(r.exit_code, 2) << r.out;
            EXPECT_TRUE(contains(r.out, "another job is writing to it (pid " + std::to_string(child) + ")")) << r.out;
            ::kill(child, SIGKILL);
        } else {
            EXPECT_EQ(r.exit_code, 0) << r.out;
            EXPECT_TRUE(contains(r.out, "2 recorded")) << r.out;
        }
        EXPECT_EQ(wait_exit(child), holder_alive ? -SIGKILL : 0);
    }
}

TEST(JobSafety, CtrlCStopsTheJobWritesItsSummaryAndResumeFinishesIt) {
    for (const int sig : {SIGINT, SIGTERM}) {
        const std::string dir = scratch(sig == SIGINT ? "ctrl_c" : "sigterm");
        const std::string log = dir + ".log";
        const pid_t pid = spawn({"fuzz", "planted-counter", "--seeds", counter_seeds, "-j2", "--progress", "none", "--out", dir},
                                log, /*own_group=*/true);
        wait_for_lines(dir + "/results.jsonl", 40);
        // SIGINT as a terminal sends it, to the job and its workers alike; SIGTERM as a job runner does, to the job.
        if (sig == SIGINT)
            ::kill(-pid, SIGINT);
        else
            ::kill(pid, SIGTERM);
        const int code = wait_exit(pid);
        ASSERT_EQ(code, 128 + sig) << read_file(log);
        const std::string out = read_file(log);
        EXPECT_TRUE(contains(out, std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"))) << out;
        EXPECT_TRUE(contains(out, "--resume")) << out;
        const std::size_t recorded = line_count(dir + "/results.jsonl");
        EXPECT_LT(recorded, counter_last - counter_first + 1) << "stopped before the end";
        EXPECT_EQ(read_json(dir + "/summary.json")["seeds_recorded"], recorded) << "the summary covers what was recorded";
        EXPECT_TRUE(seeds_with(dir, "crash").empty()) << "a worker killed by the same Ctrl-C is not a finding";
        const Result resumed = cli("fuzz planted-counter --seeds " + std::string(counter_seeds) +
                                   " -j2 --progress none --resume --out " + dir);
        EXPECT_EQ(resumed.exit_code, 1) << resumed.out;
        EXPECT_EQ(result_rows(dir), result_rows(baseline()));
    }
}

// The executable gone during the job (a rebuild, an image update): every seed left was recorded
// as the finding "error: worker exited with code 127", lost to --resume, and the job exited 1 (a
// finding) for a runner to read as a test result. Now it stops as a full disk does: no seed starts
// after it, the seed it could not start stays unrecorded, one line, exit 2; --resume finishes it.
TEST(JobSafety, AWorkerExecutableGoneStopsTheJobAndResumeFinishesIt) {
    const std::string dir = scratch("exe_gone");
    const std::string exe = dir + ".exe";
    std::filesystem::copy_file(FAULTLINE_BIN, exe, std::filesystem::copy_options::overwrite_existing);
    const std::string log = dir + ".log";
    const pid_t pid = test_support::spawn_program(
        {exe, "fuzz", "planted-counter", "--seeds", counter_seeds, "-j2", "--progress", "none", "--out", dir}, log,
        false);
    wait_for_lines(dir + "/results.jsonl", 20);
    std::filesystem::remove(exe);
    const int code = wait_exit(pid);
    const std::string out = read_file(log);
    ASSERT_EQ(code, 2) << out;
    EXPECT_TRUE(
        contains(out, "faultline: error: cannot start the worker executable " + exe + ": No such file or directory; "))
        << out;
    EXPECT_TRUE(contains(out, " seeds recorded, whole: restore it and run the same command with --resume\n")) << out;
    EXPECT_TRUE(seeds_with(dir, "error").empty()) << "a seed that never ran is no finding";
    EXPECT_LT(line_count(dir + "/results.jsonl"), counter_last - counter_first + 1);
    const Result resumed = cli("fuzz planted-counter --seeds " + std::string(counter_seeds) +
                               " -j2 --progress none --resume --out " + dir);
    EXPECT_EQ(resumed.exit_code, 1) << resumed.out;
    EXPECT_EQ(result_rows(dir), result_rows(baseline()));
}

// The same for a sweep: it threw away every finished run (no table, no --result) when a worker
// could not start. Now the runs that finished are kept, shown and written, as for a Ctrl-C, and
// the sweep ends with the one-line error, exit 2.
TEST(JobSafety, AWorkerExecutableGoneKeepsTheSweepsFinishedRuns) {
    const std::string dir = scratch("sweep_exe_gone");
    const std::string exe = dir + "/faultline";
    std::filesystem::copy_file(FAULTLINE_BIN, exe);
    const std::string log = dir + "/sweep.log";
    const pid_t pid = test_support::spawn_program({exe, "sweep", "mm1", "--grid", "lambda=0.1..0.9:0.1", "--seeds",
                                                   "40", "--jobs", "2", "--result", dir + "/sweep.json"},
                                                  log, false);
    wait_for_lines(log, 2);  // the plan, then the first tenth done
    std::filesystem::remove(exe);
    const int code = wait_exit(pid);
    const std::string out = read_file(log);
    ASSERT_EQ(code, 2) << out;
    EXPECT_TRUE(contains(out, "sweep: interrupted by a worker that could not start: ")) << out;
    EXPECT_TRUE(contains(out, "faultline: error: cannot start the worker executable " + exe +
                                  ": No such file or directory (restore it and run the sweep again)\n"))
        << out;
    EXPECT_TRUE(contains(out, "Cells: seeds passing / seeds run")) << "the table of what finished: " << out;
    const auto result = read_json(dir + "/sweep.json");
    EXPECT_EQ(result["interrupted"]["by"], "a worker that could not start") << result.dump();
    EXPECT_EQ(result["interrupted"]["runs_planned"], 360);
}

// Records the job may not append to (another user's, read-only): "internal error", exit 3, and the
// refused attempt had already written its range into job.json, so that the directory called
// itself incomplete from then on. Now one line, exit 2, and job.json as it was.
TEST(JobSafety, RecordsThatCannotBeAppendedToRefuseAResumeAndLeaveTheJobAsItWas) {
    const std::string dir = scratch("read_only_records");
    ASSERT_EQ(cli("fuzz planted-harness --seeds 1..10 --progress none --out " + dir).exit_code, 0);
    const std::string job_before = read_file(dir + "/job.json");
    std::filesystem::permissions(dir + "/results.jsonl", std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::group_read |
                                                             std::filesystem::perms::others_read);
    std::string program = FAULTLINE_BIN;
    if (::geteuid() == 0) {  // root writes anyway: as a user who owns the directory, not the file's mode
        const std::string copy = dir + ".exe";  // where that user can run it, wherever the build is
        std::filesystem::copy_file(FAULTLINE_BIN, copy, std::filesystem::copy_options::overwrite_existing);
        ASSERT_EQ(std::system(("chown -R nobody " + dir + " " + copy).c_str()), 0);
        program = "runuser -u nobody -- " + copy;
        if (faultline_with(program, "--version").exit_code != 0) GTEST_SKIP() << "cannot run as nobody here";
    }
    const Result r =
        faultline_with(program, "fuzz planted-harness --seeds 1..20 --progress none --resume --out " + dir);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "faultline: error: cannot open " + dir + "/results.jsonl: Permission denied\n"))
        << r.out;
    EXPECT_EQ(read_file(dir + "/job.json"), job_before) << "the refused range is not the job's";
    EXPECT_EQ(line_count(dir + "/results.jsonl"), 10u);
}

TEST(JobSafety, ResumeRefusesAnotherShardAndRemembersEverySeedRange) {
    const std::string dir = scratch("resume_ranges");
    ASSERT_EQ(cli("fuzz planted-harness --seeds 1..10 --shard 0/2 --progress none --out " + dir).exit_code, 0);
    const Result other_shard = cli("fuzz planted-harness --seeds 1..10 --shard 1/2 --progress none --resume --out " + dir);
    EXPECT_EQ(other_shard.exit_code, 2) << other_shard.out;
    EXPECT_TRUE(contains(other_shard.out, "shard 0/2 vs 1/2")) << other_shard.out;
    EXPECT_EQ(line_count(dir + "/results.jsonl"), 5u) << "nothing of the refused job recorded";
    const Result more = cli("fuzz planted-harness --seeds 20..23 --shard 0/2 --progress none --resume --out " + dir +
                            " --junit " + dir + "/junit.xml");
    EXPECT_EQ(more.exit_code, 0) << more.out;
    EXPECT_EQ(read_json(dir + "/job.json")["seeds"], "1..10 20..23");
    EXPECT_TRUE(contains(read_file(dir + "/junit.xml"), "seeds 1..10 20..23 (shard 0/2): 7 of 7 passed"))
        << read_file(dir + "/junit.xml");
}

TEST(JobSafety, ResultsWithoutTheirJobAreNotAdopted) {
    const std::string dir = scratch("no_job_json");
    ASSERT_EQ(cli("fuzz planted-harness --seeds 1..3 --progress none --out " + dir).exit_code, 0);
    std::filesystem::remove(dir + "/job.json");
    const Result r = cli("fuzz planted-counter --seeds 1..3 --progress none --resume --out " + dir);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "holds 3 results but no job.json")) << r.out;
}

TEST(JobSafety, AJUnitPathThatCannotBeWrittenIsRefusedBeforeTheJobRuns) {
    const std::string dir = scratch("junit_paths");
    for (const std::string& junit : {dir + "/out", dir}) {  // the output directory itself; an existing directory
        const Result r = cli("fuzz planted-harness --seeds 1..3 --progress none --out " + dir + "/out --junit " + junit);
        EXPECT_EQ(r.exit_code, 2) << junit << "\n" << r.out;
        EXPECT_FALSE(std::filesystem::exists(dir + "/out/results.jsonl")) << "refused before any seed ran: " << junit;
        EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    }
}

// JUnit is written through a symbolic link into its target, and into a device, never by renaming
// a new file over the path: that turned a link into a file (its target never written) and, for
// root, /dev/full or /dev/null into a regular file, and a write that failed still exited 0.
TEST(JobSafety, JUnitThroughALinkOrIntoADeviceIsWrittenIntoNotReplaced) {
    namespace fs = std::filesystem;
    const std::string dir = scratch("junit_links");
    fs::create_directories(dir + "/real");
    fs::create_symlink("real/t.xml", dir + "/link.xml");  // relative, and its target not there yet
    const Result linked =
        cli("fuzz planted-harness --seeds 1..3 --progress none --out " + dir + "/a --junit " + dir + "/link.xml");
    EXPECT_EQ(linked.exit_code, 0) << linked.out;  // planted-harness passes seeds 1 to 3
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir + "/link.xml")));
    EXPECT_TRUE(contains(read_file(dir + "/real/t.xml"), "<testsuites name=\"faultline fuzz\""))
        << "the link's target has it";
    fs::create_symlink("/dev/full", dir + "/full.xml");
    const Result full =
        cli("fuzz planted-harness --seeds 1..3 --progress none --out " + dir + "/b --junit " + dir + "/full.xml");
    EXPECT_EQ(full.exit_code, 2) << full.out;
    EXPECT_TRUE(contains(full.out, "full.xml: No space left on device")) << full.out;
    EXPECT_TRUE(fs::is_character_file("/dev/full"));
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir + "/full.xml")));
    // The summary comes first: the job is whole, only its JUnit file is not.
    EXPECT_TRUE(contains(full.out, "seeds       3 recorded")) << full.out;
    EXPECT_LT(full.out.find("seeds       3 recorded"), full.out.find("--junit:")) << full.out;
    // A link into a directory that does not exist is refused before any seed runs, naming it.
    fs::create_symlink("/nonexistent-dir/t.xml", dir + "/dangling.xml");
    const Result dangling =
        cli("fuzz planted-harness --seeds 1..3 --progress none --out " + dir + "/c --junit " + dir + "/dangling.xml");
    EXPECT_EQ(dangling.exit_code, 2) << dangling.out;
    EXPECT_TRUE(contains(dangling.out, "dangling.xml: no directory /nonexistent-dir (where the link points)"))
        << dangling.out;
    EXPECT_FALSE(fs::exists(dir + "/c/results.jsonl")) << "refused before the job";
    EXPECT_FALSE(contains(dangling.out, ".tmp.")) << dangling.out;
}

// A disk that fills during the job (here a file size limit, which fails a write as a full disk
// does, with SIGXFSZ ignored): the job stops starting seeds, keeps every record whole, says what
// to do in one line (exit 2), and --resume then finishes the range.
TEST(JobSafety, AFullDiskStopsTheJobWithWholeRecordsAndResumeFinishesIt) {
    const std::string dir = scratch("full_disk");
    const std::string args = "fuzz planted-harness --set fail_every=2 --seeds 1..300 -j1 --progress none --out " + dir;
    const Result full = faultline_env("bash -c 'ulimit -f 8; trap \"\" XFSZ; exec \"$0\" \"$@\"'", args);
    EXPECT_EQ(full.exit_code, 2) << full.out;
    EXPECT_TRUE(contains(full.out, "faultline: error: cannot append to " + dir + "/results.jsonl: File too large; "))
        << full.out;
    EXPECT_TRUE(contains(full.out, " seeds recorded, whole: free space and run the same command with --resume\n"))
        << full.out;
    const std::size_t recorded = line_count(dir + "/results.jsonl");
    EXPECT_GT(recorded, 5u);
    EXPECT_LT(recorded, 300u);
    std::ifstream in(dir + "/results.jsonl");
    for (std::string line; std::getline(in, line);)
        EXPECT_TRUE(nlohmann::json::accept(line)) << "a torn record: " << line;
    const Result resumed = cli(args + " --resume");
    EXPECT_EQ(resumed.exit_code, 1) << resumed.out;  // every second seed fails
    EXPECT_TRUE(contains(resumed.out, "seeds       300 recorded")) << resumed.out;
    EXPECT_EQ(line_count(dir + "/results.jsonl"), 300u);
}

TEST(Merge, AnArtifactLostByItsShardIsMadeAgainFromItsSeed) {
    const std::string shard = copy_of(baseline(), "lost_artifact");
    const auto summary = read_json(shard + "/summary.json");
    const std::string artifact = summary["signatures"][0]["artifact"];
    { std::ofstream(shard + "/" + artifact) << "garbage"; }
    const std::string out = scratch("lost_artifact_merged");
    std::filesystem::remove(out);
    const Result r = cli("merge " + shard + " --out " + out + " --junit " + out + "/junit.xml");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "made it again by running the seed")) << r.out;
    EXPECT_TRUE(contains(r.out, "merged      1 directory:")) << r.out;
    EXPECT_EQ(read_json(out + "/" + artifact)["seed"], summary["signatures"][0]["fastest_seed"]);
    const Result replayed = cli("replay " + out + "/" + artifact);
    EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
    EXPECT_TRUE(contains(replayed.out, "reproduced: trace hash matches")) << replayed.out;
}

// An artifact that is not the run its shard recorded (edited, or left by another build) is not
// copied into the merged job: it would replay as something the merged results never saw.
TEST(Merge, AnArtifactThatDisagreesWithItsRecordIsMadeAgain) {
    const std::string shard = copy_of(baseline(), "disagreeing_artifact");
    const auto summary = read_json(shard + "/summary.json");
    const std::string artifact = summary["signatures"][0]["artifact"];
    auto a = read_json(shard + "/" + artifact);
    const std::string recorded = a["expected"]["trace_hash"];
    a["expected"]["trace_hash"] = "0123456789abcdef";
    { std::ofstream(shard + "/" + artifact) << a.dump(2); }
    const std::string out = scratch("disagreeing_artifact_merged");
    std::filesystem::remove_all(out);
    const Result r = cli("merge " + shard + " --out " + out);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, " disagrees with its results.jsonl (trace hash 0123456789abcdef, recorded " + recorded +
                                    "); made it again by running the seed"))
        << r.out;
    EXPECT_EQ(read_json(out + "/" + artifact)["expected"]["trace_hash"], recorded);
    const Result replayed = cli("replay " + out + "/" + artifact);
    EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
    EXPECT_TRUE(contains(replayed.out, "reproduced: trace hash matches")) << replayed.out;
    // The same hash and signature, but made with a setting the job did not have (a crash or a
    // hang has no hash to tell them apart): not copied either.
    a["expected"]["trace_hash"] = recorded;
    a["settings"]["events_max"] = 123456789;
    { std::ofstream(shard + "/" + artifact) << a.dump(2); }
    std::filesystem::remove_all(out);
    const Result other = cli("merge " + shard + " --out " + out);
    EXPECT_EQ(other.exit_code, 1) << other.out;
    EXPECT_TRUE(contains(other.out,
                         " is not a run of its directory's job.json (another scenario, --set or setting); "
                         "made it again by running the seed"))
        << other.out;
    EXPECT_EQ(read_json(out + "/" + artifact)["settings"]["events_max"], nullptr) << "the job's run";
}

TEST(Merge, ASeedRecordedDifferentlyKeepsTheFindingWhateverTheOrder) {
    const std::string a = copy_of(baseline(), "disagree_a");
    const std::string b = copy_of(baseline(), "disagree_b");
    const std::uint64_t fastest = read_json(a + "/summary.json")["signatures"][0]["fastest_seed"];
    // b recorded the fastest failing seed as a pass (another build, a nondeterministic model...).
    std::string lines, pass_line, line;
    {
        std::ifstream in(b + "/results.jsonl");
        while (std::getline(in, line)) {
            auto j = nlohmann::json::parse(line);
            if (j["verdict"] == "pass" && pass_line.empty()) pass_line = line;
        }
    }
    {
        std::ifstream in(b + "/results.jsonl");
        while (std::getline(in, line)) {
            auto j = nlohmann::json::parse(line);
            if (j["seed"] == fastest) {
                j = nlohmann::json::parse(pass_line);
                j["seed"] = fastest;
            }
            lines += j.dump() + "\n";
        }
    }
    { std::ofstream(b + "/results.jsonl") << lines; }
    for (const auto& [first, second, name] : {std::tuple{a, b, "ab"}, std::tuple{b, a, "ba"}}) {
        const std::string out = scratch(std::string("disagree_") + name);
        std::filesystem::remove(out);
        const Result r = cli("merge " + first + " " + second + " --out " + out);
        EXPECT_EQ(r.exit_code, 1) << name << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "seed " + std::to_string(fastest) + " ran differently")) << r.out;
        EXPECT_TRUE(contains(r.out, "kept the finding")) << r.out;
        EXPECT_EQ(result_rows(out), result_rows(baseline())) << name;
    }
}

TEST(Merge, RefusesADirectoryGivenTwiceOrMissingAndWarnsOfAnEmptyShard) {
    const std::string a = copy_of(baseline(), "merge_inputs");
    const std::string root = scratch("merge_refusals");
    const Result twice = cli("merge " + a + " " + a + "/ --out " + root + "/m1");
    EXPECT_EQ(twice.exit_code, 2) << twice.out;
    EXPECT_TRUE(contains(twice.out, "given twice")) << twice.out;
    const Result missing = cli("merge " + a + " " + root + "/nosuch --out " + root + "/m2");
    EXPECT_EQ(missing.exit_code, 2) << missing.out;
    EXPECT_TRUE(contains(missing.out, root + "/nosuch: no such directory")) << missing.out;
    const std::string empty = root + "/empty_shard";
    std::filesystem::create_directories(empty);
    std::filesystem::copy_file(a + "/job.json", empty + "/job.json");
    const Result warned = cli("merge " + a + " " + empty + " --out " + root + "/m3");
    EXPECT_EQ(warned.exit_code, 1) << warned.out;
    EXPECT_TRUE(contains(warned.out, empty + " has no results.jsonl")) << warned.out;
    // A bad record half-way: the merge fails and leaves no results.jsonl.partial behind.
    const std::string bad = copy_of(baseline(), "merge_bad_record");
    { std::ofstream(bad + "/results.jsonl", std::ios::app) << "{not json\n"; }
    const Result failed = cli("merge " + a + " " + bad + " --out " + root + "/m4");
    EXPECT_EQ(failed.exit_code, 2) << failed.out;
    EXPECT_FALSE(std::filesystem::exists(root + "/m4/results.jsonl.partial"));
}

TEST(Replay, AnArtifactOfARelativeScenarioPathReplaysFromAnotherDirectory) {
    const std::string work = scratch("relative_job");
    const std::string elsewhere = scratch("relative_elsewhere");
    std::filesystem::copy_file(std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/bad-deploy-crash-loop.yaml",
                               work + "/deploy.yaml");
    const Result job = faultline_env("cd " + work + " &&", "fuzz ./deploy.yaml --seeds 1..2 --progress none --out out");
    ASSERT_EQ(job.exit_code, 1) << job.out;
    // As `faultline run` says it: the invariant is judged a nanosecond after the instant it watches.
    EXPECT_TRUE(contains(job.out, "fastest: seed 1 at 41s\n")) << job.out;
    const std::string artifact = work + "/out/" + read_json(work + "/out/summary.json")["signatures"][0]["artifact"].get<std::string>();
    EXPECT_EQ(read_json(artifact)["scenario"]["path"], "deploy.yaml") << "as typed, without ./";
    const Result r = faultline_env("cd " + elsewhere + " &&", "replay " + artifact);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "reproduced: trace hash matches")) << r.out;
    // The same job by its absolute path: the same scenario, so --resume accepts it.
    const Result resumed = cli("fuzz " + work + "/deploy.yaml --seeds 1..3 --progress none --resume --out " + work + "/out");
    EXPECT_EQ(resumed.exit_code, 1) << resumed.out;
    EXPECT_TRUE(contains(resumed.out, "2 recorded before")) << resumed.out;
    // Gone from both places: said plainly, without blaming a change of the scenario.
    std::filesystem::rename(work + "/deploy.yaml", work + "/moved.yaml");
    const Result gone = faultline_env("cd " + elsewhere + " &&", "replay " + artifact);
    EXPECT_EQ(gone.exit_code, 2) << gone.out;
    EXPECT_TRUE(contains(gone.out, "no scenario file 'deploy.yaml' (nor " + work + "/deploy.yaml)")) << gone.out;
    EXPECT_FALSE(contains(gone.out, "changed since")) << gone.out;
}

TEST(Replay, ARecordedConfigurationErrorReplaysAsRecordedAndIsNotShrunk) {
    // What a worker records for a seed whose configuration the scenario refuses (exit 2).
    const Result refused = cli("run planted-counter --set nosuch=1");
    ASSERT_EQ(refused.exit_code, 2) << refused.out;
    const std::string message = refused.out.substr(std::string("faultline: ").size(), refused.out.find('\n') - 11);
    auto artifact = read_json(baseline_artifact());
    artifact["overrides"] = {{"nosuch", "1"}};
    artifact["expected"]["verdict"] = "error";
    artifact["expected"]["detail"] = "exited with code 2: " + message;
    artifact["expected"]["signature"] = "error: exited with code 2: " + message;
    artifact["expected"]["trace_hash"] = nullptr;
    const std::string path = scratch("error_artifact") + "/error.json";
    { std::ofstream(path) << artifact.dump(2); }
    const Result replayed = cli("replay " + path);
    EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
    EXPECT_TRUE(contains(replayed.out, "reproduced: the run is refused as recorded")) << replayed.out;
    EXPECT_FALSE(contains(replayed.out, "changed since")) << replayed.out;
    const Result shrunk = cli("shrink " + path);
    EXPECT_EQ(shrunk.exit_code, 2) << shrunk.out;
    EXPECT_TRUE(contains(shrunk.out, "a configuration error, with no faults to shrink")) << shrunk.out;
}

TEST(Cli, AnOptionGivenAnEmptyValueIsAnErrorNotLeftOut) {
    const std::string dir = scratch("empty_values");
    for (const std::string& args : {"replay --stop-at '' " + baseline_artifact(), std::string("run planted-counter --time-max ''"),
                                    "fuzz planted-harness --seeds 1..2 --time '' --out " + dir,
                                    "fuzz planted-harness --seeds 1..2 --junit '' --out " + dir}) {
        const Result r = cli(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "an empty value")) << args << "\n" << r.out;
    }
    EXPECT_FALSE(std::filesystem::exists(dir + "/results.jsonl"));
}

TEST(JobSafety, SwarmModeOnAScenarioWithNoSwarmSpaceIsAnError) {
    const std::string dir = scratch("no_swarm_space");
    const Result r = cli("fuzz bad-deploy-crash-loop --swarm --seeds 1..2 --progress none --out " + dir + "/out");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "--swarm: scenario 'bad-deploy-crash-loop' has no swarm space")) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir + "/out/results.jsonl"));
}

TEST(Replay, AnArtifactWithAnEventLimitOfZeroIsRefusedAsTheFlagIs) {
    auto artifact = read_json(baseline_artifact());
    artifact["settings"]["events_max"] = 0;
    const std::string path = scratch("events_max_zero") + "/a.json";
    { std::ofstream(path) << artifact.dump(2); }
    const Result r = cli("replay " + path);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "events_max")) << r.out;
    EXPECT_TRUE(contains(r.out, "must be at least 1")) << r.out;
}

}  // namespace
