// The simulated disk: page cache vs durable image across crashes, latency, stalls, permits,
// full disk, injected errors, corruption, determinism, and a model-based property.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/disk.hpp"
#include "sim/sim.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

sim::DiskOptions fixed_latencies() {
    sim::DiskOptions o;
    o.read_latency = sim::Delay::fixed(100us);
    o.write_latency = sim::Delay::fixed(50us);
    o.fsync_latency = sim::Delay::fixed(2ms);
    return o;
}

TEST(Disk, ACrashLosesUnsyncedWritesAndKeepsSyncedOnes) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    std::string before_crash, after_boot;
    h.on_boot([&](sim::Host& host) {
        if (host.incarnation() == 1) {
            host.spawn([&](sim::Ctx& ctx) {
                sim::Disk& d = sim::disk(ctx.host());
                ASSERT_TRUE(d.write(ctx, "log", 0, "synced"));
                ASSERT_TRUE(d.fsync(ctx, "log"));
                ASSERT_TRUE(d.append(ctx, "log", "+lost"));
                ASSERT_TRUE(d.write(ctx, "log", 0, "S"));
                before_crash = *d.read_all(ctx, "log");
            });
        } else {
            host.spawn([&](sim::Ctx& ctx) { after_boot = *sim::disk(ctx.host()).read_all(ctx, "log"); });
        }
    });
    s.at(Time(1s), [&] { h.restart(); });
    s.run();
    EXPECT_EQ(before_crash, "Synced+lost");
    EXPECT_EQ(after_boot, "synced");
    EXPECT_EQ(sim::disk(h).durable_contents("log"), "synced");
}

TEST(Disk, ANeverFsyncedFileVanishesAfterACrash) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h);
    std::vector<std::string> after_boot{"not read"};
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "tmp", 0, "scratch"));
        ASSERT_TRUE(d.write(ctx, "kept", 0, "k"));
        ASSERT_TRUE(d.fsync(ctx, "kept"));
    });
    s.at(Time(1s), [&] {
        EXPECT_TRUE(d.exists("tmp"));
        h.crash();
        EXPECT_FALSE(d.exists("tmp"));  // noticed while the host is still down
        EXPECT_EQ(d.used_bytes(), 1u);
    });
    s.at(Time(2s), [&] {
        h.boot();
        h.spawn([&](sim::Ctx& ctx) {
            after_boot = sim::disk(ctx.host()).files();
            EXPECT_EQ(d.read_all(ctx, "tmp").error(), sim::Errc::io_error);
        });
    });
    s.run();
    EXPECT_EQ(after_boot, (std::vector<std::string>{"kept"}));
}

TEST(Disk, FsyncOfOneFileDoesNotMakeAnotherDurable) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h);
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "a", 0, "aaa"));
        ASSERT_TRUE(d.write(ctx, "b", 0, "bbb"));
        ASSERT_TRUE(d.fsync(ctx, "a"));
    });
    s.run();
    EXPECT_TRUE(d.durable_exists("a"));
    EXPECT_FALSE(d.durable_exists("b"));
    h.restart();
    EXPECT_EQ(d.files(), (std::vector<std::string>{"a"}));
    EXPECT_EQ(d.contents("a"), "aaa");
}

TEST(Disk, FsyncAllMakesEveryFileDurableAndRemoveIsDurableAtOnce) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h);
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "a", 0, "aaa"));
        ASSERT_TRUE(d.write(ctx, "b", 0, "bbb"));
        ASSERT_TRUE(d.fsync_all(ctx));
        ASSERT_TRUE(d.remove(ctx, "a"));
        EXPECT_EQ(d.remove(ctx, "a").error(), sim::Errc::io_error);
    });
    s.run();
    h.restart();
    EXPECT_EQ(d.files(), (std::vector<std::string>{"b"}));
}

TEST(Disk, AWriteGoesPastTheEndWithAZeroFilledGapAndAReadIsShortAtTheEnd) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h);
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "f", 3, "xy"));
        EXPECT_EQ(*d.read_all(ctx, "f"), std::string("\0\0\0xy", 5));
        EXPECT_EQ(*d.read(ctx, "f", 4, 100), "y");
        EXPECT_EQ(*d.read(ctx, "f", UINT64_MAX, 10), "");
        EXPECT_EQ(d.read(ctx, "missing", 0, 1).error(), sim::Errc::io_error);
    });
    s.run();
    EXPECT_EQ(d.size("f"), 5u);
    EXPECT_EQ(d.reads(), 3u);
    EXPECT_EQ(d.errors(), 1u);
}

