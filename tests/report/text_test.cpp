// Escaping for every place a scenario's strings land, and numbers as a reader sees them.
#include <gtest/gtest.h>

#include <cmath>

#include "report/text.hpp"

namespace {

using namespace faultline::report;

TEST(ReportText, HtmlEscapesEveryCharacterThatCouldStartMarkup) {
    EXPECT_EQ(html("<script>alert(\"x\" & 'y')</script>"),
              "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
    EXPECT_EQ(html("plain text stays"), "plain text stays");
}

TEST(ReportText, JsonStringsCannotEndTheScriptElementTheySitIn) {
    const std::string s = json_string("</script><b>\"q\"\\\n\xE2\x80\xA8");
    EXPECT_EQ(s.find("</"), std::string::npos) << s;
    EXPECT_EQ(s.find('<'), std::string::npos) << s;
    EXPECT_EQ(s, "\"\\u003c/script\\u003e\\u003cb\\u003e\\\"q\\\"\\\\\\n\\u2028\"");
}

TEST(ReportText, MarkdownEscapesTablePipesEmphasisLinksAndHtml) {
    EXPECT_EQ(markdown("a|b *c* _d_ [e](f) <i> `g`\nh"), "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<i> \\`g\\` h");
}

TEST(ReportText, NumbersReadWellOnAxesAndInTables) {
    EXPECT_EQ(format_short(1500, Unit::per_second), "1.5k/s");
    EXPECT_EQ(format_short(0.25, Unit::seconds), "250ms");
    EXPECT_EQ(format_short(0.000042, Unit::seconds), "42us");
    EXPECT_EQ(format_short(0.92, Unit::ratio), "92%");
    EXPECT_EQ(format_short(2.9, Unit::times), "2.9x");
    EXPECT_EQ(format_value(57908, Unit::count), "57,908");
    EXPECT_EQ(format_value(2636.05, Unit::per_second), "2,636/s");
    EXPECT_EQ(format_value(0.04325, Unit::seconds), "43.25ms");
    EXPECT_EQ(thousands(-1234567), "-1,234,567");
    EXPECT_EQ(format_value(std::nan(""), Unit::count), "-");
}

TEST(ReportText, TimesSinceTheStartAreSecondsThenMinutes) {
    EXPECT_EQ(format_time(30), "30s");
    EXPECT_EQ(format_time(2.5), "2.5s");
    EXPECT_EQ(format_time(90), "1m30s");
    EXPECT_EQ(format_time(120), "2m");
    EXPECT_EQ(format_time(3600), "1h");
    // Past a minute, a fraction of a second no longer turns it back into seconds ("222321s").
    EXPECT_EQ(format_time(100.2), "1m40.2s");
    EXPECT_EQ(format_time(65.5), "1m05.5s");
    EXPECT_EQ(format_time(119.96), "2m");
    EXPECT_EQ(format_time(222321.4), "61h45m");
    EXPECT_EQ(format_time(-90), "-1m30s");
    EXPECT_EQ(format_number(0.1 + 0.2), "0.3");
    // Past %g's exponents: whole digits only where they are few and exact.
    EXPECT_EQ(format_number(1234567, 4), "1234567");
    EXPECT_EQ(format_number(0.00001, 12), "1e-05");
    EXPECT_EQ(format_number(0.00002, 4), "2e-05");
    EXPECT_EQ(format_number(1e308, 12), "1e+308");
    EXPECT_EQ(format_number(-1e50, 4), "-1e+50");
}

}  // namespace
