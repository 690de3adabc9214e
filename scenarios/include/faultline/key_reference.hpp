// The scenario language's reference, from the same fields() descriptions the reader uses: every
// key a scenario file may hold, with its type, default and help. `faultline list --keys` prints
// it; docs/scenario-language.md's reference is checked against it by a test, so the two cannot
// drift apart.
//
//   services.NAME.queue.workers_max    integer    8    concurrent requests in service
//   faults[].at                        duration   0s   when it starts
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faultline/fields.hpp"
#include "faultline/yaml_reader.hpp"

namespace faultline {

struct KeyInfo {
    std::string path;   // "services.NAME.cache.ttl", "faults[].kind"
    std::string type;   // "duration like 250ms", "a section", ...
    std::string value;  // the default, as text ("" for sections and lists)
    std::string help;
};

class KeyLister {
public:
    explicit KeyLister(std::string prefix = {}) : prefix_(std::move(prefix)) {}

    template <class T>
    void operator()(std::string_view name, T& value, std::string_view help) {
        if constexpr (std::is_same_v<T, Where>) {
            return;
        } else {
            add(prefix_ + std::string(name), value, std::string(help));
        }
    }

    std::vector<KeyInfo> out;

private:
    template <class T>
    void add(const std::string& path, T& value, const std::string& help) {
        if constexpr (is_located<T>::value) {
            add(path, value.value, help);
        } else if constexpr (is_optional<T>::value) {
            // "(optional)" unless the help says where it is required (stale_reads.max).
            const std::string marked =
                help.find("required") == std::string::npos && !value ? help + " (optional)" : help;
            if constexpr (Parsable<typename T::value_type>) {
                if (!value) {  // no default to show: unset is its own meaning, which the help gives
                    out.push_back({path, type_hint<typename T::value_type>(), "", marked});
                    return;
                }
            }
            typename T::value_type inner = value ? *value : typename T::value_type{};
            add(path, inner, marked);
        } else if constexpr (is_vector<T>::value) {
            if constexpr (Described<typename T::value_type>) {
                auto item = std::make_unique<typename T::value_type>();  // on the heap: GCC 12 warns of a false "uninitialized"
                out.push_back({path, "list", "", help});
                nested(path + "[].", *item);
            } else {
                out.push_back({path, "list of " + type_hint<typename T::value_type>(), join(value), help});
            }
        } else if constexpr (is_string_map<T>::value) {
            using Item = typename unlocated<typename T::mapped_type>::type;
            if constexpr (Described<Item>) {
                auto item = std::make_unique<Item>();
                out.push_back({path, "mapping of names", "", help});
                nested(path + ".NAME.", *item);
            } else if constexpr (is_vector<Item>::value) {
                out.push_back({path, "mapping of names to lists", "", help});
            } else {
                out.push_back({path, "mapping of names to " + type_hint<Item>(), "", help});
            }
        } else if constexpr (std::is_same_v<T, YamlValue>) {
            out.push_back({path, "mapping (read by the kind)", "", help});
        } else if constexpr (Described<T>) {
            out.push_back({path, Shorthand<T> ? "section, or one value" : "section", "", help});
            nested(path + ".", value);
        } else if constexpr (Parsable<T>) {
            // A required key's C++ default (0ns) is no default a file can leave it at.
            out.push_back({path, type_hint<T>(), help.ends_with("(required)") ? "" : format_value(value), help});
        }
    }

    template <class T>
    void nested(const std::string& prefix, T& value) {
        KeyLister inner(prefix);
        fields(inner, value);
        for (KeyInfo& k : inner.out) out.push_back(std::move(k));
    }

    template <class T>
    static std::string join(const std::vector<T>& items) {
        std::string s;
        for (const T& i : items) s += (s.empty() ? "" : ", ") + format_value(i);
        return s;
    }

    std::string prefix_;
};

template <Described T>
std::vector<KeyInfo> list_keys(T& spec) {
    KeyLister l;
    fields(l, spec);
    return std::move(l.out);
}

}  // namespace faultline
