// `faultline replay ARTIFACT`: re-run a recorded failure (or a regression file) and check that it
// is the same run, bit for bit (the trace hash); say clearly what changed when it is not. A worker
// killed from outside (SIGKILL: the OOM killer, an operator) left no result to reproduce: the
// replay runs to its own end and exits as `run` would (0 pass, 1 fail or runaway).
#include <cstdio>
#include <iostream>

#include "common.hpp"
#include "explore/build_info.hpp"
#include "explore/replay.hpp"
#include "explore/stop_signals.hpp"
#include "explore/workers.hpp"
#include "output.hpp"
#include "report_output.hpp"
#include "sim/trace_file.hpp"

namespace faultline::cli {

namespace {

struct ReplayArgs {
    std::string artifact;
    std::string trace;
    bool trace_kernel = false;
    std::uint64_t stop_at_event = 0;
    std::string stop_at;
    std::vector<std::string> log_hosts;
    std::string log_level;
    bool json = false;
};

std::string describe_outcome(const explore::Outcome& o) {
    std::string text = std::string(explore::to_string(o.verdict));
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!o.signature.empty()) text += "  " + o.signature;
    if (o.verdict == explore::Verdict::fail || o.verdict == explore::Verdict::runaway)
        text += " at " + explore::shown_time(o.end_time);
    if (o.trace_hash) text += ", trace hash " + sim::hash_hex(*o.trace_hash);
    return text;
}

int execute(const ReplayArgs& a) {
    std::string made_elsewhere;  // added to an error: the artifact's scenario may be another program's
    try {
        const explore::Artifact artifact = explore::load_artifact(a.artifact);
        made_elsewhere = explore::made_by_another_program(artifact);
        explore::ReplayOptions options;
        if (a.stop_at_event != 0) options.stop_at_event = a.stop_at_event;
        if (!a.stop_at.empty()) options.stop_at = parse_duration_flag("--stop-at", a.stop_at);
        for (const std::string& lh : a.log_hosts) {
            const std::size_t eq = lh.find('=');
            if (eq == std::string::npos || eq == 0) throw UsageError("--log-host expects HOST=LEVEL, got '" + lh + "'");
            options.log_hosts.emplace_back(lh.substr(0, eq), lh.substr(eq + 1));
        }
        if (!a.log_level.empty()) options.log_level = a.log_level;
        explore::check_replay_options(artifact, options);  // before the trace file is opened (and emptied)
        check_output_files(
            {{"--trace", a.trace},
             input_file("the artifact", a.artifact),
             input_file("the artifact's scenario file", explore::scenario_file(artifact.spec.scenario).value_or(""))});
        check_not_scenario_path(a.trace, "--trace", artifact.spec.scenario);  // not even where none is yet
        TraceOutput trace(a.trace, a.trace_kernel);
        if (trace.file()) options.sink = trace.file();

        const explore::RunSpec& spec = artifact.spec;
        auto line = [&](const std::string& label, const std::string& value) {
            if (!a.json) std::printf("%-12s%s\n", label.c_str(), value.c_str());
        };
        line("artifact", a.artifact + "  (" + artifact.kind + ", " + (artifact.program.empty() ? "faultline" : artifact.program) + " " + artifact.version + " build " +
                             artifact.build_id + ")");
        std::string swarm;
        for (const Override& o : spec.swarm) swarm += " " + o.path + "=" + o.value;
        std::string sets;
        for (const Override& o : spec.overrides) sets += " " + o.path + "=" + o.value;
        line("scenario", spec.scenario.name + (spec.scenario.variant.empty() ? "" : " --variant " + spec.scenario.variant) +
                             "  seed " + std::to_string(spec.seed) +
                             (sets.empty() ? "" : "  set" + sets) + (swarm.empty() ? "" : "  swarm" + swarm));
        line("faults", explore::faults_summary(artifact, explore::declared_faults(artifact)));
        line("expected", describe_outcome(artifact.expected));
        const std::optional<std::string> killer = explore::killed_from_outside(artifact.expected);
        if (!a.json && killer) {
            std::printf("note        the recorded worker was killed by %s from outside the run (the OOM killer, an "
                        "operator); the replay runs to its own end\n",
                        killer->c_str());
            std::fflush(stdout);
        } else if (!a.json && (artifact.expected.verdict == explore::Verdict::crash ||
                               artifact.expected.verdict == explore::Verdict::hang)) {
            std::printf(
                "note        the recorded run %s; it is replayed in this process, so expect the same here "
                "(under a debugger: gdb --args %s replay %s)\n",
                artifact.expected.verdict == explore::Verdict::crash ? "crashed" : "hung",
                explore::program_name().c_str(), a.artifact.c_str());
            std::fflush(stdout);
        }
        // Ctrl-C or SIGTERM ends the replayed run at its next instant, as it ends `run`: what ran
        // is shown and the trace file closed whole; a second one ends the program.
        explore::StopSignals stop_signals(true);
        options.interrupt = &explore::stop_signal;
        const explore::ReplayReport report = explore::replay(artifact, options);
        const int interrupted_by = explore::stop_signal;
        stop_signals.restore();
        // A trace that could not all be written does not cost the conclusion: shown first, then the error.
        std::vector<std::string> errors;
        if (auto e = trace.close()) errors.push_back(*e);
        if (report.interrupted) {
            line("got", "INTERRUPTED by " + explore::signal_name(interrupted_by) + " at event " +
                            std::to_string(report.outcome.events) + ", virtual time " +
                            sim::format_time(report.outcome.end_time) + ", trace hash " +
                            sim::hash_hex(report.outcome.trace_hash.value_or(0)));
        } else if (report.stopped) {
            line("got", "STOPPED at event " + std::to_string(report.outcome.events) + ", virtual time " +
                            sim::format_time(report.outcome.end_time) + ", trace hash " +
                            sim::hash_hex(report.outcome.trace_hash.value_or(0)));
        } else {
            line("got", describe_outcome(report.outcome));
        }
        for (const std::string& c : report.changes) line("note", c);
        if (a.json) {
            explore::Json j;
            j["artifact"] = a.artifact;
            j["reproduced"] = report.reproduced;
            j["killed_from_outside"] = report.killed_from_outside;
            j["hang_ended"] = report.hang_ended;
            j["stopped"] = report.stopped;
            if (report.interrupted) j["interrupted_by"] = explore::signal_name(interrupted_by);
            j["conclusion"] = report.conclusion;
            j["changes"] = report.changes;
            j["outcome"] = explore::record_to_json(report.outcome);
            // The kernel ended it through its limits, but as asked: not the runaway (nor a finding's
            // signature) the record would say. The text says STOPPED.
            if (report.stopped) {
                explore::Json& o = j["outcome"];
                o["verdict"] = "stopped";
                o.erase("signature");
                o.erase("signature_id");
                o["detail"] = report.conclusion;
            }
            std::cout << j.dump() << "\n";
        } else {
            std::printf("%s\n", report.conclusion.c_str());
        }
        if (auto e = stdout_error()) errors.push_back(*e);
        throw_errors(errors);
        if (report.interrupted) return 128 + interrupted_by;
        if (report.killed_from_outside || report.hang_ended)  // nothing to reproduce: the replayed run's own verdict, as `run` gives it
            return report.outcome.verdict == explore::Verdict::pass ? exit_pass : exit_fail;
        return report.reproduced || report.stopped ? exit_pass : exit_fail;
    } catch (const explore::OptionError& e) {
        throw UsageError(e.what());  // a flag's, not the file's
    } catch (const explore::WorkerStartError& e) {
        throw UsageError(e.what());  // the executable's, not the file's
    } catch (const explore::InputError& e) {
        throw file_error(a.artifact, e.what() + made_elsewhere);  // its JSON, or its fault plan or overrides
    }
}

}  // namespace

