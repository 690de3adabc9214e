// Reads YAML into the same typed option structs C++ users write, through their fields()
// descriptions. Every mistake is one SpecError naming file, line, column and the field's path:
//   stampede.yaml:12:7: services.api.cache.ttl: '60' is not a duration like 250ms: missing unit
//   stampede.yaml:9:5: services.api: unknown key 'cahce' (did you mean 'cache'?)
//
// Supported field types: everything parse_value() reads (durations, rates, ratios, numbers,
// booleans, strings, enums, delay distributions), std::optional, std::vector (a scalar is a
// one-element list), std::map<std::string, T>, nested Described structs, Located<T> (a value
// and where it is written), and YamlValue (kept as written, for something else to read later).
// A struct may have
// a `Where` field (named "") that receives the location of its YAML node, a validate()
// function (found by ADL) whose error is reported at that node, and a parse_shorthand() that
// reads it from one scalar (keys: zipf(100000, 0.99)).
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "faultline/fields.hpp"
#include "sim/distribution.hpp"

namespace faultline {

// Where a value came from: a file position, or a command-line override.
// A field kept as written, for a part of the file only something registered later can read
// (a model kind's options).
struct YamlValue {
    YAML::Node node;
};

// Text from a file quoted in an error: one line, at most `max` characters.
inline std::string excerpt(std::string_view text, std::size_t max = 60) {
    std::string out;
    for (char c : text.substr(0, max)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    if (text.size() > max) out += "...";
    return out;
}

struct SpecError : std::runtime_error {
    // Always one line: a newline in a message (text quoted from a file) becomes a space.
    SpecError(Where w, std::string path_, std::string message_)
        : std::runtime_error(excerpt(w.text() + ": " + (path_.empty() ? "" : path_ + ": ") + message_, std::string::npos)),
          where(std::move(w)),
          path(std::move(path_)),
          message(std::move(message_)) {}
    Where where;
    std::string path;
    std::string message;
};

template <class T>
concept Validated = requires(const T& t) { validate(t); };

// What to type for a field, seen through std::optional.
template <class T>
std::string field_hint() {
    if constexpr (is_optional<T>::value) return field_hint<typename T::value_type>();
    else return type_hint<T>();
}

class YamlReader {
public:
    explicit YamlReader(std::string file) : file_(std::move(file)) {}

    Where where(const YAML::Node& n) const {
        const YAML::Mark m = n.Mark();
        if (m.is_null() || m.line < 0) return Where{file_, 0, 0};
        return Where{file_, m.line + 1, m.column + 1};
    }
    [[noreturn]] void fail(const YAML::Node& at, const std::string& path, const std::string& message) const {
        throw SpecError(where(at), path, message);
    }
    // Reads the value of `key`. An empty one ("cpu:" with nothing after it) has yaml-cpp's mark at
    // the next token, often the next line: an error placed there is placed at its key instead.
    template <class T>
    void read_value(const YAML::Node& key, const YAML::Node& value, T& out, const std::string& path) const {
        if (!value.IsNull()) return read(value, out, path);
        try {
            read(value, out, path);
        } catch (const SpecError& e) {
            const Where at = where(value), key_at = where(key);
            if (e.where.line != at.line || e.where.column != at.column || key_at.line == 0) throw;
            throw SpecError(key_at, e.path, e.message);
        }
    }

    template <class T>
    void read(const YAML::Node& node, T& out, const std::string& path) const;

private:
    template <class T>
    void read_struct(const YAML::Node& node, T& out, const std::string& path) const;

    // What to add to the error of a value cut at a comma inside a flow collection: an unclosed
    // '(' there is most likely that, and the fix is quoting (`example` shows how).
    std::string flow_comma_hint(const std::string& text, const char* example) const {
        if (!in_flow_ || text.find('(') == std::string::npos || text.find(')') != std::string::npos) return "";
        return std::string(" (inside {...} or [...] a comma ends a value: quote it, \"") + example + "\")";
    }

    std::string file_;
    // True while reading the inside of a flow collection ({...} or [...]), where a comma ends a
    // plain value: "lognormal(40ms, 0.2)" unquoted there arrives as "lognormal(40ms".
    mutable bool in_flow_ = false;
};

namespace detail {
inline std::string join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
}
inline std::string_view node_kind(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Scalar: return "a value";
        case YAML::NodeType::Null: return "empty";
        default: return "nothing";
    }
}

// The names of a described type's fields, in order (a source position, unnamed, left out).
struct FieldNames {
    std::vector<std::string> names;
    template <class T>
    void operator()(std::string_view n, T&, std::string_view) {
        if (!n.empty()) names.emplace_back(n);
    }
};

template <class T>
std::vector<std::string> field_names(T& value) {
    FieldNames collect;
    fields(collect, value);
    return std::move(collect.names);
}

// True if `name` is one of the fields of `value`'s type (one described by fields()).
template <class T>
bool is_field_name(std::string_view name, T& value) {
    if constexpr (Described<T>) {
        const std::vector<std::string> names = field_names(value);
        return std::find(names.begin(), names.end(), name) != names.end();
    } else {
        return false;
    }
}

// Whether `node` is a mapping with at least one key that names a field of T.
template <class T>
bool has_field_key(const YAML::Node& node, T& value) {
    if (!node.IsMap()) return false;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.IsScalar() && is_field_name(it->first.Scalar(), value)) return true;
    }
    return false;
}
}  // namespace detail

