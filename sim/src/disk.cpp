// Disk: the page cache over the durable image, operation latency and permits, crash detection,
// and the disk faults (stall, capacity, injected errors, corruption).
#include "sim/disk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sim {

// An operation's place among the disk's `concurrency_max` permits, released when the operation
// ends or its process is killed.
class Disk::Turn {
public:
    explicit Turn(Disk& disk) : disk_(disk) {}
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn() {
        if (!held_) return;
        --disk_.in_flight_;
        disk_.permits_.release();
    }

    void acquire(Ctx& ctx) {
        SIM_ASSERT(!held_, "a disk operation takes one permit");
        const bool acquired = disk_.permits_.acquire(ctx);
        SIM_ASSERT(acquired, "a permit wait without a timeout ended without the permit");
        held_ = true;
        ++disk_.in_flight_;
    }

private:
    Disk& disk_;
    bool held_ = false;
};

Disk::Disk(Host& host, DiskOptions options)
    : host_(&host),
      options_(std::move(options)),
      rng_(host.sim().rng("disk/" + std::string(host.name()))),
      permits_(options_.concurrency_max),
      incarnation_seen_(host.incarnation()),
      capacity_(options_.capacity_bytes) {
    SIM_ASSERT(options_.block_size > 0, "disk block_size must be positive");
    SIM_ASSERT(options_.concurrency_max > 0, "disk concurrency_max must be positive");
}

Disk& disk(Host& host, DiskOptions options) {
    if (Disk* d = host.find_durable<Disk>()) return *d;
    return host.make_durable<Disk>(host, std::move(options));
}

// ---- crash detection -----------------------------------------------------------------------

void Disk::notice_crash() const {
    const bool lost = host_->incarnation() != incarnation_seen_ || (!host_->alive() && !cache_dropped_);
    if (!lost) return;
    incarnation_seen_ = host_->incarnation();
    cache_dropped_ = !host_->alive();
    bool dropped = false;
    used_ = 0;
    for (auto it = files_.begin(); it != files_.end();) {
        detail::DiskFile& f = it->second;
        if (!f.ever_synced()) {
            dropped = true;
            it = files_.erase(it);
            continue;
        }
        if (f.revert()) dropped = true;
        used_ += f.size();
        ++it;
    }
    if (dropped) SIM_COVER("disk: a crash dropped unsynced writes");
}

// ---- the life of an operation --------------------------------------------------------------

Errc Disk::fail(std::string_view op, std::string_view file, Errc e, bool injected) {
    ++errors_;
    host_->sim().trace(*host_, "disk.error",
                       {{"op", op}, {"file", file}, {"error", to_string(e)}, {"injected", injected}});
    return e;
}

void Disk::wait_out_stall(Ctx& ctx) {
    if (ctx.now() >= stall_until_) return;
    SIM_COVER("disk: an operation waited out a stall");
    // Bounded: each round ends at the stall's end or when stall_until() moves it.
    while (ctx.now() < stall_until_) stall_changed_.wait(ctx, stall_until_ - ctx.now());
}

std::optional<Errc> Disk::wait_turn(Ctx& ctx, Turn& turn, std::string_view op, std::string_view file,
                                    const Delay& latency) {
    notice_crash();
    // Only another host's process can get here while this host is down: no machine, no disk.
    if (!host_->alive()) return fail(op, file, Errc::io_error);
    const std::uint64_t incarnation = host_->incarnation();
    // Both draws happen at the start, whatever the ratio, so the stream's use does not depend on
    // the fault settings or on how operations interleave while they wait.
    const Duration drawn = latency.sample(rng_);
    const bool injected_error = rng_.bernoulli(fail_ratio_);

    turn.acquire(ctx);
    wait_out_stall(ctx);
    // A limping host is slow at I/O too (as Ctx::compute scales CPU time).
    const double slowdown = host_->slowdown();
    Duration delay = drawn;
    if (slowdown != 1.0) {
        delay = saturating_duration(std::round(static_cast<double>(drawn.count()) * slowdown));
    }
    ctx.sleep_for(delay);
    // A stall that began during the latency holds the operation too.
    wait_out_stall(ctx);

    notice_crash();
    if (!host_->alive() || host_->incarnation() != incarnation) return fail(op, file, Errc::io_error);
    if (injected_error) {
        SIM_COVER("disk: an injected I/O error");
        return fail(op, file, Errc::io_error, true);
    }
    return std::nullopt;
}