// Each operation, alone, on a healthy host and on one slowed down twofold.
std::vector<Duration> operation_times(double slowdown) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    h.set_slowdown(slowdown);
    sim::Disk& d = sim::disk(h, fixed_latencies());
    std::vector<Duration> took;
    h.spawn([&](sim::Ctx& ctx) {
        auto timed = [&](auto op) {
            const Time start = ctx.now();
            EXPECT_TRUE(op());
            took.push_back(ctx.now() - start);
        };
        timed([&] { return d.write(ctx, "f", 0, "x").ok(); });
        timed([&] { return d.read(ctx, "f", 0, 1).ok(); });
        timed([&] { return d.fsync(ctx, "f").ok(); });
    });
    s.run();
    return took;
}

TEST(Disk, AnOperationTakesExactlyItsFixedLatency) {
    EXPECT_EQ(operation_times(1.0), (std::vector<Duration>{50us, 100us, 2ms}));
}

TEST(Disk, AnOperationTakesTwiceAsLongOnAHostSlowedDownTwofold) {
    EXPECT_EQ(operation_times(2.0), (std::vector<Duration>{100us, 200us, 4ms}));
}

TEST(Disk, AStallHoldsEveryOperationStartedOrWaitingBeforeItsEnd) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h, fixed_latencies());
    Time fsync_done{}, write_done{}, late_write_done{};
    h.spawn([&](sim::Ctx& ctx) {  // in flight when the stall begins: held to its end
        ASSERT_TRUE(d.fsync_all(ctx));
        fsync_done = ctx.now();
    });
    h.spawn([&](sim::Ctx& ctx) {  // starts during the stall: waits it out, then takes its latency
        ctx.sleep_for(3ms);
        ASSERT_TRUE(d.write(ctx, "f", 0, "x"));
        write_done = ctx.now();
    });
    h.spawn([&](sim::Ctx& ctx) {  // starts after it: untouched
        ctx.sleep_for(20ms);
        ASSERT_TRUE(d.write(ctx, "f", 0, "x"));
        late_write_done = ctx.now();
    });
    s.at(Time(1ms), [&] { d.stall_until(Time(10ms)); });
    s.run();
    EXPECT_EQ(fsync_done, Time(10ms));
    EXPECT_EQ(write_done, Time(10ms + 50us));
    EXPECT_EQ(late_write_done, Time(20ms + 50us));
}

TEST(Disk, EndingAStallEarlyReleasesTheOperationsItHeld) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h, fixed_latencies());
    Time fsync_done{}, write_done{};
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.fsync_all(ctx));
        fsync_done = ctx.now();
    });
    h.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(3ms);
        ASSERT_TRUE(d.write(ctx, "f", 0, "x"));
        write_done = ctx.now();
    });
    s.at(Time(1ms), [&] { d.stall_until(sim::time_never); });  // a stall with no planned end
    s.at(Time(5ms), [&] { d.stall_until(s.now()); });          // healed
    s.run();
    EXPECT_EQ(fsync_done, Time(5ms));
    EXPECT_EQ(write_done, Time(5ms + 50us));
}

TEST(Disk, WithConcurrencyOneOperationsRunOneAtATimeInArrivalOrder) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::DiskOptions o = fixed_latencies();
    o.concurrency_max = 1;
    sim::Disk& d = sim::disk(h, o);
    std::vector<Time> done(3);
    for (int i = 0; i < 3; ++i) {
        h.spawn([&, i](sim::Ctx& ctx) {
            ASSERT_TRUE(d.append(ctx, "f", std::string(1, static_cast<char>('a' + i))));
            done[i] = ctx.now();
        });
    }
    s.run();
    EXPECT_EQ(done, (std::vector<Time>{Time(50us), Time(100us), Time(150us)}));
    EXPECT_EQ(d.contents("f"), "abc");
}

