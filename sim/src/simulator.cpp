// The event loop, process lifecycle, callbacks, trace hashing, invariants and limits.
#include "sim/simulator.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "sim/values.hpp"
#include "stack_pool.hpp"

namespace sim {

namespace {
thread_local Simulator* tl_current = nullptr;

[[noreturn]] void fatal(const std::string& text) {
    std::fprintf(stderr, "faultline: fatal: %s\n", text.c_str());
    std::fflush(stderr);
    std::abort();
}

// "process 17 'client-3'", or "process 17" for a process spawned without a name.
std::string process_label(const Ctx& p) {
    std::string label = "process " + std::to_string(p.id());
    if (!p.name().empty()) label += " '" + std::string(p.name()) + "'";
    return label;
}
}  // namespace

Simulator* current_simulator() noexcept { return tl_current; }
CurrentScope::CurrentScope(Simulator& sim) noexcept : previous_(tl_current) { tl_current = &sim; }
CurrentScope::~CurrentScope() { tl_current = previous_; }

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::pass: return "pass";
        case Verdict::fail: return "fail";
        case Verdict::runaway: return "runaway";
        case Verdict::interrupted:
            return "interrupted";
    }
    return "?";
}

Simulator::Simulator(Options options)
    : options_(std::move(options)),
      tie_rng_(Rng::derive(options_.seed, "kernel/ties")),
      stacks_(std::make_unique<detail::StackPool>(options_.stack_size, options_.guard_pages)),
      buggify_rng_(Rng::derive(options_.seed, "kernel/buggify")) {
    // Refused as a negative sleep is: a run planned to end before it starts "passed" with nothing
    // run and its clock set back (end_time -5s).
    SIM_ASSERT(!options_.duration || options_.duration->count() >= 0,
               "negative Options::duration " + format_value(options_.duration.value_or(Duration{})));
    SIM_ASSERT(options_.time_max.count() >= 0, "negative Options::time_max " + format_value(options_.time_max));
    // An absurd size failed only at the first spawn, as "making a guard page failed".
    SIM_ASSERT(options_.stack_size <= Options::stack_size_max,
               "Options::stack_size " + std::to_string(options_.stack_size) + " bytes is above stack_size_max (1 GiB)");
    // A limit nobody set does not cut a planned run short (it was a runaway at 24h).
    options_.time_max = options_.effective_time_max();
    hash_.reset(options_.seed);
    events_check_ = events_check_from(0);
    queue_.on_turn(
        [](void* self, std::span<EventQueue::Entry> near) noexcept { return static_cast<Simulator*>(self)->sieve_turn(near); },
        this);
    queue_.on_dead(
        [](void* self, const EventQueue::Entry& e) noexcept {
            auto* sim = static_cast<Simulator*>(self);
            if (!sim->dead(e)) return EventQueue::Fate::live;
            return e.time <= sim->due_max_ns_ ? EventQueue::Fate::dead : EventQueue::Fate::dead_past_end;
        },
        this);
    hosts_.emplace_back(Host::Key{}, this, 0, "world", Rng::derive(options_.seed, "host/world"));
    host_by_name_.emplace("world", 0);
}

Simulator::~Simulator() {
    shutdown();
    // Then the objects the simulator owns; durable host state (disks) goes with the hosts last.
    for (auto it = owned_.rbegin(); it != owned_.rend(); ++it) it->destroy(it->object);
    owned_.clear();
    for (Ctx* p : procs_) p->~Ctx();
}

void Simulator::shutdown() {
    if (current_ != nullptr) fatal("Simulator::shutdown() called from inside a process");
    CurrentScope scope(*this);
    for (Host& h : hosts_) {
        while (h.first_ != nullptr) kill(*h.first_);
    }
    // Then what the hosts made (servers, mailboxes, a model's per-host state): it may refer to the
    // models a caller destroys next, and to objects the simulator owns (those go later).
    for (Host& h : hosts_) h.destroy_volatile();
}

// ---- hosts ---------------------------------------------------------------------------------

Host& Simulator::add_host(std::string name) {
    SIM_ASSERT(!name.empty(), "a host needs a name");
    SIM_ASSERT(host_by_name_.find(name) == host_by_name_.end(), "duplicate host name: " + name);
    auto id = static_cast<std::uint32_t>(hosts_.size());
    Rng rng = Rng::derive(options_.seed, "host/" + name);
    host_by_name_.emplace(name, id);
    return hosts_.emplace_back(Host::Key{}, this, id, std::move(name), rng);
}

Host* Simulator::find_host(std::string_view name) noexcept {
    auto it = host_by_name_.find(name);
    return it == host_by_name_.end() ? nullptr : &hosts_[it->second];
}

namespace {
// '*' matches any run of characters (slashes included), '?' any one character.
bool glob_match(std::string_view pattern, std::string_view name) {
    std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}
}  // namespace

