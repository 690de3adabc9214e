// The pieces under fuzzing's bookkeeping: seed ranges and shards, signatures, the results file
// (a torn last line is dropped), swarm draws, artifacts read back field by field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "explore/artifact.hpp"
#include "explore/fuzz.hpp"
#include "explore/results.hpp"
#include "explore/swarm.hpp"
#include "explore/workers.hpp"
#include "explore_helpers.hpp"

namespace {

using namespace faultline::explore;

// A worker that ends in an error of the program's own (exit 3: a stack overflow) is grouped
// without the numbers of one run (pid, time, which client), so the same bug on many seeds is one
// finding; its detail keeps them. Bad input (exit 2) keeps its numbers in both.
TEST(Signatures, AWorkersOwnErrorIsGroupedWithoutTheNumbersOfOneRun) {
    auto outcome = [](int code, const std::string& line) {
        WorkerExit exit;
        exit.exit_code = code;
        exit.err_tail = "some output\n" + line + "\n";
        return outcome_from_exit(exit, RunSpec{}, std::chrono::milliseconds(1000));
    };
    const Outcome a = outcome(3, "faultline: process 'client-3' (pid 17) on host 'api-1' overflowed its 64 KiB stack at 1.25s virtual time; give processes more stack (x)");
    const Outcome b = outcome(3, "faultline: process 'client-12' (pid 4021) on host 'api-2' overflowed its 64 KiB stack at 31s virtual time; give processes more stack (x)");
    EXPECT_EQ(a.verdict, Verdict::error);
    EXPECT_EQ(a.signature, b.signature);
    EXPECT_EQ(a.signature, "error: worker exited with code 3: process 'client-N' (pid N) on host 'api-N' overflowed its N KiB stack at Ns virtual time; give processes more stack (x)");
    EXPECT_NE(a.detail, b.detail);
    EXPECT_NE(a.detail.find("(pid 17)"), std::string::npos) << a.detail;
    EXPECT_NE(outcome(3, "faultline: fatal: process 17 keeps waiting while being killed").signature, a.signature);
    EXPECT_NE(outcome(4, "faultline: process 'client-3' (pid 17) on host 'api-1' overflowed its 64 KiB stack at 1.25s virtual time; give processes more stack (x)").signature,
              a.signature);
    const Outcome refused = outcome(2, "faultline: error: limits.stack_kib: must be between 16 and 65536");
    EXPECT_EQ(refused.signature, "error: worker exited with code 2: error: limits.stack_kib: must be between 16 and 65536");
}

TEST(Seeds, RangesAndShardsParseAndBadOnesSayWhy) {
    EXPECT_EQ(parse_seed_range("1..1000").first, 1u);
    EXPECT_EQ(*parse_seed_range("1..1000").last, 1000u);
    EXPECT_FALSE(parse_seed_range("5..").last.has_value());
    EXPECT_EQ(*parse_seed_range("7").last, 7u);
    EXPECT_THROW(parse_seed_range("9..3"), InputError);
    EXPECT_THROW(parse_seed_range("a..b"), InputError);
    const Shard s = parse_shard("2/5", nullptr);
    EXPECT_EQ(s.index, 2u);
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(parse_shard("auto/4", "3").index, 3u);
    EXPECT_THROW(parse_shard("auto/4", nullptr), InputError);
    EXPECT_THROW(parse_shard("4/4", nullptr), InputError);
    EXPECT_THROW(parse_shard("auto/4", "x"), InputError);
}

TEST(Seeds, ShardsPartitionEverySeedRange) {
    for (std::uint64_t n = 1; n <= 7; ++n) {
        for (std::uint64_t seed = 1; seed <= 100; ++seed) {
            int owners = 0;
            for (std::uint64_t i = 0; i < n; ++i) owners += Shard{i, n}.takes(seed) ? 1 : 0;
            EXPECT_EQ(owners, 1) << "seed " << seed << " with " << n << " shards";
        }
    }
}

TEST(Signatures, NameTheFailureAndItsPlaceButNotTheHostOrTime) {
    sim::RunResult r;
    r.verdict = sim::Verdict::fail;
    r.failure = sim::Failure{"assertion", "x > 0",
                             "",          "/home/ci/src/models/src/cache.cpp:88",
                             "cache-1",   sim::Time(std::chrono::seconds(3))};
    EXPECT_EQ(signature_of(r), "assertion 'x > 0' at src/cache.cpp:88");
    sim::RunResult other = r;
    other.failure->host = "cache-7";
    other.failure->time = sim::Time(std::chrono::seconds(9));
    EXPECT_EQ(signature_of(other), signature_of(r));
    r.failure = sim::Failure{"invariant", "queue bounded", "violated at 3s", "", "", {}};
    EXPECT_EQ(signature_of(r), "invariant 'queue bounded'");
    sim::RunResult runaway;
    runaway.verdict = sim::Verdict::runaway;
    runaway.runaway_reason = "event limit reached (events_max 100)";
    EXPECT_EQ(signature_of(runaway), "runaway: event limit reached");
    EXPECT_EQ(signature_id("invariant 'queue bounded'").size(), 16u);
    EXPECT_NE(signature_id("a"), signature_id("b"));
}

TEST(Results, ATornLastLineIsDroppedAndRepairedAwayOnResume) {
    const std::string dir = explore_test::scratch("torn");
    const std::string path = dir + "/results.jsonl";
    Outcome a;
    a.seed = 1;
    a.trace_hash = 0x1234;
    Outcome b;
    b.seed = 2;
    b.verdict = Verdict::fail;
    b.signature = "invariant 'x'";
    {
        ResultsLog log(path);
        log.append(a);
        log.append(b);
    }
    std::ofstream(path, std::ios::app) << R"({"seed":3,"verdict":"pa)";  // killed mid-write
    EXPECT_EQ(load_results(path, false).size(), 2u);
    const auto before = std::filesystem::file_size(path);
    const auto records = load_results(path, true);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].signature, "invariant 'x'");
    EXPECT_EQ(*records[0].trace_hash, 0x1234u);
    EXPECT_LT(std::filesystem::file_size(path), before);
    {
        ResultsLog log(path);  // appends start on a clean line
        Outcome c;
        c.seed = 3;
        log.append(c);
    }
    EXPECT_EQ(load_results(path, false).size(), 3u);
}

