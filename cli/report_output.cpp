#include "report_output.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <tuple>

#include "common.hpp"
#include "explore/json.hpp"
#include "explore/outcome.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"
#include "report/text.hpp"

namespace faultline::cli {

namespace {

namespace fs = std::filesystem;

// The file a path names, to compare two: absolute, with '.', '..' and the symbolic links of what
// exists resolved.
fs::path file_identity(const std::string& path) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    if (ec) return fs::path(path).lexically_normal();
    const fs::path resolved = fs::weakly_canonical(absolute, ec);
    return ec ? absolute.lexically_normal() : resolved;
}

// Two identities are one file when their paths are, or when both exist and are one inode: a
// hard link (or a bind mount) names a file by another path.
bool same_identity(const fs::path& a, const fs::path& b) {
    if (a == b) return true;
    std::error_code ec;
    return fs::equivalent(a, b, ec) && !ec;
}

}  // namespace

void check_output_files(const std::vector<NamedFile>& files) {
    struct Entry {
        std::string name;  // "--report r.html", "--report r.html's Markdown summary r.md"
        fs::path id;
        bool input;
    };
    std::vector<Entry> entries;
    for (const NamedFile& f : files) {
        if (f.path.empty()) continue;
        if (!f.input) check_output_path(f.path, f.flag);
        entries.push_back({f.flag + " " + f.path, file_identity(f.path), f.input});
        if (!f.with_markdown) continue;
        const std::string md = report::sibling_path(f.path, ".md");
        std::error_code ec;
        if (fs::is_directory(md, ec))
            throw UsageError(f.flag + " " + f.path + ": its Markdown summary " + md + " is a directory");
        if (same_identity(file_identity(md), entries.back().id)) {
            throw UsageError(f.flag + " " + f.path +
                             ": its Markdown summary would be the same file; give the report a name ending in .html");
        }
        entries.push_back({f.flag + " " + f.path + "'s Markdown summary " + md, file_identity(md), false});
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        for (std::size_t j = i + 1; j < entries.size(); ++j) {
            const Entry& x = entries[i];
            const Entry& y = entries[j];
            std::error_code ec;
            if (!same_identity(x.id, y.id) || fs::is_character_file(x.id, ec)) continue;
            if (x.input && y.input) continue;  // two inputs may be one file (compare x.yaml x.yaml --b-set ...)
            if (x.input || y.input)
                throw UsageError((x.input ? y : x).name + " would overwrite " + (x.input ? x : y).name);
            throw UsageError(x.name + " and " + y.name + " are the same file; give each its own name");
        }
    }
}

bool same_file(const std::string& a, const std::string& b) { return same_identity(file_identity(a), file_identity(b)); }

NamedFile input_file(std::string what, const std::string& arg) {
    std::error_code ec;
    const bool file = !arg.empty() && fs::is_regular_file(arg, ec);
    return {std::move(what), file ? arg : std::string(), false, true};
}

void write_html_and_markdown(const std::string& path, const std::string& html, const std::string& markdown,
                             const std::string& flag) {
    const std::string md = report::sibling_path(path, ".md");
    // A page sent to a device or a pipe by its own name (/dev/stdout, /dev/null) has no place
    // beside it for a summary: that would be a new file in /dev. (A link elsewhere to one has.)
    std::error_code ec;
    const std::string parent = fs::absolute(path, ec).parent_path().string();
    const bool system_place = parent == "/dev" || parent.starts_with("/dev/") || parent.starts_with("/proc/");
    if (system_place && fs::exists(path, ec) && !fs::is_regular_file(path, ec)) {
        try {
            report::write_file(path, html, flag);
        } catch (const report::ReportError& e) {
            throw UsageError(e.what());
        }
        std::fprintf(stderr, "report: %s (no summary beside it: not a regular file)\n", path.c_str());
        return;
    }
    // Each file is tried whatever became of the other: a page that cannot be written (a full
    // disk) keeps its summary, and the other way round.
    std::string error;
    // The summary's errors say whose summary it is: the user gave the page's name, not this one.
    const std::string md_flag = flag + " " + path + "'s Markdown summary";
    for (const auto& [file, text, named] : {std::tuple{&path, &html, &flag}, std::tuple{&md, &markdown, &md_flag}}) {
        try {
            report::write_file(*file, *text, *named);
        } catch (const report::ReportError& e) {
            if (error.empty()) error = e.what();
        }
    }
    if (!error.empty()) throw UsageError(error);
    std::fprintf(stderr, "report: %s (summary: %s)\n", path.c_str(), md.c_str());
}

