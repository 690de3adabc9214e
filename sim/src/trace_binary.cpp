// The binary trace format's two directions: see sim/trace_binary.hpp for the layout.
#include "sim/trace_binary.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include <link.h>

namespace sim {

namespace {

constexpr std::string_view magic = "FLTRACE3";
constexpr std::string_view magic_v2 = "FLTRACE2";  // the records of 3, no end marker
constexpr std::string_view magic_v1 = "FLTRACE1";
constexpr int version_now = 3;
constexpr unsigned char tag_record = 0x20;     // | 1 kernel dispatch, | 2 detail record
constexpr unsigned char tag_end = 0x30;        // the end marker, from the third version
constexpr unsigned char tag_record_v1 = 0x10;  // the same, in the first version
constexpr unsigned char tag_kernel = 0x01;
constexpr unsigned char tag_detail = 0x02;
enum ValueType : unsigned char { v_i64 = 0, v_u64 = 1, v_f64 = 2, v_false = 3, v_true = 4, v_str = 5 };
// A string's varint: id << 1, or size << 2 | one of these.
constexpr std::uint64_t str_in_place = 1;
constexpr std::uint64_t str_new = 3;
// A shape's varint: id << 1, or one of these with the shape after it.
constexpr std::uint64_t shape_in_place = 1;
constexpr std::uint64_t shape_new = 3;
constexpr std::size_t max_shapes = std::size_t{1} << 16;

constexpr std::size_t max_kept_size = 256;
constexpr std::size_t max_strings = std::size_t{1} << 20;
constexpr std::size_t address_bits = 12;
constexpr std::size_t max_host_slots = std::size_t{1} << 22;
// Decoder limits: a corrupt size should be an error, not a gigabyte allocation.
constexpr std::uint64_t max_string_size = std::uint64_t{1} << 28;
constexpr std::uint64_t max_fields = std::uint64_t{1} << 16;

std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

inline char* put_varint(char* p, std::uint64_t v) {
    while (v >= 0x80) {
        *p++ = static_cast<char>(static_cast<unsigned char>(v | 0x80));
        v >>= 7;
    }
    *p++ = static_cast<char>(static_cast<unsigned char>(v));
    return p;
}

char* put_bytes(char* p, std::string_view s) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    return p + s.size();
}

template <class T>
T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

// Overlapping loads: 8 and 8 bytes of 8-16, 4 and 4 of 4-7, and three single bytes of 1-3.
BinaryTraceEncoder::Words BinaryTraceEncoder::words(const char* s, std::size_t n) {
    if (n >= 8) return {load<std::uint64_t>(s), load<std::uint64_t>(s + n - 8)};
    if (n >= 4) return {load<std::uint32_t>(s), load<std::uint32_t>(s + n - 4)};
    if (n == 0) return {0, 0};
    return {static_cast<unsigned char>(s[0]) | static_cast<std::uint64_t>(static_cast<unsigned char>(s[n / 2])) << 8,
            static_cast<unsigned char>(s[n - 1])};
}

namespace {

// Does `kept` hold the bytes of `s`, whose words are `w`? A short string by its words, no call.
bool same_string(const char* kept, std::string_view s, BinaryTraceEncoder::Words w) {
    if (s.size() > 16) return std::memcmp(kept, s.data(), s.size()) == 0;
    const BinaryTraceEncoder::Words k = BinaryTraceEncoder::words(kept, s.size());
    return k.a == w.a && k.b == w.b;
}

// A hash of a string's bytes (never 0, the empty content slot); any good mix will do, since it
// only decides where a string is looked for, never what is written.
std::uint64_t content_hash(const char* s, std::size_t n, BinaryTraceEncoder::Words w) {
    std::uint64_t a = w.a;
    for (std::size_t i = 8; i + 8 < n; i += 8) a = (a ^ load<std::uint64_t>(s + i)) * 0x9E3779B97F4A7C15ull;  // past 16 bytes
    std::uint64_t h = (a ^ (w.b * 0xBF58476D1CE4E5B9ull)) + n * 0x94D049BB133111EBull;
    h ^= h >> 31;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return h | 1;
}

}  // namespace

bool is_binary_trace_path(std::string_view path) {
    // Any case: `t.FTRACE` is the binary format too, not JSON Lines under a name that says otherwise.
    if (path.size() < binary_trace_extension.size()) return false;
    const std::string_view tail = path.substr(path.size() - binary_trace_extension.size());
    return std::equal(tail.begin(), tail.end(), binary_trace_extension.begin(), [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
    });
}

namespace {

// The loaded objects' segments without write permission, in address order, adjacent ones joined.
std::vector<std::pair<std::uintptr_t, std::uintptr_t>> read_only_ranges() {
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
            auto& r = *static_cast<std::vector<std::pair<std::uintptr_t, std::uintptr_t>>*>(out);
            for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr)& ph = info->dlpi_phdr[i];
                if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) != 0 || ph.p_memsz == 0) continue;
                const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
                r.emplace_back(begin, begin + ph.p_memsz);
            }
            return 0;
        },
        &ranges);
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> joined;
    for (const auto& r : ranges) {
        if (!joined.empty() && r.first <= joined.back().second) joined.back().second = std::max(joined.back().second, r.second);
        else joined.push_back(r);
    }
    return joined;
}

}  // namespace