std::vector<Host*> Simulator::select(std::string_view pattern) {
    std::vector<Host*> out;
    if (auto g = groups_.find(pattern); g != groups_.end()) {
        for (std::uint32_t id : g->second) out.push_back(&hosts_[id]);
        std::sort(out.begin(), out.end(), [](const Host* a, const Host* b) { return a->id() < b->id(); });
        return out;
    }
    if (pattern.find_first_of("*?") != std::string_view::npos) {
        for (std::size_t i = 1; i < hosts_.size(); ++i) {
            if (glob_match(pattern, hosts_[i].name())) out.push_back(&hosts_[i]);
        }
        return out;
    }
    if (Host* h = find_host(pattern)) out.push_back(h);
    return out;
}

std::vector<std::string> Simulator::group_names() const {
    std::vector<std::string> out;
    for (const auto& [name, members] : groups_) out.push_back(name);
    return out;
}

Host& Simulator::host(std::string_view name) {
    Host* h = find_host(name);
    SIM_ASSERT(h != nullptr, "no host named '" + std::string(name) + "'");
    return *h;
}

// ---- processes -----------------------------------------------------------------------------

Ctx& Simulator::alloc_process(Host& host, std::string name) {
    SIM_ASSERT(host.alive_, "spawn on crashed host '" + host.name_ + "'");
    Ctx* p;
    if (!free_procs_.empty()) {
        p = procs_[free_procs_.back()];
        free_procs_.pop_back();
    } else {
        SIM_ASSERT(procs_.size() < UINT32_MAX, "too many processes");
        constexpr std::size_t per_chunk = 256;
        const std::size_t in_chunk = procs_.size() % per_chunk;
        if (in_chunk == 0) proc_chunks_.push_back(std::make_unique<unsigned char[]>(per_chunk * sizeof(Ctx)));
        void* where = proc_chunks_.back().get() + in_chunk * sizeof(Ctx);
        p = ::new (where) Ctx(Ctx::Key{});
        p->index_ = static_cast<std::uint32_t>(procs_.size());
        procs_.push_back(p);
    }
    p->sim_ = this;
    p->host_ = &host;
    p->name_ = std::move(name);
    p->pid_ = next_pid_++;
    p->kill_requested_ = false;
    p->unwind_parks_ = 0;
    p->resume_frame_ = nullptr;
    host.link(*p);
    ++processes_alive_;
    if (sink_ != nullptr) sink_->expect_host(host.id_);
    return *p;
}

ProcessRef Simulator::ref(Ctx& p) noexcept { return ProcessRef(this, p.index_, p.serial_, p.pid_); }

Ctx* Simulator::process_at(std::uint32_t index, std::uint32_t serial) noexcept {
    if (index >= procs_.size()) return nullptr;
    Ctx& p = *procs_[index];
    return (p.serial_ == serial && p.state_ != Ctx::State::free) ? &p : nullptr;
}

void Simulator::start_process(Ctx& p) {
    p.fiber_ = boost::context::fiber(std::allocator_arg, detail::PooledStack(stacks_.get(), p.index_),
                                     [&p](boost::context::fiber&& from) -> boost::context::fiber {
                                         Simulator& sim = *p.sim_;
                                         sim.stacks_->switches().finish(detail::FiberSwitches::of_process(p.index_));
                                         sim.adopt(std::move(from));
#if defined(SIM_ASAN_FIBERS)
                                         try {
                                             sim.run_process_body(p);
                                         } catch (const boost::context::detail::forced_unwind&) {
                                             // Unwound by a kill: Boost.Context switches back to the killer.
                                             sim.stacks_->switches().end_unwound(p.index_);
                                             throw;
                                         }
#else
                                         sim.run_process_body(p);
#endif
                                         return sim.exit_process(p);
                                     });
}

// Process p has returned from its body, on its own stack; the fiber this returns is resumed and
// p's stack is freed on the way. Like switch_away, p finishes its step and picks the next event
// right here when nothing needs the scheduler, and hands over straight to the next process: the
// same order as the scheduler's resume() -> finish_process -> after_step -> pick. Otherwise it
// goes back to the scheduler, which finishes it (or, if next_from_process left a handoff, finds
// it finished already).
boost::context::fiber Simulator::exit_process(Ctx& p) {
    current_ = nullptr;
    if (options_.direct_switch && deferred_crashes_.empty()) {
        finish_process(p);
        // The next process adopts p's (empty) continuation into p's slot, which is free - or is
        // that very process's, if a delivery above spawned it there: it is running, and a running
        // process's fiber_ is empty anyway.
        if (Ctx* next = next_from_process()) {
            boost::context::fiber& to = enter(*next, &p);
            stacks_->switches().start(detail::FiberSwitches::of_process(p.index_),
                                      detail::FiberSwitches::of_process(next->index_), true);
            return std::move(to);
        }
    }
    returning_ = &p;
    stacks_->switches().start(detail::FiberSwitches::of_process(p.index_), detail::FiberSwitches::scheduler, true);
    return std::move(sched_);
}

