// The faultline command as a user meets it: output, exit codes, bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "support/run_program.hpp"

namespace {

using test_support::read_file;
using test_support::Result;

Result faultline(const std::string& args) { return test_support::run_program(std::string(FAULTLINE_BIN) + " " + args); }

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

TEST(Cli, NoCommandPrintsTheCommandsAndExitsTwo) {
    const Result r = faultline("");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("Start with:  faultline list"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("run"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("error"), std::string::npos) << r.out;
}

// The build an artifact names ("made by faultline 0.1.0 build 8f24f142dad3") is one command away.
TEST(Cli, VersionPrintsTheVersionAndTheBuild) {
    const Result r = faultline("--version");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(std::regex_match(r.out, std::regex("faultline [0-9]+\\.[0-9]+\\.[0-9]+ build [0-9a-f]{12}(\\+dirty)?\n"))) << r.out;
}

// A warning about the file names the settings when they made it (the file alone does not warn).
TEST(Cli, AWarningASettingMadeNamesTheSetting) {
    const std::string file = test_support::temp_path("hourly.yaml");
    std::ofstream(file) << "duration: 10s\nservices:\n  api: {hosts: api-1, cpu: fixed(1ms)}\nworkloads:\n  users:\n"
                           "    hosts: client-1\n    call: {target: api, timeout: 1s}\n    open_loop:\n      rate: 50/s\n";
    EXPECT_FALSE(contains(faultline("run " + file).out, "warning")) << faultline("run " + file).out;
    const Result r = faultline("run " + file + " --set workloads.users.open_loop.rate=100/h");
    EXPECT_TRUE(contains(r.out, "faultline: warning: " + file + ":9:7: workloads.users.open_loop.rate 100/h per host gives 0.28 arrivals"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "(5/s, not 5/h)? (with --set workloads.users.open_loop.rate=100/h)\n")) << r.out;
}

TEST(Cli, ListShowsTheScenarios) {
    auto r = faultline("list");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "mm1"));
    EXPECT_TRUE(contains(r.out, "canary"));
}

TEST(Cli, APassingRunExitsZeroAndPrintsItsTraceHash) {
    auto r = faultline("run mm1 --seed 3 --set customers=5000");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "verdict     PASS"));
    EXPECT_TRUE(contains(r.out, "trace hash "));
    EXPECT_FALSE(contains(r.out, "reproduce:"));
}

// Counts are printed whole and the end to the microsecond: a million customers read
// "1.23457e+06" and the end "1.37e+06s", which a trace could not be checked against.
TEST(Cli, LargeCountsAndTimesArePrintedInFull) {
    auto r = faultline("run mm1 --seed 3 --set customers=1234567");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, " 1234567\n")) << r.out;
    EXPECT_FALSE(contains(r.out, "e+0")) << r.out;
    const std::string ran = r.out.substr(r.out.find("ran "), r.out.find('\n', r.out.find("ran ")) - r.out.find("ran "));
    EXPECT_NE(ran.find("."), std::string::npos) << ran << ": the end has its fraction";
}

// The measurements are one column of values, whatever the length of their names: limping-node's
// include "p99 latency stays under 100ms.value_s" (38 characters), longer than the column's
// least width.
TEST(Cli, MeasuredValuesLineUpUnderLongNames) {
    const Result r = faultline("run limping-node --seed 1");
    ASSERT_NE(r.exit_code, 2) << r.out;
    std::istringstream lines(r.out);
    std::string line;
    bool in_block = false;
    std::vector<std::size_t> value_ends;
    bool saw_long_name = false;
    while (std::getline(lines, line)) {
        if (line.rfind("measured", 0) == 0) in_block = true;
        else if (line.rfind("            ", 0) != 0) in_block = false;
        if (!in_block) continue;
        saw_long_name = saw_long_name || contains(line, "p99 latency stays under 100ms.value_s ");
        const std::size_t note = line.find("   (");
        std::string value_part = line.substr(0, note);
        value_part.erase(value_part.find_last_not_of(' ') + 1);
        value_ends.push_back(value_part.size());
    }
    ASSERT_GE(value_ends.size(), 5u) << r.out;
    EXPECT_TRUE(saw_long_name) << r.out;
    for (std::size_t end : value_ends) EXPECT_EQ(end, value_ends.front()) << r.out;
}