// Asked on the slow paths only (a string taking a slot, a shape its hint), never on a hit.
bool BinaryTraceEncoder::read_only(const char* p) noexcept {
    static const auto ranges = read_only_ranges();
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    for (const auto& [begin, end] : ranges) {
        if (a < begin) return false;
        if (a < end) return true;
    }
    return false;
}

BinaryTraceEncoder::BinaryTraceEncoder()
    : by_address_(std::size_t{2} << address_bits, empty_slot),
      hints_(std::size_t{1} << hint_bits),
      by_shape_(64, ShapeSlot{0, 0}),
      by_content_(1024, ContentSlot{0, nullptr, 0, 0}) {}

std::string_view BinaryTraceEncoder::header() { return magic; }

char* BinaryTraceEncoder::write_end(char* p, std::uint64_t records) {
    *p++ = static_cast<char>(tag_end);
    return put_varint(p, records);
}

inline const std::uint32_t* BinaryTraceEncoder::known_host(std::uint32_t host, const std::string* name) const {
    if (host >= host_names_.size() || host_names_[host].name != name) return nullptr;
    return &host_names_[host].id;
}

// After its first use, by the host id alone.
inline char* BinaryTraceEncoder::put_host_ref(char* p, std::uint32_t host, const std::string* name) {
    if (const std::uint32_t* id = known_host(host, name)) return put_varint(p, std::uint64_t{*id} << 1);
    return put_new_host_ref(p, host, name);
}

// The first time, by its bytes like any string, so that the file is the same as if it were one.
char* BinaryTraceEncoder::put_new_host_ref(char* p, std::uint32_t host, const std::string* name) {
    const std::string_view s = *name;
    Slot found = empty_slot;
    p = put_string_slow(p, s, words(s.data(), s.size()), found);
    if (found.data != nullptr && host < max_host_slots) {  // kept: it has an id
        if (host >= host_names_.size()) host_names_.resize(std::max<std::size_t>(host + 1, host_names_.size() * 2), HostName{nullptr, 0});
        host_names_[host] = {name, found.id};
    }
    return p;
}

// A slot in read-only memory holds its string by the address alone. Any other keeps the words of
// the bytes it was filled from: a short string is checked without reading the kept copy.
inline bool BinaryTraceEncoder::holds(const Slot& slot, std::string_view s) const {
    if (slot.data != s.data() || slot.size != s.size()) return false;
    if (slot.constant != 0) return true;
    const Words w = words(s.data(), s.size());
    return slot.words.a == w.a && slot.words.b == w.b && (s.size() <= 16 || std::memcmp(strings_[slot.id].data(), s.data(), s.size()) == 0);
}

// Two ways per address: a hit in the second moves it to the first, a miss replaces the second.
// A string met once in a while (a client's name among 10,000) then pushes out only another
// such string, never the keys every record uses.
inline BinaryTraceEncoder::Slot* BinaryTraceEncoder::ways_of(const char* data) {
    return &by_address_[2 * ((reinterpret_cast<std::uintptr_t>(data) * 0x9E3779B97F4A7C15ull) >> (64 - address_bits))];
}

