// The scan that finds where an unclosed '{' or '[' was opened, for the loader's error message.
#include <gtest/gtest.h>

#include "yaml/unclosed_bracket.hpp"

namespace {

using faultline::unclosed_flow_opener;

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

}  // namespace