void Simulator::run_process_body(Ctx& p) {
    try {
        p.fn_(p);
    } catch (const detail::AssertionFailure&) {
        // already recorded; the run stops
    } catch (const detail::ProcessKilled&) {
        // its own host crashed under it: it has unwound, which is all a kill does
    } catch (...) {
        // Recorded as a failure; a kill's forced_unwind is rethrown, for Boost.Context to finish.
        fail_caught({});
    }
    if (p.state_ == Ctx::State::unwinding) {
        fatal(process_label(p) + " on host '" + p.host_->name_ +
              "' swallowed Boost.Context's forced_unwind (a catch (...) without rethrow?); "
              "a killed process must unwind");
    }
}

// Makes p the running process, about to be switched to from process `from`'s stack (null: from
// the scheduler's); the fiber to resume is p's.
boost::context::fiber& Simulator::enter(Ctx& p, Ctx* from) {
    if (p.state_ == Ctx::State::created) start_process(p);
    current_ = &p;
    p.state_ = Ctx::State::running;
    switch_from_ = from;
    return p.fiber_;
}

// Whoever switched to the running fiber handed over its own continuation: keep it where it is
// looked for (the scheduler's in sched_, a process's in its fiber_).
void Simulator::adopt(boost::context::fiber&& from) noexcept {
    if (switch_from_ != nullptr) switch_from_->fiber_ = std::move(from);
    else sched_ = std::move(from);
}

// The scheduler runs process p. Control comes back when some process - p, or one that p (or a
// process after it) switched to directly - switches back to the scheduler or finishes.
void Simulator::resume(Ctx& p) {
    boost::context::fiber& to = enter(p, nullptr);
    detail::FiberSwitches& switches = stacks_->switches();
    switches.start(detail::FiberSwitches::scheduler, detail::FiberSwitches::of_process(p.index_));
    boost::context::fiber back = std::move(to).resume();
    switches.finish(detail::FiberSwitches::scheduler);
    Ctx& q = *returning_;
    q.fiber_ = std::move(back);
    current_ = nullptr;
    if (handoff_ != Handoff::none) return;  // q finished its step itself and picked the next
    if (!q.fiber_) {
        finish_process(q);
    } else if (q.kill_requested_) {
        kill(q);
    }
    if (!deferred_crashes_.empty()) run_deferred_crashes();
}

// On the stack of process x, which has just suspended. What the scheduler would do next - finish
// x's step, then pick the next event - is done right here when it needs nothing only the
// scheduler may do, and x then switches straight to the next process (or simply goes on, if the
// next event is its own wake-up). The event order is exactly the scheduler's: this runs the same
// pick(). Deliveries (deliver_at) run here too; plain callbacks, a kill or crash to complete and
// the end of the loop go back to the scheduler.
void Simulator::switch_away(Ctx& x) {
    current_ = nullptr;
    Ctx* next = nullptr;
    if (options_.direct_switch && !x.kill_requested_ && deferred_crashes_.empty()) next = next_from_process();
    if (next == &x) {
        current_ = &x;
        x.state_ = Ctx::State::running;
        return;
    }
    x.resume_frame_ = static_cast<const char*>(__builtin_frame_address(0));
    boost::context::fiber from;
    {
        // (For AddressSanitizer; nothing without it.) x goes on by returning here, or unwinding
        // from here (killed): either way the switch back to it is finished.
        detail::FiberSwitches& switches = stacks_->switches();
        const detail::FiberLanding landing(switches, detail::FiberSwitches::of_process(x.index_));
        if (next != nullptr) {
            boost::context::fiber& to = enter(*next, &x);
            switches.start(detail::FiberSwitches::of_process(x.index_),
                           detail::FiberSwitches::of_process(next->index_));
            from = std::move(to).resume();
        } else {
            returning_ = &x;
            switches.start(detail::FiberSwitches::of_process(x.index_), detail::FiberSwitches::scheduler);
            from = std::move(sched_).resume();
        }
    }
    adopt(std::move(from));  // x runs again: whoever resumed it set current_ and its state
}

// The rest of the step of a process that suspended, and the next event to run: the process to
// switch to, or null with handoff_ saying what the scheduler must do.
Ctx* Simulator::next_from_process() {
    after_step();
    EventQueue::Entry e;
    Stop why;
    for (;;) {
        if (!pick(e, why)) {
            handoff_ = Handoff::stop;
            handoff_stop_ = why;
            return nullptr;
        }
        const auto index = static_cast<std::uint32_t>(e.payload);
        if ((e.payload & callback_bit) && !slot(index).delivery) {
            handoff_ = Handoff::event;
            handoff_event_ = e;
            return nullptr;
        }
        if (Ctx* p = begin_event(e)) return p;
        run_callback(index);
        after_step();
    }
}