inline BinaryTraceEncoder::Slot* BinaryTraceEncoder::find_in(Slot* ways, std::string_view s) {
    if (holds(ways[0], s)) return &ways[0];
    if (holds(ways[1], s)) {
        std::swap(ways[0], ways[1]);
        return &ways[0];
    }
    return nullptr;
}

inline char* BinaryTraceEncoder::put_string(char* p, std::string_view s) {
    Slot* ways = ways_of(s.data());
    if (const Slot* hit = find_in(ways, s)) return put_varint(p, std::uint64_t{hit->id} << 1);
    return put_string_slow(p, s, words(s.data(), s.size()), ways[1]);
}

// A simulator's record names its host by reference; any other record's host is a string.
inline char* BinaryTraceEncoder::put_host(char* p, const TraceRecord& r) {
    return r.host_name != nullptr ? put_host_ref(p, r.host_id, r.host_name) : put_string(p, r.host);
}

char* BinaryTraceEncoder::room_for_bytes(char* p, std::size_t size) {
    const std::size_t need = varint_room + size + record_room_;
    if (static_cast<std::size_t>(output_->end - p) >= need) return p;
    return output_->make_room(p, need);
}

namespace {

// The tables by content and of shapes: open addressing by a hash that is never 0 (0 marks an
// empty slot), linear probing, a power-of-two size.
template <class Slot>
void place(std::vector<Slot>& table, const Slot& s) {
    const std::size_t mask = table.size() - 1;
    std::size_t i = s.hash & mask;
    while (table[i].hash != 0) i = (i + 1) & mask;
    table[i] = s;
}

// Doubles the table once it holds more than half its size in entries, placing each again.
template <class Slot>
void grow_if_half_full(std::vector<Slot>& table, std::size_t entries) {
    if (entries * 2 <= table.size()) return;
    std::vector<Slot> old(table.size() * 2, Slot{});
    old.swap(table);
    for (const Slot& s : old) {
        if (s.hash != 0) place(table, s);
    }
}

}  // namespace

// The table by content: where `s` is, or the empty slot where it would go.
BinaryTraceEncoder::ContentSlot& BinaryTraceEncoder::content_slot(std::string_view s, Words w, std::uint64_t hash) {
    const std::size_t mask = by_content_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        ContentSlot& c = by_content_[i];
        if (c.hash == 0 || (c.hash == hash && c.size == s.size() && same_string(c.kept, s, w))) return c;
    }
}

char* BinaryTraceEncoder::put_string_slow(char* p, std::string_view s, Words w, Slot& slot) {
    if (s.size() > max_kept_size) return put_bytes(put_varint(room_for_bytes(p, s.size()), (std::uint64_t{s.size()} << 2) | str_in_place), s);
    const std::uint64_t hash = content_hash(s.data(), s.size(), w);
    if (const ContentSlot& c = content_slot(s, w, hash); c.hash != 0) {
        slot = {s.data(), w, static_cast<std::uint16_t>(c.size), read_only(s.data()), c.id};
        return put_varint(p, std::uint64_t{c.id} << 1);
    }
    p = room_for_bytes(p, s.size());  // before any change to the tables
    if (strings_.size() >= max_strings) return put_bytes(put_varint(p, (std::uint64_t{s.size()} << 2) | str_in_place), s);
    const auto id = static_cast<std::uint32_t>(strings_.size());
    const std::string& kept = strings_.emplace_back(s);
    const auto size = static_cast<std::uint32_t>(s.size());
    content_slot(s, w, hash) = {hash, kept.data(), size, id};
    grow_if_half_full(by_content_, strings_.size());
    slot = {s.data(), w, static_cast<std::uint16_t>(size), read_only(s.data()), id};
    return put_bytes(put_varint(p, (std::uint64_t{s.size()} << 2) | str_new), s);
}

