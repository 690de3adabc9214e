// The flat-object JSON subset of history files: parser and string escaping.
#include "json_line.hpp"

#include <limits>

namespace models::check::detail {

namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    std::optional<std::string> object(std::vector<JsonField>& out) {
        out.clear();
        skip_space();
        if (!eat('{')) return error("expected '{'");
        skip_space();
        if (eat('}')) return finish();
        for (;;) {
            skip_space();
            JsonField field;
            if (peek() != '"') return error("expected a field name");
            if (auto e = string(field.key)) return e;
            for (const JsonField& f : out) {
                if (f.key == field.key) return "field '" + field.key + "' appears twice";
            }
            skip_space();
            if (!eat(':')) return error("expected ':'");
            skip_space();
            if (auto e = value(field.value)) return "field '" + field.key + "': " + *e;
            out.push_back(std::move(field));
            skip_space();
            if (eat(',')) continue;
            if (eat('}')) return finish();
            return error("expected ',' or '}'");
        }
    }

private:
    std::optional<std::string> finish() {
        skip_space();
        if (pos_ != s_.size()) return error("unexpected text after the object");
        return std::nullopt;
    }
    std::string error(std::string_view what) const {
        return std::string(what) + " at column " + std::to_string(pos_ + 1);
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    bool eat(char c) {
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool eat_word(std::string_view w) {
        if (s_.substr(pos_, w.size()) != w) return false;
        pos_ += w.size();
        return true;
    }
    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
    }

    std::optional<std::string> value(JsonValue& v) {
        const char c = peek();
        if (c == '"') {
            v.type = JsonValue::Type::string;
            return string(v.string);
        }
        if (c == '[') return strings(v);
        if (c == '-' || (c >= '0' && c <= '9')) return integer(v);
        if (eat_word("null")) {
            v.type = JsonValue::Type::null;
            return std::nullopt;
        }
        if (eat_word("true")) {
            v.type = JsonValue::Type::boolean;
            v.boolean = true;
            return std::nullopt;
        }
        if (eat_word("false")) {
            v.type = JsonValue::Type::boolean;
            v.boolean = false;
            return std::nullopt;
        }
        return error("expected a value (a string, an integer, true, false, null or an array of strings)");
    }

    std::optional<std::string> strings(JsonValue& v) {
        v.type = JsonValue::Type::strings;
        eat('[');
        skip_space();
        if (eat(']')) return std::nullopt;
        for (;;) {
            skip_space();
            if (peek() != '"') return error("expected a string in the array");
            std::string item;
            if (auto e = string(item)) return e;
            v.strings.push_back(std::move(item));
            skip_space();
            if (eat(',')) continue;
            if (eat(']')) return std::nullopt;
            return error("expected ',' or ']'");
        }
    }

    std::optional<std::string> integer(JsonValue& v) {
        v.type = JsonValue::Type::integer;
        const bool negative = eat('-');
        if (!(peek() >= '0' && peek() <= '9')) return error("expected a digit");
        if (peek() == '0' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
            return error("leading zeros are not allowed");
        }
        // Accumulated as a negative number so that INT64_MIN fits.
        std::int64_t n = 0;
        constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
        while (peek() >= '0' && peek() <= '9') {
            const int d = s_[pos_++] - '0';
            if (n < (min + d) / 10) return error("integer out of range");
            n = n * 10 - d;
        }
        if (peek() == '.' || peek() == 'e' || peek() == 'E') return error("expected an integer, not a fraction");
        if (!negative) {
            if (n == min) return error("integer out of range");
            n = -n;
        }
        v.integer = n;
        return std::nullopt;
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    std::optional<std::uint32_t> hex4() {
        if (pos_ + 4 > s_.size()) return std::nullopt;
        std::uint32_t u = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hex(s_[pos_ + i]);
            if (h < 0) return std::nullopt;
            u = u * 16 + static_cast<std::uint32_t>(h);
        }
        pos_ += 4;
        return u;
    }
    static void utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::optional<std::string> string(std::string& out) {
        out.clear();
        eat('"');
        for (;;) {
            if (pos_ >= s_.size()) return error("unterminated string");
            const char c = s_[pos_++];
            if (c == '"') return std::nullopt;
            if (static_cast<unsigned char>(c) < 0x20) return error("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) return error("unterminated string");
            switch (s_[pos_++]) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    auto u = hex4();
                    if (!u) return error("expected four hex digits after \\u");
                    std::uint32_t cp = *u;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) return error("unpaired surrogate");
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (!eat('\\') || !eat('u')) return error("unpaired surrogate");
                        auto low = hex4();
                        if (!low || *low < 0xDC00 || *low > 0xDFFF) return error("unpaired surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
                    }
                    utf8(out, cp);
                    break;
                }
                default:
                    return error("unknown escape");
            }
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> parse_json_line(std::string_view line, std::vector<JsonField>& out) {
    return Parser(line).object(out);
}

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    out += '"';
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"')
            out += "\\\"";
        else if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else if (u < 0x20) {
            out += "\\u00";
            out += digits[u >> 4];
            out += digits[u & 0xF];
        } else
            out += c;
    }
    out += '"';
}

std::string_view to_string(JsonValue::Type type) noexcept {
    switch (type) {
        case JsonValue::Type::null:
            return "null";
        case JsonValue::Type::boolean:
            return "true or false";
        case JsonValue::Type::integer:
            return "an integer";
        case JsonValue::Type::string:
            return "a string";
        case JsonValue::Type::strings:
            return "an array of strings";
    }
    return "?";
}

}  // namespace models::check::detail
