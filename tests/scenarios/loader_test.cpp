// Loading scenario files: every mistake is one SpecError that names file, line and column (and
// suggests the nearest valid name where there is one); RapidCheck mutations of the library's
// files never crash the loader or escape as another exception; `--set` overrides reach the
// typed options; shorthands read as their long forms.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "faultline/key_reference.hpp"
#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "yaml/document_checks.hpp"
#include "support/scenario_text.hpp"

namespace {

// A small valid scenario; the line numbers in the cases below refer to it.
const char* const kBase =
    "name: loader-base\n"                                                              // 1
    "description: a small valid scenario\n"                                            // 2
    "hypothesis: it loads\n"                                                           // 3
    "duration: 20s\n"                                                                  // 4
    "limits: {time_max: 1m, events_max: 1000000}\n"                                    // 5
    "network:\n"                                                                       // 6
    "  latency: fixed(1ms)\n"                                                          // 7
    "services:\n"                                                                      // 8
    "  api:\n"                                                                         // 9
    "    hosts: api-{1..2}\n"                                                          // 10
    "    queue: {workers_max: 8, queue_max: 64}\n"                                     // 11
    "    cpu: exponential(2ms)\n"                                                      // 12
    "    calls:\n"                                                                     // 13
    "      - {target: db, timeout: 500ms, retry: {attempts_max: 2}}\n"                 // 14
    "databases:\n"                                                                     // 15
    "  db:\n"                                                                          // 16
    "    hosts: db-1\n"                                                                // 17
    "    connections_max: 50\n"                                                        // 18
    "workloads:\n"                                                                     // 19
    "  users:\n"                                                                       // 20
    "    hosts: clients\n"                                                             // 21
    "    open_loop: {rate: 100/s, keys: uniform(1000)}\n"                              // 22
    "    call: {target: api, timeout: 1s}\n"                                           // 23
    "faults:\n"                                                                        // 24
    "  - {at: 5s, duration: 5s, kind: crash, targets: [api-1]}\n"                      // 25
    "invariants:\n"                                                                    // 26
    "  - name: p99 under 1s\n"                                                         // 27
    "    slo: {metric: users.latency, quantile: 0.99, max: 1s, from: 0s, to: 20s}\n"   // 28
    "expect: {verdict: pass}\n"                                                        // 29
    "test_seeds: [1]\n"                                                                // 30
    "variants:\n"                                                                      // 31
    "  bigger:\n"                                                                      // 32
    "    description: more workers\n"                                                  // 33
    "    set: {services.api.queue.workers_max: \"16\"}\n";                             // 34

using test_support::load_error;
using test_support::replaced;
using test_support::temp_path;

std::string write(const std::string& name, const std::string& text) { return test_support::write_file(name, text); }

// A setting's bad value, what its one-line error must say (empty: only that it loads with the
// good value), and a value next to it that loads.
struct Edge {
    const char* path;
    const char* bad;
    const char* says;
    const char* good;
};

// Each edge applied to the scenario at `path` as a --set would be.
void check_edges(const std::string& path, const std::vector<Edge>& edges) {
    const faultline::LoadedScenario loaded = faultline::load_scenario_file(path);
    auto error_of = [&](const std::string& p, const std::string& v) {
        std::string error;
        auto scenario = loaded.info->make({{p, v}}, error);
        return scenario ? std::string() : error;
    };
    for (const Edge& e : edges) {
        SCOPED_TRACE(std::string(e.path) + "=" + e.bad);
        const std::string error = error_of(e.path, e.bad);
        if (*e.says != '\0') {
            EXPECT_NE(error.find(e.says), std::string::npos) << error;
            EXPECT_EQ(error.find('\n'), std::string::npos) << error;
        }
        EXPECT_EQ(error_of(e.path, e.good), "");
    }
}

TEST(Loader, TheBaseFileLoadsAndItsShorthandsReadAsTheLongForms) {
    const std::string path = write("base.yaml", kBase);
    ASSERT_EQ(load_error(path), "");
    ASSERT_EQ(load_error(path, "bigger"), "");
    const auto spec = faultline::load_spec(path);
    const auto& users = spec.workloads.at("users");
    ASSERT_TRUE(users.open_loop);
    EXPECT_EQ(users.open_loop->keys.keys, 1000u);
    EXPECT_EQ(users.open_loop->keys.zipf_s, 0.0);
    EXPECT_EQ(users.open_loop->rate.per_second, 100.0);
    EXPECT_EQ(spec.services.at("api").calls.at(0).timeout, std::chrono::milliseconds(500));

    const auto zipf = faultline::load_spec(write("zipf.yaml", replaced(kBase, "uniform(1000)", "\"zipf(5000, 0.99)\"")));
    EXPECT_EQ(zipf.workloads.at("users").open_loop->keys.keys, 5000u);
    EXPECT_DOUBLE_EQ(zipf.workloads.at("users").open_loop->keys.zipf_s, 0.99);
    EXPECT_EQ(faultline::load_spec(path, "bigger").services.at("api").queue.workers_max, 16);
}

// A file that does not write limits.time_max has a limit that follows its duration: a long
// run is not refused for a default nobody wrote (it was an error at 1:1 naming limits.time_max).
// A written limit shorter than the duration is still an error, at its own line.
TEST(Loader, AVariantsSettingDoesNotAddAnEntryTheFileDoesNotHave) {
    // A store's every field has a default: a setting that added one would run a component the file
    // never had. Refused at the variant's line, like any other of its settings.
    const std::string path = write("phantom.yaml", std::string(kBase) +
                                                       "  phantom:\n"                                 // 35
                                                       "    description: a store the file has not\n"  // 36
                                                       "    set: {stores.kv.design: lww}\n");         // 37
    const std::string error = load_error(path, "phantom");
    EXPECT_NE(error.find("phantom.yaml:37:"), std::string::npos) << error;
    EXPECT_NE(error.find(
                  "stores.kv.design: a setting changes an entry the file has, it does not add one: the scenario has no "
                  "'stores' (add 'stores.kv' to the file)"),
              std::string::npos)
        << error;
}

TEST(Loader, AnUnwrittenTimeLimitFollowsTheDuration) {
    const std::string unwritten = replaced(kBase, "limits: {time_max: 1m, events_max: 1000000}\n", "");
    for (const auto& [text, name] : {std::pair{replaced(unwritten, "duration: 20s", "duration: 2h"), "long.yaml"},
                                     std::pair{unwritten, "set-long.yaml"}}) {
        SCOPED_TRACE(name);
        const std::vector<faultline::Override> settings =
            std::string(name) == "set-long.yaml" ? std::vector<faultline::Override>{{"duration", "3h"}} : std::vector<faultline::Override>{};
        auto loaded = faultline::load_scenario_file(write(name, text));
        std::string error;
        auto scenario = loaded.info->make(settings, error);
        ASSERT_TRUE(scenario) << error;
        sim::Options o;
        scenario->configure(o);
        EXPECT_EQ(o.time_max, settings.empty() ? sim::Duration(std::chrono::hours(2)) : sim::Duration(std::chrono::hours(3)));
        EXPECT_EQ(*o.duration, o.time_max);
    }
    const std::string written = load_error(write("short-limit.yaml", replaced(kBase, "duration: 20s", "duration: 2m")));
    EXPECT_NE(written.find("short-limit.yaml:5:"), std::string::npos) << written;
    EXPECT_NE(written.find("limits.time_max: must be at least the duration (it is 1m; the duration is 2m)"), std::string::npos) << written;
}

// A swarm choice is a setting a seed will make: one that does not load is the file's mistake,
// reported at its swarm entry when the file loads (it was an error finding per seed).
TEST(Loader, EverySwarmChoiceIsCheckedWhenTheFileLoads) {
    const std::string good = kBase + std::string("swarm:\n  services.api.queue.workers_max: [4, 16]\n");
    EXPECT_EQ(load_error(write("swarm-good.yaml", good)), "");
    const std::string value = load_error(write("swarm-value.yaml", replaced(good, "[4, 16]", "[4, many]")));
    EXPECT_TRUE(value.ends_with("swarm-value.yaml:36:3: swarm.services.api.queue.workers_max: the choice 'many' is not a setting "
                                "that loads: 'many' is not an integer"))
        << value;
    const std::string path = load_error(write("swarm-path.yaml", good + "  services.api.queu.workers_max: [1]\n"));
    EXPECT_NE(path.find("swarm-path.yaml:37:3: swarm.services.api.queu.workers_max: the choice '1'"), std::string::npos) << path;
    EXPECT_NE(path.find("did you mean 'queue'?"), std::string::npos) << path;
    EXPECT_EQ(path.find('\n'), std::string::npos) << path;
}

// Each nemesis fault's rate is a swarm dimension of its own (off, half, as written, double),
// unless the file's swarm lists that rate: then its choices are the only ones. Both were drawn
// before, the automatic one applied last, so the file's choices never reached a run.
TEST(Loader, AFilesSwarmChoicesForANemesisRateReplaceTheAutomaticOnes) {
    const std::string nemesis = replaced(kBase, "  - {at: 5s, duration: 5s, kind: crash, targets: [api-1]}\n",
                                         "  - {at: 5s, duration: 5s, kind: crash, targets: [api-1]}\n"
                                         "nemesis:\n  faults:\n    - {kind: crash, rate: 6/min, targets: [api-1, api-2]}\n"
                                         "    - {kind: pause, rate: 2/min, targets: [api-1, api-2]}\n");
    const std::string text = nemesis + "swarm:\n  nemesis.faults.0.rate: [100/min, 200/min]\n";
    const auto dims = faultline::load_scenario_file(write("swarm-nemesis.yaml", text)).info->swarm();
    std::map<std::string, std::vector<std::string>> by_path;
    for (const faultline::SwarmDimension& d : dims) {
        EXPECT_EQ(by_path.count(d.path), 0u) << d.path << " is drawn twice";
        by_path[d.path] = d.choices;
    }
    EXPECT_EQ(by_path["nemesis.faults.0.rate"], (std::vector<std::string>{"100/min", "200/min"}));
    EXPECT_EQ(by_path["nemesis.faults.1.rate"], (std::vector<std::string>{"0/min", "1/min", "2/min", "4/min"}));
}

TEST(Loader, SetOverridesReachTheTypedOptionsAndBadOnesNameThePath) {
    const std::string path = write("base.yaml", kBase);
    const auto spec = faultline::load_spec(path, "", {{"workloads.users.open_loop.rate", "250/s"},
                                                      {"workloads.users.open_loop.keys", "zipf(10, 1.5)"},
                                                      {"faults.0.at", "7s"},
                                                      {"services.api.calls.0.breaker.window_buckets", "20"},
                                                      {"workloads.users.call.throttle.window_buckets", "30"}});
    EXPECT_EQ(spec.workloads.at("users").open_loop->rate.per_second, 250.0);
    EXPECT_EQ(spec.services.at("api").calls.at(0).breaker.window_buckets, 20);
    EXPECT_EQ(spec.workloads.at("users").call.throttle.window_buckets, 30);
    EXPECT_EQ(spec.workloads.at("users").open_loop->keys.keys, 10u);
    EXPECT_EQ(spec.faults.at(0).at, std::chrono::seconds(7));
    // A path as error messages print it, with the list index in brackets, sets the same field.
    const auto bracketed = faultline::load_spec(path, "", {{"services.api.calls[0].breaker.window_buckets", "25"}, {"faults[0].at", "8s"}});
    EXPECT_EQ(bracketed.services.at("api").calls.at(0).breaker.window_buckets, 25);
    EXPECT_EQ(bracketed.faults.at(0).at, std::chrono::seconds(8));

    auto error_of = [&](const std::string& p, const std::string& v) {
        try {
            faultline::load_spec(path, "", {{p, v}});
            return std::string();
        } catch (const faultline::SpecError& e) {
            return std::string(e.what());
        }
    };
    EXPECT_NE(error_of("workloads.users.open_loop.rate", "fast").find("workloads.users.open_loop.rate"), std::string::npos);
    EXPECT_NE(error_of("workloads.users.open_loop.rat", "5/s").find("did you mean 'rate'?"), std::string::npos);
    EXPECT_NE(error_of("duration", "20").find("missing unit"), std::string::npos);
    // A model's check names its struct ("throttle: window_buckets ..."); the error names the field
    // once, by its path.
    const std::string buckets = error_of("workloads.users.call.throttle.window_buckets", "0");
    EXPECT_NE(buckets.find("workloads.users.call.throttle.window_buckets: must be between 1 and 1000"), std::string::npos) << buckets;
    EXPECT_EQ(buckets.find("throttle: "), std::string::npos) << buckets;
    const std::string budget = error_of("services.api.calls.0.retry.budget.tokens_max", "0");
    EXPECT_NE(budget.find("services.api.calls[0].retry.budget.tokens_max: must be between 1 and"), std::string::npos) << budget;
    // Indexing a list the file does not have names what is missing (it used to create a mapping
    // with a key "0" and report that key as unknown).
    EXPECT_NE(error_of("network.links.0.loss", "1%").find("network.links is not in the scenario, so it has no item 0"), std::string::npos)
        << error_of("network.links.0.loss", "1%");
    EXPECT_NE(error_of("faults.3.at", "1s").find("faults.3.at: index 3 is past the end of the list"), std::string::npos);
    EXPECT_NE(error_of("faults[3].at", "1s").find("index 3 is past the end of the list"), std::string::npos);
    EXPECT_NE(error_of("services.api.calls[x].timeout", "1s").find("'x' is not a list index"), std::string::npos) << error_of("services.api.calls[x].timeout", "1s");
    // A named section's empty segment is the path's mistake, not a missing entry (it said "the
    // scenario has no 'services.'").
    EXPECT_NE(error_of("services..api", "1").find("services..api: empty path segment"), std::string::npos)
        << error_of("services..api", "1");
    // A field of a section the file writes as one value ('list --options' shows keys.keys for
    // keys: uniform(1000)) says to set the value whole; it said "'keys' is inside a value".
    EXPECT_NE(
        error_of("workloads.users.open_loop.keys.keys", "20")
            .find("workloads.users.open_loop.keys.keys: workloads.users.open_loop.keys is one value here "
                  "(uniform(1000)), not a mapping with 'keys': set it whole (workloads.users.open_loop.keys=...)"),
        std::string::npos)
        << error_of("workloads.users.open_loop.keys.keys", "20");
    // A plain value has no fields: as before.
    EXPECT_NE(error_of("duration.x", "1").find("duration.x: 'x' is inside a value, not a mapping"), std::string::npos)
        << error_of("duration.x", "1");
    const std::string past_end = error_of("faults.3.at", "1s");
    EXPECT_EQ(past_end.find("--set"), past_end.rfind("--set")) << "'--set' once: " << past_end;
    // A conflict between the file and a setting names both values: the error points at the
    // file's limits.time_max, but the duration that broke it came from --set.
    const std::string longer = error_of("duration", "2m");
    EXPECT_NE(longer.find("limits.time_max: must be at least the duration (it is 1m; the duration is 2m)"), std::string::npos) << longer;
    EXPECT_TRUE(longer.ends_with(" (with --set duration=2m; the file alone loads)")) << longer;
    // So is a run cut shorter than a fault's start, found elsewhere in the file (by the world's
    // dry build, as the CLI loads).
    auto built_error = [](const std::string& file, const std::string& p, const std::string& v) {
        std::string error;
        auto scenario = faultline::load_scenario_file(file).info->make({{p, v}}, error);
        return scenario ? std::string() : error;
    };
    const std::string shorter = built_error(path, "duration", "4s");
    EXPECT_NE(shorter.find(":25:"), std::string::npos) << shorter;
    EXPECT_TRUE(shorter.ends_with(" (with --set duration=4s; the file alone loads)")) << shorter;
    // A mistake of the file's own is not blamed on a setting that did not make it.
    std::string own;
    try {
        faultline::load_spec(write("own.yaml", replaced(kBase, "connections_max: 50", "connections_max: 0")), "", {{"faults.0.at", "6s"}});
    } catch (const faultline::SpecError& e) {
        own = e.what();
    }
    EXPECT_NE(own.find(":18:"), std::string::npos) << own;
    EXPECT_EQ(own.find("--set"), std::string::npos) << own;
    // A variant's settings are applied before the command line's: changing them did nothing.
    const std::string variant_set = error_of("variants.bigger.set.services.api.queue.workers_max", "9");
    EXPECT_EQ(variant_set.rfind("(--set): variants.bigger.set.services.api.queue.workers_max: a setting does not change a variant's settings", 0), 0u)
        << variant_set;
    EXPECT_EQ(error_of("variants.bigger.description", "still more workers"), "");
    // A top-level key only the setting has is the setting's fault, not the file's line 1.
    const std::string top = error_of("duraton", "20s");
    EXPECT_EQ(top.rfind("(--set): unknown key 'duraton'", 0), 0u) << top;
    EXPECT_NE(top.find("did you mean 'duration'?"), std::string::npos) << top;
    // A setting for an entry the file does not have is refused, and says which entry was
    // probably meant. It used to add the entry: incomplete, it failed to load, but an entry whose
    // every field has a default (a store: replicas kv-{1..3}) loaded and ran as a component the
    // file never had.
    const std::string entry = error_of("services.apii.queue.workers_max", "3");
    EXPECT_EQ(entry.rfind(
                  "(--set): services.apii.queue.workers_max: a setting changes an entry the file has, it does not add "
                  "one: the scenario has no 'services.apii'; did you mean 'services.api'?",
                  0),
              0u)
        << entry;
    EXPECT_EQ(error_of("services.api.queue.workers_max", "3"), "");
    for (const std::string p : {"stores.kv.design", "stores.kv"}) {
        const std::string store = error_of(p, p == "stores.kv" ? "{design: lww}" : "lww");
        EXPECT_NE(store.find("the scenario has no 'stores' (add 'stores.kv' to the file)"), std::string::npos) << store;
    }
    // The whole section at once names its entries too (a tester's finding: it got past the check).
    const std::string whole = error_of("stores", "{kv: {design: quorum}}");
    EXPECT_NE(whole.find("the scenario has no 'stores' (add 'stores.kv' to the file)"), std::string::npos) << whole;
    const std::string other = error_of("services", "{api: {hosts: api-1}, other: {hosts: o-1}}");
    EXPECT_NE(other.find("the scenario has no 'services.other' (add it to the file)"), std::string::npos) << other;
    EXPECT_NE(error_of("databases.zzz.memory_mb", "3").find("the scenario has no 'databases.zzz' (add it to the file)"),
              std::string::npos)
        << error_of("databases.zzz.memory_mb", "3");
    // A fixed key mistyped gets the reader's suggestion, once.
    const std::string fixed = error_of("services.api.queu.workers_max", "3");
    EXPECT_NE(fixed.find("unknown key 'queu' (did you mean 'queue'?)"), std::string::npos) << fixed;
    EXPECT_EQ(fixed.find("did you mean"), fixed.rfind("did you mean")) << fixed;
    // A bad value set through a bracketed path is the setting's fault too, not the file's line.
    for (const std::string p : {"services.api.calls.0.retry.backoff", "services.api.calls[0].retry.backoff"}) {
        const std::string choice = error_of(p, "exponentail");
        EXPECT_EQ(choice.rfind("(--set): services.api.calls[0].retry.backoff: 'exponentail' is not one of", 0), 0u) << choice;
    }
}

struct BadCase {
    const char* what;
    const char* from;  // text in kBase
    const char* to;    // its replacement
    int line;          // the line the error must name (0: any line)
    const char* says;  // a fragment the message must contain
};

const BadCase kBadCases[] = {
    {"misspelt top-level key", "duration: 20s", "durration: 20s", 4, "did you mean 'duration'?"},
    {"misspelt nested key", "    cpu: exponential", "    cpuu: exponential", 12, "did you mean 'cpu'?"},
    {"misspelt key in a flow map", "{workers_max: 8,", "{worker_max: 8,", 11, "did you mean 'workers_max'?"},
    {"misspelt key in a list item", "retry: {attempts_max: 2}", "retry: {attempt_max: 2}", 14,
     "did you mean 'attempts_max'?"},
    {"duration without a unit", "timeout: 500ms", "timeout: 500", 14, "missing unit"},
    {"duration with a wrong unit", "duration: 20s", "duration: 20 parsecs", 4, "duration"},
    {"rate written as a duration", "rate: 100/s", "rate: 100ms", 22, "rate"},
    {"rate that is a word", "rate: 100/s", "rate: fast", 22,
     "workloads.users.open_loop.rate: 'fast' is not a rate like 5000/s: not a number"},
    {"rate without its time unit", "rate: 100/s", "rate: 100", 22,
     "workloads.users.open_loop.rate: '100' is not a rate like 5000/s: missing the time unit (write 100/s or 100/min)"},
    {"number that is not one", "connections_max: 50", "connections_max: lots", 18, "'lots' is not an integer"},
    {"yes or no that is neither", "retry: {attempts_max: 2}", "retry: {attempts_max: 2}, propagate_deadline: maybe", 14,
     "'maybe' is not true or false"},
    {"negative count", "workers_max: 8,", "workers_max: -3,", 11, "services.api.queue.workers_max: must be at least 1"},
    {"negative duration", "duration: 20s", "duration: -20s", 4, "duration"},
    {"quantile out of range", "quantile: 0.99", "quantile: 1.5", 28, "invariants[0].slo: quantile must be in (0, 1]"},
    // Left out, a metric read as the metric '' ("no metric ''"): the key is named.
    {"metric left out", "metric: users.latency, ", "", 28, "invariants[0].slo: needs metric (e.g. users.latency)"},
    {"misspelt distribution", "exponential(2ms)", "exponentail(2ms)", 12,
     "services.api.cpu: 'exponentail(2ms)' is not a delay like 5ms or lognormal(5ms, 0.5): unknown distribution "
     "'exponentail' (did you mean 'exponential'?)"},
    {"unknown distribution", "exponential(2ms)", "gamma(2ms)", 12,
     "unknown distribution 'gamma' (fixed, uniform, normal, lognormal, exponential, pareto)"},
    {"misspelt key popularity", "uniform(1000)", "zipff(1000)", 22,
     "unknown key popularity 'zipff' (did you mean 'zipf'?)"},
    {"unknown key popularity", "uniform(1000)", "hot(1000)", 22, "unknown key popularity 'hot' (zipf or uniform)"},
    {"misspelt choice", "retry: {attempts_max: 2}", "retry: {attempts_max: 2, backoff: exponentail}", 14,
     "services.api.calls[0].retry.backoff: 'exponentail' is not one of: none, fixed, exponential (did you mean "
     "'exponential'?)"},
    {"unknown choice", "retry: {attempts_max: 2}", "retry: {attempts_max: 2, backoff: linear}", 14,
     "services.api.calls[0].retry.backoff: 'linear' is not one of: none, fixed, exponential"},
    {"misspelt error code", "retry: {attempts_max: 2}", "retry: {attempts_max: 2, retry_on: 'timeout, overloded'}", 14,
     "unknown error code 'overloded' (did you mean 'overloaded'?)"},
    {"a list where a mapping belongs", "    queue: {workers_max: 8, queue_max: 64}", "    queue: [8, 64]", 11,
     "expected a mapping"},
    {"a value where a section belongs", "    queue: {workers_max: 8, queue_max: 64}", "    queue: 8", 11,
     "services.api.queue: expected a mapping of keys, got a value (known keys: workers_max queue_max discipline"},
    {"a mapping where a value belongs", "connections_max: 50", "connections_max: {n: 50}", 18, "connections_max"},
    {"call to a component that does not exist", "{target: db,", "{target: dbb,", 14, "did you mean 'db'?"},
    {"workload calling nothing known", "call: {target: api,", "call: {target: apu,", 23, "apu"},
    {"fault on an unknown host", "targets: [api-1]", "targets: [api-9]", 25, "api-9"},
    {"unknown fault kind", "kind: crash", "kind: crush", 25, "crush"},
    {"invariant on an unknown metric", "metric: users.latency", "metric: users.latncy", 28,
     "did you mean 'users.latency'?"},
    {"override of an option that does not exist", "services.api.queue.workers_max", "services.api.queue.worker_max", 34,
     "worker_max"},
    // An unclosed bracket is reported where it was opened (yaml-cpp notices lines later).
    {"unclosed flow mapping", "queue: {workers_max: 8, queue_max: 64}", "queue: {workers_max: 8, queue_max: 64", 11,
     "this '{' is not closed with '}'"},
    {"unclosed flow list", "test_seeds: [1]", "test_seeds: [1", 30, "this '[' is not closed with ']'"},
    {"an error inside a flow that spans lines and closes", "targets: [api-1]}\n",
     "targets: [api-1,\n      @api-2,\n      api-1]}\n", 26, "'@', '`' and '%' cannot start a key or a value in YAML"},
    {"unclosed flow mapping before a list item", "targets: [api-1]}\n",
     "targets: [api-1]\n  - {at: 8s, kind: crash, targets: [api-2]}\n", 25,
     "this '{' is not closed with '}' (yaml-cpp looked for it up to line 26: illegal block entry)"},
    {"unclosed flow list inside a flow mapping", "targets: [api-1]", "targets: [api-1", 25,
     "a '}' or ']' that closes nothing, or not the bracket opened last"},
    {"bad indentation", "    hosts: db-1\n", "   hosts: db-1\n", 0, ""},
    // What yaml-cpp would accept without a word: a key twice (it reads the first), a quote never
    // closed (the value swallows the rest of the file).
    {"a key written twice", "    cpu: exponential(2ms)\n", "    cpu: exponential(2ms)\n    cpu: fixed(1ms)\n", 13,
     "services.api: key 'cpu' appears twice in this mapping (first on line 12); only the first would be read"},
    {"a section written twice", "test_seeds: [1]\n", "test_seeds: [1]\nduration: 30s\n", 31,
     "key 'duration' appears twice in this mapping (first on line 4)"},
    {"a key twice in a flow mapping", "{workers_max: 8, queue_max: 64}",
     "{workers_max: 8, queue_max: 64, workers_max: 9}", 11, "services.api.queue: key 'workers_max' appears twice"},
    {"a double quote never closed", "description: a small valid scenario", "description: \"a small valid scenario", 2,
     "this quote is not closed on its line: the value runs on to line 34, where the next quote closes it, and yaml-cpp "
     "fails at line 34"},
    {"a quote never closed in the last section", "    description: more workers", "    description: 'more workers", 33,
     "variants.bigger.description: this quote is never closed: its value would run on to the end of the file"},
    {"a single quote never closed in a flow", "      - {target: db,", "      - {target: 'db,", 14,
     "this quote is not closed on its line: the value runs on to line 35, and yaml-cpp fails at line 35"},
    // yaml-cpp's terse syntax errors, said the way to fix them.
    {"a key indented under a value", "duration: 20s\n", "duration: 20s\n  extra: 1\n", 5,
     "a ': ' that cannot start a value here: a key indented under a line that has a value"},
    {"two colons in a value", "hypothesis: it loads", "hypothesis: it loads: fast", 3,
     "or ': ' inside a value (quote it)"},
    {"a list item after a value", "    hosts: db-1\n", "    hosts: - db-1\n", 17,
     "a '- ' list item where no list can start"},
    {"a reserved character", "name: loader-base", "name: @loader-base", 1,
     "'@', '`' and '%' cannot start a key or a value in YAML"},
    {"tab indentation", "    connections_max: 50", "\tconnections_max: 50", 18,
     "this line is indented with a tab: YAML indents with spaces only"},
    {"a tab after spaces", "    connections_max: 50", "  \t  connections_max: 50", 18,
     "this line is indented with a tab"},
    {"a tab before a list item", "  - name: p99 under 1s", "\t- name: p99 under 1s", 27,
     "this line is indented with a tab"},
    // An empty value is reported at its key, not at the next line where yaml-cpp marks it.
    {"an empty value", "duration: 20s", "duration:", 4, "duration: expected a duration like 250ms, got empty"},
    {"an empty nested value", "    cpu: exponential(2ms)", "    cpu:", 12, "services.api.cpu: expected a delay"},
    {"an empty entry", "  db:\n    hosts: db-1\n    connections_max: 50\n", "  db:\n", 16, "databases.db: "},
    {"unknown verdict", "expect: {verdict: pass}", "expect: {verdict: maybe}", 29, "must be pass, fail or runaway"},
    {"negative cache parameter", "    cpu: exponential(2ms)\n",
     "    cpu: exponential(2ms)\n    cache: {ttl: 10s, xfetch_beta: -1}\n", 13,
     "services.api.cache.xfetch_beta: cannot be negative"},
    {"host range backwards", "api-{1..2}", "api-{2..1}", 10, "api-{2..1}"},
    {"tagged unknown key", "duration: 20s", "!!str durration: 20s", 0, "durration"},
    {"a service calling itself", "{target: db,", "{target: api,", 14,
     "services.api.calls[0].target: 'api' is already on this call path (api -> api): every request would recurse"},
    {"a service's setting indented as a service", "retry: {attempts_max: 2}}\n",
     "retry: {attempts_max: 2}}\n  cache: {ttl: 5s}\n", 15,
     "services.cache: unknown key 'ttl' (is 'cache' a setting of the entry above it, indented one level too little?)"},
    {"a service's setting indented as a service, flow", "    queue: {workers_max", "  queue: {workers_max", 0,
     "this key is indented differently from the keys before it"},
    {"a database's value setting indented as a database", "    connections_max: 50", "  connections_max: 50", 18,
     "databases.connections_max: expected a mapping of keys, got a value (is 'connections_max' a setting of the entry "
     "above it"},
    {"a setting's keys not indented under it", "    queue: {workers_max: 8, queue_max: 64}\n",
     "    queue:\n    workers_max: 8\n", 11,
     "services.api.queue: expected a mapping of keys, got empty (are its keys indented under it?)"},
};

// The indentation hint above is for a setting that reads as an entry of its own. A real entry
// whose name is also a setting's (a service named 'cache') gets the error of its own mistake,
// without the hint: deeper down, or at its own keys when it has a service's keys too.
TEST(Loader, AnEntryNamedLikeASettingIsNotToldItIsIndentedWrong) {
    const std::string after = "      - {target: db, timeout: 500ms, retry: {attempts_max: 2}}\n";
    const std::string deep = load_error(write(
        "cache-service-deep.yaml",
        replaced(kBase, after, after + "  cache:\n    hosts: cache-1\n    calls:\n      - {target: db, timeout: 1s, retry: {jitter: ful}}\n")));
    EXPECT_NE(deep.find("services.cache.calls[0].retry.jitter: 'ful' is not one of"), std::string::npos) << deep;
    EXPECT_EQ(deep.find("indented one level too little"), std::string::npos) << deep;
    const std::string own = load_error(write("cache-service-own.yaml", replaced(kBase, after, after + "  cache:\n    hosts: cache-1\n    cpuu: fixed(1ms)\n")));
    EXPECT_NE(own.find("unknown key 'cpuu'"), std::string::npos) << own;
    EXPECT_EQ(own.find("indented one level too little"), std::string::npos) << own;
}

// Cache metrics belong to services with a cache: api has none, so api.cache.hits is not a metric
// (it was a series of zeros that an invariant could watch forever); with a cache it loads.
// Two components with one name: the error is at the second one (its section, the line after its
// name) and says which one had it
// (it used to point at the second's `hosts` key, as if the hosts were wrong).
TEST(Loader, AComponentsNameTakenByAnotherIsReportedAtTheName) {
    const std::string path = write("name-twice.yaml", replaced(kBase, "  users:\n    hosts: clients\n", "  db:\n    hosts: clients\n"));
    EXPECT_EQ(load_error(path), path + ":21:5: workloads.db: the name 'db' is taken by databases.db (services, databases, workloads, "
                                       "stores and models share one namespace)");
    const std::string service = write("name-twice-service.yaml", replaced(kBase, "  db:\n    hosts: db-1\n", "  api:\n    hosts: db-1\n"));
    EXPECT_TRUE(load_error(service).starts_with(service + ":10:5: services.api: the name 'api' is taken by databases.api ")) << load_error(service);
}

TEST(Loader, OnlyAServiceWithACacheHasCacheMetrics) {
    const std::string on_hits = replaced(
        kBase, "    slo: {metric: users.latency, quantile: 0.99, max: 1s, from: 0s, to: 20s}\n",
        "    recovers: {metric: api.cache.hits, baseline_from: 1s, baseline_to: 4s, after: 5s, within: 10s}\n");
    const std::string error = load_error(write("no-cache-metrics.yaml", on_hits));
    EXPECT_NE(error.find("no metric 'api.cache.hits'"), std::string::npos) << error;
    const std::string cached = replaced(on_hits, "    cpu: exponential(2ms)\n", "    cpu: exponential(2ms)\n    cache: {ttl: 10s}\n");
    EXPECT_EQ(load_error(write("cache-metrics.yaml", cached)), "");
}

// A recovery baseline measured while the workload ramps up is below the steady load: an error,
// naming when the ramp-up ends. From then on it loads.
TEST(Loader, ARecoveryBaselineMustNotStartInsideTheRampUp) {
    std::string text = replaced(kBase, "keys: uniform(1000)}", "keys: uniform(1000), start: 1s, ramp_up: 5s}");
    text = replaced(text, "    slo: {metric: users.latency, quantile: 0.99, max: 1s, from: 0s, to: 20s}\n",
                    "    recovers: {metric: users.ok, baseline_from: 4s, baseline_to: 9s, after: 10s, within: 5s}\n");
    const std::string early = write("ramp-early.yaml", text);
    const std::string error = load_error(early);
    EXPECT_TRUE(error.starts_with(early + ":28:49:")) << error;  // at baseline_from, not the "- name:" line
    EXPECT_NE(error.find("invariants[0].recovers.baseline_from: is 4s, while workload 'users' still ramps up (until 6s)"), std::string::npos)
        << error;
    EXPECT_EQ(load_error(write("ramp-steady.yaml", replaced(text, "baseline_from: 4s", "baseline_from: 6s"))), "");
    // The baseline is the rate before the trigger: a window reaching past `after` is refused.
    const std::string late = load_error(write("baseline-late.yaml", replaced(replaced(text, "baseline_from: 4s", "baseline_from: 6s"), "baseline_to: 9s", "baseline_to: 12s")));
    EXPECT_NE(late.find("recovers: baseline_to must not come after `after`"), std::string::npos) << late;
    // Another component's metric is not judged by this workload's ramp-up.
    EXPECT_EQ(load_error(write("ramp-other.yaml", replaced(text, "metric: users.ok", "metric: api.requests"))), "");
    // No window at all: said as such, not as "baseline_to must come after baseline_from" about two
    // keys the file does not have.
    const std::string none = load_error(write("baseline-none.yaml", replaced(text, "baseline_from: 4s, baseline_to: 9s, ", "")));
    EXPECT_NE(none.find("invariants[0].recovers: needs a baseline window before the trigger: baseline_from and baseline_to (e.g. "),
              std::string::npos)
        << none;
}

// Recovery is judged on rates averaged over `smoothing` after `after`: a `within` shorter than
// that holds no average, could never pass, and reported "was 0/s" of a rate that never fell.
TEST(Loader, ARecoveryWindowShorterThanItsSmoothingIsRefused) {
    std::string text =
        replaced(kBase, "    slo: {metric: users.latency, quantile: 0.99, max: 1s, from: 0s, to: 20s}\n",
                 "    recovers: {metric: users.ok, baseline_from: 2s, baseline_to: 4s, after: 5s, within: 3s}\n");
    const std::string file = write("within-short.yaml", text);
    const std::string error = load_error(file);
    EXPECT_TRUE(error.starts_with(file + ":")) << error;
    EXPECT_NE(
        error.find("invariants[0].recovers.within: is 3s, shorter than smoothing (5s): no averaged rate fits in it, "
                   "so it could never recover; make within at least 5s or lower smoothing"),
        std::string::npos)
        << error;
    EXPECT_EQ(load_error(write("within-smoothed.yaml", replaced(text, "within: 3s}", "within: 3s, smoothing: 1s}"))),
              "");
    EXPECT_EQ(load_error(write("within-equal.yaml", replaced(text, "within: 3s}", "within: 5s}"))), "");
    // Windows that hold no metrics sample (taken every metrics_interval, 1s here) measure nothing.
    const std::string no_sample = load_error(write(
        "baseline-between-samples.yaml", replaced(text, "baseline_from: 2s, baseline_to: 4s, after: 5s, within: 3s}",
                                                  "baseline_from: 2.1s, baseline_to: 2.9s, after: 5s, within: 5s}")));
    EXPECT_NE(
        no_sample.find(
            "invariants[0].recovers.baseline_to: the baseline window (2.1s, 2.9s] holds no metrics sample (metrics "
            "are sampled every 1s): widen it, or lower metrics_interval"),
        std::string::npos)
        << no_sample;
    const std::string short_within =
        load_error(write("within-between-samples.yaml",
                         replaced(text, "after: 5s, within: 3s}", "after: 5.2s, within: 0.5s, smoothing: 0.2s}")));
    EXPECT_NE(
        short_within.find(
            "invariants[0].recovers.within: holds 0 metrics samples after `after` (metrics are sampled every 1s), "
            "fewer than the 1 that smoothing averages"),
        std::string::npos)
        << short_within;
    EXPECT_EQ(load_error(write("within-sampled.yaml",
                               replaced(text, "within: 3s}", "within: 3s, smoothing: 1s}\nmetrics_interval: 100ms"))),
              "");
    EXPECT_NE(load_error(write("smoothing-zero.yaml", replaced(text, "within: 3s}", "within: 5s, smoothing: 0s}")))
                  .find("invariants[0].recovers.smoothing: must be positive"),
              std::string::npos);
}

// A rate that gives less than one arrival in the whole run loads and runs, with a warning that
// names the place and the likely slip of unit; the rate over all the workload's hosts counts, and
// so does a diurnal peak. 0 (held back on purpose) and the library's files get none.
TEST(Loader, ARateTooLowForOneArrivalIsAWarningWithItsPlace) {
    const auto warnings = [](const std::string& name, const std::string& text) {
        return faultline::spec_warnings(faultline::load_scenario_file(write(name, text)).spec);
    };
    EXPECT_TRUE(warnings("rate-fine.yaml", kBase).empty());
    const std::string hourly = write("rate-hourly.yaml", replaced(kBase, "rate: 100/s", "rate: 100/h"));
    const auto w = faultline::spec_warnings(faultline::load_scenario_file(hourly).spec);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_TRUE(w[0].starts_with(hourly + ":22:")) << w[0];  // the open_loop section, where the rate is (21 is the workload's hosts)
    EXPECT_NE(w[0].find("workloads.users.open_loop.rate 100/h per host gives 0.56 arrivals on average in the whole run (1 host, 20s)"),
              std::string::npos)
        << w[0];
    EXPECT_NE(w[0].find("(5/s, not 5/h)"), std::string::npos) << w[0];
    // Enough arrivals over the whole run: 100/h for 36s+ is one; many hosts; a diurnal peak.
    EXPECT_TRUE(warnings("rate-long.yaml", replaced(replaced(kBase, "rate: 100/s", "rate: 100/h"), "duration: 20s", "duration: 40s")).empty());
    EXPECT_TRUE(warnings("rate-hosts.yaml",
                         replaced(replaced(kBase, "rate: 100/s", "rate: 100/h"), "    hosts: clients\n", "    hosts: client-{1..2}\n"))
                    .empty());
    EXPECT_TRUE(warnings("rate-peak.yaml", replaced(kBase, "rate: 100/s", "rate: 100/h, diurnal: [1, 2]")).empty());
    // A ramp-up gives about half the rate while it climbs: 100/h over 40s is 1.1 arrivals, but with
    // a 20s ramp only 0.85 (20s * 0.525 + 20s of full rate).
    const auto ramped = warnings("rate-ramp.yaml", replaced(replaced(kBase, "rate: 100/s", "rate: 100/h, ramp_up: 20s"), "duration: 20s", "duration: 40s"));
    ASSERT_EQ(ramped.size(), 1u);
    EXPECT_NE(ramped[0].find("gives 0.85 arrivals on average in the whole run (1 host, 40s with its ramp-up)"), std::string::npos) << ramped[0];
    // Time before `start` has no arrivals.
    EXPECT_EQ(warnings("rate-late.yaml", replaced(replaced(kBase, "rate: 100/s", "rate: 100/h, start: 19s"), "duration: 20s", "duration: 40s"))
                  .size(),
              1u);
    EXPECT_TRUE(warnings("rate-zero.yaml", replaced(kBase, "rate: 100/s", "rate: 0/s")).empty());
    // Each rate in the unit it was likely written in, and the question that fits it: 10/s in a
    // 50ms run was shown as 36000/h and asked whether it meant /s.
    const auto per_second = warnings("rate-short.yaml",
                                     "duration: 50ms\nservices:\n  api:\n    hosts: api-1\nworkloads:\n  users:\n"
                                     "    hosts: clients\n    open_loop: {rate: 10/s}\n    call: {target: api}\n");
    ASSERT_EQ(per_second.size(), 1u);
    EXPECT_NE(per_second[0].find("rate 10/s per host gives 0.5 arrivals"), std::string::npos) << per_second[0];
    EXPECT_TRUE(per_second[0].ends_with("is the run long enough?")) << per_second[0];
    const auto per_minute = warnings("rate-minute.yaml", replaced(kBase, "rate: 100/s", "rate: 2/min"));
    ASSERT_EQ(per_minute.size(), 1u);
    EXPECT_NE(per_minute[0].find("rate 2/min per host gives 0.67 arrivals"), std::string::npos) << per_minute[0];
    EXPECT_TRUE(per_minute[0].ends_with("(5/s, not 5/min)?")) << per_minute[0];
    // A profile of zeros holds the workload back, not the rate's unit: the warning says which.
    const auto silent = warnings("rate-silent.yaml", replaced(kBase, "rate: 100/s", "rate: 100/s, diurnal: [0, 0]"));
    ASSERT_EQ(silent.size(), 1u);
    EXPECT_NE(silent[0].find("workloads.users.open_loop.diurnal is 0 at every hour: the workload sends nothing"),
              std::string::npos)
        << silent[0];
    EXPECT_EQ(silent[0].find("5/h"), std::string::npos) << silent[0];
    for (const std::string& name : faultline::library_scenarios()) {
        EXPECT_TRUE(faultline::spec_warnings(faultline::load_scenario_file(*faultline::library_scenario_path(name)).spec).empty()) << name;
    }
}

// Values at the edges of their types, found by sweeping every numeric key of the library with
// them: each used to crash (abort, segfault, bad_alloc), hang, or be silently misread. Each is
// now one error at load time, naming the setting; the same key in range still loads.
TEST(Loader, ValuesAtTheEdgesOfTheirTypesAreErrorsNotCrashes) {
    const std::string stores = "stores:\n  kv:\n    design: lww\n    replicas: [kv-1, kv-2]\n    clients: {hosts: [c-1]}\n"
                               "nemesis:\n  faults:\n    - {kind: crash, rate: 1/min, targets: [api-1]}\nfaults:\n";
    const std::string recovers = "    recovers: {metric: users.ok, baseline_from: 2s, baseline_to: 4s, after: 5s, within: 10s}\n"
                                 "  - name: the replicas converge\n    converges: {store: kv}\n";
    const std::string base = write("edges.yaml", replaced(replaced(kBase, "faults:\n", stores),
                                                          "    slo: {metric: users.latency, quantile: 0.99, max: 1s, from: 0s, to: 20s}\n", recovers));
    ASSERT_EQ(load_error(base), "");
    // Each bad value used to crash or be misread.
    check_edges(base, {
        // 20 billion samples of every metric: memory without bound.
        {"metrics_interval", "1ns", "metrics_interval: 1ns samples the 20s run 20000000000 times; at most 1000000 (make it 20us or more)",
         "20us"},
        // Misread: 19 * 10^18 wrapped past 2^64 into a probability of 0.55.
        {"network.loss", "19.000000000000000000", "network.loss: '19.000000000000000000' is not a ratio", "1.000000000000000000"},
        {"network.loss", "100.00000000000000001%", "too many decimal places", "100%"},
        {"network.loss", "100.0000000000000001%", "a probability cannot exceed 1", "100.0000000000000000%"},
        // A pool of no connections asserted; of 2^32 ran out of memory.
        {"services.api.calls.0.pool.connections_max", "0", "services.api.calls[0].pool.connections_max: must be between 1 and 100000", "1"},
        {"services.api.calls.0.pool.connections_max", "4294967296", "must be between 1 and 100000", "100000"},
        // Uniform over no keys asserted; Zipf over more than 2^53 aborted.
        {"workloads.users.open_loop.keys", "uniform(0)", "keys must be between 1 and 2^53", "uniform(1)"},
        {"workloads.users.open_loop.keys", "zipf(9007199254740993, 1)", "keys must be between 1 and 2^53", "zipf(9007199254740992, 1)"},
        {"workloads.users.open_loop.keys", "zipf(10, 1e308)", "EXPONENT must be between 0 (uniform) and 100", "zipf(10, 100)"},
        // zipf(N, 0) was refused ("must be positive") while zipf_s: 0 is uniform popularity.
        {"workloads.users.open_loop.keys", "zipf(10, -1)", "EXPONENT must be between 0 (uniform) and 100", "zipf(10, 0)"},
        // after + within overflowed, and the judgement was scheduled in the past (an assertion).
        {"invariants.0.recovers.after", "9223372036854775807ns", "invariants[0].recovers: after + within must end before the run does", "6s"},
        {"invariants.0.recovers.within", "9223372036854775807ns", "invariants[0].recovers: after + within must end before the run does", "14s"},
        // An outbox of 0 popped from an empty deque (a segfault); no keys asserted.
        {"stores.kv.regional.outbox_max", "0", "stores.kv.regional.outbox_max: must be at least 1", "1"},
        {"stores.kv.regional.siblings_max", "0", "stores.kv.regional.siblings_max: must be at least 1", "1"},
        {"stores.kv.clients.keys", "0", "stores.kv.clients.keys: must be at least 1", "1"},
        {"stores.kv.request_timeout", "0ns", "stores.kv.request_timeout: must be positive", "1ns"},
        // A period of 1ns ran to the event limit: a task waking a billion times a simulated second.
        {"stores.kv.fsync_interval", "1ns", "stores.kv.fsync_interval: must be at least 1ms, got 1ns", "1ms"},
        {"stores.kv.fsync_interval", "999us", "stores.kv.fsync_interval: must be at least 1ms, got 999us", "0s"},
        {"stores.kv.anti_entropy_interval", "1ns", "stores.kv.anti_entropy_interval: must be at least 1ms, got 1ns", "0s"},
        {"stores.kv.primary_backup.heartbeat_interval", "1ns", "stores.kv.primary_backup.heartbeat_interval: must be at least 1ms", "1ms"},
        {"services.api.calls.0.pool.keepalive_interval", "1ns", "services.api.calls[0].pool.keepalive_interval: must be at least 1ms", "0s"},
        // 100,000 replicas exhausted memory (a shipper per pair of replicas in most designs).
        {"stores.kv.replicas", "[\"kv-{1..100000}\"]", "stores.kv.replicas: names 100000 hosts; a store has at most 500", "[\"kv-{1..500}\"]"},
        {"stores.kv.replicas", "[\"kv-{1..2}\", \"kv-{3..501}\"]", "stores.kv.replicas: names 501 hosts", "[kv-1, kv-2]"},
        // The nemesis plan is drawn before the run: at 1e18/s it never ended; 1e308/ms is infinite.
        {"nemesis.faults.0.rate", "1e18/s", "nemesis.faults[0].rate: 1e+18/s plans about 9e+18 faults between 5s and 14s; at most 100000", "10000/s"},
        {"nemesis.faults.0.rate", "1e308/ms", "nemesis.faults[0].rate: '1e308/ms' is not a rate like 5000/s: too large", "1/ms"},
        {"nemesis.quiet_at", "106751h", "nemesis.quiet_at: after the end of the run (20s)", "20s"},
        // A start past the unwritten quiet_at was reported at nemesis.quiet_at, a key the file does not have.
        {"nemesis.start", "15s", "(--set): nemesis.start: must come before nemesis.quiet_at, which is 14s (unwritten: 70% of the run); it is 15s", "13s"},
        {"nemesis.quiet_at", "4s", "(--set): nemesis.quiet_at: must come after nemesis.start (5s); it is 4s", "6s"},
        // Two ranges multiply: 10^10 names were expanded (a hang) before anything was checked.
        {"services.api.hosts", "api-{1..100000}-{1..100000}", "services.api.hosts: 'api-{1..100000}-{1..100000}' is not a host name (write names or ranges like app-{1..4}, at most 100000 hosts)",
         "api-{1..1000}"},
        // A list through --set (it was always "not a number"), and its multipliers checked: -1 ran
        // at a negative rate, 1e308 until the event limit.
        {"workloads.users.open_loop.diurnal", "[1, -1]", "workloads.users.open_loop.diurnal: multipliers must be between 0 and 1000", "[1, 0, 2.5]"},
        {"workloads.users.open_loop.diurnal", "[1e308]", "workloads.users.open_loop.diurnal: multipliers must be between 0 and 1000", "[1000]"},
        // Silently written as 1 MiB.
        {"services.api.disk_write_bytes", "1048577", "services.api.disk_write_bytes: must be at most 1048576 (1 MiB per request)", "1048576"},
        // Not a crash, but the path lacked the checker's name ("invariants[1].at").
        {"invariants.1.converges.at", "21s", "invariants[1].converges.at: after the end of the run", "20s"},
    });
}

// write_ratio is a share like the other ratios: "10%" (as the docs write it) reads, and a
// negative or above-1 share is an error instead of "never" or "always".
TEST(Loader, AWriteRatioIsARatio) {
    const std::string path = write("write-ratio.yaml", replaced(kBase, "keys: uniform(1000)}", "keys: {keys: 1000, write_ratio: 10%}}"));
    ASSERT_EQ(load_error(path), "");
    EXPECT_EQ(faultline::load_spec(path).workloads.at("users").open_loop->keys.write_ratio, (sim::Ratio{1, 10}));
    const std::string over = load_error(write("write-ratio-over.yaml", replaced(kBase, "keys: uniform(1000)}", "keys: {keys: 1000, write_ratio: 1.5}}")));
    EXPECT_NE(over.find("write_ratio: '1.5' is not a ratio like 1/1000, 0.1% or 0.25: a probability cannot exceed 1"), std::string::npos) << over;
    const std::string none = load_error(write("keys-none.yaml", replaced(kBase, "keys: uniform(1000)}", "keys: {keys: 0}}")));
    EXPECT_NE(none.find("workloads.users.open_loop.keys.keys: must be between 1 and 2^53"), std::string::npos) << none;
    const std::string negative = load_error(write("zipf-negative.yaml", replaced(kBase, "keys: uniform(1000)}", "keys: {zipf_s: -1}}")));
    EXPECT_NE(negative.find("workloads.users.open_loop.keys.zipf_s: must be between 0 (uniform) and 100"), std::string::npos) << negative;
}

// The hint is only for an entry named like a setting of its kind: a service called 'frontend'
// that fails is just a failing service.
TEST(Loader, TheIndentationHintNeedsANameThatIsASetting) {
    const std::string path = write("not-a-setting.yaml", replaced(kBase, "retry: {attempts_max: 2}}\n", "retry: {attempts_max: 2}}\n  frontend: {workers_max: 2}\n"));
    const std::string error = load_error(path);
    EXPECT_NE(error.find("services.frontend: unknown key 'workers_max'"), std::string::npos) << error;
    EXPECT_EQ(error.find("indented"), std::string::npos) << error;
}

TEST(Loader, EveryBadFileIsOneErrorWithFileLineAndColumn) {
    int i = 0;
    for (const BadCase& c : kBadCases) {
        SCOPED_TRACE(c.what);
        const std::string path = write("bad-" + std::to_string(i++) + ".yaml", replaced(kBase, c.from, c.to));
        const std::string variant = std::string(c.from).starts_with("services.api.queue") ? "bigger" : "";
        const std::string error = load_error(path, variant);
        ASSERT_FALSE(error.empty()) << "loaded without complaint";
        EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
        const std::string prefix = path + ":" + (c.line > 0 ? std::to_string(c.line) + ":" : "");
        EXPECT_TRUE(error.starts_with(prefix)) << "expected '" << prefix << "...', got: " << error;
        if (c.line == 0) {
            const std::string rest = error.substr(path.size() + 1);
            EXPECT_TRUE(!rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0]))) << "no line number: " << error;
        }
        EXPECT_NE(error.find(c.says), std::string::npos) << "expected it to say '" << c.says << "', got: " << error;
        for (const char* twice : {"an integer: not an integer", "a number: not a number", "true or false: expected true or false"}) {
            EXPECT_EQ(error.find(twice), std::string::npos) << "says it twice: " << error;
        }
    }
}