void Simulator::defer_host_crash(Host& host, bool reboot) { deferred_crashes_.emplace_back(&host, reboot); }

void Simulator::run_deferred_crashes() {
    while (!deferred_crashes_.empty()) {
        auto [host, reboot] = deferred_crashes_.front();
        deferred_crashes_.erase(deferred_crashes_.begin());
        host->crash_now();
        if (reboot) host->boot();
    }
}

void Simulator::kill(Ctx& p) {
    assert_may_kill();
    switch (p.state_) {
        case Ctx::State::free:
        case Ctx::State::unwinding:
            return;
        case Ctx::State::running:
            p.kill_requested_ = true;  // it is on the stack right now: it unwinds when it suspends
            return;
        case Ctx::State::created:
            finish_process(p);
            return;
        case Ctx::State::suspended: {
            p.state_ = Ctx::State::unwinding;
            Ctx* previous = current_;
            current_ = &p;
            const std::uint32_t killer = previous != nullptr ? detail::FiberSwitches::of_process(previous->index_)
                                                             : detail::FiberSwitches::scheduler;
            stacks_->switches().start_kill(killer, p.index_);
            p.fiber_ = {};  // resumes it with forced_unwind; returns once its stack is unwound
            stacks_->switches().finish(killer);
            current_ = previous;
            finish_process(p);
            return;
        }
    }
}

void Simulator::finish_process(Ctx& p) {
    while (detail::Waiter* w = p.joiners_.pop_front()) notify(*w);
    p.host_->unlink(p);
    p.fn_.reset();
    p.state_ = Ctx::State::free;
    ++p.serial_;
    ++p.wait_gen_;
    p.kill_requested_ = false;
    free_procs_.push_back(p.index_);
    --processes_alive_;
}

// ---- scheduling ----------------------------------------------------------------------------

void Simulator::notify(detail::Waiter& w) {
    w.notified = true;
    prefetch_stack(*w.proc);
    // A parked process's wait generation is the one it parked with: it moves on only at a resume.
    const std::uint64_t payload = (static_cast<std::uint64_t>(w.proc->wait_gen_ & gen_mask) << 32) | w.proc->index_;
    if (options_.shuffle_ties) push_shuffled_wakeup(payload);
    else wake_now_.push_back(payload);
}

// Out of line, like the growth of wake_now_: notify runs at the bottom of a suspending
// process's stack (a delivery run by switch_away), so its frame is part of every fiber's hot
// stack, and the queue's push inlined here made it 112 bytes.
void Simulator::push_shuffled_wakeup(std::uint64_t payload) { push(now_, payload); }

std::uint32_t Simulator::new_slot() { return slots_.grow(); }

bool Simulator::cancel(TimerId id) noexcept {
    if (id.slot >= slots_.size()) return false;
    Slot& s = slot(id.slot);
    if (!s.pending || s.gen != id.gen) return false;
    s.pending = false;
    free_slot(id.slot);
    return true;
}

// ---- the loop ------------------------------------------------------------------------------

void Simulator::record_kernel_event(const EventQueue::Entry& e, Ctx* p) {
    const Host& h = p ? *p->host_ : hosts_.front();
    if (p) {
        TraceField fields[] = {{"pid", p->pid_}, {"name", std::string_view(p->name_)}};
        sink_->record({record_index_ - 1, now_, h.id_, h.name_, "kernel.resume", fields, true, hash_.value(), false, &h.name_});
    } else {
        TraceField fields[] = {{"order", e.order}};
        sink_->record({record_index_ - 1, now_, h.id_, h.name_, "kernel.callback", fields, true, hash_.value(), false, &h.name_});
    }
}

// A wake-up for a process on a paused host waits on the host until it resumes.
bool Simulator::held_by_pause(const EventQueue::Entry& e) {
    if (e.payload & callback_bit) return false;
    Host& h = *procs_[static_cast<std::uint32_t>(e.payload)]->host_;
    if (!h.paused_) return false;
    h.deferred_.push_back(e.payload);
    return true;
}

// An entry that can never run: a callback cancelled since (its slot freed, or reused with a newer
// generation), or a wake-up that lost its race (the process was woken another way since). Both
// only grow: once dead, an entry stays dead, whenever it is looked at.
inline bool Simulator::dead(const EventQueue::Entry& e) noexcept {
    const auto index = static_cast<std::uint32_t>(e.payload);
    const auto gen = static_cast<std::uint32_t>(e.payload >> 32) & gen_mask;
    if (e.payload & callback_bit) {
        const Slot& s = slot(index);
        return !s.pending || (s.gen & gen_mask) != gen;
    }
    return (procs_[index]->wait_gen_ & gen_mask) != gen;
}

