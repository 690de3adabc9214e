// The scenario library: every design of every scenario in scenarios/*.yaml gets the verdict it
// says it should (the broken design fails the invariant it names, each mitigation passes) on the
// scenario's test seeds, and runs are deterministic.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"

namespace {

struct Design {
    std::string scenario;  // library name
    std::string variant;   // "" for the base design
};

void PrintTo(const Design& d, std::ostream* os) { *os << d.scenario << (d.variant.empty() ? "" : " --variant " + d.variant); }

std::vector<Design> all_designs() {
    std::vector<Design> out;
    for (const std::string& name : faultline::library_scenarios()) {
        out.push_back({name, ""});
        try {
            auto loaded = faultline::load_scenario_file(*faultline::library_scenario_path(name));
            for (const auto& [v, spec] : loaded.spec.variants) out.push_back({name, v});
        } catch (const faultline::SpecError&) {
            // Reported by the loading test below.
        }
    }
    return out;
}

class Library : public ::testing::TestWithParam<Design> {};

// Where the library is read from. A program built against the installed package elsewhere (not in
// its bin/) read the source tree it was built from, and listed nothing once that tree was gone:
// then it reads the package's installed copy.
TEST(LibraryFiles, TheLibraryIsTheEnvironmentsThenTheInstalledProgramsThenTheSourceTreesThenTheInstalledCopy) {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / ("faultline-library-" + std::to_string(::getpid()));
    fs::create_directories(root / "share" / "faultline" / "scenarios");
    fs::create_directories(root / "src" / "scenarios");
    const std::string beside = (root / "share" / "faultline" / "scenarios").string(),
                      source = (root / "src" / "scenarios").string(),
                      installed = (root / "share" / "faultline" / "scenarios").string(),
                      gone = (root / "gone").string();
    using faultline::choose_scenario_library_dir;
    EXPECT_EQ(choose_scenario_library_dir({"/mine", beside, source, installed}), "/mine");
    EXPECT_EQ(choose_scenario_library_dir({"", beside, source, installed}), beside);
    EXPECT_EQ(choose_scenario_library_dir({"", gone, source, installed}), source) << "not an installed program";
    EXPECT_EQ(choose_scenario_library_dir({"", gone, gone, installed}), installed) << "the source tree is gone";
    EXPECT_EQ(choose_scenario_library_dir({"", gone, gone, gone}), gone);
    fs::remove_all(root);
}

TEST(LibraryFiles, EveryScenarioFileLoadsAndHasAPageAndAMitigation) {
    const auto names = faultline::library_scenarios();
    EXPECT_GE(names.size(), 3u);
    for (const std::string& name : names) {
        SCOPED_TRACE(name);
        faultline::LoadedScenario loaded;
        ASSERT_NO_THROW(loaded = faultline::load_scenario_file(*faultline::library_scenario_path(name)));
        EXPECT_FALSE(loaded.spec.description.empty());
        EXPECT_FALSE(loaded.spec.hypothesis.empty());
        EXPECT_EQ(loaded.spec.expect.verdict, "fail") << "the base design is the broken one";
        EXPECT_FALSE(loaded.spec.expect.failure.empty());
        EXPECT_GE(loaded.spec.variants.size(), 1u) << "at least one mitigated design";
        const auto page = std::filesystem::path(FAULTLINE_SOURCE_DIR) / "docs" / "scenarios" / (name + ".md");
        EXPECT_TRUE(std::filesystem::exists(page)) << page;
    }
}

TEST_P(Library, GetsTheVerdictItExpectsOnEveryTestSeed) {
    const Design& d = GetParam();
    auto loaded = faultline::load_scenario_file(*faultline::library_scenario_path(d.scenario), d.variant);
    for (std::uint64_t seed : loaded.spec.test_seeds) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        faultline::RunSettings settings;
        settings.seed = seed;
        std::string error;
        auto run = faultline::run_scenario(*loaded.info, {}, settings, error);
        ASSERT_TRUE(run) << error;
        EXPECT_EQ(std::string(sim::to_string(run->result.verdict)), loaded.spec.expect.verdict)
            << (run->result.failure ? run->result.failure->name + ": " + run->result.failure->message : std::string("no failure"));
        if (loaded.spec.expect.verdict == "fail" && run->result.failure) {
            EXPECT_EQ(run->result.failure->name, loaded.spec.expect.failure);
        }
    }
}

// Determinism on each scenario's base design (the variants differ only in options).
class LibraryBase : public ::testing::TestWithParam<Design> {};

TEST_P(LibraryBase, IsDeterministic) {
    const Design& d = GetParam();
    auto loaded = faultline::load_scenario_file(*faultline::library_scenario_path(d.scenario), d.variant);
    faultline::RunSettings settings;
    settings.seed = loaded.spec.test_seeds.front();
    std::string error;
    auto report = faultline::check_determinism(*loaded.info, {}, settings, error);
    ASSERT_TRUE(report) << error;
    EXPECT_TRUE(report->ok) << "first divergence at record " << report->divergence->index << "\n"
                            << report->divergence->first_run << "\n"
                            << report->divergence->second_run;
}

std::string design_name(const ::testing::TestParamInfo<Design>& info) {
    std::string n = info.param.scenario + (info.param.variant.empty() ? "" : "_" + info.param.variant);
    for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return n;
}

std::vector<Design> base_designs() {
    std::vector<Design> out;
    for (const std::string& name : faultline::library_scenarios()) out.push_back({name, ""});
    return out;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Library, ::testing::ValuesIn(all_designs()), design_name);
INSTANTIATE_TEST_SUITE_P(Scenarios, LibraryBase, ::testing::ValuesIn(base_designs()), design_name);

}  // namespace