// The checks for keys written twice and quotes never closed read the document as yaml-cpp parsed
// it: a collection repeated by an alias holds its keys once, and a quote the text scan takes for
// an open one but yaml-cpp reads as part of a plain value is no error.
TEST(Loader, AliasesAndQuotesInsidePlainValuesAreNotMistakes) {
    const std::string aliased = replaced(kBase, "    queue: {workers_max: 8, queue_max: 64}\n", "    queue: &q {workers_max: 8, queue_max: 64}\n");
    EXPECT_EQ(load_error(write("alias-once.yaml", replaced(aliased, "  db:\n", "  db:\n    executors: *q\n"))), "");
    const std::string plain = replaced(kBase, "hypothesis: it loads\n", "hypothesis: it loads\n  'as plain text\n");
    EXPECT_EQ(load_error(write("quote-in-plain.yaml", plain)), "");
    // The same quote where a value starts is one.
    const std::string open = replaced(kBase, "hypothesis: it loads\n", "hypothesis: 'it loads\n");
    const std::string error = load_error(write("quote-open.yaml", open));
    EXPECT_NE(error.find(":3:13: hypothesis: this quote is never closed"), std::string::npos) << error;
}

// Aliases of aliases: 40 levels, each a list of two aliases of the level below, would be 2^40
// nodes to a walk that followed every alias. Each collection is walked once: the file is an
// error about its first unknown key, at once.
TEST(Loader, AnAliasBombIsAnErrorNotAHang) {
    std::string text = "name: bomb\nl0: &l0 [x, y]\n";
    for (int i = 1; i < 40; ++i) text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + "]\n";
    const std::string error = load_error(write("alias-bomb.yaml", text));
    EXPECT_NE(error.find(":2:1: unknown key 'l0'"), std::string::npos) << error;
}

