// `faultline replay` and `faultline shrink` as a developer meets them: the artifact replays to the
// same trace hash (and says what changed when it does not), shrinking leaves a small regression
// file that `faultline run` fails with the same signature.
#include <csignal>
#include <fstream>
#include <iterator>
#include <sstream>

#include "explore/artifact.hpp"
#include "explore/build_info.hpp"
#include "explore_helpers.hpp"

namespace {

using namespace explore_test;
namespace ex = faultline::explore;

std::string write_json(const std::string& path, const nlohmann::json& j) {
    std::ofstream(path) << j.dump(2);
    return path;
}

TEST(Replay, ReproducesTheFuzzArtifactWithTheSameTraceHash) {
    const std::string artifact = baseline_artifact();
    ASSERT_FALSE(artifact.empty());
    const Result r = cli("replay " + artifact);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const std::string hash = read_json(artifact)["expected"]["trace_hash"];
    EXPECT_TRUE(contains(r.out, "reproduced: trace hash matches (" + hash + ")")) << r.out;
    EXPECT_TRUE(contains(r.out, "got         FAIL  invariant 'acknowledged increments survive failover'")) << r.out;
    // The artifact also runs with `faultline run`, seed-drawn faults and all.
    const auto run = nlohmann::json::parse(cli("run " + artifact + " --json").out);
    EXPECT_EQ(run["trace_hash"], hash);
}

TEST(Replay, AChangedHashIsNamedAsNondeterminismWhenNothingElseChanged) {
    const std::string dir = scratch("replay_tampered");
    auto j = read_json(baseline_artifact());
    j["expected"]["trace_hash"] = "0123456789abcdef";
    const Result r = cli("replay " + write_json(dir + "/a.json", j));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "NOT reproduced: same verdict, but trace hash")) << r.out;
    EXPECT_TRUE(contains(r.out, "the run itself is not deterministic")) << r.out;
    EXPECT_TRUE(contains(r.out, "--check-determinism")) << r.out;
}

TEST(Replay, SaysWhenTheBuildChanged) {
    const std::string dir = scratch("replay_build");
    auto j = read_json(baseline_artifact());
    j["expected"]["trace_hash"] = "0123456789abcdef";
    j["faultline"]["build_id"] = "0ldb0ld";
    const Result r = cli("replay " + write_json(dir + "/a.json", j));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "likely because the build changed: the artifact was made by faultline")) << r.out;
    EXPECT_TRUE(contains(r.out, "build 0ldb0ld")) << r.out;
}

// The build id is the source's commit when it was built, not when it was configured: a rebuild
// after a commit used to keep the configure-time commit, so replay named the wrong build.
TEST(Replay, TheBuildIdIsTheCommitThatWasBuilt) {
    const test_support::Result git =
        test_support::run_program("git -C " + std::string(FAULTLINE_SOURCE_DIR) + " rev-parse --short=12 HEAD");
    if (git.exit_code != 0) GTEST_SKIP() << "not a git checkout: the build id is 'unknown'";
    const std::string head = git.out.substr(0, git.out.find_first_of("\r\n"));
    ASSERT_EQ(head.size(), 12u) << git.out;
    EXPECT_EQ(ex::build_id().substr(0, 12), head);
    const Result r = cli("replay " + baseline_artifact());
    EXPECT_FALSE(contains(r.out, "the build changed")) << r.out;  // the artifact was made by this build
}

TEST(Replay, SaysWhichOptionOfTheScenarioChanged) {
    const std::string dir = scratch("replay_options");
    auto j = read_json(baseline_artifact());
    j["expected"]["trace_hash"] = "0123456789abcdef";
    j["options"]["clients"] = "7";  // as if the default had been 7 when it was recorded
    j["scenario"]["content_hash"] = "00000000deadbeef";
    const Result r = cli("replay " + write_json(dir + "/a.json", j));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "the scenario changed (content hash 00000000deadbeef")) << r.out;
    EXPECT_TRUE(contains(r.out, "option 'clients' was 7, is now 3")) << r.out;
}

