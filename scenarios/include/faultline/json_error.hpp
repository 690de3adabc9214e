// What a JSON parser's error says, for a one-line message about a file: nlohmann's
// "[json.exception.parse_error.101] parse error at line 3, column 5: ..." becomes
// " (line 3, column 5: ...)", and "[json.exception.out_of_range.406] number overflow parsing
// '1e400'" becomes " (number overflow parsing '1e400')". The parser quotes what it last read:
// bytes that are not printable ASCII are shown as \xNN, so the line stays one valid line of text.
// Header only: the report and the explorer both read JSON, and neither depends on the other.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace faultline {

inline std::string json_error_detail(std::string_view what) {
    std::size_t at = what.find("line ");
    if (at == std::string_view::npos) {
        at = what.find("] ");
        at = at == std::string_view::npos ? 0 : at + 2;
    }
    std::string shown;
    for (const char c : what.substr(at)) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7f) {
            shown += c;
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", b);
            shown += hex;
        }
    }
    return shown.empty() ? std::string() : " (" + shown + ")";
}

}  // namespace faultline