// Found by mutation: the invariant names a workload that is not there, which is found after the
// world's hosts and their caches were built; tearing that half-built world down used to crash.
TEST(Loader, AWorldThatFailsAfterItsCachesWereBuiltIsAnErrorNotACrash) {
    std::string text = replaced(kBase, "    cpu: exponential(2ms)\n", "    cpu: exponential(2ms)\n    cache: {ttl: 10s}\n");
    text = replaced(text, "  users:\n", "  ers:\n");
    const std::string path = write("half-built.yaml", text);
    const std::string error = load_error(path);
    EXPECT_TRUE(error.starts_with(path + ":29:")) << error;
    EXPECT_NE(error.find("users.latency"), std::string::npos) << error;
}

// An unquoted "lognormal(40ms, 0.2)" inside {...} is cut at the comma: only there does the error
// say so. In a block mapping the same unclosed '(' is simply unclosed.
TEST(Loader, TheCommaHintAppearsOnlyWhereACommaEndsAValue) {
    const std::string hint = "a comma ends a value";
    const std::string in_flow = write("comma-flow.yaml", replaced(kBase, "timeout: 500ms,", "timeout: exponential(500ms, 2),"));
    std::string error = load_error(in_flow);
    EXPECT_TRUE(error.starts_with(in_flow + ":14:")) << error;
    EXPECT_NE(error.find(hint), std::string::npos) << error;
    const std::string in_block = write("comma-block.yaml", replaced(kBase, "  latency: fixed(1ms)\n", "  latency: lognormal(1ms, 0.3\n"));
    error = load_error(in_block);
    EXPECT_TRUE(error.starts_with(in_block + ":7:")) << error;
    EXPECT_NE(error.find("missing ')'"), std::string::npos) << error;
    EXPECT_EQ(error.find(hint), std::string::npos) << error;
    // A key popularity's shorthand is cut the same way, and says so the same way.
    const std::string keys =
        write("comma-keys.yaml", replaced(kBase, "keys: uniform(1000)}", "keys: zipf(1000, 0.99)}"));
    error = load_error(keys);
    EXPECT_NE(error.find("'zipf(1000': expected zipf(KEYS, EXPONENT), uniform(KEYS) or a mapping"), std::string::npos)
        << error;
    EXPECT_NE(error.find("(inside {...} or [...] a comma ends a value: quote it, \"zipf(10000, 0.99)\")"),
              std::string::npos)
        << error;
    EXPECT_EQ(load_error(write("comma-keys-quoted.yaml",
                               replaced(kBase, "keys: uniform(1000)}", "keys: \"zipf(1000, 0.99)\"}"))),
              "");
}

