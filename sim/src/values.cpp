// Parsing and printing of option values (see values.hpp). Integer arithmetic throughout for
// durations and ratios, so a value means exactly what it says.
#include "sim/values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace sim {

namespace {

// Digits with optional '_' or ',' separators ("10_000", "1,000,000").
std::string strip_separators(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c != '_' && c != ',') out += c;
    }
    return out;
}

// A non-negative decimal "123.456" as an exact fraction: integer part and fractional digits.
struct Decimal {
    std::uint64_t whole = 0;
    std::uint64_t frac = 0;      // the digits after the point, as an integer
    std::uint64_t frac_den = 1;  // 10^(number of fractional digits)
};

// `too_big`: what a number past 2^64 - 1 is called, in the words of the value it is part of.
ParseError parse_decimal(std::string_view s, Decimal& d, std::string_view too_big = "too large") {
    if (s.empty()) return "empty number";
    std::size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    if (whole.empty() && frac.empty()) return "no digits";
    for (char c : whole) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return "unexpected '" + std::string(1, c) + "'";
        if (d.whole > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return std::string(too_big);
        d.whole = d.whole * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (frac.size() > 18) return "too many decimal places";
    for (char c : frac) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return "unexpected '" + std::string(1, c) + "'";
        d.frac = d.frac * 10 + static_cast<std::uint64_t>(c - '0');
        d.frac_den *= 10;
    }
    return std::nullopt;
}

std::uint64_t gcd(std::uint64_t a, std::uint64_t b) {
    while (b != 0) {
        std::uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

}  // namespace

ParseError parse_value(std::string_view text, double& out) {
    std::string s = strip_separators(trim(text));
    if (s.empty()) return "empty";
    // strtod rather than from_chars: libc++ 14 has no floating-point from_chars. faultline never
    // calls setlocale, so this is the "C" locale ('.' as the decimal point).
    if (s.find_first_not_of("0123456789+-.eE") != std::string::npos) return "not a number";
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return "not a number";
    if (!std::isfinite(v)) return "not finite";
    out = v;
    return std::nullopt;
}

ParseError parse_value(std::string_view text, std::int64_t& out) {
    std::string s = strip_separators(trim(text));
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc::result_out_of_range && ptr == s.data() + s.size())
        return s[0] == '-' ? "too small for an integer (at least -9223372036854775808)"
                           : "too large for an integer (at most 9223372036854775807)";
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return "not an integer";
    out = v;
    return std::nullopt;
}

ParseError parse_value(std::string_view text, std::uint64_t& out) {
    std::string s = strip_separators(trim(text));
    if (!s.empty() && s[0] == '-') return "must not be negative";
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc::result_out_of_range && ptr == s.data() + s.size())
        return "too large for an integer (at most 18446744073709551615)";
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return "not a non-negative integer";
    out = v;
    return std::nullopt;
}

// An integer of a narrower type, read as the wider one: out of range is said with the narrower
// type's limit whether the text was past the wider one's or only past its own (a field of type int
// given 2^63 said "at most 9223372036854775807", and given 2^63 - 1 "at most 2147483647").
namespace {
template <class Narrow, class Wide>
ParseError parse_narrow(std::string_view text, Narrow& out) {
    using limits = std::numeric_limits<Narrow>;
    Wide v = 0;
    const ParseError e = parse_value(text, v);
    const bool too_large = e ? e->starts_with("too large") : v > static_cast<Wide>(limits::max());
    const bool too_small = e ? e->starts_with("too small") : v < static_cast<Wide>(limits::min());
    if (too_large) return "too large for an integer (at most " + std::to_string(limits::max()) + ")";
    if (too_small) return "too small for an integer (at least " + std::to_string(limits::min()) + ")";
    if (e) return e;
    out = static_cast<Narrow>(v);
    return std::nullopt;
}
}  // namespace

ParseError parse_value(std::string_view text, int& out) { return parse_narrow<int, std::int64_t>(text, out); }

ParseError parse_value(std::string_view text, std::uint32_t& out) {
    return parse_narrow<std::uint32_t, std::uint64_t>(text, out);
}

ParseError parse_value(std::string_view text, bool& out) {
    std::string_view s = trim(text);
    if (s == "true" || s == "yes" || s == "on" || s == "1") out = true;
    else if (s == "false" || s == "no" || s == "off" || s == "0") out = false;
    else return "expected true or false";
    return std::nullopt;
}

ParseError parse_value(std::string_view text, std::string& out) {
    out = std::string(text);
    return std::nullopt;
}

