// Reports in a real browser (Debian's chromium, headless): the page loads with no console
// messages (no script error, nothing blocked by its no-fetch policy), its script finds every
// chart, and a screenshot shows drawn charts: fault shading and coloured lines, which a page
// without its charts does not have. Skipped when chromium is not installed (scripts/setup.sh
// installs it).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "records.hpp"
#include "report/html.hpp"
#include "support/run_program.hpp"
#include "text_search.hpp"
#ifdef FAULTLINE_HAVE_ZLIB
#include "png.hpp"
#endif

namespace {

using faultline::report::RunRecord;
using report_test::contains;
using report_test::read;

namespace fs = std::filesystem;
using test_support::Result;

const std::string stampede = std::string(FAULTLINE_REPORT_DATA) + "/small-stampede.yaml";
const std::string hostile = std::string(FAULTLINE_REPORT_DATA) + "/hostile-strings.yaml";

std::string chromium_path() {
    const Result r = test_support::run_program("command -v chromium || command -v chromium-browser");
    if (r.exit_code != 0 || r.out.empty()) return "";
    return r.out.substr(0, r.out.find('\n'));
}

class ReportBrowser : public testing::Test {
protected:
    void SetUp() override {
#ifndef FAULTLINE_HAVE_ZLIB
        GTEST_SKIP() << "built without zlib: cannot read screenshots (scripts/setup.sh installs zlib1g-dev)";
#endif
        chromium_ = chromium_path();
        if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(testing::TempDir()) / "faultline-browser" / info->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }

    // Chromium's output with console messages logged ("INFO:CONSOLE(...)" lines).
    Result browse(const fs::path& page, const std::string& what) {
        return test_support::run_program("timeout 120 " + chromium_ +
                                         " --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run"
                                         " --user-data-dir=" +
                                         (dir_ / "profile").string() +
                                         " --enable-logging=stderr --v=0 --window-size=1280,2200 " + what + " file://" +
                                         fs::absolute(page).string());
    }

    static std::vector<std::string> console_lines(const std::string& out) {
        std::vector<std::string> lines;
        std::istringstream in(out);
        for (std::string line; std::getline(in, line);) {
            if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
        }
        return lines;
    }

    // The page's own account of itself, from the DOM after its scripts ran.
    static std::string attribute(const std::string& dom, const std::string& name) {
        const std::regex re(name + "=\"([^\"]*)\"");
        std::smatch m;
        return std::regex_search(dom, m, re) ? m[1].str() : "";
    }

#ifdef FAULTLINE_HAVE_ZLIB
    struct Ink {
        std::size_t shading = 0;   // the fault windows' orange wash
        std::size_t coloured = 0;  // saturated pixels: lines, badges, labels
    };
    Ink ink(const fs::path& png) {
        const test_support::Image img = test_support::read_png(png.string());
        EXPECT_EQ(img.error, "") << png;
        Ink k;
        for (std::uint32_t y = 0; y < img.height; ++y) {
            for (std::uint32_t x = 0; x < img.width; ++x) {
                const std::uint8_t* p = img.at(x, y);
                const int hi = std::max({p[0], p[1], p[2]}), lo = std::min({p[0], p[1], p[2]});
                if (hi - lo > 60) ++k.coloured;
                // #f28e2b at 16% over white is about (253, 237, 221).
                if (std::abs(p[0] - 253) <= 3 && std::abs(p[1] - 237) <= 4 && std::abs(p[2] - 221) <= 5) ++k.shading;
            }
        }
        return k;
    }

    Ink screenshot(const fs::path& page, const std::string& name) {
        const fs::path png = dir_ / (name + ".png");
        const Result r = browse(page, "--screenshot=" + png.string());
        EXPECT_TRUE(fs::exists(png)) << r.out;
        EXPECT_EQ(console_lines(r.out), std::vector<std::string>{}) << "console messages while loading " << page;
        return ink(png);
    }
#endif

