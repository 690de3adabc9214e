// The binary trace format: every record comes back as the JSON Lines trace would have written
// it, in pieces of any size; files cut short or not traces at all are errors naming the byte.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "sim/sim.hpp"
#include "sim/trace_binary.hpp"
#include "sim/trace_file.hpp"

namespace {
using namespace std::chrono_literals;
using namespace std::string_literals;

// What a reader sees of a record: its JSON line and the two flags the line leaves out.
std::string seen(const sim::TraceRecord& r) {
    return sim::trace_record_json(r) + (r.kernel ? " kernel" : "") + (r.detail ? " detail" : "");
}

// Encodes records the way BinaryTraceFile does, into memory. Each record is handed exactly its
// fixed room, so every string that goes out by its bytes asks for more (and the bytes written so
// far may move when it gets it); `grown` counts the asks.
class Encoded {
public:
    Encoded() : bytes(sim::BinaryTraceEncoder::header()) { out_.bytes = &bytes; }
    void add(const sim::TraceRecord& r) {
        const std::size_t start = bytes.size();
        bytes.resize(start + sim::BinaryTraceEncoder::fixed_room(r));
        out_.end = bytes.data() + bytes.size();
        char* end = encoder_.write(bytes.data() + start, out_, r);
        ASSERT_LE(end, out_.end);
        bytes.resize(static_cast<std::size_t>(end - bytes.data()));
        expected.push_back(seen(r));
        ends.push_back(bytes.size());
    }
    void expect_host(std::uint32_t host) const noexcept { encoder_.expect_host(host); }
    int grown() const { return out_.grown; }
    // The bytes with the end marker after them, as a file closed properly ends.
    std::string whole() const {
        char end[sim::BinaryTraceEncoder::end_room];
        return bytes + std::string(end, sim::BinaryTraceEncoder::write_end(end, expected.size()));
    }
    std::string bytes;
    std::vector<std::string> expected;
    std::vector<std::size_t> ends;  // where each record ends

private:
    struct Out final : sim::BinaryTraceEncoder::Output {
        char* make_room(char* p, std::size_t n) override {
            const auto used = static_cast<std::size_t>(p - bytes->data());
            EXPECT_LT(end - p, static_cast<std::ptrdiff_t>(n)) << "asked for room it had";
            bytes->resize(used + n);
            bytes->shrink_to_fit();  // most often a new buffer: what was written must move with it
            ++grown;
            end = bytes->data() + bytes->size();
            return bytes->data() + used;
        }
        std::string* bytes = nullptr;
        int grown = 0;
    };
    sim::BinaryTraceEncoder encoder_;
    Out out_;
};

// Decodes `bytes` fed in pieces of `piece` bytes (0: all at once); finish() is not called.
std::vector<std::string> decode(const std::string& bytes, std::size_t piece, sim::BinaryTraceDecoder& d) {
    std::vector<std::string> out;
    const auto each = [&](const sim::TraceRecord& r) { out.push_back(seen(r)); };
    if (piece == 0) piece = bytes.size() + 1;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        d.feed(std::span<const char>(bytes.data() + at, std::min(piece, bytes.size() - at)), each);
    }
    return out;
}

std::vector<std::string> decode_all(const std::string& bytes, std::size_t piece = 0) {
    sim::BinaryTraceDecoder d;
    auto out = decode(bytes, piece, d);
    d.finish();
    return out;
}

// What decoding `bytes` whole complains of, and at which byte.
std::pair<std::string, std::uint64_t> error(const std::string& bytes) {
    try {
        decode_all(bytes);
    } catch (const sim::TraceFormatError& e) {
        return {e.what(), e.offset()};
    }
    return {"no error", 0};
}

TEST(BinaryTrace, EveryKindOfValueComesBackAsItsJsonLine) {
    const double inf = std::numeric_limits<double>::infinity();
    const std::string long_text(1000, 'x');  // past the table's limit: written in place
    const sim::TraceField fields[] = {
        {"host", "shadowed"},
        {"text", "q\"b\\s\nn\rr\tt\x01u\x1f end"},
        {"min", std::numeric_limits<std::int64_t>::min()},
        {"max", std::numeric_limits<std::uint64_t>::max()},
        {"neg", -1},
        {"x", 0.1},
        {"nan", std::numeric_limits<double>::quiet_NaN()},
        {"inf", -inf},
        {"no", false},
        {"yes", true},
        {"empty", ""},
        {"long", long_text},
        {"", std::string_view("nul\0byte", 8)},
    };
    Encoded e;
    e.add({7, sim::Time{std::chrono::nanoseconds(-5)}, 1, "h\"1", "k\\ind", fields, false, 0, false});
    e.add({3, sim::Time{std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::max())}, 0, "h\"1", "kernel.resume", {}, true, 0,
           false});
    e.add({std::numeric_limits<std::uint64_t>::max(), sim::Time{std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::min())}, 2,
           long_text, "d", fields, false, 0, true});
    EXPECT_EQ(decode_all(e.whole()), e.expected);
    EXPECT_EQ(decode_all(e.whole(), 1), e.expected);  // a byte at a time
}