// A memory limit at or below the idle footprint kills the database at its first connection: the
// file's mistake, refused where it is written.
TEST(Loader, ADatabaseMemoryLimitBelowItsIdleFootprintIsRefused) {
    const std::string low = write(
        "memory-low.yaml", replaced(kBase, "    connections_max: 50\n",
                                    "    connections_max: 50\n    memory_base_mb: 256\n    memory_max_mb: 100\n"));
    const std::string error = load_error(low);
    EXPECT_TRUE(error.starts_with(low + ":")) << error;
    EXPECT_NE(
        error.find("databases.db.memory_max_mb: is 100, below memory_base_mb + memory_per_connection_mb (260): the "
                   "database would die of its first connection; raise it, or 0 for no limit"),
        std::string::npos)
        << error;
    EXPECT_EQ(load_error(write("memory-ok.yaml",
                               replaced(kBase, "    connections_max: 50\n",
                                        "    connections_max: 50\n    memory_base_mb: 256\n    memory_max_mb: 512\n"))),
              "");
    for (const char* key : {"memory_base_mb", "memory_per_connection_mb"}) {
        const std::string negative =
            load_error(write(std::string(key) + "-negative.yaml",
                             replaced(kBase, "    connections_max: 50\n",
                                      "    connections_max: 50\n    " + std::string(key) + ": -4\n")));
        EXPECT_NE(negative.find("databases.db." + std::string(key) + ": cannot be negative"), std::string::npos)
            << negative;
    }
    EXPECT_EQ(load_error(write("memory-none.yaml", replaced(kBase, "    connections_max: 50\n",
                                                            "    connections_max: 50\n    memory_max_mb: 0\n"))),
              "");
}