TEST(Replay, StopsAtAnEventOrATimeWritesTheTraceAndLogsOneHost) {
    const std::string artifact = baseline_artifact();
    const std::string dir = scratch("replay_options2");
    const Result by_event = cli("replay " + artifact + " --stop-at-event 50 --trace " + dir + "/t.jsonl");
    EXPECT_EQ(by_event.exit_code, 0) << by_event.out;
    EXPECT_TRUE(contains(by_event.out, "stopped as asked at event 50")) << by_event.out;
    EXPECT_TRUE(contains(by_event.out, "got         STOPPED at event 50,")) << by_event.out;
    EXPECT_FALSE(contains(by_event.out, "RUNAWAY")) << "stopping as asked is not a runaway\n" << by_event.out;
    EXPECT_GT(line_count(dir + "/t.jsonl"), 10u);
    const Result as_json = cli("replay " + artifact + " --stop-at-event 50 --json");
    EXPECT_EQ(as_json.exit_code, 0) << as_json.out;
    EXPECT_TRUE(contains(as_json.out, "\"stopped\":true")) << as_json.out;
    EXPECT_TRUE(contains(as_json.out, "\"verdict\":\"stopped\"")) << as_json.out;
    EXPECT_FALSE(contains(as_json.out, "runaway")) << "the JSON says what the text says\n" << as_json.out;
    const Result by_time = cli("replay " + artifact + " --stop-at 1s");
    EXPECT_EQ(by_time.exit_code, 0) << by_time.out;
    EXPECT_TRUE(contains(by_time.out, "stopped as asked at virtual time 1s")) << by_time.out;
    const Result logged = cli("replay " + artifact + " --log-host counter-1=debug");
    EXPECT_EQ(logged.exit_code, 0) << logged.out;
    EXPECT_TRUE(contains(logged.out, "[counter-1] increment")) << logged.out.substr(0, 2000);
    EXPECT_FALSE(contains(logged.out, "[counter-2]"));
    EXPECT_TRUE(contains(logged.out, "reproduced: trace hash matches")) << "logs are not part of the trace";
    const Result bad = cli("replay " + artifact + " --log-host counter-1=loud");
    EXPECT_EQ(bad.exit_code, 2) << bad.out;
    EXPECT_TRUE(contains(bad.out, "'loud' is not a log level")) << bad.out;
}

// A stop point lowers the run's own limit, never raises it: past the recorded run's end the replay
// ends where it did and is compared with it (it ran on to the stop point, and said "stopped as
// asked" at a point nobody asked for). `run ARTIFACT --time-max` puts the flag in its reproduce line.
TEST(Replay, AStopPointPastTheRunsOwnLimitEndsWhereTheRecordedRunDid) {
    const std::string dir = scratch("replay_stop_past");
    ex::RunSpec spec;
    spec.scenario = ex::scenario_ref("planted-counter");
    spec.seed = 1;
    spec.time_max = std::chrono::seconds(2);
    const ex::Outcome o = ex::execute(spec);
    ASSERT_EQ(o.signature, "runaway: virtual time limit reached");
    const std::string artifact = dir + "/runaway.json";
    ex::save_artifact(artifact, ex::make_artifact(spec, o));
    for (const std::string stop : {"--stop-at 10s", "--stop-at-event 100000000"}) {
        const Result r = cli("replay " + artifact + " " + stop);
        EXPECT_EQ(r.exit_code, 0) << stop << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "reproduced: trace hash matches (" + sim::hash_hex(*o.trace_hash) + ")"))
            << stop << "\n"
            << r.out;
        EXPECT_FALSE(contains(r.out, "stopped as asked")) << stop << "\n" << r.out;
    }
    const Result before = cli("replay " + artifact + " --stop-at 1s");
    EXPECT_TRUE(contains(before.out, "stopped as asked at virtual time 1s")) << before.out;
    const Result run = cli("run " + artifact + " --time-max 10s");
    EXPECT_TRUE(contains(run.out, "reproduce: faultline run " + artifact + " --time-max 10s\n")) << run.out;
}