inline bool Simulator::stale(const EventQueue::Entry& e) noexcept {
    if (dead(e)) return true;
    if (e.payload & callback_bit) return false;
    const Ctx& p = *procs_[static_cast<std::uint32_t>(e.payload)];
    return p.state_ != Ctx::State::suspended && p.state_ != Ctx::State::created;
}

// While this event runs, starts loading what the next one in the queue will touch first: its
// callback's slot, or its process and the top of that process's stack. Worth it only when the
// processes' stacks do not fit in the cache (see prefetch_from_processes); below that it costs
// W1 and W3 3-5%.
void Simulator::prefetch_next() noexcept {
    const EventQueue::Entry* next = queue_.peek();
    if (next == nullptr) return;
    const auto index = static_cast<std::uint32_t>(next->payload);
    if (next->payload & callback_bit) {
        __builtin_prefetch(&slot(index));
        return;
    }
    const Ctx* p = procs_[index];
    __builtin_prefetch(p);
    prefetch_stack(*p);
}

// The wheel has just turned a bucket into the heap: the events of the next bucket's width of
// time, scheduled long ago (arrivals, timeouts), whose slots and processes are out of the cache
// by now. They are looked at here, all at once, so that the misses overlap instead of coming one
// pop at a time, and the dead ones (timeouts of calls answered long ago: a sixth of the
// stampede's pops) leave the queue now instead of going through the heap first. Only entries the
// loop would reach anyway are dropped (due by due_max_ns_: a dead entry past the loop's end still
// decides why the loop stops, as before). Nothing observable changes: a dead entry would have been
// skipped when it surfaced. The wheel runs only in a big queue (see EventQueue::Tuning::wheel_from),
// so this needs no other test of the run's size.
std::size_t Simulator::sieve_turn(std::span<EventQueue::Entry> near) noexcept {
    // A huge bucket (a million sleepers due at one instant) would evict its own first entries
    // before they pop: only the first of them are looked at, the rest are kept as they are.
    const std::size_t looked = std::min(near.size(), sieve_turn_max);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < looked; ++i) {
        const EventQueue::Entry e = near[i];
        if (e.time <= due_max_ns_ && dead(e)) continue;
        if (e.payload & callback_bit) {  // the rest of the callback's slot, and what it said it reads
            const Slot& s = slot(static_cast<std::uint32_t>(e.payload));
            __builtin_prefetch(&s);
            __builtin_prefetch(reinterpret_cast<const char*>(&s) + sizeof(Slot) - 1);
            prefetch_touches(s);
        }
        near[kept++] = e;
    }
    for (std::size_t i = looked; i < near.size(); ++i) near[kept++] = near[i];
    return kept;
}

// A callback's Touches hint (see at()), from its slot.
void Simulator::prefetch_touches(const Slot& s) noexcept {
    for (std::size_t r = 0; r < Touches::ranges_max; ++r) {
        const auto* at = static_cast<const char*>(s.touch_at[r]);
        for (std::uint32_t off = 0; off < s.touch_bytes[r]; off += 64) __builtin_prefetch(at + off);
    }
}

// A woken process's stack was last touched when it suspended, often thousands of events ago, and
// is out of the cache by now. Its resume returns through a dozen cold frames one after the other,
// each a cache miss that waits for the one before; asking for the lines at once, when it is
// woken, overlaps the misses with each other and with the rest of this step. Measured on
// kernel_bench W2 (2,000 fibers): -256..+512 bytes around the frame it suspended in was best
// (wider ranges evict more than they save). Only a hint: nothing observable changes.
void Simulator::prefetch_stack(const Ctx& p) noexcept {
    if (const char* f = p.resume_frame_) {
        for (int off = -256; off < 512; off += 64) __builtin_prefetch(f + off);
    }
}

Ctx* Simulator::begin_event(const EventQueue::Entry& e) {
    ++events_;
    if (e.payload & callback_bit) {
        hash_kernel_event(e, nullptr);
        return nullptr;
    }
    Ctx& p = *procs_[static_cast<std::uint32_t>(e.payload)];
    hash_kernel_event(e, &p);
    ++p.wait_gen_;
    return &p;
}

void Simulator::dispatch(const EventQueue::Entry& e) {
    if (Ctx* p = begin_event(e)) resume(*p);
    else run_callback(static_cast<std::uint32_t>(e.payload));
}