std::int64_t BinaryTraceEncoder::known_id(std::string_view s) {
    if (const Slot* hit = find_in(ways_of(s.data()), s)) return hit->id;
    if (s.size() > max_kept_size) return -1;
    const Words w = words(s.data(), s.size());
    const ContentSlot& c = content_slot(s, w, content_hash(s.data(), s.size(), w));
    return c.hash != 0 ? c.id : -1;
}

// By a table, without a branch: asked for every field of every record, to check its hint.
inline unsigned char BinaryTraceEncoder::type_of(const TraceValue& v) noexcept {
    static_assert(static_cast<int>(TraceValue::Type::i64) == 0 && static_cast<int>(TraceValue::Type::u64) == 1 &&
                  static_cast<int>(TraceValue::Type::f64) == 2 && static_cast<int>(TraceValue::Type::boolean) == 3 &&
                  static_cast<int>(TraceValue::Type::str) == 4);
    // By type, then by whether the value's bits are 0 (only a bool's choice depends on it).
    static constexpr unsigned char codes[] = {v_i64, v_i64, v_u64, v_u64, v_f64, v_f64, v_false, v_true, v_str, v_str};
    return codes[2 * static_cast<unsigned>(v.type()) + (v.bits() != 0 ? 1 : 0)];
}

// A value, its type being in the shape; an integer as its difference from the last.
inline char* BinaryTraceEncoder::put_value(char* p, const TraceValue& v, std::uint64_t& last) {
    switch (v.type()) {
        case TraceValue::Type::i64:
        case TraceValue::Type::u64: {
            const std::uint64_t now = v.bits();
            p = put_varint(p, zigzag(static_cast<std::int64_t>(now - last)));
            last = now;
            return p;
        }
        case TraceValue::Type::f64: {
            const std::uint64_t bits = v.bits();
            for (int b = 0; b < 8; ++b) *p++ = static_cast<char>(static_cast<unsigned char>(bits >> (8 * b)));
            return p;
        }
        case TraceValue::Type::boolean: return p;
        case TraceValue::Type::str:
            return v.host_ref() != 0 ? put_host_ref(p, v.host_ref() - 1, v.host_name_ref()) : put_string(p, v.as_str());
    }
    return p;
}

namespace {

std::uint64_t shape_hash(std::span<const std::uint32_t> content) {
    std::uint64_t h = content.size() * 0x94D049BB133111EBull;
    for (const std::uint32_t w : content) h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 32;
    return h | 1;
}

}  // namespace

std::span<const std::uint32_t> BinaryTraceEncoder::shape_content(std::uint32_t id) const {
    const std::uint32_t start = shape_starts_[id];
    const std::uint32_t end = id + 1 < shape_starts_.size() ? shape_starts_[id + 1] : static_cast<std::uint32_t>(shape_words_.size());
    return {shape_words_.data() + start, shape_words_.data() + end};
}

const std::uint32_t* BinaryTraceEncoder::find_shape(std::span<const std::uint32_t> content, std::uint64_t hash) const {
    const std::size_t mask = by_shape_.size() - 1;
    for (std::size_t i = hash & mask; by_shape_[i].hash != 0; i = (i + 1) & mask) {
        const ShapeSlot& slot = by_shape_[i];
        if (slot.hash != hash) continue;
        const auto known = shape_content(slot.id);
        if (std::equal(known.begin(), known.end(), content.begin(), content.end())) return &slot.id;
    }
    return nullptr;
}

std::uint32_t BinaryTraceEncoder::add_shape(std::span<const std::uint32_t> content, std::uint64_t hash) {
    const auto id = static_cast<std::uint32_t>(shape_starts_.size());
    shape_starts_.push_back(static_cast<std::uint32_t>(shape_words_.size()));
    shape_words_.insert(shape_words_.end(), content.begin(), content.end());
    last_values_.resize(shape_words_.size(), 0);
    grow_if_half_full(by_shape_, shape_starts_.size());
    place(by_shape_, ShapeSlot{hash, id});
    return id;
}