TEST(Cli, TheCanaryFailsWithExitOneAndEndsWithTheReproCommand) {
    auto r = faultline("run canary --seed 9");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "FAIL  invariant 'counter stays below limit' violated at 5s"));
    EXPECT_TRUE(contains(r.out, "reproduce: faultline run canary --seed 9\n"));
    EXPECT_EQ(r.out.substr(r.out.rfind("reproduce:")), "reproduce: faultline run canary --seed 9\n");
}

// The reproduce line is a shell command: pasted as it is printed, it runs the same run. Values
// with spaces, a list's brackets and a host range's braces (which bash would expand into four
// arguments) are quoted.
TEST(Cli, TheReproduceLinePastedIntoAShellRunsTheSameRun) {
    auto first = faultline(
        "run bad-deploy-crash-loop --seed 4 --set 'workloads.users.open_loop.diurnal=[1, 2]' "
        "--set workloads.users.open_loop.diurnal_period=45s --set 'services.api.hosts=api-{1..4}' --events-max 100000000");
    ASSERT_EQ(first.exit_code, 1) << first.out;
    const std::string repro = first.out.substr(first.out.rfind("reproduce: ") + 11);
    EXPECT_EQ(repro,
              "faultline run bad-deploy-crash-loop --seed 4 --set 'workloads.users.open_loop.diurnal=[1, 2]' "
              "--set workloads.users.open_loop.diurnal_period=45s --set 'services.api.hosts=api-{1..4}' --events-max 100000000\n");
    auto again = test_support::run_program(std::string(FAULTLINE_BIN) + repro.substr(repro.find(' '), repro.size() - repro.find(' ') - 1));
    ASSERT_EQ(again.exit_code, 1) << again.out;
    const auto hash = [](const std::string& out) { return out.substr(out.find("trace hash"), 27); };
    EXPECT_EQ(hash(again.out), hash(first.out));
}

TEST(Cli, TheSameSeedGivesTheSameHashAndAnotherSeedAnother) {
    auto hash = [](const std::string& out) { return out.substr(out.find("trace hash"), 27); };
    auto a = faultline("run mm1 --seed 5 --set customers=2000");
    auto b = faultline("run mm1 --seed 5 --set customers=2000");
    auto c = faultline("run mm1 --seed 6 --set customers=2000");
    EXPECT_EQ(hash(a.out), hash(b.out));
    EXPECT_NE(hash(a.out), hash(c.out));
}

TEST(Cli, JsonOutputHasEveryDocumentedField) {
    auto r = faultline("run canary --seed 2 --json");
    EXPECT_EQ(r.exit_code, 1);
    auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"scenario", "seed", "verdict", "failure", "events", "virtual_time_ns", "trace_hash",
                            "wall_time_ms", "measurements"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_EQ(j["verdict"], "fail");
    EXPECT_EQ(j["failure"]["invariant"], "counter stays below limit");
    EXPECT_EQ(j["trace_hash"].get<std::string>().size(), 16u);
    EXPECT_EQ(j["measurements"]["counter"], 5.0);
}

TEST(Cli, CheckDeterminismReportsAgreement) {
    auto r = faultline("run mmc --seed 4 --set customers=3000 --check-determinism");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "determinism ok: ran twice, all ")) << r.out;
    EXPECT_TRUE(contains(r.out, " hashed records identical (kernel events included)")) << r.out;
}

TEST(Cli, TraceWritesJsonLines) {
    const std::string path = ::testing::TempDir() + "faultline_cli_trace.jsonl";
    auto r = faultline("run mm1 --seed 1 --set customers=50 --trace " + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    std::ifstream in(path);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line);
        EXPECT_TRUE(j.contains("t_ns"));
        EXPECT_TRUE(j.contains("kind"));
        ++lines;
    }
    EXPECT_EQ(lines, 50);
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
}

// A run traced to FILE.ftrace and to FILE.jsonl: `faultline trace` prints the binary one as
// exactly the other, and its filters keep exactly the records they name.
// ctest runs each test in its own process, two at a time, and each process runs this setup:
// the files are the process's own (test_support::temp_path), or one process would rewrite them
// while another compares them.
class BinaryTraceCli : public ::testing::Test {
protected:
    static std::string scratch(const std::string& name) { return test_support::temp_path("cli_trace_" + name); }
    static void TearDownTestSuite() {
        for (const char* name : {"run.ftrace", "run.jsonl", "out.jsonl", "printed.jsonl", "cut.ftrace", "cut.out", "cut.err"}) {
            std::remove(scratch(name).c_str());
        }
    }
    static void SetUpTestSuite() {
        const std::string run = "run replication-divergence --seed 2 --trace-kernel --trace ";
        ASSERT_EQ(faultline(run + binary).exit_code, 1);  // this seed's regions diverge
        ASSERT_EQ(faultline(run + jsonl).exit_code, 1);
        all = json_lines(read_file(jsonl));
        ASSERT_GT(all.size(), 10000u);
    }
    static std::vector<nlohmann::json> printed(const std::string& args) {
        const std::string out = scratch("out.jsonl");
        const Result r = faultline("trace " + binary + " " + args + " > " + out);
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return json_lines(read_file(out));
    }
    static inline const std::string binary = scratch("run.ftrace");
    static inline const std::string jsonl = scratch("run.jsonl");
    static inline std::vector<nlohmann::json> all;
};