TEST(Disk, ACrashWhileOperationsWaitForAPermitDoesNotLeakIt) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::DiskOptions o = fixed_latencies();
    o.concurrency_max = 1;
    sim::Disk& d = sim::disk(h, o);
    // The first write holds the only permit; the second waits for it. The crash kills the holder
    // first, which hands the permit to the waiter, which is killed next.
    for (int i = 0; i < 2; ++i) h.spawn([&](sim::Ctx& ctx) { (void)d.append(ctx, "f", "x"); });
    s.at(Time(10us), [&] { h.restart(); });
    Time done{};
    s.at(Time(1ms), [&] {
        h.spawn([&](sim::Ctx& ctx) {
            ASSERT_TRUE(d.append(ctx, "f", "y"));
            done = ctx.now();
        });
    });
    s.run();
    EXPECT_EQ(done, Time(1ms + 50us));
    EXPECT_EQ(d.contents("f"), "y");
}

TEST(Disk, AWriteInterruptedByACrashLeavesNoTrace) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h, fixed_latencies());
    bool returned = false;
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "f", 0, "old"));
        ASSERT_TRUE(d.fsync(ctx, "f"));
        ASSERT_TRUE(d.write(ctx, "f", 0, "new"));
        (void)d.fsync(ctx, "f");  // crashed 1ms into its 2ms
        returned = true;
    });
    s.at(Time(50us + 2ms + 50us + 1ms), [&] { h.crash(); });
    s.run();
    EXPECT_FALSE(returned);
    EXPECT_EQ(d.durable_contents("f"), "old");
    EXPECT_EQ(d.contents("f"), "old");
}

TEST(Disk, AFullDiskRefusesGrowthAndWritesNothing) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h);
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "f", 0, "0123456789"));
        d.fill();
        EXPECT_EQ(d.append(ctx, "f", "x").error(), sim::Errc::disk_full);
        EXPECT_EQ(d.write(ctx, "g", 0, "x").error(), sim::Errc::disk_full);
        EXPECT_EQ(d.write(ctx, "f", 8, "abc").error(), sim::Errc::disk_full);  // one byte past the end
        EXPECT_TRUE(d.write(ctx, "f", 8, "ab"));                               // in place: needs no room
        d.set_capacity(12);
        EXPECT_TRUE(d.append(ctx, "f", "cd"));
        EXPECT_EQ(d.append(ctx, "f", "e").error(), sim::Errc::disk_full);
    });
    s.run();
    EXPECT_EQ(d.files(), (std::vector<std::string>{"f"}));
    EXPECT_EQ(d.contents("f"), "01234567abcd");
    EXPECT_EQ(d.used_bytes(), 12u);
    EXPECT_EQ(d.errors(), 4u);
}

TEST(Disk, AFailRatioOfOneFailsEveryOperationAndZeroFailsNone) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h);
    int failed = 0, succeeded = 0;
    auto tally = [&](const auto& result) {
        if (result) {
            ++succeeded;
        } else {
            EXPECT_EQ(result.error(), sim::Errc::io_error);
            ++failed;
        }
    };
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "f", 0, "x"));
        d.set_fail_ratio({1, 1});
        for (int i = 0; i < 20; ++i) {
            tally(d.append(ctx, "f", "y"));
            tally(d.read_all(ctx, "f"));
            tally(d.fsync(ctx, "f"));
        }
        EXPECT_EQ(failed, 60);
        EXPECT_EQ(succeeded, 0);
        EXPECT_EQ(d.contents("f"), "x");
        EXPECT_FALSE(d.durable_exists("f"));
        d.set_fail_ratio({0, 1});
        for (int i = 0; i < 20; ++i) {
            tally(d.append(ctx, "f", "y"));
            tally(d.read_all(ctx, "f"));
            tally(d.fsync(ctx, "f"));
        }
    });
    s.run();
    EXPECT_EQ(failed, 60);
    EXPECT_EQ(succeeded, 60);
    EXPECT_EQ(d.errors(), 60u);
}

// A record as a careful store writes it: the payload, then its FNV-1a hash in 16 hex digits.
std::string with_checksum(const std::string& payload) {
    static const char* hex = "0123456789abcdef";
    std::uint64_t h = sim::hash_name(payload);
    std::string tail(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) tail[i] = hex[h & 15];
    return payload + tail;
}
bool checksum_holds(const std::string& record) {
    return record.size() >= 16 && with_checksum(record.substr(0, record.size() - 16)) == record;
}

