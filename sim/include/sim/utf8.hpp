// Well-formed UTF-8, byte by byte: shared by the scenario reader (a file must be text) and the
// trace's JSON writer (a string a model traced, or a corrupt trace file's, must still make valid
// JSON). Overlong forms, surrogates and code points past U+10FFFF are not well-formed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sim {

// The length of the well-formed UTF-8 sequence that starts at text[i] (1 for ASCII), or 0 when
// the bytes there are not one.
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) return 1;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return 0;  // a continuation byte on its own, 0xC0/0xC1 (overlong), 0xF5 and above
    if (i + len > text.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

}  // namespace sim