// ---- operations ----------------------------------------------------------------------------

Result<void> Disk::write_at(Ctx& ctx, std::string_view op, std::string_view file, std::optional<std::uint64_t> offset,
                            std::string_view bytes) {
    Turn turn(*this);
    if (auto e = wait_turn(ctx, turn, op, file, options_.write_latency)) return *e;
    auto it = files_.find(file);
    const std::uint64_t size_before = it == files_.end() ? 0 : it->second.size();
    const std::uint64_t at = offset.value_or(size_before);
    const std::uint64_t n = bytes.size();
    // A write of nothing extends nothing (as pwrite of zero bytes), though it creates the file.
    if (n != 0 && at > std::numeric_limits<std::uint64_t>::max() - n) return fail(op, file, Errc::disk_full);
    const std::uint64_t end = n == 0 ? size_before : std::max(size_before, at + n);
    const std::uint64_t growth = end - size_before;
    if (growth > 0 && (used_ >= capacity_ || growth > capacity_ - used_)) {
        SIM_COVER("disk: a write refused by a full disk");
        return fail(op, file, Errc::disk_full);
    }
    if (it == files_.end()) it = files_.emplace(std::string(file), detail::DiskFile{}).first;
    it->second.write(at, bytes, end);
    used_ += growth;
    ++writes_;
    bytes_written_ += n;
    host_->sim().trace(*host_, op, {{"file", file}, {"offset", at}, {"bytes", n}});
    return {};
}

Result<void> Disk::write(Ctx& ctx, std::string_view file, std::uint64_t offset, std::string_view bytes) {
    return write_at(ctx, "disk.write", file, offset, bytes);
}

Result<void> Disk::append(Ctx& ctx, std::string_view file, std::string_view bytes) {
    return write_at(ctx, "disk.append", file, std::nullopt, bytes);
}

Result<std::string> Disk::read(Ctx& ctx, std::string_view file, std::uint64_t offset, std::uint64_t length) {
    Turn turn(*this);
    if (auto e = wait_turn(ctx, turn, "disk.read", file, options_.read_latency)) return *e;
    auto it = files_.find(file);
    if (it == files_.end()) return fail("disk.read", file, Errc::io_error);
    const std::string out = it->second.read(offset, length);
    ++reads_;
    host_->sim().trace(*host_, "disk.read", {{"file", file}, {"offset", offset}, {"bytes", out.size()}});
    return out;
}

Result<std::string> Disk::read_all(Ctx& ctx, std::string_view file) {
    return read(ctx, file, 0, std::numeric_limits<std::uint64_t>::max());
}

Result<void> Disk::fsync(Ctx& ctx, std::string_view file) {
    Turn turn(*this);
    if (auto e = wait_turn(ctx, turn, "disk.fsync", file, options_.fsync_latency)) return *e;
    auto it = files_.find(file);
    if (it == files_.end()) return fail("disk.fsync", file, Errc::io_error);
    it->second.sync();
    ++fsyncs_;
    host_->sim().trace(*host_, "disk.fsync", {{"file", file}, {"bytes", it->second.size()}});
    return {};
}

Result<void> Disk::fsync_all(Ctx& ctx) {
    Turn turn(*this);
    if (auto e = wait_turn(ctx, turn, "disk.fsync_all", {}, options_.fsync_latency)) return *e;
    for (auto& [name, f] : files_) f.sync();
    ++fsyncs_;
    host_->sim().trace(*host_, "disk.fsync_all", {{"files", files_.size()}, {"bytes", used_}});
    return {};
}

Result<void> Disk::remove(Ctx& ctx, std::string_view file) {
    Turn turn(*this);
    if (auto e = wait_turn(ctx, turn, "disk.remove", file, options_.fsync_latency)) return *e;
    auto it = files_.find(file);
    if (it == files_.end()) return fail("disk.remove", file, Errc::io_error);
    used_ -= it->second.size();
    files_.erase(it);
    host_->sim().trace(*host_, "disk.remove", {{"file", file}});
    return {};
}

