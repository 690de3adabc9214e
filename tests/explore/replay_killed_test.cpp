// Replaying what a fuzzing job recorded when its worker did not finish on its own: a worker
// killed from outside (kill -9, the OOM killer) is not a sign of nondeterminism, nor is a "hang"
// (the job's wall-clock limit) that ends when replayed; and the
// "faults" line says where a run's faults came from, or that the dead worker left none recorded.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "explore/artifact.hpp"
#include "explore/replay.hpp"
#include "explore/shrink.hpp"
#include "explore/workers.hpp"
#include "explore_helpers.hpp"

namespace {

using namespace explore_test;
namespace ex = faultline::explore;

// A one-second scenario file: one restart on its timeline at 20s, no nemesis; the broken design
// fails, the warmup-limit variant passes.
const std::string small_stampede = std::string(FAULTLINE_SOURCE_DIR) + "/tests/report/data/small-stampede.yaml";

// The artifact fuzz writes for a worker that died of `signal` (its exit, as the pool reports it).
std::string killed_worker_artifact(const std::string& dir, const std::string& variant, int signal) {
    ex::RunSpec spec;
    spec.scenario = ex::scenario_ref(small_stampede, variant);
    spec.seed = 1;
    ex::WorkerExit exit;
    exit.id = 1;
    exit.signal = signal;
    const ex::Outcome o = ex::outcome_from_exit(exit, spec, std::chrono::seconds(60));
    EXPECT_EQ(o.signature, "crash " + ex::signal_name(signal));
    const std::string path = dir + "/killed-" + (variant.empty() ? "broken" : variant) + ".json";
    ex::save_artifact(path, ex::make_artifact(spec, o));
    return path;
}

TEST(ReplayKilled, AHangThatEndsWhenReplayedIsNotCalledNondeterministic) {
    const std::string dir = scratch("replay_hang");
    ex::RunSpec spec;
    spec.scenario = ex::scenario_ref(small_stampede);
    spec.seed = 1;
    ex::WorkerExit exit;
    exit.id = 1;
    exit.timed_out = true;  // as the pool reports a worker past fuzz --timeout
    const ex::Outcome o = ex::outcome_from_exit(exit, spec, std::chrono::milliseconds(50));
    ASSERT_EQ(o.verdict, ex::Verdict::hang);
    const std::string path = dir + "/hang.json";
    ex::save_artifact(path, ex::make_artifact(spec, o));
    const Result r = cli("replay " + path);
    EXPECT_EQ(r.exit_code, 1) << "the run fails on its own, as `run` says: " << r.out;
    EXPECT_TRUE(contains(r.out, "ended here: the recorded worker was stopped at the job's wall-clock limit (no result "
                                "within 50 ms of wall-clock time; killed); this replay ran to its own end in "))
        << r.out;
    EXPECT_TRUE(contains(r.out, "of wall-clock time: fail (invariant 'goodput recovers after the restart'), trace hash "))
        << r.out;
    EXPECT_TRUE(contains(r.out, "or fuzz with a larger --timeout")) << r.out;
    EXPECT_FALSE(contains(r.out, "not deterministic")) << r.out;
    EXPECT_FALSE(contains(r.out, "NOT reproduced")) << r.out;
    const Result json = cli("replay " + path + " --json");
    const auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j["hang_ended"], true);
    EXPECT_EQ(j["reproduced"], false);
}

TEST(ReplayKilled, AWorkerKilledFromOutsideIsNotCalledNondeterministic) {
    const std::string dir = scratch("replay_killed");
    // The mitigated design passes: the replay ran to its end, and says so, exit 0.
    const Result passing = cli("replay " + killed_worker_artifact(dir, "warmup-limit", SIGKILL));
    EXPECT_EQ(passing.exit_code, 0) << passing.out;
    EXPECT_TRUE(contains(passing.out, "note        the recorded worker was killed by SIGKILL from outside the run"))
        << passing.out;
    EXPECT_TRUE(contains(passing.out, "killed from outside: the recorded worker died of SIGKILL, which a run does not "
                                      "send itself (the kernel's OOM killer"))
        << passing.out;
    EXPECT_TRUE(contains(passing.out, "this replay ran to its own end: pass, trace hash ")) << passing.out;
    EXPECT_FALSE(contains(passing.out, "not deterministic")) << passing.out;
    EXPECT_FALSE(contains(passing.out, "NOT reproduced")) << passing.out;
    EXPECT_FALSE(contains(passing.out, "gdb --args")) << "no crash to expect here: " << passing.out;

    // The broken design fails on its own: exit 1, as `faultline run` gives, with its failure named.
    const Result failing = cli("replay " + killed_worker_artifact(dir, "", SIGKILL) + " --json");
    EXPECT_EQ(failing.exit_code, 1) << failing.out;
    const auto j = nlohmann::json::parse(failing.out);
    EXPECT_EQ(j["reproduced"], false);
    EXPECT_EQ(j["killed_from_outside"], true);
    EXPECT_TRUE(contains(j["conclusion"].get<std::string>(),
                         "this replay ran to its own end: fail (invariant 'goodput recovers after the restart')"))
        << j.dump();

    // A job runner's stop is from outside too; a segfault is the run's own doing.
    ex::Outcome o;
    o.verdict = ex::Verdict::crash;
    o.signature = "crash SIGTERM";
    EXPECT_EQ(ex::killed_from_outside(o), "SIGTERM");
    o.signature = "crash SIGSEGV";
    EXPECT_EQ(ex::killed_from_outside(o), std::nullopt);
    o.verdict = ex::Verdict::hang;
    o.signature = "hang";
    EXPECT_EQ(ex::killed_from_outside(o), std::nullopt);
}

