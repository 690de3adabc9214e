// A simulated machine: a name, its processes, its random stream and its own clock.
// Host faults live here because they act on everything running on the host: crash unwinds all
// of its processes (volatile state is lost: it lived on their stacks and in objects they owned).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/ctx.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

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
    Simulator& sim() const noexcept { return *sim_; }
    Rng& rng() noexcept { return rng_; }
    bool alive() const noexcept { return alive_; }
    std::size_t process_count() const noexcept { return process_count_; }

    template <class F>
    ProcessRef spawn(F&& f, std::string name = {});

    // Kills every process on the host (in spawn order; each stack unwinds) and marks it down.
    // Spawning on a crashed host is a programmer error until it is brought back up.
    void crash();
    // Marks a crashed host up again (no processes; the caller starts what should run).
    void boot();

    // The host-local clock: global time plus an offset (skew, jumps). Models read this.
    Time local_now() const noexcept;
    Duration clock_offset() const noexcept { return clock_offset_; }
    void set_clock_offset(Duration d) noexcept { clock_offset_ = d; }

    // CPU slowdown factor applied by Ctx::compute (1 = healthy; 10 = a limping host).
    double slowdown() const noexcept { return slowdown_; }
    void set_slowdown(double factor);

private:
    friend class Simulator;
    friend class Ctx;

    void link(Ctx& p) noexcept;
    void unlink(Ctx& p) noexcept;

    Simulator* sim_;
    std::uint32_t id_;
    std::string name_;
    Rng rng_;
    bool alive_ = true;
    Duration clock_offset_{0};
    double slowdown_ = 1.0;
    Ctx* first_ = nullptr;
    Ctx* last_ = nullptr;
    std::size_t process_count_ = 0;
};

}  // namespace sim
