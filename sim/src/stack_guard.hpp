// Reporting a fiber that overflows its stack: a table of the stack pools' guarded slabs, and a
// SIGSEGV handler that recognises a fault in one of their guard pages.
//
// A fiber that runs past the low end of its stack into the guard page below it faults. The
// handler runs on an alternate signal stack (the fiber's own is used up), finds the guard page
// in the table, and writes one line - which process, on which host, the stack's size, the virtual
// time, and how to give processes more stack - with write(2) alone, then exits with
// overflow_exit_code. Any other fault goes on to the handler installed before this one, or to
// the default action (a core dump), as if this one were not there.
//
// A slab without guard pages (StackPool guards only the first stacks of a process, see there)
// is checked when its pool is destroyed instead: report_overflow(..., found_late = true).
#pragma once

#include <cstddef>

namespace sim::detail {

// The CLI's code for an internal error: the run cannot go on and has no verdict.
inline constexpr int overflow_exit_code = 3;

// A slab as StackPool lays it out: `stacks` strides from `base`, each starting with its guard
// page, then (above the colour slack) `stack_size` usable bytes.
struct GuardedSlab {
    const char* base = nullptr;
    std::size_t stride = 0;
    std::size_t stacks = 0;
    std::size_t stack_size = 0;
};

// Makes the calling thread ready to report an overflow: installs the SIGSEGV handler (once per
// program) and gives the thread an alternate signal stack if it has none. Not for the hot path.
void prepare_overflow_reports();

// Faults in the slab's guard pages are reported as overflows from now on (watch_guards: false
// if the table is full, and then they are not), and no longer once unwatched.
bool watch_guards(const GuardedSlab& slab) noexcept;
void unwatch_guards(const char* base) noexcept;

// Writes the overflow line to stderr and exits. Names the running process and the virtual time
// if a simulator runs on this thread; found_late: found after the fact, by the slack below a
// stack that was written (the process and the time are unknown then). Async-signal-safe.
[[noreturn]] void report_overflow(std::size_t stack_size, bool found_late) noexcept;

}  // namespace sim::detail
