// The simulator: one seeded, single-threaded run of virtual time.
//
// It owns the event queue, the hosts and their processes (fibers), the run's random streams,
// the trace hash, invariants, coverage and limits. A run ends with a verdict: pass, fail (an
// invariant, assertion or required coverage mark), runaway (the virtual-time or event limit
// was passed, or virtual time stood still for too many events in a row) or interrupted (asked
// to stop from outside, set_interrupt). It is also an Asio execution context (see
// sim/asio.hpp for its executor).
//
// Left out on purpose: threads, the wall clock, and any global state other than the
// thread-local "current simulator" used by SIM_ASSERT / SIM_COVER.
#pragma once

#include <utility>  // before Asio: Boost 1.74's Asio needs it under g++ 12 in C++20 mode

#include <algorithm>
#include <array>
#include <boost/asio/execution_context.hpp>
#include <csignal>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/check.hpp"
#include "sim/chunked.hpp"
#include "sim/ctx.hpp"
#include "sim/event_queue.hpp"
#include "sim/function.hpp"
#include "sim/host.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

namespace detail {
class StackPool;
}
class Executor;

// Every field has a default member initializer: g++'s -Wextra warns of a designated initializer
// (Options{.seed = 42}) that leaves out one without.
struct Options {
    std::uint64_t seed = 1;
    // The planned length of the run: reaching it ends the run normally. Unset: until no event is
    // left (or a limit is passed). Not negative (nor is time_max): the simulator refuses it.
    std::optional<Duration> duration{};
    // Limits. Passing either ends the run with the verdict "runaway".
    // Virtual time. Left at its default (time_max_default, 24h) it follows a longer planned
    // duration: a run planned for 48h runs 48h (options() then says 48h). Set below the duration,
    // it ends the run there as a runaway: a way to stop a long run early. Set to exactly 24h it is
    // the default, so a longer planned run still runs to its end.
    static constexpr Duration time_max_default = std::chrono::hours(24);
    Duration time_max = time_max_default;
    // The limit the run keeps: time_max, or a longer planned duration when time_max is the default.
    Duration effective_time_max() const {
        return duration && time_max == time_max_default && *duration > time_max ? *duration : time_max;
    }
    std::uint64_t events_max = 2'000'000'000;
    // Events in a row at one instant of virtual time, past which the run is a runaway too: a
    // loop that never waits (a retry with no backoff against an instant refusal, a crash loop
    // with no delay) would otherwise spin until events_max, minutes of wall time later. Well
    // above what a start-up or a burst puts at one instant (a million processes each starting).
    std::uint64_t events_per_instant_max = 10'000'000;
    // Fiber stacks: pooled and reused; memory is touched only as a stack grows. Each process
    // has stack_size bytes (at least 16 KiB, rounded up to whole pages): deep recursion or large
    // local arrays need more. A process that overflows its stack ends the program with a line
    // naming it and exit code 3. A guard page catches the overflow as it happens: below every
    // stack on Linux 6.13+, elsewhere below the program's first 8,192 stacks (past them an
    // overflow is found as the simulator is destroyed). There, guard_pages guards every stack,
    // and caps a run near 32k processes (each guard page is two of Linux's vm.max_map_count =
    // 65,530 mappings). See sim/src/stack_pool.hpp. At most stack_size_max (1 GiB): more is
    // refused when the simulator is made (a slab of such stacks could not be mapped anyway).
    static constexpr std::size_t stack_size_max = std::size_t{1} << 30;
    std::size_t stack_size = 64 * 1024;
    bool guard_pages = false;
    // Explore orders of same-time events: ties broken by a seeded random priority instead of
    // first-scheduled-first.
    bool shuffle_ties = false;
    // Arm buggify() sites (from the seed).
    bool buggify = false;
    // A suspending process switches straight to the next process, and deliveries run on its
    // stack (see Simulator::deliver_at). Off, every switch goes through the scheduler: the same
    // events in the same order, only slower. For tests and measurements.
    bool direct_switch = true;
    // Hash the trace (the run's fingerprint). Off only to measure what hashing costs.
    bool hash_trace = true;
    // Models record metrics (models::Metrics samples its series and fills its histograms). Off
    // only to measure what metrics cost: invariants that read metrics then see no samples.
    bool metrics = true;
    // The command that reproduces this run, printed on assertion failures.
    std::string repro{};
};

