// What a report says to reproduce a run reproduces it, hash for hash: a sweep records each run's
// trace hash (it printed none: testers could not check a cell against `run`; an interrupted run's
// command is checked in interrupted_test.cpp), and the Markdown of a component named with a
// control character holds no raw control byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_program.hpp"
#include "text_search.hpp"

namespace {

using report_test::contains;
using report_test::read;
using report_test::scratch;
using test_support::Result;
namespace fs = std::filesystem;

const std::string stampede = std::string(FAULTLINE_REPORT_DATA) + "/small-stampede.yaml";

Result faultline(const std::string& args) { return test_support::run_program(std::string(FAULTLINE_BIN) + " " + args); }

std::string hash_of(const std::string& out) {
    const std::size_t at = out.find("trace hash  ");
    return at == std::string::npos ? "" : out.substr(at + 12, 16);
}

TEST(ReportReproduce, ASweepRecordsEachRunsTraceHashAsRunPrintsIt) {
    const fs::path dir = scratch();
    const fs::path json = dir / "sw.json", html = dir / "sw.html";
    const Result r =
        faultline("sweep " + stampede + " --grid workloads.users.open_loop.rate=400/s..600/s:200/s --seeds 2 " +
                  "--jobs 2 --json --report " + html.string() + " --result " + json.string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const nlohmann::json j = nlohmann::json::parse(read(json));
    const std::size_t printed = r.out.find("{\"");  // --json's one line, among stderr's
    ASSERT_NE(printed, std::string::npos) << r.out;
    const nlohmann::json p = nlohmann::json::parse(r.out.substr(printed, r.out.find('\n', printed) - printed));
    EXPECT_EQ(p.at("cells"), j.at("cells")) << "--json prints the hashes --result saves";
    const std::string md = read(dir / "sw.md"), page = read(html);
    ASSERT_EQ(j.at("cells").size(), 2u);
    for (const auto& cell : j.at("cells")) {
        const std::string rate = j.at("axes")[0].at("values")[cell.at("index")[0].get<std::size_t>()];
        ASSERT_EQ(cell.at("runs").size(), 2u);
        for (const auto& run : cell.at("runs")) {
            ASSERT_TRUE(run.at("trace_hash").is_string()) << run.dump();
            const std::string hash = run.at("trace_hash");
            const std::string seed = std::to_string(run.at("seed").get<std::uint64_t>());
            const Result alone =
                faultline("run " + stampede + " --seed " + seed + " --set workloads.users.open_loop.rate=" + rate);
            EXPECT_EQ(hash_of(alone.out), hash) << "rate " << rate << ", seed " << seed << ": " << alone.out;
            EXPECT_TRUE(contains(page, "trace hash " + hash)) << "in the hover of the cell's seeds";
        }
        // Each cell's first failing seed: its command and the hash it prints, in both files.
        const auto& first = cell.at("runs")[0];
        ASSERT_EQ(first.at("verdict"), "fail") << "the broken design fails at either rate";
        const std::string command = "run " + stampede + " --seed " + std::to_string(first.at("seed").get<int>()) +
                                    " --set workloads.users.open_loop.rate=" + rate;
        const std::string hash = first.at("trace_hash");
        EXPECT_TRUE(contains(md, command + "`, trace hash `" + hash + "`")) << md;
        EXPECT_TRUE(contains(page, command + "</code><br><span class=\"sub\">trace hash <code>" + hash + "</code>"));
    }

    // A result written before the field still renders (without the hashes).
    nlohmann::json old = j;
    for (auto& cell : old.at("cells")) {
        for (auto& run : cell.at("runs")) run.erase("trace_hash");
    }
    std::ofstream(dir / "old.json") << old.dump();
    const Result again = faultline("report " + (dir / "old.json").string() + " -o " + (dir / "old.html").string());
    ASSERT_EQ(again.exit_code, 0) << again.out;
    EXPECT_FALSE(contains(read(dir / "old.md"), "trace hash"));
}

TEST(ReportReproduce, AComponentNamedWithAControlCharacterIsShownNotWrittenRaw) {
    const fs::path dir = scratch();
    // small-stampede with its api service named a"p\i and the control character 0x01.
    std::string yaml = read(stampede);
    const std::string name = "\"a\\\"p\\\\i\\u0001\"";
    yaml.replace(yaml.find("\n  api:"), 7, "\n  " + name + ":");
    yaml.replace(yaml.find("call: {target: api,"), 19, "call: {target: " + name + ",");
    std::ofstream(dir / "ctl.yaml") << yaml;
    const Result r =
        faultline("run " + (dir / "ctl.yaml").string() + " --seed 1 --report " + (dir / "ctl.html").string());
    ASSERT_EQ(r.exit_code, 1) << r.out;
    for (const char* file : {"ctl.md", "ctl.html"}) {
        const std::string text = read(dir / file);
        for (const char c : text)
            ASSERT_TRUE(static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\r')
                << file << " holds the raw byte " << static_cast<int>(c);
    }
    EXPECT_TRUE(contains(read(dir / "ctl.md"), "(a\"p\\\\i\u2401 -> cache)")) << read(dir / "ctl.md");
    EXPECT_TRUE(contains(read(dir / "ctl.html"), "a&quot;p\\i\u2401"));
}

}  // namespace