// Strings are found by their address first. A buffer that is reused for other bytes of the same
// length is at the same address: it must be written as what it holds now.
TEST(BinaryTrace, AReusedBufferIsWrittenAsWhatItHoldsNow) {
    Encoded e;
    std::string buffer = "key-0001";
    for (int i = 0; i < 5; ++i) {
        std::snprintf(buffer.data(), buffer.size() + 1, "key-%04d", i % 3);
        const sim::TraceField fields[] = {{"key", buffer}};
        e.add({static_cast<std::uint64_t>(i), sim::Time{}, 0, buffer, "get", fields, false, 0, false});
    }
    EXPECT_EQ(decode_all(e.whole()), e.expected);
    EXPECT_NE(e.expected[0], e.expected[1]);
}

// The same for strings longer than the 16 bytes a slot holds, which differ only in the middle,
// and for a host id that comes with another name (a record host given as a plain string).
TEST(BinaryTrace, LongStringsAndHostIdsAreCheckedTooAgainstTheirBytes) {
    Encoded e;
    std::string buffer = "a longer key, number 0, of many bytes";
    std::string host = "host-a";
    for (int i = 0; i < 6; ++i) {
        buffer[21] = static_cast<char>('0' + i % 3);
        host[5] = static_cast<char>('a' + i % 2);
        const sim::TraceField fields[] = {{"key", buffer}};
        e.add({static_cast<std::uint64_t>(i), sim::Time{}, 7, host, "get", fields, false, 0, false});
    }
    EXPECT_EQ(decode_all(e.whole()), e.expected);
    EXPECT_NE(e.expected[0], e.expected[1]);
}

// A host's name given by reference (TraceValue::host_name, as the network's "to" fields are; a
// simulator's record host, TraceRecord::host_name) is a string like any other: the same bytes
// in the file as the plain string, the same JSON, the same hash. After its first use it is
// written by the host id, and its room is no longer its length (the name is not read).
TEST(BinaryTrace, HostNamesByReferenceAreWrittenAsThePlainStrings) {
    const std::string a = "client-0001";
    const std::string b = "api-1";
    const std::string long_name(300, 'h');    // past the table's limit: never kept, always in place
    const std::string kept_name(200, 'k');    // kept: its second use is bounded by its id
    struct Use {
        const std::string* name;
        std::uint32_t id;
    };
    const Use uses[] = {{&a, 3}, {&b, 1}, {&a, 3}, {&long_name, 9}, {&a, 3}, {&long_name, 9}, {&kept_name, 4}, {&b, 1}};
    Encoded by_ref, plain;
    sim::TraceHash hash_ref, hash_plain;
    std::uint64_t i = 0;
    for (const Use& u : uses) {
        const sim::TraceField ref_fields[] = {{"to", sim::TraceValue::host_name(*u.name, u.id)}, {"also", "api-1"}};
        const sim::TraceField plain_fields[] = {{"to", std::string_view(*u.name)}, {"also", "api-1"}};
        const Use& from = uses[(i + 3) % std::size(uses)];  // the record's host, by reference too
        by_ref.add({i, sim::Time{}, from.id, *from.name, "net.send", ref_fields, false, 0, false, from.name});
        plain.add({i, sim::Time{}, from.id, *from.name, "net.send", plain_fields, false, 0, false});
        hash_ref.add(ref_fields[0].value);
        hash_plain.add(plain_fields[0].value);
        ++i;
    }
    EXPECT_EQ(by_ref.bytes, plain.bytes);
    EXPECT_EQ(by_ref.expected, plain.expected);
    EXPECT_EQ(decode_all(by_ref.whole()), plain.expected);
    EXPECT_EQ(hash_ref.value(), hash_plain.value());
    EXPECT_EQ(sim::TraceValue::host_name(a, 3).as_str(), "client-0001");
    EXPECT_EQ(sim::TraceValue::host_name(a, 3).type(), sim::TraceValue::Type::str);
}

