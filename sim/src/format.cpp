// Text forms of virtual time, hashes and trace records.
#include <charconv>
#include <cstdio>
#include <string>

#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

std::string format_duration(Duration d) {
    std::int64_t ns = d.count();
    std::string sign;
    if (ns < 0) {
        sign = "-";
        ns = -ns;  // durations here never reach INT64_MIN
    }
    const std::int64_t secs = ns / 1'000'000'000;
    std::int64_t frac = ns % 1'000'000'000;
    std::string out = sign + std::to_string(secs);
    if (frac != 0) {
        char digits[10];
        std::snprintf(digits, sizeof digits, "%09lld", static_cast<long long>(frac));
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
// A trace file is millions of these: text without anything to escape is appended in one piece,
// numbers are written in place (no std::to_string temporaries).
bool needs_escape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

template <class Int>
void append_int(std::string& out, Int v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    std::size_t plain = 0;
    while (plain < s.size() && !needs_escape(s[plain])) ++plain;
    out.append(s.data(), plain);
    for (char c : s.substr(plain)) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

void append_json_value(std::string& out, const TraceValue& v) {
    switch (v.type()) {
        case TraceValue::Type::i64: append_int(out, v.as_i64()); break;
        case TraceValue::Type::u64: append_int(out, v.as_u64()); break;
        case TraceValue::Type::boolean: out += v.as_bool() ? "true" : "false"; break;
        case TraceValue::Type::str: append_json_string(out, v.as_str()); break;
        case TraceValue::Type::f64: {
            char buf[32];
            // %.17g round-trips a double exactly.
            std::snprintf(buf, sizeof buf, "%.17g", v.as_f64());
            std::string s(buf);
            if (s.find_first_of("0123456789") == std::string::npos) s = "null";  // nan, inf
            out += s;
            break;
        }
    }
}
}  // namespace

std::string trace_record_json(const TraceRecord& r) {
    std::string out;
    out.reserve(96 + r.fields.size() * 24);
    out += "{\"i\":";
    append_int(out, r.index);
    out += ",\"t_ns\":";
    append_int(out, r.time.time_since_epoch().count());
    out += ",\"host\":";
    append_json_string(out, r.host);
    out += ",\"kind\":";
    append_json_string(out, r.kind);
    for (const TraceField& f : r.fields) {
        out += ',';
        // A field may not shadow the record's own keys (JSON objects need unique keys).
        const bool reserved = f.key == "i" || f.key == "t_ns" || f.key == "host" || f.key == "kind";
        if (reserved) {
            out += "\"f_";
            out.append(f.key);  // one of the four names above: nothing to escape
            out += '"';
        } else {
            append_json_string(out, f.key);
        }
        out += ':';
        append_json_value(out, f.value);
    }
    out += '}';
    return out;
}

}  // namespace sim