TEST(Loader, FilesThatAreNotScenariosAreRejectedWithTheirName) {
    for (const std::string text : {"", "just a string\n", "- a\n- list\n", "name: [unterminated\n", "{}\n"}) {
        SCOPED_TRACE(text);
        const std::string path = write("odd.yaml", text);
        const std::string error = load_error(path);
        EXPECT_TRUE(error.starts_with(path)) << error;
    }
    const std::string missing = temp_path("does-not-exist.yaml");
    EXPECT_TRUE(load_error(missing).starts_with(missing));
}

// ---- mutations of the library's files ------------------------------------------------------------

std::vector<std::string> library_texts() {
    std::vector<std::string> out;
    out.push_back(kBase);
    for (const std::string& name : faultline::library_scenarios()) {
        std::ifstream in(*faultline::library_scenario_path(name), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        out.push_back(s.str());
    }
    return out;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

// Tokens that make plausible mistakes: YAML punctuation, units, numbers at the edges.
const std::vector<std::string> kTokens = {":", "{", "}", "[", "]", ",", "-", "#", "\"", "'", " ", "\n", "\t", "&a", "*a",
                                          "!!int", "0", "-1", "1e309", "99999999999999999999", "ms", "/s", "%", "..",
                                          "null", "~", "true", "zipf(", ")", "api-{1..", "|", ">"};

RC_GTEST_PROP(Loader, MutatedLibraryFilesLoadOrFailWithALocationButNeverCrash, ()) {
    static const std::vector<std::string> texts = library_texts();
    static const std::string path = temp_path("mutant.yaml");
    {
        const std::string& original = *rc::gen::elementOf(texts);
        auto lines = split_lines(original);
        const int edits = *rc::gen::inRange(1, 4);
        for (int e = 0; e < edits && !lines.empty(); ++e) {
            const std::size_t at = *rc::gen::inRange<std::size_t>(0, lines.size());
            switch (*rc::gen::inRange(0, 6)) {
                case 0:  // delete a line
                    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(at));
                    break;
                case 1:  // duplicate a line (duplicate keys, repeated list items)
                    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), lines[at]);
                    break;
                case 2: {  // insert a token inside a line
                    std::string& l = lines[at];
                    const std::size_t pos = *rc::gen::inRange<std::size_t>(0, l.size() + 1);
                    l.insert(pos, *rc::gen::elementOf(kTokens));
                    break;
                }
                case 3: {  // delete a few characters
                    std::string& l = lines[at];
                    if (l.empty()) break;
                    const std::size_t pos = *rc::gen::inRange<std::size_t>(0, l.size());
                    l.erase(pos, *rc::gen::inRange<std::size_t>(1, 4));
                    break;
                }
                case 4: {  // replace the value after a colon
                    std::string& l = lines[at];
                    const auto colon = l.find(": ");
                    if (colon == std::string::npos) break;
                    l = l.substr(0, colon + 2) + *rc::gen::elementOf(kTokens);
                    break;
                }
                default: {  // swap with another line (indentation in the wrong place)
                    const std::size_t other = *rc::gen::inRange<std::size_t>(0, lines.size());
                    std::swap(lines[at], lines[other]);
                    break;
                }
            }
        }
        {
            std::ofstream(path, std::ios::binary | std::ios::trunc) << join_lines(lines);
        }
        try {
            faultline::load_scenario_file(path);
        } catch (const faultline::SpecError& e) {
            const std::string what = e.what();
            RC_ASSERT(what.starts_with(path));
            RC_ASSERT(what.find('\n') == std::string::npos);
            // A location inside the file whenever the file was readable at all.
            RC_ASSERT(e.where.line >= 1);
            RC_ASSERT(e.where.line <= static_cast<int>(lines.size()) + 1);
        }
        // Any other exception escapes the property as a failure (and a crash fails the test).
    }
}

}  // namespace

