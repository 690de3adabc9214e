#include "explore/workers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "explore/build_info.hpp"

namespace faultline::explore {

namespace {
using Clock = std::chrono::steady_clock;  // wall clock: worker limits only
constexpr std::size_t err_tail_max = 4096;
// The start of an error outcome's detail for a worker that exited non-zero without a result
// ("worker exited with code 2: error: ..."); worker_input_error reads it back.
constexpr std::string_view exited_with = "worker exited with code ";
// Specs longer than this go to the worker's stdin instead of its command line (Linux limits one
// argument to 128 KiB).
constexpr std::size_t spec_arg_max = 64 * 1024;
}  // namespace

struct WorkerPool::Running {
    std::uint64_t id = 0;
    pid_t pid = -1;
    int out_fd = -1;
    int err_fd = -1;
    std::string out;
    std::string err;
    Clock::time_point start;
    Clock::time_point deadline;
};

std::string self_exe() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find the faultline executable (/proc/self/exe): " + ec.message());
    return p.string();
}

std::string signal_name(int signal) {
    if (const char* abbrev = ::sigabbrev_np(signal)) return std::string("SIG") + abbrev;
    return "signal " + std::to_string(signal);
}

WorkerCommand worker_command(const std::string& exe, const RunSpec& spec) {
    Json j;
    spec_to_json(spec, j);
    std::string text = j.dump();
    if (text.size() > spec_arg_max) return {exe, {program_name(), "worker", "--spec", "-"}, std::move(text)};
    return {exe, {program_name(), "worker", "--spec", std::move(text)}, {}};
}

WorkerPool::WorkerPool(unsigned slots) : slots_(slots == 0 ? 1 : slots) {
    ::signal(SIGPIPE, SIG_IGN);  // a worker that dies before reading its stdin must not kill us
}

WorkerPool::~WorkerPool() {
    for (Running* r : running_) {
        ::kill(r->pid, SIGKILL);
        ::waitpid(r->pid, nullptr, 0);
        if (r->out_fd >= 0) ::close(r->out_fd);
        if (r->err_fd >= 0) ::close(r->err_fd);
        delete r;
    }
}

void WorkerPool::start(std::uint64_t id, const WorkerCommand& command, std::chrono::milliseconds timeout) {
    std::vector<std::string> argv = command.argv;
    const std::string exe = command.exe.empty() ? argv.at(0) : command.exe;
    const std::string& stdin_data = command.stdin_data;
    int out[2], err[2], in[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    // The child writes exec's errno here; an exec that works closes it (O_CLOEXEC) unwritten.
    int exec_error[2];
    if (::pipe2(exec_error, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Child: only async-signal-safe calls from here to exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed job takes its workers with it
        if (::getppid() != parent) ::_exit(127);
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::signal(SIGPIPE, SIG_DFL);
        ::execv(exe.c_str(), cargv.data());
        const int why = errno;
        (void)!::write(exec_error[1], &why, sizeof why);
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    ::close(in[0]);
    ::close(exec_error[1]);
    int why = 0;
    ssize_t got = 0;
    do {
        got = ::read(exec_error[0], &why, sizeof why);
    } while (got < 0 && errno == EINTR);
    ::close(exec_error[0]);
    if (got == static_cast<ssize_t>(sizeof why)) {
        // Not the seed's outcome (it would be recorded as a finding of every seed left): the
        // executable is gone or unrunnable (a rebuild during the job), which the caller reports.
        ::waitpid(pid, nullptr, 0);
        ::close(out[0]);
        ::close(err[0]);
        ::close(in[1]);
        throw WorkerStartError("cannot start the worker executable " + exe + ": " + std::strerror(why));
    }
    if (!stdin_data.empty()) {
        std::size_t done = 0;
        while (done < stdin_data.size()) {
            const ssize_t n = ::write(in[1], stdin_data.data() + done, stdin_data.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // the worker died early: its exit status will say so
            done += static_cast<std::size_t>(n);
        }
    }
    ::close(in[1]);
    ::fcntl(out[0], F_SETFL, O_NONBLOCK);
    ::fcntl(err[0], F_SETFL, O_NONBLOCK);
    auto* r = new Running;
    r->id = id;
    r->pid = pid;
    r->out_fd = out[0];
    r->err_fd = err[0];
    r->start = Clock::now();
    r->deadline = r->start + timeout;
    running_.push_back(r);
}

namespace {
// Reads what is there; false at end of file (or error).
bool drain(int fd, std::string& into, std::size_t keep_max) {
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            into.append(buf, static_cast<std::size_t>(n));
            if (into.size() > keep_max) into.erase(0, into.size() - keep_max);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        return false;
    }
}
}  // namespace

std::vector<WorkerExit> WorkerPool::poll(std::chrono::milliseconds wait) {
    std::vector<WorkerExit> done;
    if (running_.empty()) return done;
    const Clock::time_point now = Clock::now();
    Clock::time_point until = now + wait;
    std::vector<pollfd> fds;
    std::vector<std::pair<Running*, bool>> owners;  // (worker, is stdout)
    bool exiting = false;                           // a worker closed its pipes: its exit is due any moment
    for (Running* r : running_) {
        until = std::min(until, r->deadline);
        if (r->out_fd < 0 && r->err_fd < 0) exiting = true;
        if (r->out_fd >= 0) {
            fds.push_back({r->out_fd, POLLIN, 0});
            owners.emplace_back(r, true);
        }
        if (r->err_fd >= 0) {
            fds.push_back({r->err_fd, POLLIN, 0});
            owners.emplace_back(r, false);
        }
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    if (ms < 0) ms = 0;
    if (exiting) ms = 0;  // its exit is due in microseconds: check again soon, not in a millisecond
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(ms));
    if (exiting && n == 0) ::usleep(50);
    if (n > 0) {
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            auto [r, is_out] = owners[i];
            int& fd = is_out ? r->out_fd : r->err_fd;
            if (!drain(fd, is_out ? r->out : r->err, is_out ? std::string::npos - 1 : err_tail_max)) {
                ::close(fd);
                fd = -1;
            }
        }
    }
    const Clock::time_point after = Clock::now();
    for (auto it = running_.begin(); it != running_.end();) {
        Running* r = *it;
        WorkerExit e;
        e.id = r->id;
        bool finished = false;
        int status = 0;
        if (r->out_fd < 0 && r->err_fd < 0 && ::waitpid(r->pid, &status, WNOHANG) == r->pid) {
            finished = true;
            if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
            if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
        } else if (after >= r->deadline) {
            ::kill(r->pid, SIGKILL);
            ::waitpid(r->pid, &status, 0);
            finished = true;
            e.timed_out = true;
        }
        if (!finished) {
            ++it;
            continue;
        }
        if (r->out_fd >= 0) ::close(r->out_fd);
        if (r->err_fd >= 0) ::close(r->err_fd);
        e.out = std::move(r->out);
        e.err_tail = std::move(r->err);
        e.wall_ms = std::chrono::duration<double, std::milli>(after - r->start).count();
        done.push_back(std::move(e));
        delete r;
        it = running_.erase(it);
    }
    return done;
}

namespace {
// A worker's error line with its numbers taken out, for grouping: a stack overflow reads
// "process 'client-3' (pid 17) on host 'api-1' overflowed its 64 KiB stack at 1.25s", and the
// same bug on another seed differs only in those numbers.
std::string without_numbers(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
            out += text[i++];
            continue;
        }
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 ||
                                   (text[i] == '.' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0))) {
            ++i;
        }
        out += 'N';
    }
    return out;
}

