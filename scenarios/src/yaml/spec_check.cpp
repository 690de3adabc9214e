// Walks a hand-filled ScenarioSpec through fields() the way the reader walks a file: see
// spec_check.hpp. Lists of plain values are leaves; lists and maps of sections go down an item.
#include "spec_check.hpp"

#include <type_traits>

namespace faultline {

namespace {

template <class T>
concept Placed = requires(T& t) {
    { t.where } -> std::same_as<Where&>;
};

class SectionValidator {
public:
    SectionValidator(std::string path, Where near) : path_(std::move(path)), near_(std::move(near)) {}

    template <class T>
    void operator()(std::string_view name, T& value, std::string_view) {
        if (name.empty()) return;  // the section's own position
        visit(path_.empty() ? std::string(name) : path_ + "." + std::string(name), value, near_);
    }

    template <class T>
    static void visit(const std::string& at, T& value, const Where& near) {
        if constexpr (is_located<T>::value) {
            visit(at, value.value, value.where);
        } else if constexpr (is_optional<T>::value) {
            if (value) visit(at, *value, near);
        } else if constexpr (is_section_list<T>::value) {
            for (std::size_t i = 0; i < value.size(); ++i) visit(at + "[" + std::to_string(i) + "]", value[i], near);
        } else if constexpr (is_string_map<T>::value) {
            for (auto& [key, item] : value) visit(at.empty() ? key : at + "." + key, item, near);
        } else if constexpr (Described<T>) {
            Where own = near;
            if constexpr (Placed<T>) {
                if (value.where.line != 0 || !value.where.file.empty()) own = value.where;
            }
            SectionValidator inner(at, own);
            fields(inner, value);
            if constexpr (Validated<T>) {
                if (auto e = validate(std::as_const(value))) throw SpecError(own, at, *e);
            }
        }
    }

private:
    std::string path_;
    Where near_;
};

}  // namespace

void validate_sections(ScenarioSpec& spec, const std::string& origin) {
    const bool placed = spec.where.line != 0 || !spec.where.file.empty();
    SectionValidator::visit("", spec, placed ? spec.where : Where{origin, 0, 0});
}

}  // namespace faultline
