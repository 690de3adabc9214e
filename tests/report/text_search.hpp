// Looking into generated pages and files in the report tests, and a scratch directory for them.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/files.hpp"

namespace report_test {

inline bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

inline std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
    return n;
}

inline std::string read(const std::filesystem::path& p) { return test_support::read_file(p); }

// A fresh directory per test.
inline std::filesystem::path scratch() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "faultline-report" / info->name();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace report_test
