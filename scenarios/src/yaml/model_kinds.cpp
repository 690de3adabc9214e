// The registry of model kinds added from C++ (faultline/model_kind.hpp). Kept sorted by name,
// so listing it and looking it up never depend on the order of registration.
#include <cxxabi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "faultline/model_kind.hpp"

namespace faultline {

namespace {
std::vector<ModelKind>& kinds() {
    static std::vector<ModelKind> all;
    return all;
}

// "example::QuotaApiOptions" rather than the mangled "N7example15QuotaApiOptionsE".
std::string type_name(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> readable(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && readable ? std::string(readable.get()) : std::string(type.name());
}
}  // namespace

std::optional<std::string> check_typed_options(const ModelKind& kind, const TypedOptions& options) {
    if (!options) return std::nullopt;  // the kind's defaults
    if (kind.type != nullptr && options.type() != typeid(void) && options.type() != *kind.type) {
        return "typed options are '" + type_name(options.type()) + "'; kind '" + kind.name + "' takes '" + type_name(*kind.type) + "'";
    }
    if (kind.check) return kind.check(options.get());
    return std::nullopt;
}

void register_model_kind(ModelKind kind) {
    // A name the files' `kind:` can say and `list --kinds` can show: one word.
    const bool word = !kind.name.empty() && std::all_of(kind.name.begin(), kind.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
    });
    if (!word) throw std::invalid_argument("register_model_kind: '" + kind.name + "' is not a kind's name (letters, digits, _ - and . only)");
    std::vector<ModelKind>& all = kinds();
    auto it = std::lower_bound(all.begin(), all.end(), kind.name, [](const ModelKind& k, const std::string& n) { return k.name < n; });
    if (it != all.end() && it->name == kind.name) *it = std::move(kind);
    else all.insert(it, std::move(kind));
}

const ModelKind* find_model_kind(std::string_view name) {
    for (const ModelKind& k : kinds()) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

std::vector<std::string> model_kind_names() {
    std::vector<std::string> out;
    for (const ModelKind& k : kinds()) out.push_back(k.name);
    return out;
}

}  // namespace faultline
