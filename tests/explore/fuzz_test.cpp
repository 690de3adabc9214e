// `faultline fuzz` and `faultline merge` as a nightly job meets them: the planted bug is found,
// crashes, hangs and runaways are findings and the job goes on, kill -9 loses nothing that
// --resume does not redo, shards cover every seed once and merge to the single-job result.
//
// Wall time: the planted-counter seed range below is about 330 seeds (a few seconds with two
// workers); it is run once and shared by the tests that need it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "explore/outcome.hpp"
#include "explore_helpers.hpp"

namespace {

using namespace explore_test;

TEST(Fuzz, FindsThePlantedBugSeedsAndNoOthers) {
    const std::string& dir = baseline();
    // The truth, from running every seed in this process.
    std::set<std::uint64_t> failing;
    for (std::uint64_t seed = counter_first; seed <= counter_last; ++seed) {
        faultline::explore::RunSpec spec;
        spec.scenario.name = "planted-counter";
        spec.seed = seed;
        if (faultline::explore::execute(spec).verdict == faultline::explore::Verdict::fail) failing.insert(seed);
    }
    ASSERT_FALSE(failing.empty()) << "the range was chosen to hold failing seeds";
    EXPECT_LT(failing.size(), 10u) << "the planted bug is meant to be rare (~1 seed in 200)";
    EXPECT_EQ(seeds_with(dir, "fail"), failing);
    EXPECT_EQ(result_rows(dir).size(), counter_last - counter_first + 1);
    for (const Row& r : result_rows(dir)) {
        if (std::get<1>(r) == "fail")
            EXPECT_EQ(std::get<2>(r), "invariant 'acknowledged increments survive failover'");
        else
            EXPECT_EQ(std::get<1>(r), "pass");
    }
    const auto summary = read_json(dir + "/summary.json");
    ASSERT_EQ(summary["signatures"].size(), 1u);
    EXPECT_EQ(summary["signatures"][0]["seeds_failing"], failing.size());
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + summary["signatures"][0]["artifact"].get<std::string>()));
}

TEST(Fuzz, TheArtifactIsTheFastestFailingSeeds) {
    const std::string& dir = baseline();
    const auto summary = read_json(dir + "/summary.json");
    const auto artifact = read_json(dir + "/" + summary["signatures"][0]["artifact"].get<std::string>());
    // Every failing record's end time is no earlier than the artifact's.
    std::ifstream in(dir + "/results.jsonl");
    std::string line;
    std::string fastest_time;
    std::uint64_t fastest_seed = 0;
    long long best_ns = -1;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line);
        if (j["verdict"] != "fail") continue;
        sim::Duration d{};
        ASSERT_FALSE(sim::parse_value(j["end_time"].get<std::string>(), d));
        if (best_ns < 0 || d.count() < best_ns) {
            best_ns = d.count();
            fastest_seed = j["seed"];
        }
    }
    EXPECT_EQ(artifact["seed"], fastest_seed);
    EXPECT_EQ(artifact["kind"], "failure");
    EXPECT_EQ(artifact["scenario"]["name"], "planted-counter");
    EXPECT_EQ(artifact["expected"]["verdict"], "fail");
    EXPECT_EQ(artifact["expected"]["trace_hash"].get<std::string>().size(), 16u);
    EXPECT_FALSE(artifact["faults"]["plan"].empty());
    EXPECT_EQ(artifact["faults"]["source"], "seed");
    EXPECT_FALSE(artifact["faultline"]["build_id"].get<std::string>().empty());
}

TEST(Fuzz, KillNineThenResumeGivesTheSameResultsAsAnUninterruptedRun) {
    const std::string& full = baseline();
    const std::string dir = scratch("killed");
    const pid_t pid =
        spawn({"fuzz", "planted-counter", "--seeds", counter_seeds, "-j2", "--progress", "none", "--out", dir});
    // Kill it once a good part of the seeds is recorded, well before the end.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (line_count(dir + "/results.jsonl") < 40 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the job finished before it could be killed";
    const std::size_t recorded = line_count(dir + "/results.jsonl");
    EXPECT_LT(recorded, counter_last - counter_first + 1);
    EXPECT_GE(recorded, 40u);

    const Result again =
        cli("fuzz planted-counter --seeds " + std::string(counter_seeds) + " -j2 --progress none --out " + dir);
    EXPECT_EQ(again.exit_code, 2) << "without --resume an existing job is not overwritten\n" << again.out;
    EXPECT_TRUE(contains(again.out, "pass --resume")) << again.out;

    const Result resumed = cli("fuzz planted-counter --seeds " + std::string(counter_seeds) +
                               " -j2 --progress none --resume --out " + dir);
    EXPECT_EQ(resumed.exit_code, 1) << resumed.out;
    EXPECT_TRUE(contains(resumed.out, "recorded before")) << resumed.out;
    EXPECT_EQ(result_rows(dir), result_rows(full));
    EXPECT_EQ(line_count(dir + "/results.jsonl"), counter_last - counter_first + 1) << "no seed recorded twice";
    EXPECT_EQ(read_file(dir + "/summary.json"), read_file(full + "/summary.json"));
    const auto summary = read_json(full + "/summary.json");
    const std::string artifact = summary["signatures"][0]["artifact"];
    EXPECT_EQ(read_json(dir + "/" + artifact)["seed"], read_json(full + "/" + artifact)["seed"]);
}

