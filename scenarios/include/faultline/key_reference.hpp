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
#include <string_view>
#include <vector>

#include "faultline/fields.hpp"
#include "faultline/spec.hpp"
#include "faultline/yaml_reader.hpp"

namespace faultline {

// CheckerSpec is one struct for the four replication checkers, but two of its fields belong to one
// checker each, and the loader refuses them under the others (spec_validate.cpp): the reference
// lists each only under its own checker, with its meaning there. A test loads every checker with
// every field, so a field the loader takes or refuses elsewhere cannot drift from this.
struct CheckerOnlyField {
    std::string_view field;    // "max"
    std::string_view checker;  // the one checker that takes it: "stale_reads"
    std::string_view help;     // its meaning there, marked (required) or (optional)
};
inline constexpr CheckerOnlyField checker_only_fields[] = {
    {"max", "stale_reads", "the largest acceptable share of reads that missed an acknowledged write (required)"},
    {"steps_max", "linearizable",
     "search steps per key, past which the run fails as undecided (default 5000000) (optional)"},
};

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
            // "(optional)" unless the help says it is required.
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
        if constexpr (std::is_same_v<T, CheckerSpec>) keep_own_fields(prefix, inner.out);
        for (KeyInfo& k : inner.out) out.push_back(std::move(k));
    }

    // Under "invariants[].linearizable.": drops the fields of the other checkers, and gives this
    // checker's own their meaning here.
    static void keep_own_fields(const std::string& prefix, std::vector<KeyInfo>& keys) {
        const std::string_view section(prefix.data(), prefix.size() - 1);  // without the last '.'
        const std::string_view checker = section.substr(section.rfind('.') + 1);
        std::vector<KeyInfo> kept;
        for (KeyInfo& k : keys) {
            const CheckerOnlyField* only = nullptr;
            for (const CheckerOnlyField& f : checker_only_fields) {
                if (k.path.substr(prefix.size()) == f.field) only = &f;
            }
            if (only != nullptr && only->checker != checker) continue;
            if (only != nullptr) k.help = std::string(only->help);
            kept.push_back(std::move(k));
        }
        keys = std::move(kept);
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