namespace {

// docs/scenario-language.md's reference table is `faultline list --keys`: every key the reader
// knows is in it (regenerate it with scripts/scenario-keys.sh after adding one).
TEST(Loader, TheLanguageReferenceNamesEveryKey) {
    std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/docs/scenario-language.md");
    std::stringstream s;
    s << in.rdbuf();
    const std::string doc = s.str();
    faultline::ScenarioSpec spec;
    const auto keys = faultline::list_keys(spec);
    EXPECT_GT(keys.size(), 100u);
    for (const faultline::KeyInfo& k : keys) {
        EXPECT_NE(doc.find("| `" + k.path + "` |"), std::string::npos) << k.path << " is missing from the reference";
    }
}

// The reference's first example is a whole file: it must load as printed (it once fell into the
// comma trap the same page warns of, and linked a region no host was in).
TEST(Loader, TheLanguageReferencesWholeFileLoads) {
    std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/docs/scenario-language.md");
    std::stringstream s;
    s << in.rdbuf();
    const std::string doc = s.str();
    const std::size_t section = doc.find("## A whole file");
    ASSERT_NE(section, std::string::npos);
    const std::size_t start = doc.find("```yaml\n", section);
    ASSERT_NE(start, std::string::npos);
    const std::size_t end = doc.find("```", start + 8);
    const std::string path = write("whole-file-example.yaml", doc.substr(start + 8, end - start - 8));
    EXPECT_EQ(load_error(path), "");
    EXPECT_EQ(load_error(path, "least-outstanding"), "");
}

}  // namespace