// Writes a checksummed record over several blocks, optionally corrupts the disk, restarts the
// host, and reports whether the reader after the reboot found the record intact.
bool record_verifies_after_reboot(bool corrupt) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::DiskOptions o;
    o.block_size = 64;
    sim::Disk& d = sim::disk(h, o);
    std::optional<bool> verified;
    h.on_boot([&](sim::Host& host) {
        if (host.incarnation() == 1) {
            host.spawn([&](sim::Ctx& ctx) {
                ASSERT_TRUE(d.write(ctx, "data", 0, with_checksum(std::string(300, 'v'))));
                ASSERT_TRUE(d.fsync(ctx, "data"));
            });
        } else {
            host.spawn([&](sim::Ctx& ctx) { verified = checksum_holds(*d.read_all(ctx, "data")); });
        }
    });
    sim::Rng nemesis = s.rng("nemesis");
    s.at(Time(1s), [&] {
        if (corrupt) {
            EXPECT_LT(d.corrupt(nemesis, "data"), 5u);  // 316 bytes: blocks 0..4
        }
        h.restart();
    });
    s.run();
    EXPECT_TRUE(verified.has_value());
    return verified.value_or(false);
}

TEST(Disk, ACorruptedBlockIsCaughtByAChecksum) {
    EXPECT_TRUE(record_verifies_after_reboot(false));
    EXPECT_FALSE(record_verifies_after_reboot(true));
}

TEST(Disk, CorruptionNeedsDurableBytesAndSparesADirtyPageCache) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::Disk& d = sim::disk(h);
    sim::Rng rng = s.rng("nemesis");
    EXPECT_EQ(d.corrupt(rng), UINT64_MAX);
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(d.write(ctx, "f", 0, "durable"));
        ASSERT_TRUE(d.fsync(ctx, "f"));
        ASSERT_TRUE(d.write(ctx, "f", 0, "Durable"));
        ASSERT_TRUE(d.write(ctx, "g", 0, "never synced"));
    });
    s.run();
    EXPECT_EQ(d.corrupt(rng, "g"), UINT64_MAX);
    EXPECT_EQ(d.corrupt(rng), 0u);          // only f has durable bytes
    EXPECT_EQ(d.contents("f"), "Durable");  // the dirty block in the page cache is untouched
    EXPECT_NE(d.durable_contents("f"), "durable");
}

std::uint64_t busy_run_hash(std::uint64_t seed) {
    sim::Options options;
    options.seed = seed;
    sim::Simulator s(options);
    sim::Host& h = s.add_host("db");
    sim::DiskOptions o;
    o.write_latency = sim::Delay::uniform(10us, 90us);
    o.fsync_latency = sim::Delay::lognormal(1ms, 0.5);
    o.concurrency_max = 2;
    sim::Disk& d = sim::disk(h, o);
    d.set_fail_ratio({1, 10});
    h.on_boot([&](sim::Host& host) {
        for (int w = 0; w < 4; ++w) {
            host.spawn([&, w](sim::Ctx& ctx) {
                for (int i = 0; i < 20; ++i) {
                    (void)d.append(ctx, "log" + std::to_string(w), "entry");
                    if (i % 5 == 4) (void)d.fsync(ctx, "log" + std::to_string(w));
                }
            });
        }
    });
    s.at(Time(3ms), [&] { h.restart(); });
    return s.run().trace_hash;
}

TEST(Disk, TheSameSeedGivesTheSameTraceHash) {
    EXPECT_EQ(busy_run_hash(7), busy_run_hash(7));
    EXPECT_NE(busy_run_hash(7), busy_run_hash(8));
}

// ---- a random sequence of operations against a reference model -----------------------------

struct Op {
    enum Kind { write, append, read, fsync, fsync_all, remove, crash } kind;
    int file;
    std::uint64_t offset;
    std::string bytes;
};

std::ostream& operator<<(std::ostream& os, const Op& op) {
    static const char* names[] = {"write", "append", "read", "fsync", "fsync_all", "remove", "crash"};
    return os << names[op.kind] << "(f" << op.file << ", " << op.offset << ", \"" << op.bytes << "\")";
}