TEST(ReplayKilled, TheFaultsLineSaysWhereTheFaultsCameFrom) {
    const std::string dir = scratch("replay_faults_line");
    // The recorded run of the file: its one fault is the timeline's, not drawn from the seed.
    ex::RunSpec spec;
    spec.scenario = ex::scenario_ref(small_stampede);
    spec.seed = 1;
    const std::string recorded = dir + "/recorded.json";
    ex::save_artifact(recorded, ex::make_artifact(spec, ex::execute(spec)));
    const Result r = cli("replay " + recorded);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "faults      1 recorded as injected: 1 from the scenario's timeline (no nemesis)\n"))
        << r.out;
    EXPECT_FALSE(contains(r.out, "drawn from the seed")) << r.out;
    // A worker that died recorded none: said so, with what the scenario has.
    const Result killed = cli("replay " + killed_worker_artifact(dir, "warmup-limit", SIGKILL));
    EXPECT_TRUE(contains(killed.out, "faults      not recorded: the run crashed before it could report them "
                                     "(1 fault on the scenario's timeline, no nemesis)\n"))
        << killed.out;

    // What the file declares, read with the artifact's variant and overrides.
    const ex::Artifact a = ex::load_artifact(recorded);
    const auto declared = ex::declared_faults(a);
    ASSERT_TRUE(declared.has_value());
    ASSERT_EQ(declared->timeline.size(), 1u);
    EXPECT_EQ(declared->timeline[0], std::make_pair(sim::Duration(std::chrono::seconds(20)), std::string("restart")));
    EXPECT_FALSE(declared->nemesis);
    EXPECT_FALSE(ex::declared_faults(ex::load_artifact(baseline_artifact())).has_value()) << "a built-in has no file";
    // Another content than the run's (the file edited since): nothing is read from it.
    ex::Artifact edited = a;
    edited.content_hash = "0123456789abcdef";
    EXPECT_FALSE(ex::declared_faults(edited).has_value()) << "the timeline of a file the run did not read";

    // A timeline and a nemesis: the faults at the timeline's times and kinds are its; the rest drawn.
    using sim::Time;
    using std::chrono::seconds;
    ex::DeclaredFaults both;
    both.timeline = {{seconds(20), "restart"}, {seconds(90), "crash"}};
    both.nemesis = true;
    ex::Artifact b = a;
    b.recorded_plan = {{Time(seconds(7)), seconds(1), {"pause", {"api-1"}, {}}},
                       {Time(seconds(20)), std::nullopt, {"restart", {"cache-1"}, {}}},
                       {Time(seconds(31)), seconds(2), {"pause", {"db-1"}, {}}}};
    EXPECT_EQ(ex::faults_summary(b, both),
              "3 recorded as injected: 1 from the scenario's timeline, 2 drawn from the seed by its nemesis; "
              "1 fault of the timeline not reached (the run ended first)");
    b.expected.verdict = ex::Verdict::hang;
    EXPECT_EQ(ex::faults_summary(b, both), "not recorded: the run hung before it could report them "
                                           "(2 faults on the scenario's timeline, and a nemesis that draws more from the seed)");
    // A built-in's faults are its code's; an explicit plan is the file's own.
    b.expected.verdict = ex::Verdict::fail;
    b.spec.scenario = ex::scenario_ref("planted-counter");
    EXPECT_EQ(ex::faults_summary(b, std::nullopt), "3 recorded as injected (by the built-in scenario's code)");
    b.spec.fault_plan = sim::FaultPlan{};
    EXPECT_EQ(ex::faults_summary(b, std::nullopt), "0 (explicit plan)");
}