// A --log-host that names no host of the run is refused (exit 2) with the nearest names, once
// the world is built and before the run or any output: a trace file named is left as it was.
TEST(Replay, ALogHostThatNamesNoHostIsRefusedBeforeAnythingIsWritten) {
    const std::string artifact = baseline_artifact();
    const std::string dir = scratch("replay_log_host");
    const std::string trace = dir + "/keep.ftrace";
    std::ofstream(trace) << "an earlier trace";
    const Result typo = cli("replay " + artifact + " --log-host counter1=debug --trace " + trace);
    EXPECT_EQ(typo.exit_code, 2) << typo.out;
    EXPECT_TRUE(contains(typo.out, "faultline: error: --log-host counter1=debug: scenario 'planted-counter' has no host "
                                   "'counter1' (did you mean 'counter-1'?)"))
        << typo.out;
    EXPECT_FALSE(contains(typo.out, "artifact ")) << "refused before the replay starts\n" << typo.out;
    std::ifstream in(trace);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "an earlier trace");
    const Result none = cli("replay " + artifact + " --log-host nohost=debug");
    EXPECT_EQ(none.exit_code, 2) << none.out;
    EXPECT_TRUE(contains(none.out, "has no host 'nohost' (the nearest of the ")) << none.out;
}

TEST(Replay, ACrashArtifactCrashesAgainInProcessAndARunawayReproduces) {
    const std::string dir = scratch("replay_harness");
    cli("fuzz planted-harness --seeds 1..4 --set crash_on_seed=2 --set runaway_on_seed=3 --progress none --out " + dir);
    const auto summary = read_json(dir + "/summary.json");
    ASSERT_EQ(summary["signatures"].size(), 2u);
    for (const auto& sig : summary["signatures"]) {
        const Result r = cli("replay " + dir + "/" + sig["artifact"].get<std::string>());
        if (sig["verdict"] == "crash") {
            // Killed by SIGABRT, as recorded (the shell reports that as 128 + 6).
            EXPECT_TRUE(r.exit_code == -1 || r.exit_code == 128 + SIGABRT) << r.exit_code << "\n" << r.out;
            EXPECT_TRUE(contains(r.out, "the recorded run crashed")) << r.out;
        } else {
            EXPECT_EQ(r.exit_code, 0) << r.out;
            EXPECT_TRUE(contains(r.out, "reproduced: trace hash matches")) << r.out;
        }
    }
}

TEST(Replay, BadArtifactFilesNameTheFileAndField) {
    const std::string dir = scratch("replay_bad");
    std::ofstream(dir + "/garbage.json") << "{ \"seed\": 1,\n  oops }";
    std::ofstream(dir + "/huge.json") << "{ \"seed\": 1e400 }";
    auto j = read_json(baseline_artifact());
    j.erase("seed");
    write_json(dir + "/noseed.json", j);
    j = read_json(baseline_artifact());
    j["faults"]["plan"][0]["at"] = "soon";
    write_json(dir + "/badat.json", j);
    const std::pair<std::string, std::string> cases[] = {
        {dir + "/missing.json", dir + "/missing.json: cannot read"},
        {dir + "/garbage.json", dir + "/garbage.json: not valid JSON (line 2, column 3: syntax error"},
        {dir + "/huge.json", dir + "/huge.json: not valid JSON (number overflow parsing '1e400')"},  // was exit 3
        {dir + "/noseed.json", dir + "/noseed.json: field 'seed' is missing"},
        {dir + "/badat.json", dir + "/badat.json: field 'faults.plan[0].at': 'soon' is not a duration"},
    };
    for (const auto& [file, message] : cases) {
        for (const std::string cmd : {"replay ", "shrink ", "run "}) {
            const Result r = cli(cmd + file);
            EXPECT_EQ(r.exit_code, 2) << cmd << file << "\n" << r.out;
            EXPECT_TRUE(contains(r.out, "faultline: error: " + message)) << cmd << file << "\n" << r.out;
            EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
        }
    }
    const Result extra = cli("run " + baseline_artifact() + " --seed 3");
    EXPECT_EQ(extra.exit_code, 2) << extra.out;
}

