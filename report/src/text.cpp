#include "report/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace faultline::report {

namespace {
// A control character (C0 but tab, newline and carriage return; DEL) as the Unicode symbol that
// pictures it (0x01 -> U+2401, DEL -> U+2421): a raw one is invalid in HTML and invisible in a
// Markdown file, and a name holding one should show that it does. False for any other character.
bool control_picture(char c, std::string& out) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u == '\t' || u == '\n' || u == '\r' || (u >= 0x20 && u != 0x7F)) return false;
    const unsigned code = u == 0x7F ? 0x2421 : 0x2400 + u;  // three UTF-8 bytes: E2 90 xx
    out += static_cast<char>(0xE2);
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
    return true;
}

// "&amp;", "&#60;", "&#x3C;" at `i`: what Markdown would turn into another character.
bool starts_entity(std::string_view s, std::size_t i) {
    std::size_t j = i + 1;
    if (j < s.size() && s[j] == '#') ++j;
    const std::size_t name = j;
    while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j])) != 0) ++j;
    return j > name && j < s.size() && s[j] == ';';
}
}  // namespace

std::string html(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (control_picture(c, out)) continue;
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string visible(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (!control_picture(c, out)) out += c;
    }
    return out;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        char buf[8];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
            out +=
                static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";  // line separators end JS strings
            i += 2;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string upper_case(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string markdown(std::string_view s) {
    std::string out;
    // Backslashes, not HTML entities: a Markdown file is read as text too, where "api -&gt; cache"
    // was noise. A '<' could open a tag, a '&' an entity, a '>' first on a line a quote.
    const std::size_t first = std::min(s.find_first_not_of(' '), s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (control_picture(c, out)) continue;
        switch (c) {
            case '\n':
            case '\r':
            case '\t':
                out += ' ';
                break;
            case '&':
                out += starts_entity(s, i) ? "\\&" : "&";
                break;
            case '>':
                out += i == first ? "\\>" : ">";
                break;
            case '<':
            case '\\':
            case '`':
            case '*':
            case '_':
            case '[':
            case ']':
            case '|':
            case '#':
            case '!':
                out += '\\';
                out += c;
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_number(double v, int significant) {
    if (std::isnan(v)) return "-";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return "0";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", significant, v);
    std::string s = buf;
    if (s.find('e') == std::string::npos) return s;
    // Past %g's switch to exponents (>= 10^significant): plain digits read better, while they are
    // few and whole. A small number keeps its exponent (%.0f made 0.00001 '0'), and so does a huge
    // one (1e308 as digits was cut to a 47-digit number that was not it).
    if (std::fabs(v) < 1 || std::fabs(v) >= 1e21) return s;
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

std::string thousands(double v) {
    if (std::isnan(v)) return "-";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.0f", std::fabs(v));
    std::string digits = buf, out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (v < 0 && out != "0" ? "-" : "") + out;
}

// Counts from 1,000 up and any value from 10,000 up with separators, as the rest of a report
// writes counts ("7,951 queries" beside "214,259 requests"); smaller or fractional values to six
// significant digits.
std::string format_measurement(double v) {
    const bool whole = std::isfinite(v) && v == std::floor(v);
    return std::fabs(v) >= 1e4 || (whole && std::fabs(v) >= 1000) ? thousands(v) : format_number(v, 6);
}

namespace {

// 1234 -> "1.23k", 1.5e6 -> "1.5M"; below 1000 as is.
std::string si(double v, int significant) {
    const double a = std::fabs(v);
    if (a >= 1e9) return format_number(v / 1e9, significant) + "G";
    if (a >= 1e6) return format_number(v / 1e6, significant) + "M";
    if (a >= 1e4 || (a >= 1e3 && significant <= 3)) return format_number(v / 1e3, significant) + "k";
    return format_number(v, significant);
}

std::string seconds_text(double v, int significant) {
    const double a = std::fabs(v);
    if (a == 0) return "0";
    if (a < 1e-6) return format_number(v * 1e9, significant) + "ns";
    if (a < 1e-3) return format_number(v * 1e6, significant) + "us";
    if (a < 1) return format_number(v * 1e3, significant) + "ms";
    if (a < 600) return format_number(v, significant) + "s";
    return format_time(v);
}

}  // namespace

std::string format_short(double v, Unit unit) {
    if (std::isnan(v)) return "-";
    switch (unit) {
        case Unit::count:
            return si(v, 3);
        case Unit::per_second:
            return si(v, 3) + "/s";
        case Unit::seconds:
            return seconds_text(v, 3);
        case Unit::ratio:
            return format_number(v * 100, 3) + "%";
        case Unit::times:
            return format_number(v, 3) + "x";
        case Unit::megabytes:
            return si(v, 4) + " MB";
    }
    return format_number(v);
}

std::string format_value(double v, Unit unit) {
    if (std::isnan(v)) return "-";
    switch (unit) {
        case Unit::count:
            return std::fabs(v) >= 1000 ? thousands(v) : format_number(v, 4);
        case Unit::per_second:
            return (std::fabs(v) >= 1000 ? thousands(v) : format_number(v, 4)) + "/s";
        case Unit::seconds:
            return seconds_text(v, 4);
        case Unit::ratio:
            return format_number(v * 100, 4) + "%";
        case Unit::times:
            return format_number(v, 3) + "x";
        case Unit::megabytes:
            return thousands(v) + " MB";
    }
    return format_number(v);
}

std::string format_time(double seconds) {
    if (std::isnan(seconds)) return "-";
    const double a = std::fabs(seconds);
    const std::string sign = seconds < 0 ? "-" : "";
    if (a < 60) return format_number(seconds, 4) + "s";
    char buf[48];
    if (a < 3600) {
        // Minutes and seconds, a fraction of a second to a tenth: "1m40s", "1m05.5s".
        const double tenths = std::round(a * 10);
        const long long m = static_cast<long long>(tenths / 600);
        const double rest = (tenths - static_cast<double>(m) * 600) / 10;
        if (rest == 0)
            std::snprintf(buf, sizeof buf, "%lldm", m);
        else if (std::fmod(rest, 1) == 0)
            std::snprintf(buf, sizeof buf, "%lldm%02llds", m, static_cast<long long>(rest));
        else
            std::snprintf(buf, sizeof buf, "%lldm%04.1fs", m, rest);
        return sign + buf;
    }
    const long long s = std::llround(a);  // hours and minutes: "61h45m"
    if (s % 3600 == 0)
        std::snprintf(buf, sizeof buf, "%lldh", s / 3600);
    else
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s / 60 % 60);
    return sign + buf;
}

std::string count_of(std::uint64_t n, std::string_view noun) {
    return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace faultline::report
