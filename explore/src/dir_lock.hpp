// One writer per output directory. A fuzzing job or a merge holds an exclusive lock on DIR/.lock
// (flock: released by the kernel when the process ends, however it ends) for as long as it
// writes DIR; a second job aimed at the same directory is refused instead of interleaving its
// records with the first one's. A merge also checks that no job is still writing its inputs.
//
// Left out: directories on file systems where flock is not shared between machines (some NFS
// set-ups): two machines writing one directory there are not detected.
#pragma once

#include <string>

namespace faultline::explore {

class DirLock {
public:
    // InputError when another process holds DIR's lock (naming it, by pid when known), or when
    // the lock file cannot be made. `flag` names the option in the message ("--out").
    DirLock(const std::string& dir, const std::string& flag);
    ~DirLock();
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

private:
    int fd_ = -1;
};

// InputError when a fuzzing job is still writing DIR (it holds DIR's lock); nothing when it is
// not, or DIR has no lock file. Takes no lock itself.
void check_not_being_written(const std::string& dir);

}  // namespace faultline::explore
