// The register linearizability checker: hand-written histories known to be (or not to be)
// linearizable, histories generated from a sequential model (RapidCheck), the search caps, and the
// failing window it reports.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/check/linearizability.hpp"

namespace {
using namespace std::chrono_literals;
using models::check::History;
using models::check::Linearizable;
using models::check::Operation;
using models::check::OpKind;
using models::check::Outcome;

sim::Time ms(std::int64_t n) { return sim::Time(std::chrono::milliseconds(n)); }

// A small builder: times in milliseconds, ids in the order operations are added.
struct Builder {
    History h;
    Operation& add(OpKind kind, std::string key, std::int64_t invoked, std::int64_t completed, Outcome outcome) {
        Operation op;
        op.id = h.ops.size() + 1;
        op.client = "c" + std::to_string(op.id);
        op.kind = kind;
        op.key = std::move(key);
        op.invoked = ms(invoked);
        op.completed = completed < 0 ? sim::time_never : ms(completed);
        op.outcome = outcome;
        h.ops.push_back(op);
        return h.ops.back();
    }
    Builder& write(std::string value, std::int64_t invoked, std::int64_t completed, Outcome outcome = Outcome::ok,
                   std::string key = "x") {
        add(OpKind::write, std::move(key), invoked, completed, outcome).value = std::move(value);
        return *this;
    }
    Builder& read(std::optional<std::string> value, std::int64_t invoked, std::int64_t completed,
                  std::string key = "x") {
        Operation& op = add(OpKind::read, std::move(key), invoked, completed, Outcome::ok);
        if (value) op.read = {*value};
        return *this;
    }
    Builder& cas(std::optional<std::string> expected, std::string value, bool swapped, std::int64_t invoked,
                 std::int64_t completed) {
        Operation& op = add(OpKind::cas, "x", invoked, completed, Outcome::ok);
        op.expected = std::move(expected);
        op.value = std::move(value);
        op.swapped = swapped;
        return *this;
    }
    Linearizable verdict(const models::check::LinearizabilityOptions& o = {}) const {
        return models::check::check_linearizability(h, o).verdict;
    }
};

TEST(Linearizability, AReadAfterACompletedWriteMustSeeIt) {
    EXPECT_EQ(Builder().write("1", 0, 10).read("1", 20, 30).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, 10).read(std::nullopt, 20, 30).verdict(), Linearizable::no);
}

TEST(Linearizability, AReadConcurrentWithAWriteMaySeeEitherValue) {
    EXPECT_EQ(Builder().write("1", 0, 10).read(std::nullopt, 5, 15).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, 10).read("1", 5, 15).verdict(), Linearizable::yes);
    // Sharing an instant counts as concurrent.
    EXPECT_EQ(Builder().write("1", 0, 10).read(std::nullopt, 10, 15).verdict(), Linearizable::yes);
}

TEST(Linearizability, AnOverwrittenValueCannotComeBack) {
    EXPECT_EQ(Builder().write("1", 0, 10).write("2", 20, 30).read("1", 40, 50).verdict(), Linearizable::no);
    EXPECT_EQ(Builder().write("1", 0, 10).write("2", 20, 30).read("2", 40, 50).verdict(), Linearizable::yes);
}

TEST(Linearizability, ConcurrentWritesMayLandInEitherOrderButOnlyOnce) {
    // Both orders are fine for one reader...
    EXPECT_EQ(Builder().write("1", 0, 10).write("2", 0, 10).read("1", 20, 30).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, 10).write("2", 0, 10).read("2", 20, 30).verdict(), Linearizable::yes);
    // ... but once both completed, the register cannot flip from one to the other.
    EXPECT_EQ(Builder().write("1", 0, 10).write("2", 0, 10).read("1", 20, 30).read("2", 40, 50).verdict(),
              Linearizable::no);
}

TEST(Linearizability, UnknownWritesMayTakeEffectLateOrNeverAndFailedOnesNever) {
    EXPECT_EQ(Builder().write("1", 0, 10, Outcome::unknown).read("1", 100, 110).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, 10, Outcome::unknown).read(std::nullopt, 100, 110).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, -1, Outcome::unknown).read(std::nullopt, 100, 110).read("1", 200, 210).verdict(),
              Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, 10, Outcome::fail).read("1", 100, 110).verdict(), Linearizable::no);
    // Once seen, an unknown write has happened: it cannot be unseen.
    EXPECT_EQ(Builder().write("1", 0, -1, Outcome::unknown).read("1", 100, 110).read(std::nullopt, 200, 210).verdict(),
              Linearizable::no);
}

