// Text for reports: escaping for every place a scenario's strings can land (HTML text and
// attributes, inline JSON inside <script>, JSON strings, Markdown), and number formatting that
// reads well on an axis or in a table ("1.5k/s", "250ms", "92%", "2.9x").
//
// Formatting uses snprintf on doubles only (no locale, no std::to_chars differences), so a report
// is byte-identical for the same inputs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faultline::report {

// <, >, &, " and ' as entities: safe in HTML text, attribute values and SVG. A control
// character (but tab and line ends) becomes the symbol that pictures it (0x01 -> U+2401), as in
// visible().
std::string html(std::string_view s);
// Control characters as their pictures and nothing else escaped: for Markdown code spans, which
// cannot escape anything.
std::string visible(std::string_view s);
// A JSON string literal (with quotes); <, >, & and U+2028/9 escaped as \uXXXX so that it may sit
// inside <script> without ending it.
std::string json_string(std::string_view s);
// "fail" -> "FAIL" (ASCII only: verdicts and results).
std::string upper_case(std::string s);
// Markdown inline text: characters that Markdown or HTML would interpret are escaped with a
// backslash ("a \| b", "\<script>"; an arrow "->" stays as it is, and '&' only where it would
// start an entity); newlines and tabs become spaces (a table cell is one line), and control
// characters their pictures, as in visible().
std::string markdown(std::string_view s);

// What a number measures, for formatting and axis labels.
enum class Unit {
    count,       // 1,234 / 12.3k
    per_second,  // 1.2k/s
    seconds,     // 250ms, 1.5s, 2m10s
    ratio,       // 0..1 shown as 0..100%
    times,       // amplification: 2.9x
    megabytes,   // 1,536 MB
};

// Compact, for axis ticks and chart read-outs: 0, 950, 1.5k, 12k, 1.2M; seconds as 5ms / 1.5s.
std::string format_short(double v, Unit unit);
// For tables: more digits (2,636/s; 43.3ms; 99.99%; 1.55x). NaN is "-".
std::string format_value(double v, Unit unit);
// "12,345" (no locale).
std::string thousands(double v);
// A scenario's measurement as its tables show it: "12,345" from 10^4 up, else 6 digits ("0.896595").
std::string format_measurement(double v);
// Seconds since the start of a run, for time axes and labels: "30s", "2.5s", "1m30s", "1m05.5s"
// (to a tenth of a second), "61h45m" (to the minute).
std::string format_time(double seconds);
// "1 seed", "3 seeds": a count and its noun, the noun plural (an s added) unless the count is 1.
std::string count_of(std::uint64_t n, std::string_view noun);
// %.*g without trailing zeros or exponent surprises for the magnitudes a report shows.
std::string format_number(double v, int significant = 4);

}  // namespace faultline::report
