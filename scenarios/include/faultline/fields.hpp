// Options structs describe their fields once, and every consumer reads that description:
// `--set path=value`, scenario files, `faultline list --options`, JSON summaries and reports.
//
//   struct Mm1Options { double lambda = 0.9; double mu = 1.0; };
//   template <class V> void fields(V& v, Mm1Options& o) {        // found by ADL
//       v("lambda", o.lambda, "arrival rate, customers per second");
//       v("mu", o.mu, "service rate, customers per second");
//   }
//
// A field whose type has its own fields() is a nested group ("retry.attempts_max").
// Models stay unaware of this: their fields() functions live in the scenario layer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "faultline/values.hpp"

namespace faultline {

struct FieldProbe {
    template <class T>
    void operator()(std::string_view, T&, std::string_view) {}
};

// True for option structs that describe their fields.
template <class T>
concept Described = requires(FieldProbe& v, T& t) { fields(v, t); };

template <class T>
concept Parsable = requires(std::string_view s, T& t) { parse_value(s, t); };

// Option structs that may also be written as one value, e.g. keys: zipf(100000, 0.99).
template <class T>
concept Shorthand = requires(std::string_view s, T& t) { parse_shorthand(s, t); };

// "'abc' is not an integer": with the parser's detail only when it adds something (not "is not
// an integer: not an integer"). A detail that says the hint and then more ("expected one of: a,
// b (did you mean 'a'?)") adds only its more.
template <class T>
std::string bad_value_message(std::string_view shown, const std::string& detail) {
    // A number past what its type holds: "'99999999999' is too large for an integer (at most
    // 2147483647)"; the field's own range, if narrower, is checked once the value reads.
    if (detail.starts_with("too large for ") || detail.starts_with("too small for "))
        return "'" + std::string(shown) + "' is " + detail;
    const std::string msg = "'" + std::string(shown) + "' is not " + type_hint<T>();
    for (const std::string& said : {"not " + type_hint<T>(), "expected " + type_hint<T>()}) {
        if (detail.starts_with(said)) return msg + detail.substr(said.size());
    }
    return msg + ": " + detail;
}

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
// A list of plain values (set whole: "[a, b]"), or of sections (set an item at a time).
template <class T>
struct is_value_list : std::false_type {};
template <Parsable E>
struct is_value_list<std::vector<E>> : std::true_type {};
template <class T>
struct is_section_list : std::false_type {};
template <Described E>
struct is_section_list<std::vector<E>> : std::true_type {};
template <class T>
struct is_string_map : std::false_type {};
template <class T>
struct is_string_map<std::map<std::string, T>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct Located;
template <class T>
struct is_located : std::false_type {};
template <class T>
struct is_located<Located<T>> : std::true_type {};

// Sets the field at a dotted path from text. After visiting: `matched` says whether the path
// named a field, `error` holds a parse error, `names` the fields seen (for suggestions).
// The path goes down through groups ("retry.attempts_max"), list items by index
// ("faults.0.kind"), map entries by key ("services.api.queue.workers_max") and optional groups
// (made with their defaults when unset). A list of values is set whole: "[api-1, api-2]".
class PathSetter {
public:
    PathSetter(std::string_view path, std::string_view text) : path_(path), text_(text) {}

    template <class T>
    void operator()(std::string_view name, T& value, std::string_view /*help*/) {
        if (name.empty()) return;  // a spec's source position, not an option
        names.emplace_back(name);
        set(name, value);
    }

    // Call after fields(setter, options) to fill `suggestion` and `known` for a miss.
    void finish() {
        if (matched || group_hit) return;
        std::string head(path_.substr(0, path_.find('.')));
        suggestion = nearest(head, names);
        known = names;
    }

