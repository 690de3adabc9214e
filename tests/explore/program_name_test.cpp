// The command lines exploration prints (reproduce, replay, run it) name the running program: a
// user's own program built on faultline::cli::run knows scenarios and model kinds that the stock
// `faultline` does not, so a repro line naming `faultline` would fail with "unknown scenario".
#include <gtest/gtest.h>

#include "explore/artifact.hpp"
#include "explore/build_info.hpp"
#include "explore/fuzz.hpp"
#include "explore/results.hpp"

namespace {

using namespace faultline::explore;

// Each test names the program as it likes; the next one starts from the stock name again.
class ProgramName : public ::testing::Test {
protected:
    void TearDown() override { set_program_name("faultline"); }
};

TEST_F(ProgramName, IsTheLastPartOfArgvZeroOrFaultline) {
    EXPECT_EQ(program_name(), "faultline") << "before anyone sets it";
    set_program_name("/opt/tools/bin/myfl");
    EXPECT_EQ(program_name(), "myfl");
    set_program_name("./myfl");
    EXPECT_EQ(program_name(), "myfl");
    set_program_name("myfl2");
    EXPECT_EQ(program_name(), "myfl2");
    // Nothing usable to name: the stock name, never an empty command.
    for (const char* blank : {static_cast<const char*>(nullptr), "", "build/"}) {
        set_program_name("myfl");
        set_program_name(blank);
        EXPECT_EQ(program_name(), "faultline") << (blank ? blank : "(null)");
    }
}

TEST_F(ProgramName, NamesTheRunCommandAndTheArtifactsCopyOfIt) {
    RunSpec spec;
    spec.scenario = scenario_ref("pingpong");
    spec.seed = 2;
    spec.overrides = {{"crash_for", "5s"}};
    EXPECT_EQ(run_command(spec).value_or(""), "faultline run pingpong --seed 2 --set crash_for=5s");
    set_program_name("/home/me/build/myfl2");
    EXPECT_EQ(run_command(spec).value_or(""), "myfl2 run pingpong --seed 2 --set crash_for=5s");
    EXPECT_EQ(settings_for(spec).repro, "myfl2 run pingpong --seed 2 --set crash_for=5s");
    Artifact a;
    a.spec = spec;
    EXPECT_EQ(artifact_to_json(a).at("run_command"), "myfl2 run pingpong --seed 2 --set crash_for=5s");
    // A name the shell would split is quoted, like every other word of the command.
    set_program_name("my fl");
    EXPECT_EQ(run_command(spec).value_or(""), "'my fl' run pingpong --seed 2 --set crash_for=5s");
}

TEST_F(ProgramName, NamesTheFuzzSummarysReplayLines) {
    FuzzReport report;
    report.seeds_total = report.seeds_run = 3;
    report.findings = 1;
    SignatureGroup g;
    g.signature = "invariant 'x' failed";
    g.id = "abc";
    g.count = 1;
    g.seeds = {2};
    g.fastest.seed = 2;
    report.groups = {g};
    EXPECT_NE(fuzz_summary_text(report, "out/").find("      replay: faultline replay out/artifacts/abc.json\n"),
              std::string::npos)
        << fuzz_summary_text(report, "out/");
    set_program_name("myfl2");
    const std::string text = fuzz_summary_text(report, "out/");
    EXPECT_NE(text.find("      replay: myfl2 replay out/artifacts/abc.json\n"), std::string::npos) << text;
    // A summary the disk refused is not named as written (the error after it says so).
    EXPECT_NE(text.find("summary     out/summary.json\n"), std::string::npos) << text;
    report.summary_written = false;
    EXPECT_EQ(fuzz_summary_text(report, "out/").find("summary.json"), std::string::npos);
}

}  // namespace
