// WAL records: encoding, checksums and replay.
#include "wal.hpp"

#include <charconv>

#include "sim/random.hpp"

namespace models::replication::detail {

namespace {

void escape(std::string& out, std::string_view s) {
    for (const char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

bool unescape(std::string_view s, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size()) return false;
        if (s[i] == '\\')
            out += '\\';
        else if (s[i] == 't')
            out += '\t';
        else if (s[i] == 'n')
            out += '\n';
        else
            return false;
    }
    return true;
}

std::string checksum(std::string_view payload) {
    static constexpr char digits[] = "0123456789abcdef";
    std::uint64_t h = sim::hash_name(payload);
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 0xF];
    return out;
}

std::string line(std::string payload) {
    const std::string sum = checksum(payload);
    return payload + "\t" + sum + "\n";
}

template <class T>
bool number(std::string_view s, T& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == '\t') {
            fields.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return fields;
}

bool parse_clock(std::string_view s, VersionVector& out) {
    while (!s.empty()) {
        const std::size_t comma = s.find(',');
        const std::string_view item = s.substr(0, comma);
        const std::size_t colon = item.find(':');
        std::uint64_t actor = 0;
        std::uint64_t counter = 0;
        if (colon == std::string_view::npos || !number(item.substr(0, colon), actor) ||
            !number(item.substr(colon + 1), counter)) {
            return false;
        }
        out.set(actor, counter);
        s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
    return true;
}

}  // namespace

std::string encode_version(std::string_view key, const Version& v) {
    std::string p = "V\t";
    escape(p, key);
    p += '\t';
    escape(p, v.value);
    // Appended piece by piece: g++ 12 warns (-Wrestrict, a false positive) on "x" + std::string&&.
    p.append("\t").append(std::to_string(v.stamp)).append("\t").append(std::to_string(v.origin)).append("\t");
    bool first = true;
    for (const auto& [actor, counter] : v.clock.entries()) {
        p.append(first ? "" : ",").append(std::to_string(actor)).append(":").append(std::to_string(counter));
        first = false;
    }
    return line(std::move(p));
}

std::string encode_reset() { return line("R"); }

std::string encode_meta(std::string_view name, std::uint64_t value) {
    std::string p = "M\t";
    escape(p, name);
    p += '\t' + std::to_string(value);
    return line(std::move(p));
}

Recovered replay(std::string_view bytes, MergeRule rule) {
    Recovered r;
    std::string key;
    std::string name;
    while (!bytes.empty()) {
        const std::size_t newline = bytes.find('\n');
        if (newline == std::string_view::npos) {
            r.damaged = true;
            break;
        }
        const std::string_view text = bytes.substr(0, newline);
        bytes.remove_prefix(newline + 1);
        const std::size_t tab = text.rfind('\t');
        if (tab == std::string_view::npos || checksum(text.substr(0, tab)) != text.substr(tab + 1)) {
            r.damaged = true;
            break;
        }
        const auto f = split(text.substr(0, tab));
        bool ok = false;
        if (f[0] == "V" && f.size() == 6) {
            Version v;
            ok = unescape(f[1], key) && unescape(f[2], v.value) && number(f[3], v.stamp) && number(f[4], v.origin) &&
                 parse_clock(f[5], v.clock);
            if (ok) merge(rule, r.data[key], v);
        } else if (f[0] == "R" && f.size() == 1) {
            r.data.clear();
            ok = true;
        } else if (f[0] == "M" && f.size() == 3) {
            std::uint64_t value = 0;
            ok = unescape(f[1], name) && number(f[2], value);
            if (ok) r.meta[name] = value;
        }
        if (!ok) {
            r.damaged = true;
            break;
        }
        ++r.records;
    }
    return r;
}

}  // namespace models::replication::detail
