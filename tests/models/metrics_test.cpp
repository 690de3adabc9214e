// Histograms against exact quantiles; time series sampled on virtual time.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <sstream>

#include "models/metrics.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;

RC_GTEST_PROP(Histogram, PercentilesAreWithinOneSixtyFourthOfTheExactValue, (std::vector<std::uint32_t> raw)) {
    RC_PRE(!raw.empty());
    models::Histogram h;
    std::vector<std::uint64_t> values;
    for (std::uint32_t r : raw) {
        const std::uint64_t v = static_cast<std::uint64_t>(r) * 977;  // spread over many buckets
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) {
        const std::size_t rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * values.size())));
        const double exact = static_cast<double>(values[rank - 1]);
        const double got = static_cast<double>(h.percentile(q));
        RC_ASSERT(std::abs(got - exact) <= exact / 64.0 + 1.0);
    }
    RC_ASSERT(h.count() == values.size());
    RC_ASSERT(h.max() == values.back());
}

TEST(Histogram, BucketsTileTheValuesWithoutGapsOrOverlap) {
    for (std::size_t i = 0; i + 1 < models::Histogram::bucket_count; ++i) {
        ASSERT_EQ(models::Histogram::bucket_high(i) + 1, models::Histogram::bucket_low(i + 1)) << i;
        ASSERT_EQ(models::Histogram::index(models::Histogram::bucket_low(i)), i);
        ASSERT_EQ(models::Histogram::index(models::Histogram::bucket_high(i)), i);
    }
}

// A histogram holds non-negative values (docs/models.md); a negative duration (a latency measured
// backwards) was clamped to 0 without a word. Outside a run it aborts; inside one it fails the
// run at that time, and the value is not recorded.
TEST(HistogramDeathTest, ANegativeDurationIsRefused) {
    EXPECT_DEATH(models::Histogram().record(sim::Duration(-5ms)),
                 "assertion failed: d >= 0: Histogram::record: a negative value \\(-5ms\\)");

    sim::Simulator s(sim::Options{.duration = 3s});
    models::Metrics m(s);
    s.spawn([&](sim::Ctx& ctx) {
        m.histogram("h").record(3ms);
        ctx.sleep_for(1s);
        m.histogram("h").record(sim::Duration(-5ms));
        ctx.sleep_for(1s);
        m.histogram("h").record(4ms);  // not reached: the run stopped
    });
    ::testing::internal::CaptureStderr();
    const sim::RunResult r = s.run();
    const std::string err = ::testing::internal::GetCapturedStderr();
    // Once, though a metric's histogram records into its total and its interval (it said it twice).
    EXPECT_EQ(err.find("a negative value (-5ms)"), err.rfind("a negative value (-5ms)")) << err;
    EXPECT_NE(err.find("a negative value (-5ms)"), std::string::npos) << err;
    ASSERT_EQ(r.verdict, sim::Verdict::fail);
    EXPECT_EQ(r.failure->kind, "assertion");
    EXPECT_EQ(r.failure->message,
              "Histogram::record: a negative value (-5ms); a histogram holds non-negative values (a latency measured "
              "backwards?)");
    EXPECT_EQ(r.failure->time, sim::Time(1s));
    EXPECT_EQ(m.histogram("h").total().count(), 1u);
    EXPECT_EQ(m.histogram("h").total().min(), 3'000'000u);
}

TEST(Metrics, CountersBecomeRatesGaugesValuesAndHistogramsIntervalPercentiles) {
    sim::Simulator s(sim::Options{.duration = sim::Duration(3500ms)});
    models::Metrics m(s);
    models::Counter& requests = m.counter("requests");
    models::Gauge& depth = m.gauge("queue");
    models::LatencyHistogram& lat = m.histogram("latency");
    m.probe("answer", [] { return 42.0; });
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(500us);  // off the sample instants: a sample at t covers [t - 1s, t)
        for (int i = 0; i < 3000; ++i) {
            if (i > 0) ctx.sleep_for(1ms);
            requests.add(i < 1000 ? 1 : 2);     // 1000/s in the first second, then 2000/s
            lat.record(i < 1000 ? 10ms : 30ms);
            depth.set(i);
        }
    });
    s.run();
    EXPECT_EQ(m.times(), (std::vector<double>{1, 2, 3}));
    auto series = m.series();
    auto find = [&](const std::string& n) {
        for (auto& x : series) {
            if (x.name == n) return x.values;
        }
        ADD_FAILURE() << "no series " << n;
        return std::vector<double>{};
    };
    EXPECT_EQ(find("requests"), (std::vector<double>{1000, 2000, 2000}));
    EXPECT_EQ(find("queue"), (std::vector<double>{999, 1999, 2999}));
    EXPECT_EQ(find("answer"), (std::vector<double>{42, 42, 42}));
    EXPECT_NEAR(find("latency.p50")[0], 0.010, 0.010 / 64);
    EXPECT_NEAR(find("latency.p99")[2], 0.030, 0.030 / 64);
    EXPECT_EQ(find("latency.rate"), (std::vector<double>{1000, 1000, 1000}));
}

