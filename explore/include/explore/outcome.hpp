// What one seed's run came to, as the fuzzing job records it: a verdict from the simulator
// (pass, fail, runaway) or from the harness (crash: the worker died of a signal; hang: it
// produced nothing within its wall-clock limit; error: it could not run the spec), a failure
// signature for deduplication, and the numbers that pick the fastest-failing seed.
#pragma once

#include <csignal>

#include <optional>
#include <string>
#include <vector>

#include "explore/json.hpp"
#include "explore/spec.hpp"

namespace faultline::explore {

enum class Verdict { pass, fail, runaway, crash, hang, error };
std::string_view to_string(Verdict v);
std::optional<Verdict> verdict_from_string(std::string_view s);

struct Outcome {
    std::uint64_t seed = 0;
    Verdict verdict = Verdict::pass;
    // Empty for a pass. "invariant 'x'", "assertion 'expr' at dir/file.cpp:42", "crash SIGSEGV",
    // "hang", "runaway: event limit reached", ...
    std::string signature;
    std::optional<sim::Failure> failure;
    std::string detail;                       // runaway reason, signal, hang limit, error message
    std::optional<std::uint64_t> trace_hash;  // none for a crash or hang
    std::uint64_t events = 0;
    sim::Time end_time{};  // virtual time at the end of the run (for a fail: when it failed)
    double wall_ms = 0;
    std::vector<Override> swarm;
    // Kept in artifacts, not in results.jsonl:
    sim::FaultPlan injected;
    std::vector<std::pair<std::string, std::string>> options;  // effective options
    std::string stderr_tail;
    // The content hash of the scenario file the worker ran, as it read it; "" for a built-in, or
    // for an outcome the parent made (a crash, a hang, an error). content_changed_mark when the
    // file changed between the run's reading of it and its end (so which content ran is unknown).
    std::string content_hash;
    // With --buggify: how many buggify() call sites the run reached (0: the flag armed nothing).
    // In the worker's reply only (not in artifacts or results.jsonl).
    std::optional<std::uint64_t> buggify_sites;
    // In this process only, never recorded: the run was ended from outside (ExecuteHooks::interrupt,
    // Ctrl-C), so its verdict (runaway) and hash are of a run cut short.
    bool interrupted = false;
};

inline constexpr const char* content_changed_mark = "changed during the run";
// Why --buggify armed nothing, for the warning a command gives when a run reached no site.
inline constexpr const char* buggify_nowhere =
    "the built-in models and scenario files have none: buggify() marks fault points in a model's own C++ "
    "code, see docs/ARCHITECTURE.md";

bool is_finding(Verdict v);  // anything but pass

// A failure's time as people read it: to the microsecond, as `faultline run` says it (an
// invariant is judged a nanosecond after the instant it watches: "96s", not "96.000000001s").
// Records and artifacts keep the exact time.
std::string shown_time(sim::Time t);

// The signature of a simulator result: failure kind, name and place (not the host or time,
// which vary between seeds hitting the same bug). Assertion places keep the last two path
// components ("builtin/planted_counter.cpp:88") so that builds in different directories agree.
std::string signature_of(const sim::RunResult& r);
// A short stable id for a signature: 16 hex digits (FNV-1a), used to name artifact files.
std::string signature_id(const std::string& signature);

// The fastest-failing order: earlier virtual time to failure, then fewer events, then the lower
// seed (crashes and hangs, with no virtual time, go by seed).
bool faster(const Outcome& a, const Outcome& b);

// Runs a spec in this process (the worker's job; also replay, tests and benchmarks).
struct ExecuteHooks {
    sim::TraceSink* sink = nullptr;
    std::function<void(sim::Simulator&)> on_start;
    const volatile std::sig_atomic_t* interrupt = nullptr;  // sim::Simulator::set_interrupt
};
Outcome execute(const RunSpec& spec, const ExecuteHooks& hooks = {});

Json failure_to_json(const sim::Failure& f);
sim::Failure failure_from_json(const JsonReader& r);

// The record of one seed in results.jsonl (no plan, no options: those go in artifacts).
Json record_to_json(const Outcome& o);
Outcome record_from_json(const JsonReader& r);
// Everything, as a worker prints it.
Json outcome_to_json(const Outcome& o);
Outcome outcome_from_json(const JsonReader& r);

}  // namespace faultline::explore
