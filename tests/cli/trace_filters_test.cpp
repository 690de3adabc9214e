// How a trace file's format follows its name, and what `faultline trace` says when its filters
// print nothing. A tester's findings: `--trace X.FTRACE` wrote JSON Lines that `faultline trace
// X.FTRACE` then refused, and filters that each match records but none together (`--host db-1
// --kind rpc.` where db-1 has no rpc records, `--from` past the run's end) printed nothing and
// passed, where one filter that matches nothing is an error.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "support/files.hpp"
#include "support/run_program.hpp"

namespace {

using test_support::read_file;
using test_support::Result;
namespace fs = std::filesystem;

const std::string stampede = std::string(FAULTLINE_SOURCE_DIR) + "/tests/report/data/small-stampede.yaml";
const std::string run_args = "run " + stampede + " --seed 1 --time-max 3s --trace ";

Result faultline(const std::string& args) { return test_support::run_program(std::string(FAULTLINE_BIN) + " " + args); }

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(TraceFiles, AnUpperCaseSuffixIsTheBinaryFormatToo) {
    const fs::path dir = test_support::test_dir("trace_filters");
    const std::string upper = (dir / "run.FTRACE").string(), mixed = (dir / "run.FTrace").string();
    const std::string jsonl = (dir / "run.jsonl").string();
    ASSERT_EQ(faultline(run_args + upper).exit_code, 1);  // a runaway at --time-max: a short run
    ASSERT_EQ(faultline(run_args + mixed).exit_code, 1);  // a runaway at --time-max: a short run
    ASSERT_EQ(faultline(run_args + jsonl).exit_code, 1);  // a runaway at --time-max: a short run
    EXPECT_EQ(read_file(upper).substr(0, 7), "FLTRACE") << "binary, as the suffix says";
    EXPECT_EQ(read_file(mixed), read_file(upper));
    const std::string printed = (dir / "printed.jsonl").string();
    const Result r = faultline("trace " + upper + " > " + printed);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(read_file(printed) == read_file(jsonl));  // byte for byte (not printed: large)
}

TEST(TraceFiles, FiltersThatMatchNothingTogetherSaySo) {
    const fs::path dir = test_support::test_dir("trace_filters");
    const std::string file = (dir / "run.ftrace").string();
    ASSERT_EQ(faultline(run_args + file).exit_code, 1);  // a runaway at --time-max: a short run
    // db-1 has records, and rpc. records exist, but db-1 has none of them.
    const Result kinds = faultline("trace " + file + " --host db-1 --kind rpc.");
    EXPECT_EQ(kinds.exit_code, 2) << kinds.out;
    EXPECT_TRUE(contains(kinds.out, "faultline: error: --kind rpc.: no record of host db-1 in " + file +
                                        " has a kind that starts with it (kinds there: net.send)\n"))
        << kinds.out;
    EXPECT_EQ(lines(kinds.out), 1u) << kinds.out;
    // A window past the run's end.
    const Result late = faultline("trace " + file + " --from 1000s");
    EXPECT_EQ(late.exit_code, 2) << late.out;
    EXPECT_TRUE(contains(late.out, "faultline: error: --from 1000s: no record of " + file +
                                       " is in that window (its records run from 0.01540445s to 2.994458657s)"))
        << late.out;
    EXPECT_EQ(lines(late.out), 1u) << late.out;
    // A window with records, but none of the host's kind.
    const Result both = faultline("trace " + file + " --host db-1 --kind rpc. --from 1s --to 2s");
    EXPECT_EQ(both.exit_code, 2) << both.out;
    EXPECT_TRUE(contains(both.out, "--kind rpc.: no record of host db-1 in --from 1s --to 2s in " + file)) << both.out;
    // Filters that match together still print, and pass.
    const Result some = faultline("trace " + file + " --host db-1 --kind net. --from 1s --to 2s");
    EXPECT_EQ(some.exit_code, 0) << some.out;
    EXPECT_TRUE(contains(some.out, "\"host\":\"db-1\",\"kind\":\"net.send\"")) << some.out;
}

}  // namespace