enum class Verdict { pass, fail, runaway, interrupted };
std::string_view to_string(Verdict v);

struct Failure {
    std::string kind;     // "invariant", "eventually", "assertion", "coverage", "exception", ...
    std::string name;     // invariant name, assertion expression, coverage mark
    std::string message;  // what went wrong, in words
    std::string where;    // file:line for assertions; empty otherwise
    std::string host;     // host whose code was running, if any
    Time time{};
};

struct RunResult {
    Verdict verdict = Verdict::pass;
    std::optional<Failure> failure;
    std::string runaway_reason;  // when verdict is runaway (or interrupted: who asked)
    std::uint64_t events = 0;
    Time end_time{};
    std::uint64_t trace_hash = 0;
    // Set when the run ended because nothing was left to run (no event, or only sleepers until
    // time_never): the time the last event ran. Without a planned duration that is end_time; with
    // one the clock goes on to it (end_time is the duration, or time_max if that is sooner, as
    // run_until does), and drained_at before it says the world went still early.
    std::optional<Time> drained_at;
    // With drained_at: the processes still alive then, each waiting for what can never come (a
    // channel nobody will send to, an event nobody will set, sleep_for(duration_forever)). Two
    // processes each receiving from the other's channel are 2.
    std::size_t blocked_forever = 0;
    // With options.buggify: how many distinct buggify() call sites the run reached, armed or not.
    // 0 says the flag armed nothing (the code that ran has no fault point).
    std::size_t buggify_sites = 0;
};

// What at(), after(), post() and deliver_*() take: anything callable with no arguments.
template <class F>
concept Callback = std::is_invocable_v<std::decay_t<F>&>;

// A scheduled callback, for cancel(). A default TimerId{} names no callback (generations start
// at 1 and skip 0 when they wrap), so cancelling it is a no-op: "cancel the previous timeout, if
// any" needs no flag of its own. An id is only meaningful to the simulator that made it: one kept
// from another (or an earlier) Simulator may name a callback of this one.
struct TimerId {
    std::uint32_t slot = 0;
    std::uint32_t gen = 0;
};

// A cache hint for a callback scheduled long ahead: the memory it will read first. By the time
// it runs, that memory is usually out of the cache (in a run with 10,000 clients, each client's
// objects are touched once per request, thousands of events apart). In a big run (one whose
// queue has started its timing wheel) the kernel starts loading it about a millisecond of
// virtual time early, with the rest of the callback's bucket. Only a hint: nothing observable
// changes, and the memory need not be valid by then (a prefetch never faults).
struct TouchRange {
    const void* at = nullptr;
    std::size_t bytes = 0;  // at most Touches::bytes_max are asked for
};
struct Touches {
    using Range = TouchRange;  // declared outside: the constructor's defaults need it complete
    static constexpr std::size_t ranges_max = 5;
    static constexpr std::size_t bytes_max = 1024;
    std::array<Range, ranges_max> ranges{};

    // Up to ranges_max ranges, e.g. Touches{{this, sizeof(*this)}, {host, host->hot_bytes()}}: one more
    // does not compile (an initializer list would have dropped it without a word).
    Touches(Range a = {}, Range b = {}, Range c = {}, Range d = {}, Range e = {}) noexcept : ranges{a, b, c, d, e} {}
};

class Simulator : public boost::asio::execution_context {
    friend class Host;
    friend class Ctx;

public:
    explicit Simulator(Options options = {});
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;
    // Unwinds every process still suspended, then destroys owned objects (newest first).
    ~Simulator();

