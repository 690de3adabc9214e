// Runs for compare and sweep in worker processes (explore/'s pool: fork/exec of this program,
// polled, killed past a wall-clock limit), each running the hidden `report-worker` subcommand and
// printing one JSON line: a whole run record, or for a sweep only its headline numbers. A run
// that crashes, hangs or cannot start is reported, not fatal to the others. SIGINT and SIGTERM
// stop it as they stop fuzz (explore/stop_signals.hpp): no more runs start, the running ones are
// abandoned (killed, not reported), and the caller writes what finished.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "explore/spec.hpp"
#include "report/record.hpp"

namespace faultline::cli {

struct WorkerResult {
    std::size_t index = 0;  // into the specs
    bool ok = false;
    report::Json json;    // the worker's line, when ok
    std::string verdict;  // when not ok: "crash", "hang" or "error"
    std::string error;    // when not ok: what happened, in words
};

// `summary`: the worker prints report::cell_run_to_json instead of the whole record. Returns 0
// when every spec ran, or the signal (SIGINT, SIGTERM) that stopped it before; its handlers are
// restored by then, so a second signal while the caller writes its files ends the process.
// When a worker cannot be started (the executable gone), `not_started` says so: the runs started
// before finish and are passed to `done`, no other starts, and it returns 0.
int run_in_report_workers(const std::vector<explore::RunSpec>& specs, bool summary, unsigned jobs,
                          std::chrono::milliseconds timeout, const std::function<void(WorkerResult&&)>& done,
                          std::string& not_started);

// The record source of a spec (file, variant, overrides, repro), as the worker builds it.
report::RecordSource record_source(const explore::RunSpec& spec);

}  // namespace faultline::cli
