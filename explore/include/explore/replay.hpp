// `faultline replay ARTIFACT`: re-run a recorded failure (or regression file) in this process and
// check that it is the same run: same verdict, same signature, same trace hash. When it is not,
// say what changed: the build, the scenario's options, or neither (then the run itself is not
// deterministic). Optional: the full trace, stopping at an event or a virtual time, a log level
// for one host.
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
};

struct ReplayReport {
    Outcome outcome;
    bool stopped = false;              // ended by stop_at/stop_at_event: nothing to compare
    bool reproduced = false;           // verdict, signature and trace hash as recorded
    std::vector<std::string> changes;  // the build, the options (each a sentence)
    std::string conclusion;            // "reproduced: trace hash matches (...)" or why not
};

// The options against the artifact's world, built and not run: OptionError for a bad log level or
// a --log-host naming no host of it (with the nearest names). A command calls it before it opens
// any output, so that a refused replay overwrites nothing; replay() calls it too.
void check_replay_options(const Artifact& artifact, const ReplayOptions& options);
// InputError for an artifact whose scenario cannot be run; OptionError as check_replay_options.
ReplayReport replay(const Artifact& artifact, const ReplayOptions& options);

}  // namespace faultline::explore