// The visitor a struct's fields() runs while reading: consumes the keys it knows.
class YamlFieldVisitor {
public:
    YamlFieldVisitor(const YamlReader& reader, const YAML::Node& map, std::string path)
        : reader_(reader), map_(map), path_(std::move(path)) {}

    template <class T>
    void operator()(std::string_view name, T& value, std::string_view /*help*/) {
        if constexpr (std::is_same_v<T, Where>) {
            value = reader_.where(map_);
        } else {
            names_.emplace_back(name);
            const YAML::Node child = map_[std::string(name)];
            if (!child) return;  // absent: keep the default
            consumed_.insert(std::string(name));
            YAML::Node key;  // looked for only for an empty value, whose errors are placed at it
            for (auto it = map_.begin(); child.IsNull() && it != map_.end(); ++it) {
                if (it->first.IsScalar() && it->first.Scalar() == name) key = it->first;
            }
            reader_.read_value(key, child, value, detail::join(path_, name));
        }
    }

    // Fails on the first key no field consumed, suggesting the nearest field name.
    void reject_unknown_keys() const {
        for (auto it = map_.begin(); it != map_.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            if (consumed_.count(key) != 0) continue;
            std::string msg = "unknown key '" + excerpt(key) + "'";
            if (auto near = nearest(key, names_)) msg += " (did you mean '" + *near + "'?)";
            else if (!names_.empty()) {
                msg += " (known keys:";
                for (const std::string& n : names_) msg += " " + n;
                msg += ")";
            }
            // A tagged key (`a!!int: 1`) has no position of its own: then its mapping's.
            reader_.fail(reader_.where(it->first).line > 0 ? it->first : map_, path_, msg);
        }
    }

private:
    const YamlReader& reader_;
    const YAML::Node& map_;
    std::string path_;
    std::vector<std::string> names_;
    std::set<std::string> consumed_;
};

template <class T>
void YamlReader::read_struct(const YAML::Node& node, T& out, const std::string& path) const {
    if (node.IsNull()) {
        // queue:\n  workers_max: 20 written with workers_max under the parent, not under queue.
        fail(node, path, "expected a mapping of keys, got empty (are its keys indented under it?)");
    }
    if (!node.IsMap()) {
        std::string msg = "expected a mapping of keys, got " + std::string(detail::node_kind(node)) + " (known keys:";
        for (const std::string& n : detail::field_names(out)) msg += " " + n;
        fail(node, path, msg + ")");
    }
    YamlFieldVisitor v(*this, node, path);
    fields(v, out);
    v.reject_unknown_keys();
    if constexpr (Validated<T>) {
        if (auto e = validate(out)) {
            // A model's own check names its struct ("breaker: window_buckets must be ...", "retry
            // budget: ..."), which the path already says: dropped, so that the field is found.
            if (const std::size_t colon = e->find(": "); colon != std::string::npos) {
                const std::string head = e->substr(0, colon);
                const std::string last = path.substr(path.find_last_of('.') + 1);
                if (!last.empty() && (head == last || (head.size() > last.size() && head.ends_with(" " + last)))) {
                    e->erase(0, colon + 2);
                }
            }
            // "queue.workers_max must be ..." is reported at queue.workers_max when it is written.
            const std::string lead = e->substr(0, e->find_first_of(" :"));
            YAML::Node at = node;
            bool found = !lead.empty();
            for (std::size_t start = 0; found && start <= lead.size();) {
                const std::size_t dot = std::min(lead.find('.', start), lead.size());
                const YAML::Node child = at.IsMap() ? at[lead.substr(start, dot - start)] : YAML::Node();
                if (!child) found = false;
                else at.reset(child);
                start = dot + 1;
            }
            if (found) {
                std::string rest = e->substr(lead.size());
                rest.erase(0, rest.find_first_not_of(": "));
                fail(at, detail::join(path, lead), rest);
            }
            fail(node, path, *e);
        }
    }
}

