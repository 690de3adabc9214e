// One writer per output directory. A fuzzing job or a merge holds an exclusive lock on DIR/.lock
// (flock: released by the kernel when the process ends, however it ends) for as long as it
// writes DIR; a second job aimed at the same directory is refused instead of interleaving its
// records with the first one's. A merge also checks that no job is still writing its inputs.
//
// Left out: directories on file systems where flock is not shared between machines (some NFS
// set-ups): two machines writing one directory there are not detected.
#pragma once

#include <string>
#include <vector>

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

// An output directory (DIR and DIR/artifacts) made ready for a command to write. What the
// command made (DIR and any parents that were not there, DIR/artifacts, DIR/.lock) is removed
// again when it is destroyed without keep(): a command refused after making it (exit 2, nothing
// written) leaves nothing behind. Directories are removed only when empty, and nothing that was
// there before is touched. Destroy it after the directory's DirLock (declare it before).
class MadeDir {
public:
    // InputError when the directory cannot be made. `flag` names the option ("--out").
    MadeDir(const std::string& dir, const std::string& flag);
    ~MadeDir();
    MadeDir(const MadeDir&) = delete;
    MadeDir& operator=(const MadeDir&) = delete;
    void keep() noexcept { kept_ = true; }

private:
    void remove_made() noexcept;
    std::vector<std::string> made_;  // directories made, outermost first
    std::string lock_;               // DIR/.lock when it was not there before
    bool kept_ = false;
};

// InputError when a fuzzing job is still writing DIR (it holds DIR's lock); nothing when it is
// not, or DIR has no lock file. Takes no lock itself.
void check_not_being_written(const std::string& dir);

}  // namespace faultline::explore
