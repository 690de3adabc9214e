// Fiber stacks, carved out of large anonymous mappings and reused LIFO.
//
// One mmap per stack (what Boost.Context's own allocators do) costs a system call per spawn and,
// with a guard page, two kernel mappings per stack: Linux's vm.max_map_count (65530) then caps a
// run near 32k processes. Here a slab of stacks (16 in a pool's first, doubling up to 256) is
// one mapping (MAP_NORESERVE: only the pages a stack actually touches become resident), and freed
// stacks are reused hottest-first.
//
// Overflow. Each stack has sim::Options::stack_size bytes (64 KiB by default); a process
// that runs past them must be stopped loudly, not left to write over the next stack down.
// - Guard pages: a slab's stacks each get an inaccessible page below them, and a fiber that
//   runs into one is reported by stack_guard.cpp's SIGSEGV handler (which process, its host,
//   the virtual time) and the program exits with code 3. Each guard page splits the slab's
//   mapping, so by default only the program's first guarded_stacks_max stacks (at once, over
//   all pools) are guarded: 16,384 mappings at most, far below the limit, and a run of a
//   million idle processes still fits. Options::guard_pages guards every stack (and caps the
//   run near 32k processes again); so does the FAULTLINE_GUARD_PAGES build option. On Linux
//   6.13 and later every stack is guarded whatever the budget: madvise(MADV_GUARD_INSTALL)
//   keeps the guard in the page tables, without splitting the mapping, at a fifth of the cost.
// - Beyond them, after the fact: an unguarded stack's overflow writes first into the slack
//   below it (colour_room, never touched otherwise). When the pool is destroyed, the slack of
//   every unguarded stack whose lowest page is resident (mincore: nothing is read in) is checked
//   for a written byte, and the same message says the run's result cannot be trusted.
// Neither costs anything per spawn, switch or event: the work is done when a slab is made or
// the pool destroyed.
//
// Stack tops are staggered ("coloured"). With a power-of-two stride every top sits at the same
// offset modulo the cache's set period, so the hot frames of thousands of suspended fibers
// compete for a few cache sets (a 64 KiB stride maps them all to two L2 sets). Here the stride
// has one extra page, so successive tops move by a page modulo 128 KiB, and within its page
// each top moves down by a multiple of 64 bytes below 1 KiB: 512 distinct set
// positions, while an idle fiber's few hundred bytes of frames still fit in its top page.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fiber_switches.hpp"

namespace sim::detail {

class StackPool {
public:
    // guard_every_stack: a guard page under every stack, not only the program's first ones.
    StackPool(std::size_t stack_size, bool guard_every_stack);
    ~StackPool();
    StackPool(const StackPool&) = delete;
    StackPool& operator=(const StackPool&) = delete;

    boost::context::stack_context allocate();
    void deallocate(boost::context::stack_context& sc) noexcept;

    std::size_t in_use() const noexcept { return in_use_; }
    // The fiber switches, for AddressSanitizer (empty without it): the pool knows the stacks.
    FiberSwitches& switches() noexcept { return switches_; }
    std::size_t capacity() const noexcept { return capacity_; }

    // Stacks guarded by default, at once, over every pool in the program.
    static constexpr std::size_t guarded_stacks_max = 8192;

private:
    struct Slab {
        char* base;
        std::size_t bytes;
        std::size_t stride;  // stack_size_ plus colour_room plus a guard page, if guarded
        std::size_t stacks;
        std::size_t first;   // the pool's index of its first stack (for its colour)
        bool guarded;
        bool budgeted;  // counted in the program's budget of mprotect guards
    };
    static constexpr std::size_t first_slab_stacks = 16;
    static constexpr std::size_t stacks_per_slab_max = 256;
    void add_slab();
    bool guard(const Slab& slab, bool light);  // light: in the page tables (see page_table_guards)
    std::size_t colour(std::size_t index) const noexcept;
    bool slack_written(const Slab& slab) const;

    static constexpr std::size_t colour_room = 4096;  // one page: the stagger below stays inside it
    std::size_t stack_size_;  // usable bytes, a multiple of the page size
    bool guard_every_stack_;
    std::vector<Slab> slabs_;
    std::size_t capacity_ = 0;
    std::vector<void*> free_;  // stack tops (stacks grow down)
    std::size_t in_use_ = 0;
    std::vector<unsigned> valgrind_ids_;  // stacks registered with valgrind, when running under it
    [[no_unique_address]] FiberSwitches switches_;
};

// The StackAllocator Boost.Context's fiber constructor takes, for process slot `index`.
struct PooledStack {
    StackPool* pool;
#if defined(SIM_ASAN_FIBERS)
    std::uint32_t index;
    PooledStack(StackPool* p, std::uint32_t i) noexcept : pool(p), index(i) {}
    boost::context::stack_context allocate() {
        boost::context::stack_context sc = pool->allocate();
        pool->switches().new_stack(index, sc.sp, sc.size);
        return sc;
    }
#else
    PooledStack(StackPool* p, std::uint32_t) noexcept : pool(p) {}
    boost::context::stack_context allocate() { return pool->allocate(); }
#endif
    void deallocate(boost::context::stack_context& sc) noexcept { pool->deallocate(sc); }
};

}  // namespace sim::detail