// A regression file's fault plan is checked against the built world before the run: a fault the
// world cannot inject is the file's error (exit 2, naming the file and the field), not an
// assertion at the fault's time that fails the run as if the system under test had.
TEST(Replay, AnExplicitPlanWithAFaultTheWorldCannotInjectIsTheFilesError) {
    const std::string dir = scratch("replay_bad_plan");
    auto j = read_json(baseline_artifact());
    ASSERT_FALSE(j["faults"]["plan"].empty());
    j["kind"] = "regression";
    j["faults"]["source"] = "explicit";
    auto kind = j, target = j;
    kind["faults"]["plan"][0]["kind"] = "meteor";
    write_json(dir + "/kind.json", kind);
    target["faults"]["plan"][0]["targets"][0] = "nowhere-7";
    write_json(dir + "/target.json", target);
    const std::pair<std::string, std::string> cases[] = {
        {dir + "/kind.json", ": unknown fault 'meteor'"},
        {dir + "/target.json", ": no host or group matches 'nowhere-7'"},
    };
    for (const auto& [file, message] : cases) {
        for (const std::string cmd : {"replay ", "shrink ", "run "}) {
            const Result r = cli(cmd + file);
            EXPECT_EQ(r.exit_code, 2) << cmd << file << "\n" << r.out;
            EXPECT_TRUE(contains(r.out, "faultline: error: " + file + ": field 'faults.plan[0]."))  // .kind, .targets
                << cmd << file << "\n"
                << r.out;
            EXPECT_TRUE(contains(r.out, message)) << cmd << file << "\n" << r.out;
            EXPECT_FALSE(contains(r.out, "assertion")) << r.out;
        }
    }
    // shrink's output path is checked before any candidate runs (it was an internal error after them)
    const Result out = cli("shrink " + baseline_artifact() + " -o " + dir + "/no/such/dir/r.json");
    EXPECT_EQ(out.exit_code, 2) << out.out;
    // named as typed: "-o" here, "--out" when written so
    EXPECT_TRUE(contains(out.out, "error: -o " + dir + "/no/such/dir/r.json: no directory")) << out.out;
    EXPECT_FALSE(contains(out.out, "shrinking")) << out.out;
    const Result long_out = cli("shrink " + baseline_artifact() + " --out " + dir + "/no/such/dir/r.json");
    EXPECT_TRUE(contains(long_out.out, "error: --out " + dir + "/no/such/dir/r.json: no directory")) << long_out.out;
}

// An artifact for a planted-counter seed, made in this process: the failing seed of the
// baseline whose run injected the most faults (the most for shrinking to remove).
ex::Artifact biggest_failing_artifact() {
    std::optional<ex::Artifact> best;
    for (const Row& r : result_rows(baseline())) {
        if (std::get<1>(r) != "fail") continue;
        ex::RunSpec spec;
        spec.scenario.name = "planted-counter";
        spec.seed = std::get<0>(r);
        const ex::Outcome o = ex::execute(spec);
        if (!best || o.injected.size() > best->recorded_plan.size()) best = ex::make_artifact(spec, o);
    }
    return *best;
}

TEST(Shrink, ReducesTheFaultPlanAndTheShrunkFileFailsTheSameWay) {
    const std::string dir = scratch("shrink");
    const ex::Artifact failing = biggest_failing_artifact();
    ex::save_artifact(dir + "/failing.json", failing);
    const Result r = cli("shrink " + dir + "/failing.json -o " + dir + "/regression.json");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "(no scenario file: 'planted-counter' is a C++ scenario, with no file to copy; the JSON artifact is the regression)\n")) << r.out;
    const auto shrunk = read_json(dir + "/regression.json");
    EXPECT_EQ(shrunk["kind"], "regression");
    EXPECT_EQ(shrunk["faults"]["source"], "explicit");
    EXPECT_LT(shrunk["faults"]["plan"].size(), failing.recorded_plan.size()) << r.out;
    EXPECT_GE(shrunk["faults"]["plan"].size(), 1u) << "this bug needs a fault";
    EXPECT_EQ(shrunk["expected"]["signature"], failing.expected.signature);
    EXPECT_FALSE(shrunk["settings"]["duration"].is_null()) << "the run ends at the failure";
    EXPECT_EQ(shrunk["options"]["clients"], "1") << "one client is enough";

    // The regression file fails when run, the same way, and replays to its hash.
    const Result run = cli("run " + dir + "/regression.json --json");
    EXPECT_EQ(run.exit_code, 1) << run.out;
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_EQ(j["failure"]["invariant"], "acknowledged increments survive failover");
    EXPECT_EQ(j["trace_hash"], shrunk["expected"]["trace_hash"]);
    EXPECT_TRUE(contains(cli("replay " + dir + "/regression.json").out, "reproduced: trace hash matches"));
    // With the fix, the same regression file passes: it is a test of the fix.
    auto fixed = shrunk;
    fixed["overrides"]["fixed"] = "true";
    EXPECT_EQ(cli("run " + write_json(dir + "/fixed.json", fixed)).exit_code, 0);
}