    // Loads a report: no console messages, its script ran, every chart with data was found.
    std::string expect_loads_cleanly(const fs::path& page) {
        const std::string html = read(page);
        const Result r = browse(page, "--dump-dom");
        EXPECT_EQ(console_lines(r.out), std::vector<std::string>{}) << "console messages while loading " << page;
        EXPECT_EQ(attribute(r.out, "data-ready"), "1") << "the page's script did not finish";
        EXPECT_EQ(attribute(r.out, "data-js-errors"), "0");
        std::size_t with_lines = 0;
        for (std::size_t at = html.find("<svg class=\"chart\""); at != std::string::npos;
             at = html.find("<svg class=\"chart\"", at + 1)) {
            const std::size_t end = html.find("</svg>", at);
            if (html.substr(at, end - at).find("<path") != std::string::npos) ++with_lines;
        }
        EXPECT_GE(with_lines, 8u);
        EXPECT_EQ(attribute(r.out, "data-charts-drawn"), std::to_string(with_lines));
        return r.out;
    }

    // What the first chart's read-out says with the cursor at each of `times` (below).
    std::vector<std::string> hover(const fs::path& page, const std::vector<double>& times);

    std::string chromium_;
    fs::path dir_;
};

TEST_F(ReportBrowser, TheRunReportLoadsCleanlyAndItsScreenshotShowsDrawnCharts) {
    // The scenario named <script>, with a 6s fault window to shade.
    const fs::path page = dir_ / "run.html";
    const Result run =
        test_support::run_program(std::string(FAULTLINE_BIN) + " run " + hostile + " --report " + page.string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
    const std::string dom = expect_loads_cleanly(page);
    EXPECT_NE(dom.find("<h1>&lt;script&gt;alert(\"name\")&lt;/script&gt; <span"), std::string::npos)
        << "the name is text in the page";
#ifdef FAULTLINE_HAVE_ZLIB
    const Ink with = screenshot(page, "run");
    // The same page without its charts: what the screenshot would show if none were drawn.
    const fs::path bare = dir_ / "bare.html";
    std::ofstream(bare) << std::regex_replace(read(page), std::regex("<svg class=\"chart\"[^]*?</svg>"), "");
    const Ink without = screenshot(bare, "bare");
    EXPECT_GT(with.shading, 20000u) << "fault windows shaded on the charts";
    EXPECT_LT(without.shading, 100u);
    EXPECT_GT(with.coloured, 10000u) << "coloured lines drawn";
    EXPECT_GT(with.coloured, 4 * without.coloured) << "the charts, not the rest of the page, carry the colour";
#endif
}

TEST_F(ReportBrowser, TheComparisonLoadsCleanlyAndItsScreenshotShowsBothRuns) {
    const fs::path page = dir_ / "ab.html";
    const Result r = test_support::run_program(std::string(FAULTLINE_BIN) + " compare " + stampede +
                                               " --seed 1 --b-variant warmup-limit --report " + page.string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    expect_loads_cleanly(page);
#ifdef FAULTLINE_HAVE_ZLIB
    const Ink k = screenshot(page, "ab");
    EXPECT_GT(k.coloured, 10000u);
#endif
}

// The read-out of the first chart (goodput) with the cursor at each time: a script added after
// the page's own moves the mouse there and keeps what the tip says, a line per row, in an
// attribute of the page.
std::vector<std::string> ReportBrowser::hover(const fs::path& page, const std::vector<double>& times) {
    std::string probe =
        "<script>(function(){var c=JSON.parse(document.getElementById('chart-data').textContent)[0];"
        "var svg=document.getElementById(c.id);var r=svg.getBoundingClientRect();"
        "var tip=document.querySelector('div.tip');var out=[];[";
    for (std::size_t i = 0; i < times.size(); ++i) probe += (i ? "," : "") + std::to_string(times[i]);
    probe +=
        "].forEach(function(t){var x=c.left+(t-c.t0)/(c.t1-c.t0)*(c.right-c.left);"
        "svg.dispatchEvent(new MouseEvent('mousemove',{clientX:r.left+x*r.width/c.width,clientY:r.top+r.height/2}));"
        "out.push(Array.prototype.map.call(tip.children,function(d){return d.textContent;}).join(' | '));});"
        "document.documentElement.setAttribute('data-hover',out.join(' // '));})();</script>\n";
    std::string html = read(page);
    html.insert(html.rfind("</body>"), probe);
    const fs::path probed = page.parent_path() / ("probed-" + page.filename().string());
    std::ofstream(probed) << html;
    const Result r = browse(probed, "--dump-dom");
    std::string all = std::regex_replace(attribute(r.out, "data-hover"), std::regex("&amp;"), "&");
    std::vector<std::string> out;
    for (std::size_t at = 0; at <= all.size();) {
        const std::size_t end = std::min(all.find(" // ", at), all.size());
        out.push_back(all.substr(at, end - at));
        at = end + 4;
    }
    return out;
}

// A tester's finding: hovering an A/B chart at 95s read "t = 81s" (A's last sample) beside B's
// 95s value. Each value comes from its own run's nearest sample, labelled with its time when it
// is not the tip's, and a run that ended shows nothing past its end.
TEST_F(ReportBrowser, TheComparisonReadOutTimesEachRunsValueAndEndsWithItsRun) {
    // A: samples every second, stopped at 40s; B: samples every 5s, to 60s.
    RunRecord a = report_test::outage_run(), b = report_test::outage_run();
    a.times.resize(40);
    for (models::Series& s : a.series) s.values.resize(40);
    a.end_s = 40;
    a.verdict = "fail";
    a.failure = faultline::report::FailureRecord{"invariant", "goodput recovers", "did not recover", "", "", 40};
    a.invariants[0].result = "fail";
    a.label = "A";
    b.times.clear();
    for (models::Series& s : b.series) {
        std::vector<double> every5;
        for (std::size_t k = 4; k < s.values.size(); k += 5) every5.push_back(s.values[k]);
        s.values = every5;
    }
    for (int t = 5; t <= 60; t += 5) b.times.push_back(t);
    b.label = "B";
    const fs::path page = dir_ / "ab.html";
    std::ofstream(page) << faultline::report::compare_html(a, b);
    const std::vector<std::string> tips = hover(page, {47, 38.2, 58});
    ASSERT_EQ(tips.size(), 3u) << testing::PrintToString(tips);
    // At 47s: A ended at 40s; B's nearest sample is 45s.
    EXPECT_TRUE(tips[0].starts_with("t = 45s | ")) << tips[0];
    EXPECT_TRUE(contains(tips[0], "A: goodput (ok): ended at 40s")) << tips[0];
    EXPECT_TRUE(contains(tips[0], "B: goodput (ok): 100/s |")) << tips[0];
    EXPECT_FALSE(contains(tips[0], "(at ")) << tips[0];
    // At 38.2s: A's sample at 38s is the nearest; B's nearest is 40s, and says so.
    EXPECT_TRUE(tips[1].starts_with("t = 38s | ")) << tips[1];
    EXPECT_TRUE(contains(tips[1], "A: goodput (ok): 100/s |")) << tips[1];
    EXPECT_TRUE(contains(tips[1], "B: goodput (ok): 100/s (at 40s)")) << tips[1];
    EXPECT_TRUE(tips[2].starts_with("t = 60s | ")) << tips[2];
}

TEST_F(ReportBrowser, TheHarnessSeesConsoleErrorsAndBlockedFetches) {
    // A canary: a page that logs an error and tries to fetch must be caught by the same checks.
    const fs::path page = dir_ / "bad.html";
    std::ofstream(page)
        << "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "script-src 'unsafe-inline'\"></head><body><img src=\"http://192.0.2.1/x.png\">"
           "<script>console.error('boom')</script></body></html>";
    const Result r = browse(page, "--dump-dom");
    const std::vector<std::string> lines = console_lines(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.out;
    EXPECT_NE(lines[0].find("Content Security Policy"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("boom"), std::string::npos) << lines[1];
}

}  // namespace
