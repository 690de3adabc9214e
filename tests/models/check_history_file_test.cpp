// History files: what is written reads back equal, the checkers give the same answers on the file
// as on the live history, and every malformed line is refused with its line number.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "models/check/history_file.hpp"
#include "models/check/linearizability.hpp"
#include "models/check/lost_writes.hpp"
#include "models/check/stale_reads.hpp"

namespace {
using models::check::Cell;
using models::check::Operation;
using models::check::OpKind;
using models::check::Outcome;
using models::check::Recording;

sim::Time ns(std::int64_t n) { return sim::Time(sim::Duration(n)); }

Recording sample() {
    Recording r;
    Operation w;
    w.id = 1;
    w.client = "client \"one\"\t\\";
    w.kind = OpKind::write;
    w.key = "k\n1";
    w.value = "v\x01\xc3\xa9";
    w.invoked = ns(1'000);
    w.completed = ns(2'500);
    w.outcome = Outcome::ok;
    Operation rd = w;
    rd.id = 2;
    rd.kind = OpKind::read;
    rd.value.clear();
    rd.read = {"a", "b"};
    rd.completed = sim::time_never;
    rd.outcome = Outcome::unknown;
    Operation c = w;
    c.id = 3;
    c.kind = OpKind::cas;
    c.expected = std::nullopt;
    c.swapped = true;
    c.invoked = ns(-5);  // a skewed clock can make times negative; they survive
    Operation c2 = c;
    c2.id = 4;
    c2.expected = "";
    c2.swapped = false;
    c2.outcome = Outcome::fail;
    r.history.ops = {w, rd, c, c2};
    r.final_state["kv-1"]["k\n1"] = Cell{{"v"}, "seq=1"};
    r.final_state["kv-2"]["k\n1"] = Cell{{}, ""};
    r.applied.push_back({ns(2'000), "kv-1", "k\n1", Cell{{"v"}, "seq=1"}, "write"});
    r.applied.push_back({ns(3'000), "kv-2", "k\n1", std::nullopt, "recover"});
    return r;
}

TEST(CheckHistoryFile, WhatIsWrittenReadsBackEqual) {
    const Recording r = sample();
    std::stringstream s;
    models::check::write_recording(s, r);
    Recording back;
    const auto error = models::check::read_recording(s, back);
    ASSERT_FALSE(error) << *error;
    EXPECT_EQ(back, r);
}

TEST(CheckHistoryFile, CheckersAnswerTheSameOnAFileAsOnTheLiveHistory) {
    Recording r;
    auto add = [&](OpKind kind, std::string value, std::int64_t invoked, std::int64_t completed) {
        Operation op;
        op.id = r.history.ops.size() + 1;
        op.client = "c";
        op.kind = kind;
        op.key = "x";
        if (kind == OpKind::read)
            op.read = {value};
        else
            op.value = value;
        op.invoked = ns(invoked);
        op.completed = ns(completed);
        op.outcome = Outcome::ok;
        r.history.ops.push_back(op);
    };
    add(OpKind::write, "1", 0, 10);
    add(OpKind::write, "2", 20, 30);
    add(OpKind::read, "1", 40, 50);
    r.final_state["kv-1"]["x"] = Cell{{"1"}, ""};
    const auto path = (std::filesystem::temp_directory_path() / "faultline_check_history_file_test.jsonl").string();
    ASSERT_FALSE(models::check::save_recording(path, r));
    Recording back;
    const auto error = models::check::load_recording(path, back);
    std::remove(path.c_str());
    ASSERT_FALSE(error) << *error;
    const auto lost_live = models::check::check_lost_writes(r.history, r.final_state);
    const auto lost_file = models::check::check_lost_writes(back.history, back.final_state);
    EXPECT_EQ(lost_file.lost.size(), 1u);
    EXPECT_EQ(lost_file.describe(), lost_live.describe());
    EXPECT_EQ(models::check::check_stale_reads(back.history).describe(),
              models::check::check_stale_reads(r.history).describe());
    const auto lin = models::check::check_linearizability(back.history);
    EXPECT_EQ(lin.verdict, models::check::Linearizable::no);
    EXPECT_EQ(lin.describe(), models::check::check_linearizability(r.history).describe());
}

// Reads `text`; returns the error ("" if none).
std::string error_of(const std::string& text) {
    std::stringstream s(text);
    Recording r;
    return models::check::read_recording(s, r).value_or("");
}

const std::string header = "{\"type\":\"history\",\"version\":1}\n";
const std::string good_op =
    R"({"type":"op","id":1,"client":"c","kind":"write","key":"k","value":"v","invoked":1,"completed":2,"outcome":"ok"})";

TEST(CheckHistoryFile, AGoodFileHasNoError) { EXPECT_EQ(error_of(header + good_op + "\n"), ""); }

TEST(CheckHistoryFile, ErrorsNameTheLineAndTheField) {
    auto op_with = [](const std::string& from, const std::string& to) {
        std::string line = good_op;
        line.replace(line.find(from), from.size(), to);
        return line;
    };
    EXPECT_EQ(error_of(""), "empty file: expected the header line");
    EXPECT_EQ(error_of(good_op), "line 1: expected the header {\"type\":\"history\",\"version\":1} first");
    EXPECT_EQ(error_of("{\"type\":\"history\",\"version\":2}\n"), "line 1: unsupported version 2");
    EXPECT_EQ(error_of(header + op_with("\"invoked\":1", "\"invoked\":\"1\"")),
              "line 2: field 'invoked': expected an integer, got a string");
    EXPECT_EQ(error_of(header + op_with("\"invoked\":1", "\"invoked\":1.5")),
              "line 2: field 'invoked': expected an integer, not a fraction at column 82");
    EXPECT_EQ(error_of(header + op_with(",\"value\":\"v\"", "")), "line 2: missing field 'value'");
    EXPECT_EQ(error_of(header + op_with("\"value\"", "\"colour\":1,\"value\"")),
              "line 2: unknown field 'colour' for a record of type 'op'");
    EXPECT_EQ(error_of(header + op_with("\"kind\":\"write\"", "\"kind\":\"append\"")),
              "line 2: field 'kind': expected read, write or cas, got 'append'");
    EXPECT_EQ(error_of(header + op_with("\"outcome\":\"ok\"", "\"outcome\":\"maybe\"")),
              "line 2: field 'outcome': expected ok, fail or unknown, got 'maybe'");
    EXPECT_EQ(error_of(header + op_with("\"completed\":2", "\"completed\":0")),
              "line 2: field 'completed': before 'invoked'");
    EXPECT_EQ(error_of(header + good_op + "\n" + good_op), "line 3: operation id 1 appears twice");
    EXPECT_EQ(error_of(header + good_op + " x"), "line 2: unexpected text after the object at column 113");
    EXPECT_EQ(error_of(header + "\n"), "line 2: empty line");
    EXPECT_EQ(error_of(header + "{\"type\":\"snapshot\"}"),
              "line 2: field 'type': unknown record type 'snapshot' (expected op, final or applied)");
    EXPECT_EQ(error_of(header + "{\"type\":\"op\",\"type\":\"op\"}"), "line 2: field 'type' appears twice");
    EXPECT_EQ(error_of(header + "{\"type\":\"final\",\"replica\":\"r\",\"key\":\"k\",\"values\":[1],\"version\":\"\"}"),
              "line 2: field 'values': expected a string in the array at column 51");
    EXPECT_EQ(error_of(header + "{\"type\":\"op\",\"id\":\"\\ud800\"}"),
              "line 2: field 'id': unpaired surrogate at column 26");
}

TEST(CheckHistoryFile, LoadingAMissingFileNamesThePath) {
    Recording r;
    const auto error = models::check::load_recording("/nonexistent/run.jsonl", r);
    ASSERT_TRUE(error);
    EXPECT_EQ(*error, "/nonexistent/run.jsonl: cannot open");
}

}  // namespace
