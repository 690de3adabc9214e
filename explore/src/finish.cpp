#include "finish.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "explore/fuzz.hpp"

namespace faultline::explore {

void check_writable_parent(const std::string& file, const std::string& flag, const std::string& out_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(file, ec)) throw InputError(flag + " " + file + ": is a directory; name a file in it");
    if (fs::exists(file, ec) && ::access(file.c_str(), W_OK) != 0)
        throw InputError(flag + " " + file + ": cannot be written: " + std::strerror(errno));
    const fs::path parent = fs::absolute(file).parent_path().lexically_normal();
    if (!out_dir.empty()) {
        fs::path out = fs::absolute(out_dir).lexically_normal();
        if (!out.has_filename()) out = out.parent_path();  // "--out DIR/" names DIR
        fs::path self = fs::absolute(file).lexically_normal();
        if (!self.has_filename()) self = self.parent_path();
        if (self == out) throw InputError(flag + " " + file + ": is the output directory; name a file in it");
        if (parent == out) return;
    }
    if (!fs::is_directory(parent, ec)) throw InputError(flag + " " + file + ": no directory " + parent.string());
    if (::access(parent.c_str(), W_OK) != 0)
        throw InputError(flag + " " + file + ": cannot write in " + parent.string() + ": " + std::strerror(errno));
}

std::vector<SignatureGroup> finish_job(
    const std::string& dir, const JobConfig& job, const Tally& tally, const std::optional<std::string>& junit,
    const std::function<std::optional<Artifact>(const Outcome& fastest)>& artifact_for) {
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
    write_file_atomically(dir + "/summary.json", summary_json(job, tally, groups).dump(2) + "\n");
    if (junit) {
        try {
            write_file_atomically(*junit, junit_xml(job, tally, groups, dir));
        } catch (const std::runtime_error& e) {  // checked before the job, but the disk may have changed since
            throw InputError(std::string("--junit: ") + e.what() + " (the results are in " + dir + ")");
        }
    }
    return groups;
}

}  // namespace faultline::explore