// A record's room is fixed by its field count. A string asks for room of its own only when it goes
// out by its bytes: the first time it is met, or every time when it is too long to keep.
TEST(BinaryTrace, OnlyAStringWrittenByItsBytesAsksForMoreRoom) {
    const std::string kept_name(200, 'k');
    const std::string long_text(300, 'x');  // past the table's limit: written in place every time
    Encoded e;
    const sim::TraceField known[] = {{"to", sim::TraceValue::host_name(kept_name, 4)}, {"n", 1}, {"x", 0.5}};
    const sim::TraceRecord r{0, sim::Time{}, 0, "world", "net.send", known, false, 0, false};
    e.add(r);
    const int first = e.grown();
    EXPECT_GE(first, 4);  // "world", "net.send", "to" and the name at least: each new
    e.add(r);
    e.add(r);
    EXPECT_EQ(e.grown(), first);  // all known: the fixed room was enough
    EXPECT_LE(e.ends[2] - e.ends[1], sim::BinaryTraceEncoder::fixed_room(r));

    const sim::TraceField in_place[] = {{"text", std::string_view(long_text)}};
    const sim::TraceRecord t{1, sim::Time{}, 0, "world", "log", in_place, false, 0, false};
    e.add(t);
    const int after_first = e.grown();
    e.add(t);
    EXPECT_EQ(e.grown(), after_first + 1);  // its bytes again, and room for them again
    EXPECT_EQ(decode_all(e.whole()), e.expected);
    EXPECT_EQ(decode_all(e.whole(), 7), e.expected);
}

// The simulator's host_name(id) refers to the host's own name, as Host::trace_name does.
TEST(BinaryTrace, TheSimulatorNamesAHostByItsId) {
    sim::Simulator s;
    sim::Host& h = s.add_host("cache-7");
    EXPECT_EQ(s.host_name(h.id()).as_str(), "cache-7");
    EXPECT_EQ(s.host_name(h.id()).host_ref(), h.id() + 1);
    EXPECT_EQ(h.trace_name().host_name_ref(), s.host_name(h.id()).host_name_ref());
    EXPECT_EQ(sim::TraceValue("cache-7").host_ref(), 0u);
}

// A spawn tells the sink which host is about to record (TraceSink::expect_host), so that the
// binary file can load that host's entry while the spawner finishes its step.
TEST(BinaryTrace, ASpawnTellsTheSinkWhichHostWillRecord) {
    struct Expecting final : sim::TraceSink {
        std::vector<std::uint32_t> hosts;
        void record(const sim::TraceRecord&) override {}
        void expect_host(std::uint32_t host) noexcept override { hosts.push_back(host); }
    };
    sim::Simulator s;
    Expecting sink;
    sim::Host& a = s.add_host("a");
    sim::Host& b = s.add_host("b");
    a.spawn([](sim::Ctx&) {});  // before the sink: not told
    s.set_trace_sink(&sink);
    b.spawn([](sim::Ctx&) {});
    a.spawn([&](sim::Ctx& ctx) { ctx.host().spawn([](sim::Ctx&) {}); });
    s.spawn([](sim::Ctx&) {});  // the world host
    s.run();
    s.set_trace_sink(nullptr);
    EXPECT_EQ(sink.hosts, (std::vector<std::uint32_t>{b.id(), a.id(), 0, a.id()}));
}

// The hint changes nothing that is written, for a host the encoder knows, one it has not met and
// an id far past its table.
TEST(BinaryTrace, ExpectingAHostWritesTheSameBytes) {
    const std::string name = "client-12";
    Encoded hinted, plain;
    for (std::uint64_t i = 0; i < 3; ++i) {
        const sim::TraceField fields[] = {{"to", sim::TraceValue::host_name(name, 12)}};
        const sim::TraceRecord r{i, sim::Time{}, 12, name, "net.send", fields, false, 0, false, &name};
        for (std::uint32_t host : {12u, 13u, 1u << 30, std::numeric_limits<std::uint32_t>::max()}) hinted.expect_host(host);
        hinted.add(r);
        plain.add(r);
    }
    EXPECT_EQ(hinted.bytes, plain.bytes);
    EXPECT_EQ(decode_all(hinted.whole()), plain.expected);
}

// Literals (every kind and key at the call sites that record) are in read-only memory; a string
// on the heap, on the stack or in writable static memory is not.
TEST(BinaryTrace, OnlyBytesNoOneCanWriteAreReadOnly) {
    static const char constant[] = "net.send";
    static char writable[] = "net.send";
    char on_stack[] = "net.send";
    const std::string on_heap(40, 'h');
    EXPECT_TRUE(sim::BinaryTraceEncoder::read_only("rpc.call"));
    EXPECT_TRUE(sim::BinaryTraceEncoder::read_only(constant));
    EXPECT_FALSE(sim::BinaryTraceEncoder::read_only(writable));
    EXPECT_FALSE(sim::BinaryTraceEncoder::read_only(on_stack));
    EXPECT_FALSE(sim::BinaryTraceEncoder::read_only(on_heap.data()));
    EXPECT_FALSE(sim::BinaryTraceEncoder::read_only(nullptr));
}

