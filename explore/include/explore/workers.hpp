// Worker processes: each seed runs in a child process (the faultline binary itself, running its
// hidden `worker` subcommand), so a crash or an endless loop in one seed is a finding, not the
// end of the job. Children are started with fork/exec, report on a pipe, and are polled; one
// that passes its wall-clock limit is killed. Children die with the parent (PR_SET_PDEATHSIG),
// so a killed job leaves no spinning orphans.
//
// Wall-clock time is allowed here (it never enters a run): it bounds how long a worker may take.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "explore/outcome.hpp"

namespace faultline::explore {

// The running program's own path (/proc/self/exe), to start workers from.
std::string self_exe();
std::string signal_name(int signal);

// How to start a worker for `spec`: `EXE worker --spec JSON`, or, for a spec too long for a
// command line, `EXE worker --spec -` with the JSON on its stdin. The worker's argv[0] is the
// program's name (program_name()), not EXE's: the repro lines it prints name the program as it
// was called, even when that name is a link to EXE.
struct WorkerCommand {
    std::string exe;  // the file to start; empty: argv[0]
    std::vector<std::string> argv;
    std::string stdin_data;
};
WorkerCommand worker_command(const std::string& exe, const RunSpec& spec);

struct WorkerExit {
    std::uint64_t id = 0;
    bool timed_out = false;
    int exit_code = -1;    // when it exited
    int signal = 0;        // when a signal ended it (other than the timeout's SIGKILL)
    std::string out;       // everything it wrote to stdout
    std::string err_tail;  // the last few KB of its stderr
    double wall_ms = 0;
};

// The worker executable could not be run (gone, or not executable: a rebuild during a job). One
// line, exit 2; nothing about the seed it was to run.
struct WorkerStartError : InputError {
    using InputError::InputError;
};

class WorkerPool {
public:
    explicit WorkerPool(unsigned slots);
    ~WorkerPool();  // kills and reaps what is still running
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    bool has_room() const noexcept { return running_.size() < slots_; }
    std::size_t running() const noexcept { return running_.size(); }
    // Starts `exe` (or argv[0]) with these arguments (throws std::runtime_error if it cannot fork,
    // WorkerStartError if the executable cannot be run: nothing is started then).
    void start(std::uint64_t id, const WorkerCommand& command, std::chrono::milliseconds timeout);
    // Waits up to `wait` for output or exits; returns the workers that finished (or timed out).
    std::vector<WorkerExit> poll(std::chrono::milliseconds wait);

private:
    struct Running;
    unsigned slots_;
    std::vector<Running*> running_;
};

// Turns what a worker left behind into an outcome (crash, hang, error, or the run's own).
Outcome outcome_from_exit(const WorkerExit& exit, const RunSpec& spec, std::chrono::milliseconds timeout);
// The message of a worker that refused its spec as bad input (it exited 2, as `faultline` does
// for a usage or input error), from outcome_from_exit's outcome; nothing for any other outcome.
std::optional<std::string> worker_input_error(const Outcome& o);

// One spec in one worker, waiting for it (used by shrink).
Outcome run_in_worker(const std::string& exe, const RunSpec& spec, std::chrono::milliseconds timeout);

}  // namespace faultline::explore
