#include "finish.hpp"

#include <filesystem>

#include "explore/fuzz.hpp"

namespace faultline::explore {

void check_writable_parent(const std::string& file, const std::string& flag, const std::string& out_dir) {
    namespace fs = std::filesystem;
    const fs::path parent = fs::absolute(file).parent_path().lexically_normal();
    if (!out_dir.empty()) {
        fs::path out = fs::absolute(out_dir).lexically_normal();
        if (!out.has_filename()) out = out.parent_path();  // "--out DIR/" names DIR
        if (parent == out) return;
    }
    std::error_code ec;
    if (!fs::is_directory(parent, ec)) throw InputError(flag + " " + file + ": no directory " + parent.string());
}

std::vector<SignatureGroup> finish_job(
    const std::string& dir, const JobConfig& job, const Tally& tally, const std::optional<std::string>& junit,
    const std::function<std::optional<Artifact>(const Outcome& fastest)>& artifact_for) {
    std::vector<SignatureGroup> groups = group_findings(tally.findings);
    for (const SignatureGroup& g : groups) {
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
        if (std::optional<Artifact> a = artifact_for(g.fastest)) save_artifact(path, *a);
    }
    write_file_atomically(dir + "/summary.json", summary_json(job, tally, groups).dump(2) + "\n");
    if (junit) write_file_atomically(*junit, junit_xml(job, tally, groups, dir));
    return groups;
}

}  // namespace faultline::explore
