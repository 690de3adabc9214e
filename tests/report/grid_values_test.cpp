// --grid values that hold a range's or a list's punctuation inside brackets: a host pattern's
// "..", a value's commas. They belong to the value, not to the axis.
#include <gtest/gtest.h>

#include "report/sweep.hpp"

namespace {

using namespace faultline::report;

TEST(ReportSweep, AHostPatternsDotsAreTheValuesNotARange) {
    // It was "'backend-{1' is not a number (a range is A..B[:STEP])": a host axis could not be swept.
    EXPECT_EQ(parse_grid_text("services.backend.hosts=backend-{1..4},backend-{1..2}").labels,
              (std::vector<std::string>{"backend-{1..4}", "backend-{1..2}"}));
    EXPECT_EQ(parse_grid_text("services.backend.hosts=backend-{1..4}").labels,
              (std::vector<std::string>{"backend-{1..4}"}));
    // A range outside brackets is still a range.
    EXPECT_EQ(parse_grid_text("retry.attempts_max=1..3").labels, (std::vector<std::string>{"1", "2", "3"}));
}

// An empty segment in the axis's path is said as --set says it (it was "no option is called ...").
TEST(ReportSweep, AnEmptyPathSegmentInAGridIsSaidSo) {
    for (const std::string text : {"services..backend.cpu=fixed(1ms)", ".attempts_max=1,2", "retry.=1,2"}) {
        try {
            (void)parse_grid_text(text);
            ADD_FAILURE() << text << " was taken";
        } catch (const ReportError& e) {
            EXPECT_NE(std::string(e.what()).find("empty path segment in " + text.substr(0, text.find('='))),
                      std::string::npos)
                << e.what();
        }
    }
}

}  // namespace
