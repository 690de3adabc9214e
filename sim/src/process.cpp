// Ctx (a process's view of the kernel) and ProcessRef.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/simulator.hpp"

namespace sim {

// ---- Ctx -----------------------------------------------------------------------------------

void Ctx::suspend() {
    state_ = State::suspended;
    sim_->switch_away(*this);  // throws forced_unwind here if the process is killed
}

// A destructor running during a kill tried to wait: there is no waiting any more. If this
// repeats without end, the process swallowed the unwind and loops; stop it loudly.
[[gnu::cold, gnu::noinline]] void Ctx::park_while_unwinding() {
    if (++unwind_parks_ > 10000) {
        std::fprintf(stderr, "faultline: fatal: process %llu keeps waiting while being killed "
                             "(forced_unwind swallowed by a catch (...)?)\n",
                     static_cast<unsigned long long>(pid_));
        std::abort();
    }
}

// The cold and the bulky paths are calls, so that park's own frame stays small: it is on the
// stack of every waiting process, between its body and the kernel's frames below.
bool Ctx::park(detail::WaitList* list, Time deadline, void* slot) {
    if (state_ == State::unwinding) {
        park_while_unwinding();
        return false;
    }
    SIM_ASSERT(sim_->current() == this, "a process may only wait on its own Ctx");
    detail::Waiter& w = waiter_;  // its proc is this process, for good (the constructor)
    w.slot = slot;
    w.notified = false;
    // Unlinks the Waiter however park() ends: resumed by a timeout, or unwound by a kill.
    struct Unlink {
        detail::Waiter& w;
        ~Unlink() {
            if (w.list != nullptr) w.list->remove(&w);
        }
    } unlink{w};
    if (list != nullptr) list->push_back(&w);
    // A deadline already past times out now (after anything else due at this instant).
    if (deadline != time_never) sim_->schedule_timeout(*this, deadline);
    suspend();
    return w.notified;
}

void Ctx::sleep_until(Time t) {
    // A sleep needs no wait list: nothing but its own timer can wake it. While the process is
    // killed, it returns at once, counted like park's: a loop that swallows the kill around a
    // sleep (a compute, a yield) would otherwise spin here for good, with no event to end it.
    if (state_ == State::unwinding) {
        park_while_unwinding();
        return;
    }
    SIM_ASSERT(sim_->current() == this, "a process may only sleep on its own Ctx");
    sim_->schedule_resume(*this, t < now() ? now() : t);
    suspend();
}

void Ctx::sleep_for(Duration d) {
    SIM_ASSERT(d.count() >= 0, "negative sleep");
    sleep_until(saturating_add(now(), d));
}

void Ctx::compute(Duration cost) {
    const double slowdown = host_->slowdown();
    if (slowdown == 1.0) return sleep_for(cost);
    sleep_for(saturating_duration(std::round(static_cast<double>(cost.count()) * slowdown)));
}

void Ctx::yield() { sleep_until(now()); }

void Ctx::trace(std::string_view kind, TraceFields fields) { sim_->trace(*host_, kind, fields); }

// ---- ProcessRef ----------------------------------------------------------------------------

Ctx* ProcessRef::get() const noexcept { return sim_ ? sim_->process_at(index_, serial_) : nullptr; }

bool ProcessRef::running() const noexcept { return get() != nullptr; }

void ProcessRef::kill() const {
    if (Ctx* p = get()) sim_->kill(*p);
}

bool ProcessRef::join(Ctx& ctx, Duration timeout) const {
    Ctx* p = get();
    if (p == nullptr) return true;
    SIM_ASSERT(p != &ctx, "a process cannot join itself");
    return ctx.park(&p->joiners_, saturating_add(ctx.now(), timeout));
}

}  // namespace sim