void add_replay_command(CLI::App& app, Command& cmd) {
    auto args = std::make_shared<ReplayArgs>();
    auto* sub = app.add_subcommand("replay", "Re-run a failure artifact or regression file and check its trace hash");
    sub->add_option("artifact", args->artifact, "An artifact (from fuzz) or regression file (from shrink)")->required();
    auto* trace = sub->add_option(
        "--trace", args->trace,
        "Write every trace event to FILE as JSON Lines (FILE.ftrace: the compact binary form, read with '" +
            explore::program_name() + " trace')");
    sub->add_flag("--trace-kernel", args->trace_kernel, "Include kernel dispatches in --trace")
        ->needs(trace);  // alone it would change nothing, silently
    auto* by_event = sub->add_option("--stop-at-event", args->stop_at_event, "End the run after this many events")
        ->transform(decimal_u64("an event count", 1, "N"));  // 0 would mean "not given", silently
    auto* by_time = sub->add_option("--stop-at", args->stop_at, "End the run at this virtual time (e.g. 12.5s)");
    by_event->excludes(by_time);
    sub->add_option("--log-host", args->log_hosts,
                    "Log one host at a level: HOST=LEVEL (debug, info, ...; repeatable)");
    sub->add_option("--log-level", args->log_level, "Log every host at this level");
    sub->add_flag("--json", args->json, "Print one JSON object");
    sub->callback([&cmd, args] { cmd.run = [args] { return execute(*args); }; });
}

}  // namespace faultline::cli
