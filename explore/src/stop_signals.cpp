// Orderly stops on SIGINT and SIGTERM, shared by the commands of many runs (stop_signals.hpp).
#include "explore/stop_signals.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "explore/build_info.hpp"

namespace faultline::explore {

volatile std::sig_atomic_t stop_signal = 0;

namespace {

// A single run (run, replay) that got a stop signal must reach its next instant to stop; one stuck
// in a step of a process (an endless loop, a hang) never does. SIGALRM ends it after this long, so
// that one signal (a `timeout`, a job runner's SIGTERM) is enough. Written by the constructor,
// read by the handlers (async-signal-safe: a flag, a buffer, alarm, write, _exit).
volatile std::sig_atomic_t single_run = 0;
char grace_message[256] = {};
std::size_t grace_message_size = 0;

void on_stop(int sig) {
    stop_signal = sig;
    if (single_run != 0) ::alarm(StopSignals::grace_seconds);
}

void on_grace_over(int) {
    (void)!::write(STDERR_FILENO, grace_message, grace_message_size);
    ::_exit(128 + (stop_signal != 0 ? stop_signal : SIGTERM));
}

}  // namespace

StopSignals::StopSignals(bool second_ends_at_once) : single_run_(second_ends_at_once) {
    stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = second_ends_at_once ? SA_RESETHAND : 0;  // no SA_RESTART: the worker pool's poll() returns at once
    if (single_run_) {
        const int n = std::snprintf(grace_message, sizeof grace_message,
                                    "%s: the run did not stop within %us of the signal (still building its world, "
                                    "or a process stuck in one step: a hang?); ended at once, nothing more written\n",
                                    program_name().c_str(), grace_seconds);
        grace_message_size = n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof grace_message - 1);
        struct sigaction alarm {};
        alarm.sa_handler = on_grace_over;
        sigemptyset(&alarm.sa_mask);
        ::sigaction(SIGALRM, &alarm, &old_alrm_);
        single_run = 1;
    }
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
}

void StopSignals::restore() {
    if (restored_) return;
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    if (single_run_) {  // the run has stopped: what follows (writing its files) is not cut short
        single_run = 0;
        ::alarm(0);
        ::sigaction(SIGALRM, &old_alrm_, nullptr);
    }
    restored_ = true;
}

}  // namespace faultline::explore
