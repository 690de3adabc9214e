// The report commands as a user meets them: run --report/--result/--perfetto, report, compare
// and sweep, on small scenario files in tests/report/data; bad input is one line and exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include <sys/stat.h>

#include "support/run_program.hpp"
#include "text_search.hpp"

namespace {

using report_test::contains;
using report_test::count;
using report_test::read;
using report_test::scratch;

using test_support::Result;
namespace fs = std::filesystem;

const std::string stampede = std::string(FAULTLINE_REPORT_DATA) + "/small-stampede.yaml";
const std::string hostile = std::string(FAULTLINE_REPORT_DATA) + "/hostile-strings.yaml";

Result faultline(const std::string& args) { return test_support::run_program(std::string(FAULTLINE_BIN) + " " + args); }

std::string hash_of(const std::string& out) {
    const std::size_t at = out.find("trace hash  ");
    return at == std::string::npos ? "" : out.substr(at + 12, 16);
}

// The SVG charts of a page, one string each.
std::vector<std::string> charts(const std::string& page) {
    std::vector<std::string> out;
    for (std::size_t at = page.find("<svg class=\"chart\""); at != std::string::npos;
         at = page.find("<svg class=\"chart\"", at + 1)) {
        out.push_back(page.substr(at, page.find("</svg>", at) - at));
    }
    return out;
}

TEST(ReportCommands, RunReportDrawsEveryChartWithTheFaultAndKeepsTheTraceHash) {
    const fs::path dir = scratch();
    const Result plain = faultline("run " + stampede + " --seed 1");
    const Result reported =
        faultline("run " + stampede + " --seed 1 --report " + (dir / "run.html").string() + " --result " +
                  (dir / "run.json").string() + " --perfetto " + (dir / "trace.json").string());
    EXPECT_EQ(plain.exit_code, 1) << plain.out;  // the broken design fails its invariant, as the file expects
    EXPECT_EQ(reported.exit_code, 1) << reported.out;
    ASSERT_FALSE(hash_of(plain.out).empty()) << plain.out;
    EXPECT_EQ(hash_of(reported.out), hash_of(plain.out)) << "reports must not change the run";
    EXPECT_TRUE(contains(reported.out,
                         "report: " + (dir / "run.html").string() + " (summary: " + (dir / "run.md").string() + ")"));

    const std::string page = read(dir / "run.html");
    for (const char* title :
         {"Offered load, goodput and errors: users", "Latency at the clients: users", "Client errors by kind: users",
          "Retry amplification per call edge", "Retries per call edge", "Cache hit ratio",
          "Database db: executor utilisation", "Database db: open connections", "Queue depth by service"}) {
        EXPECT_TRUE(contains(page, std::string(">") + title + "</text>")) << title;
    }
    const std::vector<std::string> svgs = charts(page);
    ASSERT_GE(svgs.size(), 15u);
    for (const std::string& svg : svgs) {
        EXPECT_TRUE(contains(svg, "<g class=\"fault\">")) << svg.substr(0, 300);
        EXPECT_TRUE(contains(svg, ">restart cache</text>")) << "every chart labels the fault: " << svg.substr(0, 300);
        EXPECT_TRUE(contains(svg, "<path d=\"M") || contains(svg, ">no errors</text>")) << svg.substr(0, 300);
    }
    for (const char* s :
         {"<span class=\"verdict fail\">FAIL</span>", "goodput recovers after the restart", "did not recover",
          "<h2>Options</h2>", "services.cache.cache.coalesce", "A restart of the whole cache tier"}) {
        EXPECT_TRUE(contains(page, s)) << s;
    }
    const std::string md = read(dir / "run.md");
    EXPECT_TRUE(
        contains(md, "## small-stampede: FAIL (expected fail (goodput recovers after the restart): as expected)"))
        << md;
    EXPECT_TRUE(contains(md, "recovery\\_s: did not recover")) << md;
    EXPECT_TRUE(contains(md, "| goodput recovers after the restart | FAIL |")) << md;
    EXPECT_TRUE(contains(md, "Charts: [run.html](run.html)")) << md;
    // Every headline card of the page is a row of the summary (the cache hit ratio's was missing).
    EXPECT_TRUE(
        std::regex_search(md, std::regex("\\| lowest cache hit ratio \\(after the first fault\\) \\| [0-9.]+% \\|\n")))
        << md;
    EXPECT_TRUE(contains(page, ">lowest cache hit ratio<")) << "the card the row stands for";
}

TEST(ReportCommands, ReportRendersAResultToTheSameBytesAsTheRun) {
    const fs::path dir = scratch();
    const Result run = faultline("run " + stampede + " --seed 2 --variant warmup-limit --report " +
                                 (dir / "direct.html").string() + " --result " + (dir / "run.json").string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
    const Result again = faultline("report " + (dir / "run.json").string() + " -o " + (dir / "again.html").string());
    ASSERT_EQ(again.exit_code, 0) << again.out;
    EXPECT_EQ(read(dir / "again.html"), read(dir / "direct.html"));
    std::string md = read(dir / "direct.md");
    for (std::size_t at = md.find("direct.html"); at != std::string::npos; at = md.find("direct.html"))
        md.replace(at, 11, "again.html");
    EXPECT_EQ(read(dir / "again.md"), md) << "the same summary, linking its own HTML";
    // Without -o, next to the result.
    ASSERT_EQ(faultline("report " + (dir / "run.json").string()).exit_code, 0);
    EXPECT_TRUE(fs::exists(dir / "run.html"));
    EXPECT_TRUE(fs::exists(dir / "run.md"));
}

// A C++ scenario has no file to read its invariants from: they are the kernel's, by name.
TEST(ReportCommands, ACppScenariosInvariantsAreInItsReport) {
    const fs::path dir = scratch();
    const Result failing = faultline("run planted-counter --seed 910 --report " + (dir / "pc.html").string());
    ASSERT_EQ(failing.exit_code, 1) << failing.out;
    EXPECT_TRUE(contains(read(dir / "pc.md"), "| acknowledged increments survive failover | FAIL | violated at 4.5s |"))
        << read(dir / "pc.md");
    EXPECT_TRUE(contains(read(dir / "pc.html"), "acknowledged increments survive failover")) << "the HTML's table too";
    const Result passing = faultline("run mm1 --seed 1 --set customers=2000 --report " + (dir / "mm1.html").string() +
                                     " --result " + (dir / "mm1.json").string());
    ASSERT_EQ(passing.exit_code, 0) << passing.out;
    EXPECT_TRUE(contains(read(dir / "mm1.md"), "| queue stays under queue\\_max | PASS |")) << read(dir / "mm1.md");
    ASSERT_EQ(faultline("report " + (dir / "mm1.json").string() + " -o " + (dir / "again.html").string()).exit_code, 0);
    EXPECT_EQ(read(dir / "again.html"), read(dir / "mm1.html")) << "kept in the result, rendered again alike";
}

TEST(ReportCommands, AScenarioNamedScriptShowsAsText) {
    const fs::path dir = scratch();
    const Result r = faultline("run " + hostile + " --report " + (dir / "h.html").string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const std::string page = read(dir / "h.html");
    EXPECT_FALSE(contains(page, "<script>alert"));
    EXPECT_FALSE(contains(page, "</script><script>alert"));
    EXPECT_FALSE(contains(page, "<img"));
    EXPECT_FALSE(contains(page, "<b>goodput"));
    EXPECT_TRUE(contains(page, "<h1>&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; <span"));
    EXPECT_TRUE(contains(page, "&lt;b&gt;goodput&lt;/b&gt; recovers &lt;/script&gt;"));
    EXPECT_EQ(count(page, "<script"), 3u) << "only the report's own scripts";
    const std::string md = read(dir / "h.md");
    EXPECT_TRUE(contains(md, "\\<script>alert")) << md;
    EXPECT_EQ(count(md, "<"), count(md, "\\<")) << "every '<' escaped with a backslash: no tag can open: " << md;
}

TEST(ReportCommands, BadInputIsOneLineNamingTheFileOrFieldAndExitTwo) {
    const fs::path dir = scratch();
    std::ofstream(dir / "garbled.json") << "{\"format\": \"faultline-run/1\", \"scenario\": ";
    std::ofstream(dir / "field.json") << R"({"format": "faultline-run/1", "scenario": "x", "seed": -3})";
    std::ofstream(dir / "other.json") << R"({"hello": 1})";
    std::ofstream(dir / "format.json") << R"({"format": 1, "scenario": "x"})";
    std::ofstream(dir / "expect.json") << R"({"format": "faultline-run/1", "scenario": "x", "expect": 1})";
    std::ofstream(dir / "t.ftrace", std::ios::binary) << std::string("FLTRACE3\0\x01", 10);
    std::ofstream(dir / "nul.json", std::ios::binary) << std::string("\0\0{}", 4);
    std::ofstream(dir / "huge.json") << R"({"format": "faultline-run/1", "seed": 1e400})";  // past a double
    std::ofstream(dir / "byte.json", std::ios::binary) << "{\"seed\": \xff}";
    const std::pair<std::string, std::string> cases[] = {
        {"report " + (dir / "missing.json").string(), (dir / "missing.json").string() + ": cannot read the file"},
        {"report " + (dir / "garbled.json").string(),
         (dir / "garbled.json").string() + ": not valid JSON (line 1, column"},
        {"report " + (dir / "huge.json").string(),
         (dir / "huge.json").string() + ": not valid JSON (number overflow parsing '1e400')"},  // was exit 3
        {"report " + (dir / "byte.json").string(),  // the byte shown, not written raw (not UTF-8)
         (dir / "byte.json").string() + ": not valid JSON (line 1, column 10: syntax error while parsing value - "
                                        "invalid literal; last read: '\"seed\": \\xff')"},
        {"report " + (dir / "t.ftrace").string(), (dir / "t.ftrace").string() +
                                                      ": a binary trace, not a result file ('faultline trace " +
                                                      (dir / "t.ftrace").string() + "' prints it)"},
        {"report " + (dir / "nul.json").string(),
         (dir / "nul.json").string() + ": a binary file, not a result file (JSON, from 'faultline run --result')"},
        {"report " + (dir / "field.json").string(),
         (dir / "field.json").string() + ": field 'seed': expected a whole number"},
        {"report " + (dir / "other.json").string(), (dir / "other.json").string() + ": field 'format': missing"},
        {"report " + (dir / "format.json").string(),
         (dir / "format.json").string() + ": field 'format': expected a string"},  // was an internal error
        {"report " + (dir / "expect.json").string(),
         (dir / "expect.json").string() + ": field 'expect': expected an object"},
        {"sweep " + stampede + " --grid load=5..1", "--grid load=5..1: the range ends (1) before it starts (5)"},
        {"sweep " + stampede + " --grid load", "--grid load: expected PATH=A..B[:STEP] or PATH=v1,v2,..."},
        {"sweep " + stampede + " --grid retry.attempts_max=x,y", "--grid retry.attempts_max=x,y: value x: "},
        {"sweep " + stampede + " --grid load=1..2 --seeds 0", "--seeds 0: give a count of seeds"},
        {"sweep " + stampede + " --grid retry.attempts=1..2",
         "--grid retry.attempts=1..2: no option is called retry.attempts or ends with .retry.attempts (did you mean "
         "services.api.calls.0.retry.attempts_max, "},
        {"run " + stampede + " --report /no/such/dir/r.html",
         "--report /no/such/dir/r.html: no directory /no/such/dir"},
        {"compare " + stampede + " --seed 1", "A and B are the same run"},
        // How many: said by the command, not CLI11's "results: At Most 2 required but received 3".
        {"report a.json b.json c.json",
         "report takes one result file, or two run results to compare, not 3 (c.json is the third)"},
        {"compare mm1 mmc mm1", "compare takes one or two scenarios, not 3 (mm1 is the third)"},
        {"compare " + stampede + " --b-variant nosuch", "B: "},
    };
    for (const auto& [args, message] : cases) {
        const Result r = faultline(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: " + message)) << args << "\n" << r.out;
        EXPECT_EQ(count(r.out, "\n"), 1u) << "one line: " << r.out;
    }
    // An output flag is named as it was typed: "-o" or "--out".
    const std::string result = (dir / "mm1.json").string();
    ASSERT_EQ(faultline("run mm1 --seed 1 --result " + result).exit_code, 0);
    for (const std::string flag : {"-o", "--out"}) {
        const Result r = faultline("report " + result + " " + flag + " /no/such/dir/r.html");
        EXPECT_EQ(r.exit_code, 2) << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: " + flag + " /no/such/dir/r.html: no directory /no/such/dir"))
            << r.out;
    }
}

// What a file is decides what report does with it, and what it may be asked: a label names a side
// of a comparison; a comparison or a sweep is not one side of an A/B; a format this build does not
// read is named, with the ones it does; a device or a pipe is not read at all (/dev/zero never ends).
TEST(ReportCommands, AFileIsReportedAsWhatItIs) {
    const fs::path dir = scratch();
    const std::string run = (dir / "mm1.json").string(), ab = (dir / "ab.json").string();
    ASSERT_EQ(faultline("run mm1 --seed 1 --result " + run).exit_code, 0);
    ASSERT_EQ(faultline("compare mm1 mmc --seed 1 --result " + ab).exit_code, 0);
    nlohmann::json future = nlohmann::json::parse(read(ab));
    future["format"] = "faultline-compare/2";
    std::ofstream(dir / "future.json") << future.dump();
    const std::string fifo = (dir / "fifo.json").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::pair<std::string, std::string> cases[] = {
        {"report " + run + " --a-label x",
         "--a-label names a side of a comparison (two run results, or a compare result); " + run +
             " is a single run's result"},
        {"report " + run + " --b-label x", "--b-label names a side of a comparison"},
        {"report " + run + " " + ab,
         ab + ": a comparison result, which cannot be one side of an A/B: report it alone, or give two run results"},
        {"report " + (dir / "future.json").string(),
         (dir / "future.json").string() + ": field 'format': \"faultline-compare/2\" is not a format this build "
                                          "reads (faultline-run/1, faultline-compare/1 or faultline-sweep/1)"},
        {"report /dev/zero", "/dev/zero: is not a regular file (a device or a pipe), not a result file"},
        {"report " + fifo, fifo + ": is not a regular file (a device or a pipe), not a result file"},
    };
    for (const auto& [args, message] : cases) {
        const Result r = faultline(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
        EXPECT_TRUE(contains(r.out, "faultline: error: " + message)) << args << "\n" << r.out;
        EXPECT_EQ(count(r.out, "\n"), 1u) << "one line: " << r.out;
    }
    const Result labelled = faultline("report " + ab + " --a-label one --b-label two -o " + (dir / "l.html").string());
    EXPECT_EQ(labelled.exit_code, 0) << labelled.out;
    EXPECT_TRUE(contains(read(dir / "l.html"), "<h1>A/B: one vs two</h1>"));
}

// A page the disk will not take whole (here a file size limit, which fails a write as a full disk
// does) leaves the page that was there, and no half page or stray temporary file; the summary's
// error says whose summary it is.
TEST(ReportCommands, AReportIsWrittenWholeOrNotAtAll) {
    const fs::path dir = scratch();
    const std::string run = (dir / "mm1.json").string(), page = (dir / "page.html").string();
    ASSERT_EQ(faultline("run mm1 --seed 1 --result " + run).exit_code, 0);
    std::ofstream(page) << "the page before";
    const Result full = test_support::run_program("bash -c 'ulimit -f 4; trap \"\" XFSZ; exec \"$0\" \"$@\"' " +
                                                  std::string(FAULTLINE_BIN) + " report " + run + " -o " + page);
    EXPECT_EQ(full.exit_code, 2) << full.out;
    EXPECT_TRUE(contains(full.out, "faultline: error: -o " + page + ": writing failed: File too large")) << full.out;
    EXPECT_EQ(read(page), "the page before");
    for (const auto& e : fs::directory_iterator(dir))
        EXPECT_FALSE(contains(e.path().filename().string(), ".tmp.")) << e.path();
    if (!fs::exists("/dev/full")) return;
    fs::remove_all(dir / "page.md");
    fs::create_symlink("/dev/full", dir / "page.md");  // the summary cannot be written
    const Result md = faultline("report " + run + " -o " + page);
    EXPECT_EQ(md.exit_code, 2) << md.out;
    EXPECT_TRUE(contains(md.out, "faultline: error: -o " + page + "'s Markdown summary " + (dir / "page.md").string() +
                                     ": writing failed: No space left on device"))
        << md.out;
    EXPECT_TRUE(contains(read(page), "<!DOCTYPE html>")) << "the page itself is written";
}

// Written whole, yet as a plain write would leave it: the file keeps its mode (a private page
// stays private), every hard link shows the new page, a long name that fits still fits, and a
// pipe (/dev/stdout here is popen's) is written into, with no summary made beside it in /dev.
TEST(ReportCommands, AReportReplacesAFileAsAPlainWriteWould) {
    const fs::path dir = scratch();
    const std::string run = (dir / "mm1.json").string(), page = (dir / "page.html").string();
    ASSERT_EQ(faultline("run mm1 --seed 1 --result " + run).exit_code, 0);
    fs::remove(dir / "link.html");
    std::ofstream(page) << "the page before";
    fs::permissions(page, fs::perms::owner_read | fs::perms::owner_write);
    fs::create_hard_link(page, dir / "link.html");
    ASSERT_EQ(faultline("report " + run + " -o " + page).exit_code, 0);
    EXPECT_EQ(fs::status(page).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_TRUE(contains(read(dir / "link.html"), "<!DOCTYPE html>")) << "the other name shows the new page";
    const std::string long_name =
        (dir / (std::string(245, 'a') + ".html")).string();  // 250 bytes, the temporary's more
    const Result named = faultline("report " + run + " -o " + long_name);
    EXPECT_EQ(named.exit_code, 0) << named.out;
    EXPECT_TRUE(contains(read(long_name), "<!DOCTYPE html>"));
    const Result piped = faultline("report " + run + " -o /dev/stdout");
    EXPECT_EQ(piped.exit_code, 0) << piped.out;
    EXPECT_TRUE(contains(piped.out, "<!DOCTYPE html>")) << piped.out;
    EXPECT_TRUE(contains(piped.out, "report: /dev/stdout (no summary beside it: not a regular file)")) << piped.out;
    EXPECT_FALSE(fs::exists("/dev/stdout.md"));
    EXPECT_EQ(faultline("run mm1 --seed 1 --result /dev/stdout").exit_code, 0);
}

TEST(ReportCommands, CompareDrawsBrokenAndMitigatedOnTheSameAxesWithAHeadlineTable) {
    const fs::path dir = scratch();
    const Result r = faultline("compare " + stampede + " --seed 1 --b-variant warmup-limit --a-label broken --report " +
                               (dir / "ab.html").string() + " --result " + (dir / "ab.json").string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // Each run's trace hash, beside its command (only --json and --result had them).
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex("\nA: broken  \\(faultline run [^\n]* --seed 1; trace hash [0-9a-f]{16}\\)\n"
                          "B: warmup-limit  \\(faultline run [^\n]* --variant warmup-limit; "
                          "trace hash [0-9a-f]{16}\\)\n")))
        << r.out;
    for (const char* s :
         {"A: broken", "B: warmup-limit", "time to recover", "did not recover within 20s", "B recovers  (better)",
          "B passes  (better)", "peak retry amplification", "latency p99 (ok requests, whole run)", "errors"}) {
        EXPECT_TRUE(contains(r.out, s)) << s << "\n" << r.out;
    }
    const std::string page = read(dir / "ab.html");
    EXPECT_TRUE(contains(page, "<h1>A/B: broken vs warmup-limit</h1>"));
    EXPECT_TRUE(contains(page, "<h2>Headline differences</h2>"));
    EXPECT_TRUE(contains(page, "services.cache.cache.warmup_fills_per_second")) << "what differs";
    const std::vector<std::string> svgs = charts(page);
    ASSERT_FALSE(svgs.empty());
    EXPECT_TRUE(contains(svgs[0], ">A: goodput (ok)</text>"));
    EXPECT_TRUE(contains(svgs[0], ">B: goodput (ok)</text>"));
    EXPECT_TRUE(contains(read(dir / "ab.md"), "| time to recover | did not recover within 20s |"))
        << read(dir / "ab.md");
    // The saved comparison renders again.
    ASSERT_EQ(faultline("report " + (dir / "ab.json").string() + " -o " + (dir / "again.html").string()).exit_code, 0);
    EXPECT_EQ(read(dir / "again.html"), page);
}

// Two kernel-only models (no workload, retries or database): the A/B table compares the
// measurements both runs have, without calling either better; it showed only the verdicts.
TEST(ReportCommands, CompareOfKernelOnlyModelsComparesTheirMeasurements) {
    const Result r = faultline("compare mm1 mmc");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\nresponse_mean_s +9\\.58665 +2\\.87437 +-6\\.712 \\(-70%\\)\n")))
        << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\ncustomers_served +200,000 +200,000 +same\n"))) << r.out;
    EXPECT_FALSE(contains(r.out, "(better)")) << "which way is better is the model's to say\n" << r.out;
    EXPECT_FALSE(contains(r.out, "ran the same events")) << r.out;
    // Two names of one run (customers=200000 is mm1's own value): compared, and said to be one.
    const Result one = faultline("compare mm1 --b-set customers=200000");
    EXPECT_EQ(one.exit_code, 0) << one.out;
    EXPECT_TRUE(std::regex_search(
        one.out, std::regex("compare: note: A and B ran the same events \\(trace hash [0-9a-f]{16}\\): "
                            "B's difference changed nothing on this seed\n")))
        << one.out;
    // ... and the page, its summary and --json say it too (the page read "same" on every row).
    const fs::path dir = scratch();
    const Result paged =
        faultline("compare mm1 --b-set customers=200000 --json --report " + (dir / "one.html").string());
    EXPECT_EQ(paged.exit_code, 0) << paged.out;
    const std::string hash = hash_of(faultline("run mm1 --seed 1").out);
    EXPECT_TRUE(contains(read(dir / "one.html"), "<b>Note.</b> A and B ran the same events (trace hash " + hash + ")"));
    EXPECT_TRUE(contains(read(dir / "one.md"), "**Note.** A and B ran the same events (trace hash " + hash + ")"));
    const std::size_t brace = paged.out.find('{');
    ASSERT_NE(brace, std::string::npos) << paged.out;
    const nlohmann::json j = nlohmann::json::parse(paged.out.substr(brace, paged.out.find('\n', brace) - brace));
    EXPECT_EQ(j.at("same_events"), true) << j.dump();
    EXPECT_EQ(j.at("a").at("trace_hash"), hash) << j.dump();
    EXPECT_EQ(j.at("b").at("trace_hash"), hash) << j.dump();
    EXPECT_TRUE(contains(faultline("compare mm1 mmc --json").out, "\"same_events\":false"));
    // A scenario with headline numbers keeps its table as it was.
    EXPECT_FALSE(contains(faultline("compare " + stampede + " --seed 1 --b-variant warmup-limit").out, "users.ok "));
}

TEST(ReportCommands, CompareTakesTwoFilesOrSetsOnOneSide) {
    const Result files = faultline("compare " + stampede + " " + hostile + " --seed 3");
    EXPECT_EQ(files.exit_code, 0) << files.out;
    EXPECT_TRUE(contains(files.out, "A: small-stampede")) << files.out;
    EXPECT_TRUE(contains(files.out, "B: hostile-strings")) << files.out;
    const Result sets = faultline("compare " + stampede +
                                  " --seed 1 --variant warmup-limit --b-set "
                                  "services.cache.cache.warmup_fills_per_second=5000 --json");
    ASSERT_EQ(sets.exit_code, 0) << sets.out;
    const nlohmann::json j =
        nlohmann::json::parse(sets.out.substr(sets.out.find('{'), sets.out.rfind('}') - sets.out.find('{') + 1));
    EXPECT_EQ(j.at("a").at("verdict"), "pass");
    EXPECT_TRUE(
        contains(j.at("b").at("repro").get<std::string>(), "--set services.cache.cache.warmup_fills_per_second=5000"));
    EXPECT_GE(j.at("differences").size(), 5u);
}

// A side's name: what applies (a path set twice is named with its last value), one line of text,
// and for two run results the variant, as compare names it.
TEST(ReportCommands, ASidesNameSaysWhatRan) {
    const Result twice = faultline("compare mm1 --b-set lambda=0.5 --b-set lambda=0.6 --json");
    EXPECT_EQ(twice.exit_code, 0) << twice.out;
    EXPECT_TRUE(contains(twice.out, "\"label\":\"mm1 lambda=0.6\"")) << twice.out;
    EXPECT_FALSE(contains(twice.out, "lambda=0.5 lambda=0.6")) << twice.out;
    const Result broken = faultline("compare mm1 mmc --a-label \"$(printf 'one\\ntwo')\"");
    EXPECT_EQ(broken.exit_code, 2) << broken.out;
    EXPECT_TRUE(contains(broken.out, "faultline: error: --a-label: a label is one line of text")) << broken.out;
    const fs::path dir = scratch();
    const std::string a = (dir / "a.json").string(), b = (dir / "b.json").string();
    ASSERT_EQ(faultline("run " + stampede + " --seed 1 --result " + a).exit_code, 1);
    ASSERT_EQ(faultline("run " + stampede + " --seed 1 --variant warmup-limit --result " + b).exit_code, 0);
    ASSERT_EQ(faultline("report " + a + " " + b + " -o " + (dir / "ab.html").string()).exit_code, 0);
    EXPECT_TRUE(contains(read(dir / "ab.html"), "<h1>A/B: a vs warmup-limit</h1>")) << "the file's name, the variant";
}

// A side that does not finish (here: a wall-clock limit that kills both) still gets one JSON
// document with --json, saying what became of each side, and exit code 1.
TEST(ReportCommands, CompareJsonSaysWhatTimedOut) {
    const fs::path dir = scratch();
    // Standard output alone in a file, standard error (written first) in Result::out.
    const std::string out = (dir / "out.json").string(), err = (dir / "err.txt").string();
    const Result r = faultline("compare " + stampede + " --seed 1 --b-variant warmup-limit --json --timeout 1ms 2>" + err +
                               " >" + out + "; code=$?; cat " + err + "; exit $code");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "faultline: compare: A: no result within 1ms (wall clock); killed")) << r.out;
    const nlohmann::json j = nlohmann::json::parse(read(out));  // throws on an empty or broken document
    EXPECT_EQ(j.at("complete"), false);
    EXPECT_TRUE(j.at("differences").is_null());
    for (const char* side : {"a", "b"}) {
        EXPECT_EQ(j.at(side).at("verdict"), "hang") << j.dump();
        EXPECT_EQ(j.at(side).at("failure"), "no result within 1ms (wall clock); killed") << j.dump();
        EXPECT_TRUE(contains(j.at(side).at("repro").get<std::string>(), "faultline run ")) << j.dump();
    }
    EXPECT_TRUE(contains(j.at("error").get<std::string>(), "B: no result within 1ms")) << j.dump();
}

// A --perfetto-window that starts where the run cannot reach is refused before the run, and
// before any output is opened (a trace file there is left as it was); one the run may reach but
// did not is said after it, instead of an empty timeline without a word.
TEST(ReportCommands, APerfettoWindowAfterTheRunIsRefusedOrSaid) {
    const fs::path dir = scratch();
    const std::string perfetto = (dir / "p.json").string(), trace = (dir / "keep.ftrace").string();
    std::ofstream(trace) << "an earlier trace";
    const Result late = faultline("run " + stampede + " --seed 1 --perfetto " + perfetto +
                                  " --perfetto-window 500s..600s --trace " + trace);
    EXPECT_EQ(late.exit_code, 2) << late.out;
    EXPECT_TRUE(contains(late.out, "faultline: error: --perfetto-window 500s..600s: starts at or after the end of the run ("))
        << late.out;
    EXPECT_TRUE(contains(late.out, "its planned duration): the timeline would be empty")) << late.out;
    EXPECT_EQ(read(trace), "an earlier trace");
    EXPECT_FALSE(fs::exists(perfetto));
    const Result limited = faultline("run mm1 --time-max 10s --perfetto " + perfetto + " --perfetto-window 20s..30s");
    EXPECT_EQ(limited.exit_code, 2) << limited.out;
    EXPECT_TRUE(contains(limited.out, "starts at or after the end of the run (10s, its time limit)")) << limited.out;
    // mm1 ends when its customers are served (about 55s for 50), long before its time limit (three
    // times the expected arrival span, plus an hour).
    const Result empty = faultline("run mm1 --set customers=50 --perfetto " + perfetto + " --perfetto-window 30m..40m");
    EXPECT_EQ(empty.exit_code, 0) << empty.out;
    EXPECT_TRUE(contains(empty.out, "faultline: warning: --perfetto-window 30m..40m: nothing of the run falls in it (the run ended at "))
        << empty.out;
    const Result far = faultline("run mm1 --set customers=50 --perfetto " + perfetto + " --perfetto-window 20h..21h");
    EXPECT_EQ(far.exit_code, 2) << far.out;
    EXPECT_TRUE(contains(far.out, "starts at or after the end of the run (1h02m, its time limit)")) << far.out;
}

TEST(ReportCommands, SweepRunsTheGridInWorkersAndMapsWhereItTips) {
    const fs::path dir = scratch();
    const Result r = faultline("sweep " + stampede +
                               " --variant warmup-limit --grid load=300..900:300 --grid retry.attempts_max=1..2 "
                               "--seeds 2 --jobs 2 --report " +
                               (dir / "sweep.html").string() + " --result " + (dir / "sweep.json").string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "sweep: load sets workloads.users.open_loop.rate")) << r.out;
    EXPECT_TRUE(contains(r.out, "sweep: 6 cells x 2 seeds = 12 runs on 2 workers")) << r.out;
    EXPECT_TRUE(contains(r.out, "retry.attempts_max \\ load")) << r.out;
    const nlohmann::json j = nlohmann::json::parse(read(dir / "sweep.json"));
    ASSERT_EQ(j.at("cells").size(), 6u);
    std::size_t runs = 0, passed_at_300 = 0;
    for (const auto& c : j.at("cells")) {
        for (const auto& run : c.at("runs")) {
            ++runs;
            if (c.at("index")[0] == 0 && run.at("verdict") == "pass") ++passed_at_300;
        }
    }
    EXPECT_EQ(runs, 12u);
    EXPECT_EQ(passed_at_300, 4u) << "half the load: every seed recovers";
    const std::string page = read(dir / "sweep.html");
    EXPECT_TRUE(contains(page, ">Seeds passing</text>"));
    EXPECT_TRUE(contains(page, ">Time to recover (median over seeds)</text>"));
    EXPECT_GE(count(page, "<svg class=\"heatmap\""), 2u);
    EXPECT_TRUE(contains(read(dir / "sweep.md"), "| retry.attempts\\_max \\\\ load |"));
    ASSERT_EQ(faultline("report " + (dir / "sweep.json").string() + " -o " + (dir / "again.html").string()).exit_code,
              0);
    EXPECT_EQ(read(dir / "again.html"), page);
}

TEST(ReportCommands, PerfettoExportHasCallsPerHostAndFaultInstants) {
    const fs::path dir = scratch();
    const Result r =
        faultline("run " + stampede + " --perfetto " + (dir / "t.json").string() + " --perfetto-window 15s..25s");
    ASSERT_EQ(r.exit_code, 1) << r.out;  // the broken design
    const nlohmann::json trace = nlohmann::json::parse(read(dir / "t.json"));
    std::set<int> hosts_with_calls;
    bool fault_instant = false, window_respected = true;
    for (const auto& e : trace.at("traceEvents")) {
        if (e.at("ph") == "X" && e.value("cat", "") == "rpc") {
            hosts_with_calls.insert(e.at("pid").get<int>());
            const double end_us = e.at("ts").get<double>() + e.at("dur").get<double>();
            window_respected = window_respected && end_us >= 15e6 && e.at("ts").get<double>() <= 25e6;
        }
        if (e.at("ph") == "i" && e.at("s") == "g" && e.at("name") == "fault.inject") {
            fault_instant = e.at("args").at("kind") == "restart" && e.at("ts") == 20e6;
        }
    }
    EXPECT_GE(hosts_with_calls.size(), 5u) << "the clients, both api hosts and both cache hosts make calls";
    EXPECT_TRUE(fault_instant);
    EXPECT_TRUE(window_respected);
    EXPECT_EQ(faultline("run " + hostile + " --perfetto-window 5s..20s").exit_code, 2) << "a window needs --perfetto";
}

}  // namespace

namespace {

// A failure ends the run at once: an invariant due at the same instant after the failing one was
// never judged, and the result says so instead of "pass" (it was "pass" with an empty message,
// though judged alone it fails). The median of an M/M/1 at load 0.5 with mean service 2ms is
// ln 2 / 250 s, about 2.8ms: both invariants below fail when judged.
TEST(ReportCommands, AnInvariantDueAtTheInstantOfAnotherOnesFailureIsNotJudged) {
    const fs::path dir = scratch();
    std::ofstream(dir / "two.yaml") << R"(name: two-slos
duration: 5s
network: {latency: fixed(0ns)}
services:
  api: {hosts: api-1, queue: {workers_max: 1, queue_max: 1000000}, cpu: exponential(2ms)}
workloads:
  users: {hosts: clients, open_loop: {rate: 250/s}, call: {target: api, timeout: 100s}}
invariants:
  - name: first
    slo: {metric: users.latency, quantile: 0.99, max: 1ms, from: 1s, to: 4s}
  - name: second
    slo: {metric: users.latency, quantile: 0.5, max: 1ms, from: 1s, to: 4s}
)";
    const std::string file = (dir / "two.yaml").string();
    ASSERT_EQ(faultline("run " + file + " --seed 1 --result " + (dir / "r.json").string()).exit_code, 1);
    const auto j = nlohmann::json::parse(read(dir / "r.json"));
    ASSERT_EQ(j["invariants"].size(), 2u);
    EXPECT_EQ(j["invariants"][0]["result"], "fail");
    // One unit for one threshold: the condition and the failure say ms, as the file does (they
    // said "at most 0.001s" and "was 0.01s, above 1ms").
    EXPECT_TRUE(contains(j["invariants"][0]["condition"].get<std::string>(), "at most 1ms"))
        << j["invariants"][0].dump();
    EXPECT_TRUE(
        std::regex_search(j["invariants"][0]["message"].get<std::string>(), std::regex(R"(was [0-9.]+ms, above 1ms$)")))
        << j["invariants"][0].dump();
    EXPECT_EQ(j["invariants"][1]["result"], "not judged") << j["invariants"][1].dump();
    EXPECT_TRUE(contains(
        j["invariants"][1]["message"].get<std::string>(),
        "the run stopped at 4s, when 'first' failed, at the instant this one was due and before it was judged"))
        << j["invariants"][1].dump();
    // Alone, it is judged, and fails.
    const Result alone = faultline("run " + file + " --seed 1 --set invariants.0.slo.max=1s --json");
    EXPECT_TRUE(contains(alone.out, "\"invariant\":\"second\"")) << alone.out;
    // The one before the failing one was judged: it passed.
    ASSERT_EQ(faultline("run " + file +
                        " --seed 1 --set invariants.0.slo.max=1s --set invariants.1.slo.max=1s --set "
                        "invariants.1.slo.quantile=0.99 --result " +
                        (dir / "r2.json").string())
                  .exit_code,
              0);
    const auto passed = nlohmann::json::parse(read(dir / "r2.json"));
    EXPECT_EQ(passed["invariants"][0]["result"], "pass");
    EXPECT_EQ(passed["invariants"][1]["result"], "pass");
}

// With no traffic there is no baseline, and no recovery to time (it said "recovered in 5s").
TEST(ReportCommands, NoBaselineMeansNoRecoveryTime) {
    const fs::path dir = scratch();
    const Result r = faultline("run " + stampede + " --seed 1 --set workloads.users.open_loop.rate=0/s --json");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(contains(r.out, "no baseline: users.ok was 0 in the baseline window")) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    bool found = false;
    for (const auto& [name, value] : j["measurements"].items()) {
        if (name.ends_with(".recovery_s")) {
            found = true;
            EXPECT_TRUE(value.is_null()) << name << " " << value.dump();
        }
    }
    EXPECT_TRUE(found) << r.out;
    const Result text = faultline("run " + stampede + " --seed 1 --set workloads.users.open_loop.rate=0/s");
    EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(\.recovery_s +- +\(no baseline\))"))) << text.out;
}

}  // namespace

