// The compact binary trace format (`--trace FILE.ftrace`): the same records as a JSON Lines trace,
// in under a tenth of the bytes, for traces of long runs where formatting and writing JSON cost
// more than the run. `faultline trace FILE` turns one back into the JSON Lines the run would have
// written, byte for byte.
//
// The file is "FLTRACE3", then the records, then the end marker. Each record is:
//   a tag byte 0x20 (+1 a kernel dispatch, +2 a detail record);
//   varint zigzag(index - previous index), varint zigzag(time - previous time) in ns;
//   host (a string); the record's shape; per field of the shape, its value.
// A shape is a kind, a field count and per field a key and a type: 0 i64 and 1 u64 (a zigzag
// varint of the difference, modulo 2^64, from the field's value in the last record of the shape,
// or from 0 for the shape's first record and for a shape kept nowhere: ids and constants take a
// byte), 2 f64 (8 bytes little-endian), 3 false and 4 true (no bytes), 5 a string.
// It is a varint v: v >> 1 is the id of a shape met before when v is even; when v is 1 (a shape
// kept nowhere) or 3 (a new shape: it becomes the next id, from 0 up), the shape follows: kind
// (a string), varint count, per field key (a string) and type byte. A shape is kept when all its
// strings are, until there are 2^16 shapes. Records of one call site share one shape, so a
// record is mostly its values.
// A string is a varint v: v >> 1 is the id of a string met before when v is even; v >> 2 is a
// size, and the bytes follow, when v & 3 is 1 (a string kept nowhere) or 3 (a new string: it
// becomes the next id, from 0 up). Strings up to 256 bytes are kept, until there are 2^20 of them;
// longer ones, and any after that, are written out every time. Varints are LEB128. Ids are given
// in the order strings and shapes are first met, so the bytes depend only on the records.
// The end marker is the byte 0x30 and a varint, the number of records; the file ends there. The
// writer adds it when the file is closed properly (a run that ended, pass or fail), so a file cut
// on a record boundary (a killed run, a copy cut short) is told from a whole one.
//
// The reader also takes the earlier versions: "FLTRACE2", the same without the end marker (its
// files cannot tell a cut on a record boundary), and "FLTRACE1", which also differs in the tag
// (0x10) and the shape, each record giving kind, count and per field key, type byte and value.
//
// Left out: the records' hash_after and host id (the JSON Lines form does not have them either),
// compression, an index for seeking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/trace.hpp"

namespace sim {

// The file name that selects this format for a trace file (in any case: ".FTRACE" too). Every
// place that chooses the format by the name asks is_binary_trace_path.
inline constexpr std::string_view binary_trace_extension = ".ftrace";
bool is_binary_trace_path(std::string_view path);

// Encodes records one after another, keeping the string table between them.
class BinaryTraceEncoder {
public:
    // Two words that, with its size, are a string of up to 16 bytes; of a longer string, its
    // first and last 8 bytes.
    struct Words {
        std::uint64_t a, b;
    };
    static Words words(const char* s, std::size_t n);
    // Whether `p` points into memory no one in this process writes: a loaded program's or
    // library's segments without write permission, where string literals live. Bytes there
    // cannot change, so a string found there by its address is the same string, unread. (Objects
    // loaded after the first call are not known to it; an unloaded one must not be in use.)
    static bool read_only(const char* p) noexcept;

    // Where write() puts a record. `end` is where the room handed to write() ends; when a string
    // must go out by its bytes and the room lacks them, write() asks make_room for `bytes` more
    // after `p`. It may move what was written (the record's start included) and returns where `p`
    // is now, with `end` updated.
    class Output {
    public:
        char* end = nullptr;
        virtual char* make_room(char* p, std::size_t bytes) = 0;

    protected:
        ~Output() = default;
    };

    static constexpr std::size_t varint_room = 10;  // a LEB128 varint of 64 bits

