#include "faultline/whole_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace faultline {

namespace {

namespace fs = std::filesystem;

std::string reason_of(int err) { return err != 0 ? std::strerror(err) : "the system gave no reason"; }

}  // namespace

std::string path_through_links(const std::string& given) {
    std::error_code ec;
    fs::path resolved = given;
    for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(resolved, ec)); ++hops) {
        const fs::path target = fs::read_symlink(resolved, ec);
        if (ec) break;
        resolved = target.is_absolute() ? target : resolved.parent_path() / target;
    }
    return resolved.string();
}

void write_whole_file(const std::string& given, const std::function<void(std::ostream&)>& write) {
    std::error_code ec;
    const std::string path = path_through_links(given);
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status)) throw FileWriteError(given, "it is a directory", false);
    // A device or a pipe is written into: a renamed file would turn /dev/null into a regular file
    // for everyone.
    const bool in_place = fs::exists(status) && !fs::is_regular_file(status);
    const std::string target = in_place ? path : path + ".tmp." + std::to_string(::getpid());
    auto discard = [&] {
        if (!in_place) fs::remove(target, ec);  // no stray FILE.tmp.PID
    };
    errno = 0;
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) throw FileWriteError(given, reason_of(errno), false);
    try {
        write(out);
        out.flush();
    } catch (...) {
        out.close();
        discard();
        throw;
    }
    int err = out ? 0 : (errno != 0 ? errno : EIO);
    out.close();
    if (err == 0 && !out) err = errno != 0 ? errno : EIO;
    if (err != 0) {
        discard();
        throw FileWriteError(given, reason_of(err), true);
    }
    if (in_place) return;
    // The content on the disk before the name: a crash after the rename never shows an empty file.
    if (const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        ::fdatasync(fd);
        ::close(fd);
    }
    fs::rename(target, path, ec);
    if (ec) {
        const std::string why = ec.message();
        discard();
        throw FileWriteError(given, why, false);
    }
}

void write_whole_file(const std::string& path, const std::string& content) {
    write_whole_file(path, [&content](std::ostream& out) { out << content; });
}

}  // namespace faultline
