// A nightly job's directories must hold one job, all of it, or say what they do not: --resume and
// merge refuse a scenario file whose content changed, an interrupted job and a merge of unfinished
// shards say which seeds never ran (summary, JUnit, exit code), and --set order does not make the
// same job a different one.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "explore/fuzz.hpp"
#include "explore/spec.hpp"
#include "explore_helpers.hpp"

namespace {

using namespace explore_test;
namespace ex = faultline::explore;

// A scenario file in a directory of its own, as `fuzz` is given it.
std::string scenario_copy(const std::string& dir) {
    std::filesystem::copy_file(std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/bad-deploy-crash-loop.yaml",
                               dir + "/deploy.yaml", std::filesystem::copy_options::overwrite_existing);
    return dir + "/deploy.yaml";
}

void edit(const std::string& file) {
    std::string text = read_file(file);
    const std::size_t at = text.find("800/s");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 5, "810/s");
    std::ofstream(file) << text;
}

std::size_t lines_of(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(JobIntegrity, ResumeRefusesAScenarioFileWhoseContentChanged) {
    const std::string work = scratch("content_changed");
    const std::string file = scenario_copy(work);
    ASSERT_EQ(cli("fuzz " + file + " --seeds 1..2 --progress none --out " + work + "/out").exit_code, 1);
    const auto job = read_json(work + "/out/job.json");
    const std::string before = job["scenario"]["content_hash"];
    EXPECT_EQ(job["scenario"]["absolute_path"], file);
    edit(file);
    const Result r = cli("fuzz " + file + " --seeds 1..3 --progress none --resume --out " + work + "/out");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(lines_of(r.out), 1u) << r.out;
    EXPECT_TRUE(contains(r.out, "--resume of a different job: the scenario file's content differs (content hash " + before + " vs "))
        << r.out;
    EXPECT_EQ(line_count(work + "/out/results.jsonl"), 2u) << "nothing of the refused job recorded";
    // A job.json written before content hashes were kept has none: accepted, as then.
    auto old = job;
    old["scenario"].erase("content_hash");
    std::ofstream(work + "/out/job.json") << old.dump(2);
    const Result accepted = cli("fuzz " + file + " --seeds 1..3 --progress none --resume --out " + work + "/out");
    EXPECT_EQ(accepted.exit_code, 1) << accepted.out;
    EXPECT_TRUE(contains(accepted.out, "2 recorded before")) << accepted.out;
}

TEST(JobIntegrity, AFileIsNamedByItsNameAsRunNamesItAndOldJobsStillResume) {
    const std::string work = scratch("named");
    const std::string file = scenario_copy(work);  // deploy.yaml, with "name: bad-deploy-crash-loop"
    const Result r =
        cli("fuzz " + file + " --seeds 1..2 --progress none --out " + work + "/out --junit " + work + "/junit.xml");
    ASSERT_EQ(r.exit_code, 1) << r.out;
    auto job = read_json(work + "/out/job.json");
    EXPECT_EQ(job["scenario"]["name"], "bad-deploy-crash-loop");
    // JUnit's class is the name too (a path's dots and slashes would make packages of it in a CI's
    // test tree); the suite keeps the path, so that the file can be found.
    const std::string xml = read_file(work + "/junit.xml");
    EXPECT_TRUE(contains(xml, "classname=\"faultline.fuzz.bad-deploy-crash-loop\"")) << xml;
    EXPECT_FALSE(contains(xml, "classname=\"faultline.fuzz./")) << xml;
    EXPECT_TRUE(contains(xml, "<testsuite name=\"fuzz " + file + "\"")) << xml;
    std::string artifact;
    for (const auto& e : std::filesystem::directory_iterator(work + "/out/artifacts")) artifact = e.path().string();
    ASSERT_FALSE(artifact.empty());
    EXPECT_EQ(read_json(artifact)["scenario"]["name"], "bad-deploy-crash-loop");
    const Result replayed = cli("replay " + artifact);
    EXPECT_TRUE(contains(replayed.out, "scenario    bad-deploy-crash-loop  seed ")) << replayed.out;
    // A job started when files were named by their stem is the same job.
    job["scenario"]["name"] = "deploy";
    std::ofstream(work + "/out/job.json") << job.dump(2);
    const Result resumed = cli("fuzz " + file + " --seeds 1..3 --progress none --resume --out " + work + "/out");
    EXPECT_EQ(resumed.exit_code, 1) << resumed.out;
    EXPECT_TRUE(contains(resumed.out, "2 recorded before")) << resumed.out;
}

TEST(JobIntegrity, AVariantIsPartOfTheJUnitClassAsRunPrintsIt) {
    ex::JobConfig job;
    job.scenario.name = "retry-storm";
    job.scenario.variant = "adaptive-throttling";
    const std::string xml = ex::junit_xml(job, ex::Tally{}, {}, "out", ex::Coverage{});
    EXPECT_TRUE(contains(xml, "classname=\"faultline.fuzz.retry-storm/adaptive-throttling\"")) << xml;
    EXPECT_TRUE(contains(xml, "<testsuite name=\"fuzz retry-storm --variant adaptive-throttling\"")) << xml;
    job.scenario.name = "my.svc v2";  // a dot in a name would make a package of "my"
    job.scenario.variant = "";
    EXPECT_TRUE(
        contains(ex::junit_xml(job, ex::Tally{}, {}, "out", ex::Coverage{}), "classname=\"faultline.fuzz.my_svc v2\""));
}

TEST(JobIntegrity, ResumeRefusesAnotherFileOfTheSameRelativeName) {
    const std::string a = scratch("same_name_a"), b = scratch("same_name_b");
    scenario_copy(a);
    edit(scenario_copy(b));
    ASSERT_EQ(faultline_env("cd " + a + " &&", "fuzz deploy.yaml --seeds 1..2 --progress none --out " + a + "/out").exit_code, 1);
    const Result r = faultline_env("cd " + b + " &&", "fuzz deploy.yaml --seeds 1..3 --progress none --resume --out " + a + "/out");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "the scenario file " + b + "/deploy.yaml is not the job's " + a + "/deploy.yaml")) << r.out;
    // The same bytes in another directory are the same job.
    scenario_copy(b);
    const Result same = faultline_env("cd " + b + " &&", "fuzz deploy.yaml --seeds 1..3 --progress none --resume --out " + a + "/out");
    EXPECT_EQ(same.exit_code, 1) << same.out;
    // By any path, in any order: the copy by its own path, then the original again. (The resume
    // before records the path it was given; the original was then refused as another scenario.)
    const Result copy = cli("fuzz " + b + "/deploy.yaml --seeds 1..4 --progress none --resume --out " + a + "/out");
    EXPECT_EQ(copy.exit_code, 1) << copy.out;
    // Said under --progress none too: the job records another file than the one named.
    EXPECT_TRUE(contains(copy.out, "resuming with the job's own file " + a + "/deploy.yaml (the same bytes as " + b))
        << copy.out;
    // The job keeps its own file while it is there: job.json and the artifacts name it, not the copy.
    EXPECT_EQ(read_json(a + "/out/job.json")["scenario"]["absolute_path"], a + "/deploy.yaml");
    const Result original =
        faultline_env("cd " + a + " &&", "fuzz deploy.yaml --seeds 1..5 --progress none --resume --out " + a + "/out");
    EXPECT_EQ(original.exit_code, 1) << original.out;
    EXPECT_TRUE(contains(original.out, "4 recorded before")) << original.out;
    // Shards run from the two copies merge as one job.
    ASSERT_EQ(cli("fuzz " + b + "/deploy.yaml --seeds 6..7 --progress none --out " + b + "/more").exit_code, 1);
    const Result merged = cli("merge " + a + "/out " + b + "/more --out " + b + "/merged");
    EXPECT_NE(merged.exit_code, 2) << merged.out;
    // An edited copy by another path is refused for its bytes, which is what differs, not its path.
    edit(b + "/deploy.yaml");
    const Result edited = cli("fuzz " + b + "/deploy.yaml --seeds 1..6 --progress none --resume --out " + a + "/out");
    EXPECT_EQ(edited.exit_code, 2) << edited.out;
    EXPECT_TRUE(contains(
        edited.out, "the scenario file " + b + "/deploy.yaml is not the job's " + a + "/deploy.yaml (content hash "))
        << edited.out;
}

