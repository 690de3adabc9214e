// A strict reader and writer for the one JSON shape history files use: a flat object per line
// whose values are null, true/false, integers, strings or arrays of strings. Kept here so models/
// needs no JSON library; anything outside that shape (floats, nested objects) is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace models::check::detail {

struct JsonValue {
    enum class Type : std::uint8_t { null, boolean, integer, string, strings };
    Type type = Type::null;
    bool boolean = false;
    std::int64_t integer = 0;
    std::string string;
    std::vector<std::string> strings;
};

struct JsonField {
    std::string key;
    JsonValue value;
};

// Parses one line: one object and nothing after it but spaces. The error has no line number
// (the caller knows it): "expected ',' or '}' at column 14".
std::optional<std::string> parse_json_line(std::string_view line, std::vector<JsonField>& out);

// Appends `s` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view s);

std::string_view to_string(JsonValue::Type type) noexcept;

}  // namespace models::check::detail
