// The files and standard output the commands write, when they cannot all be written: two flags
// naming one file are refused before anything runs (else one write silently replaces the other),
// and a write that fails (a full disk: /dev/full) is an error, exit 2, after the results are
// shown, never instead of them. Also the small output bugs of the report commands: a Perfetto
// file's three counts agree, sweep's and compare's errors name the right flag and value, and
// `trace --host` with a host the file lacks says so.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "support/run_program.hpp"

namespace {

using test_support::read_file;
using test_support::Result;
namespace fs = std::filesystem;

const std::string stampede = std::string(FAULTLINE_SOURCE_DIR) + "/tests/report/data/small-stampede.yaml";

Result faultline(const std::string& args) { return test_support::run_program(std::string(FAULTLINE_BIN) + " " + args); }
// stdout to `target`, stderr kept (run_program adds 2>&1 after the group).
Result faultline_stdout_to(const std::string& args, const std::string& target) {
    return test_support::run_program("{ " + std::string(FAULTLINE_BIN) + " " + args + " 2>&1 >" + target + "; }");
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// A fresh directory per test, the current directory of the commands run in it.
fs::path scratch() { return test_support::test_dir("outputs"); }

// `cd DIR && faultline ARGS`: the paths of the cases read as the tester typed them.
Result faultline_in(const fs::path& dir, const std::string& args) {
    return test_support::run_program("cd " + dir.string() + " && " + std::string(FAULTLINE_BIN) + " " + args);
}

bool have_dev_full() { return fs::exists("/dev/full"); }

TEST(OutputFiles, TwoFlagsNamingOneFileAreRefusedBeforeTheRunNamingBoth) {
    const fs::path dir = scratch();
    fs::create_directories(dir / "sub");
    std::ofstream(dir / "a.json") << "{}";  // a result file for `report` (refused before it is read)
    const std::pair<std::string, std::string> cases[] = {
        {"run mm1 --seed 3 --report again.md",
         "--report again.md: its Markdown summary would be the same file; give the report a name ending in .html"},
        {"report a.json -o b.md",
         "-o b.md: its Markdown summary would be the same file; give the report a name ending in .html"},
        {"run mm1 --seed 3 --report u.html --result u.md",
         "--report u.html's Markdown summary u.md and --result u.md are the same file; give each its own name"},
        {"run mm1 --seed 3 --report s.html --result s.html",
         "--report s.html and --result s.html are the same file; give each its own name"},
        {"run mm1 --seed 3 --result v.json --perfetto v.json",
         "--result v.json and --perfetto v.json are the same file; give each its own name"},
        {"run mm1 --seed 3 --trace w.jsonl --perfetto w.jsonl",
         "--perfetto w.jsonl and --trace w.jsonl are the same file; give each its own name"},
        {"run mm1 --seed 3 --report y.html --trace y.md",
         "--report y.html's Markdown summary y.md and --trace y.md are the same file; give each its own name"},
        // The same file by another path.
        {"run mm1 --seed 3 --result x.json --perfetto sub/../x.json",
         "--result x.json and --perfetto sub/../x.json are the same file; give each its own name"},
        {"compare " + stampede + " --b-variant warmup-limit --report c.html --result c.md",
         "--report c.html's Markdown summary c.md and --result c.md are the same file; give each its own name"},
        {"sweep " + stampede + " --grid load=300 --seeds 1 --report d.html --result d.html",
         "--report d.html and --result d.html are the same file; give each its own name"},
        {"report a.json -o a.json", "-o a.json would overwrite the result file a.json"},
        {"report a.json --out a.json", "--out a.json would overwrite the result file a.json"},
        {"report a.json -o a.md",
         "-o a.md: its Markdown summary would be the same file; give the report a name ending in .html"},
        {"report a.json a.json",
         "the first result file a.json and the second result file a.json are the same file; give two runs"},
    };
    for (const auto& [args, message] : cases) {
        const Result r = faultline_in(dir, args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_EQ(r.out, "faultline: error: " + message + "\n") << args;
    }
    // Nothing ran: no file was written (a.json and sub/ were there before).
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename().string());
    std::sort(left.begin(), left.end());
    EXPECT_EQ(left, (std::vector<std::string>{"a.json", "sub"}));
}

// No output may overwrite what the command reads: the scenario file, the artifact, its scenario
// file, a fuzzing job's own files or a merge's input shards. Each was destroyed before (run
// --result own.yaml turned the scenario into JSON; --junit DIR/results.jsonl the job's truth into
// XML). Refused before anything runs, exit 2, one line, the input untouched.
TEST(OutputFiles, NoOutputOverwritesWhatTheCommandReads) {
    const fs::path dir = scratch();
    fs::copy_file(stampede, dir / "own.yaml");
    // An artifact of the file's scenario: it fails on seed 1.
    ASSERT_EQ(faultline_in(dir, "fuzz own.yaml --seeds 1..1 --progress none --out job").exit_code, 1);
    std::string artifact;
    for (const auto& e : fs::directory_iterator(dir / "job" / "artifacts")) artifact = e.path().filename().string();
    ASSERT_FALSE(artifact.empty());
    fs::copy_file(dir / "job" / "artifacts" / artifact, dir / "a.json");
    ASSERT_EQ(faultline_in(dir, "fuzz own.yaml --seeds 2..2 --progress none --out shard").exit_code, 1);
    const std::string scenario_before = read_file((dir / "own.yaml").string());
    const std::string artifact_before = read_file((dir / "a.json").string());
    const std::string results_before = read_file((dir / "job" / "results.jsonl").string());
    const std::string shard_before = read_file((dir / "shard" / "results.jsonl").string());
    fs::create_hard_link(dir / "own.yaml", dir / "hard.json");  // the file by another name: one inode
    fs::create_hard_link(dir / "job" / "results.jsonl", dir / "results-link.xml");
    const std::pair<std::string, std::string> cases[] = {
        {"run own.yaml --result own.yaml", "--result own.yaml would overwrite the scenario file own.yaml"},
        {"run own.yaml --trace -", "--trace -: name a file (standard output is where the command prints)"},
        {"run own.yaml --report -", "--report -: name a file (standard output is where the command prints)"},
        {"fuzz own.yaml --seeds 1..1 --out j2 --junit -",
         "--junit -: name a file (standard output is where the command prints)"},
        {"fuzz own.yaml --seeds 1..1 --out -",
         "--out -: name a directory (standard output is where the command prints)"},
        {"merge job shard --out m3 --junit -", "--junit -: name a file (standard output is where the command prints)"},
        {"merge job shard --out -", "--out -: name a directory (standard output is where the command prints)"},
        {"run own.yaml --result hard.json", "--result hard.json would overwrite the scenario file own.yaml"},
        {"shrink a.json -o hard.json", "-o hard.json would overwrite the artifact's scenario file own.yaml"},
        {"run own.yaml --trace ./own.yaml", "--trace ./own.yaml would overwrite the scenario file own.yaml"},
        {"run own.yaml --report own.html --perfetto own.yaml",
         "--perfetto own.yaml would overwrite the scenario file own.yaml"},
        {"sweep own.yaml --grid load=300 --seeds 1 --result own.yaml",
         "--result own.yaml would overwrite the scenario file own.yaml"},
        {"compare own.yaml --b-set workloads.users.open_loop.rate=300/s --report own.yaml",
         "--report own.yaml would overwrite the scenario file own.yaml"},
        {"replay a.json --trace a.json", "--trace a.json would overwrite the artifact a.json"},
        {"run a.json --result a.json", "--result a.json would overwrite the artifact a.json"},
        {"shrink a.json -o ./a.json", "-o ./a.json would overwrite the artifact a.json"},
        {"shrink a.json -o a.yaml",
         "-o a.yaml: the regression is written as JSON, and its scenario file beside it as a.yaml"},
        {"shrink a.json -o own.json",
         "the regression's scenario file own.yaml would overwrite the artifact's scenario file own.yaml"},
        {"fuzz own.yaml --seeds 1..1 --out job --resume --junit job/results.jsonl",
         "--junit job/results.jsonl: is the job's results.jsonl (job); name a file of its own, e.g. job/junit.xml"},
        {"fuzz own.yaml --seeds 1..1 --out job --resume --junit results-link.xml",
         "--junit results-link.xml: is the job's results.jsonl (job)"},
        {"fuzz own.yaml --seeds 1..1 --out job --resume --junit job/artifacts/" + artifact,
         "--junit job/artifacts/" + artifact + ": is in the job's artifacts directory (job)"},
        // The scenario file a job reads again on --resume.
        {"fuzz own.yaml --seeds 1..1 --out j3 --junit own.yaml",
         "--junit own.yaml would overwrite the scenario file own.yaml"},
        {"merge job shard --out m4 --junit hard.json", "--junit hard.json would overwrite the scenario file own.yaml"},
        {"merge job shard --out merged --junit shard/results.jsonl",
         "--junit shard/results.jsonl: is the job's results.jsonl ("},
        {"fuzz own.yaml --seeds 1..1 --out job/artifacts/inner",
         "--out job/artifacts/inner: is inside the fuzzing job "},
        {"shrink a.json -o job/results.jsonl", "-o job/results.jsonl: is the job's results.jsonl ("},
        {"shrink a.json -o job/artifacts/" + artifact,
         "-o job/artifacts/" + artifact + ": is in the job's artifacts directory ("},
        {"run own.yaml --result job/summary.json", "--result job/summary.json: is the job's summary.json ("},
        {"merge job shard --out shard/merged",
         "merge: --out shard/merged is inside the input shard; choose a directory outside the inputs"},
        // Above a job: this directory would become a job enclosing it, and that one could no
        // longer be resumed (it "is inside the fuzzing job").
        {"fuzz own.yaml --seeds 1..1 --out .", "--out .: holds the fuzzing job "},
        {"merge job --out .", "--out .: holds the fuzzing job "},
        {"merge shard --out job/artifacts/m", "--out job/artifacts/m: is inside the fuzzing job "},
    };
    for (const auto& [args, message] : cases) {
        const Result r = faultline_in(dir, args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: " + message)) << args << "\n" << r.out;
        EXPECT_EQ(lines(r.out), 1u) << args << "\n" << r.out;
    }
    // From another directory an artifact finds its scenario file by the absolute path it recorded:
    // that file is what is protected (the path as typed names nothing from there), so
    // `replay --trace` did not empty it, nor `shrink -o` replace it with the regression.
    fs::create_directories(dir / "elsewhere");
    const std::string own = (dir / "own.yaml").lexically_normal().string();
    const std::pair<std::string, std::string> elsewhere[] = {
        {"replay ../a.json --trace ../own.yaml",
         "--trace ../own.yaml would overwrite the artifact's scenario file " + own},
        {"shrink ../a.json -o ../own.json",
         "the regression's scenario file ../own.yaml would overwrite the artifact's scenario file " + own},
    };
    for (const auto& [args, message] : elsewhere) {
        const Result r = faultline_in(dir / "elsewhere", args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_EQ(r.out, "faultline: error: " + message + "\n") << args;
    }
    EXPECT_FALSE(fs::exists(dir / "j3"));
    EXPECT_FALSE(fs::exists(dir / "m4"));
    // A trace file at the scenario's path as recorded, made there by the replay itself, would be
    // read as the scenario (the path as typed comes first): it loaded its own empty trace file.
    // Refused, and nothing is made.
    const Result same_name = faultline_in(dir / "elsewhere", "replay ../a.json --trace own.yaml");
    EXPECT_EQ(same_name.exit_code, 2) << same_name.out;
    EXPECT_EQ(same_name.out,
              "faultline: error: --trace own.yaml would be read as the scenario: it is the scenario's "
              "path as recorded (own.yaml), which is read before " +
                  own + " wherever it holds a file; name another file\n");
    EXPECT_FALSE(fs::exists(dir / "elsewhere" / "own.yaml"));
    // Where a copy holds the recorded path, it is the scenario, and is kept as the file is.
    fs::copy_file(dir / "own.yaml", dir / "elsewhere" / "own.yaml");
    const Result copy_kept = faultline_in(dir / "elsewhere", "replay ../a.json --trace own.yaml");
    EXPECT_EQ(copy_kept.exit_code, 2) << copy_kept.out;
    EXPECT_EQ(copy_kept.out,
              "faultline: error: --trace own.yaml would overwrite the artifact's scenario file own.yaml\n");
    EXPECT_EQ(faultline_in(dir / "elsewhere", "replay ../a.json").exit_code, 0);  // the copy reproduces
    // Every merged directory's scenario file is kept from --junit, a copy of it elsewhere too.
    fs::create_directories(dir / "copy");
    fs::copy_file(dir / "own.yaml", dir / "copy" / "own.yaml");
    ASSERT_EQ(faultline_in(dir / "copy", "fuzz own.yaml --seeds 3..3 --progress none --out ../shard3").exit_code, 1);
    const std::string copy = (dir / "copy" / "own.yaml").lexically_normal().string();
    const Result junit_copy = faultline_in(dir, "merge job shard3 --out m5 --junit copy/own.yaml");
    EXPECT_EQ(junit_copy.exit_code, 2) << junit_copy.out;
    EXPECT_EQ(junit_copy.out,
              "faultline: error: --junit copy/own.yaml would overwrite the scenario file " + copy + "\n");
    EXPECT_EQ(read_file(copy), scenario_before);
    // A full disk is the machine's answer, not faultline's defect: one line, exit 2 (it was
    // "internal error", exit 3, after every candidate run).
    const Result full = faultline_in(dir, "shrink a.json -o /dev/full");
    EXPECT_EQ(full.exit_code, 2) << full.out;
    EXPECT_TRUE(contains(full.out, "faultline: error: cannot write /dev/full: No space left on device\n")) << full.out;
    // Without -o, an artifact of a job shrinks into the current directory, not into the job's.
    const Result by_default = faultline_in(dir, "shrink job/artifacts/" + artifact + " --runs-max 3");
    EXPECT_EQ(by_default.exit_code, 0) << by_default.out;
    const std::string stem = fs::path(artifact).stem().string();
    EXPECT_TRUE(fs::exists(dir / (stem + ".shrunk.json"))) << by_default.out;
    EXPECT_FALSE(fs::exists(dir / "job" / "artifacts" / (stem + ".shrunk.json")));
    EXPECT_EQ(read_file((dir / "own.yaml").string()), scenario_before);
    EXPECT_EQ(read_file((dir / "a.json").string()), artifact_before);
    EXPECT_EQ(read_file((dir / "job" / "results.jsonl").string()), results_before);
    EXPECT_EQ(read_file((dir / "shard" / "results.jsonl").string()), shard_before);
    EXPECT_FALSE(fs::exists(dir / "merged"));
    EXPECT_FALSE(fs::exists(dir / "shard" / "merged"));
    EXPECT_FALSE(fs::exists(dir / "job" / "artifacts" / "inner"));
    // Two inputs may be one file: an A/B of one scenario file against itself with a change.
    EXPECT_EQ(
        faultline_in(dir, "compare own.yaml own.yaml --b-set workloads.users.open_loop.rate=300/s --result ab.json")
            .exit_code,
        0);
    // A run its file refuses (a --set it cannot take) leaves an earlier trace file as it was.
    std::ofstream(dir / "t.ftrace") << "earlier";
    const Result refused = faultline_in(dir, "run own.yaml --set duration=1h --trace t.ftrace");
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_EQ(read_file((dir / "t.ftrace").string()), "earlier");
}

TEST(OutputFiles, AReportWhoseSummaryIsADirectoryIsRefusedBeforeTheRun) {
    const fs::path dir = scratch();
    fs::create_directories(dir / "r.md");
    const Result r = faultline_in(dir, "run mm1 --seed 3 --report r.html");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(r.out, "faultline: error: --report r.html: its Markdown summary r.md is a directory\n");
    EXPECT_FALSE(fs::exists(dir / "r.html"));
}

TEST(OutputFiles, ADeviceMayTakeSeveralOutputs) {
    const Result r = faultline("run mm1 --seed 3 --result /dev/null --perfetto /dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

// `faultline ARGS` in a directory where `full` is /dev/full: it exits 2, and its output shows the
// verdict and trace hash, ends with `error` (after the verdict), and has no spdlog line of its own.
Result run_into_a_full_disk(const fs::path& dir, const std::string& full, const std::string& args,
                            const std::string& error) {
    fs::create_symlink("/dev/full", dir / full);
    const Result r = faultline_in(dir, args);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.out, "verdict     ")) << r.out;
    EXPECT_TRUE(contains(r.out, "trace hash ")) << r.out;
    EXPECT_FALSE(contains(r.out, "LOG ERROR")) << r.out;
    const std::string last = "faultline: error: " + error + "\n";
    EXPECT_TRUE(r.out.size() >= last.size() && r.out.substr(r.out.size() - last.size()) == last)
        << "the last line, after the verdict: " << r.out;
    return r;
}

TEST(OutputFiles, ATraceThatCannotBeWrittenIsAnErrorAfterTheVerdict) {
    if (!have_dev_full()) GTEST_SKIP() << "no /dev/full";
    const Result r = run_into_a_full_disk(scratch(), "full.jsonl", "run mm1 --seed 3 --trace full.jsonl",
                                          "--trace full.jsonl: writing failed: No space left on device");
    EXPECT_TRUE(contains(r.out, "verdict     PASS")) << r.out;
    // The binary form too: BinaryTraceFile writes through its own file sink, whose error it keeps.
    const Result binary = run_into_a_full_disk(scratch(), "full.ftrace", "run mm1 --seed 3 --trace full.ftrace",
                                               "--trace full.ftrace: writing failed: No space left on device");
    EXPECT_TRUE(contains(binary.out, "verdict     PASS")) << binary.out;
}

TEST(OutputFiles, AReplaysTraceThatCannotBeWrittenIsAnErrorAfterItsConclusion) {
    if (!have_dev_full()) GTEST_SKIP() << "no /dev/full";
    const fs::path dir = scratch();
    // A failure artifact: planted-harness fails seed 4 with fail_every=4.
    ASSERT_EQ(
        faultline_in(dir, "fuzz planted-harness --seeds 4..4 --set fail_every=4 --progress none --out job").exit_code,
        1);
    std::string artifact;
    for (const auto& e : fs::directory_iterator(dir / "job" / "artifacts")) artifact = e.path().string();
    ASSERT_FALSE(artifact.empty());
    for (const char* name : {"full.ftrace", "full.jsonl"}) {
        fs::create_symlink("/dev/full", dir / name);
        const Result r = faultline_in(dir, "replay " + artifact + " --trace " + name);
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_TRUE(contains(r.out, "reproduced: trace hash matches")) << r.out;
        EXPECT_TRUE(contains(
            r.out, "faultline: error: --trace " + std::string(name) + ": writing failed: No space left on device\n"))
            << r.out;
        EXPECT_FALSE(contains(r.out, "LOG ERROR")) << r.out;
    }
}

TEST(OutputFiles, AReportThatCannotBeWrittenKeepsTheVerdictAndTheOtherFiles) {
    if (!have_dev_full()) GTEST_SKIP() << "no /dev/full";
    const fs::path dir = scratch();
    const Result r = run_into_a_full_disk(dir, "full.html", "run canary --seed 9 --report full.html --result ok.json",
                                          "--report full.html: writing failed: No space left on device");
    EXPECT_TRUE(contains(r.out, "FAIL  invariant 'counter stays below limit'")) << r.out;
    EXPECT_TRUE(contains(r.out, "reproduce: faultline run canary --seed 9\n")) << r.out;
    EXPECT_TRUE(contains(read_file(dir / "ok.json"), "\"format\": \"faultline-run/1\"")) << "--result is still written";
    EXPECT_TRUE(contains(read_file(dir / "full.md"), "## canary: FAIL")) << "and so is the page's Markdown summary";
}

TEST(OutputFiles, StandardOutputThatCannotBeWrittenIsAnError) {
    if (!have_dev_full()) GTEST_SKIP() << "no /dev/full";
    const fs::path dir = scratch();
    ASSERT_EQ(faultline_in(dir, "run mm1 --seed 3 --trace m.ftrace").exit_code, 0);
    const std::string cases[] = {
        "run mm1 --seed 3",
        "run mm1 --seed 3 --json",
        "trace " + (dir / "m.ftrace").string(),
        "sweep " + stampede + " --variant warmup-limit --grid load=300 --seeds 1 --jobs 1 --json",
    };
    for (const std::string& args : cases) {
        const Result r = faultline_stdout_to(args, "/dev/full");
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: standard output: writing failed")) << args << "\n" << r.out;
        EXPECT_FALSE(contains(r.out, "LOG ERROR")) << r.out;
    }
    // The same commands to a file that takes them exit as before.
    EXPECT_EQ(faultline_stdout_to("trace " + (dir / "m.ftrace").string(), "/dev/null").exit_code, 0);
}

// One count, three places: what the command says, the file's otherData.events_kept, and the
// slices and instants in the file. The run ends with calls open (drawn as "unfinished") and has a
// fault (an instant and a window): the two kinds the counts disagreed on.
TEST(OutputFiles, APerfettoFileHoldsTheEventsItAndTheCommandCount) {
    const fs::path dir = scratch();
    const Result r = faultline("run " + stampede + " --seed 1 --perfetto " + (dir / "p.json").string());
    ASSERT_EQ(r.exit_code, 1) << r.out;
    const std::size_t at = r.out.find("timeline: " + (dir / "p.json").string() + " (");
    ASSERT_NE(at, std::string::npos) << r.out;
    const std::string said = r.out.substr(r.out.find(" (", at) + 2);
    const std::uint64_t stated = std::stoull(said.substr(0, said.find(' ')));
    const nlohmann::json trace = nlohmann::json::parse(read_file(dir / "p.json"));
    std::uint64_t in_file = 0, unfinished = 0, windows = 0;
    for (const auto& e : trace.at("traceEvents")) {
        if (e.at("ph") == "X" || e.at("ph") == "i") ++in_file;
        if (e.at("ph") == "X" && e.value("cat", "") == "rpc" && e.at("args").at("result") == "unfinished") ++unfinished;
        if (e.at("ph") == "X" && e.value("cat", "") == "fault") ++windows;
    }
    EXPECT_GT(unfinished, 0u) << "the run stops with calls open";
    EXPECT_GT(windows, 0u);
    EXPECT_EQ(trace.at("otherData").at("events_kept").get<std::uint64_t>(), in_file);
    EXPECT_EQ(stated, in_file) << r.out;
}

TEST(OutputFiles, ASweepLoadThatIsNotARateBlamesTheValue) {
    for (const char* value : {"fast", "1000x", "-1000", "1e400"}) {
        const Result r = faultline("sweep " + stampede + " --grid load=" + value + " --seeds 1");
        EXPECT_EQ(r.exit_code, 2) << value << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, std::string("faultline: error: --grid load=") + value + ": value " + value + ": "))
            << r.out;
        EXPECT_FALSE(contains(r.out, "no option is called")) << r.out;
        EXPECT_EQ(lines(r.out), 1u) << r.out;
    }
}

// list finds a name where run does: a directory or a file called like a built-in in the current
// directory is not that scenario (list --options mm1 failed "mm1: is a directory" while run ran it).
TEST(OutputFiles, ListFindsABuiltInFirstAsRunDoes) {
    const fs::path dir = scratch();
    fs::create_directories(dir / "mm1");
    std::ofstream(dir / "canary") << "hello: 1\n";
    for (const char* name : {"mm1", "canary"}) {
        const Result r = faultline_in(dir, std::string("list --options ") + name);
        EXPECT_EQ(r.exit_code, 0) << r.out;
        EXPECT_TRUE(contains(r.out, std::string("  ") + name + " ")) << r.out;
        EXPECT_TRUE(contains(r.out, "--set ")) << r.out;
    }
}

TEST(OutputFiles, SmallErrorsNameTheRightFlagAndSayWhatIsWrong) {
    const fs::path dir = scratch();
    ASSERT_EQ(faultline_in(dir, "run mm1 --seed 3 --trace m.ftrace").exit_code, 0);
    const std::pair<std::string, std::string> cases[] = {
        {"report " + dir.string(), dir.string() + ": is a directory, not a result file"},
        // It said "B: no scenario file" of a directory that is there, as replay did of an artifact's.
        {"compare mm1 " + dir.string(), "B: '" + dir.string() + "' is a directory, not a scenario file"},
        // A path through a file: the file is there, and it was called "no directory".
        {"run mm1 --seed 3 --trace " + (dir / "m.ftrace" / "x.ftrace").string(),
         "--trace " + (dir / "m.ftrace" / "x.ftrace").string() + ": " + (dir / "m.ftrace").string() +
             " is not a directory\n"},
        {"sweep " + stampede + " --grid load=300 --seeds x",
         "--seeds x: give a count of seeds (1 or more) or a range A..B\n"},
        {"sweep " + stampede + " --grid load=300 --seeds 5..1", "--seeds 5..1: the range ends before it starts\n"},
        // Every seed asked for, or none: a range past 1,000 seeds was cut to 1,001 silently, and a
        // count of 10^18 seeds was a loop filling memory.
        {"sweep " + stampede + " --grid load=300 --seeds 1000000000000000000",
         "--seeds 1000000000000000000: more than --runs-max 10000 seeds\n"},
        {"sweep " + stampede + " --grid load=300 --seeds 1..2000 --runs-max 1999",
         "--seeds 1..2000: more than --runs-max 1999 seeds\n"},
        // A grid of a billion cells was built (24 GB, killed) before --runs-max refused it.
        {"sweep mm1 --grid lambda=0.001..1:0.001 --grid queue_max=1..1000:1 --grid mu=1..1000:1 --runs-max 10",
         "the grid is more than 10 cells (--runs-max 10)\n"},
        {"sweep mm1 --grid lambda=0.1 --runs-max 2000000",
         "--runs-max: '2000000': a run limit is a number from 1 to 1000000"},
        // the --set lost to the grid in every run, yet the report said it was set
        {"sweep mm1 --grid queue_max=1000,2000 --set queue_max=1",
         "--grid queue_max=1000,2000: queue_max is also set by --set queue_max=1 (the grid's value would win in every "
         "run); drop one of them\n"},
        {"sweep " + stampede + " --grid load=300 --set 'workloads.users.open_loop={rate: 5000/s}'",
         "--grid load=300: workloads.users.open_loop.rate is also set by --set workloads.users.open_loop={rate: "
         "5000/s}"},
        // a section the grid sets whole, holding the --set's field: the field was dropped in every run
        {"sweep " + stampede +
             " --grid 'retry={attempts_max: 1},{attempts_max: 3}' --set services.api.calls.0.retry.attempts_max=2",
         "--grid retry={attempts_max: 1},{attempts_max: 3}: services.api.calls.0.retry is also set by --set "
         "services.api.calls.0.retry.attempts_max=2"},
        {"sweep " + stampede + " --grid load=800,800/s", "--grid load=800,800/s: '800' and '800/s' are one value"},
        {"sweep mm1 --grid lambda=1,0.5,1",
         "--grid lambda=1,0.5,1: '1' is in the list twice (it would be two cells of one setting)\n"},
        // one value in two spellings, which only loading them shows (the text differs)
        {"sweep " + stampede + " --grid load=60/min,1/s", "--grid load=60/min,1/s: '60/min' and '1/s' are one value"},
        {"sweep " + stampede + " --grid workloads.users.call.timeout=1s,1000ms",
         "--grid workloads.users.call.timeout=1s,1000ms: '1s' and '1000ms' are one value"},
        {"sweep mm1 --grid lambda=0.5,0.50", "--grid lambda=0.5,0.50: '0.5' and '0.50' are one value"},
        {"sweep " + stampede + " --grid 'workloads.users.call.hedge.enabled=true,yes'",
         "--grid workloads.users.call.hedge.enabled=true,yes: 'true' and 'yes' are one value"},
        {"sweep " + stampede + " --grid 'services.api.cpu=fixed(1ms),fixed( 1000us )'",
         "--grid services.api.cpu=fixed(1ms),fixed( 1000us ): 'fixed(1ms)' and 'fixed( 1000us )' are one value"},
        // a huge value was printed as 47 digits that were not it
        {"sweep " + stampede + " --grid load=1e308..1e308", "--grid load=1e308..1e308: value 1e+308:"},
        {"fuzz mm1 --seeds 0..18446744073709551615 --out /nonexistent/never",
         "--seeds 0..18446744073709551615: 2^64 seeds, one more than a count can hold; start at 1"},
        {"compare " + stampede + " --b-set =", "--b-set expects path=value, got '='"},
        {"compare " + stampede + " --a-set x", "--a-set expects path=value, got 'x'"},
        {"trace " + (dir / "m.ftrace").string() + " --host serverr",
         "--host serverr: no such host in " + (dir / "m.ftrace").string() + " (did you mean 'server'?)"},
        // a kind that starts no record's printed nothing and passed, as if the run had none
        {"trace " + (dir / "m.ftrace").string() + " --kind zzz",
         "--kind zzz: no record of " + (dir / "m.ftrace").string() +
             " has a kind that starts with it (kinds in it: depart)"},
    };
    for (const auto& [args, message] : cases) {
        const Result r = faultline(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: " + message)) << args << "\n" << r.out;
        EXPECT_EQ(lines(r.out), 1u) << args << "\n" << r.out;
    }
    // Beside a value that matched records, one that matched none is a warning: it printed every
    // match and then failed, exit 2, leaving a script a partial file and an error.
    const Result both = faultline("trace " + (dir / "m.ftrace").string() + " --kind depart --kind zzz");
    EXPECT_EQ(both.exit_code, 0) << both.out;
    EXPECT_TRUE(contains(both.out, "\"kind\":\"depart\"")) << both.out;
    EXPECT_TRUE(contains(both.out, "faultline: warning: --kind zzz: no record of ")) << both.out;
}

// A run of a sweep that did not finish is named by every setting of its cell (it said "seed 1 of
// 2000/s", a value without its path, and only the first axis's), with no blank line off a terminal.
TEST(OutputFiles, ASweepsBrokenRunIsNamedByItsCellsSettings) {
    const Result r = faultline(
        "sweep cache-flush-stampede --grid load=2000/s --grid services.cache.cache.warmup_fills_per_second=0,10 "
        "--seeds 1 "
        "--jobs 1 --timeout 100ms");
    EXPECT_TRUE(contains(r.out,
                         "\nsweep: seed 1 of workloads.users.open_loop.rate=2000/s, "
                         "services.cache.cache.warmup_fills_per_second=10: no result within 100ms"))
        << r.out;
    EXPECT_FALSE(contains(r.out, "\n\n")) << r.out;
}

// A range of more than 1,000 seeds was cut to 1,001, silently.
TEST(OutputFiles, ASweepTakesEverySeedOfItsRange) {
    const Result r = faultline("sweep " + stampede + " --grid load=300,400 --seeds 1..1002 --runs-max 1002");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(
        contains(r.out, "faultline: error: the grid is 2 cells x 1002 seeds = 2004 runs, more than --runs-max 1002\n"))
        << r.out;
}

TEST(OutputFiles, ASweepOfOneCellOnOneSeedSaysSoInTheSingular) {
    const Result r = faultline("sweep " + stampede + " --variant warmup-limit --grid load=300 --seeds 1 --jobs 1");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "sweep: 1 cell x 1 seed = 1 run on 1 worker\n")) << r.out;
}

}  // namespace
