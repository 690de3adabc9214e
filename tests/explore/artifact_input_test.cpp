// Artifacts, regression files and job.json as input a person may edit: what they say is checked
// when they are read, and a mistake is one line naming the file and the field, exit 2. Each case
// here was a tester's finding: an explicit plan's fault after the end of the run passed in silence,
// a key given twice took its last value, a job.json without its shard named neither file nor field.
#include <algorithm>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "explore_helpers.hpp"

namespace {

using namespace explore_test;

std::string write_json(const std::string& path, const nlohmann::json& j) {
    std::ofstream(path) << j.dump(2);
    return path;
}

std::string write_text(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    return path;
}

// A job of one seed of replication-divergence (a library scenario of 100s that fails on every
// seed: a clock skew of eu/kv loses a write), run once per test program.
const std::string& divergence_job() {
    static const std::string dir = [] {
        const std::string d = scratch("divergence") + "/job";
        const Result r = cli("fuzz replication-divergence --seeds 1..1 --progress none --out " + d);
        EXPECT_EQ(r.exit_code, 1) << r.out;
        return d;
    }();
    return dir;
}

// Its artifact as a regression file: the recorded plan made explicit.
nlohmann::json regression() {
    const auto summary = read_json(divergence_job() + "/summary.json");
    auto j = read_json(divergence_job() + "/" + summary["signatures"][0]["artifact"].get<std::string>());
    j["kind"] = "regression";
    j["faults"]["source"] = "explicit";
    EXPECT_EQ(j["faults"]["plan"][0]["kind"], "clock_skew") << j.dump(2);
    return j;
}

// The one line `run`, `replay` and `shrink` of the file print, with exit 2.
void refused_by_every_command(const std::string& file, const std::string& line) {
    for (const char* command : {"run ", "replay ", "shrink "}) {
        const Result r = cli(command + file);
        EXPECT_EQ(r.exit_code, 2) << command << file << "\n" << r.out;
        EXPECT_EQ(r.out, "faultline: error: " + line + "\n") << command << file;
    }
}

TEST(ArtifactInput, AnExplicitPlansFaultAfterTheEndOfTheRunIsRefusedNamingTheField) {
    const std::string dir = scratch("plan_after_end");
    auto j = regression();
    const std::string good = write_json(dir + "/good.json", j);
    EXPECT_EQ(cli("run " + good).exit_code, 1) << "the regression itself fails";
    // 2562047h: the largest duration there is; the run (100s) never reaches it, and passed.
    j["faults"]["plan"][0]["at"] = "2562047h";
    refused_by_every_command(write_json(dir + "/late.json", j),
                             dir + "/late.json: field 'faults.plan[0].at': after the end of the run (100s)");
    // A shorter run (shrink's "ends at the failure's time") is the end the plan is held to.
    j = regression();
    j["settings"]["duration"] = "4s";
    const Result shortened = cli("run " + write_json(dir + "/short.json", j));
    EXPECT_EQ(shortened.exit_code, 2) << shortened.out;
    EXPECT_TRUE(contains(shortened.out, "short.json: field 'faults.plan[0].at': after the end of the run (4s)"))
        << shortened.out;
    // At the end's very instant is still in the run (the fault at 20s is not).
    j["settings"]["duration"] = "5s";
    j["faults"]["plan"].erase(1);
    EXPECT_NE(cli("run " + write_json(dir + "/at_end.json", j)).exit_code, 2);
}

TEST(ArtifactInput, AnExplicitPlansFaultIsCheckedAsTheScenarioLoaderChecksOne) {
    const std::string dir = scratch("plan_fields");
    struct Case {
        const char* name;
        std::function<void(nlohmann::json&)> edit;
        std::string field_and_message;
    };
    const std::vector<Case> cases = {
        {"kind", [](auto& f) { f["kind"] = "clock_skwe"; }, "faults.plan[0].kind': unknown fault 'clock_skwe'"},
        {"target", [](auto& f) { f["targets"] = {"eu/kvv"}; },
         "faults.plan[0].targets': no host or group matches 'eu/kvv'"},
        {"targets",
         [](auto& f) {
             f["targets"] = {"eu/kv", "us/kv"};
         },
         "faults.plan[0].targets': fault 'clock_skew' takes 1 host pattern, got 2"},
        {"param", [](auto& f) { f["params"]["offset"] = "soon"; }, "faults.plan[0].params.offset': "},
        {"unknown_param", [](auto& f) { f["params"]["bogus"] = "1"; }, "faults.plan[0].params.bogus': "},
        {"zero_window", [](auto& f) { f["for"] = "0s"; },
         "faults.plan[0].for': 0 heals the fault at the instant it is injected"},
        {"negative_window", [](auto& f) { f["for"] = "-5s"; }, "faults.plan[0].for': '-5s' is not a duration"},
    };
    for (const Case& c : cases) {
        auto j = regression();
        c.edit(j["faults"]["plan"][0]);
        const std::string file = write_json(dir + "/" + c.name + ".json", j);
        const Result r = cli("run " + file);
        EXPECT_EQ(r.exit_code, 2) << c.name << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: " + file + ": field '" + c.field_and_message)) << c.name << "\n"
                                                                                                      << r.out;
        EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    }
}

TEST(ArtifactInput, AKeyGivenTwiceIsRefusedNamingTheFileAndTheKey) {
    const std::string dir = scratch("duplicate_keys");
    const std::string text = regression().dump(2);
    // "seed": 1, "seed": 2 replayed seed 2 and said "not reproduced".
    std::string twice = text;
    twice.replace(twice.find("\"seed\":"), 0, "\"seed\": 2,\n  ");
    refused_by_every_command(write_text(dir + "/seed.json", twice),
                             dir + "/seed.json: field 'seed' is given twice; each field once");
    // Inside an object inside an array: the path says where.
    std::string nested = text;
    nested.replace(nested.find("\"kind\": \"clock_skew\""), 0, "\"kind\": \"crash\", ");
    const Result r = cli("replay " + write_text(dir + "/nested.json", nested));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(r.out, "faultline: error: " + dir +
                         "/nested.json: field 'faults.plan[0].kind' is given twice; each field once\n");
    // A worker's --spec too (it took the last value).
    const Result spec = cli("worker --spec '{\"seed\": 1, \"seed\": 2}'");
    EXPECT_EQ(spec.exit_code, 2) << spec.out;
    EXPECT_EQ(spec.out, "faultline: error: --spec: field 'seed' is given twice; each field once\n");
    // A job.json too: a resume reads it.
    std::string job = read_file(divergence_job() + "/job.json");
    const std::string copy = scratch("duplicate_job") + "/job";
    std::filesystem::copy(divergence_job(), copy, std::filesystem::copy_options::recursive);
    job.replace(job.find("\"shard\":"), 0, "\"shard\": \"0/2\", ");
    write_text(copy + "/job.json", job);
    const Result resumed = cli("fuzz replication-divergence --seeds 1..2 --progress none --resume --out " + copy);
    EXPECT_EQ(resumed.exit_code, 2) << resumed.out;
    EXPECT_TRUE(contains(resumed.out, copy + "/job.json: field 'shard' is given twice")) << resumed.out;
}

TEST(ArtifactInput, AFieldOfTheWrongTypeIsRefusedWhereverItIsRead) {
    const std::string dir = scratch("field_types");
    for (const nlohmann::json& id : {nlohmann::json(12), nlohmann::json::array({"a"})}) {
        auto j = regression();
        j["expected"]["signature_id"] = id;
        const Result r = cli("replay " + write_json(dir + "/id.json", j));
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_TRUE(contains(r.out, "id.json: field 'expected.signature_id': expected a string")) << r.out;
    }
    auto j = regression();
    j["run_command"] = 3;
    const Result r = cli("run " + write_json(dir + "/command.json", j));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "command.json: field 'run_command': expected a string, found a number")) << r.out;
}