// By the hint when the record's kind, keys and types are where and what they were; else by
// content.
inline char* BinaryTraceEncoder::put_shape(char* p, const TraceRecord& r, std::uint64_t*& last) {
    ShapeHint& hint = hints_[(reinterpret_cast<std::uintptr_t>(r.kind.data()) * 0x9E3779B97F4A7C15ull) >> (64 - hint_bits)];
    const std::size_t n = r.fields.size();
    if (hint.kind == r.kind.data() && hint.kind_size == r.kind.size() && hint.fields == n) {
        std::size_t i = 0;
        for (; i < n; ++i) {
            const TraceField& f = r.fields[i];
            if (hint.keys[i].data != f.key.data() || hint.keys[i].size != f.key.size() || hint.types[i] != type_of(f.value)) break;
        }
        if (i == n) {
            last = last_values_.data() + hint.last_at;
            std::memcpy(p, hint.id, sizeof hint.id);  // the record's fixed room holds a whole varint here
            return p + hint.id_size;
        }
    }
    return put_shape_slow(p, r, hint, last);
}

// The shape's id if its strings all have ids and it has been met; else the shape itself, kept if
// all its strings will be (whatever is new fits in the table) and the shapes are not all used.
char* BinaryTraceEncoder::put_shape_slow(char* p, const TraceRecord& r, ShapeHint& hint, std::uint64_t*& last) {
    std::vector<std::uint32_t>& content = scratch_;
    bool known = true;
    bool keepable = true;
    std::size_t new_strings = 0;  // an upper bound: a string new twice in the shape counts twice
    const auto id_of = [&](std::string_view s) -> std::uint32_t {
        const std::int64_t id = known_id(s);
        if (id >= 0) return static_cast<std::uint32_t>(id);
        known = false;
        if (s.size() > max_kept_size) keepable = false;
        ++new_strings;
        return 0;
    };
    const auto fill = [&] {
        content.clear();
        content.push_back(id_of(r.kind));
        content.push_back(static_cast<std::uint32_t>(r.fields.size()));
        for (const TraceField& f : r.fields) content.push_back(id_of(f.key) << 3 | type_of(f.value));
    };
    fill();
    if (known) {
        if (const std::uint32_t* id = find_shape(content, shape_hash(content))) {
            learn_hint(hint, r, *id);
            last = last_values_.data() + shape_starts_[*id] + 2;
            return put_varint(p, std::uint64_t{*id} << 1);
        }
    }
    const bool keep = keepable && strings_.size() + new_strings <= max_strings && shape_starts_.size() < max_shapes;
    *p++ = static_cast<char>(keep ? shape_new : shape_in_place);
    p = put_varint(put_string(p, r.kind), r.fields.size());
    for (const TraceField& f : r.fields) {
        p = put_string(p, f.key);
        *p++ = static_cast<char>(type_of(f.value));
    }
    if (keep) {
        fill();  // every string has its id now
        const std::uint32_t id = add_shape(content, shape_hash(content));
        learn_hint(hint, r, id);
        last = last_values_.data() + shape_starts_[id] + 2;
    } else {
        zeros_.assign(r.fields.size(), 0);
        last = zeros_.data();
    }
    return p;
}

// The hint is for records whose kind and keys are all in read-only memory and not too many.
void BinaryTraceEncoder::learn_hint(ShapeHint& hint, const TraceRecord& r, std::uint32_t shape) {
    const std::size_t n = r.fields.size();
    hint.kind = nullptr;
    if (n > max_hint_fields || !read_only(r.kind.data())) return;
    for (std::size_t i = 0; i < n; ++i) {
        const TraceField& f = r.fields[i];
        if (!read_only(f.key.data())) return;
        hint.keys[i] = {f.key.data(), f.key.size()};
        hint.types[i] = type_of(f.value);
    }
    hint.id_size = static_cast<std::uint32_t>(put_varint(hint.id, std::uint64_t{shape} << 1) - hint.id);
    hint.last_at = shape_starts_[shape] + 2;
    hint.kind = r.kind.data();
    hint.kind_size = static_cast<std::uint32_t>(r.kind.size());
    hint.fields = static_cast<std::uint32_t>(n);
}

