// Fiber stacks, carved out of large anonymous mappings and reused LIFO.
//
// One mmap per stack (what Boost.Context's own allocators do) costs a system call per spawn and,
// with a guard page, two kernel mappings per stack: Linux's vm.max_map_count (65530) then caps a
// run near 32k processes. Here a slab of 256 stacks is one mapping (MAP_NORESERVE: only the
// pages a stack actually touches become resident), and freed stacks are reused hottest-first.
// Guard pages are a debugging option (each one splits the slab's mapping).
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
#include <vector>

namespace sim::detail {

class StackPool {
public:
    StackPool(std::size_t stack_size, bool guard_pages);
    ~StackPool();
    StackPool(const StackPool&) = delete;
    StackPool& operator=(const StackPool&) = delete;

    boost::context::stack_context allocate();
    void deallocate(boost::context::stack_context& sc) noexcept;

    std::size_t in_use() const noexcept { return in_use_; }
    std::size_t capacity() const noexcept { return slabs_.size() * stacks_per_slab; }

private:
    static constexpr std::size_t stacks_per_slab = 256;
    void add_slab();

    static constexpr std::size_t colour_room = 4096;  // one page: the stagger below stays inside it
    std::size_t stack_size_;  // usable bytes, a multiple of the page size
    std::size_t stride_;      // stack_size_ plus colour_room plus a guard page, if any
    bool guard_pages_;
    std::vector<std::pair<void*, std::size_t>> slabs_;
    std::vector<void*> free_;  // stack tops (stacks grow down)
    std::size_t in_use_ = 0;
    std::vector<unsigned> valgrind_ids_;  // stacks registered with valgrind, when running under it
};

// The StackAllocator Boost.Context's fiber constructor takes.
struct PooledStack {
    StackPool* pool;
    boost::context::stack_context allocate() { return pool->allocate(); }
    void deallocate(boost::context::stack_context& sc) noexcept { pool->deallocate(sc); }
};

}  // namespace sim::detail