// ---- inspection ----------------------------------------------------------------------------

bool Disk::exists(std::string_view file) const {
    notice_crash();
    return files_.find(file) != files_.end();
}

std::uint64_t Disk::size(std::string_view file) const {
    notice_crash();
    auto it = files_.find(file);
    return it == files_.end() ? 0 : it->second.size();
}

std::string Disk::contents(std::string_view file) const {
    notice_crash();
    auto it = files_.find(file);
    return it == files_.end() ? std::string() : it->second.read(0, it->second.size());
}

std::vector<std::string> Disk::files() const {
    notice_crash();
    std::vector<std::string> out;
    out.reserve(files_.size());
    for (const auto& [name, f] : files_) out.push_back(name);
    return out;
}

std::uint64_t Disk::used_bytes() const {
    notice_crash();
    return used_;
}

std::string Disk::durable_contents(std::string_view file) const {
    notice_crash();
    auto it = files_.find(file);
    return it == files_.end() || !it->second.ever_synced() ? std::string()
                                                           : it->second.read_durable(0, it->second.durable_size());
}

bool Disk::durable_exists(std::string_view file) const {
    notice_crash();
    auto it = files_.find(file);
    return it != files_.end() && it->second.ever_synced();
}

// ---- faults --------------------------------------------------------------------------------

void Disk::stall_until(Time t) {
    stall_until_ = t;
    host_->sim().trace(*host_, "fault.disk_stall", {{"until", t}, {"injected", true}});
    // Wake the operations held by the old stall to look at the new one.
    stall_changed_.set();
    stall_changed_.reset();
}

void Disk::set_capacity(std::uint64_t bytes) {
    capacity_ = bytes;
    host_->sim().trace(*host_, "fault.disk_capacity", {{"bytes", bytes}, {"used", used_bytes()}, {"injected", true}});
}

void Disk::set_fail_ratio(Ratio r) {
    SIM_ASSERT(r.valid(), "disk fail ratio must be num/den with den > 0 and num <= den");
    fail_ratio_ = r;
    host_->sim().trace(*host_, "fault.disk_errors", {{"num", r.num}, {"den", r.den}, {"injected", true}});
}

std::uint64_t Disk::corrupt(Rng& rng, std::string_view file) {
    notice_crash();
    constexpr std::uint64_t nothing = std::numeric_limits<std::uint64_t>::max();
    // Candidates in name order (a std::map), so the choice depends only on `rng`.
    std::vector<Files::iterator> candidates;
    if (!file.empty()) {
        auto it = files_.find(file);
        if (it != files_.end() && it->second.durable_size() > 0) candidates.push_back(it);
    } else {
        for (auto it = files_.begin(); it != files_.end(); ++it) {
            if (it->second.durable_size() > 0) candidates.push_back(it);
        }
    }
    if (candidates.empty()) return nothing;
    auto it = candidates[candidates.size() == 1 ? 0 : rng.uniform_u64(candidates.size())];
    detail::DiskFile& f = it->second;
    const std::uint64_t durable_size = f.durable_size();
    const std::uint64_t bs = options_.block_size;
    const std::uint64_t blocks = (durable_size + bs - 1) / bs;
    const std::uint64_t block = rng.uniform_u64(blocks);
    const std::uint64_t begin = block * bs;
    const std::uint64_t length = std::min<std::uint64_t>(bs, durable_size - begin);
    // The page cache shows the damage only if it holds no newer bytes for this block.
    const bool clean = f.size() > begin && f.read(begin, bs) == f.read_durable(begin, bs);
    const std::uint64_t at = begin + rng.uniform_u64(length);
    const auto mask = static_cast<char>(1 + rng.uniform_u64(255));  // never zero: the byte changes
    f.flip(at, mask, clean);
    SIM_COVER("disk: a durable block corrupted");
    host_->sim().trace(*host_, "fault.disk_corrupt",
                       {{"file", it->first}, {"block", block}, {"offset", at}, {"injected", true}});
    return block;
}

}  // namespace sim
