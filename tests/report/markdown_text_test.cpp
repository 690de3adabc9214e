// Markdown and HTML text as a reader of the file sees it: Markdown escapes with backslashes only
// what Markdown would read as markup ("api -> payments" stays, where it read "api -&gt; payments"),
// a control character in a name is shown as its picture in both (it was written raw into the .md),
// and an invariant's measurement and message say "did not recover" once.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "records.hpp"
#include "report/headline.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"
#include "report/text.hpp"

namespace {

using namespace faultline::report;

TEST(ReportMarkdownText, AnArrowAndAnAmpersandStayAsTheyAre) {
    EXPECT_EQ(markdown("api -> payments"), "api -> payments");
    EXPECT_EQ(markdown("fast & cheap"), "fast & cheap");
    EXPECT_EQ(markdown("x < 5 > 3"), "x \\< 5 > 3");
}

TEST(ReportMarkdownText, WhatMarkdownWouldReadAsMarkupIsEscapedWithABackslash) {
    EXPECT_EQ(markdown("<script>alert(1)</script>"), "\\<script>alert(1)\\</script>") << "no tag can open";
    EXPECT_EQ(markdown("&lt;b&gt; &#60; &#x3C;"), "\\&lt;b\\&gt; \\&\\#60; \\&\\#x3C;")
        << "an entity is shown as written";
    EXPECT_EQ(markdown("> quoted"), "\\> quoted") << "first on a line, '>' would start a quote";
    EXPECT_EQ(markdown("  > quoted"), "  \\> quoted");
    EXPECT_EQ(markdown("a|b *c* _d_ [e](f) `g`\nh\ti"), "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` h i");
}

TEST(ReportMarkdownText, AControlCharacterIsShownAsItsPictureNeverWrittenRaw) {
    EXPECT_EQ(markdown("a\"p\\i\x01"), "a\"p\\\\i\u2401");
    EXPECT_EQ(markdown(std::string("nul\0del\x7f", 8)), "nul\u2400del\u2421");
    EXPECT_EQ(html("a\"p\\i\x01"), "a&quot;p\\i\u2401");
    EXPECT_EQ(html("tab\tand\nline"), "tab\tand\nline") << "whitespace is whitespace in HTML";
    EXPECT_EQ(visible("code \x1b[0m"), "code \u241b[0m");
}

// The recovers invariant's measurement says it did not recover, and its message says so again
// with the numbers: the table said "recovery_s: did not recover. did not recover: users.ok ...".
faultline::report::RunRecord not_recovered() {
    RunRecord r = report_test::outage_run();
    r.verdict = "fail";
    const double nan = std::numeric_limits<double>::quiet_NaN();
    InvariantRecord inv;
    inv.name = "goodput recovers";
    inv.kind = "recovers";
    inv.condition = "users.ok back to 90% of baseline";
    inv.result = "fail";
    inv.message = "did not recover: users.ok was 0/s at 59s, 0% of its 294.3/s baseline";
    r.invariants = {inv};
    r.measurements = {{"goodput recovers.baseline", 294.263, "users.ok per second"},
                      {"goodput recovers.recovery_s", nan, "did not recover"}};
    return r;
}

TEST(ReportMarkdownText, AnInvariantsMessageThatGoesOnFromItsMeasurementIsSaidOnce) {
    const RunRecord r = not_recovered();
    const std::string details = invariant_details(r, r.invariants[0]);
    EXPECT_EQ(details,
              "baseline 294.263 (users.ok per second); recovery_s: did not recover: users.ok was 0/s at 59s, 0% of its "
              "294.3/s baseline");
    const std::string md = run_markdown(r, "");
    EXPECT_NE(md.find(markdown(details)), std::string::npos) << md;
    EXPECT_EQ(md.find("did not recover. did not recover"), std::string::npos) << md;
    const std::string page = run_html(r);
    EXPECT_NE(page.find(html(details)), std::string::npos);
    EXPECT_EQ(page.find("did not recover. did not recover"), std::string::npos);

    RunRecord other = r;  // a message that does not go on from a note follows the measurements
    other.invariants[0].message = "the run stopped first";
    EXPECT_EQ(invariant_details(other, other.invariants[0]),
              "baseline 294.263 (users.ok per second); recovery_s: did not recover. the run stopped first");
}

}  // namespace