void Simulator::run_callback(std::uint32_t index) {
    Slot& s = slot(index);
    s.pending = false;
    no_kill_ = s.delivery ? "a delivery (deliver_at)" : nullptr;
    try {
        s.fn();
    } catch (const detail::AssertionFailure&) {
    } catch (const std::exception& ex) {
        fail_exception(ex.what());
    } catch (...) {
        fail_exception("unknown exception");
    }
    no_kill_ = nullptr;
    free_slot(index);
}

// The next event to run, in the kernel's order: first the processes woken by the last step (in
// notification order; they may wake more), then the queue. False when the loop must end, with
// the reason. Called by the scheduler and by suspending processes alike (switch_away).
// The common wake-up is taken here, inline; everything else is pick_slow's (the same loop from
// the top), whose queue pop needs six saved registers that a wake-up should not pay for: pick
// runs at the bottom of a suspending process's stack, twice per message in W2.
inline bool Simulator::pick(EventQueue::Entry& e, Stop& why) {
    if (wake_pos_ < wake_now_.size && !stopped_ && events_ < events_check_ && take_wakeup(e)) return true;
    return pick_slow(e, why);
}

// The next of this step's wake-ups (there is one) into e: false if it lost its race (stale) or
// waits on a paused host.
inline bool Simulator::take_wakeup(EventQueue::Entry& e) {
    e = {now_.time_since_epoch().count(), next_order(), wake_now_.data[wake_pos_++]};
    return !stale(e) && (hosts_paused_ == 0 || !held_by_pause(e));
}

bool Simulator::pick_slow(EventQueue::Entry& e, Stop& why) {
    for (;;) {
        if (stopped_) {
            drop_wakeups();
            why = Stop::stopped;
            return false;
        }
        if (wake_pos_ < wake_now_.size) {
            if (!take_wakeup(e)) continue;
            if (events_ >= events_check_) {  // processes waking each other at one instant, forever
                drop_wakeups();
                why = past_events_check();
                return false;
            }
            return true;
        }
        if (wake_pos_ != 0) drop_wakeups();  // all of them ran
        const EventQueue::Entry* top = queue_.front();
        if (top == nullptr) {
            why = Stop::drained;
            return false;
        }
        if (top->time > due_max_ns_) {  // one test per pop; which limit it was is the cold path's
            why = beyond_due_max(top->time);
            return false;
        }
        e = queue_.pop_front(top);
        if (processes_alive_ >= prefetch_from_processes) prefetch_next();
        if (stale(e) || (hosts_paused_ != 0 && held_by_pause(e))) continue;
        if (e.time != now_.time_since_epoch().count()) events_check_ = events_check_from(events_);
        if (events_ >= events_check_) {
            why = past_events_check();
            return false;
        }
        now_ = Time(Duration(e.time));
        return true;
    }
}

// Why the loop ends at an event due after due_max_ns_, in the order the limits are checked: the
// loop's end, then time_never (only sleepers until then are left, e.g. sleep_for(duration_forever):
// nothing will ever happen again, which ends a run without a planned duration, not a runaway),
// then time_max.
Simulator::Stop Simulator::beyond_due_max(std::int64_t due) const noexcept {
    if (due > until_ns_) return Stop::reached_until;
    if (due == time_never.time_since_epoch().count()) return Stop::drained;
    return Stop::time_limit;
}

std::uint64_t Simulator::events_check_from(std::uint64_t first) const noexcept {
    // Asked to stop: the check fails at once, and past_events_check says why.
    if (interrupt_ != nullptr && *interrupt_ != 0) return first;
    const std::uint64_t events_max = options_.events_max;
    if (first >= events_max || options_.events_per_instant_max >= events_max - first) return events_max;
    return first + options_.events_per_instant_max;
}

Simulator::Stop Simulator::past_events_check() const noexcept {
    if (events_ >= options_.events_max) return Stop::event_limit;
    if (interrupt_ != nullptr && *interrupt_ != 0) return Stop::interrupted;
    return Stop::time_stood_still;
}

Simulator::Stop Simulator::loop(Time until) {
    CurrentScope scope(*this);
    struct Running {
        bool& flag;
        explicit Running(bool& f) : flag(f) { flag = true; }
        ~Running() { flag = false; }
    } running(running_);
    until_ns_ = until.time_since_epoch().count();
    due_max_ns_ = std::min({until_ns_, options_.time_max.count(), time_never.time_since_epoch().count() - 1});
    EventQueue::Entry e;
    Stop why;
    for (;;) {
        if (handoff_ == Handoff::stop) {
            handoff_ = Handoff::none;
            return handoff_stop_;
        }
        if (handoff_ == Handoff::event) {
            handoff_ = Handoff::none;
            e = handoff_event_;
        } else if (!pick(e, why)) {
            return why;
        }
        dispatch(e);
        if (handoff_ == Handoff::none) after_step();
    }
}