rc::Gen<Op> op_gen() {
    return rc::gen::apply(
        [](int kind, int file, std::uint64_t offset, std::string bytes) {
            return Op{static_cast<Op::Kind>(kind), file, offset, std::move(bytes)};
        },
        rc::gen::weightedElement<int>({{4, Op::write},
                                       {4, Op::append},
                                       {2, Op::read},
                                       {2, Op::fsync},
                                       {1, Op::fsync_all},
                                       {1, Op::remove},
                                       {2, Op::crash}}),
        rc::gen::inRange(0, 3), rc::gen::inRange<std::uint64_t>(0, 24),
        rc::gen::resize(8, rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'e'))));
}

RC_GTEST_PROP(Disk, ARandomSequenceOfOperationsMatchesAReferenceModel, ()) {
    const auto ops = *rc::gen::resize(40, rc::gen::container<std::vector<Op>>(op_gen()));
    const auto capacity = *rc::gen::inRange<std::uint64_t>(0, 128);
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::DiskOptions o;
    o.capacity_bytes = capacity;
    sim::Disk& d = sim::disk(h, o);
    std::map<std::string, std::string> current, durable;  // the reference model

    for (const Op& op : ops) {
        const std::string file = "f" + std::to_string(op.file);
        std::uint64_t used = 0;
        for (const auto& [name, bytes] : current) used += bytes.size();
        const bool exists = current.count(file) != 0;
        std::optional<sim::Errc> want_error;
        std::string want_read;

        if (op.kind == Op::crash) {
            h.restart();
            current = durable;
        } else {
            switch (op.kind) {
                case Op::write:
                case Op::append: {
                    const std::uint64_t before = exists ? current[file].size() : 0;
                    const std::uint64_t at = op.kind == Op::append ? before : op.offset;
                    const std::uint64_t n = op.bytes.size();
                    const std::uint64_t end = n == 0 ? before : std::max(before, at + n);
                    if (end > before && used + (end - before) > capacity) {
                        want_error = sim::Errc::disk_full;
                        break;
                    }
                    std::string& f = current[file];
                    f.resize(end, '\0');
                    if (n != 0) f.replace(at, n, op.bytes);
                    break;
                }
                case Op::read:
                    if (!exists)
                        want_error = sim::Errc::io_error;
                    else if (op.offset < current[file].size())
                        want_read = current[file].substr(op.offset, 8);
                    break;
                case Op::fsync:
                    if (!exists)
                        want_error = sim::Errc::io_error;
                    else
                        durable[file] = current[file];
                    break;
                case Op::fsync_all:
                    durable = current;
                    break;
                case Op::remove:
                    if (!exists) want_error = sim::Errc::io_error;
                    current.erase(file);
                    durable.erase(file);
                    break;
                case Op::crash:
                    break;
            }
            std::optional<sim::Errc> got_error;
            std::string got_read;
            bool finished = false;
            h.spawn([&](sim::Ctx& ctx) {
                auto note = [&](const sim::Result<void>& r) {
                    if (!r) got_error = r.error();
                };
                switch (op.kind) {
                    case Op::write:
                        note(d.write(ctx, file, op.offset, op.bytes));
                        break;
                    case Op::append:
                        note(d.append(ctx, file, op.bytes));
                        break;
                    case Op::read: {
                        auto r = d.read(ctx, file, op.offset, 8);
                        if (r)
                            got_read = *r;
                        else
                            got_error = r.error();
                        break;
                    }
                    case Op::fsync:
                        note(d.fsync(ctx, file));
                        break;
                    case Op::fsync_all:
                        note(d.fsync_all(ctx));
                        break;
                    case Op::remove:
                        note(d.remove(ctx, file));
                        break;
                    case Op::crash:
                        break;
                }
                finished = true;
            });
            s.run_for(10ms);
            RC_ASSERT(finished);
            RC_ASSERT(got_error == want_error);
            RC_ASSERT(got_read == want_read);
        }

        std::vector<std::string> names;
        std::uint64_t used_after = 0;
        for (const auto& [name, bytes] : current) {
            names.push_back(name);
            used_after += bytes.size();
            RC_ASSERT(d.contents(name) == bytes);
            RC_ASSERT(d.size(name) == bytes.size());
        }
        RC_ASSERT(d.files() == names);
        RC_ASSERT(d.used_bytes() == used_after);
        for (const auto& [name, bytes] : current) {
            const auto it = durable.find(name);
            RC_ASSERT(d.durable_exists(name) == (it != durable.end()));
            RC_ASSERT(d.durable_contents(name) == (it == durable.end() ? std::string() : it->second));
        }
    }
}

}  // namespace