TEST_F(BinaryTraceCli, PrintsTheJsonLinesTheRunWouldHaveWritten) {
    const std::string out = scratch("printed.jsonl");
    ASSERT_EQ(faultline("trace " + binary + " > " + out).exit_code, 0);
    EXPECT_TRUE(read_file(out) == read_file(jsonl));  // byte for byte (not printed: megabytes)
    EXPECT_LT(read_file(binary).size() * 4, read_file(jsonl).size());
}

TEST_F(BinaryTraceCli, FiltersKeepExactlyTheRecordsTheyName) {
    const auto count = [](const std::function<bool(const nlohmann::json&)>& keep) {
        return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), keep));
    };
    const auto faults = printed("--kind fault.");
    EXPECT_EQ(faults.size(), count([](const auto& j) { return j["kind"].template get<std::string>().starts_with("fault."); }));
    EXPECT_GT(faults.size(), 0u);

    const auto two_kinds = printed("--kind fault. --kind rpc.call");
    EXPECT_EQ(two_kinds.size(), faults.size() + count([](const auto& j) { return j["kind"] == "rpc.call"; }));

    const auto world = printed("--host world");
    EXPECT_EQ(world.size(), count([](const auto& j) { return j["host"] == "world"; }));
    EXPECT_GT(world.size(), 0u);

    const auto window = printed("--from 20s --to 21.5s");
    EXPECT_EQ(window.size(), count([](const auto& j) {
                  const auto t = j["t_ns"].template get<std::int64_t>();
                  return t >= 20'000'000'000 && t <= 21'500'000'000;
              }));
    EXPECT_GT(window.size(), 0u);
    EXPECT_LT(window.size(), all.size());
}

TEST_F(BinaryTraceCli, ACutFilePrintsWhatItHasThenSaysWhereItEnds) {
    const std::string cut = scratch("cut.ftrace");
    const std::string bytes = read_file(binary);
    // stdout and stderr to one file: the whole records come first, then the one-line error.
    const std::string out = scratch("cut.out");
    // Half the file, or a byte more when half falls between two records (each is more than a byte;
    // a cut between records is the next test's).
    Result r;
    for (std::size_t more : {0, 1}) {
        std::ofstream(cut, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2 + more);
        r = faultline("trace " + cut + " > " + out);
        if (contains(read_file(out), "ends inside a record")) break;  // the error went to `out`, not r.out
    }
    EXPECT_EQ(r.exit_code, 2) << r.out;
    std::string printed = read_file(out);
    ASSERT_FALSE(printed.empty());
    printed.pop_back();
    const std::string error = printed.substr(printed.rfind('\n') + 1);
    printed.resize(printed.size() - error.size());
    EXPECT_EQ(error.rfind("faultline: error: " + cut + ": byte ", 0), 0u) << error;
    EXPECT_TRUE(contains(error, "ends inside a record")) << error;
    const auto printed_lines = json_lines(printed);
    ASSERT_GT(printed_lines.size(), all.size() / 3);
    ASSERT_LT(printed_lines.size(), all.size());
    EXPECT_TRUE(std::equal(printed_lines.begin(), printed_lines.end(), all.begin()));
}