void check_labels(std::string& a, std::string& b, const std::string& given_a, const std::string& given_b) {
    for (const auto& [label, flag] : {std::pair{&given_a, "--a-label"}, std::pair{&given_b, "--b-label"}}) {
        if (std::any_of(label->begin(), label->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
            throw UsageError(std::string(flag) + ": a label is one line of text, without line breaks or tabs");
    }
    if (!given_a.empty()) a = given_a;
    if (!given_b.empty()) b = given_b;
    if (a == b) {
        a = "A " + a;
        b = "B " + b;
    }
}

void write_json(const std::string& path, const report::Json& j, const std::string& flag) {
    try {
        report::write_file(path, j.dump(1) + "\n", flag);
    } catch (const report::ReportError& e) {
        throw UsageError(e.what());
    }
    std::fprintf(stderr, "result: %s (render it again with: %s report %s)\n", path.c_str(),
                 explore::program_name().c_str(), path.c_str());
}

void attempt_write(std::vector<std::string>& errors, const std::function<void()>& write) {
    try {
        write();
    } catch (const UsageError& e) {
        errors.emplace_back(e.what());
    }
}

void RunReportFlags::add_to(CLI::App& sub) {
    sub.add_option("--report", report,
                   "Write an HTML report (charts, invariants, faults) to FILE.html, and a Markdown summary next to it");
    sub.add_option("--result", result,
                   "Write the run's result (series, measurements, invariants) to FILE.json, for '" +
                       explore::program_name() + " report'");
    sub.add_option(
        "--perfetto", perfetto,
        "Write the run's timeline as Chrome trace JSON to FILE.json (open it in ui.perfetto.dev or chrome://tracing)");
    sub.add_option("--perfetto-window", perfetto_window, "Only this part of the run in --perfetto, e.g. 25s..45s");
}

RunOutputs::RunOutputs(const RunReportFlags& flags, const std::vector<NamedFile>& others) : flags_(flags) {
    std::vector<NamedFile> files = {
        {"--report", flags.report, true}, {"--result", flags.result}, {"--perfetto", flags.perfetto}};
    files.insert(files.end(), others.begin(), others.end());
    check_output_files(files);
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

void RunOutputs::check_run(const sim::Options& options) const {
    if (flags_.perfetto_window.empty()) return;
    const sim::Duration time_max = options.effective_time_max();  // as the simulator will keep it
    const bool by_duration = options.duration && *options.duration <= time_max;
    const sim::Duration end = by_duration ? *options.duration : time_max;
    if (perfetto_options_.from_s < sim::to_seconds(end)) return;
    throw UsageError("--perfetto-window " + flags_.perfetto_window + ": starts at or after the end of the run (" +
                     report::format_time(sim::to_seconds(end)) + ", its " + (by_duration ? "planned duration" : "time limit") +
                     "): the timeline would be empty");
}

sim::TraceSink* RunOutputs::sink(sim::TraceSink* next) {
    if (flags_.perfetto.empty()) return next;
    perfetto_ = std::make_unique<report::PerfettoRecorder>(perfetto_options_, next);
    return perfetto_.get();
}

std::vector<std::string> RunOutputs::write(const ScenarioRun& run, const report::RecordSource& source) const {
    std::vector<std::string> errors;
    if (flags_.report.empty() && flags_.result.empty() && flags_.perfetto.empty()) return errors;
    const report::RunRecord record = report::make_record(run, source);
    if (!flags_.report.empty()) {
        attempt_write(errors, [&] {
            const std::string html_name = std::filesystem::path(flags_.report).filename().string();
            write_html_and_markdown(flags_.report, report::run_html(record), report::run_markdown(record, html_name),
                                    "--report");
        });
    }
    if (!flags_.result.empty())
        attempt_write(errors, [&] { write_json(flags_.result, report::record_to_json(record), "--result"); });
    if (perfetto_) {
        attempt_write(errors, [&] {
            report::PerfettoCounts counts;
            try {
                report::write_file_with(flags_.perfetto, "--perfetto",
                                        [&](std::ostream& out) { counts = perfetto_->write(out, record); });
            } catch (const report::ReportError& e) {
                throw UsageError(e.what());
            }
            std::fprintf(stderr, "timeline: %s (%llu slices and events", flags_.perfetto.c_str(),
                         static_cast<unsigned long long>(counts.kept));
            if (counts.dropped > 0) {
                std::fprintf(stderr, "; %llu more left out: narrow it with --perfetto-window",
                             static_cast<unsigned long long>(counts.dropped));
            }
            std::fprintf(stderr, "; open it in ui.perfetto.dev)\n");
            if (counts.kept == 0 && !flags_.perfetto_window.empty()) {
                print_warnings({"--perfetto-window " + flags_.perfetto_window +
                                ": nothing of the run falls in it (the run ended at " +
                                report::format_time(sim::to_seconds(run.result.end_time)) + ")"});
            }
        });
    }
    return errors;
}

}  // namespace faultline::cli
