// Reading an input file whole (a scenario, a result, a job's JSON), for every reader that takes a
// path from the command line. A directory, a device or a pipe is refused before it is opened:
// read, a FIFO no one writes never ends and /dev/zero fills memory. Each reader words its own
// error from the reason ("PATH: is a directory, not a result file").
//
// Left out: files read as they grow or record by record (traces, a job's results.jsonl), and
// files whose size alone is too much (a regular file is read whatever its size).
// Shared by the scenarios, the report and the explorer, which do not depend on each other.
#pragma once

#include <optional>
#include <string>

namespace faultline {

// Why `path` is no file to read whole: "is a directory", or "is not a regular file (a device or a
// pipe)". Nothing for a regular file, or for a path that names nothing (opening it says so).
std::optional<std::string> not_a_file_to_read(const std::string& path);

// The file's bytes, or nothing if it cannot be opened or read (errno says why). Ask
// not_a_file_to_read first.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace faultline
