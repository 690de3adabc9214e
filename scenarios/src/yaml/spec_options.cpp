#include "faultline/spec_options.hpp"

#include "faultline/model_kind.hpp"

namespace faultline {

std::vector<FieldInfo> spec_options(const ScenarioSpec& spec) {
    ScenarioSpec copy = spec;  // fields() visits mutable references
    std::vector<FieldInfo> out;
    FieldLister flat(out, "");
    flat.visit("duration", copy.duration, "length of the run");
    flat.visit("limits", copy.limits, "runaway limits");
    flat.visit("metrics_interval", copy.metrics_interval, "time series resolution");
    flat.visit("network", copy.network, "links");
    flat.visit("groups", copy.groups, "extra host groups");
    flat.visit("databases", copy.databases, "databases by name");
    flat.visit("services", copy.services, "services by name");
    flat.visit("workloads", copy.workloads, "client workloads by name");
    flat.visit("stores", copy.stores, "replicated stores by name");
    for (const auto& [name, m] : copy.models) {  // a registered kind's own options
        const ModelKind* kind = find_model_kind(m.kind);
        if (kind == nullptr) continue;
        const TypedOptions typed = m.typed ? m.typed : kind->defaults();
        for (FieldInfo f : kind->list(typed.get())) {
            f.path = "models." + name + ".options." + f.path;
            out.push_back(std::move(f));
        }
    }
    flat.visit("faults", copy.faults, "the fault timeline");
    flat.visit("nemesis", copy.nemesis, "random faults from the seed");
    flat.visit("invariants", copy.invariants, "what must hold");
    flat.visit("coverage", copy.coverage, "coverage marks the run must reach");
    return out;
}

}  // namespace faultline
