// `faultline report RESULT.json [B.json]`: renders result files written earlier (`run --result`,
// `compare --result`, `sweep --result`) as HTML with a Markdown summary next to it. Two run
// results are drawn as an A/B comparison. Rendering is a pure function of the files: the same
// result gives the same bytes as the `--report` of the run that wrote it.
#include <cstdio>
#include <filesystem>

#include "common.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"
#include "report/sweep.hpp"
#include "report_output.hpp"

namespace faultline::cli {

namespace {

struct ReportArgs {
    std::vector<std::string> files;
    std::string out;
    std::string a_label, b_label;
};

// The file's "format", or "" when it has none or it is not a string (the record reader then says
// what it expected, naming the file and the field).
std::string format_of(const report::Json& j) {
    if (!j.is_object() || !j.contains("format") || !j.at("format").is_string()) return "";
    return j.at("format").get<std::string>();
}

int execute(const ReportArgs& args) {
    if (args.files.empty()) throw UsageError("report takes one result file, or two run results to compare");
    if (args.files.size() > 2) {
        throw UsageError("report takes one result file, or two run results to compare, not " +
                         std::to_string(args.files.size()) + " (" + args.files[2] + " is the third)");
    }
    std::string out = args.out;
    const std::string out_flag = flag_as_typed("-o", "--out");  // for errors, as the user wrote it
    if (out.empty()) {
        const std::filesystem::path first(args.files[0]);
        out = args.files.size() == 1
                  ? report::sibling_path(args.files[0], ".html")
                  : (first.parent_path() /
                     (first.stem().string() + "-vs-" + std::filesystem::path(args.files[1]).stem().string() + ".html"))
                        .string();
    }
    try {
        std::vector<report::Json> docs;
        for (const std::string& f : args.files) docs.push_back(report::read_json(f));
        // Neither the report nor its summary may overwrite a result file; nor are two the same one.
        std::vector<NamedFile> files = {{args.out.empty() ? "the report" : out_flag, out, true}};
        for (std::size_t i = 0; i < args.files.size(); ++i) {
            const char* what = args.files.size() == 1 ? "the result file"
                               : i == 0               ? "the first result file"
                                                      : "the second result file";
            files.push_back({what, args.files[i], false, true});
        }
        check_output_files(files);
        if (args.files.size() == 2 && same_file(args.files[0], args.files[1])) {
            throw UsageError("the first result file " + args.files[0] + " and the second result file " + args.files[1] +
                             " are the same file; give two runs");
        }
        const std::string html_name = std::filesystem::path(out).filename().string();
        // A format this build does not read, or a comparison or a sweep given as one side of an A/B.
        for (std::size_t i = 0; i < docs.size(); ++i) {
            const std::string f = format_of(docs[i]);
            const bool known = f == "faultline-run/1" || f == "faultline-compare/1" || f == "faultline-sweep/1";
            if (!f.empty() && !known) {
                throw UsageError(args.files[i] + ": field 'format': \"" + f +
                                 "\" is not a format this build reads (faultline-run/1, faultline-compare/1 or "
                                 "faultline-sweep/1)");
            }
            if (docs.size() == 2 && known && f != "faultline-run/1") {
                throw UsageError(
                    args.files[i] + ": a " + (f == "faultline-sweep/1" ? "sweep" : "comparison") +
                    " result, which cannot be one side of an A/B: report it alone, or give two run results");
            }
        }
        const std::string format = format_of(docs[0]);
        // The labels name the two sides of a comparison; a single run or sweep has none to name.
        const bool comparison = docs.size() == 2 || format == "faultline-compare/1";
        if (!comparison && (!args.a_label.empty() || !args.b_label.empty())) {
            throw UsageError(std::string(!args.a_label.empty() ? "--a-label" : "--b-label") +
                             " names a side of a comparison (two run results, or a compare result); " + args.files[0] +
                             " is a " + (format == "faultline-sweep/1" ? "sweep" : "single run's") + " result");
        }
        if (args.files.size() == 1 && format == "faultline-sweep/1") {
            const report::SweepResult s = report::sweep_from_json(docs[0], args.files[0]);
            write_html_and_markdown(out, report::sweep_html(s), report::sweep_markdown(s, html_name), out_flag);
            return exit_pass;
        }
        report::RunRecord a, b;
        if (args.files.size() == 1 && format == "faultline-compare/1") {
            if (!docs[0].contains("a") || !docs[0].contains("b"))
                throw report::ReportError(args.files[0] + ": a comparison needs 'a' and 'b'");
            a = report::record_from_json(docs[0].at("a"), args.files[0] + " (a)");
            b = report::record_from_json(docs[0].at("b"), args.files[0] + " (b)");
        } else if (args.files.size() == 2) {
            a = report::record_from_json(docs[0], args.files[0]);
            b = report::record_from_json(docs[1], args.files[1]);
            // As compare names them: the variant, else the file's name.
            for (const auto& [r, file] : {std::pair{&a, &args.files[0]}, std::pair{&b, &args.files[1]}}) {
                if (r->label.empty())
                    r->label = r->variant.empty() ? std::filesystem::path(*file).stem().string() : r->variant;
            }
        } else {
            a = report::record_from_json(docs[0], args.files[0]);
            write_html_and_markdown(out, report::run_html(a), report::run_markdown(a, html_name), out_flag);
            return exit_pass;
        }
        check_labels(a.label, b.label, args.a_label, args.b_label);
        write_html_and_markdown(out, report::compare_html(a, b), report::compare_markdown(a, b, html_name), out_flag);
        return exit_pass;
    } catch (const report::ReportError& e) {
        throw UsageError(e.what());
    }
}

}  // namespace

void add_report_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<ReportArgs>();
    auto* sub =
        app.add_subcommand("report", "Render result files (from run, compare or sweep --result) as an HTML report");
    sub->add_option("results", args->files,
                    "A result file (run, compare or sweep), or two run results to draw as an A/B comparison")
        ->required();  // how many: execute() says what it takes, not CLI11's "At Most 2 required"
    sub->add_option("-o,--out", args->out,
                    "The HTML file (default: next to the first result, .html); the Markdown summary goes next to it");
    sub->add_option("--a-label", args->a_label, "What the report calls the first run");
    sub->add_option("--b-label", args->b_label, "What the report calls the second run");
    sub->callback([&cmd, args] { cmd.run = [args] { return execute(*args); }; });
}

}  // namespace faultline::cli
