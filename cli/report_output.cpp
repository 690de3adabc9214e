#include "report_output.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"

namespace faultline::cli {

void write_html_and_markdown(const std::string& path, const std::string& html, const std::string& markdown,
                             const std::string& flag) {
    const std::string md = report::sibling_path(path, ".md");
    try {
        report::write_file(path, html, flag);
        report::write_file(md, markdown, flag);
    } catch (const report::ReportError& e) {
        throw UsageError(e.what());
    }
    std::fprintf(stderr, "report: %s (summary: %s)\n", path.c_str(), md.c_str());
}

void write_json(const std::string& path, const report::Json& j, const std::string& flag) {
    try {
        report::write_file(path, j.dump(1) + "\n", flag);
    } catch (const report::ReportError& e) {
        throw UsageError(e.what());
    }
    std::fprintf(stderr, "result: %s (render it again with: faultline report %s)\n", path.c_str(), path.c_str());
}

void RunReportFlags::add_to(CLI::App& sub) {
    sub.add_option("--report", report,
                   "Write an HTML report (charts, invariants, faults) to FILE.html, and a Markdown summary next to it");
    sub.add_option("--result", result,
                   "Write the run's result (series, measurements, invariants) to FILE.json, for 'faultline report'");
    sub.add_option(
        "--perfetto", perfetto,
        "Write the run's timeline as Chrome trace JSON to FILE.json (open it in ui.perfetto.dev or chrome://tracing)");
    sub.add_option("--perfetto-window", perfetto_window, "Only this part of the run in --perfetto, e.g. 25s..45s");
}

RunOutputs::RunOutputs(const RunReportFlags& flags) : flags_(flags) {
    check_output_path(flags.report, "--report");
    check_output_path(flags.result, "--result");
    check_output_path(flags.perfetto, "--perfetto");
    if (!flags.perfetto_window.empty()) {
        if (flags.perfetto.empty()) throw UsageError("--perfetto-window needs --perfetto FILE.json");
        const std::string& w = flags.perfetto_window;
        const std::size_t dots = w.find("..");
        if (dots == std::string::npos)
            throw UsageError("--perfetto-window '" + w + "': expected FROM..TO, e.g. 25s..45s");
        auto read = [&w](const std::string& text, double& out) {
            if (text.empty()) return;
            sim::Duration d{};
            if (auto e = parse_value(text, d)) throw UsageError("--perfetto-window '" + w + "': '" + text + "': " + *e);
            out = sim::to_seconds(d);
        };
        read(w.substr(0, dots), perfetto_options_.from_s);
        read(w.substr(dots + 2), perfetto_options_.to_s);
        if (perfetto_options_.to_s <= perfetto_options_.from_s)
            throw UsageError("--perfetto-window '" + w + "': the window is empty");
    }
}

sim::TraceSink* RunOutputs::sink(sim::TraceSink* next) {
    if (flags_.perfetto.empty()) return next;
    perfetto_ = std::make_unique<report::PerfettoRecorder>(perfetto_options_, next);
    return perfetto_.get();
}

void RunOutputs::write(const ScenarioRun& run, const report::RecordSource& source) const {
    if (flags_.report.empty() && flags_.result.empty() && flags_.perfetto.empty()) return;
    const report::RunRecord record = report::make_record(run, source);
    if (!flags_.report.empty()) {
        const std::string html_name = std::filesystem::path(flags_.report).filename().string();
        write_html_and_markdown(flags_.report, report::run_html(record), report::run_markdown(record, html_name),
                                "--report");
    }
    if (!flags_.result.empty()) write_json(flags_.result, report::record_to_json(record), "--result");
    if (perfetto_) {
        std::ofstream out(flags_.perfetto, std::ios::binary | std::ios::trunc);
        if (!out) throw UsageError("--perfetto " + flags_.perfetto + ": cannot write the file");
        perfetto_->write(out, record);
        out.flush();
        if (!out) throw UsageError("--perfetto " + flags_.perfetto + ": writing failed");
        std::fprintf(stderr, "timeline: %s (%llu slices and events", flags_.perfetto.c_str(),
                     static_cast<unsigned long long>(perfetto_->kept()));
        if (perfetto_->dropped() > 0) {
            std::fprintf(stderr, "; %llu more left out: narrow it with --perfetto-window",
                         static_cast<unsigned long long>(perfetto_->dropped()));
        }
        std::fprintf(stderr, "; open it in ui.perfetto.dev)\n");
    }
}

}  // namespace faultline::cli