TEST(Linearizability, CompareAndSetMatchesOnlyTheCurrentValue) {
    EXPECT_EQ(Builder().write("1", 0, 10).cas("1", "2", true, 20, 30).read("2", 40, 50).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, 10).cas("1", "2", false, 20, 30).verdict(), Linearizable::no);
    EXPECT_EQ(Builder().write("1", 0, 10).cas("3", "2", false, 20, 30).read("1", 40, 50).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().cas(std::nullopt, "1", true, 0, 10).read("1", 20, 30).verdict(), Linearizable::yes);
    EXPECT_EQ(Builder().write("1", 0, 10).cas("3", "2", true, 20, 30).verdict(), Linearizable::no);
}

TEST(Linearizability, ReadingTwoSiblingsIsNeverARegister) {
    Builder b;
    b.write("1", 0, 10).write("2", 0, 10);
    b.add(OpKind::read, "x", 20, 30, Outcome::ok).read = {"1", "2"};
    EXPECT_EQ(b.verdict(), Linearizable::no);
}

TEST(Linearizability, KeysAreCheckedApartAndTheFailingOneIsNamed) {
    Builder b;
    b.write("1", 0, 10, Outcome::ok, "a").write("1", 0, 10, Outcome::ok, "b");
    b.read("1", 20, 30, "a").read(std::nullopt, 20, 30, "b");
    auto report = models::check::check_linearizability(b.h);
    ASSERT_EQ(report.verdict, Linearizable::no);
    ASSERT_EQ(report.keys.size(), 2u);
    EXPECT_EQ(report.keys[0].verdict, Linearizable::yes);
    ASSERT_NE(report.first_failure(), nullptr);
    EXPECT_EQ(report.first_failure()->key, "b");
}

TEST(Linearizability, TheWindowIsTheShortWitnessNotTheWholeHistory) {
    Builder b;
    for (int i = 0; i < 20; ++i)
        b.write("v" + std::to_string(i), 100 * i, 100 * i + 10)
            .read("v" + std::to_string(i), 100 * i + 20, 100 * i + 30);
    // Two concurrent writes, then two readers that disagree on which landed last.
    b.write("p", 3000, 3010).write("q", 3000, 3010).read("p", 3020, 3030).read("q", 3040, 3050);
    b.write("z", 4000, 4010).read("z", 4020, 4030);  // after the failure: not in the prefix
    auto report = models::check::check_linearizability(b.h);
    ASSERT_EQ(report.verdict, Linearizable::no);
    const auto& k = report.keys.front();
    ASSERT_TRUE(k.failed.has_value());
    EXPECT_EQ(k.failed->read, std::vector<std::string>{"q"});
    EXPECT_EQ(k.prefix_ops, 44u);
    // The two reads suffice: starting from either concurrent write's value, one of them is wrong.
    ASSERT_EQ(k.window.size(), 2u) << report.describe();
    EXPECT_EQ(k.window[0].read, std::vector<std::string>{"p"});
    EXPECT_EQ(k.window[1].read, std::vector<std::string>{"q"});
    EXPECT_EQ(k.start_states, (std::vector<std::optional<std::string>>{"p", "q"}));
    EXPECT_NE(report.describe().find("no order explains"), std::string::npos);
}

TEST(Linearizability, PastTheStepBudgetTheVerdictIsUnknown) {
    Builder b;
    // Many concurrent writes and a read that fits none of them: proving that takes a search.
    for (int i = 0; i < 12; ++i) b.write(std::to_string(i), 0, 100);
    b.read("none", 200, 300);
    EXPECT_EQ(b.verdict(), Linearizable::no);
    models::check::LinearizabilityOptions tight;
    tight.steps_max = 50;
    auto report = models::check::check_linearizability(b.h, tight);
    EXPECT_EQ(report.verdict, Linearizable::unknown);
    EXPECT_NE(report.keys.front().why_unknown.find("step budget"), std::string::npos);
    models::check::LinearizabilityOptions small_cache;
    small_cache.cache_entries_max = 5;
    EXPECT_EQ(models::check::check_linearizability(b.h, small_cache).keys.front().why_unknown.substr(0, 10),
              "cache full");
    // The cache's bytes are capped too: an entry holds a bit per operation, so a long history's
    // entries are large, and a cap on their number alone let one key's search take gigabytes.
    models::check::LinearizabilityOptions small_bytes;
    small_bytes.cache_bytes_max = 4096;  // the table starts at 1,024 four-byte slots: full at once
    const auto bytes = models::check::check_linearizability(b.h, small_bytes);
    EXPECT_EQ(bytes.verdict, Linearizable::unknown);
    EXPECT_NE(bytes.keys.front().why_unknown.find("cache_bytes_max"), std::string::npos) << bytes.keys.front().why_unknown;
}

