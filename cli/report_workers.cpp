#include "report_workers.hpp"

#include <algorithm>
#include <optional>

#include "explore/stop_signals.hpp"
#include "explore/workers.hpp"
#include "sim/values.hpp"

namespace faultline::cli {

report::RecordSource record_source(const explore::RunSpec& spec) {
    report::RecordSource s;
    const explore::LoadedScenarioRef loaded = explore::load_scenario(spec.scenario);
    s.file = loaded.file.value_or("");
    s.variant = spec.scenario.variant;
    s.overrides = explore::all_overrides(spec);
    s.repro = explore::run_command(spec).value_or("");
    s.summary = loaded.info->summary;
    return s;
}

int run_in_report_workers(const std::vector<explore::RunSpec>& specs, bool summary, unsigned jobs,
                          std::chrono::milliseconds timeout, const std::function<void(WorkerResult&&)>& done,
                          std::string& not_started) {
    const std::string exe = explore::self_exe();
    explore::StopSignals signals;
    std::optional<explore::WorkerPool> pool(std::in_place, jobs);  // reset when the loop ends
    std::size_t next = 0, finished = 0;
    not_started.clear();
    while (finished < specs.size() && explore::stop_signal == 0) {
        while (next < specs.size() && pool->has_room() && not_started.empty()) {
            // The exploration worker's command line (spec on the command line or on stdin), for
            // the report worker instead.
            explore::WorkerCommand command = explore::worker_command(exe, specs[next]);
            command.argv[1] = "report-worker";
            if (summary) command.argv.push_back("--summary");
            try {
                pool->start(next, command, timeout);
            } catch (const explore::WorkerStartError& e) {
                // The executable gone (a rebuild): the runs started finish, none starts after.
                not_started = e.what();
                break;
            }
            ++next;
        }
        if (!not_started.empty() && pool->running() == 0) break;
        const std::vector<explore::WorkerExit> exits = pool->poll(std::chrono::milliseconds(200));
        const bool stopped = explore::stop_signal != 0;
        for (const explore::WorkerExit& exit : exits) {
            // After a stop, a run that ended on its own is kept; one that died of a signal may have
            // got the same Ctrl-C from the terminal, which says nothing about the run: abandoned.
            if (stopped && (exit.signal != 0 || exit.timed_out)) continue;
            ++finished;
            WorkerResult r;
            r.index = static_cast<std::size_t>(exit.id);
            std::string tail = exit.err_tail;
            tail.erase(0, std::min(tail.size(), tail.find_first_not_of(" \n")));
            if (!tail.empty()) tail = ": " + tail;
            if (exit.timed_out) {
                r.verdict = "hang";
                r.error = "no result within " + sim::format_value(sim::Duration(timeout)) + " (wall clock); killed";
            } else if (exit.signal != 0) {
                r.verdict = "crash";
                r.error = "crashed with " + explore::signal_name(exit.signal) + tail;
            } else if (exit.exit_code != 0) {
                r.verdict = "error";
                r.error = "exit code " + std::to_string(exit.exit_code) + tail;
            } else {
                try {
                    r.json = report::Json::parse(exit.out);
                    r.ok = true;
                } catch (const nlohmann::json::exception&) {
                    r.verdict = "error";
                    r.error = "the worker printed no result" + tail;
                }
            }
            while (!r.error.empty() && (r.error.back() == '\n' || r.error.back() == ' ')) r.error.pop_back();
            done(std::move(r));
        }
    }
    const int stopped_by = finished < specs.size() && not_started.empty() ? static_cast<int>(explore::stop_signal)
                                                                          : 0;  // (after the last: nothing lost)
    pool.reset();       // kills and reaps what is still running (after a stop signal)
    signals.restore();  // a second Ctrl-C while the caller writes its files ends the process
    return stopped_by;
}

}  // namespace faultline::cli
