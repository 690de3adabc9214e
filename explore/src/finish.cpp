#include "finish.hpp"

#include <filesystem>

#include "explore/fuzz.hpp"
#include "explore/workers.hpp"

namespace faultline::explore {

std::string ArtifactAgain::how() const { return ran ? "made it again by running the seed" : "rebuilt from its record"; }

ArtifactAgain artifact_again(const JobConfig& job, const Outcome& record, const std::string& worker_exe,
                             std::chrono::milliseconds timeout) {
    const RunSpec spec = spec_for_seed(job, record);
    ArtifactAgain out;
    if (record.verdict == Verdict::crash || record.verdict == Verdict::hang) {
        out.artifact = make_artifact(spec, record);
        return out;
    }
    out.ran = true;
    const Outcome again = run_in_worker(worker_exe, spec, timeout);
    if (!job.content_hash.empty() && !again.content_hash.empty() && again.content_hash != job.content_hash) {
        out.why_not = "the scenario file changed since the job ran seed " + std::to_string(record.seed) +
                      " (content hash " + job.content_hash + ", now " + again.content_hash + ")";
    } else if (again.signature == record.signature) {
        out.artifact = make_artifact(spec, again);
    } else {
        out.why_not = "running seed " + std::to_string(record.seed) + " again ended otherwise (" +
                      (again.signature.empty() ? std::string(to_string(again.verdict)) : again.signature) + ")";
    }
    return out;
}

std::vector<SignatureGroup> finish_job(
    const std::string& dir, const JobConfig& job, const Tally& tally, const Coverage& coverage,
    const std::optional<std::string>& junit,
    const std::function<std::optional<Artifact>(const Outcome& fastest)>& artifact_for, std::string& junit_error) {
    std::vector<SignatureGroup> groups = group_findings(tally.findings);
    for (SignatureGroup& g : groups) {
        const std::string path = artifact_path(dir, g.id);
        bool current = false;
        if (std::filesystem::exists(path)) {
            try {
                current = load_artifact(path).spec.seed == g.fastest.seed;
            } catch (const InputError&) {
                current = false;  // unreadable: written again below
            }
        }
        if (current) continue;
        if (std::optional<Artifact> a = artifact_for(g.fastest))
            save_artifact(path, *a);
        else
            g.has_artifact = false;
    }
    write_whole_file(dir + "/summary.json", summary_json(job, tally, groups, coverage).dump(2) + "\n");
    if (junit) {
        try {
            write_whole_file(*junit, junit_xml(job, tally, groups, dir, coverage));
        } catch (const std::runtime_error& e) {  // checked before the job, but the disk may have changed since
            junit_error = std::string("--junit: ") + e.what() + " (the results are in " + dir + ")";
        }
    }
    return groups;
}

}  // namespace faultline::explore
