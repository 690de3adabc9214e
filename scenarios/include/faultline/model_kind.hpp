// Model kinds a C++ user adds to the scenario language. A kind is a name, an options struct
// described by fields() (so YAML, --set, `faultline list` and reports read it like any built-in
// section) and a function that builds the model into a run:
//
//   struct QuotaApiOptions { sim::Rate quota{100}; sim::Delay latency = sim::Delay::fixed(20ms); };
//   template <class V> void fields(V& v, QuotaApiOptions& o) {
//       v("quota", o.quota, "requests a second before it answers 'overloaded'");
//       v("latency", o.latency, "time to answer");
//   }
//   faultline::register_model_kind<QuotaApiOptions>("quota_api", "a third-party API with a quota",
//       [](faultline::ModelContext& m, const QuotaApiOptions& o) {
//           m.on_boot([&m, o](sim::Host& h) { m.endpoint().serve(h, ...); });
//       });
//
// and then, in a scenario file:
//
//   models:
//     provider: {kind: quota_api, hosts: provider-1, options: {quota: 50/s}}
//   services:
//     api: {hosts: api-1, calls: [{target: provider, timeout: 1s}]}
//
// The model's hosts are ordinary hosts (faults, groups and links name them), its endpoint is
// what `calls:` reach, and its metrics (made with m.metrics()) are visible to invariants.
// Register kinds before loading a scenario (at the top of main, before faultline::cli::run).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "faultline/fields.hpp"
#include "faultline/spec.hpp"
#include "faultline/yaml_reader.hpp"
#include "models/metrics.hpp"
#include "models/request.hpp"
#include "sim/network.hpp"
#include "sim/rpc.hpp"

namespace faultline {

// What a model kind's build function gets: the run, and its own place in it.
class ModelContext {
public:
    virtual ~ModelContext() = default;
    virtual sim::Simulator& sim() = 0;
    virtual sim::Network& net() = 0;
    virtual models::Metrics& metrics() = 0;
    // The component's name in the file ("provider") and its hosts, in file order.
    virtual const std::string& name() const = 0;
    virtual const std::vector<sim::Host*>& hosts() const = 0;
    // Runs at every boot of each of the model's hosts: the first and after every restart (a
    // crash takes away whatever the host made; boot makes it again).
    virtual void on_boot(std::function<void(sim::Host&)> start) = 0;
    // The endpoint that services and workloads reach with `calls: [{target: NAME}]`. Serve it
    // from on_boot: endpoint().serve(host, handler).
    virtual sim::Rpc<models::Request, models::Response>& endpoint() = 0;
    // Another component's endpoint (a service, a database or another model), or null.
    virtual sim::Rpc<models::Request, models::Response>* endpoint_of(const std::string& component) = 0;
    // A number reported at the end of the run (like a service's counters), e.g. "provider.rejected".
    // Each name once. A function that throws gives no value ("-"), its note saying what it threw.
    virtual void measure(std::string name, std::function<double()> value, std::string note = {}) = 0;
    // Refuses the scenario, for a check that needs the run rather than the options alone (those
    // belong in validate()): too few hosts, an `upstream:` that names no component. Reported as
    // a mistake in the file is, at the model's line, "models.NAME.options.OPTION: MESSAGE" (or
    // "models.NAME: MESSAGE" without an option), exit 2. An exception other than this one that
    // escapes the build is reported at the model's line too, as its kind's refusal, and so is one
    // thrown by a boot function at the first boot (while the world is built); at a later boot
    // (a restart) it fails the run, naming the model's host.
    [[noreturn]] virtual void fail(const std::string& message, const std::string& option = {}) = 0;
};

struct ModelKind {
    std::string name;
    std::string description;
    // The options as the kind's typed struct, behind a type-erased pointer.
    std::function<TypedOptions()> defaults;
    std::function<TypedOptions(const YamlReader&, const YAML::Node&, const std::string& path)> read;
    std::function<std::vector<FieldInfo>(const void*)> list;
    std::function<void(ModelContext&, const void*)> build;  // the options live as long as the run
    // What the template below fills in; a kind put together by hand may leave them empty.
    const std::type_info* type = nullptr;  // the options struct (a spec's `typed` must be one)
    // The options struct's own validate(), for options that did not come through the reader.
    std::function<std::optional<std::string>(const void*)> check;
    // A copy of the options with `--set` settings applied ("quota=20/s"; paths below options).
    std::function<std::optional<std::string>(TypedOptions&, const std::vector<Override>&)> set;
};

// Whether `options` can be the options of `kind`: its type, then its validate(). The error
// names both types ("typed options are 'int'; kind 'quota_api' takes 'example::QuotaApiOptions'").
std::optional<std::string> check_typed_options(const ModelKind& kind, const TypedOptions& options);

// Adds a kind (replacing one of the same name). Not thread-safe: call it from main. Throws
// std::invalid_argument for a name that is not one word (letters, digits, _ - and .).
void register_model_kind(ModelKind kind);
const ModelKind* find_model_kind(std::string_view name);
std::vector<std::string> model_kind_names();  // sorted

template <Described Options>
void register_model_kind(std::string name, std::string description, std::function<void(ModelContext&, const Options&)> build) {
    ModelKind k;
    k.name = std::move(name);
    k.description = std::move(description);
    k.defaults = [] { return TypedOptions(std::make_shared<const Options>()); };
    k.read = [](const YamlReader& reader, const YAML::Node& node, const std::string& path) {
        auto o = std::make_shared<Options>();
        if (node && !node.IsNull()) reader.read(node, *o, path);
        return TypedOptions(std::shared_ptr<const Options>(std::move(o)));
    };
    k.list = [](const void* options) {
        Options copy = *static_cast<const Options*>(options);
        return list_fields(copy);
    };
    k.build = [build = std::move(build)](ModelContext& m, const void* options) { build(m, *static_cast<const Options*>(options)); };
    k.type = &typeid(Options);
    k.check = [](const void* options) -> std::optional<std::string> {
        if constexpr (Validated<Options>) return validate(*static_cast<const Options*>(options));
        else return std::nullopt;
    };
    k.set = [](TypedOptions& options, const std::vector<Override>& overrides) -> std::optional<std::string> {
        auto copy = std::make_shared<Options>(options ? *static_cast<const Options*>(options.get()) : Options{});
        if (auto e = apply_overrides(*copy, overrides)) return e;
        options = TypedOptions(std::shared_ptr<const Options>(std::move(copy)));
        return std::nullopt;
    };
    register_model_kind(std::move(k));
}

}  // namespace faultline