// A record is written from its kind's shape (kind, count and keys, all literals) while it
// matches. Records of one kind with other keys, another count, a key that is the same bytes
// elsewhere, more fields than a shape holds, or keys in a reused buffer: each is written as the
// same strings on the heap are, which never take a shape, byte for byte.
TEST(BinaryTrace, RecordsWrittenFromAShapeAreTheBytesOfTheirStrings) {
    std::string buffer = "to";
    std::string same_bytes = "id";
    Encoded literal, heap;
    std::deque<std::string> copies;
    std::uint64_t i = 0;  // the record's index, and its "id" field
    const auto add = [&](std::string_view kind, std::vector<sim::TraceField> fields) {
        literal.add({i, sim::Time{std::chrono::nanoseconds(7 * i)}, 1, "h", kind, fields, false, 0, false});
        for (sim::TraceField& f : fields) f.key = copies.emplace_back(f.key);
        heap.add({i, sim::Time{std::chrono::nanoseconds(7 * i)}, 1, "h", copies.emplace_back(kind), fields, false, 0, false});
        ++i;
    };
    for (int round = 0; round < 3; ++round) {
        add("net.send", {{"id", i}, {"to", "b"}, {"port", "rpc"}});
        add("net.send", {{"id", i}, {"to", "b"}, {"port", "rpc"}});          // from the shape
        add("net.send", {{"id", i}, {"from", "b"}, {"port", "rpc"}});        // the second key differs
        add("net.send", {{"id", i}, {"to", "b"}});                           // another count
        add("net.send", {{same_bytes, i}, {"to", "b"}, {"port", "rpc"}});    // "id", not the literal
        buffer[0] = 't';
        add("net.send", {{"id", i}, {buffer, "b"}, {"port", "rpc"}});        // a buffer...
        buffer[0] = 'x';
        add("net.send", {{"id", i}, {buffer, "b"}, {"port", "rpc"}});        // ...reused
        add("rpc.done", {{"id", i}, {"result", "ok"}});
        add("wide", {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}, {"f", 6}, {"g", 7}, {"h", 8}, {"i", 9}});
        add("empty", {});
        add("empty", {});
    }
    EXPECT_EQ(literal.bytes, heap.bytes);
    EXPECT_EQ(decode_all(literal.whole()), literal.expected);
    EXPECT_NE(literal.expected[6].find("\"xo\":\"b\""), std::string::npos) << literal.expected[6];
}

// An integer is written as its difference, modulo 2^64, from the same field of its shape's last
// record: the extremes come back, a value again or one up is a byte, and a record fed in pieces
// (read in part, then again whole) counts from the last whole record, not from its first try.
TEST(BinaryTrace, IntegersAreTheirDifferenceFromTheShapesLastRecord) {
    constexpr auto u_max = std::numeric_limits<std::uint64_t>::max();
    constexpr auto i_min = std::numeric_limits<std::int64_t>::min();
    constexpr auto i_max = std::numeric_limits<std::int64_t>::max();
    const std::pair<std::uint64_t, std::int64_t> values[] = {{0, 0},         {u_max, i_min}, {0, i_max}, {0, i_max}, {1, i_min},
                                                             {u_max, -1},    {5, 1},         {6, 2},     {6, 2},     {std::uint64_t{1} << 63, 0}};
    Encoded e;
    std::uint64_t i = 0;
    for (const auto& [u, s] : values) {
        const sim::TraceField fields[] = {{"u", u}, {"s", s}, {"x", 0.25}};
        e.add({i, sim::Time{}, 0, "h", "ints", fields, false, 0, false});
        ++i;
    }
    const auto size = [&](std::size_t k) { return e.ends[k] - e.ends[k - 1]; };
    EXPECT_EQ(size(3), 5u + 1 + 1 + 8);  // the same values again
    EXPECT_EQ(size(8), 5u + 1 + 1 + 8);
    EXPECT_EQ(size(7), 5u + 1 + 1 + 8);  // one up each
    EXPECT_EQ(size(6), 5u + 1 + 1 + 8);  // from u_max to 5: up by 6, modulo 2^64
    for (std::size_t piece : {0, 1, 2, 3, 5, 7}) EXPECT_EQ(decode_all(e.whole(), piece), e.expected) << piece;
}

