#include "faultline/input_file.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faultline {

std::optional<std::string> not_a_file_to_read(const std::string& path) {
    std::error_code ec;
    const std::filesystem::file_status st = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(st)) return "is a directory";
    if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
        return "is not a regular file (a device or a pipe)";
    return std::nullopt;
}

std::optional<std::string> read_whole_file(const std::string& path) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();  // an empty file inserts nothing (text's failbit), and is ""
    if (in.bad()) return std::nullopt;
    return text.str();
}

}  // namespace faultline