char* BinaryTraceEncoder::write(char* p, Output& output, const TraceRecord& r) {
    output_ = &output;
    record_room_ = fixed_room(r);
    *p++ = static_cast<char>(tag_record | (r.kernel ? tag_kernel : 0) | (r.detail ? tag_detail : 0));
    const std::int64_t time = r.time.time_since_epoch().count();
    p = put_varint(p, zigzag(static_cast<std::int64_t>(r.index - last_index_)));
    p = put_varint(p, zigzag(static_cast<std::int64_t>(static_cast<std::uint64_t>(time) - static_cast<std::uint64_t>(last_time_))));
    last_index_ = r.index;
    last_time_ = time;
    std::uint64_t* last = nullptr;
    p = put_shape(put_host(p, r), r, last);
    for (std::size_t i = 0; i < r.fields.size(); ++i) p = put_value(p, r.fields[i].value, last[i]);
    return p;
}

// ---- decoding ------------------------------------------------------------------------------

namespace {

// A cursor over the bytes fed so far. `more` is false when the record runs past them: the caller
// waits for the next piece. Errors name the file offset of the byte that is wrong.
struct Cursor {
    const char* begin;
    const char* p;
    const char* end;
    std::uint64_t base;  // file offset of begin
    bool more = true;

    std::uint64_t offset(const char* at) const { return base + static_cast<std::uint64_t>(at - begin); }
    [[noreturn]] void fail(const char* at, const std::string& what) const { throw TraceFormatError(what, offset(at)); }

    bool byte(unsigned char& b) {
        if (p == end) return more = false;
        b = static_cast<unsigned char>(*p++);
        return true;
    }
    bool varint(std::uint64_t& v) {
        const char* start = p;
        v = 0;
        for (int shift = 0;; shift += 7) {
            unsigned char b = 0;
            if (!byte(b)) return false;
            if (shift == 63 && b > 1) fail(start, "a number longer than 64 bits");
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return true;
        }
    }
    bool bytes(std::uint64_t n, std::string_view& out) {
        if (static_cast<std::uint64_t>(end - p) < n) return more = false;
        out = std::string_view(p, n);
        p += n;
        return true;
    }
};

}  // namespace

void BinaryTraceDecoder::feed(std::span<const char> bytes, const Each& each) {
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    std::size_t at = 0;
    if (version_ == 0) {
        const std::size_t have = std::min(pending_.size(), magic.size());
        const std::string_view start(pending_.data(), have);
        const std::string_view known[] = {magic_v1, magic_v2, magic};  // version 1, 2, 3
        std::size_t matches = 0;
        for (const std::string_view m : known) matches += start == m.substr(0, have) ? 1 : 0;
        if (matches == 0) {
            if (have == magic.size() && start.starts_with(magic.substr(0, magic.size() - 1))) {
                // The format is a digit; any other byte is shown as hex (a newline broke the line).
                const auto c = static_cast<unsigned char>(start.back());
                char shown[8];
                if (c >= 0x21 && c < 0x7f)
                    std::snprintf(shown, sizeof shown, "%c", c);
                else
                    std::snprintf(shown, sizeof shown, "0x%02x", c);
                throw TraceFormatError("a binary trace of format " + std::string(shown) +
                                           ", which this faultline does not read (it reads formats 1 to " +
                                           std::to_string(version_now) + ")",
                                       0);
            }
            throw TraceFormatError("not a faultline binary trace (it does not start with " + std::string(magic) + ", " +
                                       std::string(magic_v2) + " or " + std::string(magic_v1) + ")",
                                   0);
        }
        if (have < magic.size()) return;
        for (int v = 1; v <= version_now; ++v) {
            if (start == known[v - 1]) version_ = v;
        }
        at = magic.size();
    }
    while (at < pending_.size()) {
        const std::size_t known = strings_.size();
        const std::size_t known_shapes = shapes_.size();
        if (!next_record(at, each)) {
            strings_.resize(known);  // the record's new strings and shape come again with the rest of it
            shapes_.resize(known_shapes);
            break;
        }
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(at));
    consumed_ += at;
}