// A crashed or hung worker recorded no faults; shrinking starts from the ones its scenario plans
// for the seed (it started from none, dropped the timeline's restart, and said the run passed).
TEST(ReplayKilled, ShrinkStartsACrashedOrHungRunFromTheFaultsItsScenarioPlans) {
    const std::string dir = scratch("shrink_killed");
    const ex::Artifact crashed = ex::load_artifact(killed_worker_artifact(dir, "", SIGSEGV));
    ASSERT_TRUE(crashed.recorded_plan.empty());
    std::string why;
    const sim::FaultPlan plan = ex::plan_to_shrink(crashed, why);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].spec.kind, "restart");
    EXPECT_EQ(plan[0].at, sim::Time(std::chrono::seconds(20)));
    EXPECT_EQ(why, "not recorded (the run crashed): the scenario's plan for seed 1 has 1 fault");

    // A nemesis's draws are the seed's: what a finished run injected begins the planned list.
    ex::Artifact hung = ex::load_artifact(baseline_artifact());
    ASSERT_FALSE(hung.recorded_plan.empty());
    const sim::FaultPlan recorded = hung.recorded_plan;
    hung.recorded_plan.clear();
    hung.expected.verdict = ex::Verdict::hang;
    hung.expected.signature = "hang";
    const sim::FaultPlan planned = ex::plan_to_shrink(hung, why);
    ASSERT_GE(planned.size(), recorded.size());
    for (std::size_t i = 0; i < recorded.size(); ++i)
        EXPECT_EQ(sim::describe(planned[i]), sim::describe(recorded[i])) << i;

    // Shrinking then keeps the one fault the hang needs.
    ex::Artifact restart_hangs = crashed;
    restart_hangs.expected.verdict = ex::Verdict::hang;
    restart_hangs.expected.signature = "hang";
    std::vector<std::string> steps;
    ex::ShrinkOptions options;
    options.log = [&](const std::string& s) { steps.push_back(s); };
    const ex::ShrinkResult r = ex::shrink(
        restart_hangs,
        [](const ex::RunSpec& candidate) {
            ex::Outcome o;
            o.seed = candidate.seed;
            const bool restarts = candidate.fault_plan && !candidate.fault_plan->empty();
            o.verdict = restarts ? ex::Verdict::hang : ex::Verdict::pass;
            o.signature = restarts ? "hang" : "";
            return o;
        },
        options);
    EXPECT_EQ(r.faults_before, 1u);
    EXPECT_EQ(r.faults_after, 1u);
    ASSERT_FALSE(steps.empty());
    EXPECT_EQ(steps[0], "faults: not recorded (the run hung): the scenario's plan for seed 1 has 1 fault");
    EXPECT_EQ(steps[1], "faults: 1, none can go");
    ASSERT_TRUE(r.regression.spec.fault_plan.has_value());
    EXPECT_EQ(r.regression.spec.fault_plan->size(), 1u);
}

// Shrinking an artifact against a scenario file edited since says so, as replay does (it shrank
// against the new file in silence, and said the result "fails the same way").
TEST(ReplayKilled, ShrinkSaysWhenTheScenarioFileChanged) {
    const std::string dir = scratch("shrink_changed");
    const std::string copy = dir + "/stampede.yaml";
    std::filesystem::copy_file(small_stampede, copy, std::filesystem::copy_options::overwrite_existing);
    ex::RunSpec spec;
    spec.scenario = ex::scenario_ref(copy);
    spec.seed = 1;
    const ex::Outcome o = ex::execute(spec);
    ASSERT_EQ(o.verdict, ex::Verdict::fail);
    const std::string artifact = dir + "/failing.json";
    ex::save_artifact(artifact, ex::make_artifact(spec, o));
    const Result same = cli("shrink " + artifact + " --runs-max 1 -o " + dir + "/same.json");
    EXPECT_FALSE(contains(same.out, "note ")) << same.out;
    std::string text;
    {
        std::ifstream in(copy);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::size_t at = text.find("rate: 600/s");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 11, "rate: 650/s");
    std::ofstream(copy) << text;
    const Result changed = cli("shrink " + artifact + " --runs-max 1 -o " + dir + "/changed.json");
    EXPECT_TRUE(contains(changed.out, "note        the scenario file changed (content hash ")) << changed.out;
    EXPECT_TRUE(contains(changed.out, "): shrinking against it as it is now\n")) << changed.out;
}

}  // namespace