TEST(JobIntegrity, MergeRefusesShardsOfDifferentContentsOfOneFile) {
    const std::string work = scratch("merge_contents");
    const std::string file = scenario_copy(work);
    ASSERT_EQ(cli("fuzz " + file + " --seeds 1..4 --shard 0/2 --progress none --out " + work + "/s0").exit_code, 1);
    const std::string before = read_json(work + "/s0/job.json")["scenario"]["content_hash"];
    edit(file);
    ASSERT_EQ(cli("fuzz " + file + " --seeds 1..4 --shard 1/2 --progress none --out " + work + "/s1").exit_code, 1);
    const std::string after = read_json(work + "/s1/job.json")["scenario"]["content_hash"];
    const Result r = cli("merge " + work + "/s0 " + work + "/s1 --out " + work + "/m");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(lines_of(r.out), 1u) << r.out;
    EXPECT_TRUE(contains(r.out, "not the same job as " + work + "/s0: the scenario file's content differs (content hash " +
                                    before + " vs " + after + ")"))
        << r.out;
    EXPECT_FALSE(std::filesystem::exists(work + "/m/results.jsonl"));
}

// Starts a one-worker job on `file`, waits for its first record, rewrites the file with
// `edit_text` applied, and returns the job's exit code; its output is in `log`.
int fuzz_editing_midway(const std::string& file, const std::string& dir, const std::string& log,
                        const std::function<void(std::string&)>& edit_text) {
    const pid_t pid = spawn({"fuzz", file, "--seeds", "1..400", "-j1", "--progress", "none", "--out", dir, "--junit",
                             dir + "/junit.xml"},
                            log);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (line_count(dir + "/results.jsonl") < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::string text = read_file(file);
    edit_text(text);
    std::ofstream(file) << text;
    return test_support::wait_exit(pid);
}

TEST(JobIntegrity, AFileEditedDuringTheJobStopsItAndNoSeedOfTheEditIsRecorded) {
    const std::string work = scratch("edited_midway");
    const std::string file = scenario_copy(work);
    const std::string hash_before = ex::load_scenario(ex::scenario_ref(file)).file_hash;
    const std::string dir = work + "/out", log = work + "/log";
    // Renamed, the invariant gives every seed of the edited file another signature.
    const int code = fuzz_editing_midway(file, dir, log, [](std::string& text) {
        for (std::size_t at; (at = text.find("goodput holds through")) != std::string::npos;) text.replace(at, 7, "GOODPUT");
    });
    const std::string out = read_file(log);
    const std::string hash_after = ex::load_scenario(ex::scenario_ref(file)).file_hash;
    ASSERT_NE(hash_before, hash_after);
    EXPECT_EQ(code, 2) << out;
    EXPECT_TRUE(contains(out, "faultline: error: " + file + " changed during the job (content hash " + hash_before +
                                  ", now " + hash_after + "): stopped there; the "))
        << out;
    EXPECT_TRUE(contains(out, "incomplete  ")) << out << ": the summary still printed, before the error";
    const std::string results = read_file(dir + "/results.jsonl");
    const std::size_t recorded = line_count(dir + "/results.jsonl");
    ASSERT_GE(recorded, 1u);
    EXPECT_LT(recorded, 400u) << "no new seed started once the edit was seen";
    EXPECT_FALSE(contains(results, "GOODPUT")) << "a seed of the edited file was recorded";
    const auto summary = read_json(dir + "/summary.json");
    ASSERT_TRUE(summary.contains("incomplete")) << summary.dump(2);
    EXPECT_EQ(summary["incomplete"]["interrupted_by"], "the scenario file's change");
    EXPECT_EQ(summary["incomplete"]["seeds_run"], recorded);
    const std::string xml = read_file(dir + "/junit.xml");
    EXPECT_TRUE(contains(xml, "interrupted by the scenario file&apos;s change: ")) << xml;
    EXPECT_TRUE(contains(xml, "the edited file is another job")) << xml;
    EXPECT_FALSE(contains(xml, "the same command with --resume runs the rest")) << xml;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/artifacts")) {
        const auto artifact = read_json(e.path().string());
        EXPECT_EQ(artifact["scenario"]["content_hash"], hash_before) << e.path() << ": the artifact names the content that ran";
    }
    // The job is the old content's: resuming with the edited file is refused.
    const Result resumed = cli("fuzz " + file + " --seeds 1..400 -j1 --progress none --resume --out " + dir);
    EXPECT_EQ(resumed.exit_code, 2) << resumed.out;
    EXPECT_TRUE(contains(resumed.out, "the scenario file's content differs")) << resumed.out;
}

