// The lint over the code a run executes: sim/, models/ and scenarios/ (explore/, report/ and cli/
// may read the wall clock and start workers: they sit outside the run). Each finding is printed
// as path:line: rule: the line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lint/source_rules.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> sources_under(const std::string& dir) {
    std::vector<std::string> out;
    const fs::path root(FAULTLINE_SOURCE_DIR);
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
        const std::string ext = entry.path().extension().string();
        if (entry.is_regular_file() && (ext == ".cpp" || ext == ".hpp" || ext == ".h")) {
            out.push_back(fs::relative(entry.path(), root).generic_string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string read(const std::string& relative) {
    std::ifstream in(fs::path(FAULTLINE_SOURCE_DIR) / relative, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Lint, TheCodeARunExecutesBreaksNoRule) {
    const std::pair<const char*, lint::Layer> layers[] = {
        {"sim", lint::Layer::sim}, {"models", lint::Layer::models}, {"scenarios", lint::Layer::scenarios}};
    std::size_t files = 0;
    std::string report;
    for (const auto& [dir, layer] : layers) {
        for (const std::string& path : sources_under(dir)) {
            ++files;
            for (const lint::Finding& f : lint::check(path, read(path), layer)) {
                report += path + ":" + std::to_string(f.line) + ": " + f.rule + ": " + f.text + "\n";
            }
        }
    }
    EXPECT_GT(files, 100u) << "the source tree was not found at " << FAULTLINE_SOURCE_DIR;
    EXPECT_EQ(report, "") << "rules broken (docs/STYLE.md says why; a line may opt out with '// lint: allow RULE (why)'):\n" << report;
}

}  // namespace