    const Options& options() const noexcept { return options_; }
    std::uint64_t seed() const noexcept { return options_.seed; }
    Time now() const noexcept { return now_; }
    std::uint64_t events() const noexcept { return events_; }

    // --- hosts -------------------------------------------------------------------------------
    // Host 0 is "world": scenario drivers run there; it cannot crash.
    Host& world() noexcept { return hosts_.front(); }
    Host& add_host(std::string name);
    Host* find_host(std::string_view name) noexcept;
    Host& host(std::string_view name);  // asserts that it exists
    // (Parameters are not called `id`: that is a class of Asio's execution_context, and -Wshadow
    // in a user's build would say so.)
    Host& host(std::uint32_t host_id) noexcept { return hosts_[host_id]; }
    // Host `host_id`'s name for a trace field, without reading the host (Host::trace_name).
    TraceValue host_name(std::uint32_t host_id) noexcept {
        return TraceValue::host_name(hosts_[host_id].name_, host_id);
    }
    std::size_t host_count() const noexcept { return hosts_.size(); }
    // Hosts named by a pattern, in id order: a group name ("region-a"), a glob over host names
    // ("cache-*", "region-a/*", "*" for every host but world), or one host's name. Empty if
    // nothing matches.
    std::vector<Host*> select(std::string_view pattern);
    // Every group name, sorted.
    std::vector<std::string> group_names() const;

    // --- processes and callbacks -------------------------------------------------------------
    template <class F>
    ProcessRef spawn(Host& host, F&& f, std::string name = {});
    template <class F>
    ProcessRef spawn(F&& f, std::string name = {}) { return spawn(world(), std::forward<F>(f), std::move(name)); }
    void kill(Ctx& process);
    // The process running now, or null when a callback (or nothing) is running.
    Ctx* current() const noexcept { return current_; }
    std::size_t processes_alive() const noexcept { return processes_alive_; }

    // Callbacks run on the scheduler, not in a fiber: they cannot suspend. Any `void()` callable
    // (a UniqueFunction too); it is built straight into the kernel's slot for it.
    template <Callback F>
    TimerId at(Time t, F&& fn) { return schedule_callback(t, std::forward<F>(fn), false); }
    template <Callback F>
    TimerId after(Duration d, F&& fn) { return at(saturating_add(now_, d), std::forward<F>(fn)); }
    // at(), with a cache hint: what the callback will read first (see Touches).
    template <Callback F>
    TimerId at(Time t, F&& fn, Touches touches) {
        const TimerId timer = schedule_callback(t, std::forward<F>(fn), false);
        Slot& s = slot(timer.slot);
        for (std::size_t r = 0; r < Touches::ranges_max; ++r) {
            s.touch_at[r] = touches.ranges[r].at;
            s.touch_bytes[r] = static_cast<std::uint16_t>(std::min(touches.ranges[r].bytes, Touches::bytes_max));
        }
        return timer;
    }
    template <Callback F>
    TimerId post(F&& fn) { return at(now_, std::forward<F>(fn)); }
    // A delivery: a short callback that only moves data and wakes processes. It may notify,
    // send, spawn, trace and fail the run, but must not kill a process or crash a host (an
    // assertion failure) and cannot suspend. Because of that the kernel may run it on the stack of
    // the process that suspended last instead of switching to the scheduler and back: a message
    // (a network packet) costs one context switch instead of two. Its place in the event order is
    // exactly that of at().
    template <Callback F>
    TimerId deliver_at(Time t, F&& fn) { return schedule_callback(t, std::forward<F>(fn), true); }
    template <Callback F>
    TimerId deliver_after(Duration d, F&& fn) { return deliver_at(saturating_add(now_, d), std::forward<F>(fn)); }
    // True if the callback had not run yet and now never will.
    bool cancel(TimerId timer) noexcept;

    // Objects whose lifetime is the simulator's, destroyed after every process has unwound.
    template <class T, class... A>
    T& make(A&&... args);