// A file cut exactly between two records (its end marker gone), or after its header, is not
// taken for a whole one: every record is printed, then one line says it ends short, exit 2.
TEST_F(BinaryTraceCli, AFileCutBetweenRecordsIsNotTakenForWhole) {
    const std::string cut = scratch("cut.ftrace");
    const std::string out = scratch("cut.out");
    const std::string bytes = read_file(binary);
    std::size_t marker = 2;  // the tag and the record count's varint
    for (std::uint64_t n = all.size(); n >= 128; n >>= 7) ++marker;
    std::ofstream(cut, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - marker);
    // Standard output alone in `out`; standard error in Result::out.
    const std::string err = scratch("cut.err");
    Result r = faultline("trace " + cut + " 2>" + err + " >" + out + "; code=$?; cat " + err + "; exit $code");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(r.out, "faultline: error: " + cut + ": byte " + std::to_string(bytes.size() - marker) +
                         ": the file ends without its end marker: the run was cut short or the file truncated; " +
                         std::to_string(all.size()) + " records read\n");
    EXPECT_TRUE(read_file(out) == read_file(jsonl));  // every record first
    std::ofstream(cut, std::ios::binary | std::ios::trunc) << bytes.substr(0, 8);  // the header alone
    r = faultline("trace " + cut);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "byte 8: the file ends without its end marker")) << r.out;
    EXPECT_TRUE(contains(r.out, "; 0 records read")) << r.out;
}

// A --host that no record has: the error names the hosts the file does have, nearest first.
TEST_F(BinaryTraceCli, AHostThatNoRecordHasNamesTheHostsThatDo) {
    Result r = faultline("trace " + binary + " --host worl");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "--host worl: no such host in " + binary + " (did you mean 'world'?)")) << r.out;
    r = faultline("trace " + binary + " --host nosuch");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "--host nosuch: no such host in " + binary + " (the nearest of the ")) << r.out;
    EXPECT_TRUE(contains(r.out, " hosts in it: ")) << r.out;
}

// Durations past the longest are "too long" in one wording, however many digits they have.
TEST_F(BinaryTraceCli, ADurationTooLongIsSaidOneWay) {
    for (const std::string to : {"99999999999h", "9999999999999999999999s"}) {
        const Result r = faultline("trace " + binary + " --to " + to);
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: --to: '" + to + "': too long (at most 2562047h, about 292 years)"))
            << r.out;
    }
}

TEST_F(BinaryTraceCli, BadInputIsOneLineAndExitsTwo) {
    const std::map<std::string, std::string> cases = {
        {"trace " + ::testing::TempDir() + "no-such.ftrace", "cannot read trace file"},
        {"trace " + jsonl, "it looks like a JSON Lines trace"},
        {"trace " + ::testing::TempDir(), "Is a directory"},
        {"trace " + binary + " --from 5s --to 1s", "--to 1s is before --from 5s"},
        {"trace " + binary + " --from soon", "--from"},
        {"trace", "file is required"},
    };
    for (const auto& [args, says] : cases) {
        const Result r = faultline(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: ")) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, says)) << args << "\n" << r.out;
        EXPECT_LE(std::count(r.out.begin(), r.out.end(), '\n'), 2) << args << "\n" << r.out;  // the error, and where to find usage
    }
}

TEST(Cli, BadInputIsOneLineAndExitsTwo) {
    for (const std::string args :
         {"run mm2", "run mm1 --set lamda=1", "run mm1 --set lambda=fast", "run mm1 --seed x", "run", "frobnicate",
          "run mm1 --set nonsense", "run mm1 --time-max 5",
          // 100,000 workers would run out of file descriptors mid-job
          "fuzz canary --seeds 1..3 -j 100000 --out /nonexistent/never-written",
          "sweep mm1 --grid lambda=0.1..0.5:0.1 --seeds 1 --jobs 5000",
          // 0 meant "not given" and ran without a limit; -1 wrapped round to 2^64 - 1
          "run mm1 --events-max 0", "run mm1 --events-max -1",
          // every run was a runaway at once, every seed a finding
          "run mm1 --time-max 0s", "fuzz canary --seeds 1..3 --time-max 0s --out /nonexistent/never",
          "sweep mm1 --grid lambda=0.1..0.5:0.1 --runs-max -1",
          // a run given no wall-clock time at all was killed and reported as hung
          "compare mm1 --b-set customers=10 --timeout 0s", "sweep mm1 --grid lambda=0.1,0.2 --timeout 0ms",
          "fuzz canary --seeds 1..3 --time 0s --out /nonexistent/never-written",
          "compare mm1 --b-set customers=10 --jobs 3",
          // spdlog made the missing directory; every other output refuses it
          "run mm1 --trace /nonexistent/never-written/t.jsonl"}) {
        auto r = faultline(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: ")) << args << "\n" << r.out;
        EXPECT_FALSE(contains(r.out, "terminate")) << args;
    }
    EXPECT_TRUE(contains(faultline("run mm2").out, "did you mean 'mm1'?"));
    // --trace-kernel without --trace changed nothing, silently.
    for (const std::string cmd : {"run mm1", "replay /nonexistent.json"}) {
        const Result r = faultline(cmd + " --trace-kernel");
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: --trace-kernel requires --trace")) << r.out;
    }
}

// A runaway ended at a time of its own: fuzz's findings say when, as for a failure (and as its
// JUnit did); it said only "fastest: seed 1".
TEST(Cli, AFuzzedRunawaySaysWhenItsFastestSeedRanAway) {
    const std::string dir = test_support::temp_path("fuzz-runaway");
    std::filesystem::remove_all(dir);
    const Result r = faultline("fuzz mm1 --seeds 1..2 --events-max 1000 --progress none --out " + dir);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex("runaway: event limit reached\n      2 seeds \\(1, 2\\); fastest: seed [12] at [0-9.]+s\n")))
        << r.out;
}

