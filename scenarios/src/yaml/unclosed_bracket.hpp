// Where an unclosed flow collection ('{...' or '[...') was opened. yaml-cpp reports the place it
// gave up looking for the '}' or ']' - often the next section, or the end of the file - and a
// user fixes the line that opened it. This is a light scan of the text for that line, not a YAML
// parser: it follows quotes, comments and block scalars (| and >), and takes a bracket in block
// context for a flow opener only where a value starts (after "key: ", "- " or at the start of a
// line), so that a plain value like api-{1..4} is not one. When it finds nothing it says so, and
// the caller keeps yaml-cpp's position.
//
// The same scan finds a quote that is never closed: yaml-cpp takes a '"...' or '\'...' left open
// at the end of a file for a value that runs on to the end, swallowing every line after it.
#pragma once

#include <optional>
#include <string_view>

namespace faultline {

struct TextPosition {
    int line = 0;    // 1-based
    int column = 0;  // 1-based
};

// The last `open` ('{' or '[') before line `until_line` (1-based, inclusive) that no bracket closes.
std::optional<TextPosition> unclosed_flow_opener(std::string_view text, char open, int until_line);

// The innermost bracket of either kind still open at the end of line `until_line`.
struct OpenBracket {
    char bracket = 0;
    TextPosition at;
};
std::optional<OpenBracket> innermost_open_bracket(std::string_view text, int until_line);

// Where a quote that is still open at the end of the text was opened, if one is.
std::optional<TextPosition> unclosed_quote(std::string_view text);

// A quote left open on its line that ran on over lines that look like keys of their own, up to a
// syntax error at `until_line` (1-based): still open there, or closed on that line or the one
// before (by the next value's opening quote, whose text then fails to parse).
struct RunawayQuote {
    TextPosition opened;
    int runs_to_line = 0;  // the line it ran on to: where it closed, or the error's
    bool closed = false;     // closed by a later quote, not open until the error
};
std::optional<RunawayQuote> runaway_quote(std::string_view text, int until_line);

}  // namespace faultline