bool BinaryTraceDecoder::next_record(std::size_t& at, const Each& each) {
    Cursor c{pending_.data(), pending_.data() + at, pending_.data() + pending_.size(), consumed_};
    const char* start = c.p;
    unsigned char tag = 0;
    c.byte(tag);
    if (ended_) c.fail(start, "bytes after the end marker (corrupt)");
    if (tag == tag_end && version_ >= 3) {
        std::uint64_t count = 0;
        if (!c.varint(count)) return false;
        if (count != records_) {
            c.fail(start, "the end marker says " + std::to_string(count) + " records, but " + std::to_string(records_) +
                              " were read (corrupt)");
        }
        ended_ = true;
        at = static_cast<std::size_t>(c.p - c.begin);
        return true;
    }
    if ((tag & ~(tag_kernel | tag_detail)) != (version_ >= 2 ? tag_record : tag_record_v1)) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", tag);
        c.fail(start, std::string("unknown record tag ") + hex + " (corrupt, or not a faultline binary trace)");
    }
    // A string; `kept` says whether it is in strings_ (a shape may keep its view).
    auto ref = [&](std::string_view& out, bool* kept = nullptr) {
        const char* ref_at = c.p;
        std::uint64_t v = 0;
        if (!c.varint(v)) return false;
        if (kept != nullptr) *kept = (v & 1) == 0 || (v & 3) == str_new;
        if ((v & 1) == 0) {
            if ((v >> 1) >= strings_.size()) c.fail(ref_at, "string " + std::to_string(v >> 1) + " used before it is defined (corrupt)");
            out = strings_[static_cast<std::size_t>(v >> 1)];
            return true;
        }
        if ((v >> 2) > max_string_size) c.fail(ref_at, "a string of " + std::to_string(v >> 2) + " bytes (corrupt)");
        if (!c.bytes(v >> 2, out)) return false;
        if ((v & 3) == str_new) out = strings_.emplace_back(out);
        return true;
    };
    auto count = [&](std::uint64_t& n) {
        const char* count_at = c.p;
        if (!c.varint(n)) return false;
        if (n > max_fields) c.fail(count_at, std::to_string(n) + " fields in one record (corrupt)");
        return true;
    };
    // A value of type `type` (the byte at type_at, for the error). An integer is its difference
    // from `last` when there is one (the second version), else itself.
    auto value = [&](std::string_view key, unsigned char type, const char* type_at, const std::uint64_t* last) {
        switch (type) {
            case v_i64:
            case v_u64: {
                std::uint64_t v = 0;
                if (!c.varint(v)) return false;
                if (last != nullptr) v = *last + static_cast<std::uint64_t>(unzigzag(v));
                else if (type == v_i64) v = static_cast<std::uint64_t>(unzigzag(v));
                if (type == v_i64) fields_.push_back({key, TraceValue(static_cast<std::int64_t>(v))});
                else fields_.push_back({key, TraceValue(v)});
                return true;
            }
            case v_f64: {
                std::string_view raw;
                if (!c.bytes(8, raw)) return false;
                std::uint64_t bits = 0;
                for (int b = 0; b < 8; ++b) bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(raw[b])) << (8 * b);
                fields_.push_back({key, TraceValue(std::bit_cast<double>(bits))});
                return true;
            }
            case v_false:
            case v_true: fields_.push_back({key, TraceValue(type == v_true)}); return true;
            case v_str: {
                std::string_view s;
                if (!ref(s)) return false;
                fields_.push_back({key, TraceValue(s)});
                return true;
            }
            default: c.fail(type_at, "unknown value type " + std::to_string(type) + " (corrupt)");
        }
    };
    std::uint64_t index_delta = 0, time_delta = 0;
    std::string_view host, kind;
    if (!c.varint(index_delta) || !c.varint(time_delta) || !ref(host)) return false;
    fields_.clear();
    if (version_ == 1) {
        std::uint64_t n = 0;
        if (!ref(kind) || !count(n)) return false;
        for (std::uint64_t i = 0; i < n; ++i) {
            std::string_view key;
            unsigned char type = 0;
            if (!ref(key)) return false;
            const char* type_at = c.p;
            if (!c.byte(type) || !value(key, type, type_at, nullptr)) return false;
        }
    } else {
        const char* shape_at = c.p;
        std::uint64_t v = 0;
        if (!c.varint(v)) return false;
        Shape* shape = nullptr;
        if ((v & 1) == 0) {
            if ((v >> 1) >= shapes_.size()) c.fail(shape_at, "shape " + std::to_string(v >> 1) + " used before it is defined (corrupt)");
            shape = &shapes_[static_cast<std::size_t>(v >> 1)];
        } else if (v == shape_in_place || v == shape_new) {
            Shape& s = in_place_;
            s.fields.clear();
            s.last.clear();
            bool all_kept = true, kept = true;
            std::uint64_t n = 0;
            if (!ref(s.kind, &kept) || !count(n)) return false;
            all_kept = kept;
            for (std::uint64_t i = 0; i < n; ++i) {
                std::string_view key;
                unsigned char type = 0;
                if (!ref(key, &kept)) return false;
                all_kept = all_kept && kept;
                const char* type_at = c.p;
                if (!c.byte(type)) return false;
                if (type > v_str) c.fail(type_at, "unknown value type " + std::to_string(type) + " (corrupt)");
                s.fields.emplace_back(key, type);
                s.last.push_back(0);
            }
            if (v == shape_new && !all_kept) c.fail(shape_at, "a kept shape with a string kept nowhere (corrupt)");
            shape = v == shape_new ? &shapes_.emplace_back(s) : &s;
        } else {
            c.fail(shape_at, "unknown shape " + std::to_string(v) + " (corrupt)");
        }
        kind = shape->kind;
        for (std::size_t i = 0; i < shape->fields.size(); ++i) {
            if (!value(shape->fields[i].first, shape->fields[i].second, shape_at, &shape->last[i])) return false;
        }
        // Whole: its values become the shape's last (a shape kept nowhere starts from 0 again).
        for (std::size_t i = 0; i < fields_.size(); ++i) shape->last[i] = fields_[i].value.bits();
    }
    last_index_ += static_cast<std::uint64_t>(unzigzag(index_delta));
    last_time_ = static_cast<std::int64_t>(static_cast<std::uint64_t>(last_time_) + static_cast<std::uint64_t>(unzigzag(time_delta)));
    TraceRecord r{};
    r.index = last_index_;
    r.time = Time(Duration(last_time_));
    r.host = host;
    r.kind = kind;
    r.fields = fields_;
    r.kernel = (tag & tag_kernel) != 0;
    r.detail = (tag & tag_detail) != 0;
    at = static_cast<std::size_t>(c.p - c.begin);
    ++records_;
    each(r);
    return true;
}