// --buggify arms the buggify() sites a run reaches; the shipped models have none, so it armed
// nothing, silently, and a fuzz job with it tested nothing more than without.
TEST(Cli, BuggifyInAWorldWithoutASiteSaysItArmedNothing) {
    const Result run = faultline("run mm1 --buggify");
    EXPECT_TRUE(contains(run.out,
                         "faultline: warning: --buggify armed nothing: the run reached no buggify() site (the "
                         "built-in models and scenario files have none"))
        << run.out;
    EXPECT_TRUE(contains(run.out, "trace hash")) << run.out;
    EXPECT_FALSE(contains(faultline("run mm1").out, "warning")) << faultline("run mm1").out;
    const std::string dir = test_support::temp_path("fuzz-buggify");
    std::filesystem::remove_all(dir);
    const Result fuzz = faultline("fuzz mm1 --seeds 1..2 --buggify --progress none --out " + dir);
    EXPECT_EQ(fuzz.exit_code, 0) << fuzz.out;
    EXPECT_TRUE(contains(fuzz.out,
                         "faultline: warning: --buggify armed nothing: none of the 2 runs reached a "
                         "buggify() site"))
        << fuzz.out;
    std::filesystem::remove_all(dir);
}

TEST(Cli, ARunawayExitsOneAndSaysWhy) {
    auto r = faultline("run mm1 --events-max 100");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.out, "RUNAWAY  event limit reached"));
}

TEST(Cli, HelpIsForNewcomers) {
    auto r = faultline("--help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "faultline run mm1 --seed 1"));
    auto run_help = faultline("run --help");
    EXPECT_TRUE(contains(run_help.out, "--check-determinism"));
    EXPECT_TRUE(contains(run_help.out, "--seed"));
}

}  // namespace