TEST(JobIntegrity, AFileBrokenDuringTheJobIsNotAnErrorOfItsSeeds) {
    const std::string work = scratch("broken_midway");
    const std::string file = scenario_copy(work);
    const std::string dir = work + "/out", log = work + "/log";
    const int code = fuzz_editing_midway(file, dir, log, [](std::string& text) { text += "\nnot: [valid\n"; });
    const std::string out = read_file(log);
    EXPECT_EQ(code, 2) << out;
    EXPECT_TRUE(contains(out, " changed during the job (content hash ")) << out;
    EXPECT_FALSE(contains(read_file(dir + "/results.jsonl"), "\"error\"")) << "a worker's bad input is not the seed's finding";
}

TEST(JobIntegrity, AnInterruptedJobSaysSoInItsSummaryAndJUnit) {
    const std::string dir = scratch("interrupted_junit");
    const std::string log = dir + ".log";
    const pid_t pid = spawn({"fuzz", "planted-counter", "--seeds", counter_seeds, "-j2", "--progress", "none", "--out", dir,
                             "--junit", dir + "/junit.xml"},
                            log);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (line_count(dir + "/results.jsonl") < 40 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM) << read_file(log);
    const std::size_t recorded = line_count(dir + "/results.jsonl");
    const std::size_t range = counter_last - counter_first + 1;
    ASSERT_LT(recorded, range);
    const auto summary = read_json(dir + "/summary.json");
    ASSERT_TRUE(summary.contains("incomplete")) << summary.dump(2);
    EXPECT_EQ(summary["incomplete"]["interrupted_by"], "SIGTERM");
    EXPECT_EQ(summary["incomplete"]["seeds_in_range"], range);
    EXPECT_EQ(summary["incomplete"]["seeds_run"], recorded);
    EXPECT_EQ(summary["incomplete"]["seeds_not_run"], range - recorded);
    const std::string text = std::to_string(recorded) + " of " + std::to_string(range) + " seeds of the range ran (" +
                             std::to_string(range - recorded) + " not run)";
    EXPECT_TRUE(contains(read_file(log), "incomplete  " + text)) << read_file(log);
    const std::string xml = read_file(dir + "/junit.xml");
    EXPECT_TRUE(contains(xml, "name=\"seeds not run\"")) << xml;
    EXPECT_TRUE(contains(xml, "<error type=\"incomplete\" message=\"interrupted by SIGTERM: " + text)) << xml;
    EXPECT_FALSE(contains(xml, "errors=\"0\"")) << xml;
    // Resumed to its end: the summary and JUnit are those of a job never interrupted.
    const Result resumed = cli("fuzz planted-counter --seeds " + std::string(counter_seeds) +
                               " -j2 --progress none --resume --out " + dir + " --junit " + dir + "/junit.xml");
    EXPECT_EQ(resumed.exit_code, 1) << resumed.out;
    EXPECT_FALSE(contains(resumed.out, "incomplete")) << resumed.out;
    EXPECT_FALSE(read_json(dir + "/summary.json").contains("incomplete"));
    EXPECT_FALSE(contains(read_file(dir + "/junit.xml"), "seeds not run"));
}

