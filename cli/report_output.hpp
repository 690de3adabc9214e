// Report files written by the commands (run, compare, sweep, report): the HTML with its Markdown
// summary next to it, result files for `faultline report` to render later, and the Perfetto
// timeline of a run. Output paths are checked before anything runs, so a typo in a directory
// does not cost a long run. What was written is said on stderr (stdout stays for results).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "common.hpp"  // check_output_path
#include "faultline/runner.hpp"
#include "report/perfetto.hpp"
#include "report/record.hpp"

namespace faultline::cli {

// Writes `html` to `path` and `markdown` next to it (same name, .md); says so on stderr.
void write_html_and_markdown(const std::string& path, const std::string& html, const std::string& markdown,
                             const std::string& flag);
// Writes a JSON document; says so on stderr.
void write_json(const std::string& path, const report::Json& j, const std::string& flag);

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
    // Checks the paths and the window (UsageError).
    explicit RunOutputs(const RunReportFlags& flags);
    // The sink to attach to the run: the Perfetto recorder forwarding to `next`, or `next`.
    sim::TraceSink* sink(sim::TraceSink* next);
    // Writes whatever was asked for.
    void write(const ScenarioRun& run, const report::RecordSource& source) const;

private:
    RunReportFlags flags_;
    report::PerfettoOptions perfetto_options_;
    std::unique_ptr<report::PerfettoRecorder> perfetto_;
};

}  // namespace faultline::cli