namespace {

// Retries per second are counted as they are sent (a `.retries` series per call edge), not
// derived as attempts less requests: that went negative where requests were refused before any
// attempt (a deadline already spent) or attempts were sampled a second after their requests.
TEST(ReportCommands, RetriesAreCountedAndNeverNegative) {
    const fs::path dir = scratch();
    ASSERT_EQ(faultline("run " + stampede + " --seed 1 --result " + (dir / "r.json").string()).exit_code, 1);
    const auto j = nlohmann::json::parse(read(dir / "r.json"));
    std::map<std::string, double> totals;  // per series: the sum of its per-second samples
    for (const auto& s : j["series"]) {
        double sum = 0;
        for (const auto& v : s["values"]) {
            if (v.is_null()) continue;
            if (s["name"].get<std::string>().ends_with(".retries")) {
                EXPECT_GE(v.get<double>(), 0) << s["name"];
            }
            sum += v.get<double>();
        }
        totals[s["name"].get<std::string>()] = sum;
    }
    const std::string edge = "calls.api.cache";
    ASSERT_EQ(totals.count(edge + ".retries"), 1u);
    // Every attempt after a request's first is a retry: at least attempts less requests (equal
    // when each request made an attempt), at most the attempts. The edge retries a lot here.
    const double attempts = totals[edge + ".attempts"], requests = totals[edge + ".requests"];
    EXPECT_GT(totals[edge + ".retries"], 0.3 * requests);
    EXPECT_GE(totals[edge + ".retries"], attempts - requests - 0.5);
    EXPECT_LE(totals[edge + ".retries"], attempts);
}

}  // namespace

