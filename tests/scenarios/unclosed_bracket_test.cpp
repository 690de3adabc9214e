// The scan that finds where an unclosed '{' or '[' was opened, or a quote that is never closed,
// for the loader's error messages.
#include <gtest/gtest.h>

#include <string>

#include "yaml/unclosed_bracket.hpp"

namespace {

using faultline::unclosed_flow_opener;
using faultline::unclosed_quote;

testing::AssertionResult at(std::string_view text, char open, int until, int line, int column) {
    const auto p = unclosed_flow_opener(text, open, until);
    if (!p) return testing::AssertionFailure() << "found none";
    if (p->line != line || p->column != column) return testing::AssertionFailure() << "found " << p->line << ":" << p->column;
    return testing::AssertionSuccess();
}

TEST(UnclosedBracket, FindsTheOpenerThatNothingCloses) {
    const char* text =
        "name: x\n"
        "queue: {workers_max: 8, queue_max: 64}\n"
        "calls: [{target: a}, {target: b\n"
        "services:\n";
    EXPECT_TRUE(at(text, '{', 4, 3, 22));
    EXPECT_TRUE(at(text, '[', 4, 3, 8));
    EXPECT_FALSE(unclosed_flow_opener(text, '{', 2).has_value()) << "everything up to line 2 is closed";
}

TEST(UnclosedBracket, IgnoresBracketsInPlainValuesQuotesCommentsAndBlockText) {
    const char* text =
        "hosts: api-{1..4}\n"                   // a host pattern, not a flow mapping
        "title: 'a { in quotes'\n"
        "\"quoted key\": {a: 1}\n"                // closed: a quoted key, then a flow mapping
        "other: \"a [ too, and an escaped \\\" quote\"\n"
        "note: it's { plain\n"                  // an apostrophe and a brace inside a plain value
        "# a comment with { and [\n"
        "description: >\n"
        "  text with { and [ that\n"
        "  goes on\n"
        "limits: {time_max: 10m  # a comment inside the flow: }\n"
        "next: 1\n";
    EXPECT_TRUE(at(text, '{', 11, 10, 9));
    EXPECT_FALSE(unclosed_flow_opener(text, '[', 11).has_value());
}

TEST(UnclosedBracket, ListItemsAndNestedFlowsCount) {
    const char* text =
        "faults:\n"
        "  - {at: 30s, kind: crash, targets: [api-1, api-2}\n"
        "  - {at: 40s}\n";
    // The '[' is closed by the '}' as far as a scan is concerned (yaml-cpp itself reports that
    // one as a bracket that closes the wrong thing); the '{' before it stays open.
    EXPECT_TRUE(at(text, '{', 3, 2, 5));
}

TEST(UnclosedBracket, TheInnermostOpenBracketOfEitherKind) {
    const char* text =
        "faults:\n"
        "  - {at: 30s, targets: [api-1,\n"
        "      api-2]\n"
        "  - {at: 40s}\n";
    const auto two = faultline::innermost_open_bracket(text, 2);
    ASSERT_TRUE(two.has_value());
    EXPECT_EQ(two->bracket, '[');
    EXPECT_EQ(two->at.line, 2);
    EXPECT_EQ(two->at.column, 24);
    const auto three = faultline::innermost_open_bracket(text, 3);
    ASSERT_TRUE(three.has_value());
    EXPECT_EQ(three->bracket, '{');
    EXPECT_EQ(three->at.column, 5);
    EXPECT_FALSE(faultline::innermost_open_bracket(text, 1).has_value());
}

TEST(UnclosedQuote, FindsTheQuoteStillOpenAtTheEnd) {
    const char* text =
        "name: 'it''s closed'\n"               // '' inside '...' is a quote, not the end
        "note: it's a plain value\n"            // an apostrophe inside a plain value
        "other: \"an escaped \\\" quote\"\n"
        "# a comment's quote\n"
        "description: >\n"
        "  block text's quote\n"
        "long: \"a quoted value\n"              // spans two lines, closed on the next
        "  on two lines\"\n"
        "calls: [{target: \"db}]\n"             // opened here, never closed
        "next: 1\n";
    const auto p = unclosed_quote(text);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->line, 9);
    EXPECT_EQ(p->column, 18);
    EXPECT_FALSE(unclosed_quote("a: 'x'\nb: \"y\"\nc: it's\n").has_value());
    EXPECT_FALSE(unclosed_quote("").has_value());
    // Lines ending in CRLF read the same.
    std::string crlf;
    for (const char* c = text; *c != 0; ++c) crlf += *c == '\n' ? std::string("\r\n") : std::string(1, *c);
    const auto q = unclosed_quote(crlf);
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(q->line, 9);
    EXPECT_EQ(q->column, 18);
    const auto r = faultline::runaway_quote("a: \"x\r\nservices:\r\n  b: 1\r\n", 3);
    ASSERT_TRUE(r.has_value()) << "the swallowed 'services:' looks like a key";
    EXPECT_EQ(r->opened.line, 1);
}

}  // namespace