// Random records, cut anywhere and fed in random pieces: the records decoded are exactly those
// that ended before the cut, and finish() complains unless the cut kept the whole file, end
// marker and all: a cut between two records is no longer taken for the end.
RC_GTEST_PROP(BinaryTrace, AnyCutGivesTheRecordsBeforeIt, ()) {
    const auto text = rc::gen::container<std::string>(rc::gen::elementOf(std::string("ab\"\\\n\x01 z")));
    const auto n = *rc::gen::inRange(1, 40);
    std::deque<std::string> keep;  // the strings stay where they are while records view them
    Encoded e;
    for (int i = 0; i < n; ++i) {
        std::vector<sim::TraceField> fields;
        const auto nf = *rc::gen::inRange(0, 5);
        for (int f = 0; f < nf; ++f) {
            const std::string_view key = keep.emplace_back(*text);
            switch (*rc::gen::inRange(0, 5)) {
                case 0: fields.push_back({key, *rc::gen::arbitrary<std::int64_t>()}); break;
                case 1: fields.push_back({key, *rc::gen::arbitrary<std::uint64_t>()}); break;
                case 2: fields.push_back({key, *rc::gen::arbitrary<double>()}); break;
                case 3: fields.push_back({key, *rc::gen::arbitrary<bool>()}); break;
                default: fields.push_back({key, std::string_view(keep.emplace_back(*text))}); break;
            }
        }
        const std::string_view host = keep.emplace_back(*text);
        const std::string_view kind = keep.emplace_back(*text);
        e.add({*rc::gen::arbitrary<std::uint64_t>(), sim::Time{std::chrono::nanoseconds(*rc::gen::arbitrary<std::int64_t>())}, 0, host, kind,
               fields, *rc::gen::arbitrary<bool>(), 0, *rc::gen::arbitrary<bool>()});
    }
    const std::string file = e.whole();
    RC_ASSERT(decode_all(file) == e.expected);

    const auto cut = static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, file.size() + 1));
    const auto piece = static_cast<std::size_t>(*rc::gen::inRange(0, 64));
    sim::BinaryTraceDecoder d;
    const std::vector<std::string> got = decode(file.substr(0, cut), piece, d);
    std::size_t whole = 0;
    while (whole < e.ends.size() && e.ends[whole] <= cut) ++whole;
    RC_ASSERT(got == std::vector<std::string>(e.expected.begin(), e.expected.begin() + static_cast<std::ptrdiff_t>(whole)));
    bool complained = false;
    try {
        d.finish();
    } catch (const sim::TraceFormatError& err) {
        complained = true;
        RC_ASSERT(err.offset() <= cut);
    }
    RC_ASSERT(complained == (cut != file.size()));
}

TEST(BinaryTrace, BytesThatAreNotATraceNameTheByte) {
    const std::string h(sim::BinaryTraceEncoder::header());
    EXPECT_EQ(error(R"({"i":1,"t_ns":0})").second, 0u);
    EXPECT_NE(error(R"({"i":1,"t_ns":0})").first.find("not a faultline binary trace"), std::string::npos);
    EXPECT_NE(error("").first.find("no header"), std::string::npos);
    EXPECT_NE(error("FLTR").first.find("no header"), std::string::npos);
    EXPECT_EQ(error("FLTRACE4\x30"), (std::pair<std::string, std::uint64_t>{"a binary trace of format 4, which this faultline does not read (it reads formats 1 to 3)", 0}));
    // A byte that is not a digit is shown as hex: a newline there split the one-line error.
    EXPECT_EQ(error("FLTRACE\n\x30").first,
              "a binary trace of format 0x0a, which this faultline does not read (it reads formats 1 to 3)");
    EXPECT_EQ(error("FLTRACE\xfe\x30").first,
              "a binary trace of format 0xfe, which this faultline does not read (it reads formats 1 to 3)");
    EXPECT_EQ(error(h + "\x7f"), (std::pair<std::string, std::uint64_t>{"unknown record tag 0x7f (corrupt, or not a faultline binary trace)", 8}));
    // A record that uses string 5 when there are none.
    EXPECT_EQ(error(h + "\x20\x00\x00\x0a"s).second, 11u);
    EXPECT_NE(error(h + "\x20\x00\x00\x0a"s).first.find("string 5 used before it is defined"), std::string::npos);
    // Shapes: one used before it is defined, a marker that is none, a kept shape whose kind is kept
    // nowhere, a type that is none. Each at the shape's first byte or the type's.
    const std::string host_a = "\x20\x00\x00\x07" "a"s;  // a new string, "a"
    EXPECT_EQ(error(h + host_a + "\x0a"), (std::pair<std::string, std::uint64_t>{"shape 5 used before it is defined (corrupt)", 13}));
    EXPECT_EQ(error(h + host_a + "\x05"), (std::pair<std::string, std::uint64_t>{"unknown shape 5 (corrupt)", 13}));
    EXPECT_EQ(error(h + host_a + "\x03\x05k\x00"s), (std::pair<std::string, std::uint64_t>{"a kept shape with a string kept nowhere (corrupt)", 13}));
    EXPECT_EQ(error(h + host_a + "\x01\x00\x01\x00\x09"s), (std::pair<std::string, std::uint64_t>{"unknown value type 9 (corrupt)", 17}));
    // Cut inside the second record: the first was read, the error is at the second's start. Its
    // host is a new string: it is not kept from the bytes that were there.
    EXPECT_EQ(error(h + host_a + "\x01\x00\x00"s + "\x20\x00\x00\x07" "b"s).second, 16u);
    // A number of more than ten bytes.
    EXPECT_NE(error(h + "\x20\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f").first.find("longer than 64 bits"), std::string::npos);
    // The first version: its own tag, and its errors as before.
    const std::string v1 = "FLTRACE1";
    EXPECT_EQ(error(v1 + "\x20").first, "unknown record tag 0x20 (corrupt, or not a faultline binary trace)");
    EXPECT_EQ(error(v1 + "\x10\x00\x00\x0a"s).second, 11u);
    EXPECT_EQ(error(v1 + "\x10\x00\x00\x07" "a" "\x00\x00" "\x10\x00\x00\x07" "b"s).second, 15u);
}