TEST(ArtifactInput, AJobJsonWithoutAFieldNamesTheFileAndTheField) {
    for (const char* field : {"shard", "seeds", "swarm", "overrides", "settings"}) {
        const std::string copy = scratch(std::string("job_without_") + field) + "/job";
        std::filesystem::copy(divergence_job(), copy, std::filesystem::copy_options::recursive);
        auto job = read_json(copy + "/job.json");
        job.erase(field);
        write_json(copy + "/job.json", job);
        const Result r = cli("fuzz replication-divergence --seeds 1..2 --progress none --resume --out " + copy);
        EXPECT_EQ(r.exit_code, 2) << field << "\n" << r.out;
        EXPECT_EQ(r.out, "faultline: error: " + copy + "/job.json: field '" + field + "' is missing\n") << field;
    }
    // A difference from the job names the file that records it.
    const std::string copy = scratch("job_other_shard") + "/job";
    std::filesystem::copy(divergence_job(), copy, std::filesystem::copy_options::recursive);
    const Result r = cli("fuzz replication-divergence --seeds 1..2 --shard 1/2 --progress none --resume --out " + copy);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, copy + "/job.json: --resume of a different job: shard 0/1 vs 1/2 (--shard)")) << r.out;
}

// The default output of shrink: beside the artifact, or here for a job's artifact, and the "run it"
// line a command that works from here either way.
TEST(ArtifactInput, ShrinksDefaultOutputIsSaidWhereItIsAndItsRunLineWorksFromHere) {
    const std::string dir = scratch("shrink_default");
    const auto summary = read_json(divergence_job() + "/summary.json");
    const std::string artifact = divergence_job() + "/" + summary["signatures"][0]["artifact"].get<std::string>();
    const std::string stem = std::filesystem::path(artifact).stem().string();
    const Result r =
        faultline_with("cd " + dir + " && " + std::string(FAULTLINE_BIN), "shrink " + artifact + " --runs-max 2");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + stem + ".shrunk.json")) << r.out;
    EXPECT_TRUE(contains(r.out, "wrote       " + stem +
                                    ".shrunk.json (in the current directory: not beside the artifact, among a fuzzing "
                                    "job's own files)\nrun it:     faultline run " +
                                    stem + ".shrunk.json\n"))
        << r.out;
    EXPECT_EQ(
        faultline_with("cd " + dir + " && " + std::string(FAULTLINE_BIN), "run " + stem + ".shrunk.json").exit_code, 1);
    // Outside a job: beside the artifact, named as given, so the line works from here too.
    std::filesystem::create_directories(dir + "/kept");
    std::filesystem::copy_file(artifact, dir + "/kept/a.json");
    const Result beside =
        faultline_with("cd " + dir + " && " + std::string(FAULTLINE_BIN), "shrink kept/a.json --runs-max 2");
    EXPECT_EQ(beside.exit_code, 0) << beside.out;
    EXPECT_TRUE(contains(beside.out, "wrote       kept/a.shrunk.json\nrun it:     faultline run kept/a.shrunk.json\n"))
        << beside.out;
    EXPECT_TRUE(std::filesystem::exists(dir + "/kept/a.shrunk.json"));
}

