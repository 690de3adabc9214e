#include "faultline/whole_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace faultline {

namespace {

namespace fs = std::filesystem;

std::string reason_of(int err) { return err != 0 ? std::strerror(err) : "the system gave no reason"; }

// Writes into `target` through a stream; FileWriteError naming `given` when any of it fails.
// `discard` runs first on a failure after the file was opened.
void write_stream(const std::string& target, const std::string& given, const std::function<void(std::ostream&)>& write,
                  const std::function<void()>& discard) {
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
}

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
    // What the path names, links followed by the system: /dev/stdout of a pipe is
    // /proc/self/fd/1 -> "pipe:[N]", which only the system can follow.
    const fs::file_status named = fs::status(given, ec);
    if (fs::is_directory(named)) throw FileWriteError(given, "it is a directory", false);
    // A device or a pipe is written into: a renamed file would turn /dev/null into a regular file
    // for everyone.
    if (fs::exists(named) && !fs::is_regular_file(named)) return write_stream(given, given, write, [] {});
    const std::string path = path_through_links(given);
    struct stat old {};
    const bool exists = ::stat(path.c_str(), &old) == 0;
    // A file with other names (hard links) is written in place, so that every name shows the
    // new content, as it did before this writer replaced files.
    if (exists && old.st_nlink > 1) return write_stream(path, given, write, [] {});
    // Beside it, under a name that fits where the file's own does.
    const fs::path place(path);
    const std::string pid = std::to_string(::getpid());
    std::string tmp_name = place.filename().string() + ".tmp." + pid;
    if (tmp_name.size() > 255) tmp_name = ".faultline.tmp." + pid;
    const std::string tmp = (place.parent_path() / tmp_name).string();
    {
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);  // ours by its name
        if (fd < 0) {
            // A directory that takes no new file, holding a file that may be written: in place.
            if (exists && (errno == EACCES || errno == EROFS || errno == EPERM) && ::access(path.c_str(), W_OK) == 0)
                return write_stream(path, given, write, [] {});
            throw FileWriteError(given, reason_of(errno), false);
        }
        ::close(fd);
    }
    auto discard = [&] { fs::remove(tmp, ec); };  // no stray temporary file
    write_stream(tmp, given, write, discard);
    if (const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        if (exists) {  // the file's own mode and owner, not the default: a private page stays private
            (void)::fchmod(fd, old.st_mode & 07777);
            (void)::fchown(fd, old.st_uid, old.st_gid);
        }
        // The content on the disk before the name: a crash after the rename never shows an empty file.
        ::fdatasync(fd);
        ::close(fd);
    }
    fs::rename(tmp, path, ec);
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