// Files of the first version ("FLTRACE1": kind, count, keys and types in every record) still read.
TEST(BinaryTrace, TheFirstVersionIsStillRead) {
    const std::string bytes = "FLTRACE1"
                              "\x12\x0a\x0e\x07h\x07k\x02\x07" "a" "\x00\x03\x07" "b" "\x05\x00"  // detail; a: -2, b: "h"
                              "\x11\x02\x00\x00\x02\x01\x04\x04"s;                             // kernel; a: true
    const sim::TraceField first[] = {{"a", -2}, {"b", "h"}};
    const sim::TraceField second[] = {{"a", true}};
    const sim::TraceRecord records[] = {{5, sim::Time{std::chrono::nanoseconds(7)}, 0, "h", "k", first, false, 0, true},
                                        {6, sim::Time{std::chrono::nanoseconds(7)}, 0, "h", "k", second, true, 0, false}};
    const std::vector<std::string> expected = {seen(records[0]), seen(records[1])};
    EXPECT_EQ(decode_all(bytes), expected);
    EXPECT_EQ(decode_all(bytes, 1), expected);
}

// A file closed properly ends with its end marker (the record count); one cut between two records,
// or after its header, reads every record and then says that it ends without it, at the byte where
// it ends. Bytes after the marker, or a count other than the records read, are corrupt.
TEST(BinaryTrace, AFileCutBetweenRecordsSaysItHasNoEndMarker) {
    Encoded e;
    for (std::uint64_t i = 0; i < 3; ++i) {
        const sim::TraceField fields[] = {{"n", i}};
        e.add({i, sim::Time{std::chrono::nanoseconds(i)}, 0, "h", "tick", fields, false, 0, false});
    }
    EXPECT_EQ(decode_all(e.whole()), e.expected);
    EXPECT_EQ(error(e.bytes), (std::pair<std::string, std::uint64_t>{
                                  "the file ends without its end marker: the run was cut short or the file truncated; 3 records read",
                                  e.bytes.size()}));
    const std::string h(sim::BinaryTraceEncoder::header());
    EXPECT_EQ(error(h), (std::pair<std::string, std::uint64_t>{
                            "the file ends without its end marker: the run was cut short or the file truncated; 0 records read", 8}));
    EXPECT_EQ(error(e.bytes.substr(0, e.ends[1])).second, e.ends[1]);  // after the second record
    EXPECT_EQ(error(e.whole() + "\x20"), (std::pair<std::string, std::uint64_t>{"bytes after the end marker (corrupt)", e.whole().size()}));
    EXPECT_EQ(error(e.bytes + "\x30\x04"), (std::pair<std::string, std::uint64_t>{"the end marker says 4 records, but 3 were read (corrupt)",
                                                                                 e.bytes.size()}));
    // The marker cut in two (its count's varint not all there) is a record cut short.
    EXPECT_NE(error(h + "\x30").first.find("ends inside a record"), std::string::npos);
}

// Files of the second version ("FLTRACE2": the records of the third, no end marker) still read,
// whole as they are; a marker in one is no tag of its version.
TEST(BinaryTrace, TheSecondVersionIsStillReadWithoutAnEndMarker) {
    Encoded e;
    for (std::uint64_t i = 0; i < 3; ++i) {
        const sim::TraceField fields[] = {{"n", i}, {"s", "text"}};
        e.add({i, sim::Time{std::chrono::nanoseconds(5 * i)}, 0, "h", "tick", fields, i == 1, 0, false});
    }
    const std::string v2 = "FLTRACE2" + e.bytes.substr(sim::BinaryTraceEncoder::header().size());
    EXPECT_EQ(decode_all(v2), e.expected);
    EXPECT_EQ(decode_all(v2, 1), e.expected);
    try {
        decode_all(v2 + "\x30\x03");
        ADD_FAILURE() << "an end marker read in a file of the second version";
    } catch (const sim::TraceFormatError& err) {
        EXPECT_EQ(std::string(err.what()), "unknown record tag 0x30 (corrupt, or not a faultline binary trace)");
    }
}

