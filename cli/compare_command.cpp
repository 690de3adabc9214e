// `faultline compare A [B] --seed N`: two runs on the same seed, A and B, drawn on the same axes
// with a table of the headline differences. A and B are two scenarios (files or names), or two
// designs of one: --a-variant/--b-variant and --a-set/--b-set (--variant and --set apply to
// both). Both run at once in worker processes. Exit code 0 when both ran (whatever their
// verdicts: a comparison usually expects one to fail), 1 when one crashed or hung (--json then
// prints what it knows: each side's verdict or what became of it, "complete": false), 2 bad input.
// Ctrl-C or SIGTERM stops it as it stops fuzz: a side not finished is "interrupted", nothing is
// compared or written (a comparison needs both), and it exits 130 (SIGTERM: 143).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "common.hpp"
#include "explore/spec.hpp"
#include "explore/workers.hpp"
#include "report/compare.hpp"
#include "report/headline.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"
#include "report_output.hpp"
#include "report_workers.hpp"

namespace faultline::cli {

namespace {

constexpr const char* compare_format = "faultline-compare/1";

struct Side {
    std::string variant;
    std::vector<std::string> sets;
    std::string label;
};

struct CompareArgs {
    std::vector<std::string> scenarios;
    std::uint64_t seed = 1;
    std::string variant;
    std::vector<std::string> sets;
    Side a, b;
    std::string report;
    std::string result;
    unsigned jobs = 2;
    std::string timeout = "10m";
    bool json = false;
};

std::string stem(const std::string& arg) { return std::filesystem::path(arg).stem().string(); }

// Its variant or scenario, and its own settings: each path once, as it was last set (the one
// that applies).
std::string default_label(const std::string& scenario, const Side& side) {
    std::string label = side.variant.empty() ? stem(scenario) : side.variant;
    for (std::size_t i = 0; i < side.sets.size(); ++i) {
        const std::string path = side.sets[i].substr(0, side.sets[i].find('='));
        const bool set_again =
            std::any_of(side.sets.begin() + static_cast<std::ptrdiff_t>(i) + 1, side.sets.end(),
                        [&](const std::string& later) { return later.substr(0, later.find('=')) == path; });
        if (!set_again) label += " " + side.sets[i];
    }
    return label;
}

explore::RunSpec spec_for(const std::string& scenario, const std::string& variant,
                          const std::vector<std::string>& common, const std::vector<std::string>& own,
                          std::uint64_t seed, const char* side) {
    explore::RunSpec spec;
    spec.scenario = explore::scenario_ref(scenario, variant);
    spec.seed = seed;
    spec.overrides = parse_overrides(common);
    for (const Override& o : parse_overrides(own, std::string(side) == "A" ? "--a-set" : "--b-set"))
        spec.overrides.push_back(o);
    try {
        (void)explore::effective_options(spec);  // a bad scenario, variant or --set: an error now
    } catch (const explore::InputError& e) {
        throw UsageError(std::string(side) + ": " + e.what());
    }
    return spec;
}

// One side in --json: its verdict and, unless it passed, why (a failed invariant; or, for a side
// that crashed, hung or could not start, what happened: a sweep's cell run says it the same way).
report::Json side_json(const std::string& label, const std::string& scenario, const std::string& verdict,
                       const std::string& failure, const std::string& repro) {
    return {{"label", label},
            {"scenario", scenario},
            {"verdict", verdict},
            {"failure", verdict == "pass" ? report::Json(nullptr) : report::Json(failure)},
            {"repro", repro}};
}
report::Json side_json(const report::RunRecord& r) {
    report::Json j = side_json(r.label, r.scenario, r.verdict, report::failure_text(r), r.repro);
    j["trace_hash"] = r.trace_hash;
    return j;
}

int execute(const CompareArgs& args) {
    if (args.scenarios.empty()) throw UsageError("compare takes one or two scenarios");
    if (args.scenarios.size() > 2) {
        throw UsageError("compare takes one or two scenarios, not " + std::to_string(args.scenarios.size()) + " (" +
                         args.scenarios[2] + " is the third)");
    }
    if (!args.variant.empty() && (!args.a.variant.empty() || !args.b.variant.empty())) {
        throw UsageError("--variant applies to both sides; use --a-variant and --b-variant for one side each");
    }
    const std::string scenario_a = args.scenarios[0];
    const std::string scenario_b = args.scenarios.size() > 1 ? args.scenarios[1] : args.scenarios[0];
    Side a = args.a, b = args.b;
    if (a.variant.empty()) a.variant = args.variant;
    if (b.variant.empty()) b.variant = args.variant;
    check_output_files({{"--report", args.report, true},
                        {"--result", args.result},
                        input_file(args.scenarios.size() > 1 ? "A's scenario file" : "the scenario file", scenario_a),
                        input_file("B's scenario file", args.scenarios.size() > 1 ? scenario_b : "")});
    const std::chrono::milliseconds timeout = parse_wall_limit("--timeout", args.timeout);

    const explore::RunSpec spec_a = spec_for(scenario_a, a.variant, args.sets, a.sets, args.seed, "A");
    const explore::RunSpec spec_b = spec_for(scenario_b, b.variant, args.sets, b.sets, args.seed, "B");
    auto same_overrides = [](const std::vector<Override>& x, const std::vector<Override>& y) {
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (x[i].path != y[i].path || x[i].value != y[i].value) return false;
        }
        return true;
    };
    if (spec_a.scenario == spec_b.scenario && same_overrides(spec_a.overrides, spec_b.overrides)) {
        throw UsageError(
            "A and B are the same run: name a second scenario, or give --b-variant or --b-set (see '" +
            explore::program_name() + " compare --help')");
    }
    const std::string given_a = a.label, given_b = b.label;
    a.label = default_label(scenario_a, a);
    b.label = default_label(scenario_b, b);
    check_labels(a.label, b.label, given_a, given_b);