namespace {

const std::string kSource = FAULTLINE_SOURCE_DIR;

TEST(CliScenarioFiles, ABadFileIsOneLineWithItsLocationAndExitsTwo) {
    const std::string path = ::testing::TempDir() + "/cli-bad.yaml";
    std::ofstream(path) << "name: bad\nservices:\n  api:\n    hosts: api-1\n    cpuu: fixed(1ms)\n";
    const Result r = faultline("run " + path + " --seed 1");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(r.out, "faultline: error: " + path + ":5:5: services.api: unknown key 'cpuu' (did you mean 'cpu'?)\n");
    // A --set does not mend a file that does not load on its own, and the error says so.
    const Result mend = faultline("run " + path + " --seed 1 --set 'services.api.cpu=fixed(1ms)'");
    EXPECT_EQ(mend.exit_code, 2) << mend.out;
    EXPECT_EQ(mend.out,
              "faultline: error: " + path +
                  ":5:5: services.api: unknown key 'cpuu' (did you mean 'cpu'?) (the file as written: --set changes a "
                  "file that loads on its own)\n");
    // A --set on a file is checked the same way.
    const Result s = faultline("run limping-node --seed 1 --set workloads.users.open_loop.rate=fast");
    EXPECT_EQ(s.exit_code, 2) << s.out;
    EXPECT_TRUE(contains(s.out, "workloads.users.open_loop.rate")) << s.out;
}

// A rate that gives less than one arrival in the run (here through --set) is a warning on stderr,
// with the file's place for the workload; the run still goes on to its verdict.
TEST(CliScenarioFiles, ARateTooLowForOneArrivalIsWarnedAboutAndTheRunGoesOn) {
    const Result r = faultline("run limping-node --seed 1 --set workloads.users.open_loop.rate=1/h");
    EXPECT_NE(r.exit_code, 2) << r.out;
    // At the open_loop section, where the rate is (24:5 is the workload's hosts), naming the setting.
    EXPECT_TRUE(contains(r.out, "faultline: warning: " + kSource + "/scenarios/limping-node.yaml:25:16: workloads.users.open_loop.rate "
                                "1/h per host gives 0.025 arrivals on average in the whole run (1 host, 90s)"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "(with --set workloads.users.open_loop.rate=1/h)\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "trace hash")) << r.out;
    const Result fine = faultline("run limping-node --seed 1");
    EXPECT_FALSE(contains(fine.out, "warning")) << fine.out;
}

// A FIFO or a device named as the scenario: not "no scenario file" (it is there) nor "unknown
// scenario"; and never read (a FIFO no one writes would hang).
TEST(CliScenarioFiles, ADeviceOrAPipeIsNotAScenarioFile) {
    const std::string fifo = test_support::temp_path("pipe.yaml");
    std::filesystem::remove(fifo);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
    for (const std::string& path : {fifo, std::string("/dev/null")}) {
        const Result r = faultline("run " + path);
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: '" + path +
                                        "' is not a regular file (a device or a pipe), not a scenario file; "))
            << r.out;
    }
    // Asked for alone, a file that does not load is an error (it was listed as "does not load",
    // exit 0); a directory is no scenario file either.
    const std::string dir = test_support::temp_path("dir.yaml");
    std::filesystem::create_directories(dir);
    for (const auto& [path, why] : {std::pair{fifo, std::string("is not a regular file (a device or a pipe)")},
                                    std::pair{dir, std::string("is a directory")}}) {
        const Result r = faultline("list --options " + path);
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_EQ(r.out, "faultline: error: " + path + ": " + why + ", not a scenario file\n");
    }
    // Nor an artifact or regression file: a FIFO hung run, replay and shrink, and replay of /dev/zero filled memory.
    const std::string fifo_json = test_support::temp_path("pipe.json");
    std::filesystem::remove(fifo_json);
    ASSERT_EQ(::mkfifo(fifo_json.c_str(), 0644), 0);
    for (const std::string& command :
         {"run " + fifo_json, "replay " + fifo_json, "shrink " + fifo_json, std::string("replay /dev/zero")}) {
        const Result r = faultline(command);
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, ": is not a regular file (a device or a pipe), not a JSON file")) << command << "\n"
                                                                                                      << r.out;
    }
    std::filesystem::remove(fifo);
    std::filesystem::remove(fifo_json);
    std::filesystem::remove(dir);
}

// A --set description is the run's: the header said the file's while the report and result
// said the new one.
TEST(CliScenarioFiles, ARunsHeaderShowsTheDescriptionItsSettingsGaveIt) {
    const Result r = faultline("run limping-node --seed 1 --set 'description=A node that limps. More words'");
    EXPECT_TRUE(contains(r.out, "scenario    limping-node  (A node that limps.)\n")) << r.out;
    const Result empty = faultline("run limping-node --seed 1 --set description=");  // none, as the result says
    EXPECT_TRUE(contains(empty.out, "scenario    limping-node\n")) << empty.out;
    EXPECT_TRUE(
        contains(faultline("run limping-node --seed 1").out, "scenario    limping-node  (One of four backends"));
}

TEST(CliScenarioFiles, ListKeysIsTheLanguageReference) {
    const Result r = faultline("list --keys");
    EXPECT_EQ(r.exit_code, 0);
    for (const std::string key : {"services.NAME.cache.coalesce", "faults[].at", "invariants[].recovers.relapse_share",
                                  "workloads.NAME.open_loop.keys", "models.NAME.options"}) {
        EXPECT_TRUE(contains(r.out, key)) << key;
    }
}

TEST(CliModelKinds, AProgramWithItsOwnKindRunsFilesThatUseIt) {
    const std::string example = FAULTLINE_EXAMPLE_BIN;
    const std::string file = kSource + "/examples/custom-model/checkout.yaml";
    const Result r = test_support::run_program(example + " run " + file + " --seed 1");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "provider.refused")) << r.out;
    EXPECT_TRUE(contains(r.out, "trace hash")) << r.out;
    const Result kinds = test_support::run_program(example + " list --kinds");
    EXPECT_TRUE(contains(kinds.out, "quota_api")) << kinds.out;
    EXPECT_TRUE(contains(kinds.out, "quota:")) << kinds.out;
    // The plain faultline program has no such kind: a clear error, not a crash.
    const Result plain = faultline("run " + file);
    EXPECT_EQ(plain.exit_code, 2) << plain.out;
    EXPECT_TRUE(contains(plain.out, "checkout.yaml:13:5: models.provider: no model kind 'quota_api'")) << plain.out;
}

}  // namespace

