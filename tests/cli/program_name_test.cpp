// A user's own faultline program (faultline::cli::run after registering model kinds or
// scenarios) is the whole command, and every command line it prints names it: the stock
// `faultline` does not know its kinds, so "reproduce: faultline run ..." would fail with
// "no model kind". The stock program still names `faultline`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/files.hpp"
#include "support/run_program.hpp"

namespace {

using test_support::Result;
using test_support::read_file;

const std::string kSource = FAULTLINE_SOURCE_DIR;

Result faultline(const std::string& args) { return test_support::run_program(std::string(FAULTLINE_BIN) + " " + args); }
Result example(const std::string& args) {
    return test_support::run_program(std::string(FAULTLINE_EXAMPLE_BIN) + " " + args);
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// The line that starts with `label` (up to its newline), or "" when there is none.
std::string line_after(const std::string& out, const std::string& label) {
    const std::size_t at = out.find(label);
    if (at == std::string::npos) return "";
    const std::size_t from = at + label.size();
    return out.substr(from, out.find('\n', from) - from);
}

TEST(ProgramName, AnotherProgramsReproAndHelpLinesNameIt) {
    const Result r = example("run canary --seed 9");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(r.out.substr(r.out.rfind("reproduce:")), "reproduce: faultline-example run canary --seed 9\n");
    EXPECT_TRUE(contains(example("").out, "Start with:  faultline-example list")) << example("").out;
    EXPECT_TRUE(contains(example("").out, "Usage: faultline-example ")) << example("").out;
    EXPECT_EQ(example("run canary --seeed 9").out,
              "faultline: error: unknown option '--seeed' for 'run' (did you mean '--seed'?); see 'faultline-example "
              "run --help'\n");
    EXPECT_TRUE(contains(example("rnu x").out, "; see 'faultline-example --help'\n"));
    EXPECT_TRUE(contains(example("run no-such-scenario").out, "; 'faultline-example list' shows the scenarios"));
    EXPECT_TRUE(contains(example("run --help").out, "see 'faultline-example list'"));
    // The stock program is unchanged.
    const Result stock = faultline("run canary --seed 9");
    EXPECT_EQ(stock.out.substr(stock.out.rfind("reproduce:")), "reproduce: faultline run canary --seed 9\n");
    EXPECT_TRUE(contains(faultline("").out, "Start with:  faultline list"));
}

// The name is the one the program was called by, not its file's: through a link named `myfl`,
// the lines say `myfl`, those made in worker processes too (compare's runs are made and
// described by report workers, which are started by the executable's real path).
TEST(ProgramName, ALinkToTheProgramIsNamedAsItWasCalled) {
    const std::string link = test_support::temp_path("myfl");
    std::filesystem::remove(link);
    std::filesystem::create_symlink(FAULTLINE_BIN, link);
    const Result run = test_support::run_program(link + " run canary --seed 9");
    EXPECT_EQ(run.out.substr(run.out.rfind("reproduce:")), "reproduce: myfl run canary --seed 9\n") << run.out;
    const Result compare = test_support::run_program(link + " compare mm1 --b-set lambda=0.5 --seed 10");
    EXPECT_EQ(compare.exit_code, 0) << compare.out;
    EXPECT_TRUE(contains(compare.out, "(myfl run mm1 --seed 10; trace hash ")) << compare.out;
    EXPECT_TRUE(contains(compare.out, "(myfl run mm1 --seed 10 --set lambda=0.5; trace hash ")) << compare.out;
    EXPECT_FALSE(contains(compare.out, "faultline run")) << compare.out;
}

// Fuzzing, replay and shrink with a scenario that only the example program can run (its model
// kind quota_api): every line they print to follow, and the files they write, name the example,
// and following them works, where the stock program refuses the file.
TEST(ProgramName, FuzzReplayAndShrinkOfAProgramsOwnKindNameThatProgram) {
    const std::string dir = test_support::temp_path("fuzz-own-kind");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    // The example's checkout, with the provider down from the middle of the sale to the end:
    // checkouts never recover, on every seed.
    std::string text = read_file(kSource + "/examples/custom-model/checkout.yaml");
    const std::size_t faults = text.find("\nfaults:\n");
    ASSERT_NE(faults, std::string::npos) << "the example changed: find another way to make it fail";
    text.insert(faults + 9, "  - {at: 30s, duration: 30s, kind: crash, targets: [provider-1]}\n");
    const std::string file = dir + "/tight.yaml";
    std::ofstream(file) << text;

    const Result fuzz = example("fuzz " + file + " --seeds 1..2 -j 2 --progress none --out " + dir + "/job --junit " +
                                dir + "/junit.xml");
    ASSERT_EQ(fuzz.exit_code, 1) << fuzz.out;
    const std::string replay = line_after(fuzz.out, "      replay: ");
    ASSERT_TRUE(replay.starts_with("faultline-example replay " + dir + "/job/artifacts/")) << fuzz.out;
    const std::string artifact = replay.substr(replay.rfind(' ') + 1);
    EXPECT_TRUE(contains(read_file(dir + "/junit.xml"), "replay: faultline-example replay " + artifact))
        << read_file(dir + "/junit.xml");
    const auto json = nlohmann::json::parse(read_file(artifact));
    EXPECT_TRUE(json.at("run_command").get<std::string>().starts_with("faultline-example run " + file + " --seed "))
        << json.dump(2);

    EXPECT_EQ(json.at("faultline").at("program"), "faultline-example") << json.dump(2);

    const Result replayed = example("replay " + artifact);
    EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
    EXPECT_TRUE(contains(replayed.out, "reproduced")) << replayed.out;
    EXPECT_TRUE(contains(replayed.out, "(failure, faultline-example ")) << replayed.out;
    // The stock program cannot run it, and says which program can (the artifact records it).
    for (const char* verb : {"replay", "shrink"}) {
        const Result elsewhere = faultline(std::string(verb) + " " + artifact);
        EXPECT_EQ(elsewhere.exit_code, 2) << elsewhere.out;
        EXPECT_TRUE(contains(elsewhere.out, "no model kind 'quota_api'")) << elsewhere.out;
        EXPECT_TRUE(contains(elsewhere.out, "(the artifact was made by 'faultline-example', not 'faultline': " + std::string(verb) +
                                                " it with that program)\n"))
            << elsewhere.out;
    }

    const Result shrink = example("shrink " + artifact + " -o " + dir + "/regression.json");
    ASSERT_EQ(shrink.exit_code, 0) << shrink.out;
    EXPECT_TRUE(contains(shrink.out, "run it:     faultline-example run " + dir + "/regression.json\n")) << shrink.out;
    const std::string run_yaml = line_after(shrink.out, "(checked: fails the same way)\nrun it:     ");
    ASSERT_TRUE(run_yaml.starts_with("faultline-example run " + dir + "/regression.yaml --seed ")) << shrink.out;
    EXPECT_TRUE(contains(read_file(dir + "/regression.yaml"), "Run it: faultline-example run FILE --seed "))
        << read_file(dir + "/regression.yaml");
    EXPECT_FALSE(contains(shrink.out, "faultline run")) << shrink.out;
    // Followed as printed, the line runs; the stock program could not have.
    const std::string args = run_yaml.substr(run_yaml.find(' ') + 1);
    EXPECT_EQ(example(args).exit_code, 1) << example(args).out;
    const Result stock = faultline(args);
    EXPECT_EQ(stock.exit_code, 2) << stock.out;
    EXPECT_TRUE(contains(stock.out, "no model kind 'quota_api'")) << stock.out;
}

}  // namespace