// A job's records that are no file (a directory: "internal error"; a FIFO: --resume and merge
// hung), and a FIFO in the lock's place (merge hung opening it): one line, exit 2, or on.
TEST(ArtifactInput, AJobsRecordsThatAreNoFileAreRefusedNotHungOn) {
    const std::string dir = scratch("records_no_file");
    const std::string job = dir + "/job";
    ASSERT_EQ(cli("fuzz mm1 --seeds 1..2 --progress none --out " + job).exit_code, 0);
    const std::string results = job + "/results.jsonl";
    for (const bool fifo : {false, true}) {
        std::filesystem::remove_all(results);
        if (fifo)
            ASSERT_EQ(::mkfifo(results.c_str(), 0644), 0);
        else
            std::filesystem::create_directory(results);
        const std::string why = fifo ? "is not a regular file (a device or a pipe)" : "is a directory";
        for (const std::string& command : {"fuzz mm1 --seeds 1..2 --progress none --resume --out " + job,
                                           "merge " + job + " --out " + dir + "/merged"}) {
            const Result r = cli(command);
            EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.out;
            EXPECT_TRUE(contains(r.out, results + ": " + why + ", not a job's results")) << command << "\n" << r.out;
        }
    }
    std::filesystem::remove_all(results);
    ASSERT_EQ(cli("fuzz mm1 --seeds 1..2 --progress none --out " + dir + "/again").exit_code, 0);
    std::filesystem::remove(dir + "/again/.lock");
    ASSERT_EQ(::mkfifo((dir + "/again/.lock").c_str(), 0644), 0);
    EXPECT_EQ(cli("merge " + dir + "/again --out " + dir + "/merged2").exit_code, 0);
}

}  // namespace