// ---- histories from a sequential model ----------------------------------------------------------

// Each operation takes effect at its own instant (100 apart); its invocation and completion are
// drawn around that instant, so neighbours may overlap. Whatever the checker does with the
// overlaps, the instants witness a linearization.
struct Generated {
    History history;
    std::vector<std::size_t> reads;  // indices of acknowledged reads
};

Generated generate(int n, std::int64_t spread, bool only_acknowledged) {
    Generated g;
    std::optional<std::string> state[2];
    for (int i = 0; i < n; ++i) {
        const std::int64_t at = 1000 + 100 * i;
        Operation op;
        op.id = static_cast<std::uint64_t>(i + 1);
        op.client = "c" + std::to_string(*rc::gen::inRange(0, 4));
        const int key = *rc::gen::inRange(0, 2);
        op.key = key == 0 ? "a" : "b";
        op.invoked = ms(at - *rc::gen::inRange<std::int64_t>(0, spread + 1));
        op.completed = ms(at + *rc::gen::inRange<std::int64_t>(0, spread + 1));
        op.outcome = Outcome::ok;
        const int kind = *rc::gen::inRange(0, 3);
        std::optional<std::string>& s = state[key];
        if (kind == 0) {
            op.kind = OpKind::read;
            if (s) op.read = {*s};
            g.reads.push_back(g.history.ops.size());
        } else if (kind == 1) {
            op.kind = OpKind::write;
            op.value = "v" + std::to_string(i);
            const int fate = only_acknowledged ? 0 : *rc::gen::inRange(0, 6);
            if (fate == 4) {
                op.outcome = Outcome::fail;  // not applied
            } else if (fate == 5) {
                op.outcome = Outcome::unknown;  // applied or not: either is allowed
                op.completed = sim::time_never;
                if (*rc::gen::arbitrary<bool>()) s = op.value;
            } else {
                s = op.value;
            }
        } else {
            op.kind = OpKind::cas;
            op.value = "v" + std::to_string(i);
            op.expected = *rc::gen::arbitrary<bool>()
                              ? s
                              : std::optional<std::string>("v" + std::to_string(*rc::gen::inRange(0, n)));
            op.swapped = op.expected == s;
            if (op.swapped) s = op.value;
        }
        g.history.ops.push_back(op);
    }
    return g;
}

RC_GTEST_PROP(Linearizability, HistoriesOfASequentialRegisterAreAccepted, ()) {
    const int n = *rc::gen::inRange(1, 40);
    const Generated g = generate(n, 250, false);
    const auto report = models::check::check_linearizability(g.history);
    RC_ASSERT(report.verdict == Linearizable::yes);
}

RC_GTEST_PROP(Linearizability, ASequentialHistoryWithOneWrongReadIsRejectedAtThatRead, ()) {
    const int n = *rc::gen::inRange(1, 30);
    Generated g = generate(n, 40, true);  // 40 < 100/2: no two operations overlap
    RC_PRE(!g.reads.empty());
    Operation& bad = g.history.ops[*rc::gen::elementOf(g.reads)];
    const std::vector<std::string> right = bad.read;
    std::vector<std::vector<std::string>> wrong{{}, {"never-written"}};
    for (const Operation& op : g.history.ops) {
        if (op.is_write() && op.key == bad.key) wrong.push_back({op.value});
    }
    bad.read = *rc::gen::elementOf(wrong);
    RC_PRE(bad.read != right);
    const auto report = models::check::check_linearizability(g.history);
    RC_ASSERT(report.verdict == Linearizable::no);
    const auto* k = report.first_failure();
    RC_ASSERT(k != nullptr);
    RC_ASSERT(k->failed.has_value());
    RC_ASSERT(k->failed->id == bad.id);
    // In a sequential history the read alone is the witness: from the value the last write left,
    // it returned something else.
    RC_ASSERT(k->window.size() == 1u);
    RC_ASSERT(k->window.front().id == bad.id);
    RC_ASSERT(k->start_states.size() == 1u);
}

// ---- against a brute-force oracle -------------------------------------------------------------------

