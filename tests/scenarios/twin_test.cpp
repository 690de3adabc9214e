// A scenario written in C++ (a ScenarioSpec filled in by hand) and its YAML twin are the same
// run: the same trace hash on every seed. The YAML layer only fills the typed structs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

using namespace std::chrono_literals;

const char* const kTwinYaml = R"yaml(name: twin
description: a cached service in front of a database; one cache host restarts
hypothesis: the same run as the C++ spec
duration: 30s
network:
  latency: lognormal(500us, 0.3)
services:
  api:
    hosts: api-{1..3}
    queue: {workers_max: 16, queue_max: 128}
    cpu: exponential(2ms)
    cache: {entries_max: 500, ttl: 10s, coalesce: true}
    calls:
      - target: db
        timeout: 200ms
        retry: {attempts_max: 3, backoff: exponential, backoff_base: 10ms, jitter: full}
databases:
  db:
    hosts: db-1
    connections_max: 64
    query: exponential(5ms)
workloads:
  users:
    hosts: client-{1..2}
    open_loop: {rate: 300/s, keys: "zipf(2000, 0.99)"}
    call: {target: api, timeout: 1s, lb: {policy: least_outstanding}}
faults:
  - {at: 10s, duration: 3s, kind: crash, targets: [api-2]}
  - {at: 15s, duration: 2s, kind: partition, targets: [api-3, db-1]}
invariants:
  - name: p99 under 500ms
    slo: {metric: users.latency, quantile: 0.99, max: 500ms, from: 20s, to: 30s}
)yaml";

faultline::ScenarioSpec twin_in_cpp() {
    faultline::ScenarioSpec spec;
    spec.name = "twin";
    spec.description = "a cached service in front of a database; one cache host restarts";
    spec.hypothesis = "the same run as the C++ spec";
    spec.duration = 30s;
    spec.network.latency = sim::Delay::lognormal(500us, 0.3);

    faultline::ServiceSpec api;
    api.hosts = "api-{1..3}";
    api.queue.workers_max = 16;
    api.queue.queue_max = 128;
    api.cpu = sim::Delay::exponential(2ms);
    api.cache.emplace();
    api.cache->entries_max = 500;
    api.cache->ttl = 10s;
    api.cache->coalesce = true;
    faultline::CallSpec to_db;
    to_db.target = "db";
    to_db.timeout = 200ms;
    to_db.retry.attempts_max = 3;
    to_db.retry.backoff = models::Backoff::exponential;
    to_db.retry.backoff_base = 10ms;
    to_db.retry.jitter = models::Jitter::full;
    api.calls.push_back(to_db);
    spec.services["api"] = api;

    faultline::DatabaseSpec db;
    db.hosts = "db-1";
    db.options.connections_max = 64;
    db.options.query = sim::Delay::exponential(5ms);
    spec.databases["db"] = db;

    faultline::WorkloadSpec users;
    users.hosts = "client-{1..2}";
    users.open_loop.emplace();
    users.open_loop->rate = sim::Rate{300};
    users.open_loop->keys.keys = 2000;
    users.open_loop->keys.zipf_s = 0.99;
    users.call.target = "api";
    users.call.timeout = 1s;
    users.call.lb.policy = models::LbPolicy::least_outstanding;
    spec.workloads["users"] = users;

    faultline::FaultSpecEntry crash;
    crash.at = 10s;
    crash.duration = 3s;
    crash.kind = "crash";
    crash.targets = {"api-2"};
    spec.faults.push_back(crash);
    faultline::FaultSpecEntry partition;
    partition.at = 15s;
    partition.duration = 2s;
    partition.kind = "partition";
    partition.targets = {"api-3", "db-1"};
    spec.faults.push_back(partition);

    faultline::InvariantSpec slo;
    slo.name = "p99 under 500ms";
    slo.slo.emplace();
    slo.slo->metric = "users.latency";
    slo.slo->quantile = 0.99;
    slo.slo->max = 500ms;
    slo.slo->from = 20s;
    slo.slo->to = 30s;
    spec.invariants.push_back(slo);
    return spec;
}