void Simulator::run_until(Time t) {
    // From a callback or a process the rest of the run would go on re-entrantly, on that stack.
    SIM_ASSERT(!running_, "run_until() called while the simulator is running");
    Stop why = loop(t);
    if (why == Stop::reached_until || why == Stop::drained) now_ = std::max(now_, std::min(t, Time(options_.time_max)));
}

RunResult Simulator::run() {
    SIM_ASSERT(!running_, "run() called while the simulator is running");
    const Time planned = options_.duration ? Time(*options_.duration) : time_never;
    RunResult r;
    Stop why = loop(planned);
    switch (why) {
        case Stop::reached_until:
            now_ = planned;
            break;
        case Stop::drained:
            // The world went still: nothing can happen any more, so the planned end comes with
            // nothing in between (a run without one ends here). It used to end here silently.
            r.drained_at = now_;
            r.blocked_forever = processes_alive_;
            if (options_.duration) now_ = std::max(now_, std::min(planned, Time(options_.time_max)));
            break;
        case Stop::stopped:
            break;
        case Stop::time_limit:
            now_ = Time(options_.time_max);
            r.verdict = Verdict::runaway;
            r.runaway_reason = "virtual time limit reached (time_max " + format_value(options_.time_max);
            if (options_.duration)
                r.runaway_reason += ", before the planned duration " + format_value(*options_.duration);
            r.runaway_reason += ")";
            break;
        case Stop::event_limit:
            r.verdict = Verdict::runaway;
            r.runaway_reason = "event limit reached (events_max " + std::to_string(options_.events_max) + ")";
            break;
        case Stop::interrupted:
            r.verdict = Verdict::interrupted;
            r.runaway_reason = "interrupted from outside the run (set_interrupt)";
            break;
        case Stop::time_stood_still:
            r.verdict = Verdict::runaway;
            r.runaway_reason = "virtual time stood still (" + std::to_string(options_.events_per_instant_max) + " events in a row at " +
                               format_time(now_) + ", events_per_instant_max: a loop that never waits?)";
            break;
    }
    if (!failure_ && r.verdict == Verdict::pass) {
        CurrentScope scope(*this);
        for (Eventually& ev : eventually_) {
            if (!ev.satisfied && !ev.holds()) {
                std::string why = "the run ended at " + format_time(now_) + " before it held (deadline " + format_time(ev.deadline) + ")";
                if (ev.explain) why += ": " + ev.explain();
                fail({"eventually", ev.name, why, "", "", now_});
                break;
            }
        }
        if (!failure_) check_required_coverage();
    }
    if (failure_) {
        r.verdict = Verdict::fail;
        r.failure = failure_;
    }
    r.events = events_;
    r.end_time = now_;
    r.trace_hash = hash_.value();
    r.buggify_sites = buggify_armed_.size();
    return r;
}

// ---- invariants, failures, coverage --------------------------------------------------------

void Simulator::always(std::string name, UniqueFunction<bool()> holds, UniqueFunction<std::string()> explain) {
    always_.push_back({std::move(name), std::move(holds), std::move(explain)});
}

std::vector<Simulator::InvariantInfo> Simulator::invariants() const {
    std::vector<InvariantInfo> out;
    for (const Always& a : always_) out.push_back({a.name, "always", std::nullopt});
    for (const Eventually& e : eventually_) out.push_back({e.name, "eventually", e.deadline, e.satisfied});
    return out;
}

void Simulator::eventually(std::string name, Time deadline, UniqueFunction<bool()> holds, UniqueFunction<std::string()> explain) {
    const std::size_t i = eventually_.size();
    eventually_.push_back({std::move(name), deadline, std::move(holds), std::move(explain), false});
    ++eventually_open_;
    at(deadline, [this, i] {
        Eventually& ev = eventually_[i];
        if (ev.satisfied) return;
        if (ev.holds()) {
            ev.satisfied = true;
            --eventually_open_;
            return;
        }
        std::string why = "did not hold by its deadline " + format_time(ev.deadline);
        if (ev.explain) why += ": " + ev.explain();
        fail({"eventually", ev.name, why, "", "", now_});
    });
}

