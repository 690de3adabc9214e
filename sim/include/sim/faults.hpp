// The fault timeline. A fault is data: a kind ("partition", "crash", "clog", ...), host
// patterns, and parameters as text. Scheduled at a time, optionally as a window (healed at its
// end), every injection and heal is a trace event marked `injected`, and the list of what was
// injected is itself a plan that can be written out and fed back in (replay, shrinking).
//
// Kinds are registered by name: define_standard_faults() adds the host, network and disk
// vocabulary; models and scenarios add their own the same way ("cache_flush", "load_spike").
//
// The nemesis turns rates into a plan from the seed: faults arrive at random, each healed before
// a quiet period begins, so that liveness and recovery can be checked afterwards.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/random.hpp"
#include "sim/simulator.hpp"
#include "sim/values.hpp"

namespace sim {

class Network;

struct FaultSpec {
    std::string kind;
    std::vector<std::string> targets;           // host patterns; link faults take two
    std::map<std::string, std::string> params;  // e.g. {"factor", "10"}, {"reject", "true"}
    friend bool operator==(const FaultSpec&, const FaultSpec&) = default;
};

struct PlannedFault {
    Time at{};
    std::optional<Duration> duration;  // a window: healed at `at + duration`
    FaultSpec spec;
    friend bool operator==(const PlannedFault&, const PlannedFault&) = default;
};

using FaultPlan = std::vector<PlannedFault>;

// "at 12.5s for 3s partition region-a region-b reject=true"
std::string describe(const PlannedFault& f);

// Reads a parameter, with its default; the error names the parameter.
class FaultParams {
public:
    explicit FaultParams(const FaultSpec& spec) : spec_(spec) {}
    template <class T>
    T get(const std::string& name, T fallback) const {
        auto it = spec_.params.find(name);
        if (it == spec_.params.end()) return fallback;
        T value = fallback;
        if (auto e = parse_value(it->second, value)) {
            error = "parameter '" + name + "': '" + it->second + "' is not " + type_hint<T>() + ": " + *e;
        }
        return value;
    }
    mutable std::optional<std::string> error;

private:
    const FaultSpec& spec_;
};

// A parameter a fault kind accepts: its name, help (with the default) and a check of its text.
struct FaultParam {
    std::string name;
    std::string help;
    std::function<ParseError(std::string_view)> check;
};

template <class T>
FaultParam fault_param(std::string name, std::string help) {
    return {std::move(name), std::move(help), [](std::string_view text) -> ParseError {
                T value{};
                return parse_value(text, value);
            }};
}

// The same, with the value also checked to lie in [min, max]: a parameter whose extremes would
// not make a fault but an endless or meaningless run (a burst of 10^12 requests, a clock running
// backwards) is refused when the plan is checked, not met by an assertion mid-run.
template <class T>
FaultParam fault_param(std::string name, std::string help, T min, T max) {
    return {std::move(name), std::move(help), [min, max](std::string_view text) -> ParseError {
                T value{};
                if (ParseError e = parse_value(text, value)) return e;
                if (value < min || value > max) return "must be from " + format_value(min) + " to " + format_value(max);
                return std::nullopt;
            }};
}

struct FaultKind {
    std::string name;
    std::string help;
    std::size_t targets = 1;  // host patterns it takes
    std::vector<FaultParam> params;
    // A window kind is healed at the end of its duration. An instantaneous kind (clock_jump) has
    // no heal; some kinds use the duration differently (crash with a duration is a bounce).
    bool window = true;
    // Extra checks beyond targets and parameter syntax (optional).
    std::function<std::optional<std::string>(Simulator&, const FaultSpec&)> validate;
    // Applies the fault now; returns how to heal it (empty: nothing to heal).
    std::function<UniqueFunction<void()>(Simulator&, const FaultSpec&, std::optional<Duration> duration)> apply;
};

class Faults {
public:
    explicit Faults(Simulator& sim);
    Faults(const Faults&) = delete;
    Faults& operator=(const Faults&) = delete;

    Simulator& sim() const noexcept { return *sim_; }

    void define(FaultKind kind);
    const FaultKind* kind(std::string_view name) const;
    std::vector<std::string> kind_names() const;  // sorted

    // Unknown kind (with the nearest name), wrong number of targets, a pattern that matches no
    // host, unknown or malformed parameters. nullopt when the spec is good.
    std::optional<std::string> validate(const FaultSpec& spec) const;
    // The same check, naming the part of the spec at fault, so that a caller reading specs from
    // a file can point at it: "kind", "targets", "params.NAME", or "" (the kind's own check).
    struct Problem {
        std::string field;
        std::string message;
    };
    std::optional<Problem> problem(const FaultSpec& spec) const;

    // At `f.at`, applies the fault (and heals it at the end of its window).
    void schedule(const PlannedFault& f);
    void schedule(const FaultPlan& plan);
    // Applies now; heals after `duration` if given.
    void inject(const FaultSpec& spec, std::optional<Duration> duration = std::nullopt);
    // Heals every open window now.
    void heal_all();
    // From `t` on: heal everything then. Used before a quiet period.
    void heal_all_at(Time t);

    // Every fault applied so far, with the time it was applied and its window: a plan that
    // reproduces them.
    const FaultPlan& injected() const noexcept { return injected_; }
    std::size_t open_windows() const noexcept;
    // The windows still open (a crash without a duration, one cut short by the run's end), as
    // indices into injected(), in order.
    std::vector<std::size_t> open_injected() const;

private:
    struct Open {
        std::uint64_t id;
        PlannedFault fault;
        UniqueFunction<void()> heal;
        TimerId timer;
    };
    void heal(std::uint64_t id);

    Simulator* sim_;
    std::map<std::string, FaultKind, std::less<>> kinds_;
    FaultPlan injected_;
    std::vector<Open> open_;
    std::uint64_t next_id_ = 0;
};

// The standard vocabulary (see docs/faults.md): crash, restart, rolling_restart, pause, limp,
// clock_skew, clock_jump, clock_drift; with a network: partition, partition_one_way, isolate, hold, clog,
// loss, latency, duplicate, reorder; disk_stall, disk_full, disk_corrupt, disk_errors.
void define_standard_faults(Faults& faults, Network* net);

// ---- the nemesis -------------------------------------------------------------------------------

struct NemesisFault {
    std::string kind;
    double rate_per_minute = 1.0;                     // Poisson arrivals while the nemesis is active
    Duration duration_min = std::chrono::seconds(1);  // each window is uniform in [min, max]
    Duration duration_max = std::chrono::seconds(10);
    std::vector<std::string> targets;                 // candidate host patterns; a fault picks one per target
    std::map<std::string, std::string> params;
};

struct NemesisOptions {
    std::vector<NemesisFault> faults;
    Time start{};             // no fault before this
    Time quiet_at{};          // every fault is healed by this time; none starts after it
    std::size_t concurrent_max = 4;  // open windows at once, over all kinds
};

// The faults a nemesis injects, drawn from `rng`: a plan, so it can be stored, replayed and
// shrunk like any other. Every window ends by quiet_at.
FaultPlan plan_nemesis(const NemesisOptions& options, const Faults& faults, Rng rng);

}  // namespace sim