ParseError parse_value(std::string_view text, Duration& out) {
    std::string_view s = trim(text);
    std::size_t unit_at = 0;
    while (unit_at < s.size() && (std::isdigit(static_cast<unsigned char>(s[unit_at])) || s[unit_at] == '.' || s[unit_at] == '_')) ++unit_at;
    std::string_view number = s.substr(0, unit_at);
    // The unit, and what follows it: "1m21s" and "1h2m3.5s" (as durations are printed) are one
    // duration, each part below the one before.
    std::size_t unit_end = unit_at;
    while (unit_end < s.size() && !std::isdigit(static_cast<unsigned char>(s[unit_end])) && s[unit_end] != '.' &&
           s[unit_end] != '-')
        ++unit_end;
    std::string_view unit = trim(s.substr(unit_at, unit_end - unit_at));
    const std::string_view rest = trim(s.substr(unit_end));
    if (!s.empty() && s[0] == '-') return "a duration cannot be negative";
    if (number.empty()) return "expected a number followed by a unit (ns, us, ms, s, m, h)";
    std::uint64_t ns_per_unit = 0;
    if (unit == "ns") ns_per_unit = 1;
    else if (unit == "us" || unit == "µs") ns_per_unit = 1'000;
    else if (unit == "ms") ns_per_unit = 1'000'000;
    else if (unit == "s") ns_per_unit = 1'000'000'000;
    else if (unit == "m" || unit == "min") ns_per_unit = 60'000'000'000;
    else if (unit == "h") ns_per_unit = 3'600'000'000'000;
    else if (unit.empty() && rest.empty() && number.find_first_not_of("0._") == std::string_view::npos)
        ns_per_unit = 1;  // zero is zero in any unit
    else if (unit.empty()) return "missing unit (write 250ms, 30s, 2m...)";
    else if ((unit == "e" || unit == "E" || unit == "e+" || unit == "E+") && !rest.empty() &&
             (std::isdigit(static_cast<unsigned char>(rest[0])) || rest[0] == '-'))
        return "an exponent is not read in a duration: write digits and a unit (1000ms, 1ms, 30s)";
    else return "unknown unit '" + std::string(unit) + "' (use ns, us, ms, s, m or h)";
    // One wording for every duration past the longest, however many digits it has.
    constexpr std::string_view too_long = "too long (at most 2562047h, about 292 years)";
    Decimal d;
    if (auto e = parse_decimal(strip_separators(number), d, too_long)) return e;
    const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (d.whole > max / ns_per_unit) return std::string(too_long);
    std::uint64_t ns = d.whole * ns_per_unit;
    // The fraction must come out in whole nanoseconds: 1.5ns is an error, not a rounding.
    __extension__ using U128 = unsigned __int128;
    U128 frac_ns = static_cast<U128>(d.frac) * ns_per_unit;
    if (frac_ns % d.frac_den != 0) return "finer than a nanosecond";
    ns += static_cast<std::uint64_t>(frac_ns / d.frac_den);
    if (ns > max) return std::string(too_long);
    if (!rest.empty()) {
        if (rest[0] == '-')
            return "in '" + std::string(s) + "', " + std::string(rest) + " cannot be negative: the parts add up";
        if (rest.find_first_not_of("0123456789._") == std::string_view::npos)
            return "missing unit (write 250ms, 30s, 2m...)";
        if (d.frac != 0) return "in '" + std::string(s) + "', only the last part may have a fraction";
        Duration more{};
        if (auto e = parse_value(rest, more)) return e;
        if (static_cast<std::uint64_t>(more.count()) >= ns_per_unit)
            return "in '" + std::string(s) + "', " + std::string(rest) + " is not less than one " + std::string(unit);
        if (static_cast<std::uint64_t>(more.count()) > max - ns) return std::string(too_long);
        ns += static_cast<std::uint64_t>(more.count());
    }
    out = Duration(static_cast<std::int64_t>(ns));
    return std::nullopt;
}

ParseError parse_value(std::string_view text, Rate& out) {
    std::string_view s = trim(text);
    std::size_t slash = s.find('/');
    if (slash == std::string_view::npos) {
        double number = 0;
        if (auto e = parse_value(s, number)) return e;  // "fast": not a number, before any unit
        return "missing the time unit (write " + std::string(s) + "/s or " + std::string(s) + "/min)";
    }
    double count = 0;
    if (auto e = parse_value(s.substr(0, slash), count)) return e;
    if (count < 0) return "a rate cannot be negative";
    std::string_view unit = trim(s.substr(slash + 1));
    double seconds = 0;
    if (unit == "s") seconds = 1;
    else if (unit == "ms") seconds = 1e-3;
    else if (unit == "min" || unit == "m") seconds = 60;
    else if (unit == "h") seconds = 3600;
    else return "unknown time unit '" + std::string(unit) + "' (use /s, /ms, /min or /h)";
    if (!std::isfinite(count / seconds)) return "too large";
    out.per_second = count / seconds;
    return std::nullopt;
}

