// A process that overflows its fiber stack: caught and named (guard pages and the SIGSEGV
// handler, sim/src/stack_guard.cpp), or found when the run ends (past the guarded stacks); a
// bigger Options::stack_size lets the same code finish; other segfaults stay plain segfaults.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstdint>

#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Time;

// About 290 bytes of stack a level: 800 levels are ~225 KiB, far past a 64 KiB stack.
[[gnu::noinline]] std::uint64_t recurse(int depth) {
    volatile char frame[256];
    frame[0] = static_cast<char>(depth);
    frame[255] = 1;
    // The whole array escapes (clang keeps only the two bytes used, otherwise: a 32-byte frame).
    asm volatile("" : : "r"(frame) : "memory");
    if (depth == 0) return 1;
    const std::uint64_t below = recurse(depth - 1);  // frame[255] is read after: not a tail call
    return below + static_cast<std::uint64_t>(frame[255]);
}
constexpr int deep = 800;

// The guarded stacks' default budget (StackPool::guarded_stacks_max): stacks past it have no
// guard page.
constexpr int guarded_stacks = 8192;

// A run whose process 'client-3' on host 'api-1' recurses `deep` levels at 1.25s.
std::uint64_t run_deep_recursion(sim::Options options) {
    sim::Simulator s(std::move(options));
    std::uint64_t result = 0;
    sim::Host& h = s.add_host("api-1");
    h.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_until(Time(1250ms));
        result = recurse(deep);
    }, "client-3");
    EXPECT_EQ(s.run().verdict, sim::Verdict::pass);
    return result;
}

TEST(StackOverflowDeathTest, AProcessThatOverflowsItsStackIsNamedAndTheProgramExits) {
    EXPECT_EXIT(run_deep_recursion({}), testing::ExitedWithCode(3),
                "^faultline: process 'client-3' \\(pid [0-9]+\\) on host 'api-1' overflowed its 64 KiB stack at 1.25s "
                "virtual time; give processes more stack \\(sim::Options::stack_size\\)\n$");
}

// One frame bigger than the whole stack, written at its far end first: without probes of every
// page (stack clash protection) the write lands past the guard page, in the memory below.
[[gnu::noinline]] int one_big_frame() {
    volatile char frame[96 * 1024];
    frame[0] = 1;
    asm volatile("" : : "r"(frame) : "memory");
    return frame[0];
}

TEST(StackOverflowDeathTest, AFrameBiggerThanTheStackHitsTheGuardPageAndIsNamed) {
    auto run = [] {
        sim::Options options;
        options.guard_pages = true;
        sim::Simulator s(options);
        sim::Host& h = s.add_host("api-1");
        h.spawn([](sim::Ctx& ctx) {
            ctx.sleep_until(Time(1250ms));
            (void)one_big_frame();
        }, "client-3");
        (void)s.run();
        std::_Exit(0);  // the write went somewhere unguarded, and the run went on
    };
    EXPECT_EXIT(run(), testing::ExitedWithCode(3), "process 'client-3' \\(pid [0-9]+\\) on host 'api-1' overflowed its 64 KiB stack");
}

TEST(StackOverflowDeathTest, TheMessageGivesTheStackSizeInUse) {
    sim::Options options;
    options.stack_size = 32 * 1024;
    EXPECT_EXIT(run_deep_recursion(options), testing::ExitedWithCode(3), "overflowed its 32 KiB stack at 1.25s");
}

TEST(StackOverflow, AProcessWithABiggerStackFinishesTheSameRecursion) {
    sim::Options options;
    options.stack_size = 1024 * 1024;
    EXPECT_EQ(run_deep_recursion(options), deep + 1u);
}

