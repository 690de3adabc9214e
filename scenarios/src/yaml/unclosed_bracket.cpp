// See unclosed_bracket.hpp. Left out: anchors, tags and aliases before a bracket (`&a {`), and
// multi-line plain scalars in flow context; a file using them gets yaml-cpp's position instead.
// Both questions are answered by one scan of the text, up to a line.
#include "unclosed_bracket.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <vector>

namespace faultline {

namespace {
// What is still open after the scan: the flow collections, innermost last, and a quote; and the
// last quote that ran over lines that look like keys of their own ("  timeout: 1s").
struct Scan {
    std::vector<OpenBracket> stack;
    char quote = 0;  // inside '...' or "..." (they may span lines)
    TextPosition quote_at;
    bool quote_swallowed_keys = false;
    std::optional<RunawayQuote> last_runaway;
};

// A line that reads as "key: ..." or "- key: ...".
bool looks_like_a_key(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) != 0 || line[i] == '_' || line[i] == '.' || line[i] == '-')) ++i;
    return i > start && i < line.size() && line[i] == ':' && (i + 1 == line.size() || line[i + 1] == ' ');
}

std::size_t indentation(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    return i;
}

Scan scan(std::string_view text, int until_line) {
    Scan out;
    std::vector<OpenBracket>& stack = out.stack;
    char& quote = out.quote;
    constexpr std::size_t no_block = std::numeric_limits<std::size_t>::max();
    std::size_t block_at = no_block;  // inside a block scalar of a key at this indentation
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size() && line_no < until_line) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // a file saved with CRLF
        pos = end + 1;
        ++line_no;
        const std::size_t indent = indentation(line);
        if (quote != 0 && looks_like_a_key(line)) out.quote_swallowed_keys = true;
        if (block_at != no_block) {
            if (indent == line.size() || indent > block_at) continue;  // still the block's text
            block_at = no_block;
        }
        // In block context, a bracket opens a flow collection only where a value starts.
        bool value_starts = true;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (quote != 0) {
                if (c == '\\' && quote == '"') ++i;  // an escaped character
                else if (c == quote) {
                    if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
                        ++i;  // '' in '...'
                    } else {
                        quote = 0;
                        if (out.quote_swallowed_keys) out.last_runaway = RunawayQuote{out.quote_at, line_no, true};
                    }
                }
                continue;
            }
            if (c == ' ') continue;
            if (c == '#' && (i == 0 || line[i - 1] == ' ')) break;  // a comment
            const bool in_flow = !stack.empty();
            if ((c == '"' || c == '\'') && value_starts) {
                quote = c;
                out.quote_at = {line_no, static_cast<int>(i) + 1};
                out.quote_swallowed_keys = false;
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
    return out;
}
}  // namespace

std::optional<TextPosition> unclosed_flow_opener(std::string_view text, char open, int until_line) {
    const Scan s = scan(text, until_line);
    for (auto it = s.stack.rbegin(); it != s.stack.rend(); ++it) {
        if (it->bracket == open) return it->at;
    }
    return std::nullopt;
}

std::optional<OpenBracket> innermost_open_bracket(std::string_view text, int until_line) {
    const Scan s = scan(text, until_line);
    if (s.stack.empty()) return std::nullopt;
    return s.stack.back();
}

std::optional<TextPosition> unclosed_quote(std::string_view text) {
    const Scan s = scan(text, std::numeric_limits<int>::max());
    if (s.quote == 0) return std::nullopt;
    return s.quote_at;
}

std::optional<RunawayQuote> runaway_quote(std::string_view text, int until_line) {
    const Scan s = scan(text, until_line);
    if (s.quote != 0 && s.quote_swallowed_keys) return RunawayQuote{s.quote_at, until_line, false};
    if (s.last_runaway && s.last_runaway->runs_to_line >= until_line - 1) return s.last_runaway;
    return std::nullopt;
}

}  // namespace faultline