    std::fprintf(stderr, "compare: running A (%s) and B (%s) on seed %llu...\n", a.label.c_str(), b.label.c_str(),
                 static_cast<unsigned long long>(args.seed));
    report::RunRecord records[2];
    std::optional<WorkerResult> broken[2];  // a side that crashed, hung or could not start
    bool finished[2] = {false, false};
    std::string not_started;
    const int stopped_by = run_in_report_workers(
        {spec_a, spec_b}, false, args.jobs, timeout,
        [&](WorkerResult&& r) {
            finished[r.index] = true;
            if (!r.ok) {
                broken[r.index] = std::move(r);
                return;
            }
            records[r.index] =
                report::record_from_json(r.json, std::string("worker for ") + (r.index == 0 ? "A" : "B"));
        },
        not_started);
    if (!not_started.empty()) throw UsageError(not_started + "; nothing compared or written");
    if (stopped_by != 0) {
        for (int i = 0; i < 2; ++i) {
            if (finished[i]) continue;
            broken[i] = WorkerResult{};
            broken[i]->verdict = "interrupted";
            broken[i]->error = "did not finish: interrupted by " + explore::signal_name(stopped_by);
        }
        std::fprintf(stderr, "compare: interrupted by %s: %d of 2 runs finished; nothing compared or written\n",
                     explore::signal_name(stopped_by).c_str(), static_cast<int>(finished[0]) + static_cast<int>(finished[1]));
    }
    records[0].label = a.label;
    records[1].label = b.label;
    if (broken[0] || broken[1]) {
        const explore::RunSpec* specs[2] = {&spec_a, &spec_b};
        std::string failures;
        report::Json j;
        for (int i = 0; i < 2; ++i) {
            const char* side = i == 0 ? "A" : "B";
            const std::string repro = explore::run_command(*specs[i]).value_or("");
            if (broken[i]) failures += std::string(failures.empty() ? "" : "; ") + side + ": " + broken[i]->error;
            j[i == 0 ? "a" : "b"] = broken[i] ? side_json(records[i].label, specs[i]->scenario.run_name(),
                                                          broken[i]->verdict, broken[i]->error, repro)
                                              : side_json(records[i]);
        }
        std::fprintf(stderr, "faultline: compare: %s\n", failures.c_str());
        for (const explore::RunSpec* s : specs) {
            if (auto cmd = explore::run_command(*s)) std::fprintf(stderr, "reproduce: %s\n", cmd->c_str());
        }
        if (args.json) {
            // Still one JSON document, for a script: what finished, what did not, and no differences.
            j["complete"] = false;
            j["error"] = failures;
            j["differences"] = nullptr;
            std::cout << j.dump() << "\n";
        }
        if (auto e = stdout_error()) throw UsageError(*e);
        return stopped_by != 0 ? 128 + stopped_by : exit_fail;  // as a shell reports a signal, and as fuzz does
    }
    const std::vector<report::DiffRow> rows = report::headline_diff(records[0], records[1]);
    if (args.json) {
        report::Json j;
        j["a"] = side_json(records[0]);
        j["b"] = side_json(records[1]);
        j["complete"] = true;
        j["same_events"] = !report::same_events_note(records[0], records[1]).empty();
        report::Json diff = report::Json::array();
        for (const report::DiffRow& row : rows) {
            diff.push_back(
                {{"metric", row.metric}, {"a", row.a}, {"b", row.b}, {"change", row.change}, {"better", row.better}});
        }
        j["differences"] = diff;
        std::cout << j.dump() << "\n";
    } else {
        // Every run prints its trace hash: here beside the command that reproduces it.
        std::cout << "A: " << a.label << "  (" << records[0].repro << "; trace hash " << records[0].trace_hash
                  << ")\nB: " << b.label << "  (" << records[1].repro << "; trace hash " << records[1].trace_hash
                  << ")\n\n"
                  << report::diff_text(rows, a.label, b.label);
    }
    std::vector<std::string> errors;  // reported after the differences, which stand without the files
    if (!args.report.empty()) {
        const std::string html_name = std::filesystem::path(args.report).filename().string();
        attempt_write(errors, [&] {
            write_html_and_markdown(args.report, report::compare_html(records[0], records[1]),
                                    report::compare_markdown(records[0], records[1], html_name), "--report");
        });
    }
    if (!args.result.empty()) {
        report::Json j;
        j["format"] = compare_format;
        j["a"] = report::record_to_json(records[0]);
        j["b"] = report::record_to_json(records[1]);
        attempt_write(errors, [&] { write_json(args.result, j, "--result"); });
    }
    // Two names of one run (a library scenario by name and by its file, a --b-set of the value it
    // had): not a usage error, since a real change may also leave this seed untouched.
    if (const std::string same = report::same_events_note(records[0], records[1]); !same.empty())
        std::fprintf(stderr, "compare: note: %s\n", same.c_str());
    if (args.report.empty() && !args.json) std::fprintf(stderr, "(add --report FILE.html for the charts)\n");
    if (auto e = stdout_error()) errors.push_back(*e);
    throw_errors(errors);
    return exit_pass;
}

}  // namespace

