// AddressSanitizer's view of the kernel's fiber switches. Compiled only under ASan; without it
// every function here is empty and inline, and nothing is left of it.
//
// ASan knows one stack per thread. A switch to a fiber's stack it is not told about leaves it
// taking that stack for the thread's: the first exception thrown in a fiber (which unpoisons the
// stack from the throw up to the stack's top) or a process killed while it waits (unwound by
// one) was a false "stack-buffer-underflow". Each switch is announced just before it
// (__sanitizer_start_switch_fiber, with the stack switched to) and finished where the context
// switched to goes on (__sanitizer_finish_switch_fiber), as Boost.Context does for its ucontext
// fibers (not for the fcontext ones used here).
//
// Contexts are numbered: 0 is the scheduler's side (the thread's own stack, whoever runs the
// simulator or destroys it), 1 + i the process in slot i. A process's stack is known when it is
// taken from the pool; the scheduler's is learnt from ASan at each switch away from it.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN_FIBERS 1
#endif
#endif

#if defined(SIM_ASAN_FIBERS)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

#include <vector>
#endif

namespace sim::detail {

#if defined(SIM_ASAN_FIBERS)

class FiberSwitches {
public:
    static constexpr std::uint32_t scheduler = 0;
    static std::uint32_t of_process(std::uint32_t index) noexcept { return index + 1; }

    // Process slot `index` starts on a stack from the pool: a fresh context. The pool reuses
    // stacks, and a fiber that ended left its last frames' redzones poisoned.
    void new_stack(std::uint32_t index, void* top, std::size_t size) {
        Context& c = at(of_process(index));
        c = {};
        c.bottom = static_cast<char*>(top) - size;
        c.size = size;
        __asan_unpoison_memory_region(c.bottom, size);
    }
    // Context `from` switches to `to` now. `ending`: from never runs again (its ASan fake stack
    // goes with it).
    void start(std::uint32_t from, std::uint32_t to, bool ending = false) {
        switcher_ = from;
        const Context target = at(to);
        __sanitizer_start_switch_fiber(ending ? nullptr : &at(from).fake_stack, target.bottom, target.size);
    }
    // Context `self` goes on after a switch to it.
    void finish(std::uint32_t self) {
        void* fake_stack = at(self).fake_stack;
        if (switcher_ == scheduler) {
            Context& s = at(scheduler);
            __sanitizer_finish_switch_fiber(fake_stack, &s.bottom, &s.size);
        } else {
            __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
        }
    }
    // A kill: `killer` switches to process `victim` to unwind it, and the victim, unwound, ends
    // with a switch back to the killer (end_unwound).
    void start_kill(std::uint32_t killer, std::uint32_t victim_index) {
        at(of_process(victim_index)).killer = killer;
        start(killer, of_process(victim_index));
    }
    void end_unwound(std::uint32_t index) {
        const std::uint32_t self = of_process(index);
        start(self, at(self).killer, true);
    }

private:
    struct Context {
        const void* bottom = nullptr;
        std::size_t size = 0;
        void* fake_stack = nullptr;
        std::uint32_t killer = scheduler;
    };
    Context& at(std::uint32_t context) {
        if (context >= contexts_.size()) contexts_.resize(context + 1);
        return contexts_[context];
    }
    std::vector<Context> contexts_;
    std::uint32_t switcher_ = scheduler;  // who started the switch being finished
};

// Finishes the switch back to a context however the context goes on: returning from its resume,
// or unwinding from it (a killed process).
class FiberLanding {
public:
    FiberLanding(FiberSwitches& switches, std::uint32_t self) noexcept : switches_(switches), self_(self) {}
    ~FiberLanding() { switches_.finish(self_); }
    FiberLanding(const FiberLanding&) = delete;
    FiberLanding& operator=(const FiberLanding&) = delete;

private:
    FiberSwitches& switches_;
    std::uint32_t self_;
};

#else

class FiberSwitches {
public:
    static constexpr std::uint32_t scheduler = 0;
    static std::uint32_t of_process(std::uint32_t index) noexcept { return index + 1; }
    void new_stack(std::uint32_t, void*, std::size_t) noexcept {}
    void start(std::uint32_t, std::uint32_t, bool = false) noexcept {}
    void finish(std::uint32_t) noexcept {}
    void start_kill(std::uint32_t, std::uint32_t) noexcept {}
    void end_unwound(std::uint32_t) noexcept {}
};

class FiberLanding {
public:
    FiberLanding(FiberSwitches&, std::uint32_t) noexcept {}
};

#endif

}  // namespace sim::detail