    // --- randomness --------------------------------------------------------------------------
    // A stream for a named component; it depends only on (seed, name).
    Rng rng(std::string_view name) const { return Rng::derive(options_.seed, name); }

    // --- trace -------------------------------------------------------------------------------
    void trace(const Host& host, std::string_view kind, TraceFields fields = {}) {
        trace(host, kind, std::span<const TraceField>(fields.begin(), fields.size()));
    }
    void trace(const Host& host, std::string_view kind, std::span<const TraceField> fields);
    // A detail record: written to trace sinks (files, the determinism check) but not hashed, and
    // skipped entirely when no sink is attached. For per-message chatter whose effect the hash
    // already sees (a send is followed by a hashed delivery event). Its fields are built before
    // the call whether or not anything records them (the compiler does not sink them past the
    // test): on a hot path, ask records_details() first.
    void trace_detail(const Host& host, std::string_view kind, TraceFields fields = {}) {
        if (records_details()) record_detail(host, kind, std::span<const TraceField>(fields.begin(), fields.size()));
    }
    bool records_details() const noexcept { return sink_ != nullptr; }
    void trace(std::string_view kind, TraceFields fields = {});  // on the current host
    // Asks the sink once, here, whether it wants kernel dispatch records.
    void set_trace_sink(TraceSink* sink) noexcept {
        sink_ = sink;
        sink_wants_kernel_ = sink != nullptr && sink->wants_kernel_events();
    }
    TraceSink* trace_sink() const noexcept { return sink_; }
    std::uint64_t trace_hash() const noexcept { return hash_.value(); }
    std::uint64_t trace_records() const noexcept { return record_index_; }

    // --- invariants, failures, coverage ------------------------------------------------------
    // Checked after every event; the first false fails the run. `explain`, if given, says what
    // was wrong in words ("db.connections is 412, above 400") for the failure message.
    void always(std::string name, UniqueFunction<bool()> holds, UniqueFunction<std::string()> explain = nullptr);
    // Must become true at some point no later than `deadline`, or the run fails there.
    void eventually(std::string name, Time deadline, UniqueFunction<bool()> holds, UniqueFunction<std::string()> explain = nullptr);
    // The always and eventually invariants given so far, in that order (for reports: a C++
    // scenario's invariants are known only here). Deadline: an eventually's.
    struct InvariantInfo {
        std::string name;
        std::string kind;  // "always" or "eventually"
        std::optional<Time> deadline;
        bool held = false;  // an eventually that has held (judged, and passed)
    };
    std::vector<InvariantInfo> invariants() const;
    // A coverage mark (SIM_COVER) that must be reached by the end of the run.
    void require_coverage(std::string name);
    // A coverage mark with a name made at run time ("fault: partition"); SIM_COVER is cheaper
    // for fixed names.
    void cover(std::string_view name);
    // Ends the run with the verdict "fail". The first failure wins; later ones are ignored.
    void fail(Failure failure);
    bool failed() const noexcept { return failure_.has_value(); }
    // Ends the run now, normally.
    void stop() noexcept { stopped_ = true; }
    // A flag set from outside the run to end it early: a signal handler's (Ctrl-C). The kernel
    // reads it where it checks its limits, at each new instant of virtual time, and when it is
    // non-zero ends the run there with the verdict "interrupted": the events run so far, their
    // trace hash, the time reached. Never set, it changes nothing (the same events, the same
    // hash). The kernel knows nothing of signals; whoever sets the flag says why. (Not an
    // Options field: 8 bytes more there moved every hot member after it, and cost W2 10-15%.)
    void set_interrupt(const volatile std::sig_atomic_t* flag) noexcept { interrupt_ = flag; }
    // Marks reached so far, by name (sorted), with hit counts.
    std::vector<std::pair<std::string, std::uint64_t>> coverage() const;
    std::uint64_t coverage_count(std::string_view name) const;