TEST(Metrics, RatioSeriesDivideIntervalDeltas) {
    sim::Simulator s(sim::Options{.duration = sim::Duration(2s)});
    models::Metrics m(s);
    m.counter("attempts");
    m.counter("requests");
    m.ratio("amplification", "attempts", "requests");
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(5ms);
        for (int i = 0; i < 100; ++i) {
            if (i > 0) ctx.sleep_for(10ms);
            m.counter("requests").add();
            m.counter("attempts").add(i < 50 ? 1 : 3);  // 1x in the first half second, 3x after
        }
    });
    s.run();
    auto series = m.series();
    auto it = std::find_if(series.begin(), series.end(), [](const models::Series& x) { return x.name == "amplification"; });
    ASSERT_NE(it, series.end());
    EXPECT_DOUBLE_EQ(it->values[0], 2.0);          // 50*1 + 50*3 over 100 requests
    EXPECT_TRUE(std::isnan(it->values[1]));        // no requests in the second interval
}

// A peak probe's sample is the highest value observed since the sample before, or its value at
// the sample if that is higher: a spike between two samples is in the next one, once.
TEST(Metrics, APeakProbeSamplesTheIntervalsHighest) {
    sim::Simulator s(sim::Options{.duration = sim::Duration(4500ms)});
    models::Metrics m(s);
    double level = 5;
    models::Peak& seen = m.peak_probe("memory", [&] { return level; });
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(200ms);
        level = 90;  // a spike inside the first second, gone before its end
        seen.observe(level);
        ctx.sleep_for(100ms);
        level = 5;
        ctx.sleep_for(2s);  // 2.3s: up to 7 for the rest of the run, seen as it rises
        level = 7;
        seen.observe(level);
    });
    s.run();
    auto series = m.series();
    ASSERT_EQ(series.size(), 1u);
    EXPECT_EQ(series[0].values, (std::vector<double>{90, 5, 7, 7}));
    EXPECT_EQ(m.reader("memory")(), 7.0);  // the current value, not the peak
}

// Which series are of the interval before each sample (a Perfetto export stamps those at the
// interval's start) and which are the value at the sample: a gauge's was moved one interval early.
TEST(Metrics, EachSeriesSaysWhetherItsValuesAreOfTheIntervalOrAtTheSample) {
    sim::Simulator s(sim::Options{.duration = sim::Duration(2s)});
    models::Metrics m(s);
    m.counter("c");
    m.gauge("g");
    m.histogram("h");
    m.probe("p", [] { return 1.0; });
    (void)m.peak_probe("peak", [] { return 1.0; });
    m.ratio("r", "c", "c");
    s.run();
    std::vector<std::pair<std::string, bool>> got;
    for (const models::Series& series : m.series()) got.emplace_back(series.name, series.over_interval);
    EXPECT_EQ(got, (std::vector<std::pair<std::string, bool>>{{"c", true},
                                                              {"g", false},
                                                              {"h.rate", true},
                                                              {"h.p50", true},
                                                              {"h.p99", true},
                                                              {"h.p999", true},
                                                              {"p", false},
                                                              {"peak", true},
                                                              {"r", true}}));
}

TEST(Metrics, CsvAndJsonHoldEverySeries) {
    sim::Simulator s(sim::Options{.duration = sim::Duration(2s)});
    models::Metrics m(s);
    m.counter("a.b").add(5);
    s.run();
    std::ostringstream csv, json;
    m.write_csv(csv);
    m.write_json(json);
    EXPECT_EQ(csv.str(), "time_s,a.b\n1,5\n2,0\n");
    EXPECT_EQ(json.str(), R"({"interval_s":1,"time_s":[1,2],"series":{"a.b":[5,0]}})");
}

}  // namespace