// Past the guarded stacks: process b (no guard page under its stack) overflows into the stack
// below it, which process a has given back. Nothing faults; the slack under b's stack tells, as
// the simulator is destroyed. With guard_pages every stack is guarded, and b is caught at once.
void overflow_past_the_guarded_stacks(sim::Options options) {
    sim::Simulator s(std::move(options));
    for (int i = 0; i < guarded_stacks; ++i) s.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1h); });
    s.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1ms); }, "a");
    s.spawn([](sim::Ctx& ctx) {
        ctx.sleep_for(1s);
        recurse(350);  // ~100 KiB: through a's old stack, not past it
    }, "b");
    s.run_until(Time(2s));
}

// Whether this kernel keeps guard pages in its page tables (Linux 6.13+, MADV_GUARD_INSTALL):
// then the pool guards every stack, as stack_pool.cpp asks the kernel the same way.
bool kernel_guards_every_stack() {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* probe = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (probe == MAP_FAILED) return false;
    const bool ok = ::madvise(probe, page, 102 /* MADV_GUARD_INSTALL */) == 0;
    ::munmap(probe, page);
    return ok;
}

TEST(StackOverflowDeathTest, AnOverflowPastTheGuardedStacksIsFoundWhenTheRunEnds) {
    if (FAULTLINE_GUARD_PAGES_DEFAULT) GTEST_SKIP() << "built with FAULTLINE_GUARD_PAGES: every stack is guarded";
    if (kernel_guards_every_stack()) {
        // No stack is past the guarded ones: the overflow is caught as it happens.
        EXPECT_EXIT(overflow_past_the_guarded_stacks({}), testing::ExitedWithCode(3),
                    "^faultline: process 'b' \\(pid 8194\\) on host 'world' overflowed its 64 KiB stack at 1s virtual time");
        return;
    }
    EXPECT_EXIT(overflow_past_the_guarded_stacks({}), testing::ExitedWithCode(3),
                "^faultline: a simulated process \\(fiber\\) overflowed its 64 KiB stack \\(found as the run ended: it may "
                "have written over another process's stack, so the run's result cannot be trusted\\); give processes more "
                "stack \\(sim::Options::stack_size\\)\n$");
}

TEST(StackOverflowDeathTest, GuardPagesGuardEveryStack) {
    sim::Options options;
    options.guard_pages = true;
    EXPECT_EXIT(overflow_past_the_guarded_stacks(options), testing::ExitedWithCode(3),
                "^faultline: process 'b' \\(pid 8194\\) on host 'world' overflowed its 64 KiB stack at 1s virtual time");
}

TEST(StackOverflow, ProcessesPastTheGuardedStacksRunAsUsual) {
    sim::Simulator s;
    int finished = 0;
    for (int i = 0; i < guarded_stacks; ++i) s.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1h); });
    for (int i = 0; i < 256; ++i) {
        s.spawn([&](sim::Ctx& ctx) {
            ctx.sleep_for(1ms);
            finished += recurse(140) == 141;  // ~40 KiB, within the stack
        });
    }
    s.run_until(Time(1s));
    EXPECT_EQ(finished, 256);
    EXPECT_FALSE(s.failed());
}

// A process's null-pointer write is a crash like any other: the default action (a core dump),
// not an overflow report and exit code 3.
TEST(StackOverflowDeathTest, AnotherSegfaultInAProcessIsNotReportedAsAnOverflow) {
    EXPECT_EXIT(
        {
            sim::Simulator s;
            s.spawn([](sim::Ctx& ctx) {
                ctx.sleep_for(1s);
                volatile int* volatile nowhere = nullptr;
                *nowhere = 1;
            });
            s.run();
        },
        testing::KilledBySignal(SIGSEGV), "");
}

TEST(StackOverflowDeathTest, ARaisedSigsegvStillEndsTheProgram) {
    EXPECT_EXIT(
        {
            sim::Simulator s;
            s.spawn([](sim::Ctx&) { std::raise(SIGSEGV); });
            s.run();
        },
        testing::KilledBySignal(SIGSEGV), "");
}

}  // namespace