// A record of a shape met before is its values: no kind, count, keys or types, whether its keys
// are literals (found by address) or strings on the heap (by content), with a type that another
// record of its kind changed (a new shape) and with more fields than the hint by address holds.
TEST(BinaryTrace, ARecordOfAShapeMetBeforeIsItsValues) {
    Encoded e;
    std::deque<std::string> copies;
    const auto size_of = [&](std::uint64_t i, std::vector<sim::TraceField> fields, bool heap) {
        if (heap) {
            for (sim::TraceField& f : fields) f.key = copies.emplace_back(f.key);
        }
        e.add({i, sim::Time{}, 0, "b", heap ? std::string_view(copies.emplace_back("net.send")) : "net.send", fields, false, 0, false});
        return e.ends[i] - (i == 0 ? sim::BinaryTraceEncoder::header().size() : e.ends[i - 1]);
    };
    // tag, index, time, host, shape: a byte each; then the id, up by a few (a byte), "b" by its
    // id, and -1 again (a difference of 0).
    const std::size_t values_only = 5 + 1 + 1 + 1;
    std::uint64_t i = 0;
    const auto id = [&] { return 300 + i; };
    EXPECT_GT(size_of(i, {{"id", id()}, {"to", "b"}, {"n", -1}}, false), values_only);
    ++i;
    EXPECT_EQ(size_of(i, {{"id", id()}, {"to", "b"}, {"n", -1}}, false), values_only);
    ++i;
    EXPECT_EQ(size_of(i, {{"id", id()}, {"to", "b"}, {"n", -1}}, true), values_only);
    ++i;
    EXPECT_GT(size_of(i, {{"id", id()}, {"to", "b"}, {"n", 0.5}}, false), values_only + 7);  // a new shape
    ++i;
    EXPECT_EQ(size_of(i, {{"id", id()}, {"to", "b"}, {"n", 0.5}}, true), values_only + 7);
    ++i;
    EXPECT_EQ(size_of(i, {{"id", id()}, {"to", "b"}, {"n", -1}}, false), values_only);
    ++i;
    std::vector<sim::TraceField> wide;
    for (const char* key : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}) wide.push_back({key, 1});
    EXPECT_GT(size_of(i, wide, false), 15u);
    ++i;
    EXPECT_EQ(size_of(i, wide, false), 15u);  // five bytes and ten differences of 0
    EXPECT_EQ(decode_all(e.whole()), e.expected);
}

// A sink that hands every record to a trace file and keeps what a reader should see.
class Tee final : public sim::TraceSink {
public:
    explicit Tee(sim::TraceFile& file) : file_(file) {}
    void record(const sim::TraceRecord& r) override {
        lines.push_back(seen(r));
        file_.record(r);
    }
    bool wants_kernel_events() const override { return file_.wants_kernel_events(); }
    std::vector<std::string> lines;

private:
    sim::TraceFile& file_;
};

void busy_world(sim::Simulator& s) {
    for (const char* name : {"a", "b", "c"}) {
        s.add_host(name).spawn([](sim::Ctx& ctx) {
            std::string key;
            for (int i = 0; i < 3000; ++i) {
                key = "key-" + std::to_string(i % 50);
                ctx.trace("tick", {{"n", i}, {"key", key}, {"text", "padding to make the record longer than a short one"}});
                ctx.sleep_for(1ms);
            }
        });
    }
}

std::vector<std::string> read_file(const std::string& path) {
    std::vector<std::string> out;
    sim::read_binary_trace_file(path, [&](const sim::TraceRecord& r) { out.push_back(seen(r)); });
    return out;
}

TEST(BinaryTraceFile, ARunOfManyBatchesReadsBackRecordForRecord) {
    const std::string path = ::testing::TempDir() + "faultline_trace_batches.ftrace";
    std::vector<std::string> expected;
    {
        auto file = sim::open_trace_file(path, /*kernel_events=*/true);
        ASSERT_NE(dynamic_cast<sim::BinaryTraceFile*>(file.get()), nullptr);
        Tee tee(*file);
        sim::Simulator s;
        s.set_trace_sink(&tee);
        busy_world(s);
        s.run();
        expected = tee.lines;
    }
    ASSERT_GT(expected.size(), 18000u);  // the ticks and the kernel's dispatches
    EXPECT_EQ(read_file(path), expected);

    // The same run as JSON Lines is several times larger.
    const std::string jsonl = ::testing::TempDir() + "faultline_trace_batches.jsonl";
    {
        auto file = sim::open_trace_file(jsonl, true);
        ASSERT_NE(dynamic_cast<sim::JsonlTraceFile*>(file.get()), nullptr);
        sim::Simulator s;
        s.set_trace_sink(file.get());
        busy_world(s);
        s.run();
    }
    EXPECT_LT(std::filesystem::file_size(path) * 4, std::filesystem::file_size(jsonl));
}

