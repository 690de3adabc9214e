// The SIGSEGV handler that tells a fiber's stack overflow from any other fault (stack_guard.hpp).
// Everything the handler reaches is async-signal-safe: atomics, plain reads of objects that
// already exist (the running process's name is a built std::string), write(2), sigaction(2),
// raise(3) and _exit(2). No allocation, no stdio, no locks.
#include "stack_guard.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "sim/simulator.hpp"
#include "sim/stack_advice.hpp"

namespace sim::detail {

namespace {

// Guarded slabs alive in the program. A default pool guards at most
// StackPool::guarded_stacks_max stacks, and each guard page takes two kernel mappings out of
// vm.max_map_count (65,530), so even pools that guard every stack cannot fill this table.
struct Watched {
    std::atomic<const char*> base{nullptr};  // null: a free entry; published last, cleared first
    std::size_t stride = 0;
    std::size_t stacks = 0;
    std::size_t stack_size = 0;
};
std::array<Watched, 4096> watched;
std::mutex watched_mutex;  // between writers only; the handler reads without it

struct sigaction previous_action {};
std::size_t page_bytes = 4096;  // set when the handler is installed (sysconf is not signal-safe)
std::atomic<const char*> overflow_advice{nullptr};  // set_stack_overflow_advice
constexpr std::size_t alt_stack_bytes = 64 * 1024;

std::uintptr_t stack_pointer(const void* uc) {
    const auto& m = static_cast<const ucontext_t*>(uc)->uc_mcontext;
#if defined(__x86_64__)
    return static_cast<std::uintptr_t>(m.gregs[REG_RSP]);
#elif defined(__aarch64__)
    return static_cast<std::uintptr_t>(m.sp);
#else
    (void)m;
    return 0;  // unknown: guard_hit() then trusts the fault address alone
#endif
}

// The stack size of the stack whose guard page `addr` is in, if the fault happened on that
// stack (the stack pointer in its slot): 0 otherwise. A stray write into some other stack's
// guard page is not an overflow.
std::size_t guard_hit(std::uintptr_t addr, std::uintptr_t sp, std::size_t page) {
    for (const Watched& w : watched) {
        const auto base = reinterpret_cast<std::uintptr_t>(w.base.load(std::memory_order_acquire));
        if (base == 0 || addr < base || addr - base >= w.stride * w.stacks) continue;
        const std::uintptr_t slot = base + (addr - base) / w.stride * w.stride;
        if (addr - slot >= page) return 0;  // in the slab, but not in a guard page
        if (sp != 0 && (sp < slot || sp - slot >= w.stride)) return 0;
        return w.stack_size;
    }
    return 0;
}

// One line built in place: nothing allocates.
class Line {
public:
    Line& operator<<(std::string_view s) {
        for (char c : s) {
            if (size_ < text_.size()) text_[size_++] = c;
        }
        return *this;
    }
    Line& number(std::uint64_t v, int min_digits = 1) {
        char digits[20];
        int n = 0;
        do {
            digits[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0 || n < min_digits);
        while (n > 0) *this << std::string_view(&digits[--n], 1);
        return *this;
    }
    // Like format_time: "1.25s", trailing zeros of the fraction dropped.
    Line& seconds(std::int64_t ns) {
        if (ns < 0) return *this << "?";
        const auto u = static_cast<std::uint64_t>(ns);
        number(u / 1'000'000'000);
        std::uint64_t frac = u % 1'000'000'000;
        if (frac != 0) {
            int digits = 9;
            while (frac % 10 == 0) {
                frac /= 10;
                --digits;
            }
            *this << ".";
            number(frac, digits);
        }
        return *this << "s";
    }
    void write_to_stderr() const {
        std::size_t done = 0;
        while (done < size_) {
            const ssize_t n = ::write(STDERR_FILENO, text_.data() + done, size_ - done);
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    }

private:
    std::array<char, 1024> text_{};
    std::size_t size_ = 0;
};

// Whatever would have happened without this handler.
void pass_on(int sig, siginfo_t* info, void* uc) {
    if ((previous_action.sa_flags & SA_SIGINFO) != 0 && previous_action.sa_sigaction != nullptr) {
        previous_action.sa_sigaction(sig, info, uc);
        return;
    }
    if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
        previous_action.sa_handler(sig);
        return;
    }
    // The default action: put it back. A fault then happens again as this returns and ends the
    // program as it always did (with a core dump); a signal sent by raise() or kill() is sent
    // again, to be delivered as this returns.
    ::sigaction(sig, &previous_action, nullptr);
    if (info->si_code <= 0) ::raise(sig);
}

void on_segv(int sig, siginfo_t* info, void* uc) {
    if (info->si_code > 0) {  // a fault, not a signal someone sent
        const std::size_t size = guard_hit(reinterpret_cast<std::uintptr_t>(info->si_addr), stack_pointer(uc), page_bytes);
        if (size != 0) report_overflow(size, false);
    }
    pass_on(sig, info, uc);
}

// The calling thread's alternate signal stack, if this file gave it one: taken down when the
// thread ends.
struct AltStack {
    void* memory = nullptr;
    AltStack() {
        stack_t current{};
        if (::sigaltstack(nullptr, &current) != 0 || (current.ss_flags & SS_DISABLE) == 0) return;  // it has one
        memory = ::mmap(nullptr, alt_stack_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (memory == MAP_FAILED) {
            memory = nullptr;
            return;
        }
        stack_t ss{};
        ss.ss_sp = memory;
        ss.ss_size = alt_stack_bytes;
        if (::sigaltstack(&ss, nullptr) != 0) {
            ::munmap(memory, alt_stack_bytes);
            memory = nullptr;
        }
    }
    ~AltStack() {
        if (memory == nullptr) return;
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        ::sigaltstack(&off, nullptr);
        ::munmap(memory, alt_stack_bytes);
    }
    AltStack(const AltStack&) = delete;
    AltStack& operator=(const AltStack&) = delete;
};

}  // namespace

void prepare_overflow_reports() {
    static const bool installed = [] {
        page_bytes = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        struct sigaction sa {};
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        return ::sigaction(SIGSEGV, &sa, &previous_action) == 0;
    }();
    (void)installed;
    static thread_local AltStack alt_stack;
    (void)alt_stack;
}

bool watch_guards(const GuardedSlab& slab) noexcept {
    std::lock_guard lock(watched_mutex);
    for (Watched& w : watched) {
        if (w.base.load(std::memory_order_relaxed) != nullptr) continue;
        w.stride = slab.stride;
        w.stacks = slab.stacks;
        w.stack_size = slab.stack_size;
        w.base.store(slab.base, std::memory_order_release);
        return true;
    }
    return false;
}

void unwatch_guards(const char* base) noexcept {
    std::lock_guard lock(watched_mutex);
    for (Watched& w : watched) {
        if (w.base.load(std::memory_order_relaxed) == base) w.base.store(nullptr, std::memory_order_release);
    }
}

void report_overflow(std::size_t stack_size, bool found_late) noexcept {
    Line line;
    line << "faultline: ";
    const Simulator* sim = found_late ? nullptr : current_simulator();
    const Ctx* p = sim != nullptr ? sim->current() : nullptr;
    if (p != nullptr) {
        line << "process ";
        if (!p->name().empty()) line << "'" << p->name() << "' ";
        line << "(pid ";
        line.number(p->id()) << ") on host '" << p->host().name() << "'";
    } else {
        line << "a simulated process (fiber)";
    }
    line << " overflowed its ";
    line.number(stack_size / 1024) << " KiB stack";
    if (sim != nullptr) {
        line << " at ";
        line.seconds(sim->now().time_since_epoch().count()) << " virtual time";
    }
    if (found_late) {
        line << " (found as the run ended: it may have written over another process's stack, so the run's result cannot be trusted)";
    }
    const char* advice = overflow_advice.load(std::memory_order_relaxed);
    line << "; give processes more stack (" << (advice != nullptr ? advice : "sim::Options::stack_size") << ")\n";
    line.write_to_stderr();
    ::_exit(overflow_exit_code);
}

}  // namespace sim::detail

namespace sim {
void set_stack_overflow_advice(const char* advice) noexcept { detail::overflow_advice.store(advice, std::memory_order_relaxed); }
}  // namespace sim
