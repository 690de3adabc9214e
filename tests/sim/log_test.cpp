// Logs carry virtual time and the host; per-host levels; trace files are JSON Lines.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "sim/log.hpp"
#include "sim/sim.hpp"
#include "sim/trace_file.hpp"
#include "sim/utf8.hpp"

namespace {
using namespace std::chrono_literals;

TEST(Log, LinesCarryVirtualTimeAndHost) {
    std::ostringstream out;
    sim::Simulator s;
    sim::log::enable(s, spdlog::level::info, std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    sim::Host& db = s.add_host("db-1");
    db.spawn([](sim::Ctx& ctx) {
        ctx.sleep_for(1500ms);
        SIM_LOG(ctx, info, "connections {}", 64);
        SIM_LOG(ctx, debug, "not shown at info");
    });
    s.run();
    EXPECT_EQ(out.str(), "[1.5s] info [db-1] connections 64\n");
}

TEST(Log, OneHostCanBeTurnedUpOnItsOwn) {
    std::ostringstream out;
    sim::Simulator s;
    sim::log::enable(s, spdlog::level::warn, std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    sim::log::set_host_level(s, "cache-2", spdlog::level::debug);
    for (const char* name : {"cache-1", "cache-2"}) {
        s.add_host(name).spawn([](sim::Ctx& ctx) { SIM_LOG(ctx, debug, "flush"); });
    }
    s.run();
    EXPECT_EQ(out.str(), "[0s] debug [cache-2] flush\n");
}

TEST(Log, NothingIsFormattedWhenLoggingIsOff) {
    sim::Simulator s;
    int formatted = 0;
    s.spawn([&](sim::Ctx& ctx) {
        SIM_LOG(ctx, info, "{}", (++formatted, 1));
    });
    s.run();
    EXPECT_EQ(formatted, 0);
}

TEST(TraceFile, WritesOneJsonObjectPerRecord) {
    const std::string path = ::testing::TempDir() + "faultline_trace_test.jsonl";
    {
        sim::JsonlTraceFile file(path);
        sim::Simulator s;
        s.set_trace_sink(&file);
        s.add_host("h").spawn([](sim::Ctx& ctx) {
            ctx.trace("hello", {{"n", 1}, {"who", "world"}, {"ok", true}, {"x", 0.5}});
            ctx.sleep_for(2s);
            ctx.trace("bye", {{"quote", "a\"b"}});
        });
        s.run();
    }
    std::ifstream in(path);
    std::string a, b;
    std::getline(in, a);
    std::getline(in, b);
    EXPECT_EQ(a, R"({"i":1,"t_ns":0,"host":"h","kind":"hello","n":1,"who":"world","ok":true,"x":0.5})");
    EXPECT_EQ(b, R"({"i":3,"t_ns":2000000000,"host":"h","kind":"bye","quote":"a\"b"})");
}

// Whether a sink wants kernel dispatch records is asked once, when it is attached, not at every
// dispatch (it was a virtual call per event, through every layer of a tee); the answer holds
// until the sink is attached again.
TEST(TraceSink, IsAskedOnceWhetherItWantsKernelRecords) {
    struct Counting final : sim::TraceSink {
        mutable int asked = 0;
        bool wants = true;
        int kernel = 0;
        void record(const sim::TraceRecord& r) override { kernel += r.kernel ? 1 : 0; }
        bool wants_kernel_events() const override {
            ++asked;
            return wants;
        }
    };
    Counting sink;
    sim::Simulator s;
    s.set_trace_sink(&sink);
    s.add_host("h").spawn([](sim::Ctx& ctx) {
        for (int i = 0; i < 50; ++i) ctx.sleep_for(1ms);
    });
    s.run_until(sim::Time(20ms));
    EXPECT_EQ(sink.asked, 1);
    EXPECT_GE(sink.kernel, 20);
    const int before = sink.kernel;
    sink.wants = false;
    s.set_trace_sink(&sink);  // asked again
    s.run();
    EXPECT_EQ(sink.asked, 2);
    EXPECT_EQ(sink.kernel, before);
}

// The file gathers lines and writes them in batches of about 32 KiB: a run much longer than one
// batch must still give exactly one line per record, in order, none lost at a batch's edge.
class Tee final : public sim::TraceSink {
public:
    explicit Tee(sim::JsonlTraceFile& file) : file_(file) {}
    void record(const sim::TraceRecord& r) override {
        lines.push_back(sim::trace_record_json(r));
        file_.record(r);
    }
    std::vector<std::string> lines;

private:
    sim::JsonlTraceFile& file_;
};

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Runs a simulation set up by `build` with a trace file at `path` (closed on return); returns the
// lines the file was given, formatted one by one.
std::vector<std::string> traced_run(const std::string& path, const std::function<void(sim::Simulator&)>& build) {
    sim::JsonlTraceFile file(path);
    Tee tee(file);
    sim::Simulator s;
    s.set_trace_sink(&tee);
    build(s);
    s.run();
    return tee.lines;
}

TEST(TraceFile, ARunOfManyBatchesHasEveryLineInOrder) {
    const std::string path = ::testing::TempDir() + "faultline_trace_batches.jsonl";
    const std::vector<std::string> expected = traced_run(path, [](sim::Simulator& s) {
        for (const char* name : {"a", "b", "c"}) {
            s.add_host(name).spawn([](sim::Ctx& ctx) {
                for (int i = 0; i < 2000; ++i) {
                    ctx.trace("tick", {{"n", i}, {"text", "padding to make the line longer than a short one"}});
                    ctx.sleep_for(1ms);
                }
            });
        }
    });
    ASSERT_EQ(expected.size(), 6000u);
    EXPECT_EQ(read_lines(path), expected);  // about 600 KB: many batches
}

// flush() (what the commands call when a run stops) writes every line gathered so far, while the
// file is still open.
TEST(TraceFile, FlushWritesEveryLineGatheredSoFar) {
    const std::string path = ::testing::TempDir() + "faultline_trace_flush.jsonl";
    sim::JsonlTraceFile file(path);
    Tee tee(file);
    sim::Simulator s;
    s.set_trace_sink(&tee);
    std::size_t on_disk = 0;
    std::size_t recorded = 0;
    s.add_host("h").spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 10; ++i) ctx.trace("tick", {{"n", i}});
        file.flush();
        recorded = tee.lines.size();
        on_disk = read_lines(path).size();
        ctx.trace("after", {});
    });
    s.run();
    EXPECT_EQ(recorded, 10u);
    EXPECT_EQ(on_disk, recorded);
    file.flush();
    EXPECT_EQ(read_lines(path), tee.lines);
}

