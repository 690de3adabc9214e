// A simulated disk's file in shared 4 KiB chunks (sim/disk_file.hpp) against the two plain strings
// it replaced (the current bytes and the durable image): writes across chunk boundaries and past
// gaps, fsyncs, crash reverts and corruption, with what each view reads after every step.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "sim/disk_file.hpp"

namespace {

using sim::detail::DiskFile;
constexpr std::uint64_t chunk = DiskFile::chunk_size;

struct Reference {
    std::string current;
    std::optional<std::string> durable;
};

RC_GTEST_PROP(DiskFile, BehavesAsACurrentAndADurableString, ()) {
    DiskFile f;
    Reference r;
    const int steps = *rc::gen::inRange(1, 60);
    for (int step = 0; step < steps; ++step) {
        const int op = *rc::gen::inRange(0, 10);
        if (op < 5) {  // a write: near chunk boundaries, appends, and gaps of several chunks
            const std::uint64_t base = *rc::gen::element<std::uint64_t>(0, chunk - 3, chunk, 2 * chunk + 7, 5 * chunk);
            const std::uint64_t at = *rc::gen::element(0, 1) ? r.current.size() : base + *rc::gen::inRange(0, 9);
            const std::size_t n = *rc::gen::element<std::size_t>(0, 1, 5, chunk - 1, chunk + 10);
            const std::string bytes(n, static_cast<char>('a' + step % 26));
            const std::uint64_t end = n == 0 ? r.current.size() : std::max<std::uint64_t>(r.current.size(), at + n);
            if (end > r.current.size()) r.current.resize(end, '\0');
            if (n != 0) r.current.replace(at, n, bytes);
            f.write(at, bytes, end);
        } else if (op < 7) {
            r.durable = r.current;
            f.sync();
        } else if (op < 9) {  // a crash: what was never synced is gone (the disk removes the file)
            if (!r.durable) continue;
            const bool changed = r.current != *r.durable;
            r.current = *r.durable;
            RC_ASSERT(f.revert() == changed);
        } else {  // corruption of a durable byte, in the page cache too when its block is clean there
            if (!r.durable || r.durable->empty()) continue;
            const std::uint64_t at = *rc::gen::inRange<std::uint64_t>(0, r.durable->size());
            const std::uint64_t begin = at / 512 * 512;  // a 512-byte block: not the chunk size
            const bool clean = r.current.size() > begin && r.current.compare(begin, 512, *r.durable, begin, 512) == 0;
            RC_ASSERT(clean == (f.size() > begin && f.read(begin, 512) == f.read_durable(begin, 512)));
            const char mask = static_cast<char>(*rc::gen::inRange(1, 256));
            (*r.durable)[at] = static_cast<char>((*r.durable)[at] ^ mask);
            if (clean) r.current[at] = static_cast<char>(r.current[at] ^ mask);
            f.flip(at, mask, clean);
        }
        RC_ASSERT(f.size() == r.current.size());
        RC_ASSERT(f.read(0, f.size()) == r.current);
        RC_ASSERT(f.ever_synced() == r.durable.has_value());
        if (r.durable) RC_ASSERT(f.read_durable(0, f.durable_size()) == *r.durable);
        const std::uint64_t offset = *rc::gen::inRange<std::uint64_t>(0, r.current.size() + 10);
        const std::uint64_t length = *rc::gen::element<std::uint64_t>(0, 3, chunk, ~std::uint64_t{0});
        RC_ASSERT(f.read(offset, length) == (offset < r.current.size() ? r.current.substr(offset, length) : ""));
    }
}

TEST(DiskFile, AnFsyncCostsWhatChangedNotTheFileSize) {
    // 20,000 records of 200 bytes, each appended and fsynced: with the file copied per fsync this
    // moved 40 GB; now each fsync shares the chunks it did not touch. Checked through sharing:
    // the durable image's untouched chunks are the current view's own (same bytes, no copy).
    DiskFile f;
    const std::string record(200, 'r');
    for (int i = 0; i < 20000; ++i) {
        f.write(f.size(), record, f.size() + record.size());
        f.sync();
    }
    EXPECT_EQ(f.size(), 4'000'000u);
    EXPECT_EQ(f.durable_size(), f.size());
    EXPECT_EQ(f.read_durable(3'999'800, 200), record);
    f.write(0, "X", f.size());  // unsynced: a crash reverts it and says so
    EXPECT_TRUE(f.revert());
    EXPECT_EQ(f.read(0, 1), "r");
    EXPECT_FALSE(f.revert());  // nothing left to lose
}

TEST(DiskFile, AGapIsZeros) {
    // A gigabyte in (the default capacity): one chunk holds bytes, the others are null pointers
    // (4 MiB of them, where the string it replaced allocated the whole gigabyte).
    DiskFile f;
    const std::uint64_t far = std::uint64_t{1} << 30;
    f.write(far, "end", far + 3);
    EXPECT_EQ(f.size(), far + 3);
    EXPECT_EQ(f.read(far - 2, 5), std::string("\0\0end", 5));
    EXPECT_EQ(f.read(12345, 4), std::string(4, '\0'));
}

}  // namespace
