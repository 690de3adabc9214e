// `faultline sweep SCENARIO --grid PATH=A..B[:STEP] [--grid ...] --seeds K --jobs N`: every
// combination of the grid's values, each on K seeds, in worker processes on every core; a table
// of seeds passing and time to recover per cell, where the system tips, and (--report) heatmaps.
// Exit code 0 when every run completed (whatever the verdicts: mapping failure is the point),
// 1 when a run crashed or hung, 2 bad input. Ctrl-C or SIGTERM stops it as it stops fuzz: no
// more runs start, the running ones are abandoned, the table, --report and --result are written
// for the runs that finished (marked incomplete), and it exits 130 (SIGTERM: 143). Grid paths
// are the paths --set takes; see report/sweep.hpp for the shorthands (load, path tails).
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common.hpp"
#include "explore/fuzz.hpp"
#include "explore/spec.hpp"
#include "explore/workers.hpp"
#include "faultline/scenario_file.hpp"
#include "faultline/spec_options.hpp"
#include "report/sweep.hpp"
#include "report/text.hpp"
#include "report_output.hpp"
#include "report_workers.hpp"

namespace faultline::cli {

namespace {

struct SweepArgs {
    std::string scenario;
    std::vector<std::string> grids;
    std::string seeds = "3";
    unsigned jobs = 0;
    std::string variant;
    std::vector<std::string> sets;
    std::string report;
    std::string result;
    std::string timeout = "10m";
    std::uint64_t runs_max = 10'000;
    bool json = false;
};

// A count K (seeds 1..K) or a closed range A..B, of at most `runs_max` seeds (more could not run,
// and would not fit in memory). Not explore::parse_seed_range: its errors speak of fuzz's open
// ranges and --time.
std::vector<std::uint64_t> parse_seeds(const std::string& text, std::uint64_t runs_max) {
    const std::string bad = "--seeds " + text + ": give a count of seeds (1 or more) or a range A..B";
    auto number = [&bad](std::string_view digits) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) throw UsageError(bad);
        return v;
    };
    const std::size_t dots = text.find("..");
    std::uint64_t first = 1, last = 0;
    if (dots == std::string::npos) {
        last = number(text);
        if (last == 0) throw UsageError(bad);
    } else {
        if (dots + 2 == text.size()) throw UsageError("--seeds " + text + ": a sweep needs a closed range A..B");
        first = number(std::string_view(text).substr(0, dots));
        last = number(std::string_view(text).substr(dots + 2));
        if (last < first) throw UsageError("--seeds " + text + ": the range ends before it starts");
    }
    if (last - first >= runs_max) {
        throw UsageError("--seeds " + text + ": more than --runs-max " + std::to_string(runs_max) + " seeds");
    }
    std::vector<std::uint64_t> out;
    for (std::uint64_t s = first;; ++s) {
        out.push_back(s);
        if (s == last) break;
    }
    return out;
}

// The recovery rule in words, from the scenario's own `recovers` invariant when it has one.
std::string recovery_rule_text(const std::optional<ScenarioSpec>& spec) {
    if (spec) {
        for (const InvariantSpec& inv : spec->invariants) {
            if (!inv.recovers) continue;
            const RecoversSpec& r = *inv.recovers;
            return "seconds from " + format_value(r.after) + " until " + r.metric + " is back to " +
                   format_value(r.share * 100) + "% of its baseline (as the invariant '" + inv.name +
                   "' judges it; its deadline is " + format_value(r.within) +
                   ", but later recoveries are timed too, until the run ends)";
        }
    }
    return "seconds from the end of the last fault until the main workload's goodput is back to 90% of its rate before "
           "the "
           "first fault (5s average)";
}

// When an axis names no option of the scenario (neither a path nor a path's tail): what it might
// have meant, from the options whose paths contain its name. "" when it names one.
std::string unknown_path_hint(const report::GridAxis& axis, const std::vector<FieldInfo>& options) {
    std::vector<std::string> near;
    for (const FieldInfo& f : options) {
        if (f.path == axis.name || f.path.ends_with("." + axis.name)) return "";
        // a shorthand resolved to options ('load': every open-loop rate): the value is what is wrong
        // (or a section written as one value: 'keys' for keys.keys, keys.zipf_s, ...)
        for (const std::string& p : axis.paths) {
            if (f.path == p || f.path.starts_with(p + ".")) return "";
        }
        if (f.path.find(axis.name) != std::string::npos && near.size() < 3) near.push_back(f.path);
    }
    std::string hint = "no option is called " + axis.name + " or ends with ." + axis.name;
    for (std::size_t i = 0; i < near.size(); ++i) hint += (i == 0 ? " (did you mean " : ", ") + near[i];
    return hint + (near.empty() ? " (the Options section of a run's --report lists every path)" : ")");
}