    // --- running -----------------------------------------------------------------------------
    // Runs to the end: the planned duration, no events left, stop(), a failure, a limit or an
    // interrupt (set_interrupt). A run with a planned duration whose events run out before it
    // still ends at the duration, saying when and with how many processes blocked (drained_at,
    // blocked_forever); one without ends there. Not from inside the run (a callback or a
    // process): that is an assertion failure.
    RunResult run();
    // Runs every event up to and including time `t` (for tests and step-wise drivers).
    void run_until(Time t);
    void run_for(Duration d) { run_until(saturating_add(now_, d)); }
    // Ends the run's world: unwinds every process (all hosts), then destroys what the hosts made
    // (their volatile state, as a crash would). Call before destroying models that processes or
    // host state use (the destructor does it too, but after objects declared after it are gone).
    void shutdown();

    // --- Asio --------------------------------------------------------------------------------
    using executor_type = Executor;
    Executor get_executor() noexcept;  // defined in sim/asio.hpp

    // --- kernel internals used by Ctx, Host and the primitives --------------------------------
    void schedule_resume(Ctx& p, Time t) {
        push(t, (static_cast<std::uint64_t>(p.wait_gen_ & gen_mask) << 32) | p.index_);
    }
    // Wakes a parked process. It runs right after the step that woke it (before other events
    // already scheduled for this instant), in the order of the notifications; with shuffled ties
    // it is scheduled like any other event instead, so exploration can reorder it.
    void notify(detail::Waiter& w);
    // A process or callback threw out of its body: recorded as a failure. `doing` says what the
    // process was for when its name does not ("a handler of service 'ledger'").
    void fail_exception(std::string_view what, std::string_view doing = {});
    // The same from inside a catch (...): the exception in flight is recorded as fail_exception
    // records it (a std::exception's what(), anything else "unknown exception"), except a kill's
    // unwinding and a failed assertion (already recorded), which are rethrown to go on.
    [[gnu::cold]] void fail_caught(std::string_view doing);
    bool buggify_site(Ctx& ctx, Ratio fire, const char* file, int line);
    void count_cover(std::uint32_t site_id) noexcept;
    // A host crash (or restart) requested by one of its own processes: completed as soon as
    // that process is off the CPU.
    void defer_host_crash(Host& host, bool reboot);
    Ctx* process_at(std::uint32_t index, std::uint32_t serial) noexcept;
    ProcessRef ref(Ctx& p) noexcept;

private:
    // A wait's deadline, for Ctx::park (one already past times out now, after anything else due
    // now). Out of line: park's frame stays small without the queue's push in it.
    [[gnu::noinline]] void schedule_timeout(Ctx& p, Time deadline) { schedule_resume(p, deadline < now_ ? now_ : deadline); }

    // Two cache lines exactly (alignas): the turn's prefetch of its first and last byte loads all of it.
    struct alignas(64) Slot {
        UniqueFunction<void()> fn;
        std::uint32_t gen = 1;  // never 0: TimerId{} names no callback
        std::uint32_t next_free = 0;
        bool pending = false;
        bool delivery = false;  // deliver_at(): may run on a process's stack
        // at()'s cache hint (Touches), the sizes packed into what would be padding: 0 when none.
        std::array<std::uint16_t, Touches::ranges_max> touch_bytes{};
        std::array<const void*, Touches::ranges_max> touch_at{};
    };
    static_assert(sizeof(Slot) == 128, "a callback's slot is meant to fill two cache lines");
    struct Always {
        std::string name;
        UniqueFunction<bool()> holds;
        UniqueFunction<std::string()> explain;
    };
    struct Eventually {
        std::string name;
        Time deadline;
        UniqueFunction<bool()> holds;
        UniqueFunction<std::string()> explain;
        bool satisfied = false;
    };
    struct Owned {
        void* object;
        void (*destroy)(void*);
    };
    enum class Stop { drained, reached_until, stopped, time_limit, event_limit, time_stood_still, interrupted };
    // What a process that switched back to the scheduler left for it: nothing (the scheduler
    // finishes the step: a finished or killed process, deferred crashes, invariants), or - when
    // the process already finished its step and picked the next one on its own stack - an event
    // only the scheduler may run (a plain callback), or the end of the loop.
    enum class Handoff : std::uint8_t { none, event, stop };