TEST(Results, ABadLineInTheMiddleNamesTheFileAndLine) {
    const std::string dir = explore_test::scratch("badline");
    std::ofstream(dir + "/results.jsonl")
        << "{\"seed\":1,\"verdict\":\"pass\"}\nnot json\n{\"seed\":2,\"verdict\":\"pass\"}\n";
    try {
        load_results(dir + "/results.jsonl", false);
        FAIL() << "expected an error";
    } catch (const InputError& e) {
        EXPECT_TRUE(explore_test::contains(e.what(), "results.jsonl: line 2")) << e.what();
    }
}

TEST(Results, DedupKeepsTheFastestFailingSeedPerSignature) {
    auto failing = [](std::uint64_t seed, int at_s, std::string sig) {
        Outcome o;
        o.seed = seed;
        o.verdict = Verdict::fail;
        o.signature = std::move(sig);
        o.end_time = sim::Time(std::chrono::seconds(at_s));
        return o;
    };
    const std::vector<Outcome> records = {failing(5, 9, "a"), failing(6, 3, "a"), failing(7, 3, "b"),
                                          failing(2, 3, "a"), Outcome{}};
    const auto groups = group_findings(records);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].signature, "a");
    EXPECT_EQ(groups[0].count, 3u);
    EXPECT_EQ(groups[0].fastest.seed, 2u);  // 3s, and the lower seed of the two at 3s
    EXPECT_EQ(groups[0].seeds, (std::vector<std::uint64_t>{2, 5, 6}));
}