TEST(JobIntegrity, ATimeBudgetThatEndsARangeEarlyIsNotAGap) {
    const std::string dir = scratch("budget_range");
    const Result r = cli("fuzz planted-harness --seeds 1..100000000 --time 1s -j2 --progress none --out " + dir +
                         " --junit " + dir + "/junit.xml");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_FALSE(read_json(dir + "/summary.json").contains("incomplete"));
    EXPECT_TRUE(contains(read_file(dir + "/junit.xml"), "errors=\"0\""));
}

// Shard i of 2 of planted-harness (no findings) over seeds 1..10, with only its first `keep` records.
std::string harness_shard(const std::string& root, int i, std::size_t keep = 5) {
    const std::string dir = root + "/s" + std::to_string(i);
    EXPECT_EQ(cli("fuzz planted-harness --seeds 1..10 --shard " + std::to_string(i) + "/2 --progress none --out " + dir)
                  .exit_code,
              0);
    std::ifstream in(dir + "/results.jsonl");
    std::string kept, line;
    for (std::size_t n = 0; n < keep && std::getline(in, line); ++n) kept += line + "\n";
    in.close();
    std::ofstream(dir + "/results.jsonl") << kept;  // as a shard killed after `keep` seeds leaves it
    return dir;
}

TEST(JobIntegrity, MergeOfAnUnfinishedShardWarnsMarksTheGapAndDoesNotPass) {
    const std::string root = scratch("merge_gap");
    const std::string s0 = harness_shard(root, 0), s1 = harness_shard(root, 1, 2);
    const Result complete = cli("merge " + s0 + " --out " + root + "/only0 --junit " + root + "/only0.xml");
    const Result r = cli("merge " + s0 + " " + s1 + " --out " + root + "/m --junit " + root + "/m.xml");
    EXPECT_EQ(r.exit_code, 1) << "seeds are missing: not a pass\n" << r.out;
    EXPECT_TRUE(contains(r.out, "warning: shard 1/2 ran 2 of 5 seeds\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "incomplete  7 of 10 seeds of the range ran (3 not run)")) << r.out;
    const std::string xml = read_file(root + "/m.xml");
    EXPECT_TRUE(contains(xml, "errors=\"1\"")) << xml;
    EXPECT_TRUE(contains(xml, "<error type=\"incomplete\" message=\"7 of 10 seeds of the range ran (3 not run)\">")) << xml;
    EXPECT_TRUE(contains(xml, "shard 1/2 ran 2 of 5 seeds")) << xml;
    const auto summary = read_json(root + "/m/summary.json");
    EXPECT_EQ(summary["incomplete"]["seeds_not_run"], 3);
    EXPECT_EQ(summary["incomplete"]["gaps"][0], "shard 1/2 ran 2 of 5 seeds");
    // A shard missing altogether is a gap too.
    EXPECT_EQ(complete.exit_code, 1) << complete.out;
    EXPECT_TRUE(contains(complete.out, "warning: shard 1/2 is missing (its 5 seeds did not run)")) << complete.out;
    EXPECT_TRUE(contains(read_file(root + "/only0.xml"), "name=\"seeds not run\""));
    // Merging the unfinished merge again still says so (its summary records the gap).
    const Result again = cli("merge " + root + "/m --out " + root + "/m2");
    EXPECT_EQ(again.exit_code, 1) << again.out;
    EXPECT_TRUE(contains(again.out, "shard 1/2 ran 2 of 5 seeds")) << again.out;
    // Both shards whole: a pass.
    const std::string full = scratch("merge_no_gap");
    const Result whole = cli("merge " + harness_shard(full, 0) + " " + harness_shard(full, 1) + " --out " + full + "/m");
    EXPECT_EQ(whole.exit_code, 0) << whole.out;
    EXPECT_FALSE(contains(whole.out, "warning")) << whole.out;
}

// The job's range is the union of its directories' ranges, and every seed of it must have run in
// some directory, whatever the sharding: shards of different counts, or given different ranges,
// leave seeds no shard took. Both merged with exit 0 and a green JUnit before (a tester's finding).
TEST(JobIntegrity, MergeCountsEverySeedOfTheRangeWhateverTheSharding) {
    const std::string root = scratch("merge_sharding");
    auto shard = [&](const std::string& name, const std::string& seeds, const std::string& spec) {
        const Result r = cli("fuzz planted-harness --seeds " + seeds + " --shard " + spec + " --progress none --out " +
                             root + "/" + name);
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return root + "/" + name;
    };
    const std::string a = shard("a", "1..30", "0/3"), b = shard("b", "1..30", "1/3"), c = shard("c", "1..30", "1/4");
    const Result mixed =
        cli("merge " + a + " " + b + " " + c + " --out " + root + "/mixed --junit " + root + "/mixed.xml");
    EXPECT_EQ(mixed.exit_code, 1) << mixed.out;
    EXPECT_TRUE(
        contains(mixed.out, "warning: 7 of the 30 seeds of 1..30 were run by no directory (shards 0/3, 1/3, 1/4)"))
        << mixed.out;
    EXPECT_TRUE(contains(read_file(root + "/mixed.xml"), "name=\"seeds not run\""));
    // Shards given different ranges: 31..45 ran only in shard 2.
    const std::string wide = shard("wide", "1..45", "2/3");
    const Result ranges = cli("merge " + a + " " + b + " " + wide + " --out " + root + "/ranges");
    EXPECT_EQ(ranges.exit_code, 1) << ranges.out;
    EXPECT_TRUE(contains(ranges.out, "warning: shard 0/3 ran 10 of 15 seeds")) << ranges.out;
    EXPECT_TRUE(contains(ranges.out, "incomplete  35 of 45 seeds of the range ran (10 not run)")) << ranges.out;
    // A merge missing a shard, merged again with that shard, is whole: a pass.
    EXPECT_EQ(cli("merge " + a + " " + b + " --out " + root + "/partial").exit_code, 1);
    const std::string last = shard("last", "1..30", "2/3");
    const Result whole = cli("merge " + root + "/partial " + last + " --out " + root + "/whole");
    EXPECT_EQ(whole.exit_code, 0) << whole.out;
    EXPECT_FALSE(contains(whole.out, "incomplete")) << whole.out;
    EXPECT_FALSE(contains(whole.out, "warning")) << whole.out;
}

TEST(JobIntegrity, SeedRangesCountEachShardsSeedsOnce) {
    const ex::SeedRanges r = ex::parse_seed_ranges("1..1000 500..2000 3000..3000");
    ASSERT_EQ(r.spans.size(), 2u);
    EXPECT_EQ(r.count(ex::Shard{0, 1}), 2001u);
    EXPECT_EQ(r.count(ex::Shard{1, 2}), 1000u);  // 1, 3, ..., 1999 (3000 is even)
    // The whole 64-bit range holds 2^64 seeds: the count saturates rather than wrapping to 0.
    EXPECT_EQ(ex::parse_seed_ranges("0..18446744073709551615").count(ex::Shard{0, 1}), UINT64_MAX);
    EXPECT_EQ(ex::parse_seed_ranges("0..18446744073709551615").count(ex::Shard{1, 2}), 9223372036854775808u);
    EXPECT_TRUE(r.contains(3000));
    EXPECT_FALSE(r.contains(2500));
    EXPECT_FALSE(ex::parse_seed_ranges("1..10 20..").count(ex::Shard{0, 1}).has_value());
}

std::vector<faultline::Override> sets(std::initializer_list<std::pair<const char*, const char*>> list) {
    std::vector<faultline::Override> out;
    for (const auto& [p, v] : list) out.push_back({p, v});
    return out;
}

std::optional<std::string> difference(const std::vector<faultline::Override>& a, const std::vector<faultline::Override>& b) {
    ex::JobConfig x, y;
    x.scenario = y.scenario = ex::scenario_ref("planted-counter");
    x.overrides = a;
    y.overrides = b;
    return ex::job_difference(x, y);
}

TEST(JobIntegrity, OverridesCompareAsASetWithTheLastOfAPathWinning) {
    EXPECT_EQ(difference(sets({{"clients", "2"}, {"crash_rate", "3"}}), sets({{"crash_rate", "3"}, {"clients", "2"}})),
              std::nullopt);
    EXPECT_EQ(difference(sets({{"clients", "2"}, {"clients", "3"}}), sets({{"clients", "3"}})), std::nullopt);
    EXPECT_EQ(difference(sets({{"clients", "2"}, {"crash_rate", "3"}}), sets({{"crash_rate", "3"}, {"clients", "3"}})),
              "overrides clients=2 crash_rate=3 vs clients=3 crash_rate=3");
    EXPECT_NE(difference(sets({{"clients", "3"}, {"clients", "2"}}), sets({{"clients", "3"}})), std::nullopt);
    // A built-in's typed options: 3.0 is 3.
    EXPECT_EQ(difference(sets({{"crash_rate", "3.0"}}), sets({{"crash_rate", "3"}})), std::nullopt);
    // A setting inside another keeps its order relative to it; independent ones move freely.
    const auto a = ex::canonical_overrides(sets({{"replicas", "[1, 2]"}, {"x", "1"}, {"replicas[0]", "5"}, {"a", "1"}}));
    const auto b = ex::canonical_overrides(sets({{"a", "1"}, {"replicas.0", "5"}, {"replicas", "[1, 2]"}, {"x", "1"}}));
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[0].path, "a");
    EXPECT_EQ(a[1].path, "replicas");
    EXPECT_EQ(a[2].path, "replicas[0]");
    EXPECT_EQ(b[1].path, "replicas.0") << "here it came first, and still does";
    // Dropped only when nothing between the two touched the option.
    EXPECT_EQ(ex::canonical_overrides(sets({{"r", "[1]"}, {"r.0", "5"}, {"r", "[2]"}})).size(), 3u);
}

TEST(JobIntegrity, ResumeAcceptsTheSameSettingsInAnotherOrder) {
    const std::string dir = scratch("set_order");
    const Result first =
        cli("fuzz planted-counter --seeds 1..5 --set clients=2 --set crash_rate=3 --progress none --out " + dir);
    ASSERT_LE(first.exit_code, 1) << first.out;
    const Result r = cli("fuzz planted-counter --seeds 1..10 --set crash_rate=3.0 --set clients=2 --progress none --resume --out " + dir);
    EXPECT_LE(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "5 recorded before")) << r.out;
    const Result twice = cli("fuzz planted-counter --seeds 1..12 --set clients=3 --set clients=2 --set crash_rate=3 "
                             "--progress none --resume --out " + dir);
    EXPECT_LE(twice.exit_code, 1) << twice.out;
    const Result other = cli("fuzz planted-counter --seeds 1..12 --set clients=2 --set clients=3 --set crash_rate=3 "
                             "--progress none --resume --out " + dir);
    EXPECT_EQ(other.exit_code, 2) << other.out;
    EXPECT_TRUE(contains(other.out, "overrides clients=2 crash_rate=3 vs clients=3 crash_rate=3")) << other.out;
}

