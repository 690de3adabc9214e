// The end of a fuzzing job or a merge: group the records by signature, make sure each group's
// artifact is its fastest seed's, write summary.json (and JUnit XML when asked).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "explore/artifact.hpp"
#include "explore/results.hpp"

namespace faultline::explore {

// InputError unless FILE's directory exists (checked before a job starts, not after it ran) or
// is `out_dir`, the job's output directory, which the job creates (`--junit DIR/junit.xml`).
void check_writable_parent(const std::string& file, const std::string& flag, const std::string& out_dir);

// `artifact_for` supplies an artifact for a group whose file is missing or holds another seed.
std::vector<SignatureGroup> finish_job(
    const std::string& dir, const JobConfig& job, const Tally& tally,
    const std::optional<std::string>& junit,
    const std::function<std::optional<Artifact>(const Outcome& fastest)>& artifact_for);

}  // namespace faultline::explore