TEST(Fuzz, ThreeShardsCoverEverySeedOnceAndMergeToTheSingleJobResult) {
    const std::string& full = baseline();
    const std::string root = scratch("shards");
    std::vector<pid_t> pids;
    for (int i = 0; i < 3; ++i) {
        pids.push_back(spawn({"fuzz", "planted-counter", "--seeds", counter_seeds, "-j1", "--progress", "none",
                              "--shard", std::to_string(i) + "/3",
                              // shard 1's --out ends in a slash: still the directory the JUnit file is in
                              "--out", root + "/shard" + std::to_string(i) + (i == 1 ? "/" : ""),
                              // JUnit XML inside the output directory, which does not exist yet
                              "--junit", root + "/shard" + std::to_string(i) + "/junit.xml"}));
    }
    for (pid_t p : pids) {
        int status = 0;
        ::waitpid(p, &status, 0);
        EXPECT_TRUE(WIFEXITED(status)) << "a shard died";
    }
    std::set<std::uint64_t> seen;
    std::size_t total = 0;
    for (int i = 0; i < 3; ++i) {
        for (const Row& r : result_rows(root + "/shard" + std::to_string(i))) {
            EXPECT_EQ(std::get<0>(r) % 3, static_cast<std::uint64_t>(i)) << "seed in the wrong shard";
            seen.insert(std::get<0>(r));
            ++total;
        }
    }
    EXPECT_EQ(total, seen.size()) << "a seed ran twice";
    EXPECT_EQ(seen.size(), counter_last - counter_first + 1) << "a seed was missed";

    const Result merged =
        cli("merge " + root + "/shard0 " + root + "/shard1 " + root + "/shard2 --out " + root + "/merged --junit " +
            root + "/merged/junit.xml");
    EXPECT_EQ(merged.exit_code, 1) << merged.out;  // it holds the planted bug
    for (const char* d : {"/shard0", "/shard1", "/shard2", "/merged"}) {
        EXPECT_TRUE(contains(read_file(root + d + "/junit.xml"), "<testsuite")) << d;
    }
    EXPECT_FALSE(contains(merged.out, "warning")) << merged.out;
    EXPECT_EQ(result_rows(root + "/merged"), result_rows(full));
    const auto a = read_json(full + "/summary.json");
    const auto b = read_json(root + "/merged/summary.json");
    EXPECT_EQ(a["signatures"], b["signatures"]);
    EXPECT_EQ(a["verdicts"], b["verdicts"]);
    const std::string artifact = a["signatures"][0]["artifact"];
    EXPECT_EQ(read_json(root + "/merged/" + artifact)["seed"], read_json(full + "/" + artifact)["seed"]);

    // A missing shard is reported.
    const Result partial = cli("merge " + root + "/shard0 " + root + "/shard2 --out " + root + "/partial");
    EXPECT_TRUE(contains(partial.out, "warning: shard 1/3 is missing")) << partial.out;
}

TEST(Fuzz, TheShardIndexComesFromJobCompletionIndex) {
    const std::string unset = scratch("auto_shard_unset");
    const Result r = faultline_env("env -u JOB_COMPLETION_INDEX",
                                   "fuzz planted-harness --seeds 1..9 --shard auto/3 --progress none --out " + unset);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "JOB_COMPLETION_INDEX is not set")) << r.out;
    const std::string dir = scratch("auto_shard");
    const Result ok = faultline_env("env JOB_COMPLETION_INDEX=2",
                                    "fuzz planted-harness --seeds 1..9 --shard auto/3 --progress none --out " + dir);
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    std::set<std::uint64_t> seeds;
    for (const Row& row : result_rows(dir)) seeds.insert(std::get<0>(row));
    EXPECT_EQ(seeds, (std::set<std::uint64_t>{2, 5, 8}));
    EXPECT_EQ(read_json(dir + "/job.json")["shard"], "2/3");
}

