// SIGINT (Ctrl-C) and SIGTERM (a job runner's stop) end a command of many runs in an orderly way
// (fuzz, sweep, compare; run stops its one run through sim::Simulator::set_interrupt):
// while a StopSignals lives, either signal only sets `stop_signal`, and
// interrupts the worker pool's poll() (no SA_RESTART), so the command stops starting runs,
// abandons the running ones (their workers got the same Ctrl-C from the terminal: their exits say
// nothing about the runs) and writes what finished. restore() puts the previous handlers back, so
// that a second signal, while that is written, ends the process at once. Such a command exits
// 128 + the signal (130, 143), as a shell reports one.
#pragma once

#include <signal.h>

#include <csignal>

namespace faultline::explore {

// The signal that asked the command to stop, 0 until one does. Reset by each StopSignals.
extern volatile std::sig_atomic_t stop_signal;

class StopSignals {
public:
    // second_ends_at_once: the first signal resets its handler (SA_RESETHAND), so a second one
    // ends the process at once even before restore(): for a single run, which might sit in a
    // long step of one process and not look at stop_signal for a while. It also starts a grace
    // timer: a run that has not stopped (restore() not called) grace_seconds after the first
    // signal is stuck in a step, and the process ends then with 128 + the signal, saying so.
    explicit StopSignals(bool second_ends_at_once = false);
    static constexpr unsigned grace_seconds = 5;
    ~StopSignals() { restore(); }
    void restore();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    struct sigaction old_int_ {
    }, old_term_{}, old_alrm_{};
    bool single_run_ = false;
    bool restored_ = false;
};

}  // namespace faultline::explore
