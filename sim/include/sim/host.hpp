// A simulated machine: a name, its processes, its random stream and its own clock.
// Host faults live here because they act on everything running on the host: crash unwinds all
// of its processes (volatile state is lost: it lived on their stacks and in objects they owned).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/function.hpp"

#include "sim/ctx.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

class Host {
    struct Key {
    private:
        friend class Simulator;
        Key() = default;
    };

public:
    Host(Key, Simulator* sim, std::uint32_t id, std::string name, Rng rng)
        : sim_(sim), id_(id), name_(std::move(name)), rng_(rng) {}
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    std::string_view name() const noexcept { return name_; }
    std::uint32_t id() const noexcept { return id_; }
    // The name as a trace value that a binary trace writes by id (TraceValue::host_name). Reads
    // the id from the host; Simulator::host_name(id) does not touch the host at all.
    TraceValue trace_name() const noexcept { return TraceValue::host_name(name_, id_); }
    Simulator& sim() const noexcept { return *sim_; }
    Rng& rng() noexcept { return rng_; }
    bool alive() const noexcept { return alive_; }
    bool paused() const noexcept { return paused_; }
    // Counts boots: 1 for the first life, 2 after the first restart, ...
    std::uint64_t incarnation() const noexcept { return incarnation_; }
    std::size_t process_count() const noexcept { return process_count_; }
    // Bytes from the start of this object that spawning a process here, delivering to it and
    // its paused and alive flags read: for a cache hint (sim::Touches) by a callback that will.
    std::size_t hot_bytes() const noexcept {
        return static_cast<std::size_t>(reinterpret_cast<const char*>(&name_) - reinterpret_cast<const char*>(this));
    }

    template <class F>
    ProcessRef spawn(F&& f, std::string name = {});

    // --- groups: fault verbs and link settings take a host, a group or a name pattern ---------
    void join(std::string group);
    const std::vector<std::string>& groups() const noexcept { return groups_; }

    // --- the host's model ---------------------------------------------------------------------
    // Boot functions rebuild the host's model: each runs now (if the host is up) and again at
    // every boot after a crash, in the order they were added (a host may run several models).
    // Objects made with make() are volatile state; objects made with make_durable() (disks, say)
    // survive crashes.
    void on_boot(UniqueFunction<void(Host&)> boot);
    template <class T, class... A>
    T& make(A&&... args);
    template <class T, class... A>
    T& make_durable(A&&... args);
    template <class T>
    T* find_durable() noexcept;

    // --- host faults ----------------------------------------------------------------------------
    // Crash: every process unwinds (spawn order), volatile objects are destroyed (newest
    // first), the host is down. Called from a process on this host, that process stops at once
    // (its stack unwinds from the call) and the crash completes as it leaves the CPU.
    void crash();
    // Up again: a new incarnation; the boot function runs.
    void boot();
    void restart();                // crash, then boot at the same instant
    void bounce(Duration down);    // crash now, boot after `down`
    // Paused processes do not run (a stopped VM, a long GC pause): their wake-ups wait and run,
    // in order, on resume(). Messages still arrive.
    void pause();
    void resume();

    // --- the host-local clock: global time plus an offset (skew, jumps) and a drift -----------
    Time local_now() const noexcept;
    Duration clock_offset() const noexcept { return clock_offset_; }
    void set_clock_offset(Duration d);
    void jump_clock(Duration delta) { set_clock_offset(clock_offset_ + delta); }
    // Drift in parts per million from now on (the offset accumulated so far is kept).
    void set_clock_drift_ppm(double ppm);
    double clock_drift_ppm() const noexcept { return drift_ppm_; }

    // --- CPU ------------------------------------------------------------------------------------
    // Slowdown factor applied by Ctx::compute and disk operations (1 = healthy; 10 = limping).
    double slowdown() const noexcept { return slowdown_; }
    void set_slowdown(double factor);

private:
    friend class Simulator;
    friend class Ctx;

    struct Owned {
        void* object;
        void (*destroy)(void*);
        const void* type;  // a per-type tag (the address of a template static), for find_durable
    };
    template <class T>
    static const void* type_tag() noexcept {
        static const char tag = 0;
        return &tag;
    }

    void link(Ctx& p) noexcept;
    void unlink(Ctx& p) noexcept;
    void crash_now();  // the crash itself, with no process of this host on the stack
    void destroy_volatile() noexcept;

    // What a spawn, a delivery and a paused check read comes first, in one cache line (see
    // hot_bytes()); the name, the random stream and the rest follow.
    Simulator* sim_;
    std::uint32_t id_;
    bool alive_ = true;
    bool paused_ = false;
    std::uint64_t incarnation_ = 1;
    Ctx* first_ = nullptr;
    Ctx* last_ = nullptr;
    std::size_t process_count_ = 0;
    std::string name_;
    Rng rng_;
    std::vector<std::string> groups_;
    std::vector<UniqueFunction<void(Host&)>> boot_;
    std::vector<Owned> volatile_;
    std::vector<Owned> durable_;
    std::vector<std::uint64_t> deferred_;  // wake-ups held while paused, in order
    Duration clock_offset_{0};
    double drift_ppm_ = 0;
    Time drift_since_{};
    double slowdown_ = 1.0;

public:
    ~Host();
};

template <class T, class... A>
T& Host::make(A&&... args) {
    T* object = new T(std::forward<A>(args)...);
    volatile_.push_back({object, [](void* o) { delete static_cast<T*>(o); }, type_tag<T>()});
    return *object;
}

template <class T, class... A>
T& Host::make_durable(A&&... args) {
    T* object = new T(std::forward<A>(args)...);
    durable_.push_back({object, [](void* o) { delete static_cast<T*>(o); }, type_tag<T>()});
    return *object;
}

template <class T>
T* Host::find_durable() noexcept {
    for (const Owned& o : durable_) {
        if (o.type == type_tag<T>()) return static_cast<T*>(o.object);
    }
    return nullptr;
}

}  // namespace sim