// Settings that loaded and then crashed, hung or ran without end, or quietly did nothing: each is
// now one error naming the setting, and the value next to it loads.
TEST(Loader, SettingsThatCrashedOrRanWithoutEndAreErrors) {
    const std::string more =
        "  batch:\n    hosts: b-{1..10}\n    closed_loop: {clients: 2}\n    call: {target: api, timeout: 1s}\n"
        "stores:\n  kv:\n    design: lww\n    replicas: [kv-1, kv-2]\n    clients: {hosts: [c-1], home: kv-1}\n"
        "groups:\n  frontends: [api-1, api-2]\n"
        "faults:\n"
        "  - {at: 5s, kind: burst, targets: [clients], params: {requests: 10}}\n"
        "  - {at: 6s, duration: 1s, kind: load_spike, targets: [clients], params: {factor: 2}}\n"
        "  - {at: 7s, duration: 1s, kind: clock_drift, targets: [api-1], params: {ppm: 100}}\n"
        "  - {at: 8s, duration: 2s, kind: bad_deploy, targets: [api-2], params: {crash_after: 1s, restart_delay: 0s}}\n";
    const std::string invariants =
        "    slo: {metric: users.latency, quantile: 0.99, max: 1s, from: 0s, to: 20s}\n"
        "  - name: few errors\n    always: {metric: users.ok, max: 1000000}\n"
        "  - name: goodput recovers\n    recovers: {metric: users.ok, baseline_from: 2s, baseline_to: 4s, after: 5s, within: 10s}\n";
    const std::string text = replaced(replaced(replaced(kBase, "faults:\n  - {at: 5s, duration: 5s, kind: crash, targets: [api-1]}\n", more),
                                                     "    slo: {metric: users.latency, quantile: 0.99, max: 1s, from: 0s, to: 20s}\n", invariants),
                                            "expect: {verdict: pass}\n", "expect: {verdict: fail, failure: goodput recovers}\n");
    const std::string base = write("crashed-settings.yaml", text);
    ASSERT_EQ(load_error(base), "");
    check_edges(
        base,
        {
            // A segfault: the recovery check read a histogram's missing series.
            {"invariants.2.recovers.metric", "users.latency",
             "invariants[2].recovers.metric: 'users.latency' is a latency histogram; this invariant needs a counter",
             "users.ok"},
            // "no metric 'users.latency' (users has: ..., users.latency, ...)".
            {"invariants.1.always.metric", "users.latency",
             "invariants[1].always.metric: 'users.latency' is a latency histogram; this invariant needs",
             "users.offered"},
            // 10^12 requests at one instant outran the event limit (hours, gigabytes).
            {"faults.0.params.requests", "1000000000000",
             "fault 'burst' parameter 'requests': '1000000000000': must be from 1 to 1000000", "1000000"},
            // A negative rate, and one past any limit, asserted or ran until the event limit.
            {"faults.1.params.factor", "-1", "fault 'load_spike' parameter 'factor': '-1': must be from 0 to 1000",
             "0"},
            {"faults.1.params.factor", "1e308", "must be from 0 to 1000", "1000"},
            // A mapping in flow style, as a file writes it ("expected a mapping of names, got a value").
            {"faults.1.params", "{factor: -1}", "fault 'load_spike' parameter 'factor': '-1': must be from 0 to 1000",
             "{factor: 3}"},
            // A spike aimed at a service did nothing, without a word.
            {"faults.1.targets.0", "api-1",
             "fault 'load_spike': no open-loop workload runs on 'api-1' (open-loop workloads: users on clients)",
             "clients"},
            {"faults.0.targets.0", "frontends", "fault 'burst': no open-loop workload runs on 'frontends'", "clients"},
            // A clock running backwards (or 10^302 times fast) asserted in the model.
            {"faults.2.params.ppm", "-1000000",
             "fault 'clock_drift' parameter 'ppm': '-1000000': must be from -500000 to 500000", "-500000"},
            // Crash and boot at one instant, forever, or a nanosecond apart (minutes to the event limit).
            {"faults.3.params.crash_after", "0s", "fault 'bad_deploy': crash_after + restart_delay is 0ns, under 1ms",
             "1ms"},
            {"faults.3.params.crash_after", "1ns", "fault 'bad_deploy': crash_after + restart_delay is 1ns, under 1ms",
             "1ms"},
            // Two replicas on one host asserted; a home that is no replica was an internal error.
            {"stores.kv.replicas", "[kv-1, kv-1]", "stores.kv.replicas: 'kv-1' is named twice", "[kv-1, kv-3]"},
            {"stores.kv.clients.home", "kv-9",
             "stores.kv.clients.home: 'kv-9' is not one of the store's replicas (did you mean 'kv-1'?)", "kv-2"},
            // The top-level expectation was checked, a variant's was not; a failure naming no invariant was accepted.
            {"variants.bigger.expect.verdict", "maybe", "variants.bigger.expect.verdict: must be pass, fail or runaway",
             "fail"},
            {"expect.failure", "goodput recover",
             "expect.failure: no invariant is named 'goodput recover' (did you mean 'goodput recovers'?)",
             "few errors"},
            // i++ past the largest long never ended (and took all memory on the way).
            {"databases.db.hosts", "db-{9223372036854775800..9223372036854775807}", "",
             "db-{9223372036854775800..9223372036854775807}"},
            {"databases.db.hosts", "db-{-9223372036854775808..9223372036854775807}", "is not a host name", "db-1"},
            // Accepted in a file, refused as --events-max 0.
            {"limits.events_max", "0", "limits.events_max: must be at least 1", "1"},
            // Accepted, and then every request was dropped at the client.
            {"workloads.users.open_loop.inflight_max", "0",
             "open_loop.inflight_max: must be at least 1 (with 0 every request is dropped", "1"},
            // Accepted in silence: a workload that starts when the run is over sends nothing.
            {"workloads.users.open_loop.start", "20s",
             "workloads.users.open_loop.start: at or after the end of the run", "19s"},
            {"workloads.batch.closed_loop.start", "25s",
             "workloads.batch.closed_loop.start: at or after the end of the run", "1s"},
            {"stores.kv.clients.stop", "25s", "stores.kv.clients.stop: after the end of the run", "20s"},
            // A window of 0 heals as it opens.
            {"faults.1.duration", "0s", "faults[1].duration: 0 heals the fault at the instant it is injected", "1s"},
            // A fault without its kind.
            {"faults.0.kind", "", "faults[0].kind: a fault needs a kind (one of: ", "burst"},
        });
    // A bracket without its pair was read as if it were there.
    for (const char* path : {"faults[0.at", "faults.0].at", "faults[[0]].at"}) {
        std::string error;
        EXPECT_EQ(faultline::load_scenario_file(base).info->make({{path, "5s"}}, error), nullptr) << path;
        EXPECT_NE(error.find(std::string(path) + ": unbalanced '[' or ']'"), std::string::npos) << error;
    }
    // A group named like a host.
    const std::string shadow = load_error(write("group-shadows-host.yaml", replaced(text, "  frontends: [api-1, api-2]\n", "  api-1: [db-1]\n")));
    EXPECT_NE(shadow.find("groups.api-1: 'api-1' is already a host's name"), std::string::npos) << shadow;
    // A group may name another group, in either order (it was "no host or group matches 'frontends'"
    // for a group of the section); in a circle it is an error; a glob character cannot name one.
    for (const char* groups : {"  frontends: [api-1, api-2]\n  all: [frontends, db-1]\n",
                               "  all: [frontends, db-1]\n  frontends: [api-1, api-2]\n"}) {
        EXPECT_EQ(load_error(write("group-of-groups.yaml", replaced(text, "  frontends: [api-1, api-2]\n", groups))),
                  "")
            << groups;
    }
    const std::string circle =
        load_error(write("group-circle.yaml",
                         replaced(text, "  frontends: [api-1, api-2]\n", "  frontends: [all]\n  all: [frontends]\n")));
    EXPECT_NE(circle.find("groups name each other in a circle (all -> frontends -> all)"), std::string::npos) << circle;
    const std::string star =
        load_error(write("group-star.yaml", replaced(text, "  frontends: [api-1, api-2]\n", "  \"*\": [api-1]\n")));
    EXPECT_NE(star.find("a group's name cannot hold '*'"), std::string::npos) << star;
    // An empty group; retries asked for with nothing to retry on.
    EXPECT_NE(
        load_error(write("group-empty.yaml", replaced(text, "  frontends: [api-1, api-2]\n", "  frontends: []\n")))
            .find("groups.frontends: an empty group"),
        std::string::npos);
    std::string retry_error;
    EXPECT_EQ(faultline::load_scenario_file(base).info->make(
                  {{"workloads.users.call.retry.attempts_max", "3"}, {"workloads.users.call.retry.retry_on", ""}},
                  retry_error),
              nullptr);
    EXPECT_NE(retry_error.find("retry.retry_on: is empty, so none of the 3 attempts would be retried"),
              std::string::npos)
        << retry_error;
    // A store's checkers need its clients' history: with none they passed having checked nothing.
    const std::string no_clients =
        load_error(write("store-no-clients.yaml",
                         "duration: 10s\nstores:\n  kv: {design: quorum, replicas: [\"kv-{1..3}\"]}\ninvariants:\n  - "
                         "name: lost\n    no_lost_writes: {store: kv}\n"));
    EXPECT_NE(no_clients.find("invariants[0].no_lost_writes.store: store 'kv' has no clients"), std::string::npos)
        << no_clients;
    // A group may name a store's replicas and clients (they did not exist yet when groups were made).
    EXPECT_EQ(load_error(write("group-store.yaml", replaced(text, "  frontends: [api-1, api-2]\n",
                                                            "  frontends: [api-1, api-2]\n  near: [kv-1, c-1]\n"))),
              "");
    // A host name with a space reads as two names wherever targets are listed.
    const std::string spaced = load_error(write("host-space.yaml", replaced(text, "hosts: [c-1]", "hosts: [\"c 1\"]")));
    EXPECT_NE(spaced.find("stores.kv.clients.hosts: 'c 1' is not a host name: a name has no spaces"), std::string::npos)
        << spaced;
    // Closed-loop clients count over the workload's hosts: 10 hosts of 100,001 are 1,000,010 processes (4.4 GB).
    std::string many;
    EXPECT_EQ(faultline::load_scenario_file(base).info->make({{"workloads.batch.closed_loop.clients", "100001"}}, many), nullptr);
    EXPECT_NE(many.find("100001 on each of 10 hosts is 1000010 simulated processes; at most 1,000,000 in all"), std::string::npos) << many;
}

// Settings that loaded and then made a run that tested nothing (a nemesis that may open no
// window, a flush of hosts with no cache) or judged what the writer could not have meant (a bound
// no value meets, a deadline at time zero or after the run): each is one error naming the setting.
TEST(Loader, SettingsThatTestedNothingOrCouldNotHoldAreErrors) {
    const std::string text = replaced(
        replaced(replaced(kBase, "    cpu: exponential(2ms)\n", "    cpu: exponential(2ms)\n    cache: {entries_max: 100}\n"),
                 "  - {at: 5s, duration: 5s, kind: crash, targets: [api-1]}\n",
                 "  - {at: 5s, duration: 5s, kind: crash, targets: [api-1]}\n  - {at: 6s, kind: cache_flush, targets: [api-2]}\n"
                 "nemesis:\n  concurrent_max: 2\n  faults:\n    - {kind: crash, rate: 6/min, targets: [api-1, api-2]}\n"),
        "expect: {verdict: pass}\n",
        "  - name: bounded\n    always: {metric: users.inflight, min: 0, max: 500}\n"
        "  - name: served\n    eventually: {metric: users.ok, min: 1}\n"
        "expect: {verdict: pass}\n");
    const std::string path = write("tested-nothing.yaml", text);
    ASSERT_EQ(load_error(path), "");
    check_edges(path, {
        // 0 windows at once: every seed passed with faults_injected 0.
        {"nemesis.concurrent_max", "0", "nemesis.concurrent_max: must be at least 1 (with 0 no fault window could open", "1"},
        // The database has no cache: the flush was counted as injected and did nothing.
        {"faults.1.targets.0", "db-1", "faults[1]: fault 'cache_flush': no cache runs on 'db-1' (caches: api on api-1, ...)", "api"},
        // No value is in [500, 0]: the run failed at once, as if the system had.
        {"invariants.1.always.min", "501", "invariants[1].always: min (501) is above max (500): no value is within both", "500"},
        {"invariants.2.eventually.max", "0", "invariants[2].eventually: min (1) is above max (0)", "1"},
        // A deadline of 0s failed at the first event; one after the run was never reached as such.
        {"invariants.2.eventually.by", "0s", "invariants[2].eventually: by must be after the start", "1s"},
        {"invariants.2.eventually.by", "21s", "invariants[2].eventually.by: after the end of the run (20s)", "20s"},
    });
    // Unwritten, `by` is the end of the run (it was 0s: "did not hold by its deadline 0s").
    const auto loaded = faultline::load_scenario_file(path);
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    for (const auto& [min, verdict] : {std::pair{"1", sim::Verdict::pass}, std::pair{"1000000000", sim::Verdict::fail}}) {
        auto run = faultline::run_scenario(*loaded.info, {{"invariants.2.eventually.min", min}, {"faults", "[]"}}, settings, error);
        ASSERT_TRUE(run) << error;
        EXPECT_EQ(run->result.verdict, verdict) << min;
        if (verdict == sim::Verdict::fail) {
            ASSERT_TRUE(run->result.failure);
            EXPECT_NE(run->result.failure->message.find("by its deadline 20s"), std::string::npos) << run->result.failure->message;
        }
    }
    // Two invariants of one name: a failure of either would be the same finding.
    check_edges(path, {{"invariants.2.name", "bounded", "invariants[2].name: 'bounded' is already the name of invariants[1]", "served"}});
    // The nemesis's candidates: a pattern is one, and the error says so.
    std::string one;
    EXPECT_EQ(loaded.info->make({{"nemesis.faults.0.kind", "partition"}, {"nemesis.faults.0.targets", "[\"api-{1..2}\"]"}}, one), nullptr);
    EXPECT_NE(one.find("'partition' needs at least 2 candidate targets, and 1 is listed (each entry is one candidate: a "
                       "pattern such as 'api-{1..2}' is one, whose hosts the fault hits all at once"),
              std::string::npos)
        << one;
}

// A name that a setting made wrong is found only when the world is built (a call's target, a
// fault's hosts, an invariant's metric). It is reported at the setting, as a value the reader
// refuses is, not at the file's line whose value the setting replaced; a mistake in the file is
// still reported at its line, whatever else is set. A host group's mistakes name its own line.
TEST(Loader, NamesASettingMadeWrongAreReportedAtTheSetting) {
    const std::string path = write("names-set.yaml", replaced(kBase, "faults:\n", "groups:\n  edge: [api-1]\nfaults:\n"));
    const auto info = faultline::load_scenario_file(path).info;
    auto error_of = [&](const std::vector<faultline::Override>& settings) {
        std::string error;
        EXPECT_EQ(info->make(settings, error), nullptr);
        return error;
    };
    for (const auto& [setting, says] : std::vector<std::pair<faultline::Override, std::string>>{
             {{"workloads.users.call.target", "apii"}, "(--set): workloads.users.call.target: call target 'apii' is not a service"},
             {{"services.api.calls.0.target", "dbb"}, "(--set): services.api.calls[0].target: call target 'dbb'"},
             {{"faults.0.targets", "[api-9]"}, "(--set): faults[0].targets: no host or group matches 'api-9'"},
             {{"faults[0].kind", "crsh"}, "(--set): faults[0].kind: unknown fault 'crsh' (did you mean 'crash'?)"},
             {{"faults.0.params.factor", "2"}, "(--set): faults[0].params.factor: fault 'crash' has no parameter 'factor'"},
             {{"invariants.0.slo.metric", "user.latency"}, "(--set): invariants[0].slo.metric: no latency histogram 'user.latency'"},
             {{"groups.edge", "[api-7]"}, "(--set): groups.edge: no host or group matches 'api-7'"},
         }) {
        const std::string error = error_of({setting});
        EXPECT_EQ(error.rfind(says, 0), 0u) << setting.path << ": " << error;
    }
    // The file's own mistakes keep their lines, even beside a setting of the same entry.
    const std::string file = write("names-file.yaml", replaced(replaced(kBase, "targets: [api-1]", "targets: [api-9]"), "faults:\n", "groups:\n  edge: [api-7]\nfaults:\n"));
    const std::string group = load_error(file);
    EXPECT_EQ(group.rfind(file + ":25:9: groups.edge: no host or group matches 'api-7'", 0), 0u) << group;
    const std::string target = load_error(write("names-target.yaml", replaced(kBase, "targets: [api-1]", "targets: [api-9]")));
    EXPECT_NE(target.find(":25:50: faults[0].targets: no host or group matches 'api-9' (did you mean 'api-1'?)"),
              std::string::npos)
        << target;
    std::string beside;
    EXPECT_EQ(faultline::load_scenario_file(path).info->make({{"faults.0.at", "6s"}, {"invariants.0.slo.metric", "user.latency"}}, beside), nullptr);
    EXPECT_NE(beside.find("(--set): invariants[0].slo.metric"), std::string::npos) << beside;
    // A variant that names what does not exist is reported at its setting, as a variant's bad value is.
    const std::string variant_file =
        write("names-variant.yaml", std::string(kBase) + "  broken:\n    description: a target that is not there\n    set: {workloads.users.call.target: apii}\n");
    const std::string variant = load_error(variant_file, "broken");
    EXPECT_NE(variant.find(":37:"), std::string::npos) << variant;
    EXPECT_NE(variant.find("workloads.users.call.target: call target 'apii' is not a service, database or model (did you mean 'api'?) (set by variant 'broken')"), std::string::npos)
        << variant;
    // ... also when another design is run: every variant of a file builds when it loads (it was
    // reported only when that variant ran, though its values were checked for every run).
    const std::string base = load_error(variant_file);
    EXPECT_NE(base.find(":37:"), std::string::npos) << base;
    EXPECT_NE(
        base.find(
            "call target 'apii' is not a service, database or model (did you mean 'api'?) (set by variant 'broken')"),
        std::string::npos)
        << base;
}

