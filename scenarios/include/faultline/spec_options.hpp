// A scenario file's effective options as rows of (path, value, type, help), with the paths that
// `--set` and `sweep --grid` take ("services.cache.cache.coalesce", "faults.0.kind"). Defaults are
// included: a field the file leaves out still has a value, and still has a path to set.
//
// Left out: the file's own bookkeeping (name, description, hypothesis, expect, variants,
// test_seeds, swarm), which reports show elsewhere or not at all. `faultline list --options`,
// reports and sweeps read these rows.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "faultline/spec.hpp"

namespace faultline {

class SpecFlattener {
public:
    SpecFlattener(std::vector<FieldInfo>& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

    template <class T>
    void operator()(std::string_view name, T& value, std::string_view help) {
        if constexpr (std::is_same_v<T, Where>) {
            return;
        } else {
            visit(prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name), value, help);
        }
    }

    template <class T>
    void visit(const std::string& path, T& value, std::string_view help) {
        if constexpr (is_optional<T>::value) {
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
            SpecFlattener inner(out_, path);
            fields(inner, value);
        } else if constexpr (Parsable<T>) {
            out_.push_back({path, format_value(value), type_hint<T>(), std::string(help)});
        }
    }

private:
    std::vector<FieldInfo>& out_;
    std::string prefix_;
};

// Every option of a loaded spec, in the order of the spec's fields() and map keys.
std::vector<FieldInfo> spec_options(const ScenarioSpec& spec);

}  // namespace faultline