class Progress {
public:
    explicit Progress(std::size_t total) : total_(total), tty_(::isatty(2) != 0) {}
    void update(std::size_t done, std::size_t failing) {
        if (tty_) {
            std::fprintf(stderr, "\r\033[Ksweep: %zu/%zu runs, %zu not passing", done, total_, failing);
            if (done == total_) std::fprintf(stderr, "\n");
        } else if (done == total_ || done * 10 / total_ != last_ * 10 / total_) {
            std::fprintf(stderr, "sweep: %zu/%zu runs, %zu not passing\n", done, total_, failing);
        }
        last_ = done;
    }
    // Ends a terminal's progress line that stopped short of the total (an interrupted sweep).
    void finish(std::size_t done) {
        if (tty_ && done != total_) std::fprintf(stderr, "\n");
    }

private:
    std::size_t total_;
    std::size_t last_ = 0;
    bool tty_;
};

int execute(const SweepArgs& args) {
    if (args.grids.empty()) throw UsageError("sweep needs at least one --grid PATH=A..B[:STEP] (or PATH=v1,v2,...)");
    check_output_files(
        {{"--report", args.report, true}, {"--result", args.result}, input_file("the scenario file", args.scenario)});
    const std::chrono::milliseconds timeout = parse_wall_limit("--timeout", args.timeout);
    const std::vector<std::uint64_t> seeds = parse_seeds(args.seeds, args.runs_max);

    explore::RunSpec base;
    base.scenario = explore::scenario_ref(args.scenario, args.variant);
    base.overrides = parse_overrides(args.sets);
    explore::LoadedScenarioRef loaded;
    std::optional<ScenarioSpec> spec;
    std::vector<FieldInfo> options;
    try {
        loaded = explore::load_scenario(base.scenario);
        (void)explore::effective_options(base);
        if (loaded.file) {
            spec = load_spec(*loaded.file, args.variant, base.overrides);
            options = spec_options(*spec);
        } else {
            options = loaded.info->options();
        }
    } catch (const explore::InputError& e) {
        throw UsageError(e.what());
    } catch (const SpecError& e) {
        throw UsageError(e.what());
    }

    report::SweepResult result;
    result.program = explore::program_name();
    result.scenario = loaded.info->name;
    result.file = loaded.file.value_or("");
    result.variant = args.variant;
    result.overrides = base.overrides;
    result.seeds = seeds;
    result.recovery_rule = recovery_rule_text(spec);
    if (spec) {
        result.description = spec->description;
        result.hypothesis = spec->hypothesis;
    } else {
        result.description = loaded.info->summary;
    }
    try {
        for (const std::string& g : args.grids) {
            report::GridAxis axis = report::resolve_axis(report::parse_grid_text(g), options);
            for (const report::GridAxis& other : result.axes) {
                for (const std::string& p : axis.paths) {
                    if (std::find(other.paths.begin(), other.paths.end(), p) != other.paths.end()) {
                        throw UsageError("--grid " + g + ": " + p + " is already set by --grid " + other.name);
                    }
                }
            }
            // A --set of a path the grid sets would lose to the grid in every run, yet be reported
            // as set: refused, as two axes on one path are.
            for (const Override& o : base.overrides) {
                const report::GridAxis set = report::resolve_axis(report::GridText{o.path, {o.value}}, options);
                for (const std::string& p : set.paths) {
                    // The path itself, a section holding it (workloads.users.open_loop={rate: ...}), or
                    // one the grid sets whole holding the --set's field (retry={...} and
                    // retry.attempts_max=2: the grid's section replaces the field in every run).
                    const auto under = [&p](const std::string& a) {
                        return a == p || a.starts_with(p + ".") || p.starts_with(a + ".");
                    };
                    if (const auto hit = std::find_if(axis.paths.begin(), axis.paths.end(), under);
                        hit != axis.paths.end()) {
                        throw UsageError("--grid " + g + ": " + *hit + " is also set by --set " + o.path + "=" +
                                         o.value + " (the grid's value would win in every run); drop one of them");
                    }
                }
            }
            // One value twice, however written (800 and 800/s): two cells of one setting.
            for (std::size_t i = 0; i < axis.values.size(); ++i) {
                for (std::size_t k = 0; k < i; ++k) {
                    if (axis.values[k] != axis.values[i]) continue;
                    const std::string& a = axis.labels[k];
                    const std::string& b = axis.labels[i];
                    throw UsageError(
                        "--grid " + g + ": " +
                        (a == b ? "'" + a + "' is in the list twice" : "'" + a + "' and '" + b + "' are one value") +
                        " (it would be two cells of one setting)");
                }
            }
            // Every value must load (the right type, within its limits) before anything runs. Two
            // that load as the same options are one value in two spellings (1s and 1000ms, 0.5 and
            // 50%, 60/min and 1/s, true and yes, exponential(3ms) and exponential(3000us)), which
            // the text alone does not show: the options as loaded are written one way.
            std::vector<std::vector<std::pair<std::string, std::string>>> as_loaded;
            for (std::size_t i = 0; i < axis.values.size(); ++i) {
                explore::RunSpec check = base;
                for (const std::string& p : axis.paths) check.overrides.push_back({p, axis.values[i]});
                try {
                    as_loaded.push_back(explore::effective_options(check));
                    if (loaded.file) {
                        as_loaded.back().clear();
                        for (const FieldInfo& f : spec_options(load_spec(*loaded.file, args.variant, check.overrides)))
                            as_loaded.back().emplace_back(f.path, f.value);
                    }
                } catch (const explore::InputError& e) {
                    if (std::string hint = unknown_path_hint(axis, options); !hint.empty())
                        throw UsageError("--grid " + g + ": " + hint);
                    throw UsageError("--grid " + g + ": value " + axis.labels[i] + ": " + e.what());
                }
                for (std::size_t k = 0; k < i; ++k) {
                    if (as_loaded[k] == as_loaded[i]) {
                        throw UsageError("--grid " + g + ": '" + axis.labels[k] + "' and '" + axis.labels[i] +
                                         "' are one value (it would be two cells of one setting)");
                    }
                }
            }
            result.axes.push_back(std::move(axis));
        }
    } catch (const report::ReportError& e) {
        throw UsageError(e.what());
    }
    for (const report::GridAxis& a : result.axes) {
        if (a.paths.size() > 1 || a.paths.front() != a.name) {
            std::string paths;
            for (const std::string& p : a.paths) paths += (paths.empty() ? "" : ", ") + p;
            std::fprintf(stderr, "sweep: %s sets %s\n", a.name.c_str(), paths.c_str());
        }
    }

    // Counted from the axes before any cell is made: a grid of 10^9 cells was built (and ran the
    // machine out of memory) before it was refused.
    std::uint64_t cell_count = 1;  // at most runs_max + 1: past it, the count is not needed and could overflow
    for (const report::GridAxis& a : result.axes)
        cell_count = std::min<std::uint64_t>(cell_count * a.values.size(), args.runs_max + 1);
    if (cell_count > args.runs_max) {
        throw UsageError("the grid is more than " + report::count_of(args.runs_max, "cell") + " (--runs-max " +
                         std::to_string(args.runs_max) + ")");
    }
    if (cell_count * seeds.size() > args.runs_max) {
        throw UsageError("the grid is " + report::count_of(cell_count, "cell") + " x " +
                         report::count_of(seeds.size(), "seed") + " = " +
                         report::count_of(cell_count * seeds.size(), "run") + ", more than --runs-max " +
                         std::to_string(args.runs_max));
    }
    const std::vector<std::vector<std::size_t>> cells = report::grid_cells(result.axes);
    std::vector<explore::RunSpec> specs;
    for (const auto& index : cells) {
        report::SweepCell cell;
        cell.index = index;
        cell.runs.resize(seeds.size());
        result.cells.push_back(std::move(cell));
        for (std::uint64_t seed : seeds) {
            explore::RunSpec s = base;
            s.seed = seed;
            for (const Override& o : report::cell_overrides(result.axes, index)) s.overrides.push_back(o);
            specs.push_back(std::move(s));
        }
    }
    const unsigned jobs = args.jobs != 0 ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
    std::fprintf(stderr, "sweep: %s x %s = %s on %s\n", report::count_of(cells.size(), "cell").c_str(),
                 report::count_of(seeds.size(), "seed").c_str(), report::count_of(specs.size(), "run").c_str(),
                 report::count_of(jobs, "worker").c_str());
    Progress progress(specs.size());
    std::size_t done = 0, failing = 0, broken = 0;
    std::vector<bool> finished(specs.size(), false);
    std::string not_started;
    const int stopped_by = run_in_report_workers(
        specs, true, jobs, timeout,
        [&](WorkerResult&& r) {
            const std::size_t cell = r.index / seeds.size(), k = r.index % seeds.size();
            report::CellRun run;
            if (r.ok) {
                run = report::cell_run_from_json(r.json, "worker");
            } else {
                run.seed = seeds[k];
                run.verdict = r.verdict;
                run.failure = r.error;
                run.recovery_judged = false;  // no result to judge it from
                ++broken;
                // "seed 3 of load=300/s, retry.attempts_max=2: crashed with SIGABRT", below the
                // progress line (on a terminal it has no line end of its own yet).
                std::string where;
                for (const Override& o : report::cell_overrides(result.axes, result.cells[cell].index))
                    where += (where.empty() ? "" : ", ") + o.path + "=" + o.value;
                std::fprintf(stderr, "%ssweep: seed %llu of %s: %s\n", ::isatty(2) != 0 ? "\n" : "",
                             static_cast<unsigned long long>(seeds[k]), where.c_str(), r.error.c_str());
            }
            if (run.verdict != "pass") ++failing;
            result.cells[cell].runs[k] = std::move(run);
            finished[r.index] = true;
            progress.update(++done, failing);
        },
        not_started);
    progress.finish(done);
    if (stopped_by != 0 || !not_started.empty()) {
        // What finished is kept and written; the runs that did not finish are left out of their cells.
        for (std::size_t c = 0; c < result.cells.size(); ++c) {
            std::vector<report::CellRun> kept;
            for (std::size_t k = 0; k < seeds.size(); ++k) {
                if (finished[c * seeds.size() + k]) kept.push_back(std::move(result.cells[c].runs[k]));
            }
            result.cells[c].runs = std::move(kept);
        }
        result.interrupted = stopped_by != 0 ? explore::signal_name(stopped_by) : "a worker that could not start";
        result.runs_planned = specs.size();
        std::fprintf(stderr, "sweep: %s; %s only those\n", report::interrupted_text(result).c_str(),
                     args.report.empty() && args.result.empty() ? "the table holds" : "the table and the files hold");
    }
    // The rule is stated where it was applied: a scenario without a workload's goodput (mm1, a
    // store's clients) has no recovery to time, and its file should not say how it would be timed.
    bool recovery_applied = false;
    for (const report::SweepCell& c : result.cells)
        for (const report::CellRun& r : c.runs) recovery_applied = recovery_applied || r.recovery_applicable;
    if (!recovery_applied) result.recovery_rule.clear();

    if (args.json)
        std::cout << report::sweep_to_json(result).dump() << "\n";
    else
        std::cout << report::sweep_text(result);
    std::vector<std::string> errors;  // reported after the table, which stands without the files
    if (!args.report.empty()) {
        const std::string html_name = std::filesystem::path(args.report).filename().string();
        attempt_write(errors, [&] {
            write_html_and_markdown(args.report, report::sweep_html(result), report::sweep_markdown(result, html_name),
                                    "--report");
        });
    }
    if (!args.result.empty())
        attempt_write(errors, [&] { write_json(args.result, report::sweep_to_json(result), "--result"); });
    if (args.report.empty() && !args.json) std::fprintf(stderr, "(add --report FILE.html for the heatmaps)\n");
    if (auto e = stdout_error()) errors.push_back(*e);
    if (!not_started.empty()) errors.insert(errors.begin(), not_started + " (restore it and run the sweep again)");
    throw_errors(errors);
    if (stopped_by != 0) return 128 + stopped_by;  // as a shell reports a signal, and as fuzz does
    return broken > 0 ? exit_fail : exit_pass;
}

}  // namespace

