// Logs carry virtual time and the host; per-host levels; trace files are JSON Lines.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <fstream>
#include <sstream>

#include "sim/log.hpp"
#include "sim/sim.hpp"
#include "sim/trace_file.hpp"

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

}  // namespace