// Every kind of value and every escape, written out by hand: the JSON a reader of the file sees.
TEST(TraceFile, RecordsEscapeTextAndWriteEveryKindOfValue) {
    const double inf = std::numeric_limits<double>::infinity();
    const sim::TraceField fields[] = {
        {"host", "shadowed"},
        {"text", "q\"b\\s\nn\rr\tt\x01u\x1f end"},
        {"min", std::numeric_limits<std::int64_t>::min()},
        {"max", std::numeric_limits<std::uint64_t>::max()},
        {"x", 0.1},
        {"nan", std::numeric_limits<double>::quiet_NaN()},
        {"inf", -inf},
        {"no", false},
        {"k\"ey", 0},
    };
    const sim::TraceRecord r{7, sim::Time{std::chrono::nanoseconds(-5)}, 1, "h\"1", "k\\ind", fields, false, 0, false};
    EXPECT_EQ(sim::trace_record_json(r),
              R"({"i":7,"t_ns":-5,"host":"h\"1","kind":"k\\ind","f_host":"shadowed",)"
              R"("text":"q\"b\\s\nn\rr\tt\u0001u\u001f end","min":-9223372036854775808,)"
              R"("max":18446744073709551615,"x":0.10000000000000001,"nan":null,"inf":null,"no":false,"k\"ey":0})");
    std::string worst(1000, '\x02');  // every byte escaped: six times its length
    const sim::TraceField one[] = {{"w", worst}};
    const sim::TraceRecord w{1, sim::Time{}, 0, "h", "k", one, false, 0, false};
    EXPECT_LE(sim::trace_record_json(w).size(), sim::trace_record_json_bound(w));
    EXPECT_EQ(sim::trace_record_json(w).size(), 45 + 6000u);  // {"i":1,"t_ns":0,"host":"h","kind":"k","w":""} is 45
}