void add_compare_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<CompareArgs>();
    auto* sub = app.add_subcommand(
        "compare", "Run two designs on the same seed and compare them (A/B): charts and headline differences");
    sub->add_option("scenarios", args->scenarios,
                    "A and B: two scenarios (names or files), or one scenario whose sides differ by --a-/--b- options")
        ->required();  // how many: execute() says what it takes, not CLI11's "At Most 2 required"
    sub->add_option("--seed", args->seed, "Root seed for both runs")->default_val(1)->transform(seed_range());
    sub->add_option("--variant", args->variant, "A scenario file's variant, for both sides");
    sub->add_option("--set", args->sets, "Override an option on both sides: --set path=value (repeatable)");
    sub->add_option("--a-variant", args->a.variant, "A's variant");
    sub->add_option("--b-variant", args->b.variant, "B's variant (e.g. the mitigated design)");
    sub->add_option("--a-set", args->a.sets, "Override an option on A only (repeatable)");
    sub->add_option("--b-set", args->b.sets, "Override an option on B only (repeatable)");
    sub->add_option("--a-label", args->a.label, "What charts and tables call A (default: its variant or scenario)");
    sub->add_option("--b-label", args->b.label, "What charts and tables call B");
    sub->add_option("--report", args->report,
                    "Write the comparison as HTML to FILE.html, and a Markdown summary next to it");
    sub->add_option("--result", args->result,
                    "Write both runs' results to FILE.json, for '" + explore::program_name() + " report'");
    sub->add_option("--jobs", args->jobs, "Run A and B at once (2) or one after the other (1)")
        ->default_val(2)
        ->check(CLI::Range(1u, 2u));
    sub->add_option("--timeout", args->timeout, "Wall-clock limit per run; a run past it is killed and reported")
        ->default_val("10m");
    sub->add_flag("--json", args->json, "Print the differences as one JSON object");
    sub->callback([&cmd, args] { cmd.run = [args] { return execute(*args); }; });
}

}  // namespace faultline::cli