namespace {

TEST(Cli, AMistypedCommandIsNamedWithTheNearestOne) {
    const Result r = faultline("lsit");
    EXPECT_EQ(r.exit_code, 2);
    // Two neighbouring letters swapped are one typo, even in a short word.
    EXPECT_TRUE(contains(r.out, "faultline: error: unknown command 'lsit' (did you mean 'list'?)")) << r.out;
    EXPECT_TRUE(contains(faultline("rnu x").out, "unknown command 'rnu' (did you mean 'run'?)"));
    const Result s = faultline("replya x.json");
    EXPECT_TRUE(contains(s.out, "did you mean 'replay'?")) << s.out;
}

TEST(Cli, AMistypedOptionIsNamedWithTheNearestOneAndTheCommandsHelp) {
    const Result r = faultline("run mm1 --seeed 1");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(
        r.out,
        "faultline: error: unknown option '--seeed' for 'run' (did you mean '--seed'?); see 'faultline run --help'\n");
    const Result bare = faultline("--bogus");
    EXPECT_EQ(bare.exit_code, 2);
    EXPECT_EQ(
        bare.out,
        "faultline: error: unknown option '--bogus' (an option goes after its command: 'faultline run --seed 3 ...'); "
        "see 'faultline --help'\n");
    EXPECT_EQ(
        faultline("--seed 3 run mm1").out,
        "faultline: error: unknown option '--seed' (an option goes after its command: 'faultline run --seed 3 ...'); "
        "see 'faultline --help'\n");
    EXPECT_EQ(faultline("--verison").out,
              "faultline: error: unknown option '--verison' (did you mean '--version'?); see 'faultline --help'\n");
    EXPECT_EQ(faultline("--version").exit_code, 0);
    // A letter for the program's own option it begins; '--' alone is not a slip for '-h'.
    EXPECT_EQ(faultline("-V").out,
              "faultline: error: unknown option '-V' (did you mean '--version'?); see 'faultline --help'\n");
    EXPECT_EQ(faultline("--").out,
              "faultline: error: '--' before any command (the command comes first: 'faultline run mm1 --seed 3'); see "
              "'faultline --help'\n");
    // CLI11's wording of a missing value and a stray argument, in ours.
    EXPECT_EQ(faultline("run mm1 --seed").out, "faultline: error: --seed needs a value; see 'faultline run --help'\n");
    EXPECT_EQ(faultline("run mm1 --seed 1 --seed 2").out,
              "faultline: error: --seed given 2 times (it takes one value); see 'faultline run --help'\n");
    EXPECT_EQ(faultline("compare mm1 --jobs 3").out,
              "faultline: error: --jobs: '3': must be from 1 to 2; see 'faultline compare --help'\n");
    EXPECT_EQ(faultline("run mm1 extra").out,
              "faultline: error: unexpected argument 'extra'; see 'faultline run --help'\n");
    EXPECT_EQ(faultline("run mm1 a b").out,
              "faultline: error: unexpected arguments 'a' 'b'; see 'faultline run --help'\n");
    EXPECT_EQ(faultline("run mm1 \"a b\" c").out,  // as given, one quoted argument with a space
              "faultline: error: unexpected arguments 'a b' 'c'; see 'faultline run --help'\n");
    // A short option before the command is not a slip for '-h'; one dash for a long name is named.
    EXPECT_EQ(faultline("-j 2 fuzz mm1").out,
              "faultline: error: unknown option '-j' (an option goes after its command: 'faultline run --seed 3 ...'); "
              "see 'faultline --help'\n");
    EXPECT_EQ(
        faultline("run mm1 -seed 1").out,
        "faultline: error: unknown option '-seed' for 'run' (did you mean '--seed'?); see 'faultline run --help'\n");
    EXPECT_EQ(faultline("run mm1 -q").out,
              "faultline: error: unknown option '-q' for 'run'; see 'faultline run --help'\n");
    // ... also where its first letter is a short option ('-jobs' read as '-j obs').
    EXPECT_EQ(
        faultline("fuzz mm1 -jobs 2").out,
        "faultline: error: unknown option '-jobs' for 'fuzz' (did you mean '--jobs'?); see 'faultline fuzz --help'\n");
    EXPECT_EQ(faultline("report r.json -out x.html").out,
              "faultline: error: unknown option '-out' for 'report' (did you mean '--out'?); see 'faultline report "
              "--help'\n");
    EXPECT_EQ(faultline("list --markdown").out,
              "faultline: error: --markdown goes with --keys (the keys' reference as a Markdown table)\n");
    // What list would drop without a word: a scenario or --options beside --keys or --kinds.
    EXPECT_EQ(faultline("list --keys mm1").out,
              "faultline: error: --keys lists what any scenario file may hold, not one scenario's ('mm1'): for its "
              "options, 'list mm1 --options'\n");
    EXPECT_EQ(faultline("list --kinds --options").out,
              "faultline: error: --kinds and --options are two lists: give one of them\n");
    EXPECT_EQ(faultline("list --keys --kinds").out,
              "faultline: error: --keys and --kinds are two lists: give one of them\n");
    EXPECT_EQ(faultline("list --kinds mm1").exit_code, 2);
}

TEST(Cli, ADirectoryIsNotTakenForAScenarioName) {
    const Result r = faultline(std::string("run ") + FAULTLINE_SOURCE_DIR + "/scenarios");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.out, "/scenarios' is a directory, not a scenario file; 'faultline list' shows the scenarios")) << r.out;
}