// planted-harness misbehaving on chosen seeds: abort, SIGSEGV, an endless loop, a runaway, and
// an invariant failure on every 4th seed at (seed % 7 + 1) s.
const std::string& harness_job() {
    static const std::string dir = [] {
        const std::string d = scratch("harness");
        const Result r =
            cli("fuzz planted-harness --seeds 1..12 -j2 --timeout 1s --progress none --set crash_on_seed=3 --set "
                "segfault_on_seed=5 "
                "--set hang_on_seed=7 --set runaway_on_seed=9 --set fail_every=4 --junit " +
                d + "/junit.xml --out " + d);
        EXPECT_EQ(r.exit_code, 1) << r.out;
        return d;
    }();
    return dir;
}

TEST(Fuzz, CrashHangAndRunawaySeedsAreRecordedAndTheJobCompletes) {
    const std::string& dir = harness_job();
    std::map<std::uint64_t, std::pair<std::string, std::string>> by_seed;
    for (const Row& r : result_rows(dir)) by_seed[std::get<0>(r)] = {std::get<1>(r), std::get<2>(r)};
    ASSERT_EQ(by_seed.size(), 12u) << "every seed recorded, the misbehaving ones included";
    EXPECT_EQ(by_seed[3], std::make_pair(std::string("crash"), std::string("crash SIGABRT")));
    EXPECT_EQ(by_seed[5], std::make_pair(std::string("crash"), std::string("crash SIGSEGV")));
    EXPECT_EQ(by_seed[7], std::make_pair(std::string("hang"), std::string("hang")));
    EXPECT_EQ(by_seed[9], std::make_pair(std::string("runaway"), std::string("runaway: event limit reached")));
    for (std::uint64_t s : {4, 8, 12}) EXPECT_EQ(by_seed[s].first, "fail") << s;
    for (std::uint64_t s : {1, 2, 6, 10, 11}) EXPECT_EQ(by_seed[s].first, "pass") << s;
    const auto summary = read_json(dir + "/summary.json");
    EXPECT_EQ(summary["signatures"].size(), 5u);
    for (const auto& sig : summary["signatures"]) {
        EXPECT_TRUE(std::filesystem::exists(dir + "/" + sig["artifact"].get<std::string>())) << sig["signature"];
    }
}

TEST(Fuzz, DedupKeepsTheFastestFailingSeed) {
    const std::string& dir = harness_job();
    // Seeds 4, 8 and 12 fail at 5s, 2s and 6s: seed 8 is the fastest.
    const auto summary = read_json(dir + "/summary.json");
    bool found = false;
    for (const auto& sig : summary["signatures"]) {
        if (sig["verdict"] != "fail") continue;
        found = true;
        EXPECT_EQ(sig["seeds"], nlohmann::json::array({4, 8, 12}));
        EXPECT_EQ(sig["fastest_seed"], 8);
        EXPECT_EQ(read_json(dir + "/" + sig["artifact"].get<std::string>())["seed"], 8);
    }
    EXPECT_TRUE(found);
}

TEST(Fuzz, JUnitXmlHasOneCasePerSignatureEscaped) {
    const std::string xml = read_file(harness_job() + "/junit.xml");
    EXPECT_TRUE(contains(xml, "<testsuites name=\"faultline fuzz\" tests=\"6\" failures=\"2\" errors=\"3\">")) << xml;
    EXPECT_TRUE(contains(xml, "name=\"invariant &apos;harness: the planted failure time has not come&apos;\"")) << xml;
    EXPECT_TRUE(contains(xml, "<error type=\"crash\"")) << xml;
    EXPECT_TRUE(contains(xml, "<error type=\"hang\"")) << xml;
    EXPECT_TRUE(contains(xml, "5 of 12 passed")) << xml;
    EXPECT_FALSE(contains(xml, "name=\"invariant 'harness")) << "quotes must be escaped";
}

TEST(Fuzz, ShuffledTiesFindTheOrderingBugThatFifoTiesHide) {
    const std::string plain = scratch("ordering_plain");
    const Result a = cli("fuzz planted-ordering --seeds 1..40 -j2 --progress none --out " + plain);
    EXPECT_EQ(a.exit_code, 0) << a.out;
    EXPECT_TRUE(seeds_with(plain, "fail").empty());
    const std::string shuffled = scratch("ordering_shuffled");
    const Result b = cli("fuzz planted-ordering --seeds 1..40 -j2 --progress none --shuffle-ties --out " + shuffled);
    EXPECT_EQ(b.exit_code, 1) << b.out;
    EXPECT_FALSE(seeds_with(shuffled, "fail").empty());
    EXPECT_LT(seeds_with(shuffled, "fail").size(), 40u) << "only some orders expose it";
    EXPECT_TRUE(contains(b.out, "invariant 'one lease holder at a time'")) << b.out;
    // The fix makes every order safe.
    const std::string fixed = scratch("ordering_fixed");
    EXPECT_EQ(
        cli("fuzz planted-ordering --seeds 1..40 -j2 --progress none --shuffle-ties --set fixed=true --out " + fixed)
            .exit_code,
        0);
}