    Ctx& alloc_process(Host& host, std::string name);
    void start_process(Ctx& p);
    void run_process_body(Ctx& p);
    void resume(Ctx& p);
    // Called by a process that suspends, on its own stack: switches to whatever runs next.
    void switch_away(Ctx& from);
    Ctx* next_from_process();
    void adopt(boost::context::fiber&& from) noexcept;
    template <class F>
    TimerId schedule_callback(Time t, F&& fn, bool delivery) {
        const std::uint32_t i = claim_slot();
        Slot& s = slot(i);
        try {
            s.fn.emplace(std::forward<F>(fn));
        } catch (...) {  // a callable too large for the slot's buffer, and no memory for it
            free_slot(i);
            throw;
        }
        s.pending = true;
        s.delivery = delivery;
        push(t, callback_bit | (static_cast<std::uint64_t>(s.gen & gen_mask) << 32) | i);
        return {i, s.gen};
    }
    std::uint32_t claim_slot() {
        if (free_slot_ == UINT32_MAX) return new_slot();
        const std::uint32_t i = free_slot_;
        free_slot_ = slot(i).next_free;
        return i;
    }
    std::uint32_t new_slot();  // out of line: the rare path of claim_slot, inlined where callbacks are scheduled
    void free_slot(std::uint32_t i) noexcept {
        Slot& s = slot(i);
        s.fn.reset();
        s.touch_bytes = {};
        ++s.gen;
        s.gen += s.gen == 0 ? 1u : 0u;  // after 2^32 reuses: 0 is TimerId{}'s
        s.next_free = free_slot_;
        free_slot_ = i;
    }
    void run_callback(std::uint32_t index);
    bool pick(EventQueue::Entry& e, Stop& why);
    [[gnu::noinline]] bool pick_slow(EventQueue::Entry& e, Stop& why);
    bool take_wakeup(EventQueue::Entry& e);
    void after_step() {
        if (!always_.empty() || eventually_open_ != 0) check_invariants();
    }
    void finish_process(Ctx& p);
    boost::context::fiber exit_process(Ctx& p);
    boost::context::fiber& enter(Ctx& p, Ctx* from);
    Slot& slot(std::uint32_t i) noexcept { return slots_[i]; }
    std::uint64_t next_order() noexcept {
        const std::uint64_t s = seq_++;
        if (!options_.shuffle_ties) return s;
        return (tie_rng_.next_u64() & 0xFFFFFFFF00000000ull) | (s & 0xFFFFFFFFull);
    }
    void push(Time t, std::uint64_t payload) {
        SIM_ASSERT(t >= now_, "scheduling in the past");
        queue_.push({t.time_since_epoch().count(), next_order(), payload}, now_.time_since_epoch().count());
    }
    Stop loop(Time until);
    bool stale(const EventQueue::Entry& e) noexcept;
    bool dead(const EventQueue::Entry& e) noexcept;
    bool held_by_pause(const EventQueue::Entry& e);  // call only while hosts_paused_ != 0
    [[gnu::noinline]] void push_shuffled_wakeup(std::uint64_t payload);
    void run_deferred_crashes();
    void dispatch(const EventQueue::Entry& e);
    // Counts and hashes event e; for a process's wake-up, returns the process (its wait
    // generation moved on), for a callback null.
    Ctx* begin_event(const EventQueue::Entry& e);
    void drop_wakeups() noexcept {
        wake_now_.size = 0;
        wake_pos_ = 0;
    }
    // Kills come from processes and plain callbacks, never from deliveries or invariants.
    void assert_may_kill() const {
        SIM_ASSERT(no_kill_ == nullptr, std::string(no_kill_ ? no_kill_ : "") + " must not kill a process or crash a host");
    }
    void check_invariants();
    void hash_kernel_event(const EventQueue::Entry& e, Ctx* p) {
        if (options_.hash_trace) hash_.add_event(static_cast<std::uint64_t>(e.time), e.order, p ? p->pid_ : 0);
        ++record_index_;
        if (sink_wants_kernel_) record_kernel_event(e, p);
    }
    void record_kernel_event(const EventQueue::Entry& e, Ctx* p);
    void record_detail(const Host& host, std::string_view kind, std::span<const TraceField> fields);
    void check_required_coverage();

