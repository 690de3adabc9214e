// Models of kinds registered from C++: each gets a ModelContext onto the world (its hosts, boot
// functions, endpoint, metrics, end-of-run measurements) and builds itself through it.
#include "world.hpp"

namespace faultline {

class ModelPlace final : public ModelContext {
public:
    ModelPlace(World& world, std::string name, std::vector<sim::Host*> hosts, Where where)
        : world_(world), name_(std::move(name)), hosts_(std::move(hosts)), where_(std::move(where)) {}

    // The options the kind builds from, kept for the run: a build may keep a reference to them
    // (the kind's defaults were a temporary that died with the build).
    TypedOptions options;

    sim::Simulator& sim() override { return world_.sim(); }
    sim::Network& net() override { return world_.net(); }
    models::Metrics& metrics() override { return world_.metrics(); }
    const std::string& name() const override { return name_; }
    const std::vector<sim::Host*>& hosts() const override { return hosts_; }

    void on_boot(std::function<void(sim::Host&)> start) override {
        // An exception out of it names the model and host: at the first boot (while the world is
        // built) it is the model's refusal at its line; at a later one the run's failure.
        auto named = [start = std::move(start), name = name_, where = where_](sim::Host& h) {
            try {
                start(h);
            } catch (const ModelBootError&) {
                throw;
            } catch (const std::exception& e) {
                throw ModelBootError(where, "models." + name,
                                     "its boot function on host " + std::string(h.name()) + " threw: " + e.what());
            }
        };
        for (sim::Host* h : hosts_) world_.starters_[h->id()].push_back(named);
    }
    sim::Rpc<models::Request, models::Response>& endpoint() override {
        if (rpc_ == nullptr) {
            rpc_ = &world_.sim().make<sim::Rpc<models::Request, models::Response>>(world_.net(), name_);
            world_.model_endpoints_[name_] = rpc_;
        }
        return *rpc_;
    }
    sim::Rpc<models::Request, models::Response>* endpoint_of(const std::string& component) override {
        return world_.endpoint(component);
    }
    void measure(std::string name, std::function<double()> value, std::string note) override {
        for (const World::LateMeasure& m : world_.model_measures_) {
            if (m.name == name)
                fail("a measurement named '" + name +
                         "' is already measured (each name once: the result keeps one value a name)",
                     "");
        }
        world_.model_measures_.push_back({std::move(name), std::move(value), std::move(note)});
    }
    [[noreturn]] void fail(const std::string& message, const std::string& option) override {
        world_.fail(where_, "models." + name_ + (option.empty() ? "" : ".options." + option), message);
    }

private:
    World& world_;
    std::string name_;
    std::vector<sim::Host*> hosts_;
    Where where_;
    sim::Rpc<models::Request, models::Response>* rpc_ = nullptr;
};

void World::build_models() {
    // Endpoints first, so that models (and services) can look each other up while building.
    std::vector<ModelPlace*> places;
    for (const auto& [name, m] : spec_.models) {
        auto place = std::make_unique<ModelPlace>(*this, name, hosts_.at(name), m.where);
        place->endpoint();
        places.push_back(place.get());
        model_contexts_.push_back(std::move(place));
    }
    std::size_t i = 0;
    for (const auto& [name, m] : spec_.models) {
        const ModelKind* kind = find_model_kind(m.kind);
        if (kind == nullptr) fail(m.where, "models." + name + ".kind", "no model kind '" + m.kind + "'");
        // Options read from a file have passed these checks; a spec filled in by hand has not.
        if (auto e = check_typed_options(*kind, m.typed)) fail(m.where, "models." + name + ".options", *e);
        ModelPlace& place = *places[i++];
        place.options = m.typed ? m.typed : kind->defaults();
        try {
            kind->build(place, place.options.get());
        } catch (const SpecError&) {
            throw;
        } catch (const sim::detail::AssertionFailure&) {
            throw;  // the model's own check: reported as such by the loader
        } catch (const std::exception& e) {
            fail(m.where, "models." + name, "model kind '" + m.kind + "' refused it: " + e.what());
        } catch (...) {
            fail(m.where, "models." + name,
                 "model kind '" + m.kind + "' refused it: it threw something that is not a std::exception");
        }
    }
}

}  // namespace faultline