TEST(Fuzz, SwarmDrawsAreStoredAndReproduceTheRunFromTheRecordAlone) {
    const std::string a = scratch("swarm_a");
    const std::string b = scratch("swarm_b");
    cli("fuzz planted-counter --swarm --seeds 1..12 -j2 --progress none --out " + a);
    cli("fuzz planted-counter --swarm --seeds 1..12 -j2 --progress none --out " + b);
    EXPECT_EQ(result_rows(a), result_rows(b));
    std::set<std::string> settings;
    std::ifstream in(a + "/results.jsonl");
    std::string line;
    nlohmann::json sample;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["swarm"].size(), 4u);
        settings.insert(j["swarm"].dump());
        sample = j;
    }
    EXPECT_GT(settings.size(), 3u) << "seeds draw different configurations";
    // `faultline run` with the record's seed and swarm settings gives the recorded trace hash.
    std::string cmd = "run planted-counter --json --seed " + std::to_string(sample["seed"].get<std::uint64_t>());
    for (auto it = sample["swarm"].begin(); it != sample["swarm"].end(); ++it)
        cmd += " --set " + it.key() + "=" + it.value().get<std::string>();
    const auto run = nlohmann::json::parse(cli(cmd).out);
    EXPECT_EQ(run["trace_hash"], sample["trace_hash"]);
}

TEST(Fuzz, ATimeBudgetEndsTheJob) {
    const std::string dir = scratch("budget");
    const auto start = std::chrono::steady_clock::now();
    const Result r = cli("fuzz planted-harness --time 1s -j2 --progress log --out " + dir);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_LT(took, 20.0);
    const auto rows = result_rows(dir);
    EXPECT_GE(rows.size(), 2u);
    EXPECT_EQ(std::get<0>(*rows.begin()), 1u);  // from seed 1 on
    EXPECT_TRUE(contains(r.out, "fuzz planted-harness: ")) << "a log line at the end when not on a terminal\n" << r.out;
    EXPECT_TRUE(contains(r.out, ")  ended\n")) << "the last line waits for nothing (it said 'ETA ?')\n" << r.out;
    EXPECT_FALSE(contains(r.out, "ETA ?")) << r.out;
}

TEST(Fuzz, BadUsageIsOneLineAndExitsTwo) {
    const std::string dir = scratch("bad_usage");
    const std::string used = scratch("used");
    cli("fuzz planted-harness --seeds 1..2 --progress none --out " + used);
    const std::string other = scratch("other_job");
    cli("fuzz planted-harness --seeds 1..2 --progress none --set fail_every=2 --out " + other);
    for (const std::string& args :
         {"fuzz planted-harness --out " + dir, "fuzz planted-harness --seeds 5..1 --out " + dir,
          "fuzz planted-harness --seeds 1..5 --shard 3/3 --out " + dir, "fuzz nosuch --seeds 1..2 --out " + dir,
          "fuzz planted-harness --seeds 1..2 --set nosuch=1 --out " + dir,
          "fuzz planted-harness --seeds 1..2 --out " + used,
          "fuzz planted-harness --seeds 1..2 --resume --out " + other,
          "fuzz planted-harness --seeds 1..2 --timeout 5 --out " + dir,
          "merge " + used + " " + other + " --out " + dir + "/m", "merge " + dir + "/nothing --out " + dir + "/m2",
          // Under a file, not a directory: unwritable even for root, who may create /nonexistent.
          "fuzz planted-harness --seeds 1..2 --junit " + used + "/summary.json/j.xml --out " + dir}) {
        const Result r = cli(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: ")) << args << "\n" << r.out;
        EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << "\n" << r.out;  // one line, usage errors too
    }
    EXPECT_TRUE(contains(cli("fuzz plantd-harness --seeds 1..2 --out " + dir).out, "did you mean 'planted-harness'?"));
    EXPECT_TRUE(contains(cli("merge " + used + " " + other + " --out " + dir + "/m3").out, "not the same job"));
}

}  // namespace