faultline::ScenarioRun run(const faultline::ScenarioInfo& info, std::uint64_t seed, const std::vector<faultline::Override>& overrides = {}) {
    faultline::RunSettings settings;
    settings.seed = seed;
    std::string error;
    auto r = faultline::run_scenario(info, overrides, settings, error);
    EXPECT_TRUE(r) << error;
    return r ? *r : faultline::ScenarioRun{};
}

// What spec_scenario_info's make() says of a spec and settings (empty: it made a scenario).
std::string refusal(faultline::ScenarioSpec spec, const std::vector<faultline::Override>& overrides = {}) {
    const faultline::ScenarioInfo info = faultline::spec_scenario_info(std::move(spec));
    std::string error;
    const bool made = info.make(overrides, error) != nullptr;
    EXPECT_EQ(made, error.empty()) << error;
    return error;
}

TEST(Twin, ACppSpecAndItsYamlTwinGiveTheSameTraceHash) {
    const auto from_yaml = faultline::load_scenario_file(test_support::write_file("twin.yaml", kTwinYaml));

    faultline::ScenarioInfo from_cpp;
    from_cpp.name = "twin";
    from_cpp.make = [](const std::vector<faultline::Override>&, std::string&) { return faultline::make_spec_scenario(twin_in_cpp()); };

    for (std::uint64_t seed : {1, 2, 3}) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        const auto a = run(*from_yaml.info, seed);
        const auto b = run(from_cpp, seed);
        EXPECT_GT(a.result.events, 10'000u) << "the twin should do real work";
        EXPECT_EQ(a.result.trace_hash, b.result.trace_hash);
        EXPECT_EQ(a.result.events, b.result.events);
        EXPECT_EQ(a.result.verdict, b.result.verdict);
    }
    // And the hash is not blind to the spec: one changed option, another run.
    faultline::ScenarioInfo changed;
    changed.make = [](const std::vector<faultline::Override>&, std::string&) {
        auto spec = twin_in_cpp();
        spec.services["api"].cache->ttl = 11s;
        return faultline::make_spec_scenario(std::move(spec));
    };
    EXPECT_NE(run(changed, 1).result.trace_hash, run(*from_yaml.info, 1).result.trace_hash);
}

// Registered through spec_scenario_info, the C++ spec takes settings as the file does, and the
// same settings give the same run as they give the file.
TEST(Twin, SettingsOnACppSpecGiveTheRunTheyGiveItsYamlTwin) {
    const auto from_yaml = faultline::load_scenario_file(test_support::write_file("twin-set.yaml", kTwinYaml));
    const faultline::ScenarioInfo from_cpp = faultline::spec_scenario_info(twin_in_cpp());
    EXPECT_EQ(from_cpp.name, "twin");
    EXPECT_EQ(run(*from_yaml.info, 1).result.trace_hash, run(from_cpp, 1).result.trace_hash);

    // A value in a map's entry, a list item's field, a list of values, an optional group unset
    // in the spec (made with its defaults), a top-level value.
    const std::vector<faultline::Override> set = {{"services.api.queue.workers_max", "2"},
                                                  {"faults.0.targets", "[api-1]"},
                                                  {"faults.1.targets", "[api-1, db-1]"},
                                                  {"services.api.calls.0.timeout", "50ms"},
                                                  {"workloads.users.open_loop.rate", "400/s"},
                                                  {"duration", "35s"}};
    const auto a = run(*from_yaml.info, 1, set);
    const auto b = run(from_cpp, 1, set);
    EXPECT_EQ(a.result.trace_hash, b.result.trace_hash);
    EXPECT_EQ(a.result.events, b.result.events);
    EXPECT_NE(a.result.trace_hash, run(from_cpp, 1).result.trace_hash) << "the settings changed nothing";
    // One at a time, each changes the run.
    for (const faultline::Override& o : set) {
        EXPECT_NE(run(from_cpp, 1, {o}).result.trace_hash, run(from_cpp, 1).result.trace_hash) << o.path;
    }
    // The spec's settings are listed with their paths, as the file's are.
    bool listed = false;
    for (const faultline::FieldInfo& f : from_cpp.options()) listed = listed || (f.path == "services.api.queue.workers_max" && f.value == "16");
    EXPECT_TRUE(listed);
}

