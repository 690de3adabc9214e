// --set path=value on a YAML document, before it is read (so every section, user-registered
// ones included, can be overridden, and the reader reports mistakes in overrides the same way).

#include <algorithm>

#include "faultline/yaml_reader.hpp"
#include "aliases.hpp"

namespace faultline {

std::string dotted_path(std::string_view path) {
    std::string out;
    for (char c : path) {
        if (c == '[') out += '.';
        else if (c != ']') out += c;
    }
    return out;
}

namespace {
std::vector<std::string> split_path(const std::string& path) {
    const std::string dotted = dotted_path(path);
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = dotted.find('.', start);
        parts.push_back(dotted.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}
}  // namespace

std::string new_entry_hint(const YAML::Node& root, const std::string& path) {
    const std::vector<std::string> parts = split_path(path);
    // Read through a const handle: a non-const operator[] would add the key it looks for.
    YAML::Node cur;
    cur.reset(root);
    const YAML::Node& node = cur;
    std::string so_far;
    // The last segment is a leaf key, and top-level keys are fixed: the reader suggests for those.
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const std::string& p = parts[i];
        const YAML::Node next = child_of(node, p);
        if (!next.IsDefined() || next.IsNull()) {
            if (i == 0 || !node.IsMap()) return "";
            std::vector<std::string> keys;
            for (const auto& kv : node) keys.push_back(kv.first.as<std::string>(""));
            const auto close = nearest(p, keys);
            if (!close) return "";
            return "the scenario has no '" + so_far + "." + p + "'; did you mean '" + so_far + "." + *close + "'?";
        }
        so_far = so_far.empty() ? p : so_far + "." + p;
        cur.reset(next);
    }
    return "";
}

namespace {

// "[1, 0.5, 2]" sets a list (diurnal, test_seeds, replicas) and "{factor: 3}" a mapping (a
// fault's params), as in a file's flow style; anything else is the scalar as written, which the
// reader then checks (a list it cannot parse is reported as that text).
// A copy without yaml-cpp's marks: parsed on its own, a setting's {..} or [..] would place its
// values at line 1 of the scenario file (a warning about it read FILE:1:1). A node made here has
// no place, as a plain setting's value has none.
YAML::Node without_marks(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: {
            YAML::Node out(YAML::NodeType::Map);
            for (auto it = n.begin(); it != n.end(); ++it) out[without_marks(it->first)] = without_marks(it->second);
            return out;
        }
        case YAML::NodeType::Sequence: {
            YAML::Node out(YAML::NodeType::Sequence);
            for (const YAML::Node& item : n) out.push_back(without_marks(item));
            return out;
        }
        case YAML::NodeType::Scalar: {
            YAML::Node out(n.Scalar());
            out.SetTag(n.Tag());  // "!" for a quoted one
            return out;
        }
        default:
            return YAML::Node(n.Type());
    }
}

YAML::Node override_value(const std::string& value) {
    const std::size_t first = value.find_first_not_of(" \t"), last = value.find_last_not_of(" \t");
    const bool list = first != std::string::npos && value[first] == '[' && value[last] == ']';
    const bool mapping = first != std::string::npos && value[first] == '{' && value[last] == '}';
    if (list || mapping) {
        try {
            YAML::Node flow = YAML::Load(value);
            if (list ? flow.IsSequence() : flow.IsMap()) return without_marks(flow);
        } catch (const YAML::Exception&) {
        }
    }
    return YAML::Node(value);
}

}  // namespace

