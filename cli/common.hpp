// Shared pieces of the faultline command: usage errors (exit 2), resolving a scenario argument,
// parsing `--set path=value`, and writing a trace or standard output so that a failed write is
// reported (exit 2) rather than lost.
#pragma once

#include <CLI/CLI.hpp>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "explore/build_info.hpp"
#include "explore/spec.hpp"
#include "faultline/scenario.hpp"
#include "sim/trace_file.hpp"

namespace faultline::cli {

// Exit codes, the same for every subcommand.
inline constexpr int exit_pass = 0;
inline constexpr int exit_fail = 1;      // an invariant or assertion failed (or runaway, or nondeterminism)
inline constexpr int exit_usage = 2;     // bad usage or bad input
inline constexpr int exit_internal = 3;  // faultline itself went wrong

// The command line as given (run() keeps it), and of an option with two names the one it used
// last, for errors that name the flag as the user wrote it ("-o", not "--out").
void remember_arguments(int argc, char** argv);
std::string flag_as_typed(const std::string& short_name, const std::string& long_name);

// Bad usage or input: reported as one line, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A decimal number from `min` to 2^64 - 1 (as a transform), for --seed and the counts (--events-max,
// --stop-at-event): CLI11 alone would wrap "-3" around, saturate past 2^64 - 1 and read "010" as
// octal 8. `what` names the value in the error ("a seed", "an event limit").
inline CLI::Validator decimal_u64(std::string what, std::uint64_t min, std::string name,
                                  std::uint64_t most = std::numeric_limits<std::uint64_t>::max()) {
    return CLI::Validator(
        [what = std::move(what), min, most](std::string& s) {
            const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
            // Past 2^64 - 1 CLI11 would saturate: a different value from the one asked for.
            const std::string max = "18446744073709551615";
            const std::string_view significant = std::string_view(s).substr(std::min(s.find_first_not_of('0'), s.size()));
            const bool fits = significant.size() < max.size() || (significant.size() == max.size() && significant <= max);
            // (digits and fits first: only then is the text a number stoull reads)
            const std::uint64_t value =
                digits && fits && !significant.empty() ? std::stoull(std::string(significant)) : 0;
            if (!digits || !fits || value < min || value > most)
                return "'" + s + "': " + what + " is a number from " + std::to_string(min) + " to " +
                       std::to_string(most);
            s = significant.empty() ? "0" : std::string(significant);  // CLI11 reads a leading 0 as octal
            return std::string();
        },
        std::move(name));
}

inline CLI::Validator seed_range() { return decimal_u64("a seed", 0, "SEED"); }

// The hidden workers' `--spec JSON` argument ('-': read it from stdin) as a run. UsageError
// when it is not JSON or not a spec.
explore::RunSpec read_spec_argument(const std::string& text);

// A scenario named on the command line: a built-in name, a library scenario's name
// (scenarios/NAME.yaml) or a path to a scenario file; `variant` picks one of a file's designs.
struct ResolvedScenario {
    const ScenarioInfo* info = nullptr;
    std::shared_ptr<ScenarioInfo> owned;  // for scenarios made from files
    std::string path;                     // the file, if it came from one
    std::string content_hash;
};
ResolvedScenario resolve_scenario(const std::string& arg, const std::string& variant = {});
// Each on stderr as "faultline: warning: ...": the one form every command warns in.
void print_warnings(const std::vector<std::string>& warnings);
// A scenario file's warnings (spec_warnings) with the overrides applied, through print_warnings
// ("FILE:LINE:COLUMN: ..."). Nothing for a built-in scenario.
void print_spec_warnings(const ResolvedScenario& scenario, const std::string& variant, const std::vector<Override>& overrides);

std::vector<Override> parse_overrides(const std::vector<std::string>& sets);
// The same for another flag taking path=value (compare's --a-set, --b-set), named in its errors.
std::vector<Override> parse_overrides(const std::vector<std::string>& sets, const std::string& flag);

// An output file's flag (--report, --result, shrink's --out): UsageError unless the file's
// directory exists and the path is not a directory. Checked before anything runs, so a typo in
// a directory does not cost a long run or lose its result.
void check_output_path(const std::string& path, const std::string& flag);
// UsageError when an output (given as `flag`) would overwrite or shadow the scenario file `ref`
// loads (explore::check_not_scenario_file): its path as typed is read first even where no file is
// yet. Nothing for an empty path.
void check_not_scenario_path(const std::string& path, const std::string& flag, const explore::ScenarioRef& ref);

// An error about an input file, naming it once: `what` as it is when it names the file already
// (the JSON reader's field errors), else "FILE: what" (errors found running it, e.g. its plan).
UsageError file_error(const std::string& file, const std::string& what);

// A flag's duration ("30s", "250ms"); a bad one is a UsageError naming the flag and the text.
sim::Duration parse_duration_flag(const std::string& flag, const std::string& text);
// A wall-clock limit (`--timeout` on one worker run of fuzz, sweep, compare and shrink; fuzz's
// `--time` budget): at least 1ms, since no time at all kills every run before it starts (or
// starts none) and reports that as the result.
std::chrono::milliseconds parse_wall_limit(const std::string& flag, const std::string& text);
// --time-max: a virtual-time limit, more than 0.
sim::Duration parse_time_max(const std::string& text);

// `--trace FILE`: the trace file (binary when FILE ends in .ftrace, else JSON Lines), or nothing
// when no path was given; a file that cannot be opened is a usage error.
std::unique_ptr<sim::TraceFile> open_trace(const std::string& path, bool kernel_records);

class CheckedSink;  // common.cpp: an spdlog sink that keeps its first write error

// A trace written to a file (`--trace FILE`) or to standard output (`faultline trace`) whose
// write errors (a full disk, a closed pipe) are kept for the command to report, once the run's
// verdict is shown, rather than only printed by spdlog as a log line of its own. A binary file
// (FILE.ftrace) is written by sim::BinaryTraceFile through its own file sink, whose first error
// the trace file keeps (sim::TraceFile::error).
class TraceOutput {
public:
    // `--trace FILE`, as open_trace opens it; no file when `path` is empty.
    TraceOutput(const std::string& path, bool kernel_records);
    // Standard output, as JSON Lines.
    static TraceOutput standard_output();
    sim::TraceFile* file() const noexcept { return file_.get(); }
    // Flushes, then "--trace FILE: writing failed: No space left on device", or nothing.
    std::optional<std::string> error();
    // Ends the file (a binary trace's end marker: the run is whole), then error().
    std::optional<std::string> close();

private:
    TraceOutput() = default;
    std::string name_;  // "--trace t.jsonl", "standard output"
    std::shared_ptr<CheckedSink> sink_;
    std::unique_ptr<sim::TraceFile> file_;
};

// What was printed on standard output (std::cout or stdio) could not all be written (`> /dev/full`,
// a closed pipe): "standard output: writing failed: ...". Flushes first; nothing when it was.
std::optional<std::string> stdout_error();

// Errors found after a command's results were shown (an output file that could not be written):
// each on stderr as "faultline: error: ...", the last as the UsageError thrown (exit 2). Returns
// when there are none.
void throw_errors(const std::vector<std::string>& errors);

// Each subcommand adds itself to the app and sets `run` to what executes it.
struct Command {
    std::function<int()> run;
};
void add_list_command(CLI::App& app, Command& cmd);
void add_run_command(CLI::App& app, Command& cmd);
void add_trace_command(CLI::App& app, Command& cmd);
// Exploration (cli/fuzz_command.cpp and friends): many seeds, replay, shrink, merge, and the
// hidden per-seed worker they start.
void add_fuzz_command(CLI::App& app, Command& cmd);
void add_replay_command(CLI::App& app, Command& cmd);
void add_shrink_command(CLI::App& app, Command& cmd);
void add_merge_command(CLI::App& app, Command& cmd);
void add_worker_command(CLI::App& app, Command& cmd);
// Reports (cli/report_command.cpp and friends): render result files, A/B comparisons, parameter
// sweeps, and the hidden worker that runs one cell or side for them.
void add_report_command(CLI::App& app, Command& cmd);
void add_compare_command(CLI::App& app, Command& cmd);
void add_sweep_command(CLI::App& app, Command& cmd);
void add_report_worker_command(CLI::App& app, Command& cmd);

}  // namespace faultline::cli