TEST(Shrink, DropsFaultsThatDoNotMatter) {
    // The fastest failing seed's plan, padded with faults between clients (which never talk to
    // each other): delta debugging must remove every one of them.
    const std::string dir = scratch("shrink_padded");
    ex::Artifact a = ex::load_artifact(baseline_artifact());
    const std::size_t original = a.recorded_plan.size();
    const sim::Time t(std::chrono::milliseconds(500));
    for (const char* kind : {"clog", "loss", "partition"}) {
        a.recorded_plan.push_back({t, std::chrono::seconds(20), {kind, {"client-1", "client-2"}, {}}});
    }
    ex::save_artifact(dir + "/padded.json", a);
    const Result r = cli("shrink " + dir + "/padded.json");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "faults: " + std::to_string(original + 3) + " -> ")) << r.out;
    const auto shrunk = read_json(dir + "/padded.shrunk.json");  // the default output name
    EXPECT_LE(shrunk["faults"]["plan"].size(), original);
    for (const auto& f : shrunk["faults"]["plan"]) EXPECT_NE(f["targets"][0], "client-1") << f.dump();
    EXPECT_EQ(cli("run " + dir + "/padded.shrunk.json").exit_code, 1);
}

TEST(Shrink, RefusesAnArtifactThatRecordsNoFailure) {
    const std::string dir = scratch("shrink_pass");
    ex::RunSpec spec;
    spec.scenario.name = "planted-harness";
    ex::save_artifact(dir + "/pass.json", ex::make_artifact(spec, ex::execute(spec)));
    const Result r = cli("shrink " + dir + "/pass.json");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "records no failure")) << r.out;
}

}  // namespace

namespace {

TEST(ScenarioFiles, AreFuzzedReplayedAndShrunkLikeBuiltIns) {
    const std::string dir = explore_test::scratch("yaml");
    // replication-divergence (a library scenario file) loses acknowledged writes on its seeds.
    const explore_test::Result r = explore_test::cli("fuzz replication-divergence --seeds 1..2 --progress none --out " + dir);
    ASSERT_EQ(r.exit_code, 1) << r.out;
    const auto summary = explore_test::read_json(dir + "/summary.json");
    ASSERT_EQ(summary["signatures"].size(), 1u);
    const std::string artifact = dir + "/" + summary["signatures"][0]["artifact"].get<std::string>();
    const auto a = explore_test::read_json(artifact);
    EXPECT_EQ(a["scenario"]["hashed"], "file");
    EXPECT_EQ(a["scenario"]["content_hash"].get<std::string>().size(), 16u);
    const explore_test::Result replayed = explore_test::cli("replay " + artifact);
    EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
    EXPECT_TRUE(explore_test::contains(replayed.out, "reproduced: trace hash matches")) << replayed.out;
    const explore_test::Result bad = explore_test::cli("fuzz replication-divergence --variant nosuch --seeds 1..2 --out " + dir + "/v");
    EXPECT_EQ(bad.exit_code, 2) << bad.out;
    EXPECT_TRUE(explore_test::contains(bad.out, "no variant 'nosuch'")) << bad.out;
}

}  // namespace

