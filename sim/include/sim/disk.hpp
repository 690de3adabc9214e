// A host's disk: named files of bytes, a volatile page cache in front of a durable image, and
// the disk faults: latency (with tails), stalls, a full disk, lost unsynced writes, injected I/O
// errors and silent corruption of durable blocks.
//
// Writes land in the page cache; fsync makes one file's current contents durable (data and its
// directory entry at once). A host crash loses everything not fsynced: files never fsynced
// vanish, the others revert to their last fsynced image. remove() is durable at once, like a
// rename plus an fsync of the directory. Each operation takes its latency (scaled by the host's
// slowdown) while holding one of `concurrency_max` permits, and its effect happens atomically at
// the end of it: a crash during an operation leaves no trace of it. A write that needs room
// past the capacity fails with Errc::disk_full at that moment and writes nothing.
//
// The Disk object itself survives crashes (Host::make_durable); its page cache must not. It
// notices a crash by the host being down or by a new Host::incarnation(), at the start of its
// next operation or inspection (const ones too), and then drops every unsynced change. So the
// loss is lazy but never missed, and nothing in the kernel has to call the disk at a crash.
//
// Left out: directories, open file handles, truncation, torn (partially applied) writes, write
// reordering inside a file or between files, and page-cache writeback (nothing becomes durable
// except by fsync, which real kernels do on their own after a while). fsync never loses data
// once it returns, and an fsync error does not "poison" later fsyncs as it does on Linux.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/disk_file.hpp"
#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/simulator.hpp"
#include "sim/sync.hpp"

namespace sim {

struct DiskOptions {
    Delay read_latency = Delay::fixed(std::chrono::microseconds(100));
    Delay write_latency = Delay::fixed(std::chrono::microseconds(50));  // into the page cache
    Delay fsync_latency = Delay::fixed(std::chrono::milliseconds(2));   // also remove() (a directory sync)
    std::uint64_t capacity_bytes = 1ull << 30;
    std::uint64_t block_size = 4096;   // corruption granularity
    std::size_t concurrency_max = 32;  // operations in flight; more wait, first come first served
};

class Disk {
public:
    Disk(Host& host, DiskOptions options = {});
    Disk(const Disk&) = delete;
    Disk& operator=(const Disk&) = delete;

    // --- operations (each takes its latency; errors are values) ---------------------------------
    // Writes at `offset`, extending the file (a gap is zero-filled) and creating it if missing.
    Result<void> write(Ctx& ctx, std::string_view file, std::uint64_t offset, std::string_view bytes);
    Result<void> append(Ctx& ctx, std::string_view file, std::string_view bytes);
    // Up to `length` bytes from `offset`: short at the end of the file, empty past it. A missing
    // file is Errc::io_error.
    Result<std::string> read(Ctx& ctx, std::string_view file, std::uint64_t offset, std::uint64_t length);
    Result<std::string> read_all(Ctx& ctx, std::string_view file);
    // Makes the file's current contents durable. A missing file is Errc::io_error.
    Result<void> fsync(Ctx& ctx, std::string_view file);
    Result<void> fsync_all(Ctx& ctx);
    // Removes the file from both views at once (durable immediately). Missing: Errc::io_error.
    Result<void> remove(Ctx& ctx, std::string_view file);

    // --- inspection (no latency, no Ctx): for checkers and tests ---------------------------------
    // The current view (page cache over durable image) ...
    bool exists(std::string_view file) const;
    std::uint64_t size(std::string_view file) const;
    std::string contents(std::string_view file) const;  // empty if missing
    std::vector<std::string> files() const;             // sorted
    std::uint64_t used_bytes() const;                   // sum of current sizes
    // ... and what a crash now would leave: empty if the file has never been fsynced.
    std::string durable_contents(std::string_view file) const;
    bool durable_exists(std::string_view file) const;

    // --- faults -------------------------------------------------------------------------------
    // Every operation started or waiting before `t` finishes no earlier than `t` (it waits out the
    // stall while holding its permit). A new call replaces the stall's end: a `t` at or before now
    // ends the stall at once and releases the operations it held (how a stall fault heals).
    void stall_until(Time t);
    Time stalled_until() const noexcept { return stall_until_; }
    // A write that would push used_bytes() over the capacity fails with Errc::disk_full and writes
    // nothing. Lowering it below used_bytes() deletes nothing; it only refuses growth.
    void set_capacity(std::uint64_t bytes);
    void fill() { set_capacity(used_bytes()); }
    // Flips bits in one byte of one random durable block (of `file`, or of any file with durable
    // bytes), drawn from `rng`; the page cache sees it too if that block is clean there. Returns the
    // block's index in its file, or UINT64_MAX if there was nothing durable to corrupt.
    std::uint64_t corrupt(Rng& rng, std::string_view file = {});
    // Each operation fails with Errc::io_error with this probability, drawn from the disk's own
    // stream (one draw per operation, whatever the ratio, so changing it shifts no other draw).
    void set_fail_ratio(Ratio r);

    const DiskOptions& options() const noexcept { return options_; }
    Host& host() const noexcept { return *host_; }
    std::uint64_t capacity() const noexcept { return capacity_; }

    // --- counters (successful operations; `errors` counts the failed ones) ---------------------
    std::uint64_t reads() const noexcept { return reads_; }
    std::uint64_t writes() const noexcept { return writes_; }  // write() and append()
    std::uint64_t fsyncs() const noexcept { return fsyncs_; }  // fsync() and fsync_all()
    std::uint64_t bytes_written() const noexcept { return bytes_written_; }
    std::uint64_t errors() const noexcept { return errors_; }

private:
    // A file never fsynced (!ever_synced()) is removed by a crash.
    using Files = std::map<std::string, detail::DiskFile, std::less<>>;
    class Turn;

    // The page cache does not survive the host: if the host went down (or came back as a new
    // incarnation) since the disk last looked, drop every unsynced change. Called first by every
    // operation and inspection, so the crash is noticed lazily but never missed.
    void notice_crash() const;
    // Everything an operation does before its effect: permit, stall, latency, injected failure.
    // Returns the error if the operation fails (traced and counted), nothing if it may proceed.
    std::optional<Errc> wait_turn(Ctx& ctx, Turn& turn, std::string_view op, std::string_view file,
                                  const Delay& latency);
    void wait_out_stall(Ctx& ctx);
    Errc fail(std::string_view op, std::string_view file, Errc e, bool injected = false);
    Result<void> write_at(Ctx& ctx, std::string_view op, std::string_view file, std::optional<std::uint64_t> offset,
                          std::string_view bytes);

    Host* host_;
    DiskOptions options_;
    Rng rng_;
    Semaphore permits_;
    std::size_t in_flight_ = 0;  // operations holding a permit

    mutable Files files_;
    mutable std::uint64_t incarnation_seen_;
    mutable std::uint64_t used_ = 0;      // sum of current sizes
    mutable bool cache_dropped_ = false;  // the host is down and its page cache already dropped

    Time stall_until_{};
    Event stall_changed_;  // set and reset by stall_until(): wakes the operations a stall holds
    std::uint64_t capacity_;
    Ratio fail_ratio_{0, 1};

    std::uint64_t reads_ = 0;
    std::uint64_t writes_ = 0;
    std::uint64_t fsyncs_ = 0;
    std::uint64_t bytes_written_ = 0;
    std::uint64_t errors_ = 0;
};

// The host's disk: made on first use with `options` (later calls return it and ignore theirs),
// durable across crashes (Host::make_durable), so a rebooted host finds its files again.
Disk& disk(Host& host, DiskOptions options = {});

}  // namespace sim
