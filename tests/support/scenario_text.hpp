// Scenario files written by tests: a temporary file per test process, a text with one part
// replaced (the way the loader tests make mistakes), and the loader's error for a file.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/files.hpp"

namespace test_support {

inline std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = temp_path(name);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
}

inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "the text has no '" << from << "'";
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// Loads as the CLI does (read, check, build once); returns the error, or "" when it loaded.
inline std::string load_error(const std::string& path, const std::string& variant = {}) {
    try {
        faultline::load_scenario_file(path, variant);
        return "";
    } catch (const faultline::SpecError& e) {
        return e.what();
    }
}

// Runs a scenario text (written to `name`) on seed 1 with `overrides`; a run that cannot be made
// fails the test and reads as an empty result.
inline sim::RunResult run_text(const std::string& name, const std::string& text,
                               const std::vector<faultline::Override>& overrides = {}) {
    auto loaded = faultline::load_scenario_file(write_file(name, text));
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    auto run = faultline::run_scenario(*loaded.info, overrides, settings, error);
    EXPECT_TRUE(run) << error;
    return run ? run->result : sim::RunResult{};
}

}  // namespace test_support
