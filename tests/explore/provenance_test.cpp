// What a directory says of how its results were made, and what a refused command leaves: a
// resume by another build keeps the build that started the job and adds its own (merge then
// still warns of mixed builds), a merge refused for a bad record leaves no half-made --out, an
// artifact rebuilt from its record is not said to have been run, a merged directory is not
// resumed as if it were a shard, and a resume with nothing left to run says so. A tester's
// findings, each of which these tests saw fail before the fix.
#include "explore/build_info.hpp"
#include "explore_helpers.hpp"

namespace {

using namespace explore_test;
namespace fs = std::filesystem;

// A small job of planted-harness (no findings unless asked), in a fresh directory.
std::string harness_dir(const std::string& name, const std::string& seeds, const std::string& more = "") {
    const std::string dir = scratch(name);
    const Result r = cli("fuzz planted-harness --seeds " + seeds + " --progress none " + more + " --out " + dir);
    EXPECT_LE(r.exit_code, 1) << r.out;
    return dir;
}

// job.json as a build before `builds` was kept would have left it, made by build `id`.
void made_by_old_build(const std::string& dir, const std::string& id) {
    auto job = read_json(dir + "/job.json");
    job["faultline"]["build_id"] = id;
    job["faultline"].erase("builds");
    std::ofstream(dir + "/job.json") << job.dump(2);
}

TEST(Provenance, AResumeByAnotherBuildKeepsTheFirstBuildAndAddsItsOwn) {
    const std::string dir = harness_dir("other_build", "1..6");
    const std::string self = faultline::explore::build_id();
    EXPECT_EQ(read_json(dir + "/job.json")["faultline"]["builds"], nlohmann::json::array({self}));
    made_by_old_build(dir, "0ldbu11d0000");
    const Result r = cli("fuzz planted-harness --seeds 1..9 --resume --progress none --out " + dir);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    // Begun as every other warning is.
    EXPECT_TRUE(contains(r.out, "faultline: warning: " + dir + " holds results of build 0ldbu11d0000; this is build " +
                                    self + ": job.json and the summary list both"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "builds      0ldbu11d0000, " + self + " (results of more than one build)")) << r.out;
    const auto job = read_json(dir + "/job.json");
    EXPECT_EQ(job["faultline"]["build_id"], "0ldbu11d0000") << "the build that started the job";
    EXPECT_EQ(job["faultline"]["builds"], nlohmann::json::array({"0ldbu11d0000", self}));
    EXPECT_EQ(read_json(dir + "/summary.json")["job"]["faultline"]["builds"], job["faultline"]["builds"]);

    // A merge of it alone, or with a shard of one build, still sees both builds and names them.
    const std::string merged = scratch("other_build_merged");
    fs::remove(merged);
    const Result m = cli("merge " + dir + " --out " + merged);
    EXPECT_EQ(m.exit_code, 0) << m.out;
    EXPECT_TRUE(contains(m.out, "faultline: warning: the results come from 2 different builds: 0ldbu11d0000 (" + dir +
                                    "); " + self + " (" + dir + ")"))
        << m.out;
    EXPECT_TRUE(contains(m.out, "builds      0ldbu11d0000, " + self)) << m.out;
    EXPECT_EQ(read_json(merged + "/job.json")["faultline"]["builds"], job["faultline"]["builds"]);
}

TEST(Provenance, AResumeByAnotherBuildWithNothingLeftToRunAddsNoBuildAndSaysSo) {
    const std::string dir = harness_dir("other_build_idle", "1..6");
    made_by_old_build(dir, "0ldbu11d0000");
    const Result r = cli("fuzz planted-harness --seeds 1..6 --resume --progress none --out " + dir);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "which has no seed left to run here and records nothing")) << r.out;
    EXPECT_TRUE(contains(r.out,
                         "seeds       6 recorded (0 run now: the 6 seeds of --seeds were recorded before; "
                         "a new --seeds range, or another --out, tests more)"))
        << r.out;
    EXPECT_EQ(read_json(dir + "/job.json")["faultline"]["builds"], nlohmann::json::array({"0ldbu11d0000"}));
}

TEST(Provenance, ARefusedMergeLeavesNoHalfMadeOut) {
    const std::string a = harness_dir("bad_record_a", "1..4", "--shard 0/2");
    const std::string b = harness_dir("bad_record_b", "1..4", "--shard 1/2");
    { std::ofstream(b + "/results.jsonl", std::ios::app) << "garbage\n"; }
    const std::string parent = scratch("bad_record_out");
    const std::string out = parent + "/new/merged";  // its parent is made too
    const Result r = cli("merge " + a + " " + b + " --out " + out);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "line 3: not a result record")) << r.out;
    EXPECT_FALSE(fs::exists(parent + "/new")) << "nothing written";
    // An empty directory that was there stays, empty.
    const std::string empty = scratch("bad_record_empty_out");
    const Result again = cli("merge " + a + " " + b + " --out " + empty);
    EXPECT_EQ(again.exit_code, 2) << again.out;
    EXPECT_TRUE(fs::is_directory(empty));
    EXPECT_TRUE(fs::is_empty(empty)) << "no .lock, no artifacts/";
}

TEST(Provenance, AMergeSaysACrashArtifactWasRebuiltFromItsRecordNotRun) {
    const std::string dir = harness_dir("rebuilt", "1..4", "--set crash_on_seed=3");
    const auto summary = read_json(dir + "/summary.json");
    ASSERT_EQ(summary["signatures"].size(), 1u) << summary.dump(2);
    fs::remove(dir + "/" + summary["signatures"][0]["artifact"].get<std::string>());
    const std::string out = scratch("rebuilt_merged");
    fs::remove(out);
    const Result r = cli("merge " + dir + " --out " + out);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, " is missing or unreadable; rebuilt from its record")) << r.out;
    EXPECT_FALSE(contains(r.out, "running the seed")) << r.out;
    EXPECT_TRUE(fs::exists(out + "/" + summary["signatures"][0]["artifact"].get<std::string>()));
}

TEST(Provenance, AMergedDirectoryIsNotResumedAsAShard) {
    const std::string shard = harness_dir("merged_resume_shard", "1..4", "--shard 0/2");
    const std::string merged = scratch("merged_resume");
    fs::remove(merged);
    const Result m = cli("merge " + shard + " --out " + merged);
    EXPECT_EQ(m.exit_code, 1) << "a shard is missing\n" << m.out;
    // Its one missing shard, in the singular where it is one seed.
    const std::string one = harness_dir("one_seed_shard", "1..2", "--shard 0/2");
    const Result single = cli("merge " + one + " --out " + merged + "_one");
    EXPECT_TRUE(contains(single.out, "shard 1/2 is missing (its 1 seed did not run)")) << single.out;
    EXPECT_TRUE(contains(single.out, "1 of 2 seeds of the range ran (1 not run)")) << single.out;
    const Result r = cli("fuzz planted-harness --seeds 1..4 --resume --progress none --out " + merged);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, merged + " is the output of merge (shard 'merged: 0/2'), which --resume cannot "
                                         "continue: resume each shard's own directory, then merge them again"))
        << r.out;
}

TEST(Provenance, AShardIndexFromTheEnvironmentOutOfRangeNamesTheVariable) {
    const std::string dir = scratch("auto_shard_range");
    const Result r = faultline_env("env JOB_COMPLETION_INDEX=4",
                                   "fuzz planted-harness --seeds 1..9 --shard auto/4 --progress none --out " + dir);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "--shard: index 4 (from JOB_COMPLETION_INDEX) is not below the shard count 4"))
        << r.out;
}

}  // namespace
