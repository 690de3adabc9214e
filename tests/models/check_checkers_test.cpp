// The convergence, lost-write and stale-read checkers on hand-written histories and replica
// states, where the right answer is known.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "models/check/convergence.hpp"
#include "models/check/lost_writes.hpp"
#include "models/check/stale_reads.hpp"

namespace {
using models::check::Applied;
using models::check::Cell;
using models::check::FinalState;
using models::check::History;
using models::check::Operation;
using models::check::OpKind;
using models::check::Outcome;

sim::Time ms(std::int64_t n) { return sim::Time(std::chrono::milliseconds(n)); }

Operation op(std::uint64_t id, OpKind kind, std::string key, std::string value, std::int64_t invoked,
             std::int64_t completed, Outcome outcome = Outcome::ok) {
    Operation o;
    o.id = id;
    o.client = "c";
    o.kind = kind;
    o.key = std::move(key);
    if (kind == OpKind::read) {
        if (!value.empty()) o.read = {value};
    } else {
        o.value = std::move(value);
    }
    o.invoked = ms(invoked);
    o.completed = ms(completed);
    o.outcome = outcome;
    return o;
}

Cell cell(std::string value, std::string version = "") { return Cell{{std::move(value)}, std::move(version)}; }

// ---- convergence ---------------------------------------------------------------------------------

TEST(CheckConvergence, ReplicasHoldingTheSameDataConverge) {
    FinalState s;
    s["r1"]["a"] = cell("1", "v1");
    s["r2"]["a"] = cell("1", "v1");
    const auto report = models::check::check_convergence(s);
    EXPECT_TRUE(report.converged());
    EXPECT_EQ(report.keys, 1u);
    EXPECT_EQ(report.describe(), "converged: 2 replicas agree on 1 keys");
}

TEST(CheckConvergence, NamesTheKeyTheReplicasAndWhatEachHolds) {
    FinalState s;
    s["r1"]["a"] = cell("1");
    s["r2"]["a"] = cell("1");
    s["r3"]["a"] = cell("2");
    s["r1"]["b"] = cell("x");
    s["r2"]["b"] = cell("x");  // r3 lacks b
    s["r3"]["c"] = cell("same", "t=1");
    s["r1"]["c"] = cell("same", "t=2");  // same value, different version: still different
    s["r2"]["c"] = cell("same", "t=2");
    const auto report = models::check::check_convergence(s);
    ASSERT_EQ(report.divergences.size(), 3u);
    EXPECT_EQ(report.divergences[0].key, "a");
    ASSERT_EQ(report.divergences[0].groups.size(), 2u);
    EXPECT_EQ(report.divergences[0].groups[0].replicas, (std::vector<std::string>{"r1", "r2"}));
    EXPECT_EQ(report.divergences[0].groups[1].replicas, (std::vector<std::string>{"r3"}));
    EXPECT_EQ(report.divergences[0].groups[1].cell, cell("2"));
    EXPECT_EQ(report.divergences[1].groups[1].cell, std::nullopt);
    EXPECT_EQ(report.divergences[2].key, "c");
    EXPECT_NE(report.describe().find("[r3] absent"), std::string::npos) << report.describe();
}

TEST(CheckConvergence, TheFirstDivergentEventIsWhereTheLastingDisagreementBegan) {
    FinalState s;
    s["r1"]["k"] = cell("3");
    s["r2"]["k"] = cell("2");
    models::check::ApplyLog log{
        {ms(10), "r1", "k", cell("1"), "write"},
        {ms(11), "r2", "k", cell("1"), "replicate"},  // replication lag healed: not the divergence
        {ms(20), "r1", "k", cell("2"), "write"},
        {ms(21), "r2", "k", cell("2"), "replicate"},
        {ms(30), "r1", "k", cell("3"), "write"},  // never reached r2
        {ms(40), "r3", "k", cell("9"), "write"},  // not a replica in the final state: ignored
    };
    const auto report = models::check::check_convergence(s, log);
    ASSERT_EQ(report.divergences.size(), 1u);
    const auto& d = report.divergences.front();
    ASSERT_TRUE(d.diverged_at.has_value());
    EXPECT_EQ(*d.diverged_at, log[4]);
    EXPECT_TRUE(d.log_explains_final);
    EXPECT_NE(report.describe().find("diverged at 0.03s r1 k <- 3 (write)"), std::string::npos) << report.describe();
}

TEST(CheckConvergence, SaysWhenTheLogDoesNotEndInTheFinalState) {
    FinalState s;
    s["r1"]["k"] = cell("1");
    s["r2"]["k"] = cell("2");
    models::check::ApplyLog log{{ms(10), "r1", "k", cell("1"), "write"}};
    const auto report = models::check::check_convergence(s, log);
    ASSERT_EQ(report.divergences.size(), 1u);
    EXPECT_FALSE(report.divergences.front().log_explains_final);
}

// ---- lost writes ---------------------------------------------------------------------------------

TEST(CheckLostWrites, AnAcknowledgedWriteNoReplicaHoldsIsLost) {
    History h;
    h.ops = {op(1, OpKind::write, "k", "1", 0, 10), op(2, OpKind::write, "k", "2", 20, 30)};
    FinalState s;
    s["r1"]["k"] = cell("1");  // 2 came after 1 finished: 1 cannot have overwritten it
    s["r2"]["k"] = cell("1");
    const auto report = models::check::check_lost_writes(h, s);
    EXPECT_EQ(report.acknowledged, 2u);
    ASSERT_EQ(report.lost.size(), 1u);
    EXPECT_EQ(report.lost.front().write.id, 2u);
    ASSERT_EQ(report.lost.front().holdings.size(), 2u);
    EXPECT_EQ(report.lost.front().holdings[0].second, cell("1"));
    EXPECT_NE(report.describe().find("1 of 2 acknowledged writes lost"), std::string::npos);
    EXPECT_NE(report.describe().find("#2 c write k=2"), std::string::npos) << report.describe();
}

TEST(CheckLostWrites, AWriteOverwrittenByALaterOrConcurrentOneIsNotLost) {
    History h;
    h.ops = {op(1, OpKind::write, "k", "1", 0, 10), op(2, OpKind::write, "k", "2", 5, 15),
             op(3, OpKind::write, "k", "3", 20, 30, Outcome::unknown), op(4, OpKind::write, "k", "4", 40, 50)};
    FinalState s;
    s["r1"]["k"] = cell("4");
    EXPECT_TRUE(models::check::check_lost_writes(h, s).ok());  // 4 came after all of them
    s["r1"]["k"] = cell("3");                                  // unknown: may have landed after 4 was acknowledged
    EXPECT_TRUE(models::check::check_lost_writes(h, s).ok());
    s["r1"]["k"] = cell("2");  // concurrent with 1, but 4 finished after 2 and then vanished
    const auto report = models::check::check_lost_writes(h, s);
    ASSERT_EQ(report.lost.size(), 1u);
    EXPECT_EQ(report.lost.front().write.id, 4u);
}

TEST(CheckLostWrites, OneReplicaHoldingTheWriteIsEnough) {
    History h;
    h.ops = {op(1, OpKind::write, "k", "1", 0, 10), op(2, OpKind::write, "j", "2", 0, 10)};
    FinalState s;
    s["r1"]["k"] = cell("1");
    s["r2"]["j"] = Cell{{"2", "other"}, ""};  // siblings: one of them is enough
    const auto report = models::check::check_lost_writes(h, s);
    EXPECT_TRUE(report.ok());
    ASSERT_EQ(report.unexplained.size(), 1u);
    EXPECT_EQ(report.unexplained.front().value, "other");
}

TEST(CheckLostWrites, FailedAndUnknownWritesAreNotCounted) {
    History h;
    h.ops = {op(1, OpKind::write, "k", "1", 0, 10, Outcome::fail),
             op(2, OpKind::write, "k", "2", 0, 10, Outcome::unknown)};
    const auto report = models::check::check_lost_writes(h, FinalState{});
    EXPECT_EQ(report.acknowledged, 0u);
    EXPECT_TRUE(report.ok());
}

// ---- stale reads -----------------------------------------------------------------------------------

TEST(CheckStaleReads, AReadMissingTheLastAcknowledgedWriteIsStale) {
    History h;
    h.ops = {op(1, OpKind::write, "k", "1", 0, 10), op(2, OpKind::write, "k", "2", 20, 30),
             op(3, OpKind::read, "k", "1", 40, 50),  // stale: 2 was acknowledged before
             op(4, OpKind::read, "k", "2", 40, 50),  // fresh
             op(5, OpKind::read, "k", "", 40, 50),   // absent after writes: stale
             op(6, OpKind::read, "k", "1", 25, 35),  // 2 still running: fine
             op(7, OpKind::read, "j", "", 0, 5)};    // nothing written yet: fine
    const auto report = models::check::check_stale_reads(h);
    EXPECT_EQ(report.reads, 5u);
    EXPECT_EQ(report.stale, 2u);
    EXPECT_DOUBLE_EQ(report.rate(), 0.4);
    ASSERT_EQ(report.examples.size(), 2u);
    EXPECT_EQ(report.examples[0].read.id, 3u);
    EXPECT_EQ(report.examples[0].missed.id, 2u);
    EXPECT_EQ(report.examples[1].read.id, 5u);
}

TEST(CheckStaleReads, AValueFromAWriteConcurrentWithTheNewestIsNotStale) {
    History h;
    h.ops = {op(1, OpKind::write, "k", "1", 0, 30),
             op(2, OpKind::write, "k", "2", 10, 20),
             op(3, OpKind::read, "k", "1", 40, 50),  // 1 overlaps 2: some order puts 1 last
             op(4, OpKind::write, "k", "3", 60, 70, Outcome::unknown),
             op(5, OpKind::read, "k", "3", 80, 90),
             op(6, OpKind::read, "k", "zzz", 80, 90)};  // nobody wrote it
    const auto report = models::check::check_stale_reads(h);
    EXPECT_EQ(report.reads, 3u);
    EXPECT_EQ(report.stale, 0u);
    EXPECT_EQ(report.unexplained, 1u);
}

}  // namespace