TEST(Cli, AScenarioSettingWrittenAsAnOptionPointsToSet) {
    // A scenario file's setting, misspelt, with its value after it or after '='.
    const Result r = faultline("run cache-flush-stampede --durtion 10s");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out,
              "faultline: error: unknown option '--durtion' for 'run' (to change the scenario's duration: --set "
              "duration=10s); "
              "see 'faultline run --help'\n");
    EXPECT_TRUE(contains(faultline("run cache-flush-stampede --metrics-interval=2s").out, "--set metrics_interval=2s)")) << "dashes for underscores";
    // A built-in scenario's option, with the scenario after the option's value.
    EXPECT_TRUE(contains(faultline("run --seed 3 mm1 --lamda 0.5").out, "(to change the scenario's lambda: --set lambda=0.5)"));
    // Nothing near, or no scenario named: no hint.
    EXPECT_EQ(faultline("run mm1 --frobnicate 2").out,
              "faultline: error: unknown option '--frobnicate' for 'run'; see 'faultline run --help'\n");
    EXPECT_FALSE(contains(faultline("run nosuch --duration 3s").out, "--set"));
}

}  // namespace

namespace {

TEST(Cli, ANegativeSeedIsRefusedNotWrappedAround) {
    const Result r = faultline("run mm1 --seed -3");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.out, "a seed is a number from 0 to 18446744073709551615")) << r.out;
}

// A seed copied from somewhere must be the seed that runs: past 2^64 - 1 is refused (CLI11 would
// saturate), and a leading zero is decimal (CLI11 would read 010 as octal 8).
TEST(Cli, ASeedIsTheDecimalNumberWrittenOrRefused) {
    for (const char* big : {"18446744073709551616", "99999999999999999999"}) {
        const Result r = faultline(std::string("run mm1 --seed ") + big);
        EXPECT_EQ(r.exit_code, 2) << big;
        EXPECT_TRUE(contains(r.out, "a seed is a number from 0 to 18446744073709551615")) << r.out;
    }
    EXPECT_TRUE(contains(faultline("run mm1 --seed 18446744073709551615").out, "seed        18446744073709551615\n"));
    const Result zero_led = faultline("run mm1 --seed 010");
    EXPECT_EQ(zero_led.exit_code, 0) << zero_led.out;
    EXPECT_TRUE(contains(zero_led.out, "seed        10\n")) << zero_led.out;
    auto hash_line = [](const std::string& out) {
        const std::size_t at = out.find("trace hash");
        return at == std::string::npos ? std::string("no trace hash") : out.substr(at, out.find('\n', at) - at);
    };
    EXPECT_EQ(hash_line(zero_led.out), hash_line(faultline("run mm1 --seed 10").out));
    EXPECT_TRUE(contains(faultline("compare mm1 --b-set lambda=0.5 --seed 010").out,
                         "faultline run mm1 --seed 10; trace hash "));
}

TEST(Cli, ABadSetOnAFileIsReportedAsTheSetNotTheFileLine) {
    const Result r = faultline("run cache-flush-stampede --set services.api.queue.workers_max=0");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.out, "(--set): services.api.queue.workers_max: must be at least 1")) << r.out;
}

}  // namespace
