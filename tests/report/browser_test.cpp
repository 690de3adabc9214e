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

#include "support/run_program.hpp"
#include "text_search.hpp"
#ifdef FAULTLINE_HAVE_ZLIB
#include "png.hpp"
#endif

namespace {

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