template <class T>
void YamlReader::read(const YAML::Node& node, T& out, const std::string& path) const {
    struct FlowScope {
        bool& flag;
        bool saved;
        ~FlowScope() { flag = saved; }
    } flow_scope{in_flow_, in_flow_};
    if (node.IsMap() || node.IsSequence()) in_flow_ = in_flow_ || node.Style() == YAML::EmitterStyle::Flow;
    if constexpr (is_located<T>::value) {
        out.where = where(node);
        read(node, out.value, path);
    } else if constexpr (is_optional<T>::value) {
        if (node.IsNull()) {
            out.reset();
            return;
        }
        if (!out) out.emplace();
        read(node, *out, path);
    } else if constexpr (is_vector<T>::value) {
        out.clear();
        if (node.IsSequence()) {
            for (std::size_t i = 0; i < node.size(); ++i) {
                read(node[i], out.emplace_back(), path + "[" + std::to_string(i) + "]");
            }
        } else if (node.IsScalar() || node.IsMap()) {
            read(node, out.emplace_back(), path);  // one item where a list is allowed
        } else if (!node.IsNull()) {
            fail(node, path, "expected a list");
        }
    } else if constexpr (is_string_map<T>::value) {
        if (node.IsNull()) return;
        if (!node.IsMap()) fail(node, path, "expected a mapping of names, got " + std::string(detail::node_kind(node)));
        for (auto it = node.begin(); it != node.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            if (out.count(key) != 0 && it != node.begin()) fail(it->first, path, "duplicate name '" + key + "'");
            auto& entry = out[key];
            const std::string entry_path = detail::join(path, key);
            try {
                read_value(it->first, it->second, entry, entry_path);
            } catch (const SpecError& e) {
                // services: {api: {...}, queue: {...}}: a setting of the entry above, indented
                // one level too little, reads as an entry of its own and fails, at the entry
                // itself. Not said of an entry that fails deeper down, or that has a setting of
                // an entry among its keys: a service named 'cache' is one.
                if (!detail::is_field_name(key, entry) || e.path != entry_path || detail::has_field_key(it->second, entry)) throw;
                const std::string message = e.message.substr(0, e.message.find(" (known keys:"));
                throw SpecError(e.where, e.path, message + " (is '" + key + "' a setting of the entry above it, indented one level too little?)");
            }
        }
    } else if constexpr (std::is_same_v<T, YamlValue>) {
        out.node = node;  // a handle into the document: keeps its line and column marks
    } else if constexpr (Described<T>) {
        if constexpr (Shorthand<T>) {
            if (node.IsScalar()) {
                if (auto e = parse_shorthand(node.Scalar(), out))
                    fail(node, path,
                         "'" + node.Scalar() + "': " + *e + flow_comma_hint(node.Scalar(), "zipf(10000, 0.99)"));
                return;
            }
        }
        read_struct(node, out, path);
    } else if constexpr (Parsable<T>) {
        if (!node.IsScalar()) {
            fail(node, path, "expected " + type_hint<T>() + ", got " + std::string(detail::node_kind(node)));
        }
        T parsed = out;
        if (auto e = parse_value(node.Scalar(), parsed)) {
            fail(node, path,
                 bad_value_message<T>(excerpt(node.Scalar()), *e) +
                     flow_comma_hint(node.Scalar(), "lognormal(40ms, 0.2)"));
        }
        out = std::move(parsed);
    } else {
        static_assert(sizeof(T) == 0, "YamlReader: no way to read this field type");
    }
}

// A path in the form settings use: "services.api.calls[0].timeout", as the reader's errors print
// it, becomes "services.api.calls.0.timeout".
std::string dotted_path(std::string_view path);

// Applies `path=value` to a YAML document before it is read, creating mappings as needed;
// list items are addressed by index ("faults.0.at", or "faults[0].at"). Returns an error message
// (without the path: the caller names it) or nothing. With `fresh` (a new parse of the document's
// text), a node on the path that aliases share is copied first, so that the setting changes this
// place and not every place the anchor is used.
std::optional<std::string> apply_yaml_override(YAML::Node& root, const std::string& path, const std::string& value,
                                               const std::function<YAML::Node()>& fresh = {});

// Readies a document parsed from `text` for settings: its merge keys (<<: *defaults) made into
// the keys they merge, and the `fresh` that apply_yaml_override takes (empty for a text without
// aliases or merge keys). Throws SpecError for a merge key whose value is not a mapping.
std::function<YAML::Node()> prepare_for_settings(YAML::Node& root, const std::string& text, const std::string& file);

// For a `path` that would add an entry to a mapping of named entries the document already has,
// next to one with a close name ("services.apii" beside "services.api"): "the scenario has no
// 'services.apii'; did you mean 'services.api'?". Empty when the path exists, or nothing is close.
std::string new_entry_hint(const YAML::Node& root, const std::string& path);

// For a `path` whose first segment is one of `named_sections` (sections of entries by name:
// services, stores, ...) and whose second names an entry the document does not have: why the
// setting is refused ("the scenario has no 'stores.kv': a setting changes an entry the file has,
// it does not add one ..."). A setting would otherwise add the entry, and an entry whose every
// field has a default (a store) would load, and run, as a component the file never had. A path
// that is the section itself is checked by the entries its `value` (a mapping) names.
std::optional<std::string> adds_named_entry(const YAML::Node& root, const std::string& path, const std::string& value,
                                            const std::vector<std::string>& named_sections);

}  // namespace faultline