    bool matched = false;
    bool group_hit = false;
    std::optional<std::string> error;
    std::optional<std::string> suggestion;
    std::vector<std::string> names;
    std::vector<std::string> known;  // on a miss: the options where it missed (dotted paths)

private:
    template <class T>
    void set(std::string_view name, T& value) {
        if constexpr (is_located<T>::value) {
            set(name, value.value);
        } else if constexpr (is_optional<T>::value) {
            if (path_ != name && !below(name)) return;  // not this field: no copy of it
            const bool before = matched;
            typename T::value_type inner = value ? *value : typename T::value_type{};
            set(name, inner);
            if (matched && !before && !error) value = std::move(inner);
        } else if constexpr (Described<T>) {
            if constexpr (Shorthand<T>) {
                if (path_ == name) {
                    matched = true;
                    if (auto e = parse_shorthand(text_, value)) error = "'" + std::string(text_) + "': " + *e;
                    return;
                }
            }
            if (auto rest = below(name)) {
                PathSetter inner(*rest, text_);
                fields(inner, value);
                adopt(inner, name);
            }
        } else if constexpr (Parsable<T>) {
            if (path_ == name) {
                matched = true;
                T parsed = value;
                if (auto e = parse_value(text_, parsed)) error = bad_value_message<T>(text_, *e);
                else value = std::move(parsed);
            }
        } else if constexpr (is_value_list<T>::value) {
            if (path_ == name) {
                matched = true;
                set_list(value);
            }
        } else if constexpr (is_section_list<T>::value || is_string_map<T>::value) {
            if (auto rest = below(name)) {
                PathSetter inner(*rest, text_);
                if constexpr (is_section_list<T>::value) {
                    for (std::size_t i = 0; i < value.size(); ++i) inner(std::to_string(i), value[i], "");
                } else {
                    for (auto& [key, item] : value) inner(key, item, "");
                }
                adopt(inner, name);
            }
        }
    }

    // The rest of the path when it goes below the field `name`.
    std::optional<std::string_view> below(std::string_view name) const {
        if (path_.size() > name.size() && path_.substr(0, name.size()) == name && path_[name.size()] == '.') {
            return path_.substr(name.size() + 1);
        }
        return std::nullopt;
    }

    // What a setter one level down found, as this one's.
    void adopt(PathSetter& inner, std::string_view name) {
        inner.finish();
        matched = inner.matched;
        error = inner.error;
        if (!matched) {
            const std::string group = std::string(name) + ".";
            suggestion = inner.suggestion ? std::optional<std::string>(group + *inner.suggestion) : std::nullopt;
            for (const std::string& k : inner.known) known.push_back(group + k);
        }
        group_hit = true;
    }

    // "[a, b]" or "a, b" (one item without brackets); items may be quoted.
    template <class E>
    void set_list(std::vector<E>& list) {
        std::string_view t = trimmed(text_);
        if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = trimmed(t.substr(1, t.size() - 2));
        std::vector<E> out;
        while (!t.empty()) {
            const std::size_t comma = t.find(',');
            std::string_view item = trimmed(t.substr(0, comma));
            if (item.size() >= 2 && (item.front() == '"' || item.front() == '\'') && item.back() == item.front()) {
                item = item.substr(1, item.size() - 2);
            }
            E parsed{};
            if (auto e = parse_value(item, parsed)) {
                error = "list item " + bad_value_message<E>(item, *e);
                return;
            }
            out.push_back(std::move(parsed));
            t = comma == std::string_view::npos ? std::string_view{} : trimmed(t.substr(comma + 1));
        }
        list = std::move(out);
    }
    static std::string_view trimmed(std::string_view t) {
        while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
        while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
        return t;
    }

