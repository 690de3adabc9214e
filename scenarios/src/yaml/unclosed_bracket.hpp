// Where an unclosed flow collection ('{...' or '[...') was opened. yaml-cpp reports the place it
// gave up looking for the '}' or ']' - often the next section, or the end of the file - and a
// user fixes the line that opened it. This is a light scan of the text for that line, not a YAML
// parser: it follows quotes, comments and block scalars (| and >), and takes a bracket in block
// context for a flow opener only where a value starts (after "key: ", "- " or at the start of a
// line), so that a plain value like api-{1..4} is not one. When it finds nothing it says so, and
// the caller keeps yaml-cpp's position.
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

}  // namespace faultline