void add_sweep_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<SweepArgs>();
    auto* sub =
        app.add_subcommand("sweep", "Run a grid of option values on several seeds each and map where the system tips");
    sub->add_option("scenario", args->scenario,
                    "A scenario: a name (see '" + explore::program_name() + " list') or a scenario file")
        ->required();
    sub->add_option(
           "--grid", args->grids,
           "An axis: PATH=A..B[:STEP] (units allowed: 100ms..500ms:100ms, durations in any mix: 500ms..2s:250ms; STEP 1 if left out, for at most 50 values) or "
           "PATH=v1,v2,...; PATH as for --set, or "
           "'load' (every open-loop rate), or a path's tail ('retry.attempts_max': every call's). Repeatable")
        ->required();
    sub->add_option("--seeds", args->seeds, "Seeds per cell: a count K (seeds 1..K) or a range A..B")->default_val("3");
    sub->add_option("--jobs", args->jobs, "Worker processes at once, at most 1024 (default: every core)")->check(CLI::Range(0u, 1024u));
    sub->add_option("--variant", args->variant, "A scenario file's variant");
    sub->add_option("--set", args->sets, "Override an option in every run: --set path=value (repeatable)");
    sub->add_option("--report", args->report,
                    "Write heatmaps and every cell as HTML to FILE.html, and a Markdown summary next to it");
    sub->add_option("--result", args->result,
                    "Write the sweep's results to FILE.json, for '" + explore::program_name() + " report'");
    sub->add_option("--timeout", args->timeout, "Wall-clock limit per run; a run past it is killed and reported")
        ->default_val("10m");
    sub->add_option("--runs-max", args->runs_max, "Refuse grids with more runs than this")
        ->transform(decimal_u64("a run limit", 1, "N", 1'000'000))  // a million runs: days of CPU
        ->default_val(10000);
    sub->add_flag("--json", args->json, "Print the sweep's result as JSON instead of the table");
    sub->callback([&cmd, args] { cmd.run = [args] { return execute(*args); }; });
}

}  // namespace faultline::cli