    std::string_view path_;
    std::string_view text_;
};

// Every leaf field: its dotted path, current value as text, type hint and help.
struct FieldInfo {
    std::string path;
    std::string value;
    std::string type;
    std::string help;
};

// Where a value is written: a scenario file's line and column, for errors found after reading.
struct Where {
    std::string file;
    int line = 0;    // 1-based; 0 when it did not come from a file (e.g. --set)
    int column = 0;  // 1-based
    std::string text() const {
        if (line == 0) return file.empty() ? std::string("(--set)") : file;
        return file + ":" + std::to_string(line) + ":" + std::to_string(column);
    }
};

// A value that remembers where it is written, for a check made after reading that should point
// at it (a host group that matches no host), where the value has no struct of its own to carry a
// Where field. Read, listed and set as the value itself.
template <class T>
struct Located {
    T value{};
    Where where;
};

// T, or the value type of a Located<T>.
template <class T>
struct unlocated {
    using type = T;
};
template <class T>
struct unlocated<Located<T>> {
    using type = T;
};


// Every leaf field as a row, with the dotted path `--set` takes: "retry.attempts_max",
// "services.cache.cache.coalesce", "faults.0.kind". Lists of values are one row ("[1, 2]");
// lists of groups and maps of named groups go one level down per item; an unset optional
// value is a row with an empty value. Unnamed fields (a spec's source position) are skipped.
class FieldLister {
public:
    FieldLister(std::vector<FieldInfo>& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

    template <class T>
    void operator()(std::string_view name, T& value, std::string_view help) {
        if (name.empty()) return;
        visit(prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name), value, help);
    }

    template <class T>
    void visit(const std::string& path, T& value, std::string_view help) {
        if constexpr (is_located<T>::value) {
            visit(path, value.value, help);
        } else if constexpr (is_optional<T>::value) {
            if (value)
                visit(path, *value, help);
            else if constexpr (Parsable<typename T::value_type>)
                out_.push_back({path, "", type_hint<typename T::value_type>(), std::string(help)});
        } else if constexpr (is_vector<T>::value) {
            using E = typename T::value_type;
            if constexpr (Parsable<E>) {
                std::string text = "[";
                for (std::size_t i = 0; i < value.size(); ++i) text += (i ? ", " : "") + format_value(value[i]);
                out_.push_back({path, text + "]", "a list of " + type_hint<E>(), std::string(help)});
            } else {
                for (std::size_t i = 0; i < value.size(); ++i) visit(path + "." + std::to_string(i), value[i], help);
            }
        } else if constexpr (is_string_map<T>::value) {
            for (auto& [key, item] : value) visit(path + "." + key, item, help);
        } else if constexpr (Described<T>) {
            FieldLister inner(out_, path);
            fields(inner, value);
        } else if constexpr (Parsable<T>) {
            out_.push_back({path, format_value(value), type_hint<T>(), std::string(help)});
        }
    }

private:
    std::vector<FieldInfo>& out_;
    std::string prefix_;
};

template <Described T>
std::vector<FieldInfo> list_fields(T& options) {
    std::vector<FieldInfo> out;
    FieldLister lister(out, "");
    fields(lister, options);
    return out;
}

// An override from the command line (`--set path=value`) or a sweep.
struct Override {
    std::string path;
    std::string value;
};

// Applies overrides; returns the first error in words ("unknown option 'lamda' (did you mean
// 'lambda'?)", "unknown option 'rate' (its options: lambda, mu, ...)" when no name is close,
// "option 'lambda': 'x' is not a number: ...").
template <Described T>
std::optional<std::string> apply_overrides(T& options, const std::vector<Override>& overrides) {
    for (const Override& o : overrides) {
        PathSetter setter(o.path, o.value);
        fields(setter, options);
        setter.finish();
        if (setter.error) return "option '" + o.path + "': " + *setter.error;
        if (!setter.matched) {
            std::string msg = "unknown option '" + o.path + "'";
            if (setter.suggestion) {
                msg += " (did you mean '" + *setter.suggestion + "'?)";
            } else if (!setter.known.empty()) {
                msg += " (its options: ";
                for (std::size_t i = 0; i < setter.known.size(); ++i) msg += (i ? ", " : "") + setter.known[i];
                msg += ")";
            }
            return msg;
        }
    }
    return std::nullopt;
}

}  // namespace faultline
