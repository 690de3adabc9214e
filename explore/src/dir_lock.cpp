#include "dir_lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "explore/json.hpp"

namespace faultline::explore {

namespace {

std::string lock_path(const std::string& dir) { return dir + "/.lock"; }

// The pid written into the lock file, or 0.
pid_t holder_pid(int fd) {
    char buf[32] = {};
    if (::pread(fd, buf, sizeof buf - 1, 0) <= 0) return 0;
    return static_cast<pid_t>(std::strtol(buf, nullptr, 10));
}

// The holder, as a message names it: " (pid N)", or "" when the file names none.
std::string holder(int fd) {
    const pid_t pid = holder_pid(fd);
    return pid > 0 ? " (pid " + std::to_string(pid) + ")" : "";
}

// flock(fd, op | LOCK_NB), waiting a little while the job that wrote its pid into the file is
// gone: a worker it was starting when it was killed (-9) holds the lock between fork and exec,
// for milliseconds, and a command run right after the kill would be refused naming a dead job.
bool lock(int fd, int op) {
    for (int tries = 0; ::flock(fd, op | LOCK_NB) != 0; ++tries) {
        const pid_t pid = holder_pid(fd);
        const bool gone = pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
        if (!gone || tries == 200) return false;
        ::usleep(10'000);  // at most 2 s in all
    }
    return true;
}

}  // namespace

DirLock::DirLock(const std::string& dir, const std::string& flag) {
    fd_ = ::open(lock_path(dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw InputError(flag + " " + dir + ": cannot make its lock file: " + std::strerror(errno));
    if (!lock(fd_, LOCK_EX)) {
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

MadeDir::MadeDir(const std::string& dir, const std::string& flag) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path artifacts = fs::path(dir) / "artifacts";
    for (fs::path p = artifacts; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
        made_.insert(made_.begin(), p.string());
        if (p == p.parent_path()) break;
    }
    if (!fs::exists(lock_path(dir), ec)) lock_ = lock_path(dir);
    fs::create_directories(artifacts, ec);
    if (ec) {
        remove_made();  // whatever part of it was made
        throw InputError(flag + " " + dir + ": cannot create it: " + ec.message());
    }
}

MadeDir::~MadeDir() {
    if (!kept_) remove_made();
}

void MadeDir::remove_made() noexcept {
    std::error_code ignored;
    if (!lock_.empty()) std::filesystem::remove(lock_, ignored);
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
        if (!std::filesystem::remove(*it, ignored)) break;  // not empty (or gone): what holds it stays
    }
}

void check_not_being_written(const std::string& dir) {
    // O_NONBLOCK: a FIFO in the lock's place would block the open until someone wrote to it.
    const int fd = ::open(lock_path(dir).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    const bool held = !lock(fd, LOCK_SH);
    const std::string who = held ? holder(fd) : "";
    ::close(fd);
    if (held) throw InputError(dir + ": a fuzzing job is still writing to it" + who + "; merge it when it has finished");
}

}  // namespace faultline::explore