// A host range names hosts wherever a host pattern does: in a fault's targets and a link as in
// a component's hosts. Unquoted inside [...], YAML reads its '{' as a mapping: the error says so,
// at the range, rather than blaming a bracket.
// A service's or workload's errors are counted by kind, each counter made by its first error:
// such a name is read lazily (0 until then), but only for a component that counts errors and a
// kind there is; a wrong one is an error naming the form (the docs once said `users.errors`).
TEST(Loader, ErrorCountersAreNamedByKindAndOnlyForComponentsThatCountThem) {
    const std::string path =
        write("errors.yaml", replaced(kBase, "  - name: p99 under 1s\n", "  - name: few timeouts\n    always: {metric: users.errors.timeout, max: 1000}\n  - name: p99 under 1s\n"));
    ASSERT_EQ(load_error(path), "");
    check_edges(path, {{"invariants.0.always.metric", "users.errors", "no metric 'users.errors': errors are counted by kind, users.errors.KIND, KIND one of timeout, refused,", "api.errors.refused"},
                       {"invariants.0.always.metric", "users.errors.bogus", "no metric 'users.errors.bogus': errors are counted by kind", "users.errors.overloaded"},
                       {"invariants.0.always.metric", "nosuch.errors.timeout", "no metric 'nosuch.errors.timeout' (no component 'nosuch'", "users.errors.timeout"},
                       {"invariants.0.always.metric", "db.errors.timeout", "no metric 'db.errors.timeout'", "users.errors.timeout"},
                       {"invariants.0.always.metric", "users.okk", "did you mean 'users.ok'?", "users.ok"},
                       {"invariants.0.always.metric", "users.throughput", "users.inflight, users.errors.KIND)", "users.ok"}});
}

TEST(Loader, ARangeNamesHostsInFaultsAndLinksToo) {
    const std::string ranged = replaced(replaced(kBase, "targets: [api-1]", "targets: [\"api-{1..2}\"]"), "  latency: fixed(1ms)\n",
                                        "  latency: fixed(1ms)\n  links: [{from: \"api-{1..2}\", to: db-1, latency: fixed(5ms)}]\n");
    const std::string path = write("range-targets.yaml", ranged);
    ASSERT_EQ(load_error(path), "");
    // Both hosts crash: the run's trace has a crash of each.
    struct Crashes final : sim::TraceSink {
        std::vector<std::string> hosts;
        void record(const sim::TraceRecord& r) override {
            if (r.kind == "host.crash") hosts.emplace_back(r.host);
        }
    } crashes;
    faultline::RunSettings settings;
    settings.sink = &crashes;
    std::string error;
    auto run = faultline::run_scenario(*faultline::load_scenario_file(path).info, {}, settings, error);
    ASSERT_TRUE(run) << error;
    EXPECT_EQ(crashes.hosts, (std::vector<std::string>{"api-1", "api-2"}));
    const std::string past = load_error(write("range-past.yaml", replaced(ranged, "targets: [\"api-{1..2}\"]", "targets: [\"api-{1..3}\"]")));
    EXPECT_NE(past.find(":26:50: faults[0].targets: no host or group matches 'api-3' (of the range 'api-{1..3}')"),
              std::string::npos)
        << past;
    const std::string bare = load_error(write("range-bare.yaml", replaced(ranged, "targets: [\"api-{1..2}\"]", "targets: [api-{1..2}]")));
    EXPECT_NE(bare.find(":26:51: a host range like api-{1..2} inside [...] or {...} must be quoted"), std::string::npos) << bare;
}

TEST(Loader, TextThatIsNotUtf8IsRefusedAtItsLineAndColumn) {
    EXPECT_EQ(faultline::invalid_utf8_at("plain, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80"), std::nullopt);
    for (const auto& [text, at] : std::vector<std::pair<std::string, std::size_t>>{
             {"a\xFF", 1}, {"ab\xC3", 2}, {"\xC0\xAF", 0}, {"x\xE0\x80\xAF", 1}, {"\xED\xA0\x80", 0}, {"\xF4\x90\x80\x80", 0}, {"\x80", 0}}) {
        EXPECT_EQ(faultline::invalid_utf8_at(text), at) << text;
    }
    const std::string bad = load_error(write("latin1.yaml", replaced(kBase, "hypothesis: it loads\n", "hypothesis: it loads \xE9t\xE9\n")));
    EXPECT_NE(bad.find("latin1.yaml:3:22: not UTF-8 text (byte 0xE9)"), std::string::npos) << bad;
    // A control character is not text either: named at its own line (yaml-cpp said "unknown escape
    // character" followed by the raw byte, at a line past the end of the file).
    const std::string nul = load_error(
        write("nul.yaml", replaced(kBase, "hypothesis: it loads\n", std::string("hypothesis: it lo\0ads\n", 22))));
    EXPECT_NE(nul.find("nul.yaml:3:18: a control character (byte 0x00), which is not text"), std::string::npos) << nul;
    // In a comment, as YAML has it, a control character other than a NUL is passed over (a form
    // feed some editors leave); in a quoted value it is refused, '#' or not.
    EXPECT_EQ(
        load_error(write("ff.yaml", replaced(kBase, "hypothesis: it loads\n", "hypothesis: it loads # \f page\n"))),
        "");
    const std::string quoted = load_error(
        write("ff-quoted.yaml", replaced(kBase, "hypothesis: it loads\n", "hypothesis: \"it # \f loads\"\n")));
    EXPECT_NE(quoted.find("ff-quoted.yaml:3:19: a control character (byte 0x0C)"), std::string::npos) << quoted;
    const std::string percent =
        load_error(write("percent.yaml", replaced(kBase, "hypothesis: it loads\n", "hypothesis: %\n")));
    EXPECT_NE(percent.find("'@', '`' and '%' cannot start a key or a value in YAML"), std::string::npos) << percent;
    const faultline::LoadedScenario loaded = faultline::load_scenario_file(write("utf8-set.yaml", kBase));
    std::string error;
    EXPECT_EQ(loaded.info->make({{"hypothesis", "caf\xE9"}}, error), nullptr);
    EXPECT_NE(error.find("a setting that is not UTF-8 text"), std::string::npos) << error;
    EXPECT_EQ(loaded.info->make({{"hypothesis", "a\x01b"}}, error), nullptr);
    EXPECT_NE(error.find("hypothesis: a setting with a control character, which is not text"), std::string::npos)
        << error;
    EXPECT_NE(loaded.info->make({{"hypothesis", "caf\xC3\xA9"}}, error), nullptr) << error;
    // A scenario's name is not a setting: it was read, and shown nowhere.
    EXPECT_EQ(loaded.info->make({{"name", "other"}}, error), nullptr);
    EXPECT_NE(error.find("name: a scenario's name is not a setting"), std::string::npos) << error;
}

TEST(Loader, ASecondYamlDocumentIsAnErrorWhereItStarts) {
    const std::string two = load_error(write("two-documents.yaml", std::string(kBase) + "---\nname: ignored\nservices: {}\n"));
    EXPECT_NE(two.find("two-documents.yaml:35:1: a second YAML document starts here"), std::string::npos) << two;
    // An explicit start, and an empty document at the end, say nothing more.
    EXPECT_EQ(load_error(write("explicit-start.yaml", "# a comment\n---\n" + std::string(kBase) + "---\n")), "");
}

namespace {

// An error found where an item starts (an invariant's "- name:" line, a link's "- {") points at
// the field it names, where the file writes it; a variant's block of settings points at the
// setting the error is about, not the first one under the same section.
TEST(Loader, AnErrorPointsAtTheFieldItNames) {
    const std::string late = write("field-late.yaml", replaced(kBase, "to: 20s}", "to: 200s}"));
    EXPECT_EQ(load_error(late), late + ":28:73: invariants[0].slo.to: after the end of the run");
    std::string linked =
        replaced(kBase, "  latency: fixed(1ms)\n",
                 "  latency: fixed(1ms)\n  links:\n    - {from: api-1, to: nowhere, latency: fixed(2ms)}\n");
    const std::string link = write("field-link.yaml", linked);
    EXPECT_EQ(load_error(link), link + ":9:25: network.links[0].to: no host or group matches 'nowhere'");
    const std::string block =
        write("field-variant.yaml", replaced(kBase, "    set: {services.api.queue.workers_max: \"16\"}\n",
                                             "    set:\n      services.api.queue.workers_max: \"16\"\n"
                                             "      services.api.queue.queue_mx: \"9\"\n"));
    const std::string error = load_error(block, "bigger");
    EXPECT_TRUE(error.starts_with(block + ":36:7: services.api.queue: unknown key 'queue_mx'")) << error;
    // An empty value stays at its key: yaml-cpp marks it where the next line starts.
    const std::string empty = write("field-empty.yaml", replaced(kBase, "duration: 20s\n", "duration:\n"));
    EXPECT_TRUE(load_error(empty).starts_with(empty + ":4:")) << load_error(empty);
}

}  // namespace

namespace {

// A variant that leaves the base design's fault without its host: the error is at the fault's
// line (the file's), and says which design cannot have it, or the base design looks broken.
TEST(Loader, AnErrorOnlyAVariantMakesNamesTheVariant) {
    const std::string path =
        write("variant-breaks-base.yaml", replaced(kBase, "    set: {services.api.queue.workers_max: \"16\"}\n",
                                                   "    set: {services.api.hosts: api-9}\n"));
    const std::string error = load_error(path);
    EXPECT_TRUE(error.starts_with(path + ":25:")) << error;
    EXPECT_NE(error.find("faults[0].targets: no host or group matches 'api-1'"), std::string::npos) << error;
    EXPECT_TRUE(error.ends_with(" (in variant 'bigger')")) << error;
}

}  // namespace