// A string that is not UTF-8 (a model's binary detail, a byte of a corrupt trace file) still
// makes a valid JSON line: each stray byte is U+FFFD; well-formed characters pass as they are.
TEST(TraceFile, BytesThatAreNotUtf8AreWrittenAsTheReplacementCharacter) {
    const std::string text = "ok \xc3\xa9 \xf0\x9f\x98\x80 bad \xd6 \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82";
    const sim::TraceField fields[] = {{"v", std::string_view(text)}};
    const sim::TraceRecord r{1, sim::Time{}, 0, "h", "k", fields, false, 0, false};
    EXPECT_EQ(sim::trace_record_json(r),
              "{\"i\":1,\"t_ns\":0,\"host\":\"h\",\"kind\":\"k\",\"v\":\"ok \xc3\xa9 \xf0\x9f\x98\x80 bad \\ufffd "
              "\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\"}");
    EXPECT_LE(sim::trace_record_json(r).size(), sim::trace_record_json_bound(r));
}

// The record writer's escaping, against the plain one spelled out here, at every length and
// every position of a byte that needs escaping (and of the bytes beside those, and UTF-8 bytes,
// which do not). A faster escape (a word at a time) was tried against it and did not pay.
std::string escaped_byte_by_byte(const std::string& s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {  // a well-formed sequence as it is, any other byte U+FFFD
            const std::size_t len = sim::utf8_sequence_length(s, i);
            out += len == 0 ? std::string("\\ufffd") : s.substr(i, len);
            i += len == 0 ? 0 : len - 1;
        } else if (c == '"')
            out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (u < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else out += c;
    }
    return out + "\"";
}

RC_GTEST_PROP(TraceFile, StringsAreEscapedAsByteByByteAtEveryLengthAndPosition, ()) {
    // Mostly plain letters, with the bytes next to the ones that need escaping mixed in:
    // 0x1f/0x20, '!'/'"'/'#', '['/'\\'/']', 0x7f, 0x80 and 0xff.
    const std::string alphabet =
        std::string("abcdefgh") + std::string(1, '\0') + "\x1f !\"#[\\]\x7f\x80\xff\n\t\xc3\xa9\xe2\x82\xac";
    const auto text = *rc::gen::container<std::string>(rc::gen::weightedOneOf<char>({
        {12, rc::gen::elementOf(std::string("abcdefgh-_.:0123"))},
        {1, rc::gen::elementOf(alphabet)},
    }));
    const sim::TraceField fields[] = {{"v", std::string_view(text)}, {std::string_view(text), 1}};
    const sim::TraceRecord r{1, sim::Time{}, 0, text, "k", fields, false, 0, false};
    const std::string e = escaped_byte_by_byte(text);
    const std::string expected = R"({"i":1,"t_ns":0,"host":)" + e + R"(,"kind":"k","v":)" + e + "," + e + ":1}";
    RC_ASSERT(sim::trace_record_json(r) == expected);
}

// A record larger than the file's whole buffer is written whole, between its neighbours.
TEST(TraceFile, ARecordLargerThanTheBufferIsWrittenWhole) {
    const std::string path = ::testing::TempDir() + "faultline_trace_huge.jsonl";
    const std::vector<std::string> expected = traced_run(path, [](sim::Simulator& s) {
        s.add_host("h").spawn([](sim::Ctx& ctx) {
            ctx.trace("before", {{"n", 1}});
            ctx.trace("huge", {{"blob", std::string(200'000, 'x')}});
            ctx.trace("after", {{"n", 2}});
        });
    });
    ASSERT_EQ(expected.size(), 3u);
    EXPECT_EQ(read_lines(path), expected);
}

}  // namespace