    BinaryTraceEncoder();
    // The magic that starts a file: write it once, before the first record.
    static std::string_view header();
    // The end marker, after the last record: the file holds `records` records and ends here.
    static constexpr std::size_t end_room = 1 + varint_room;  // the tag and a varint
    static char* write_end(char* out, std::uint64_t records);
    // The room `r` needs when every string in it goes out by its id (known already, or a host
    // name known by reference): it depends on the field count alone, so it is found without
    // reading any string. A string written by its bytes (the first use of one, or one longer than
    // the table keeps) asks the output for its own room.
    static std::size_t fixed_room(const TraceRecord& r) noexcept {
        return 1 + 6 * varint_room + r.fields.size() * (2 * varint_room + 1);
    }
    // Writes `r` at `out`, with room up to `output.end` of at least fixed_room(r) bytes; returns
    // the end of what was written (in the room make_room gave, if it was asked).
    char* write(char* out, Output& output, const TraceRecord& r);
    // Starts loading what a record of host `host` will read first (its entry in the table of
    // host names): a client's first record of a request found it cold, a miss per request.
    void expect_host(std::uint32_t host) const noexcept {
        if (host < host_names_.size()) __builtin_prefetch(&host_names_[host]);
    }

private:
    // A string's id, found by its address first: most strings (hosts, kinds, keys) are the same
    // object every time. A hit is checked against the bytes, so a reused buffer holding other
    // bytes is looked up by content instead, in an open-addressing table of (hash, id); a hit in
    // read-only memory (a literal: every kind and key) needs no check, its bytes cannot change. A host's
    // name given by reference (a simulator's record host, TraceValue::host_name) is found by its
    // host id and the reference alone, without reading the name: in a run of 10,000 hosts the
    // names are cold, and reading them cost the headline stampede's traced run 9% of its time.
    struct Slot {
        const char* data;
        Words words;  // the bytes when there are at most 16; else checked against the kept ones
        std::uint16_t size;      // at most max_kept_size: a longer string has no slot
        std::uint16_t constant;  // 1: `data` is read_only(), a hit needs no check
        std::uint32_t id;
    };
    struct ContentSlot {
        std::uint64_t hash;  // 0: empty
        const char* kept;
        std::uint32_t size;
        std::uint32_t id;
    };
    static constexpr Slot empty_slot{nullptr, {0, 0}, 0xffff, 0, 0};
    bool holds(const Slot& slot, std::string_view s) const;
    // The two slots (ways) where a string at `data` is looked for.
    Slot* ways_of(const char* data);
    // Of `ways`, the slot that holds `s`, or null; a hit in the second way moves to the first.
    Slot* find_in(Slot* ways, std::string_view s);
    char* put_string(char* p, std::string_view s);
    // The id of a string met before, or -1: found by its address or its bytes, nothing added.
    std::int64_t known_id(std::string_view s);
    // A field's type in a shape (a bool's value is its type).
    static unsigned char type_of(const TraceValue& v) noexcept;
    // `last`: the field's value in the shape's last record, which becomes this one's.
    char* put_value(char* p, const TraceValue& v, std::uint64_t& last);
    char* put_host(char* p, const TraceRecord& r);
    // A host's name known by reference (a simulator's record host, a TraceValue::host_name): by
    // the host id after its first use, without reading the name.
    char* put_host_ref(char* p, std::uint32_t host, const std::string* name);
    [[gnu::noinline]] char* put_new_host_ref(char* p, std::uint32_t host, const std::string* name);
    // The string id of host `host`'s name `name`, if it has been written; null if not.
    const std::uint32_t* known_host(std::uint32_t host, const std::string* name) const;
    char* put_string_slow(char* p, std::string_view s, Words w, Slot& slot);
    // Where `s` is, or would go, in the table by content.
    ContentSlot& content_slot(std::string_view s, Words w, std::uint64_t hash);
    // Room for a string of `size` bytes and the rest of the record at p: p itself, or where the
    // output moved it.
    char* room_for_bytes(char* p, std::size_t size);

