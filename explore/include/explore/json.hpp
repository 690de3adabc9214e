// JSON for exploration's files (results, artifacts, regression files, summaries), and a reader
// whose every error names the file and the field: "crash.json: field 'faults.plan[2].at': '3x'
// is not a duration like 250ms". Output keeps keys in the order written (ordered_json), so the
// files read top to bottom the way a person expects.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faultline/whole_file.hpp"
#include "sim/time.hpp"

namespace faultline::explore {

using Json = nlohmann::ordered_json;

// Bad input: one line, naming the file and, when it is about a field, the field.
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A file that could not be written (a full disk, no permission): the machine's answer, not a
// defect of faultline; one line, exit 2, like bad input. The one the whole-file writer throws.
using WriteError = FileWriteError;
// Bad input given on the command line rather than in a file (a --log-host naming no host of the
// run): reported as it is, without the file's name in front.
struct OptionError : InputError {
    using InputError::InputError;
};

// Reads and parses a JSON file (InputError: cannot be read, or not JSON, with the line).
Json read_json_file(const std::string& path);
// Parses `text`, the contents of the input file `file` (an artifact, a job.json, a --spec), as
// read_json_file does. A key given twice in one object is refused (InputError naming the file
// and the field): JSON leaves it undefined, and the parser would keep the last silently.
Json parse_json_input(const std::string& text, const std::string& file);
// InputError unless FILE can be written: not a directory, not a file that cannot be written,
// and in a directory that exists and can be written, or that is `out_dir`, a job's output
// directory that the job creates (`--junit DIR/junit.xml`). Checked before a job or run starts,
// not after it ran. `flag` names the option in the message.
void check_writable_parent(const std::string& file, const std::string& flag, const std::string& out_dir = {});
// If `file` is one of the files a job keeps in its directory `dir` (job.json, results.jsonl,
// summary.json, its lock, anything under artifacts/), what it is ("the job's results.jsonl");
// another output written there would destroy the job.
std::optional<std::string> job_file_named(const std::string& file, const std::string& dir);
// If `file` is one of the files of a fuzzing job found beside it (a job.json in its directory, or
// in the one above artifacts/), what it is and whose: "the job's results.jsonl (runs)". Any
// command's output there would destroy a job it does not know of.
std::optional<std::string> enclosing_job_file(const std::string& file);
// InputError unless `dir` may hold a job of its own: not inside another job's directory (its
// files would be mixed with that job's), and not above one within three levels (`dir` would
// become a job, and the one below could no longer be resumed). A job directory itself is fine
// (a resume). `flag` names the option ("--out").
void check_job_dir_place(const std::string& dir, const std::string& flag);
// Whether `path` is `dir` or lies under it (both made absolute, symbolic links of what exists
// resolved; "DIR/" names DIR).
bool is_within(const std::string& path, const std::string& dir);

// A view of one JSON value inside a file, with its path for error messages.
class JsonReader {
public:
    JsonReader(std::string file, const Json& value, std::string path = {})
        : file_(std::move(file)), value_(&value), path_(std::move(path)) {}

    // A member that must be present (and not null).
    JsonReader at(std::string_view key) const;
    // A member that may be absent or null.
    std::optional<JsonReader> find(std::string_view key) const;

    std::string str() const;
    std::uint64_t u64() const;
    std::int64_t i64() const;
    double number() const;
    bool boolean() const;
    sim::Duration duration() const;                                   // "12.5s", "250ms"
    std::uint64_t hex64() const;                                      // "00ab12..." (a trace hash)
    std::vector<JsonReader> items() const;                            // an array
    std::vector<std::pair<std::string, JsonReader>> members() const;  // an object
    // Either a string or a number, as text (option values: "4" or 4).
    std::string scalar_text() const;

    const Json& json() const noexcept { return *value_; }
    const std::string& file() const noexcept { return file_; }
    const std::string& path() const noexcept { return path_; }
    [[noreturn]] void fail(const std::string& what) const;

private:
    std::string file_;
    const Json* value_;
    std::string path_;
};

}  // namespace faultline::explore
