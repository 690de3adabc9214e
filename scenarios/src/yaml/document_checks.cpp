// See document_checks.hpp. The unclosed quote is first looked for in the text (the scan that also
// finds unclosed brackets), then confirmed in the document: only a quoted value that yaml-cpp
// started at that very place counts, so a quote the light scan misreads is never reported.
#include "document_checks.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "faultline/yaml_reader.hpp"
#include "sim/utf8.hpp"
#include "unclosed_bracket.hpp"

namespace faultline {

namespace {

class DocumentWalk {
public:
    DocumentWalk(const std::string& file, std::optional<TextPosition> open_quote, bool may_alias)
        : reader_(file), open_quote_(open_quote), may_alias_(may_alias) {}

    void node(const YAML::Node& n, const std::string& path) {
        if (n.IsScalar()) {
            scalar(n, path);
            return;
        }
        if (!n.IsMap() && !n.IsSequence()) return;
        // An alias repeats a collection already walked; walking it again finds nothing new (and
        // aliases of aliases would multiply the walk). A text without an anchor has none.
        if (may_alias_) {
            for (const YAML::Node& s : seen_) {
                if (s.is(n)) return;
            }
            seen_.push_back(n);
        }
        if (n.IsSequence()) {
            for (std::size_t i = 0; i < n.size(); ++i) node(n[i], path + "[" + std::to_string(i) + "]");
            return;
        }
        std::map<std::string, YAML::Node> keys;  // the keys met so far
        for (auto it = n.begin(); it != n.end(); ++it) {
            const YAML::Node key = it->first;
            if (!key.IsScalar()) continue;
            scalar(key, path);
            const std::string& name = key.Scalar();
            const auto [first, added] = keys.emplace(name, key);
            if (!added) {
                std::string message = "key '" + name + "' appears twice in this mapping";
                if (const int line = reader_.where(first->second).line; line > 0) message += " (first on line " + std::to_string(line) + ")";
                throw SpecError(position(key, n), path, message + "; only the first would be read: merge the two or delete one");
            }
            node(it->second, path.empty() ? name : path + "." + name);
        }
    }

private:
    // A tagged key (`!!str a: 1`) has no position of its own: then its mapping's, or line 1.
    Where position(const YAML::Node& n, const YAML::Node& container) const {
        for (const YAML::Node* at : {&n, &container}) {
            if (Where w = reader_.where(*at); w.line > 0) return w;
        }
        Where w = reader_.where(n);
        w.line = w.column = 1;
        return w;
    }

    void scalar(const YAML::Node& n, const std::string& path) const {
        if (!open_quote_ || n.Tag() != "!") return;  // "!": written quoted
        const Where at = reader_.where(n);
        if (at.line != open_quote_->line || at.column != open_quote_->column) return;
        throw SpecError(at, path,
                        "this quote is never closed: its value would run on to the end of the file, swallowing every line after it");
    }

    YamlReader reader_;  // for where()
    std::optional<TextPosition> open_quote_;
    bool may_alias_;
    std::vector<YAML::Node> seen_;
};

}  // namespace

std::optional<std::size_t> control_character_at(std::string_view text, bool in_comments) {
    bool comment = false;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b == '\n') {
            comment = false;
            quote = 0;  // a quote left open is the reader's to report
            continue;
        }
        const bool control = (b < 0x20 && b != '\t' && b != '\r') || b == 0x7f;
        if (control && (b == 0 || in_comments || !comment)) return i;
        if (comment) continue;
        if (quote != 0) {
            if (text[i] == quote) quote = 0;
        } else if (text[i] == '"' || text[i] == '\'') {
            quote = text[i];
        } else if (text[i] == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
            comment = true;
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = sim::utf8_sequence_length(text, i);
        if (len == 0) return i;
        i += len;
    }
    return std::nullopt;
}

void check_document(const YAML::Node& root, std::string_view text, const std::string& file) {
    DocumentWalk(file, unclosed_quote(text), text.find('&') != std::string_view::npos).node(root, "");
}

}  // namespace faultline
