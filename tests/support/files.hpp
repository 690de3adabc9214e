// Files in tests: a scratch path of the test process's own, and a whole file's bytes.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace test_support {

// A path for a scratch file, in a directory of this process's own under the test scratch
// directory: ctest runs the tests of one suite in separate processes, two at a time, and two of
// them must never write or read each other's files.
inline std::string temp_path(const std::string& name) {
    const auto dir = std::filesystem::path(::testing::TempDir()) / ("faultline-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return (dir / name).string();
}

// A fresh directory for the running test, named after it, under temp_path(group): emptied if an
// earlier run left it.
inline std::filesystem::path test_dir(const std::string& group) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::filesystem::path dir = std::filesystem::path(temp_path(group)) / info->name();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// A whole file's bytes, for tests that look into what a run or a command wrote ("" for a file
// that cannot be read: the comparison that follows says what was expected).
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace test_support