std::string last_line(const std::string& text) {
    std::size_t end = text.find_last_not_of("\n\r ");
    if (end == std::string::npos) return "";
    std::size_t begin = text.rfind('\n', end);
    return text.substr(begin == std::string::npos ? 0 : begin + 1,
                       end + 1 - (begin == std::string::npos ? 0 : begin + 1));
}
}  // namespace

std::optional<std::string> worker_input_error(const Outcome& o) {
    const std::string prefix = std::string(exited_with) + "2: error: ";
    if (o.verdict != Verdict::error || o.detail.rfind(prefix, 0) != 0) return std::nullopt;
    return o.detail.substr(prefix.size());
}

Outcome outcome_from_exit(const WorkerExit& exit, const RunSpec& spec, std::chrono::milliseconds timeout) {
    Outcome o;
    if (exit.exit_code == 0 && !exit.timed_out) {
        try {
            const Json j = Json::parse(last_line(exit.out));
            o = outcome_from_json(JsonReader("worker output", j));
            o.seed = spec.seed;
            o.swarm = spec.swarm;
            o.wall_ms = exit.wall_ms;
            o.stderr_tail = exit.err_tail;
            return o;
        } catch (const std::exception& e) {
            o = Outcome{};
            o.verdict = Verdict::error;
            o.detail = std::string("unreadable worker output: ") + e.what();
        }
    } else if (exit.timed_out) {
        o.verdict = Verdict::hang;
        o.signature = "hang";
        o.detail = "no result within " + std::to_string(timeout.count()) + " ms of wall-clock time; killed";
    } else if (exit.signal != 0) {
        o.verdict = Verdict::crash;
        o.signature = "crash " + signal_name(exit.signal);
        o.detail = "the worker was killed by " + signal_name(exit.signal);
    } else {
        o.verdict = Verdict::error;
        std::string why = last_line(exit.err_tail);
        if (why.rfind("faultline: ", 0) == 0) why = why.substr(11);
        const std::string exited = std::string(exited_with) + std::to_string(exit.exit_code);
        o.detail = exited + (why.empty() ? "" : ": " + why);
        // Bad input (exit 2) is reported as written, numbers and all; other errors (3: the
        // program's own, such as a stack overflow) are grouped without the numbers of one run.
        if (exit.exit_code != 2 && !why.empty()) o.signature = "error: " + exited + ": " + without_numbers(why);
    }
    if (o.verdict == Verdict::error && o.signature.empty()) o.signature = "error: " + o.detail;
    o.seed = spec.seed;
    o.swarm = spec.swarm;
    o.wall_ms = exit.wall_ms;
    o.stderr_tail = exit.err_tail;
    return o;
}

Outcome run_in_worker(const std::string& exe, const RunSpec& spec, std::chrono::milliseconds timeout) {
    WorkerPool pool(1);
    pool.start(0, worker_command(exe, spec), timeout);
    for (;;) {
        auto done = pool.poll(std::chrono::milliseconds(1000));
        if (!done.empty()) return outcome_from_exit(done.front(), spec, timeout);
    }
}

}  // namespace faultline::explore
