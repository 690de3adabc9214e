// Looking into generated pages and files in the report tests.
#pragma once

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

}  // namespace report_test
