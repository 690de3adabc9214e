// Orderly stops on SIGINT and SIGTERM, shared by the commands of many runs (stop_signals.hpp).
#include "explore/stop_signals.hpp"

namespace faultline::explore {

volatile std::sig_atomic_t stop_signal = 0;

StopSignals::StopSignals(bool second_ends_at_once) {
    stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = [](int sig) { stop_signal = sig; };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = second_ends_at_once ? SA_RESETHAND : 0;  // no SA_RESTART: the worker pool's poll() returns at once
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
}

void StopSignals::restore() {
    if (restored_) return;
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    restored_ = true;
}

}  // namespace faultline::explore
