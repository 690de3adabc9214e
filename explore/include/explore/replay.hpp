// `faultline replay ARTIFACT`: re-run a recorded failure (or regression file) in this process and
// check that it is the same run: same verdict, same signature, same trace hash. When it is not,
// say what changed: the build, the scenario's options, or neither (then the run itself is not
// deterministic), or that the recorded worker was killed from outside (SIGKILL: the OOM killer,
// an operator), so that there was no result to reproduce. Optional: the full trace, stopping at an
// event or a virtual time, a log level for one host.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "explore/artifact.hpp"

namespace faultline::explore {

struct ReplayOptions {
    sim::TraceSink* sink = nullptr;                              // e.g. a JSON Lines trace file
    std::optional<std::uint64_t> stop_at_event;                  // end the run after this many events
    std::optional<sim::Duration> stop_at;                        // end the run at this virtual time
    std::vector<std::pair<std::string, std::string>> log_hosts;  // host, level ("debug")
    std::optional<std::string> log_level;                        // for every host
    const volatile std::sig_atomic_t* interrupt = nullptr;       // Ctrl-C's flag: ends the run early
};

struct ReplayReport {
    Outcome outcome;
    bool stopped = false;              // ended by stop_at/stop_at_event: nothing to compare
    bool interrupted = false;          // ended by ReplayOptions::interrupt: nothing to compare
    bool reproduced = false;           // verdict, signature and trace hash as recorded
    // The recorded run's worker was killed by a signal a run does not send itself, and this
    // replay ran to its own end: nothing recorded to compare it with (not a sign of nondeterminism).
    bool killed_from_outside = false;
    // The recorded run was a hang (its worker stopped at the job's wall-clock limit) and this replay
    // ended: a wall-clock limit is the machine's, so this is no sign of nondeterminism either.
    bool hang_ended = false;
    std::vector<std::string> changes;  // the build, the options (each a sentence)
    std::string conclusion;            // "reproduced: trace hash matches (...)" or why not
};

// The options against the artifact's world, built and not run: OptionError for a bad log level or
// a --log-host naming no host of it (with the nearest names). A command calls it before it opens
// any output, so that a refused replay overwrites nothing; replay() calls it too.
void check_replay_options(const Artifact& artifact, const ReplayOptions& options);
// The signal ("SIGKILL") when `recorded` is a crash by one that a run does not send itself: its
// worker was killed from outside (SIGKILL: the kernel's OOM killer, an operator; SIGTERM, SIGINT,
// SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2: a person or a job runner). Nothing for any other outcome
// (SIGSEGV, SIGABRT, SIGFPE, ...: the run's own doing, which a replay should meet again).
std::optional<std::string> killed_from_outside(const Outcome& recorded);

// The faults a scenario file declares: its `faults:` timeline (when, what kind) and whether it
// has a `nemesis:`, with the artifact's variant and overrides. Nothing for a built-in scenario
// (its code places its faults) or a file that does not load now.
struct DeclaredFaults {
    std::vector<std::pair<sim::Duration, std::string>> timeline;
    bool nemesis = false;
};
std::optional<DeclaredFaults> declared_faults(const Artifact& artifact);

// What replay's "faults" line says of the artifact's plan, in words: an explicit plan's size; or
// how many faults the run injected and, for a scenario file, how many of those were on its
// timeline and how many its nemesis drew from the seed; or, for a run that died before it could
// report them (crash, hang), that they were not recorded, and what the scenario declares.
std::string faults_summary(const Artifact& artifact, const std::optional<DeclaredFaults>& declared);

// InputError for an artifact whose scenario cannot be run; OptionError as check_replay_options.
ReplayReport replay(const Artifact& artifact, const ReplayOptions& options);

// "the scenario file changed (content hash X, now Y): option 'a' was 1, is now 2" when what the
// artifact's run read is not what `loaded` (with its `current` options) is now; else nullopt.
// Replay notes it; so does shrink, which shrinks against the file as it is now.
std::optional<std::string> scenario_change(const Artifact& artifact, const LoadedScenarioRef& loaded,
                                           const std::vector<std::pair<std::string, std::string>>& current);

}  // namespace faultline::explore
