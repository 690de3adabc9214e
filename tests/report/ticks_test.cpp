// Axis ticks are nice numbers that cover the data, the same on every machine.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "report/ticks.hpp"

namespace {

using namespace faultline::report;

TEST(ReportTicks, LinearTicksAreOneTwoOrFiveTimesAPowerOfTen) {
    const Ticks t = linear_ticks(0, 2436, 5);
    EXPECT_EQ(t.values, (std::vector<double>{0, 500, 1000, 1500, 2000, 2500}));
    EXPECT_EQ(t.lo, 0);
    EXPECT_EQ(t.hi, 2500) << "widened to the next tick";
    EXPECT_EQ(linear_ticks(0, 2636, 5).values, (std::vector<double>{0, 1000, 2000, 3000}))
        << "never more than asked for";
    const Ticks small = linear_ticks(0, 0.3, 3);
    EXPECT_EQ(small.values, (std::vector<double>{0, 0.1, 0.2, 0.3}));  // not 0.30000000000000004
}

TEST(ReportTicks, AFlatSeriesStillGetsAnAxis) {
    const Ticks t = linear_ticks(5, 5, 5);
    EXPECT_LT(t.lo, 5);
    EXPECT_GT(t.hi, 5);
    EXPECT_GE(t.values.size(), 2u);
}

TEST(ReportTicks, LogTicksAreDecades) {
    const Ticks t = log_ticks(0.0015, 1.7);
    EXPECT_EQ(t.lo, 0.001);
    EXPECT_EQ(t.hi, 10);
    EXPECT_EQ(t.values, (std::vector<double>{0.001, 0.01, 0.1, 1, 10}));
}

TEST(ReportTicks, TimeTicksStepInUnitsAPersonCounts) {
    EXPECT_EQ(time_ticks(0, 100, 10).values, (std::vector<double>{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
    const Ticks minutes = time_ticks(0, 600, 10);
    EXPECT_EQ(minutes.values.at(1), 60);  // 1m, not 55s or 66.6s
    const Ticks sub = time_ticks(0, 2, 10);
    EXPECT_EQ(sub.values.at(1), 0.2);
}

RC_GTEST_PROP(ReportTicks, LinearTicksCoverTheRangeInFewNiceSteps, ()) {
    const double lo = *rc::gen::inRange(-100000, 100000) / 7.0;
    const double span = *rc::gen::inRange(1, 10000000) / 13.0;
    const Ticks t = linear_ticks(lo, lo + span, 5);
    RC_ASSERT(t.lo <= lo);
    RC_ASSERT(t.hi >= lo + span);
    RC_ASSERT(t.values.size() >= 2u);
    RC_ASSERT(t.values.size() <= 12u);
    const double step = t.values[1] - t.values[0];
    const double mantissa = step / pow10_int(static_cast<int>(std::floor(std::log10(step) + 1e-9)));
    RC_ASSERT(std::fabs(mantissa - 1) < 1e-9 || std::fabs(mantissa - 2) < 1e-9 || std::fabs(mantissa - 2.5) < 1e-9 ||
              std::fabs(mantissa - 5) < 1e-9);
}

// A double anywhere in its range, from 1e-320 to 1e308 and either sign, or 0.
double any_magnitude() {
    const double mantissa = *rc::gen::inRange(1, 10000) / 1000.0;
    const int exponent = *rc::gen::inRange(-320, 305);
    const double sign = *rc::gen::element(-1.0, 0.0, 1.0);
    return sign * mantissa * pow10_int(exponent);
}

// A hand-edited result file can hold any number (an end of 2^64 s, a value of 1e308): the axes
// drawn from it have a few finite ticks, never millions (which hung 'faultline report').
RC_GTEST_PROP(ReportTicks, AnyRangeGivesAFewFiniteTicks, ()) {
    const double lo = any_magnitude();
    const double hi = *rc::gen::element(0, 1) ? any_magnitude() : lo + any_magnitude();
    for (const Ticks& t : {linear_ticks(lo, hi, 5), time_ticks(lo, hi, 10), log_ticks(lo, hi)}) {
        RC_ASSERT(!t.values.empty());
        RC_ASSERT(t.values.size() <= 14u);
        for (double v : t.values) RC_ASSERT(std::isfinite(v));
        RC_ASSERT(std::isfinite(t.lo));
        RC_ASSERT(std::isfinite(t.hi));
    }
}

TEST(ReportTicks, HugeTimeRangesStepInNiceNumbersPastDays) {
    const Ticks t = time_ticks(0, 18446744073709551616.0, 10);  // 2^64 seconds
    ASSERT_GE(t.values.size(), 2u);
    EXPECT_LE(t.values.size(), 12u);
    EXPECT_EQ(t.values.at(1), 2e18);
    const Ticks far = time_ticks(1e300, 1e300, 10);  // no room between the ends: just the ends
    EXPECT_EQ(far.values.size(), 2u);
    const Ticks wide = linear_ticks(-1e308, 1e308, 5);  // the span itself overflows a double
    EXPECT_LE(wide.values.size(), 12u);
    EXPECT_TRUE(std::isfinite(wide.hi - wide.lo));
}

TEST(ReportTicks, ALogScaleMapsDecadesToEqualDistances) {
    const Scale s(1, 1000, 0, 300, true);
    EXPECT_NEAR(s(1), 0, 1e-9);
    EXPECT_NEAR(s(10), 100, 1e-9);
    EXPECT_NEAR(s(100), 200, 1e-9);
    EXPECT_NEAR(s(0), 0, 1e-9);  // at or below 0: the bottom
}

}  // namespace
