// The built-in scenarios, listed explicitly, and those a C++ program registers after them.
#include "builtin/canary.hpp"
#include "builtin/chaos.hpp"
#include "builtin/planted_counter.hpp"
#include "builtin/planted_harness.hpp"
#include "builtin/planted_ordering.hpp"
#include "builtin/queueing.hpp"
#include "faultline/scenario.hpp"
#include "faultline/scenario_file.hpp"

#include <stdexcept>

namespace faultline {

namespace {
struct Mm1 : builtin::QueueScenario {
    using QueueScenario::QueueScenario;
};
struct MmcOptions : builtin::QueueOptions {
    MmcOptions() {
        servers = 4;
        lambda = 3.6;
    }
};
template <class V>
void fields(V& v, MmcOptions& o) {
    builtin::fields(v, static_cast<builtin::QueueOptions&>(o));
}
struct Mmc : builtin::QueueScenario {
    using Options = MmcOptions;
    explicit Mmc(const Options& o) : QueueScenario(o) {}
};

Registry make_builtin() {
    Registry r;
    r.add(scenario_info<Mm1>("mm1", "M/M/1 queue (kernel only): mean response time vs queueing theory"));
    r.add(scenario_info<Mmc>("mmc", "M/M/c queue (kernel only, 4 servers): mean response time vs Erlang C"));
    r.add(scenario_info<builtin::ChaosScenario>("chaos", "every fault kind from a nemesis against a small KV system; must recover"));
    r.add(scenario_info<builtin::CanaryScenario>("canary", "a scenario that must fail: proves the harness sees failures"));
    r.add(scenario_info<builtin::PlantedCounterScenario>(
        "planted-counter", "planted bug: a replicated counter loses an acknowledged increment on ~1 seed in 200"));
    r.add(scenario_info<builtin::PlantedOrderingScenario>(
        "planted-ordering", "planted bug: a lease handed over twice, only when same-time events run out of order"));
    r.add(scenario_info<builtin::PlantedHarnessScenario>(
        "planted-harness", "misbehaves on chosen seeds (abort, segfault, endless loop, runaway) to test fuzzing"));
    return r;
}

Registry& registry() {
    static Registry r = make_builtin();
    return r;
}
}  // namespace

const Registry& builtin_scenarios() { return registry(); }

void register_scenario(ScenarioInfo info) {
    // A second scenario of a name is unreachable (find() returns the first), and one named as a
    // library file would shadow it without a word: both are the program's mistake, said at once.
    if (registry().find(info.name) != nullptr) {
        throw std::invalid_argument("register_scenario: a scenario named '" + info.name +
                                    "' is already registered (built in, or registered before); choose another name");
    }
    if (auto file = library_scenario_path(info.name)) {
        throw std::invalid_argument("register_scenario: '" + info.name +
                                    "' is the name of the library's scenario file " + *file + "; choose another name");
    }
    registry().add(std::move(info));
}

}  // namespace faultline