ParseError parse_value(std::string_view text, Ratio& out) {
    std::string_view s = trim(text);
    if (s.empty()) return "empty";
    Ratio r;
    if (std::size_t slash = s.find('/'); slash != std::string_view::npos) {
        if (auto e = parse_value(s.substr(0, slash), r.num)) return e;
        if (auto e = parse_value(s.substr(slash + 1), r.den)) return e;
        if (r.den == 0) return "the denominator is zero";
    } else {
        bool percent = s.back() == '%';
        Decimal d;
        if (auto e = parse_decimal(strip_separators(trim(percent ? s.substr(0, s.size() - 1) : s)), d)) return e;
        // Checked before multiplying, which could wrap: "19.000000000000000000" is not 0.55.
        if (d.whole > (percent ? 100u : 1u)) return "a probability cannot exceed 1";
        if (percent && d.frac_den > 10'000'000'000'000'000) return "too many decimal places";
        std::uint64_t den = d.frac_den * (percent ? 100 : 1);
        r.num = d.whole * d.frac_den + d.frac;
        r.den = den;
    }
    if (r.num > r.den) return "a probability cannot exceed 1";
    std::uint64_t g = gcd(r.num, r.den);
    if (g > 1) {
        r.num /= g;
        r.den /= g;
    }
    out = r;
    return std::nullopt;
}

std::string format_value(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}
std::string format_value(std::int64_t v) { return std::to_string(v); }
std::string format_value(std::uint64_t v) { return std::to_string(v); }
std::string format_value(int v) { return std::to_string(v); }
std::string format_value(std::uint32_t v) { return std::to_string(v); }
std::string format_value(bool v) { return v ? "true" : "false"; }
std::string format_value(const std::string& v) { return v; }

std::string format_value(Duration v) {
    const std::int64_t ns = v.count();
    struct Unit {
        const char* name;
        std::int64_t ns;
    };
    for (Unit u : {Unit{"h", 3'600'000'000'000}, Unit{"m", 60'000'000'000}, Unit{"s", 1'000'000'000}, Unit{"ms", 1'000'000},
                   Unit{"us", 1'000}}) {
        if (ns != 0 && ns % u.ns == 0) return std::to_string(ns / u.ns) + u.name;
    }
    return std::to_string(ns) + "ns";
}

std::string format_value(Rate v) { return format_value(v.per_second) + "/s"; }
std::string format_value(Ratio v) { return std::to_string(v.num) + "/" + std::to_string(v.den); }

namespace {
// Edits, with two neighbouring letters swapped counting as one ("rnu" is one edit from "run").
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], before[j - 2] + 1);
        }
        std::swap(before, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}
}  // namespace

std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_d = 0;
    for (const std::string& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (!best || d < best_d) {
            best = c;
            best_d = d;
        }
    }
    // Close enough to be a typo: at most a third of the word (and at least 1 edit allowed).
    if (best && best_d <= std::max<std::size_t>(1, word.size() / 3) && best_d > 0) return best;
    return std::nullopt;
}

std::string did_you_mean_or(std::string_view word, const std::vector<std::string>& candidates, std::string_view otherwise) {
    if (auto near = nearest(word, candidates)) return " (did you mean '" + *near + "'?)";
    return std::string(otherwise);
}

std::string did_you_mean_or_nearest(std::string_view word, std::vector<std::string> candidates, std::string_view noun,
                                    std::size_t shown) {
    if (auto near = nearest(word, candidates)) return " (did you mean '" + *near + "'?)";
    if (candidates.empty()) return " (there are no " + std::string(noun) + ")";
    // Nearest first, ties by name: the same hint on every run.
    std::vector<std::pair<std::size_t, std::string>> by_distance;
    for (std::string& c : candidates) by_distance.emplace_back(edit_distance(word, c), std::move(c));
    std::sort(by_distance.begin(), by_distance.end());
    std::string names;
    for (std::size_t i = 0; i < by_distance.size() && i < shown; ++i) names += (i == 0 ? "" : ", ") + by_distance[i].second;
    if (by_distance.size() <= shown) return " (the " + std::string(noun) + ": " + names + ")";
    return " (the nearest of the " + std::to_string(by_distance.size()) + " " + std::string(noun) + ": " + names + ")";
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace sim