// A record longer than the whole batch (a string of 200 KB among short records) grows the batch
// in the middle of the record, and every record reads back.
TEST(BinaryTraceFile, ARecordLargerThanTheBatchReadsBack) {
    const std::string path = ::testing::TempDir() + "faultline_trace_huge.ftrace";
    const std::string huge(200 * 1024, 'h');
    std::string other = huge;
    other[100'000] = 'o';  // the same length, other bytes: a new string too
    std::vector<std::string> expected;
    {
        sim::BinaryTraceFile file(path);
        for (std::uint64_t i = 0; i < 2000; ++i) {
            const std::string_view text = i % 500 == 7 ? std::string_view(huge) : i % 500 == 9 ? std::string_view(other) : "short";
            const sim::TraceField fields[] = {{"i", i}, {"text", text}};
            const sim::TraceRecord r{i, sim::Time{std::chrono::nanoseconds(i)}, 1, "h-1", "rec", fields, false, 0, false};
            file.record(r);
            expected.push_back(seen(r));
        }
    }
    EXPECT_EQ(read_file(path), expected);
}

// The header is on disk as the file opens: a run killed before its first batch left 0 bytes,
// which `trace` called "not a trace" rather than cut short.
TEST(BinaryTraceFile, TheHeaderIsOnDiskFromTheStart) {
    const std::string path = ::testing::TempDir() + "faultline_trace_header.ftrace";
    sim::BinaryTraceFile file(path);
    EXPECT_EQ(std::filesystem::file_size(path), sim::BinaryTraceEncoder::header().size());
}

TEST(BinaryTraceFile, FlushWritesEveryRecordSoFarAndACutFileKeepsThem) {
    const std::string path = ::testing::TempDir() + "faultline_trace_flush.ftrace";
    sim::BinaryTraceFile file(path);
    Tee tee(file);
    sim::Simulator s;
    s.set_trace_sink(&tee);
    std::vector<std::string> on_disk;
    s.add_host("h").spawn([&](sim::Ctx& ctx) {
        for (int i = 0; i < 10; ++i) ctx.trace("tick", {{"n", i}});
        file.flush();
        try {  // every record so far, and not (yet) the end marker
            sim::read_binary_trace_file(path, [&](const sim::TraceRecord& r) { on_disk.push_back(seen(r)); });
            ADD_FAILURE() << "a file still being written read as whole";
        } catch (const sim::TraceFormatError& e) {
            EXPECT_NE(std::string(e.what()).find("ends without its end marker"), std::string::npos) << e.what();
        }
        ctx.trace("after", {});
    });
    s.run();
    EXPECT_EQ(on_disk, std::vector<std::string>(tee.lines.begin(), tee.lines.begin() + 10));
    file.close();
    EXPECT_EQ(read_file(path), tee.lines);

    // Cut one byte into the last record (its end marker, two bytes, gone too): the records before
    // the last are read, then the error names the file.
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
    std::vector<std::string> got;
    try {
        sim::read_binary_trace_file(path, [&](const sim::TraceRecord& r) { got.push_back(seen(r)); });
        ADD_FAILURE() << "a cut file read without an error";
    } catch (const sim::TraceFormatError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path + ": byte ", 0), 0u) << e.what();
        EXPECT_NE(std::string(e.what()).find("ends inside a record"), std::string::npos) << e.what();
    }
    EXPECT_EQ(got, std::vector<std::string>(tee.lines.begin(), tee.lines.end() - 1));
}

// close() ends the file with its marker, and so does the destructor; a file left while an
// exception unwinds (a run abandoned part-way) does not say it is whole.
TEST(BinaryTraceFile, OnlyAFileClosedProperlyHasItsEndMarker) {
    const std::string closed = ::testing::TempDir() + "faultline_trace_closed.ftrace";
    const std::string destroyed = ::testing::TempDir() + "faultline_trace_destroyed.ftrace";
    const std::string abandoned = ::testing::TempDir() + "faultline_trace_abandoned.ftrace";
    const sim::TraceField fields[] = {{"n", 1}};
    const sim::TraceRecord r{0, sim::Time{}, 1, "h-1", "rec", fields, false, 0, false};
    {
        sim::BinaryTraceFile file(closed);
        file.record(r);
        file.close();
        EXPECT_EQ(read_file(closed), std::vector<std::string>{seen(r)});  // whole before the file is gone
        file.close();                                                     // once
    }
    EXPECT_EQ(read_file(closed), std::vector<std::string>{seen(r)});
    {
        sim::BinaryTraceFile file(destroyed);
        file.record(r);
    }
    EXPECT_EQ(read_file(destroyed), std::vector<std::string>{seen(r)});
    try {
        sim::BinaryTraceFile file(abandoned);
        file.record(r);
        throw std::runtime_error("the run went wrong");
    } catch (const std::runtime_error&) {
    }
    std::vector<std::string> got;
    try {
        sim::read_binary_trace_file(abandoned, [&](const sim::TraceRecord& x) { got.push_back(seen(x)); });
        ADD_FAILURE() << "an abandoned file read as whole";
    } catch (const sim::TraceFormatError& e) {
        EXPECT_NE(std::string(e.what()).find("ends without its end marker"), std::string::npos) << e.what();
    }
    EXPECT_EQ(got, std::vector<std::string>{seen(r)});
}

TEST(BinaryTraceFile, AMissingFileIsAOneLineError) {
    try {
        read_file(::testing::TempDir() + "no-such-trace.ftrace");
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot read trace file"), std::string::npos) << e.what();
    }
}

}  // namespace
