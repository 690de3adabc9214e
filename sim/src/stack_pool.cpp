// Fiber stacks: slabs, their guard pages and the check of unguarded stacks' slack (see stack_pool.hpp).
#include "stack_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "stack_guard.hpp"

#ifndef FAULTLINE_GUARD_PAGES_DEFAULT
#define FAULTLINE_GUARD_PAGES_DEFAULT 0
#endif

// Under valgrind, every stack is registered as one: fibers switch straight from one stack to its
// neighbour in the slab (68 KiB apart), which valgrind would otherwise take for one stack growing
// and shrinking, and report as invalid reads. Outside valgrind the macros cost a few instructions.
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define FAULTLINE_VALGRIND 1
#endif

namespace sim::detail {

namespace {
std::size_t page_size() {
    static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return size;
}
std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// Stacks with an mprotect guard page now, over every pool in the program (pools may live on
// several threads).
std::atomic<std::size_t> guarded_stacks{0};

// Linux 6.13 and later put a guard page in the page tables (madvise MADV_GUARD_INSTALL): no
// split of the mapping, so no vm.max_map_count budget, and about five times cheaper than
// mprotect. Older kernels (Debian 12's 6.1) refuse it, and mprotect guards the budgeted stacks.
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
bool page_table_guards() {
    static const bool supported = [] {
        void* probe = ::mmap(nullptr, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (probe == MAP_FAILED) return false;
        const bool ok = ::madvise(probe, page_size(), MADV_GUARD_INSTALL) == 0;
        ::munmap(probe, page_size());
        return ok;
    }();
    return supported;
}
}  // namespace

StackPool::StackPool(std::size_t stack_size, bool guard_every_stack)
    : stack_size_(round_up(stack_size < 16384 ? 16384 : stack_size, page_size())),
      guard_every_stack_(guard_every_stack || FAULTLINE_GUARD_PAGES_DEFAULT) {
    prepare_overflow_reports();
}

StackPool::~StackPool() {
#ifdef FAULTLINE_VALGRIND
    for (unsigned id : valgrind_ids_) VALGRIND_STACK_DEREGISTER(id);
#endif
    for (const Slab& slab : slabs_) {
        if (slab.guarded) {
            unwatch_guards(slab.base);
            if (slab.budgeted) guarded_stacks.fetch_sub(slab.stacks);
        } else if (slack_written(slab)) {
            std::fflush(nullptr);
            report_overflow(stack_size_, true);
        }
        ::munmap(slab.base, slab.bytes);
    }
}

// 37 is coprime with 16: consecutive stacks get far-apart colours, all below 1 KiB (a fresh
// fiber touches up to ~2 KiB below its top; a deeper colour costs an idle fiber a second
// resident page).
std::size_t StackPool::colour(std::size_t index) const noexcept { return (index * 37 % 16) * 64; }

void StackPool::add_slab() {
    const std::size_t stacks = std::min(stacks_per_slab_max, capacity_ == 0 ? first_slab_stacks : capacity_);
    // Guarded always where the page tables hold the guards; else if every stack is to be, or
    // while the program's budget of mprotect guards lasts.
    const bool light = page_table_guards();
    bool budgeted = false;
    if (!light) {
        budgeted = guarded_stacks.fetch_add(stacks) + stacks <= guarded_stacks_max || guard_every_stack_;
        if (!budgeted) guarded_stacks.fetch_sub(stacks);
    }
    const bool guarded = light || budgeted;

    const std::size_t stride = stack_size_ + colour_room + (guarded ? page_size() : 0);
    const std::size_t bytes = stride * stacks;
    void* base = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        std::fprintf(stderr, "faultline: cannot map %zu bytes for fiber stacks (out of address space?)\n", bytes);
        std::abort();
    }
    const Slab& slab = slabs_.emplace_back(Slab{static_cast<char*>(base), bytes, stride, stacks, capacity_, guarded, budgeted});
    if (guarded && !guard(slab, light)) {
        std::fprintf(stderr, "faultline: making a guard page failed (vm.max_map_count reached?)\n");
        std::abort();
    }
    // Push in reverse so the lowest stack is handed out first.
    for (std::size_t i = stacks; i-- > 0;) {
        char* top = slab.base + (i + 1) * stride - colour(capacity_ + i);
        free_.push_back(top);
#ifdef FAULTLINE_VALGRIND
        if (RUNNING_ON_VALGRIND) valgrind_ids_.push_back(VALGRIND_STACK_REGISTER(top - stack_size_, top));
#endif
    }
    capacity_ += stacks;
}

// Makes the lowest page of each of the slab's strides inaccessible, and has the signal handler
// watch them.
bool StackPool::guard(const Slab& slab, bool light) {
    for (std::size_t i = 0; i < slab.stacks; ++i) {
        char* page = slab.base + i * slab.stride;
        if (light ? ::madvise(page, page_size(), MADV_GUARD_INSTALL) != 0 : ::mprotect(page, page_size(), PROT_NONE) != 0) return false;
    }
    watch_guards({slab.base, slab.stride, slab.stacks, stack_size_});
    return true;
}

// True if the slack under one of an unguarded slab's stacks was written: its stack overflowed.
// Only stacks whose lowest page is resident can have been (one mincore call for the slab).
bool StackPool::slack_written(const Slab& slab) const {
    const std::size_t page = page_size();
    std::vector<unsigned char> resident(slab.bytes / page);
    if (::mincore(slab.base, slab.bytes, resident.data()) != 0) return false;
    for (std::size_t i = 0; i < slab.stacks; ++i) {
        const std::size_t low = i * slab.stride;
        if ((resident[low / page] & 1) == 0) continue;
        const char* from = slab.base + low;
        const char* bottom = slab.base + low + slab.stride - colour(slab.first + i) - stack_size_;
        if (std::any_of(from, bottom, [](char c) { return c != 0; })) return true;
    }
    return false;
}

boost::context::stack_context StackPool::allocate() {
    if (free_.empty()) add_slab();
    boost::context::stack_context sc;
    sc.sp = free_.back();
    sc.size = stack_size_;
    free_.pop_back();
    ++in_use_;
    return sc;
}

void StackPool::deallocate(boost::context::stack_context& sc) noexcept {
    free_.push_back(sc.sp);
    --in_use_;
}

}  // namespace sim::detail
