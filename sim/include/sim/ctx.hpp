// A simulated process: a stackful fiber on a host, and the handle (`Ctx&`) through which its code
// reaches virtual time. Everything that may suspend takes `Ctx&`, so a reader sees every point
// where other processes can run: `ctx.sleep_for(5ms)`, `channel.recv(ctx)`, `rpc.call(ctx, ...)`.
//
// A process runs until its function returns or it is killed. Killing a suspended process
// unwinds its stack (destructors run) through Boost.Context's forced unwind; code must never
// swallow that exception (`catch (...)` without rethrow): faultline detects it and aborts.
// A process that kills itself, or whose host crashes under it, unwinds at its next suspension.
#pragma once

#include <boost/context/fiber.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/function.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"
#include "sim/wait.hpp"

namespace sim {

class Simulator;
class Host;
class Rng;
class Ctx;

// Refers to a process that may have finished; every operation checks first.
class ProcessRef {
public:
    ProcessRef() = default;
    bool valid() const noexcept { return sim_ != nullptr; }
    // True until the process finishes or is killed.
    bool running() const noexcept;
    // Kills the process (unwinds its stack). No effect if it already ended.
    void kill() const;
    // Waits until the process ends; false on timeout.
    bool join(Ctx& ctx, Duration timeout = duration_forever) const;
    std::uint64_t id() const noexcept { return id_; }

private:
    friend class Simulator;
    ProcessRef(Simulator* sim, std::uint32_t index, std::uint32_t serial, std::uint64_t id)
        : sim_(sim), index_(index), serial_(serial), id_(id) {}
    Ctx* get() const noexcept;

    Simulator* sim_ = nullptr;
    std::uint32_t index_ = 0;
    std::uint32_t serial_ = 0;
    std::uint64_t id_ = 0;
};

class Ctx {
    struct Key {
    private:
        friend class Simulator;
        Key() = default;
    };

public:
    explicit Ctx(Key) { waiter_.proc = this; }
    Ctx(const Ctx&) = delete;
    Ctx& operator=(const Ctx&) = delete;

    Simulator& sim() const noexcept { return *sim_; }
    Host& host() const noexcept { return *host_; }
    // Virtual global time (the same for every host).
    Time now() const noexcept;
    // The host's own clock, which clock faults can skew or jump. Models read this one.
    Time local_now() const noexcept;
    // Unique per run, in spawn order.
    std::uint64_t id() const noexcept { return pid_; }
    std::string_view name() const noexcept { return name_; }
    // The host's random stream.
    Rng& rng() const noexcept;

    void sleep_for(Duration d);
    void sleep_until(Time t);
    // Spends `cost` of CPU time: like sleep_for, but scaled by the host's slowdown (limping).
    void compute(Duration cost);
    // Lets every other event at the current virtual time run first.
    void yield();

    // Starts a process on this process's host.
    template <class F>
    ProcessRef spawn(F&& f, std::string name = {});

    void trace(std::string_view kind, TraceFields fields = {});

    // True once this process has been asked to die (its host crashed while it was running, or it
    // killed itself): it unwinds at its next suspension.
    bool kill_requested() const noexcept { return kill_requested_; }

    // The primitive under every wait (see wait.hpp): parks this process's Waiter in `list` (may
    // be null: a pure timer) until notified or `deadline`. Returns true if notified. `slot` is
    // the primitive's hand-off, where a notifier may put what the waiter waited for.
    bool park(detail::WaitList* list, Time deadline, void* slot = nullptr);
    // Whether the last park() ended by a notification. For a primitive's clean-up while a killed
    // process unwinds out of park(), which then never returned: was it handed something it must
    // give back (a permit, a worker)?
    bool notified_in_last_park() const noexcept { return waiter_.notified; }

private:
    friend class Simulator;
    friend class Host;
    friend class ProcessRef;

    enum class State : std::uint8_t { free, created, running, suspended, unwinding };

    void suspend();
    void park_while_unwinding();

    Simulator* sim_ = nullptr;
    Host* host_ = nullptr;
    boost::context::fiber fiber_;  // this process's continuation while it is suspended
    // 64 bytes inline: an RPC handler's closure (its server, a request, the call's info) fits.
    UniqueFunction<void(Ctx&), 64> fn_;
    std::string name_;
    std::uint64_t pid_ = 0;
    std::uint32_t index_ = 0;     // slot in the simulator's process table
    std::uint32_t serial_ = 0;    // bumps when the slot is reused (stale ProcessRefs)
    std::uint32_t wait_gen_ = 0;  // bumps at every resume (stale wake-ups)
    std::uint32_t unwind_parks_ = 0;
    State state_ = State::free;
    bool kill_requested_ = false;
    Ctx* host_prev_ = nullptr;  // the host's list of processes, in spawn order
    Ctx* host_next_ = nullptr;
    detail::WaitList joiners_;
    const char* resume_frame_ = nullptr;  // switch_away's frame when it last suspended (a prefetch hint)
    detail::Waiter waiter_;               // linked into a WaitList while parked (see park)
};

}  // namespace sim