    // Shapes, by content: the kind's string id, the count, then per field key id << 3 | type,
    // all shapes one after another (shape_starts_ gives where each begins), found by an
    // open-addressing table of (hash, id).
    struct ShapeSlot {
        std::uint64_t hash;  // 0: empty
        std::uint32_t id;
    };
    std::span<const std::uint32_t> shape_content(std::uint32_t id) const;
    const std::uint32_t* find_shape(std::span<const std::uint32_t> content, std::uint64_t hash) const;
    std::uint32_t add_shape(std::span<const std::uint32_t> content, std::uint64_t hash);
    // A record's shape is found by the addresses of its kind and keys first, when all are in
    // read-only memory (literals, as at every call site that records): one hint a slot, by the
    // kind's address; a kind whose records come with other keys or types takes the slot over.
    static constexpr std::size_t max_hint_fields = 8;
    static constexpr std::size_t hint_bits = 6;
    struct ShapeHint {
        const char* kind = nullptr;
        std::uint32_t kind_size = 0;
        std::uint32_t fields = 0;
        char id[4] = {};  // the shape's varint (id << 1 is below 2^17: three bytes at most)
        std::uint32_t id_size = 0;
        std::uint32_t last_at = 0;  // where the shape's last values start in last_values_
        unsigned char types[max_hint_fields] = {};
        struct Key {
            const char* data = nullptr;
            std::size_t size = 0;
        } keys[max_hint_fields]{};
    };
    // Also sets `last` to the shape's last values (zeros for a shape kept nowhere).
    char* put_shape(char* p, const TraceRecord& r, std::uint64_t*& last);
    char* put_shape_slow(char* p, const TraceRecord& r, ShapeHint& hint, std::uint64_t*& last);
    void learn_hint(ShapeHint& hint, const TraceRecord& r, std::uint32_t shape);

    std::vector<Slot> by_address_;
    std::vector<ShapeHint> hints_;
    std::vector<std::uint32_t> shape_words_;
    std::vector<std::uint32_t> shape_starts_;
    std::vector<std::uint64_t> last_values_;  // beside shape_words_: a field's at its word
    std::vector<std::uint64_t> zeros_;        // the last values of a shape kept nowhere
    std::vector<ShapeSlot> by_shape_;
    std::vector<std::uint32_t> scratch_;  // a shape's content being looked up
    // A host's name by its host id, with the name it referred to, for put_host_ref (a host id
    // names one host in a run).
    struct HostName {
        const std::string* name;
        std::uint32_t id;
    };
    std::vector<HostName> host_names_;
    std::deque<std::string> strings_;  // by id; a deque so that the bytes stay where they are
    std::vector<ContentSlot> by_content_;
    std::uint64_t last_index_ = 0;
    std::int64_t last_time_ = 0;
    Output* output_ = nullptr;       // during write()
    std::size_t record_room_ = 0;    // fixed_room of the record being written
};

// A file that is not a binary trace, or is cut short: says which byte.
class TraceFormatError : public std::runtime_error {
public:
    TraceFormatError(const std::string& what, std::uint64_t offset) : std::runtime_error(what), offset_(offset) {}
    std::uint64_t offset() const { return offset_; }

private:
    std::uint64_t offset_;
};

// Decodes a binary trace given in pieces of any size (a file read in blocks).
class BinaryTraceDecoder {
public:
    using Each = std::function<void(const TraceRecord&)>;
    // Calls `each` for every whole record in what has been fed so far; the views in the record
    // live until `each` returns. Throws TraceFormatError for bytes that are not a trace.
    void feed(std::span<const char> bytes, const Each& each);
    // After the last piece: throws TraceFormatError if it ended inside a record, or (from the
    // third version) without its end marker.
    void finish() const;
    std::uint64_t records() const { return records_; }

private:
    // Decodes the record at pending_[at...]; false when it is not all there yet.
    bool next_record(std::size_t& at, const Each& each);

    struct Shape {
        std::string_view kind;
        std::vector<std::pair<std::string_view, unsigned char>> fields;  // key, type
        std::vector<std::uint64_t> last;  // each field's value in the shape's last record
    };
    std::vector<char> pending_;
    std::uint64_t consumed_ = 0;  // file offset of pending_[0]
    int version_ = 0;             // 0 until the header is read
    bool ended_ = false;          // the end marker was read: nothing may follow it
    std::deque<std::string> strings_;  // a deque: a record's views stay valid while it adds strings
    std::deque<Shape> shapes_;         // views into strings_
    Shape in_place_;                   // a shape kept nowhere, for its one record
    std::vector<TraceField> fields_;
    std::uint64_t last_index_ = 0;
    std::int64_t last_time_ = 0;
    std::uint64_t records_ = 0;
};

// Reads the binary trace file at `path`, calling `each` for every record in order; returns how
// many there were. Throws TraceFormatError ("PATH: byte N: ...") for a file that is not one or is
// cut short (inside a record, or before its end marker), after calling `each` for every whole record before that point, and
// std::runtime_error if it cannot be read.
std::uint64_t read_binary_trace_file(const std::string& path, const BinaryTraceDecoder::Each& each);

}  // namespace sim
