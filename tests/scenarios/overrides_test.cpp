// `--set path=value` on an options struct described by fields(): a bad path names what is there,
// at the level where it missed (a close name as a suggestion, else the level's options).
#include <gtest/gtest.h>

#include "faultline/fields.hpp"

namespace {

struct Retry {
    int attempts_max = 3;
    double multiplier = 2.0;
};
template <class V>
void fields(V& v, Retry& o) {
    v("attempts_max", o.attempts_max, "attempts in all");
    v("multiplier", o.multiplier, "backoff growth");
}

struct Options {
    double rate = 1.0;
    Retry retry;
};
template <class V>
void fields(V& v, Options& o) {
    v("rate", o.rate, "requests per second");
    v("retry", o.retry, "retries");
}

std::string error_for(const std::string& path, const std::string& value) {
    Options o;
    auto e = faultline::apply_overrides(o, {{path, value}});
    return e ? *e : "";
}

TEST(Overrides, SetATopLevelAndANestedField) {
    Options o;
    EXPECT_FALSE(faultline::apply_overrides(o, {{"rate", "2.5"}, {"retry.attempts_max", "7"}}));
    EXPECT_EQ(o.rate, 2.5);
    EXPECT_EQ(o.retry.attempts_max, 7);
}

TEST(Overrides, ACloseNameIsSuggestedAtEitherLevel) {
    EXPECT_EQ(error_for("rte", "1"), "unknown option 'rte' (did you mean 'rate'?)");
    EXPECT_EQ(error_for("retry.atempts_max", "1"), "unknown option 'retry.atempts_max' (did you mean 'retry.attempts_max'?)");
}

TEST(Overrides, WithNoCloseNameTheLevelsOptionsAreListed) {
    EXPECT_EQ(error_for("arrival_rate", "1"), "unknown option 'arrival_rate' (its options: rate, retry)");
    EXPECT_EQ(error_for("retry.jitter", "full"),
              "unknown option 'retry.jitter' (its options: retry.attempts_max, retry.multiplier)");
}

TEST(Overrides, ABadValueNamesTheOptionAndLeavesTheFieldAlone) {
    Options o;
    auto e = faultline::apply_overrides(o, {{"retry.attempts_max", "many"}});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->rfind("option 'retry.attempts_max': 'many' is not", 0), 0u) << *e;
    EXPECT_EQ(o.retry.attempts_max, 3);
}

}  // namespace
