// Writing a file whole or not at all, for every file a command writes at its end (a result, a
// report, an artifact, a job's summary): into PATH.tmp.PID beside it, fsynced, then renamed over
// PATH. A disk that fills, a write refused halfway, leaves the file that was there (or none), never
// a page cut off in the middle that reads as complete. The file keeps its mode and owner (a
// private page stays private). Symbolic links are followed, so that a link stays a link; a device
// or a pipe (/dev/stdout, of a terminal or a pipe, /dev/null, a FIFO) is written into, never
// replaced by a renamed file. Written in place, as a plain write would: a file with other names
// (hard links), and a file that may be written in a directory that takes no new file.
//
// Left out: files written as a run goes (traces, a job's results.jsonl), which are appended to
// and read back record by record.
// Shared by the report and the explorer, which do not depend on each other.
#pragma once

#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>

namespace faultline {

// A file the machine would not write (a full disk, no permission): the machine's answer, not a
// defect of faultline. what(): "cannot write PATH: REASON".
struct FileWriteError : std::runtime_error {
    explicit FileWriteError(const std::string& message) : std::runtime_error(message) {}
    FileWriteError(const std::string& path, const std::string& why, bool opened_it)
        : std::runtime_error("cannot write " + path + ": " + why), reason(why), opened(opened_it) {}
    std::string reason;   // the system's words ("No space left on device"), or "it is a directory"
    bool opened = false;  // the file was opened (or made), and writing into it failed
};

// `write` writes the content to the stream; the file is replaced only when all of it was written.
void write_whole_file(const std::string& path, const std::function<void(std::ostream&)>& write);
void write_whole_file(const std::string& path, const std::string& content);
// The file a path names once its symbolic links are followed (a link's target may not exist yet):
// where write_whole_file writes.
std::string path_through_links(const std::string& path);

}  // namespace faultline
