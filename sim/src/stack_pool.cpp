#include "stack_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

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
}  // namespace

StackPool::StackPool(std::size_t stack_size, bool guard_pages)
    : stack_size_(round_up(stack_size < 16384 ? 16384 : stack_size, page_size())),
      stride_(stack_size_ + colour_room + (guard_pages ? page_size() : 0)),
      guard_pages_(guard_pages) {}

StackPool::~StackPool() {
#ifdef FAULTLINE_VALGRIND
    for (unsigned id : valgrind_ids_) VALGRIND_STACK_DEREGISTER(id);
#endif
    for (auto [base, bytes] : slabs_) ::munmap(base, bytes);
}

void StackPool::add_slab() {
    const std::size_t bytes = stride_ * stacks_per_slab;
    void* base = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        std::fprintf(stderr, "faultline: cannot map %zu bytes for fiber stacks (out of address space?)\n", bytes);
        std::abort();
    }
    slabs_.emplace_back(base, bytes);
    auto* p = static_cast<char*>(base);
    // Push in reverse so the lowest stack is handed out first.
    for (std::size_t i = stacks_per_slab; i-- > 0;) {
        char* low = p + i * stride_;
        if (guard_pages_) {
            if (::mprotect(low, page_size(), PROT_NONE) != 0) {
                std::fprintf(stderr, "faultline: mprotect of a guard page failed (vm.max_map_count reached?)\n");
                std::abort();
            }
        }
        // 37 is coprime with 16: consecutive stacks get far-apart colours, all below 1 KiB (a
        // fresh fiber touches up to ~2 KiB below its top; a deeper colour costs an idle fiber
        // a second resident page).
        const std::size_t colour = (((slabs_.size() - 1) * stacks_per_slab + i) * 37 % 16) * 64;
        free_.push_back(low + stride_ - colour);
#ifdef FAULTLINE_VALGRIND
        if (RUNNING_ON_VALGRIND) valgrind_ids_.push_back(VALGRIND_STACK_REGISTER(low + stride_ - colour - stack_size_, low + stride_ - colour));
#endif
    }
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
