#include "dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "explore/json.hpp"

namespace faultline::explore {

namespace {

std::string lock_path(const std::string& dir) { return dir + "/.lock"; }

// The pid the holder wrote into the lock file ("" when unreadable).
std::string holder(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return "";
    std::string pid(buf, static_cast<std::size_t>(n));
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.empty() ? "" : " (pid " + pid + ")";
}

}  // namespace

DirLock::DirLock(const std::string& dir, const std::string& flag) {
    fd_ = ::open(lock_path(dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw InputError(flag + " " + dir + ": cannot make its lock file: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const std::string who = holder(fd_);
        ::close(fd_);
        fd_ = -1;
        throw InputError(flag + " " + dir + ": another job is writing to it" + who +
                         "; wait for it to finish, or choose another directory");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) (void)::pwrite(fd_, pid.data(), pid.size(), 0);
}

DirLock::~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays (removing it would race)
}

void check_not_being_written(const std::string& dir) {
    const int fd = ::open(lock_path(dir).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
    const std::string who = held ? holder(fd) : "";
    ::close(fd);
    if (held) throw InputError(dir + ": a fuzzing job is still writing to it" + who + "; merge it when it has finished");
}

}  // namespace faultline::explore