// A resume may spell a setting another way (crash_rate=1.70 for 1.7): merge took the artifact
// recorded before it for another job's and ran its seed again, with a warning. The merged
// job.json named a directory's resumed ranges again with the next directory's ("1..100 1..200
// 1..200"), and merge warned "seeds may be missing" of shards of different counts after it had
// counted that none were.
TEST(JobIntegrity, MergeKnowsASettingSpelledAnotherWayAndNamesEachRangeOnce) {
    const std::string root = scratch("merge_spelling");
    auto fuzz = [&](const std::string& args) {
        const Result r = cli("fuzz planted-counter --progress none " + args);
        EXPECT_LE(r.exit_code, 1) << r.out;
    };
    fuzz("--seeds 901..905 --set crash_rate=1.7 --shard 0/2 --out " + root + "/a");
    fuzz("--seeds 901..915 --set crash_rate=1.70 --shard 0/2 --resume --out " + root + "/a");  // seed 910 fails
    fuzz("--seeds 901..915 --set crash_rate=1.7 --shard 1/2 --out " + root + "/b");
    fuzz("--seeds 901..915 --set crash_rate=1.7 --out " + root + "/whole");
    const Result merged = cli("merge " + root + "/a " + root + "/b --out " + root + "/m");
    EXPECT_EQ(merged.exit_code, 1) << merged.out;  // the finding of seed 910
    EXPECT_FALSE(contains(merged.out, "warning")) << merged.out;
    EXPECT_EQ(read_json(root + "/m/job.json")["seeds"], "901..905 901..915");
    // Shards of different counts that together ran every seed: nothing to warn of.
    const Result mixed = cli("merge " + root + "/whole " + root + "/b --out " + root + "/mixed");
    EXPECT_EQ(mixed.exit_code, 1) << mixed.out;
    EXPECT_FALSE(contains(mixed.out, "warning")) << mixed.out;
    EXPECT_EQ(read_json(root + "/mixed/job.json")["seeds"], "901..915");
}

}  // namespace

