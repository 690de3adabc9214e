// planted-harness: a scenario that misbehaves on chosen seeds, to test the fuzzing harness
// rather than a model. On the seeds its options name it aborts the process, raises SIGSEGV,
// spins forever in a callback (a real hang: the scheduler never gets control back, so no
// virtual-time limit can end it; only the harness's wall-clock timeout can) or runs away (events
// at one instant until the event limit). Every `fail_every`-th seed fails an invariant at a time
// that depends on the seed, so deduplication has several failing seeds to choose from.
//
// Left out: anything worth simulating. Every other seed ticks quietly for `duration`.
#pragma once

#include <csignal>
#include <cstdlib>

#include "faultline/scenario.hpp"
#include "sim/sim.hpp"

namespace faultline::builtin {

struct PlantedHarnessOptions {
    std::uint64_t fail_every = 0;  // 0: no seed fails
    std::uint64_t crash_on_seed = 0;
    std::uint64_t segfault_on_seed = 0;
    std::uint64_t hang_on_seed = 0;
    std::uint64_t runaway_on_seed = 0;
    sim::Duration duration = std::chrono::seconds(10);
};

template <class V>
void fields(V& v, PlantedHarnessOptions& o) {
    v("fail_every", o.fail_every, "seeds divisible by this fail an invariant at (seed % 7 + 1)s (0: none)");
    v("crash_on_seed", o.crash_on_seed, "abort() the process at 1s on this seed (0: never)");
    v("segfault_on_seed", o.segfault_on_seed, "raise SIGSEGV at 1s on this seed (0: never)");
    v("hang_on_seed", o.hang_on_seed, "spin forever in a callback at 1s on this seed (0: never)");
    v("runaway_on_seed", o.runaway_on_seed, "schedule events at 1s until the event limit on this seed (0: never)");
    v("duration", o.duration, "length of the run");
}

class PlantedHarnessScenario : public Scenario {
public:
    using Options = PlantedHarnessOptions;
    explicit PlantedHarnessScenario(Options o) : o_(o) {}
    static std::optional<std::string> validate(const Options&) { return std::nullopt; }
    void configure(sim::Options& options) const override {
        options.duration = o_.duration;
        options.events_max = 100'000;  // a runaway seed reaches it in milliseconds
    }
    void build(sim::Simulator& sim) override {
        const std::uint64_t seed = sim.seed();
        sim.world().spawn([this](sim::Ctx& ctx) {
            for (;;) {
                ctx.sleep_for(std::chrono::seconds(1));
                ++ticks_;
                ctx.trace("harness.tick", {{"tick", ticks_}});
            }
        });
        const sim::Time at_1s(std::chrono::seconds(1));
        if (seed == o_.crash_on_seed) sim.at(at_1s, [] { std::abort(); });
        if (seed == o_.segfault_on_seed) sim.at(at_1s, [] { std::raise(SIGSEGV); });
        if (seed == o_.hang_on_seed) {
            sim.at(at_1s, [] {
                volatile std::uint64_t spin = 0;
                for (;;) {
                    const std::uint64_t next = spin + 1;
                    spin = next;
                }
            });
        }
        if (seed == o_.runaway_on_seed) {
            sim.at(at_1s, [&sim] {
                sim.world().spawn([](sim::Ctx& ctx) {
                    for (;;) ctx.yield();
                });
            });
        }
        if (o_.fail_every != 0 && seed % o_.fail_every == 0) {
            fail_at_ = sim::Time(std::chrono::seconds(static_cast<std::int64_t>(seed % 7 + 1)));
        }
        sim.always("harness: the planted failure time has not come", [this, &sim] { return sim.now() < fail_at_; });
    }
    std::vector<Measurement> measurements() const override { return {{"ticks", static_cast<double>(ticks_), ""}}; }
    std::vector<FieldInfo> effective_options() const override {
        Options copy = o_;
        return list_fields(copy);
    }

private:
    Options o_;
    std::uint64_t ticks_ = 0;
    sim::Time fail_at_ = sim::time_never;
};

}  // namespace faultline::builtin
