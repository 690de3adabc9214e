// The canary: a scenario that must fail. A counter climbs past the limit its invariant sets,
// so a harness that reports "pass" here cannot see failures at all.
#pragma once

#include "faultline/scenario.hpp"
#include "sim/sim.hpp"

namespace faultline::builtin {

struct CanaryOptions {
    int limit = 5;  // the invariant: the counter stays below this
    sim::Duration step = std::chrono::seconds(1);
};

template <class V>
void fields(V& v, CanaryOptions& o) {
    v("limit", o.limit, "invariant: the counter stays below this (it climbs forever, so it fails)");
    v("step", o.step, "time between increments");
}

class CanaryScenario : public Scenario {
public:
    using Options = CanaryOptions;
    explicit CanaryScenario(Options o) : o_(o) {}
    static std::optional<std::string> validate(const Options& o) {
        if (o.step <= sim::Duration(0)) return std::string("step must be positive");
        return std::nullopt;
    }
    void configure(sim::Options& options) const override { options.duration = o_.step * (o_.limit + 10); }
    void build(sim::Simulator& sim) override {
        sim.world().spawn([this](sim::Ctx& ctx) {
            for (;;) {
                ctx.sleep_for(o_.step);
                ++counter_;
                ctx.trace("canary.tick", {{"counter", counter_}});
            }
        });
        sim.always("counter stays below limit", [this] { return counter_ < o_.limit; });
    }
    std::vector<Measurement> measurements() const override { return {{"counter", static_cast<double>(counter_), ""}}; }

private:
    Options o_;
    int counter_ = 0;
};

}  // namespace faultline::builtin