TEST(Swarm, DrawsDependOnlyOnTheSeedAndLeaveUserOptionsAlone) {
    const auto& info = *faultline::builtin_scenarios().find("planted-counter");
    EXPECT_EQ(draw_swarm(info, 11, {}).size(), 4u);
    std::set<std::string> crash_rates;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        const auto a = draw_swarm(info, seed, {});
        const auto b = draw_swarm(info, seed, {});
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].value, b[i].value);
        for (const auto& o : a) {
            if (o.path == "crash_rate") crash_rates.insert(o.value);
        }
    }
    EXPECT_TRUE(crash_rates.count("0")) << "a fault kind is off on some seeds";
    EXPECT_GE(crash_rates.size(), 3u);
    for (const auto& o : draw_swarm(info, 3, {"clients"})) EXPECT_NE(o.path, "clients");
}

TEST(Artifacts, RoundTripThroughJson) {
    RunSpec spec;
    spec.scenario.name = "planted-counter";
    spec.seed = 42;
    spec.overrides = {{"clients", "2"}};
    spec.swarm = {{"crash_rate", "3"}};
    spec.shuffle_ties = true;
    spec.fault_plan = sim::FaultPlan{{sim::Time(std::chrono::milliseconds(1500)),
                                      std::chrono::milliseconds(250),
                                      {"partition", {"counter-1", "counter-2"}, {{"reject", "true"}}}}};
    Outcome o;
    o.seed = 42;
    o.verdict = Verdict::fail;
    o.signature = "invariant 'x'";
    o.failure = sim::Failure{"invariant", "x", "violated", "", "", sim::Time(std::chrono::seconds(2))};
    o.trace_hash = 0xabcdef0123456789ULL;
    o.events = 99;
    o.end_time = sim::Time(std::chrono::seconds(2));
    o.options = {{"clients", "2"}};
    const Artifact a = make_artifact(spec, o);
    EXPECT_EQ(a.kind, "regression");
    const Json j = artifact_to_json(a);
    const Artifact back = artifact_from_json(JsonReader("mem.json", j));
    EXPECT_EQ(back.spec.seed, 42u);
    EXPECT_EQ(back.spec.overrides.at(0).value, "2");
    EXPECT_EQ(back.spec.swarm.at(0).path, "crash_rate");
    EXPECT_TRUE(back.spec.shuffle_ties);
    ASSERT_TRUE(back.spec.fault_plan.has_value());
    EXPECT_EQ(*back.spec.fault_plan, *spec.fault_plan);
    EXPECT_EQ(*back.expected.trace_hash, *o.trace_hash);
    EXPECT_EQ(back.expected.signature, o.signature);
    EXPECT_EQ(back.content_hash, a.content_hash);
    // Written back (as merge does) it is the same file: a crash's stderr tail was dropped.
    Outcome crashed = o;
    crashed.verdict = Verdict::crash;
    crashed.stderr_tail = "faultline: assertion failed: false\n";
    const Json with_tail = artifact_to_json(make_artifact(spec, crashed));
    EXPECT_EQ(artifact_to_json(artifact_from_json(JsonReader("mem.json", with_tail))).dump(), with_tail.dump());
}

TEST(Artifacts, BadFieldsNameTheFileAndTheField) {
    RunSpec spec;
    spec.scenario.name = "canary";
    Outcome o;
    o.verdict = Verdict::fail;
    o.signature = "invariant 'x'";
    Json good = artifact_to_json(make_artifact(spec, o));
    auto error_for = [](const Json& j) {
        try {
            artifact_from_json(JsonReader("a.json", j));
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    Json j = good;
    j.erase("seed");
    EXPECT_EQ(error_for(j), "a.json: field 'seed' is missing");
    j = good;
    j["seed"] = "seven";
    EXPECT_EQ(error_for(j), "a.json: field 'seed': expected a non-negative integer, found a string");
    j = good;
    j["faults"]["plan"] = Json::array({{{"at", "3x"}, {"kind", "crash"}, {"targets", {"a"}}}});
    EXPECT_TRUE(explore_test::contains(error_for(j), "a.json: field 'faults.plan[0].at': '3x' is not a duration"))
        << error_for(j);
    j = good;
    j["expected"]["verdict"] = "maybe";
    EXPECT_EQ(error_for(j), "a.json: field 'expected.verdict': unknown verdict 'maybe'");
    EXPECT_TRUE(explore_test::contains(error_for(Json::array()), "not a faultline artifact"));
}

}  // namespace