// Checked after every event, by the scheduler or on the stack of a process that just suspended
// (switch_away): an invariant only reads. One that throws fails the run, wherever it runs.
void Simulator::check_invariants() {
    no_kill_ = "an invariant";
    // A predicate reads the world; one that schedules, spawns or wakes would run again after the
    // event it made, and again, with time standing still.
    const std::uint64_t scheduled = seq_;
    const std::size_t woken = wake_now_.size;
    auto changed_world = [&](const std::string& name) {
        if (seq_ == scheduled && wake_now_.size == woken) return false;
        fail({"exception", "an invariant changed the world",
              "invariant '" + name + "': its predicate changed the world (it scheduled an event, spawned a process or woke one); a predicate must only read",
              "", "", now_});
        return true;
    };
    try {
        bool violated = false;
        for (Always& a : always_) {
            const bool holds = a.holds();
            if (changed_world(a.name)) {
                violated = true;
                break;
            }
            if (!holds) {
                fail({"invariant", a.name, a.explain ? a.explain() : "violated at " + format_time(now_), "", "", now_});
                violated = true;
                break;
            }
        }
        if (eventually_open_ != 0 && !violated) {
            for (Eventually& ev : eventually_) {
                if (!ev.satisfied && ev.holds()) {
                    ev.satisfied = true;
                    --eventually_open_;
                }
                if (changed_world(ev.name)) break;
            }
        }
    } catch (const detail::AssertionFailure&) {
        // already recorded; the run stops
    } catch (const std::exception& ex) {
        fail({"exception", "uncaught exception", std::string("uncaught exception in an invariant: ") + ex.what(), "", "", now_});
    }
    no_kill_ = nullptr;
}

void Simulator::fail(Failure failure) {
    if (failure_) return;
    if (failure.host.empty() && current_ != nullptr) failure.host = current_->host_->name_;
    failure.time = now_;
    failure_ = std::move(failure);
    stopped_ = true;
}

void Simulator::fail_exception(std::string_view what, std::string_view doing) {
    std::string where = current_ ? process_label(*current_) : "a callback";
    if (!doing.empty()) where += ", " + std::string(doing);
    fail({"exception", "uncaught exception", "uncaught exception in " + where + ": " + std::string(what), "", "", now_});
}

void Simulator::fail_caught(std::string_view doing) {
    try {
        throw;
    } catch (const boost::context::detail::forced_unwind&) {
        throw;
    } catch (const detail::AssertionFailure&) {
        throw;
    } catch (const detail::ProcessKilled&) {
        throw;
    } catch (const std::exception& e) {
        fail_exception(e.what(), doing);
    } catch (...) {
        fail_exception("unknown exception", doing);
    }
}

void Simulator::require_coverage(std::string name) { required_marks_.push_back(std::move(name)); }

void Simulator::count_cover(std::uint32_t site_id) noexcept {
    if (site_id >= cover_hits_.size()) cover_hits_.resize(site_id + 1, 0);
    ++cover_hits_[site_id];
}

void Simulator::check_required_coverage() {
    for (const std::string& mark : required_marks_) {
        if (coverage_count(mark) == 0) {
            fail({"coverage", mark, "required coverage mark '" + mark + "' was never reached", "", "", now_});
            return;
        }
    }
}

bool Simulator::buggify_site(Ctx& ctx, Ratio fire, const char* file, int line) {
    if (!options_.buggify) return false;
    std::string_view path(file);
    std::string_view base = path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1);
    const std::uint64_t key = mix64(hash_name(base) ^ (static_cast<std::uint64_t>(line) * 0x9E3779B97F4A7C15ull));
    auto [it, inserted] = buggify_armed_.try_emplace(key, false);
    if (inserted) it->second = (mix64(key ^ mix64(options_.seed ^ 0xB0661F7ull)) & 1) != 0;
    if (!it->second) return false;
    const bool fires = buggify_rng_.bernoulli(fire);
    if (fires) {
        SIM_COVER("buggify: fired");
        trace(ctx.host(), "buggify", {{"site", base}, {"line", line}, {"injected", true}});
    }
    return fires;
}

bool buggify(Ctx& ctx, Ratio fire, const char* file, int line) { return ctx.sim().buggify_site(ctx, fire, file, line); }

// ---- trace ---------------------------------------------------------------------------------

void Simulator::trace(const Host& host, std::string_view kind, std::span<const TraceField> fields) {
    if (options_.hash_trace) {
        hash_.add(static_cast<std::uint64_t>(now_.time_since_epoch().count()));
        hash_.add(static_cast<std::uint64_t>(host.id_));
        hash_.add(kind);
        // Values only: a kind always carries the same keys, so hashing them adds nothing.
        for (const TraceField& f : fields) hash_.add(f.value);
    }
    ++record_index_;
    if (sink_ != nullptr) {
        sink_->record({record_index_ - 1, now_, host.id_, host.name_, kind, fields, false, hash_.value(), false, &host.name_});
    }
}

void Simulator::record_detail(const Host& host, std::string_view kind, std::span<const TraceField> fields) {
    // Not hashed, and not counted in record_index_: runs with and without a sink number their
    // hashed records the same way. The index shown is the next hashed record's.
    sink_->record({record_index_, now_, host.id_, host.name_, kind, fields, false, hash_.value(), true, &host.name_});
}

void Simulator::trace(std::string_view kind, TraceFields fields) {
    trace(current_ ? *current_->host_ : hosts_.front(), kind, fields);
}

}  // namespace sim