    static constexpr std::uint64_t callback_bit = 1ull << 63;
    static constexpr std::uint32_t gen_mask = 0x7FFFFFFFu;

    Options options_;
    Time now_{};
    EventQueue queue_;
    std::uint64_t seq_ = 0;
    std::uint64_t events_ = 0;
    // The event count at which pick must look at the limits: events_max, or events_per_instant_max
    // past the event at which virtual time last moved, whichever comes first. One comparison
    // covers both, on the wake-up path (processes waking each other at one instant, with no
    // event from the queue between) as on the queue's. In the place of the instant's first
    // event, which it replaces: a member more moved the hot ones after it, and W2 felt that.
    std::uint64_t events_check_ = 0;
    Rng tie_rng_;

    // Process slots: Ctx objects live in fixed chunks (stable addresses, reused through the free
    // list); procs_ maps a slot index to its Ctx with one load.
    std::vector<Ctx*> procs_;
    // Cache hints for the next event's process (they change nothing observable). Looking ahead
    // in the queue pays from about this many live processes: 2,048 stacks with ~1 KiB touched
    // per resume fill a 2 MiB L2 (scale_bench stampede, 10k clients: -5%; 100k: -14%).
    static constexpr std::size_t prefetch_from_processes = 2048;
    void prefetch_next() noexcept;
    // Entries of a turned bucket that sieve_turn looks at (up to 128 KiB of slots); a bigger
    // bucket's others are kept as they are.
    static constexpr std::size_t sieve_turn_max = 1024;
    std::size_t sieve_turn(std::span<EventQueue::Entry> near) noexcept;
    static void prefetch_stack(const Ctx& p) noexcept;
    static void prefetch_touches(const Slot& s) noexcept;
    std::vector<std::unique_ptr<unsigned char[]>> proc_chunks_;
    std::vector<std::uint32_t> free_procs_;
    std::unique_ptr<detail::StackPool> stacks_;
    Ctx* current_ = nullptr;
    std::uint64_t next_pid_ = 1;
    std::size_t processes_alive_ = 0;

