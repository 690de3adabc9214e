// How a run's result is shown: the human summary (ending with the repro command on failure)
// and the one JSON object of `--json`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "faultline/runner.hpp"

namespace faultline::cli {

struct RunDisplay {
    const ScenarioInfo* info = nullptr;
    const ScenarioRun* run = nullptr;
    double wall_ms = 0;
    std::string repro;
    const DeterminismReport* determinism = nullptr;  // when --check-determinism ran
    int interrupted_by = 0;  // the signal that interrupted the run: set whenever the verdict is interrupted
    std::optional<std::string> summary;  // the scenario's one line as the run's settings left it (none: info's)
};

std::string human_summary(const RunDisplay& d);
nlohmann::json json_summary(const RunDisplay& d);

// 0 pass, 1 fail / runaway / nondeterministic, 128 + the signal when one interrupted the run
// (130 for Ctrl-C), as a shell reports one.
int exit_code_for(const RunDisplay& d);

std::string thousands(std::uint64_t n);

}  // namespace faultline::cli
