// Text forms of virtual time, hashes and trace records.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>

#include "sim/time.hpp"
#include "sim/trace.hpp"
#include "sim/utf8.hpp"

namespace sim {

std::string format_duration(Duration d) {
    // The magnitude in unsigned arithmetic: -INT64_MIN does not fit an int64.
    const std::int64_t count = d.count();
    const std::uint64_t ns = count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
    const std::uint64_t secs = ns / 1'000'000'000;
    const std::uint64_t frac = ns % 1'000'000'000;
    std::string out = (count < 0 ? "-" : "") + std::to_string(secs);
    if (frac != 0) {
        char digits[10];
        std::snprintf(digits, sizeof digits, "%09llu", static_cast<unsigned long long>(frac));
        std::string f(digits);
        while (!f.empty() && f.back() == '0') f.pop_back();
        out += "." + f;
    }
    return out + "s";
}

std::string format_time(Time t) {
    if (t == time_never) return "never";
    return format_duration(t.time_since_epoch());
}

std::string hash_hex(std::uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

namespace {
// A trace file is millions of these lines. They are written through a raw cursor into room made
// once per record (trace_record_json_bound bytes), not by std::string appends: each of those
// checks capacity and calls memmove for a few bytes, and was a fifth of a traced run.
bool needs_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

constexpr std::size_t int_room = 20;     // the longest int64 or uint64, sign included
constexpr std::size_t double_room = 32;  // "%.17g" and its NUL
constexpr std::size_t escape_room = 6;   // the longest escape of one byte: \u001f

std::size_t string_bound(std::string_view s) { return 2 + s.size() * escape_room; }

std::size_t value_bound(const TraceValue& v) {
    switch (v.type()) {
        case TraceValue::Type::i64:
        case TraceValue::Type::u64: return int_room;
        case TraceValue::Type::boolean: return 5;
        case TraceValue::Type::f64: return double_room;
        case TraceValue::Type::str: return string_bound(v.as_str());
    }
    return double_room;
}

template <std::size_t N>
char* put(char* p, const char (&literal)[N]) {
    std::memcpy(p, literal, N - 1);  // a constant size: plain stores
    return p + N - 1;
}

template <class Int>
char* put_int(char* p, Int v) {
    return std::to_chars(p, p + int_room, v).ptr;
}

char* put_string(char* p, std::string_view s) {
    *p++ = '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            // Bytes that are no UTF-8 (a model's binary detail, a corrupt trace file) would make
            // the line invalid JSON: each is written as U+FFFD, six bytes, the room of an escape.
            const std::size_t len = utf8_sequence_length(s, i);
            if (len == 0) {
                p = put(p, "\\ufffd");
                continue;
            }
            std::memcpy(p, s.data() + i, len);
            p += len;
            i += len - 1;
            continue;
        }
        if (!needs_escape(c)) {
            *p++ = c;
            continue;
        }
        switch (c) {
            case '"': p = put(p, "\\\""); break;
            case '\\': p = put(p, "\\\\"); break;
            case '\n': p = put(p, "\\n"); break;
            case '\r': p = put(p, "\\r"); break;
            case '\t': p = put(p, "\\t"); break;
            default: {
                static constexpr char hex[] = "0123456789abcdef";
                const auto u = static_cast<unsigned char>(c);
                p = put(p, "\\u00");
                *p++ = hex[u >> 4];
                *p++ = hex[u & 15];
            }
        }
    }
    *p++ = '"';
    return p;
}

char* put_value(char* p, const TraceValue& v) {
    switch (v.type()) {
        case TraceValue::Type::i64: return put_int(p, v.as_i64());
        case TraceValue::Type::u64: return put_int(p, v.as_u64());
        case TraceValue::Type::boolean: return v.as_bool() ? put(p, "true") : put(p, "false");
        case TraceValue::Type::str: return put_string(p, v.as_str());
        case TraceValue::Type::f64: {
            char buf[double_room];
            // %.17g round-trips a double exactly.
            const int n = std::snprintf(buf, sizeof buf, "%.17g", v.as_f64());
            const std::string_view s(buf, static_cast<std::size_t>(n));
            if (s.find_first_of("0123456789") == std::string_view::npos) return put(p, "null");  // nan, inf
            std::memcpy(p, buf, s.size());
            return p + s.size();
        }
    }
    return p;
}

}  // namespace

// At most this many bytes for the record's object: 40 for the punctuation and the four keys.
std::size_t trace_record_json_bound(const TraceRecord& r) {
    std::size_t n = 40 + 2 * int_room + string_bound(r.host) + string_bound(r.kind);
    for (const TraceField& f : r.fields) n += 4 + string_bound(f.key) + value_bound(f.value);
    return n;
}

char* write_trace_record_json(char* p, const TraceRecord& r) {
    p = put(p, "{\"i\":");
    p = put_int(p, r.index);
    p = put(p, ",\"t_ns\":");
    p = put_int(p, r.time.time_since_epoch().count());
    p = put(p, ",\"host\":");
    p = put_string(p, r.host);
    p = put(p, ",\"kind\":");
    p = put_string(p, r.kind);
    for (const TraceField& f : r.fields) {
        *p++ = ',';
        // A field may not shadow the record's own keys (JSON objects need unique keys).
        const bool reserved = f.key == "i" || f.key == "t_ns" || f.key == "host" || f.key == "kind";
        if (reserved) {
            p = put(p, "\"f_");
            std::memcpy(p, f.key.data(), f.key.size());  // one of the four names above: nothing to escape
            p += f.key.size();
            *p++ = '"';
        } else {
            p = put_string(p, f.key);
        }
        *p++ = ':';
        p = put_value(p, f.value);
    }
    *p++ = '}';
    return p;
}

std::string trace_record_json(const TraceRecord& r) {
    std::string out(trace_record_json_bound(r), '\0');
    out.resize(static_cast<std::size_t>(write_trace_record_json(out.data(), r) - out.data()));
    return out;
}

}  // namespace sim
