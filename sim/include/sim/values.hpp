// Text forms of values, shared by fault specs, `--set path=value` and scenario files: durations
// ("250ms", "1.5s", "2m"), rates ("5000/s", "300/min"), ratios ("1/1000", "0.1%", "0.25"),
// integers with separators ("10_000"), booleans and enumerations.
//
// Durations and ratios are parsed exactly, in integers (no rounding through floating point), so
// "0.1s" is exactly 100,000,000 ns and "0.1%" exactly 1/1000.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace sim {

// A rate of events per virtual second ("5000/s").
struct Rate {
    double per_second = 0;
    friend bool operator==(const Rate&, const Rate&) = default;
};

// Each parser returns an error message (no location: the caller adds it) or nothing.
using ParseError = std::optional<std::string>;

ParseError parse_value(std::string_view text, double& out);
ParseError parse_value(std::string_view text, std::int64_t& out);
ParseError parse_value(std::string_view text, std::uint64_t& out);
ParseError parse_value(std::string_view text, int& out);
ParseError parse_value(std::string_view text, std::uint32_t& out);
ParseError parse_value(std::string_view text, bool& out);
ParseError parse_value(std::string_view text, std::string& out);
ParseError parse_value(std::string_view text, Duration& out);
ParseError parse_value(std::string_view text, Rate& out);
ParseError parse_value(std::string_view text, Ratio& out);

std::string format_value(double v);
std::string format_value(std::int64_t v);
std::string format_value(std::uint64_t v);
std::string format_value(int v);
std::string format_value(std::uint32_t v);
std::string format_value(bool v);
std::string format_value(const std::string& v);
std::string format_value(Duration v);
std::string format_value(Rate v);
std::string format_value(Ratio v);

// `s` without the white space at either end.
std::string_view trim(std::string_view s) noexcept;

// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" when `word` is a likely typo of one of `candidates`, else `otherwise`.
std::string did_you_mean_or(std::string_view word, const std::vector<std::string>& candidates, std::string_view otherwise);
// The same, and when no candidate is that close, the `shown` nearest of them by spelling, so that
// a reader who cannot see the set (a run's hosts) learns what is in it: " (the nearest of the 12
// hosts: api-1, api-2, db-1, ...)", or " (the hosts: a, b)" when there are no more than `shown`.
std::string did_you_mean_or_nearest(std::string_view word, std::vector<std::string> candidates, std::string_view noun,
                                    std::size_t shown = 5);

// Enumerations: a type opts in with `enum_names(E)` (found by ADL) returning name/value pairs.
template <class E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) { enum_names(e); };

template <class T>
std::string type_hint();  // below: what a reader should type ("one of: a, b, c" for an enum)

template <NamedEnum E>
ParseError parse_value(std::string_view text, E& out) {
    for (const auto& [name, value] : enum_names(E{})) {
        if (text == name) {
            out = value;
            return std::nullopt;
        }
    }
    std::vector<std::string> names;
    for (const auto& [name, value] : enum_names(E{})) names.emplace_back(name);
    return "expected " + type_hint<E>() + did_you_mean_or(text, names, "");
}

template <NamedEnum E>
std::string format_value(E v) {
    for (const auto& [name, value] : enum_names(E{})) {
        if (value == v) return std::string(name);
    }
    return "?";
}

// What a reader should type, for help text and error messages ("a duration like 250ms").
template <class T>
std::string type_hint() {
    if constexpr (std::is_same_v<T, double>) return "a number";
    else if constexpr (std::is_same_v<T, bool>) return "true or false";
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) return "an integer";
    else if constexpr (std::is_integral_v<T>) return "a non-negative integer";
    else if constexpr (std::is_same_v<T, std::string>) return "a string";
    else if constexpr (std::is_same_v<T, Duration>) return "a duration like 250ms";
    else if constexpr (std::is_same_v<T, Rate>) return "a rate like 5000/s";
    else if constexpr (std::is_same_v<T, Ratio>) return "a ratio like 1/1000, 0.1% or 0.25";
    else if constexpr (requires { T::fixed(Duration{}); }) return "a delay like 5ms or lognormal(5ms, 0.5)";
    else if constexpr (NamedEnum<T>) {
        std::string known;
        for (const auto& [name, value] : enum_names(T{})) known += (known.empty() ? "" : ", ") + std::string(name);
        return "one of: " + known;
    } else return "a value";
}


}  // namespace sim