namespace {

TEST(ScenarioFiles, ShrinkWritesAPlainScenarioFileThatFailsWhenRun) {
    const std::string dir = explore_test::scratch("yaml_shrink");
    const explore_test::Result fuzzed = explore_test::cli("fuzz replication-divergence --seeds 1..1 --progress none --out " + dir);
    ASSERT_EQ(fuzzed.exit_code, 1) << fuzzed.out;
    const auto summary = explore_test::read_json(dir + "/summary.json");
    ASSERT_EQ(summary["signatures"].size(), 1u);
    const std::string artifact = dir + "/" + summary["signatures"][0]["artifact"].get<std::string>();
    const explore_test::Result shrunk = explore_test::cli("shrink " + artifact + " --runs-max 80 -o " + dir + "/regression.json");
    ASSERT_EQ(shrunk.exit_code, 0) << shrunk.out;
    EXPECT_TRUE(explore_test::contains(shrunk.out, "regression.yaml (checked: fails the same way)")) << shrunk.out;

    std::ifstream in(dir + "/regression.yaml");
    std::stringstream text;
    text << in.rdbuf();
    const std::string yaml = text.str();
    EXPECT_TRUE(explore_test::contains(yaml, "name: replication-divergence-regression")) << yaml;
    EXPECT_TRUE(explore_test::contains(yaml, "faults:")) << yaml;
    EXPECT_FALSE(explore_test::contains(yaml, "\nnemesis:")) << yaml;
    EXPECT_FALSE(explore_test::contains(yaml, "\nvariants:")) << yaml;
    EXPECT_TRUE(explore_test::contains(yaml, "test_seeds: [1]")) << yaml;

    // A developer runs it as any scenario file: it fails, with the invariant the fuzz run broke.
    const explore_test::Result run = explore_test::cli("run " + dir + "/regression.yaml --seed 1");
    EXPECT_EQ(run.exit_code, 1) << run.out;
    const std::string failure = summary["signatures"][0]["signature"].get<std::string>();
    EXPECT_TRUE(explore_test::contains(failure, "invariant")) << failure;
}

}  // namespace

namespace {

// A runaway owes its verdict to the job's limits: the scenario file keeps them (it said "expect:
// runaway" and then passed), and the line that says how to run it keeps the job's flags (it ran
// another run without --shuffle-ties). A --time-max before the duration cannot be said in a file.
TEST(ScenarioFiles, AShrunkRunawayKeepsTheJobsLimitsAndFlags) {
    const std::string dir = explore_test::scratch("yaml_shrink_limits");
    const explore_test::Result fuzzed = explore_test::cli(
        "fuzz disk-full-cascade --seeds 1..1 --events-max 20000 --shuffle-ties --progress none --out " + dir +
        "/events");
    ASSERT_EQ(fuzzed.exit_code, 1) << fuzzed.out;
    const auto summary = explore_test::read_json(dir + "/events/summary.json");
    ASSERT_EQ(summary["signatures"][0]["signature"], "runaway: event limit reached") << summary.dump();
    const std::string artifact = dir + "/events/" + summary["signatures"][0]["artifact"].get<std::string>();
    const explore_test::Result shrunk = explore_test::cli("shrink " + artifact + " -o " + dir + "/r.json");
    ASSERT_EQ(shrunk.exit_code, 0) << shrunk.out;
    EXPECT_TRUE(explore_test::contains(shrunk.out, "r.yaml (checked: fails the same way)\nrun it:     faultline run " +
                                                       dir + "/r.yaml --seed 1 --shuffle-ties\n"))
        << shrunk.out;
    std::ifstream in(dir + "/r.yaml");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(explore_test::contains(text.str(), "events_max: 20000")) << text.str();
    const explore_test::Result run = explore_test::cli("run " + dir + "/r.yaml --seed 1 --shuffle-ties");
    EXPECT_EQ(run.exit_code, 1) << run.out;
    EXPECT_TRUE(explore_test::contains(run.out, "RUNAWAY")) << run.out;

    const explore_test::Result timed =
        explore_test::cli("fuzz disk-full-cascade --seeds 1..1 --time-max 1s --progress none --out " + dir + "/time");
    ASSERT_EQ(timed.exit_code, 1) << timed.out;
    const auto timed_summary = explore_test::read_json(dir + "/time/summary.json");
    const explore_test::Result no_file =
        explore_test::cli("shrink " + dir + "/time/" + timed_summary["signatures"][0]["artifact"].get<std::string>() +
                          " -o " + dir + "/t.json");
    EXPECT_EQ(no_file.exit_code, 0) << no_file.out;
    EXPECT_TRUE(explore_test::contains(no_file.out,
                                       "(no scenario file: the run was stopped by --time-max 1s, before "
                                       "its duration of 80s, which a scenario file cannot say; the JSON "
                                       "artifact is the regression)"))
        << no_file.out;
    EXPECT_FALSE(std::filesystem::exists(dir + "/t.yaml"));
}

}  // namespace