namespace {

// An A/B of two scenarios: a component only one side has gets no line of zeros for the other
// (the error charts drew "B: errors" at 0 for a workload B does not have), and each side's
// description is shown (only A's was).
TEST(ReportCommands, AComparisonOfTwoScenariosDrawsOnlyWhatEachHasAndBothDescriptions) {
    const fs::path dir = scratch();
    std::ofstream(dir / "other.yaml") << R"(name: other
description: The other design, with its own words.
duration: 10s
services:
  front: {hosts: front-1, cpu: fixed(100us)}
workloads:
  people: {hosts: clients, open_loop: {rate: 100/s}, call: {target: front, timeout: 1s}}
)";
    const Result r = faultline("compare " + stampede + " " + (dir / "other.yaml").string() +
                               " --seed 1 --jobs 1 --report " + (dir / "c.html").string());
    ASSERT_NE(r.exit_code, 2) << r.out;
    const std::string page = read(dir / "c.html");
    EXPECT_EQ(count(page, "\"label\":\"A: errors\""), 1u) << "users' chart only";
    EXPECT_EQ(count(page, "\"label\":\"B: errors\""), 1u) << "people's chart only";
    EXPECT_EQ(count(page, "\"label\":\"B: cache\""), 0u) << "B has no cache service";
    EXPECT_EQ(count(page, "\"label\":\"A: front\""), 0u) << "A has no front service";
    EXPECT_TRUE(contains(page, "The other design, with its own words.")) << "B's description";
    EXPECT_TRUE(contains(page, "A restart of the whole cache tier")) << "A's description";
    const std::string md = read(dir / "c.md");
    EXPECT_TRUE(contains(md, "The other design, with its own words.")) << md;
    EXPECT_FALSE(contains(md, "(none) -> (none)")) << "an option one side lacks and the other leaves unset: " << md;
    // B has nothing to recover: no judgement either way.
    const Result swapped =
        faultline("compare " + (dir / "other.yaml").string() + " " + stampede + " --seed 1 --jobs 1");
    EXPECT_FALSE(contains(swapped.out, "B recovers")) << swapped.out;
    EXPECT_FALSE(contains(swapped.out, "B does not recover")) << swapped.out;
}

}  // namespace

