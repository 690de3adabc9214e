// See unclosed_bracket.hpp. Left out: anchors, tags and aliases before a bracket (`&a {`), and
// multi-line plain scalars in flow context; a file using them gets yaml-cpp's position instead.
#include "unclosed_bracket.hpp"

#include <algorithm>
#include <vector>

namespace faultline {

namespace {
struct Opened {
    char bracket;
    TextPosition at;
};

std::size_t indentation(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    return i;
}
}  // namespace

std::optional<TextPosition> unclosed_flow_opener(std::string_view text, char open, int until_line) {
    std::vector<Opened> stack;
    char quote = 0;                       // inside '...' or "..." (they may span lines in flow)
    std::optional<std::size_t> block_at;  // inside a block scalar of a key at this indentation
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size() && line_no < until_line) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        const std::size_t indent = indentation(line);
        if (block_at) {
            if (indent == line.size() || indent > *block_at) continue;  // still the block's text
            block_at.reset();
        }
        // In block context, a bracket opens a flow collection only where a value starts.
        bool value_starts = true;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (quote != 0) {
                if (c == '\\' && quote == '"') ++i;  // an escaped character
                else if (c == quote) {
                    if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') ++i;  // '' in '...'
                    else quote = 0;
                }
                continue;
            }
            if (c == ' ') continue;
            if (c == '#' && (i == 0 || line[i - 1] == ' ')) break;  // a comment
            const bool in_flow = !stack.empty();
            if ((c == '"' || c == '\'') && value_starts) {
                quote = c;
                value_starts = false;  // what follows the closing quote is not a new value
                continue;
            }
            if ((c == '{' || c == '[') && (value_starts || in_flow)) {
                stack.push_back({c, {line_no, static_cast<int>(i) + 1}});
                value_starts = true;
                continue;
            }
            if ((c == '}' || c == ']') && in_flow) {
                stack.pop_back();
                value_starts = false;
                continue;
            }
            if (!in_flow && (c == '|' || c == '>') && value_starts && i > indent) {
                block_at = indent;  // the lines below that are indented deeper are its text
                break;
            }
            const bool next_is_space = i + 1 >= line.size() || line[i + 1] == ' ';
            value_starts = (c == ':' && next_is_space) || (c == '-' && next_is_space) || (in_flow && c == ',');
        }
    }
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        if (it->bracket == open) return it->at;
    }
    return std::nullopt;
}

}  // namespace faultline