namespace {
// A job.json with one field replaced (a hand edit, a bad copy).
void set_job_field(const std::string& dir, const std::string& field, const std::string& value) {
    std::string text = read_file(dir + "/job.json");
    const std::string key = "\"" + field + "\": \"";
    const std::size_t at = text.find(key);
    ASSERT_NE(at, std::string::npos) << text;
    const std::size_t end = text.find('"', at + key.size());
    text.replace(at + key.size(), end - at - key.size(), value);
    std::ofstream(dir + "/job.json") << text;
}
}  // namespace

// A job.json whose seeds or shard do not read is the file's mistake, named with its field: resume
// blamed the --seeds flag the user typed correctly, and merge took "abc" into the merged seeds.
TEST(JobIntegrity, ABadSeedsOrShardInJobJsonNamesTheFile) {
    const std::string work = scratch("bad_job_json");
    const std::string file = scenario_copy(work);
    ASSERT_EQ(cli("fuzz " + file + " --seeds 1..2 --progress none --out " + work + "/j").exit_code, 1);
    set_job_field(work + "/j", "seeds", "abc");
    for (const std::string& args : {"fuzz " + file + " --seeds 1..2 --progress none --resume --out " + work + "/j",
                                    "merge " + work + "/j --out " + work + "/m"}) {
        const Result r = cli(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, work + "/j/job.json: field 'seeds': 'abc' is not a seed range")) << args << "\n"
                                                                                                     << r.out;
    }
    set_job_field(work + "/j", "seeds", "1..2");
    set_job_field(work + "/j", "shard", "5/2");
    const Result r = cli("merge " + work + "/j --out " + work + "/m");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, work + "/j/job.json: field 'shard': index 5 is not below the shard count 2")) << r.out;
}