void BinaryTraceDecoder::finish() const {
    if (version_ == 0) {
        throw TraceFormatError("too short to be a faultline binary trace (" + std::to_string(pending_.size()) + " bytes, no header)",
                               0);
    }
    if (!pending_.empty()) {
        throw TraceFormatError("ends inside a record (was the run stopped while writing it?); the " + std::to_string(records_) +
                                   " records before it were read",
                               consumed_);
    }
    if (version_ >= 3 && !ended_) {
        throw TraceFormatError("the file ends without its end marker: the run was cut short or the file truncated; " +
                                   std::to_string(records_) + " records read",
                               consumed_);
    }
}

std::uint64_t read_binary_trace_file(const std::string& path, const BinaryTraceDecoder::Each& each) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw std::runtime_error("cannot read trace file '" + path + "': " + std::strerror(errno));
    BinaryTraceDecoder decoder;
    std::vector<char> block(std::size_t{1} << 20);
    try {
        for (;;) {
            errno = 0;
            const std::size_t n = std::fread(block.data(), 1, block.size(), f.get());
            const int error = std::ferror(f.get()) ? (errno != 0 ? errno : EIO) : 0;  // before `each` can change errno
            if (n > 0) decoder.feed(std::span<const char>(block.data(), n), each);
            if (error != 0) throw std::runtime_error("cannot read trace file '" + path + "': " + std::strerror(error));
            if (n < block.size()) break;
        }
        decoder.finish();
    } catch (const TraceFormatError& e) {
        throw TraceFormatError(path + ": byte " + std::to_string(e.offset()) + ": " + e.what(), e.offset());
    }
    return decoder.records();
}

}  // namespace sim