namespace {

// The run says which faults were still on at its end: a crash without a duration stays down.
TEST(ReportCommands, AFaultStillOnAtTheEndIsRecordedSo) {
    const fs::path dir = scratch();
    std::ofstream(dir / "down.yaml") << R"(name: down
duration: 10s
services:
  api: {hosts: "api-{1..2}", cpu: fixed(100us)}
workloads:
  users: {hosts: clients, open_loop: {rate: 50/s}, call: {target: api, timeout: 1s}}
faults:
  - {at: 2s, kind: crash, targets: [api-1]}
  - {at: 3s, duration: 1s, kind: crash, targets: [api-2]}
)";
    ASSERT_NE(faultline("run " + (dir / "down.yaml").string() + " --seed 1 --result " + (dir / "r.json").string() +
                        " --report " + (dir / "r.html").string())
                  .exit_code,
              2);
    const auto j = nlohmann::json::parse(read(dir / "r.json"));
    ASSERT_EQ(j["faults"].size(), 2u);
    EXPECT_EQ(j["faults"][0].value("open_at_end", false), true) << j["faults"][0].dump();
    EXPECT_EQ(j["faults"][1].value("open_at_end", false), false) << j["faults"][1].dump();
    EXPECT_TRUE(contains(read(dir / "r.html"), "2s: crash api-1 (still on when the run ended at 10s)"));
    // And it reads back: the page drawn again from the result is the same.
    ASSERT_EQ(faultline("report " + (dir / "r.json").string() + " -o " + (dir / "again.html").string()).exit_code, 0);
    EXPECT_TRUE(contains(read(dir / "again.html"), "2s: crash api-1 (still on when the run ended at 10s)"));
}

}  // namespace

namespace {

// A run that left no result (a crash) was written to the sweep file as judged for recovery, which
// a reader of the file took for "did not recover"; it says it was not judged.
TEST(ReportCommands, ASweepRunThatCrashedIsNotJudgedForRecovery) {
    const fs::path dir = scratch();
    const Result r = faultline("sweep planted-harness --grid crash_on_seed=1,2 --seeds 1 --jobs 1 --result " +
                               (dir / "s.json").string());
    ASSERT_EQ(r.exit_code, 1) << r.out;
    const auto j = nlohmann::json::parse(read(dir / "s.json"));
    ASSERT_EQ(j["cells"].size(), 2u);
    const auto& crashed = j["cells"][0]["runs"][0];
    EXPECT_EQ(crashed["verdict"], "crash") << crashed.dump();
    EXPECT_EQ(crashed["recovery_judged"], false) << crashed.dump();
    EXPECT_EQ(j["cells"][1]["runs"][0]["verdict"], "pass");
    // planted-harness has no workload whose recovery could be timed: the file states no rule.
    EXPECT_EQ(j.value("recovery_rule", "?"), "") << j.dump();
}

}  // namespace
