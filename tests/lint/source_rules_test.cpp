// The lint's rules on small texts: each catches what it is for and lets the lookalikes through.
#include <gtest/gtest.h>

#include "lint/source_rules.hpp"

namespace {

using lint::Layer;

// The rules each line of `text` breaks, as "line:rule" strings.
std::vector<std::string> rules_broken(std::string_view text, Layer layer = Layer::models, std::string_view path = "models/src/x.cpp") {
    std::vector<std::string> out;
    for (const lint::Finding& f : lint::check(path, text, layer)) out.push_back(std::to_string(f.line) + ":" + f.rule);
    return out;
}

using Rules = std::vector<std::string>;

TEST(Lint, CommentsAndStringsAreBlankedWithLinesKept) {
    const std::string text = "a // std::rand()\nb /* x\ny */ c \"std::rand()\" '\"' 1'000'000 R\"(steady_clock)\" d\n";
    const std::string blank = lint::blank_comments_and_strings(text);
    EXPECT_EQ(blank.size(), text.size());
    EXPECT_EQ(std::count(blank.begin(), blank.end(), '\n'), 3);
    EXPECT_EQ(blank.find("rand"), std::string::npos) << blank;
    EXPECT_EQ(blank.find("steady"), std::string::npos) << blank;
    EXPECT_NE(blank.find(" c "), std::string::npos) << blank;
    EXPECT_NE(blank.find("1'000'000"), std::string::npos) << "digit separators are not literals: " << blank;
    EXPECT_NE(blank.find(" d"), std::string::npos) << blank;
}

TEST(Lint, WallClockRandomLibmAndThreadsAreFound) {
    EXPECT_EQ(rules_broken("auto t = std::chrono::steady_clock::now();\n"), Rules{"1:wall-clock"});
    EXPECT_EQ(rules_broken("x = time(nullptr);\n"), Rules{"1:wall-clock"});
    EXPECT_EQ(rules_broken("std::random_device rd;\nstd::mt19937 g(rd());\n"), (Rules{"1:std-random", "2:std-random"}));
    EXPECT_EQ(rules_broken("std::normal_distribution<double> d(0, 1);\n"), Rules{"1:std-random"});
    EXPECT_EQ(rules_broken("std::shuffle(v.begin(), v.end(), rng);\n"), Rules{"1:std-random"});
    EXPECT_EQ(rules_broken("double y = std::log(x) + ::exp(x);\n"), Rules{"1:libm"});
    EXPECT_EQ(rules_broken("std::thread t([] {});\n"), Rules{"1:threads"});
    // std::hash values differ between standard libraries: sharding by one moves keys.
    EXPECT_EQ(rules_broken("const auto shard = std::hash<std::string>{}(key) % n;\n"), Rules{"1:std-hash"});
    EXPECT_EQ(rules_broken("const auto shard = sim::hash_name(key) % n;\n"), Rules{});
    // Lookalikes: our own deterministic functions and members, words in comments and strings.
    EXPECT_EQ(rules_broken("double y = sim::det_log(x); rng.exponential(d); logger->log(1);\n"), Rules{});
    EXPECT_EQ(rules_broken("h.random(); u.uniform01(); // std::rand() and steady_clock are banned\n"), Rules{});
    EXPECT_EQ(rules_broken("fail(\"std::thread is not allowed\");\n"), Rules{});
    EXPECT_EQ(rules_broken("const auto d = detail::exp_dd(x, y);\n"), Rules{});
    // detmath.cpp is where libm's functions are written out.
    EXPECT_EQ(rules_broken("return std::log(x);\n", Layer::sim, "sim/src/detmath.cpp"), Rules{});
    EXPECT_EQ(rules_broken("return std::log(x);\n", Layer::sim, "sim/src/random.cpp"), Rules{"1:libm"});
}

TEST(Lint, ALineMayOptOutOfOneRuleWithAReason) {
    EXPECT_EQ(rules_broken("auto t = std::chrono::steady_clock::now();  // lint: allow wall-clock (progress only)\n"), Rules{});
    EXPECT_EQ(rules_broken("auto t = std::chrono::steady_clock::now();  // lint: allow threads\n"), Rules{"1:wall-clock"});
    EXPECT_EQ(rules_broken("auto t = std::chrono::steady_clock::now();  // lint: allow wall-clockwork\n"), Rules{"1:wall-clock"});
}

TEST(Lint, UnorderedContainersMustSayTheyAreNeverIterated) {
    EXPECT_EQ(rules_broken("std::unordered_map<int, std::vector<int>> by_id_;\n"), Rules{"1:unordered"});
    EXPECT_EQ(rules_broken("std::unordered_map<int, std::vector<int>> by_id_;  // looked up only, never iterated\n"), Rules{});
    EXPECT_EQ(rules_broken("#include <unordered_map>\n"), Rules{});
    // Iterating one, even when its declaration says otherwise, is found where it happens.
    const char* text =
        "std::unordered_set<std::uint64_t> seen_;  // never iterated\n"
        "bool has(std::uint64_t k) const { return seen_.find(k) != seen_.end(); }\n"
        "void dump() { for (auto k : seen_) print(k); }\n"
        "auto first() { return seen_.begin(); }\n"
        "void dump2() { for (const auto& k : this->seen_) print(k); }\n";
    EXPECT_EQ(rules_broken(text), (Rules{"3:unordered", "4:unordered", "5:unordered"}));
    // A name that is not unordered in this file may be iterated.
    EXPECT_EQ(rules_broken("std::map<int, int> seen_;\nvoid f() { for (auto& kv : seen_) g(kv); }\n"), Rules{});
}

TEST(Lint, ContainersKeyedByAddressAreTreatedLikeUnorderedOnes) {
    EXPECT_EQ(rules_broken("std::map<const Simulator*, State> states_;\n"), Rules{"1:address-order"});
    EXPECT_EQ(rules_broken("std::set<Host *> hosts;\n"), Rules{"1:address-order"});
    EXPECT_EQ(rules_broken("std::map<const Simulator*, State> states_;  // looked up only, never iterated\n"), Rules{});
    EXPECT_EQ(rules_broken("std::map<Host*, int> load_;  // never iterated\nvoid f() { for (auto& [h, n] : load_) g(h); }\n"),
              Rules{"2:address-order"});
    // Keyed by value (strings, ids), or holding pointers as values: ordered by the program.
    EXPECT_EQ(rules_broken("std::map<std::string, Host*> by_name_;\nstd::set<std::uint32_t> ids;\nvoid f() { for (auto& [n, h] : by_name_) g(h); }\n"),
              Rules{});
}

TEST(Lint, LayersIncludeOnlyWhatIsBelowThem) {
    EXPECT_EQ(rules_broken("#include \"models/cache.hpp\"\n", Layer::sim, "sim/src/x.cpp"), Rules{"1:layers"});
    EXPECT_EQ(rules_broken("#include \"faultline/spec.hpp\"\n", Layer::sim, "sim/src/x.cpp"), Rules{"1:layers"});
    EXPECT_EQ(rules_broken("#include \"sim/simulator.hpp\"\n#include \"stack_pool.hpp\"\n#include <vector>\n", Layer::sim, "sim/src/x.cpp"), Rules{});
    EXPECT_EQ(rules_broken("#include \"faultline/scenario.hpp\"\n"), Rules{"1:layers"});
    EXPECT_EQ(rules_broken("#include \"explore/fuzz.hpp\"\n"), Rules{"1:layers"});
    EXPECT_EQ(rules_broken("#include \"sim/rpc.hpp\"\n#include \"models/cache.hpp\"\n#include \"wal.hpp\"\n"), Rules{});
    EXPECT_EQ(rules_broken("#include \"report/page.hpp\"\n", Layer::scenarios, "scenarios/src/x.cpp"), Rules{"1:layers"});
    EXPECT_EQ(rules_broken("#include \"models/cache.hpp\"\n#include \"faultline/spec.hpp\"\n", Layer::scenarios, "scenarios/src/x.cpp"), Rules{});
}

TEST(Lint, ReadingTheClockBesideASuspendingArgumentIsFound) {
    // Which argument runs first is the compiler's choice: the time read before or after the call.
    EXPECT_EQ(rules_broken("record(ctx.now(), send(ctx, req));\n"), Rules{"1:now-beside-suspend"});
    EXPECT_EQ(rules_broken("stats.finished(rpc.call(ctx, to, req, 1s), ctx.now() - start);\n"), Rules{"1:now-beside-suspend"});
    EXPECT_EQ(rules_broken("f(g(ctx), sim.now());\n"), Rules{"1:now-beside-suspend"});
    EXPECT_EQ(rules_broken("f(ctx.now(), (ctx.sleep_for(1ms), 1));\n"), Rules{"1:now-beside-suspend"});
    // The operands of one operator are unsequenced as well.
    EXPECT_EQ(rules_broken("const auto d = send(ctx, req).latency + ctx.now() - t0;\n"), Rules{"1:now-beside-suspend"});
    EXPECT_EQ(rules_broken("record(ctx.now() - call(ctx, r));\n"), Rules{"1:now-beside-suspend"});
    EXPECT_EQ(rules_broken("if (ctx.now() == wait(ctx, ev)) go();\n"), Rules{"1:now-beside-suspend"});
    // ... but not those that are sequenced, or an expression with only one side.
    EXPECT_EQ(rules_broken("if (ready(ctx) && ctx.now() > t) go();\n"), Rules{});
    EXPECT_EQ(rules_broken("const Duration d = ctx.now() - start;\nx->y = -z + w;\n++i; j--;\n"), Rules{});
    EXPECT_EQ(rules_broken("p->deadline = ctx.now() + timeout;\n"), Rules{});
    // Arguments are all evaluated before the call itself: a suspending callee reading now() is fine.
    EXPECT_EQ(rules_broken("ctx.sleep_until(ctx.now() + 5ms);\n"), Rules{});
    EXPECT_EQ(rules_broken("wait(ctx, ctx.now() + timeout);\n"), Rules{});
    // Sequenced: the call's result first, then now() on the next statement.
    EXPECT_EQ(rules_broken("const auto r = send(ctx, req);\nstats.finished(r, ctx.now());\n"), Rules{});
    // Conditions are not calls; a call split over lines is not judged.
    EXPECT_EQ(rules_broken("if (ctx.now() > t && ready) go(ctx);\n"), Rules{});
    EXPECT_EQ(rules_broken("record(ctx.now(),\n       send(ctx, req));\n"), Rules{});
}

}  // namespace