// Tries every order of the acknowledged operations plus every subset of the unknown writes that
// respects real time (a before b when a completed strictly before b was invoked) against the
// register. Exponential: only for a handful of operations.
bool brute_force_linearizable(const std::vector<Operation>& history) {
    std::vector<const Operation*> must;
    std::vector<const Operation*> may;
    for (const Operation& op : history) {
        if (op.outcome == Outcome::fail) continue;
        if (op.outcome == Outcome::unknown) {
            if (op.kind != OpKind::read) may.push_back(&op);
        } else {
            must.push_back(&op);
        }
    }
    auto ret = [](const Operation* op) { return op->outcome == Outcome::ok ? op->completed : sim::time_never; };
    auto step = [](const std::optional<std::string>& s,
                   const Operation& op) -> std::optional<std::optional<std::string>> {
        switch (op.kind) {
            case OpKind::read:
                if (op.read.size() > 1) return std::nullopt;
                if ((op.read.empty() && !s) || (op.read.size() == 1 && s == op.read.front())) return s;
                return std::nullopt;
            case OpKind::write:
                return std::optional<std::string>(op.value);
            case OpKind::cas:
                if (op.outcome == Outcome::unknown) return s == op.expected ? std::optional<std::string>(op.value) : s;
                if (op.swapped)
                    return s == op.expected ? std::optional<std::optional<std::string>>(op.value) : std::nullopt;
                return s != op.expected ? std::optional<std::optional<std::string>>(s) : std::nullopt;
        }
        return std::nullopt;
    };
    for (std::size_t mask = 0; mask < (std::size_t{1} << may.size()); ++mask) {
        std::vector<const Operation*> ops = must;
        for (std::size_t i = 0; i < may.size(); ++i) {
            if (mask & (std::size_t{1} << i)) ops.push_back(may[i]);
        }
        std::vector<bool> placed(ops.size(), false);
        std::function<bool(std::size_t, std::optional<std::string>)> place = [&](std::size_t done,
                                                                                 std::optional<std::string> s) {
            if (done == ops.size()) return true;
            for (std::size_t x = 0; x < ops.size(); ++x) {
                if (placed[x]) continue;
                bool ready = true;
                for (std::size_t y = 0; y < ops.size(); ++y) {
                    if (!placed[y] && y != x && ret(ops[y]) < ops[x]->invoked) ready = false;
                }
                if (!ready) continue;
                auto next = step(s, *ops[x]);
                if (!next) continue;
                placed[x] = true;
                if (place(done + 1, *next)) return true;
                placed[x] = false;
            }
            return false;
        };
        if (place(0, std::nullopt)) return true;
    }
    return false;
}

RC_GTEST_PROP(Linearizability, AgreesWithABruteForceSearchOnSmallConcurrentHistories, ()) {
    const int n = *rc::gen::inRange(1, 8);
    const std::vector<std::optional<std::string>> values{std::nullopt, "a", "b", "c"};
    History h;
    for (int i = 0; i < n; ++i) {
        Operation op;
        op.id = static_cast<std::uint64_t>(i + 1);
        op.client = "c" + std::to_string(i);
        op.key = "x";
        // Small integer times: many ties, which must count as concurrent.
        const std::int64_t invoked = *rc::gen::inRange(0, 12);
        op.invoked = ms(invoked);
        op.completed = ms(invoked + *rc::gen::inRange(0, 6));
        const int outcome = *rc::gen::inRange(0, 10);
        op.outcome = outcome < 7 ? Outcome::ok : outcome < 9 ? Outcome::unknown : Outcome::fail;
        const int kind = *rc::gen::inRange(0, 3);
        if (kind == 0) {
            op.kind = OpKind::read;
            if (auto v = *rc::gen::elementOf(values)) op.read = {*v};
        } else {
            op.kind = kind == 1 ? OpKind::write : OpKind::cas;
            op.value = *rc::gen::element<std::string>("a", "b", "c");  // repeats allowed
            if (op.kind == OpKind::cas) {
                op.expected = *rc::gen::elementOf(values);
                op.swapped = *rc::gen::arbitrary<bool>();
            }
        }
        h.ops.push_back(op);
    }
    const bool expected = brute_force_linearizable(h.ops);
    const auto report = models::check::check_linearizability(h);
    RC_ASSERT(report.verdict == (expected ? Linearizable::yes : Linearizable::no));
    if (!expected) {
        // The window is a certified witness: on its own (from its start states) it fails too, so
        // it holds the failing operation.
        const auto* k = report.first_failure();
        RC_ASSERT(k != nullptr);
        RC_ASSERT(!k->window.empty());
        if (k->failed) {
            RC_ASSERT(std::any_of(k->window.begin(), k->window.end(),
                                  [&](const Operation& op) { return op.id == k->failed->id; }));
        }
    }
}

}  // namespace
