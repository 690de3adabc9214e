// The end of a fuzzing job or a merge: group the records by signature, make sure each group's
// artifact is its fastest seed's, write summary.json (and JUnit XML when asked).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "explore/artifact.hpp"
#include "explore/results.hpp"

namespace faultline::explore {

// A record's artifact made again from the record alone, as the job would have written it: a
// crash or hang rebuilt from the record without running anything (replay runs it in-process),
// anything else by running the seed in a worker. Nothing, with `why_not` set, when the seed now
// ends otherwise.
struct ArtifactAgain {
    std::optional<Artifact> artifact;
    bool ran = false;     // the seed was run (else the artifact was rebuilt from its record)
    std::string why_not;  // when there is no artifact
    // How it was made, for a warning: "rebuilt from its record", "made it again by running the seed".
    std::string how() const;
};
ArtifactAgain artifact_again(const JobConfig& job, const Outcome& record, const std::string& worker_exe,
                             std::chrono::milliseconds timeout);

// `artifact_for` supplies an artifact for a group whose file is missing or holds another seed.
// `coverage` says how much of the job's seed ranges ran (summary.json and the JUnit say so).
// A JUnit file that cannot be written sets `junit_error` (the job's own files are written, and
// its summary is still the caller's to print before that error).
std::vector<SignatureGroup> finish_job(
    const std::string& dir, const JobConfig& job, const Tally& tally, const Coverage& coverage,
    const std::optional<std::string>& junit,
    const std::function<std::optional<Artifact>(const Outcome& fastest)>& artifact_for, std::string& junit_error);

}  // namespace faultline::explore
