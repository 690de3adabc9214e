// One file of a simulated disk (sim/disk.hpp): its current bytes (page cache over the durable
// image) and its durable image, in 4 KiB chunks shared copy-on-write between the two, with the
// chunks written since the last fsync remembered. fsync and a crash's revert then cost what
// changed since the last fsync, not the file's size: a log appended to and fsynced per record
// used to copy the whole file on every fsync (quadratic: 100 simulated seconds of 2,000 appends
// a second took five minutes). An all-zero chunk (a gap a write skipped over) holds no memory.
//
// Invariant: a chunk not in the dirty list has the same bytes in both views, and bytes past a
// view's size inside its last chunk are zero. Files only grow (the disk has no truncation), so
// the current size is never below the durable size.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sim::detail {

class DiskFile {
public:
    static constexpr std::uint64_t chunk_size = 4096;

    std::uint64_t size() const noexcept { return current_.size; }
    bool ever_synced() const noexcept { return synced_; }
    std::uint64_t durable_size() const noexcept { return durable_.size; }

    // Writes `bytes` at `at` in the current view, growing it (zero-filled) to at least `end`.
    void write(std::uint64_t at, std::string_view bytes, std::uint64_t end) {
        if (end > current_.size) {
            // The old last chunk's tail and every new chunk change (from zeros).
            const std::uint64_t first = current_.size / chunk_size;
            const std::uint64_t last = (end + chunk_size - 1) / chunk_size;
            current_.chunks.resize(last);
            for (std::uint64_t i = first; i < last; ++i) mark_dirty(i);
            current_.size = end;
        }
        std::uint64_t done = 0;
        while (done < bytes.size()) {
            const std::uint64_t pos = at + done;
            const std::uint64_t i = pos / chunk_size, off = pos % chunk_size;
            const std::uint64_t n = std::min<std::uint64_t>(bytes.size() - done, chunk_size - off);
            std::copy_n(bytes.data() + done, n, writable(current_, i).data() + off);
            mark_dirty(i);
            done += n;
        }
    }

    // Up to `length` bytes from `offset` (short at the end, empty past it), as std::string::substr.
    std::string read(std::uint64_t offset, std::uint64_t length) const { return read(current_, offset, length); }
    std::string read_durable(std::uint64_t offset, std::uint64_t length) const { return read(durable_, offset, length); }

    // durable := current.
    void sync() {
        if (!synced_) {
            durable_ = current_;
            synced_ = true;
        } else {
            durable_.chunks.resize(current_.chunks.size());
            for (std::uint64_t i : dirty_) durable_.chunks[i] = current_.chunks[i];
            durable_.size = current_.size;
        }
        clear_dirty();
    }

    // current := durable (a crash; only for a file that was synced). Returns whether any byte or
    // the size changed.
    bool revert() {
        bool changed = current_.size != durable_.size;
        for (std::uint64_t i : dirty_) {
            if (i >= durable_.chunks.size()) continue;  // cut off below
            if (!changed && !same(chunk_of(current_, i), chunk_of(durable_, i))) changed = true;
            current_.chunks[i] = durable_.chunks[i];
        }
        current_.chunks.resize(durable_.chunks.size());
        current_.size = durable_.size;
        clear_dirty();
        return changed;
    }

    // Flips bits of the durable byte at `at` (< durable_size()), and of the current one too when
    // `in_current` (the block is clean there); otherwise the two views now differ in that chunk.
    void flip(std::uint64_t at, char mask, bool in_current) {
        const std::uint64_t i = at / chunk_size, off = at % chunk_size;
        char& d = writable(durable_, i)[off];
        d = static_cast<char>(d ^ mask);
        if (in_current) {
            char& c = writable(current_, i)[off];
            c = static_cast<char>(c ^ mask);
        } else {
            mark_dirty(i);
        }
    }

private:
    using Chunk = std::array<char, chunk_size>;
    struct View {
        std::vector<std::shared_ptr<Chunk>> chunks;  // null: all zeros
        std::uint64_t size = 0;
    };

    static const Chunk& zeros() {
        static const Chunk z{};
        return z;
    }
    static const Chunk& chunk_of(const View& v, std::uint64_t i) {
        return i < v.chunks.size() && v.chunks[i] ? *v.chunks[i] : zeros();
    }
    static bool same(const Chunk& a, const Chunk& b) { return &a == &b || a == b; }

    // Chunk i of `v`, its own (copied first if the other view shares it, made if it was zeros).
    static Chunk& writable(View& v, std::uint64_t i) {
        std::shared_ptr<Chunk>& c = v.chunks[i];
        if (!c)
            c = std::make_shared<Chunk>();
        else if (c.use_count() > 1)
            c = std::make_shared<Chunk>(*c);
        return *c;
    }

    static std::string read(const View& v, std::uint64_t offset, std::uint64_t length) {
        if (offset >= v.size) return {};
        const std::uint64_t n = std::min(length, v.size - offset);
        std::string out(n, '\0');
        for (std::uint64_t done = 0; done < n;) {
            const std::uint64_t pos = offset + done;
            const std::uint64_t i = pos / chunk_size, off = pos % chunk_size;
            const std::uint64_t k = std::min<std::uint64_t>(n - done, chunk_size - off);
            std::copy_n(chunk_of(v, i).data() + off, k, out.data() + done);
            done += k;
        }
        return out;
    }

    void mark_dirty(std::uint64_t i) {
        if (i >= is_dirty_.size()) is_dirty_.resize(std::max<std::uint64_t>(i + 1, is_dirty_.size() * 2), false);
        if (is_dirty_[i]) return;
        is_dirty_[i] = true;
        dirty_.push_back(i);
    }
    void clear_dirty() {
        for (std::uint64_t i : dirty_) is_dirty_[i] = false;
        dirty_.clear();
    }

    View current_;
    View durable_;
    bool synced_ = false;
    std::vector<std::uint64_t> dirty_;  // chunks written (or corrupted apart) since the last sync
    std::vector<bool> is_dirty_;
};

}  // namespace sim::detail
