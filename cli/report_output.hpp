// Report files written by the commands (run, compare, sweep, report): the HTML with its Markdown
// summary next to it, result files for `faultline report` to render later, and the Perfetto
// timeline of a run. Output paths are checked before anything runs, so a typo in a directory
// does not cost a long run, nor do two outputs named alike overwrite each other. What was
// written is said on stderr (stdout stays for results); a file that cannot be written (a full
// disk) is an error reported after the command's results, the other files still written.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"  // check_output_path
#include "faultline/runner.hpp"
#include "report/perfetto.hpp"
#include "report/record.hpp"

namespace faultline::cli {

// A file a command names: one it writes (an HTML report writes its Markdown summary next to it
// too) or, for `faultline report`, a result file it reads and must not overwrite.
struct NamedFile {
    std::string flag;  // how the error names it: "--report", "--trace", "the result file"
    std::string path;  // "" when not given
    bool with_markdown = false;
    bool input = false;
};
// Before anything runs or is written: each output's directory exists and the output is not a
// directory (nor is an HTML report's Markdown summary), and no two of the files, summaries
// included, are one file: of two writes to one file only the last would be left, silently.
// Paths are compared absolute, with '..' and symbolic links resolved; a device (/dev/null) may
// take several. UsageError naming both flags.
void check_output_files(const std::vector<NamedFile>& files);
// A file the command reads (a scenario file, an artifact), for check_output_files: no output
// may overwrite it. `arg` may name no file (a built-in scenario's name): then it checks nothing.
NamedFile input_file(std::string what, const std::string& arg);
// Whether two paths name one file (see check_output_files).
bool same_file(const std::string& a, const std::string& b);

// Writes `html` to `path` and `markdown` next to it (same name, .md); says so on stderr.
void write_html_and_markdown(const std::string& path, const std::string& html, const std::string& markdown,
                             const std::string& flag);
// Writes a JSON document; says so on stderr.
void write_json(const std::string& path, const report::Json& j, const std::string& flag);
// Runs `write` (one of the above); what it fails with (a UsageError) is added to `errors`, for
// the command to report once its results are shown, rather than keeping the other files from
// being written.
void attempt_write(std::vector<std::string>& errors, const std::function<void()>& write);

// The names of an A/B's two sides (compare, and report of two runs): a label given is one line
// of text (UsageError naming its flag: a line break tore the terminal's table); two that would
// read the same get "A " and "B " in front.
void check_labels(std::string& a, std::string& b, const std::string& given_a, const std::string& given_b);

// `faultline run`'s report flags.
struct RunReportFlags {
    std::string report;           // --report FILE.html (and FILE.md)
    std::string result;           // --result FILE.json
    std::string perfetto;         // --perfetto FILE.json
    std::string perfetto_window;  // --perfetto-window 25s..45s
    void add_to(CLI::App& sub);
};

class RunOutputs {
public:
    // Checks the paths, against each other and the command's `others` (--trace), and the window
    // (UsageError).
    explicit RunOutputs(const RunReportFlags& flags, const std::vector<NamedFile>& others = {});
    // Against the world's options (faultline::inspect_world), before the run and before any
    // output is opened: a --perfetto-window that starts where the run cannot reach (its planned
    // duration, its time limit) is a UsageError, rather than an empty timeline after the run.
    // checks_run(): whether there is anything to check.
    void check_run(const sim::Options& options) const;
    bool checks_run() const noexcept { return !flags_.perfetto_window.empty(); }
    // The sink to attach to the run: the Perfetto recorder forwarding to `next`, or `next`.
    sim::TraceSink* sink(sim::TraceSink* next);
    // Writes whatever was asked for; a file that cannot be written does not keep the others from
    // being written. Returns what failed, one line each, for the command to report after the
    // run's verdict.
    std::vector<std::string> write(const ScenarioRun& run, const report::RecordSource& source) const;

private:
    RunReportFlags flags_;
    report::PerfettoOptions perfetto_options_;
    std::unique_ptr<report::PerfettoRecorder> perfetto_;
};

}  // namespace faultline::cli
