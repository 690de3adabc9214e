// Durations as written in scenario files and on the command line: one number and unit, or the
// compound form durations are printed in ("1m21s", "61h50m"), each part below the one before.
#include <gtest/gtest.h>

#include "sim/sim.hpp"

namespace {

using namespace std::chrono_literals;

sim::Duration parsed(std::string_view text) {
    sim::Duration d{};
    const auto error = sim::parse_value(text, d);
    EXPECT_FALSE(error) << text << ": " << error.value_or("");
    return d;
}

std::string error_of(std::string_view text) {
    sim::Duration d{};
    return sim::parse_value(text, d).value_or("");
}

TEST(Values, DurationsReadOnePartOrThePrintedCompoundForm) {
    EXPECT_EQ(parsed("250ms"), 250ms);
    EXPECT_EQ(parsed("1.5s"), 1500ms);
    EXPECT_EQ(parsed("5 ms"), 5ms);
    EXPECT_EQ(parsed("1m21s"), 81s);
    EXPECT_EQ(parsed("1m0.5s"), 60500ms);
    EXPECT_EQ(parsed("61h50m"), 61h + 50min);
    EXPECT_EQ(parsed("1h2m3s4ms"), 1h + 2min + 3s + 4ms);
    // What format_duration prints reads back.
    for (sim::Duration d : {sim::Duration(81s), sim::Duration(3'907'711'696ns), sim::Duration(0)}) {
        EXPECT_EQ(parsed(sim::format_duration(d)), d);
    }
    EXPECT_EQ(error_of("1m21x"), "unknown unit 'x' (use ns, us, ms, s, m or h)");
    EXPECT_EQ(error_of("1m90s"), "in '1m90s', 90s is not less than one m");
    EXPECT_EQ(error_of("1s1m"), "in '1s1m', 1m is not less than one s");
    EXPECT_EQ(error_of("1.5m30s"), "in '1.5m30s', only the last part may have a fraction");
    EXPECT_EQ(error_of("20"), "missing unit (write 250ms, 30s, 2m...)");
    EXPECT_EQ(error_of("1m-30s"), "in '1m-30s', -30s cannot be negative: the parts add up");
    // Zero needs no unit: it is zero in every one.
    EXPECT_EQ(parsed("0"), sim::Duration(0));
    EXPECT_EQ(parsed("0.0"), sim::Duration(0));
    EXPECT_EQ(error_of("1m0"), "missing unit (write 250ms, 30s, 2m...)") << "a part after the first needs its unit";
    EXPECT_EQ(error_of("00.1"), "missing unit (write 250ms, 30s, 2m...)");
    EXPECT_EQ(error_of("1.5ns"), "finer than a nanosecond");
}

}  // namespace

namespace {

// Words that say what is wrong with a value that is nearly right: an exponent in a duration was
// "unknown unit 'e'"; an integer past its type's range was "not an integer: out of range".
TEST(Values, ANearlyRightValueIsToldWhatIsWrong) {
    EXPECT_EQ(error_of("1e3ms"), "an exponent is not read in a duration: write digits and a unit (1000ms, 1ms, 30s)");
    EXPECT_EQ(error_of("1e-3s"), "an exponent is not read in a duration: write digits and a unit (1000ms, 1ms, 30s)");
    EXPECT_EQ(error_of("5e"), "unknown unit 'e' (use ns, us, ms, s, m or h)");
    int i = 0;
    EXPECT_EQ(sim::parse_value("99999999999999", i).value_or(""), "too large for an integer (at most 2147483647)");
    EXPECT_EQ(sim::parse_value("-99999999999999", i).value_or(""), "too small for an integer (at least -2147483648)");
    // Past int64 too, an int says its own limit (it said int64's, and int's only below it).
    EXPECT_EQ(sim::parse_value("9223372036854775808", i).value_or(""), "too large for an integer (at most 2147483647)");
    EXPECT_EQ(sim::parse_value("-9223372036854775809", i).value_or(""),
              "too small for an integer (at least -2147483648)");
    std::int64_t l = 0;
    EXPECT_EQ(sim::parse_value("99999999999999999999", l).value_or(""),
              "too large for an integer (at most 9223372036854775807)");
    EXPECT_EQ(sim::parse_value("12abc", l).value_or(""), "not an integer");
    std::uint64_t u = 0;
    EXPECT_EQ(sim::parse_value("99999999999999999999", u).value_or(""),
              "too large for an integer (at most 18446744073709551615)");
    std::uint32_t w = 0;
    EXPECT_EQ(sim::parse_value("4294967296", w).value_or(""), "too large for an integer (at most 4294967295)");
    EXPECT_EQ(sim::parse_value("18446744073709551616", w).value_or(""),
              "too large for an integer (at most 4294967295)");
    EXPECT_EQ(sim::parse_value("-1", w).value_or(""), "must not be negative");
    EXPECT_FALSE(sim::parse_value("4294967295", w));
    EXPECT_EQ(w, 4294967295u);
}

}  // namespace