std::optional<std::string> adds_named_entry(const YAML::Node& root, const std::string& path, const std::string& value,
                                            const std::vector<std::string>& named_sections) {
    const std::vector<std::string> parts = split_path(path);
    if (std::find(named_sections.begin(), named_sections.end(), parts[0]) == named_sections.end()) return std::nullopt;
    // 'services..api': the path's own mistake, which applying it says ("empty path segment").
    if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) return std::nullopt;
    YAML::Node cur;
    cur.reset(root);
    const YAML::Node& node = cur;  // const: operator[] must not add what it looks for
    const YAML::Node section = child_of(node, parts[0]);
    if (parts.size() == 1) {
        // The whole section at once ('stores={kv: {design: lww}}'): each entry it names must be one
        // the file has, and the first that is not is refused as a path through it would be.
        const YAML::Node whole = override_value(value);
        if (!whole.IsMap()) return std::nullopt;  // not entries: the reader says what is wrong
        for (const auto& kv : whole) {
            const std::string key = kv.first.as<std::string>("");
            if (auto e = adds_named_entry(root, parts[0] + "." + key, "", named_sections)) return e;
        }
        return std::nullopt;
    }
    if (section.IsDefined() && section.IsMap()) {
        const YAML::Node entry = child_of(section, parts[1]);
        if (entry.IsDefined() && !entry.IsNull()) return std::nullopt;
    }
    const std::string entry = parts[0] + "." + parts[1];
    const std::string refusal = "a setting changes an entry the file has, it does not add one: ";
    if (std::string hint = new_entry_hint(root, path); !hint.empty()) return refusal + hint;
    if (!section.IsDefined() || section.IsNull())
        return refusal + "the scenario has no '" + parts[0] + "' (add '" + entry + "' to the file)";
    return refusal + "the scenario has no '" + entry + "' (add it to the file)";
}

std::optional<std::string> apply_yaml_override(YAML::Node& root, const std::string& path, const std::string& value,
                                               const std::function<YAML::Node()>& fresh) {
    // Brackets come in pairs around an index: 'faults[0.at' and 'faults.0].at' are typos.
    int depth = 0;
    for (const char c : path) {
        depth += c == '[' ? 1 : c == ']' ? -1 : 0;
        if (depth < 0 || depth > 1) break;
    }
    if (depth != 0) return "unbalanced '[' or ']' (write faults[0].at or faults.0.at)";
    const std::vector<std::string> parts = split_path(path);
    for (const std::string& p : parts) {
        if (p.empty()) return "empty path segment";
    }
    if (parts[0].starts_with("x-")) {
        return "'" + parts[0] + "' holds anchors for other places to use, and is not read itself: set the places that use it";
    }
    if (fresh) unshare_path(root, parts, fresh);
    // yaml-cpp nodes are handles: walking with operator[] on non-const nodes creates missing
    // map entries, which is what an override of an absent key should do.
    YAML::Node node = root;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        const bool last = i + 1 == parts.size();
        if (node.IsSequence()) {
            const std::optional<std::size_t> index = list_index(p);
            if (!index) return "'" + p + "' is not a list index";
            if (*index >= node.size()) return "index " + p + " is past the end of the list";
            if (last) {
                node[*index] = override_value(value);
                return std::nullopt;
            }
            YAML::Node next = node[*index];
            node.reset(next);
            continue;
        }
        if (!node.IsMap() && !node.IsNull()) {
            std::string above = parts[0];
            for (std::size_t k = 1; k < i; ++k) above += "." + parts[k];
            if (node.IsScalar() && node.Scalar().find('(') != std::string::npos) {
                // keys: zipf(10000, 1.0) has the fields keys.keys, keys.zipf_s, ... but writes them
                // as one value (in the file, or a setting before): the place to set is that value.
                return above + " is one value here (" + node.Scalar() + "), not a mapping with '" + p +
                       "': set it whole (" + above + "=...)";
            }
            return "'" + p + "' is inside a value, not a mapping";
        }
        if (last) {
            node[p] = override_value(value);
            return std::nullopt;
        }
        if (!node[p] || node[p].IsNull()) {
            // A missing level is created, unless the path indexes it as a list: there is no item.
            const std::string& next_part = parts[i + 1];
            if (next_part.find_first_not_of("0123456789") == std::string::npos) {
                std::string so_far = parts[0];
                for (std::size_t k = 1; k <= i; ++k) so_far += "." + parts[k];
                return so_far + " is not in the scenario, so it has no item " + next_part;
            }
            node[p] = YAML::Node(YAML::NodeType::Map);
        }
        YAML::Node next = node[p];
        node.reset(next);
    }
    return std::nullopt;
}

}  // namespace faultline