    // Resume payloads for processes woken by this step. A plain growable array rather than a
    // vector: appending to it (in notify, at the bottom of a fiber's stack) is then a compare and
    // a store, with the growth out of line, and notify's frame stays small.
    struct WakeList {
        std::unique_ptr<std::uint64_t[]> data;
        std::size_t size = 0;
        std::size_t capacity = 0;
        void push_back(std::uint64_t v) {
            if (size == capacity) grow();
            data[size++] = v;
        }
        [[gnu::noinline]] void grow() {
            const std::size_t n = capacity == 0 ? 64 : 2 * capacity;
            auto bigger = std::make_unique<std::uint64_t[]>(n);
            std::copy(data.get(), data.get() + size, bigger.get());
            data = std::move(bigger);
            capacity = n;
        }
    };
    WakeList wake_now_;
    std::size_t wake_pos_ = 0;  // the next of them to run
    std::int64_t until_ns_ = 0;            // the current loop's end
    std::int64_t due_max_ns_ = 0;          // the latest an event may be due and still run: the
                                           // least of the loop's end, time_max and time_never - 1
    Stop beyond_due_max(std::int64_t due) const noexcept;
    // events_check_'s value for an instant whose first event is `first`, and the limit that
    // events_ has reached at it.
    std::uint64_t events_check_from(std::uint64_t first) const noexcept;
    Stop past_events_check() const noexcept;
    // Fiber switching. A suspending process may switch straight to the next process (see
    // switch_away); the scheduler's own continuation waits in sched_ meanwhile.
    boost::context::fiber sched_;  // the scheduler, while any process runs
    Ctx* switch_from_ = nullptr;   // who resumed the process being resumed: a process, or null for the scheduler
    Ctx* returning_ = nullptr;     // the process that switched back to the scheduler
    Handoff handoff_ = Handoff::none;
    Stop handoff_stop_ = Stop::drained;
    EventQueue::Entry handoff_event_{};
    // Set while a delivery or an invariant runs: they may run on a process's stack, so they must
    // not kill a process (its stack may be the one they run on). Names which, for the assertion.
    const char* no_kill_ = nullptr;
    std::vector<std::pair<Host*, bool>> deferred_crashes_;  // (host, reboot) requested from inside
    std::map<std::string, std::vector<std::uint32_t>, std::less<>> groups_;
    detail::Chunked<Slot, 10> slots_;  // callbacks' slots, by index; they never move
    std::uint32_t free_slot_ = UINT32_MAX;

    std::deque<Host> hosts_;
    std::map<std::string, std::uint32_t, std::less<>> host_by_name_;
    std::uint32_t hosts_paused_ = 0;  // while 0, no wake-up needs its host looked at

    TraceHash hash_;
    TraceSink* sink_ = nullptr;
    bool sink_wants_kernel_ = false;  // asked when the sink was set: not a call per dispatch
    std::uint64_t record_index_ = 0;

    std::vector<Always> always_;
    std::vector<Eventually> eventually_;
    std::size_t eventually_open_ = 0;
    std::vector<std::string> required_marks_;
    std::vector<std::uint64_t> cover_hits_;
    std::map<std::string, std::uint64_t, std::less<>> dynamic_cover_;
    std::map<std::uint64_t, bool> buggify_armed_;
    Rng buggify_rng_;

    std::optional<Failure> failure_;
    bool stopped_ = false;
    bool shut_down_ = false;
    bool running_ = false;  // inside loop(): run() and run_until() may not be called again
    std::vector<Owned> owned_;
    const volatile std::sig_atomic_t* interrupt_ = nullptr;  // set_interrupt()
};

// ---- templates and inline definitions ------------------------------------------------------

template <class F>
ProcessRef Simulator::spawn(Host& host, F&& f, std::string name) {
    Ctx& p = alloc_process(host, std::move(name));
    p.fn_.emplace(std::forward<F>(f));
    p.state_ = Ctx::State::created;
    schedule_resume(p, now_);
    return ref(p);
}

template <class T, class... A>
T& Simulator::make(A&&... args) {
    T* object = new T(std::forward<A>(args)...);
    owned_.push_back({object, [](void* o) { delete static_cast<T*>(o); }});
    return *object;
}

template <class F>
ProcessRef Ctx::spawn(F&& f, std::string name) {
    return sim_->spawn(*host_, std::forward<F>(f), std::move(name));
}

template <class F>
ProcessRef Host::spawn(F&& f, std::string name) {
    return sim_->spawn(*this, std::forward<F>(f), std::move(name));
}

inline Time Ctx::now() const noexcept { return sim_->now(); }
inline Time Ctx::local_now() const noexcept { return host_->local_now(); }
inline Rng& Ctx::rng() const noexcept { return host_->rng(); }
inline Time Host::local_now() const noexcept {
    if (drift_ppm_ == 0) return sim_->now() + clock_offset_;
    const double drifted = static_cast<double>((sim_->now() - drift_since_).count()) * drift_ppm_ * 1e-6;
    return sim_->now() + clock_offset_ + saturating_duration(drifted);
}

}  // namespace sim