TEST(Twin, ASettingOnACppSpecThatNamesNothingIsRefusedWithTheNearestName) {
    EXPECT_EQ(refusal(twin_in_cpp(), {{"services.api.queue.worker_max", "2"}}),
              "(--set): unknown option 'services.api.queue.worker_max' (did you mean 'services.api.queue.workers_max'?)");
    EXPECT_EQ(refusal(twin_in_cpp(), {{"services.apx.queue.workers_max", "2"}}),
              "(--set): unknown option 'services.apx.queue.workers_max' (did you mean 'services.api'?)");
    EXPECT_EQ(refusal(twin_in_cpp(), {{"services.api.queue.workers_max", "many"}}),
              "(--set): option 'services.api.queue.workers_max': 'many' is not an integer");
    // With no name near, the options are listed, and a spec's source position is not one of them.
    const std::string far = refusal(twin_in_cpp(), {{"zzzzzzzzzzzz", "1"}});
    EXPECT_TRUE(far.starts_with("(--set): unknown option 'zzzzzzzzzzzz' (its options: test_seeds, name, description,")) << far;
    EXPECT_EQ(refusal(twin_in_cpp(), {{"faults.7.kind", "crash"}}), "(--set): unknown option 'faults.7.kind' (did you mean 'faults.0'?)");
}

// A spec filled in by hand gets the checks a file gets, reported as bad input at the spec's
// origin: before, a section's validate() was skipped (an invalid value ran) and a dangling
// reference failed the run as if it were a finding, labelled "(--set)".
TEST(Twin, ACppSpecIsCheckedAsAFileIs) {
    EXPECT_EQ(refusal(twin_in_cpp()), "");

    auto no_workers = twin_in_cpp();
    no_workers.services["api"].queue.workers_max = 0;
    EXPECT_EQ(refusal(no_workers), "(c++): services.api: queue.workers_max must be at least 1");

    auto zero_timeout = twin_in_cpp();
    zero_timeout.services["api"].calls[0].timeout = 0s;
    EXPECT_EQ(refusal(zero_timeout), "(c++): services.api.calls[0]: timeout must be positive");

    auto dangling = twin_in_cpp();
    dangling.services["api"].calls[0].target = "dbb";
    const std::string e = refusal(dangling);
    EXPECT_TRUE(e.starts_with("(c++): services.api.calls[0].target: call target 'dbb' is not a service, database or model")) << e;
    EXPECT_NE(e.find("did you mean 'db'"), std::string::npos) << e;

    auto no_host = twin_in_cpp();
    no_host.faults[0].targets = {"api-9"};
    EXPECT_TRUE(refusal(no_host).starts_with("(c++): faults[0].targets: ")) << refusal(no_host);

    // A mistake a setting made is the setting's.
    const std::string by_setting = refusal(twin_in_cpp(), {{"services.api.calls.0.target", "nothing"}});
    EXPECT_TRUE(by_setting.starts_with("(--set): services.api.calls[0].target: call target 'nothing'")) << by_setting;

    // make_spec_scenario alone runs the spec as it is, and a mistake fails the run, at the origin.
    faultline::ScenarioInfo unchecked;
    unchecked.make = [](const std::vector<faultline::Override>&, std::string&) {
        auto spec = twin_in_cpp();
        spec.services["api"].calls[0].target = "dbb";
        return faultline::make_spec_scenario(std::move(spec));
    };
    const auto failed = run(unchecked, 1);
    ASSERT_TRUE(failed.result.failure);
    EXPECT_NE(failed.result.failure->message.find("(c++): services.api.calls[0].target"), std::string::npos) << failed.result.failure->message;
}

}  // namespace
