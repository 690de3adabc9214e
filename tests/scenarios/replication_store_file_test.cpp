// A replicated store written in a scenario file: the checks made when the store is built point at
// the field that is wrong (its own line and column), a ship interval that would stop virtual time
// or crawl is refused, the controller's name is checked like every host name, and a nemesis link
// fault takes a list of candidate targets.
#include <gtest/gtest.h>

#include <string>

#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

using test_support::load_error;
using test_support::replaced;
using test_support::write_file;

const char* const kStore =
    "duration: 4s\n"                      // 1
    "network:\n"                          // 2
    "  latency: fixed(1ms)\n"             // 3
    "stores:\n"                           // 4
    "  kv:\n"                             // 5
    "    design: primary_backup_sync\n"   // 6
    "    replicas: [\"kv-{1..3}\"]\n"     // 7
    "    quorum: {r: 2, w: 2}\n"          // 8
    "    primary_backup:\n"               // 9
    "      ship_interval: 50ms\n"         // 10
    "    regional:\n"                     // 11
    "      ship_interval: 20ms\n"         // 12
    "    clients:\n"                      // 13
    "      hosts: [\"c-{1..2}\"]\n"       // 14
    "      keys: 100\n"                   // 15
    "      stop: 3s\n"                    // 16
    "invariants:\n"                       // 17
    "  - name: nolost\n"                  // 18
    "    no_lost_writes: {store: kv}\n";  // 19

std::string error_of(const std::string& name, const std::string& text) { return load_error(write_file(name, text)); }

void expect_error(const std::string& error, const std::string& at, const std::string& what) {
    EXPECT_NE(error.find(at), std::string::npos) << error;
    EXPECT_NE(error.find(what), std::string::npos) << error;
}

TEST(ReplicationStoreFile, TheStoreAsWrittenLoads) { EXPECT_EQ(error_of("store.yaml", kStore), ""); }

TEST(ReplicationStoreFile, ErrorsFoundWhenTheStoreIsBuiltPointAtTheFieldsOwnLine) {
    struct Case {
        const char* file;
        const char* from;
        const char* to;
        const char* at;
        const char* what;
    };
    const Case cases[] = {
        {"home.yaml", "      stop: 3s\n", "      stop: 3s\n      home: kv-9\n",
         "home.yaml:17:13: stores.kv.clients.home", "'kv-9' is not one of the store's replicas"},
        {"twice.yaml", "[\"kv-{1..3}\"]", "[kv-1, kv-2, kv-1]", "twice.yaml:7:15: stores.kv.replicas",
         "'kv-1' is named twice"},
        {"one.yaml", "[\"kv-{1..3}\"]", "[kv-1]", "one.yaml:7:15: stores.kv.replicas", "needs at least two replicas"},
        {"quorum.yaml", "{r: 2, w: 2}", "{r: 4, w: 2}", "quorum.yaml:8:13: stores.kv.quorum",
         "r and w must be between 1 and the number of replicas (3)"},
        {"stop.yaml", "stop: 3s", "stop: 5s", "stop.yaml:16:13: stores.kv.clients.stop", "after the end of the run"},
        {"hosts.yaml", "[\"c-{1..2}\"]", "[\"5 \"]", "hosts.yaml:14:14: stores.kv.clients.hosts",
         "'5 ' is not a host name"},
    };
    for (const Case& c : cases) expect_error(error_of(c.file, replaced(kStore, c.from, c.to)), c.at, c.what);
}

TEST(ReplicationStoreFile, AShipIntervalThatWouldStopOrCrawlTheRunIsRefusedAtItsLine) {
    for (const char* bad : {"0s", "1ns", "999us"}) {
        expect_error(error_of("pb.yaml", replaced(kStore, "ship_interval: 50ms", std::string("ship_interval: ") + bad)),
                     "pb.yaml:10:22: stores.kv.primary_backup.ship_interval", "must be at least 1ms");
        expect_error(
            error_of("regional.yaml", replaced(kStore, "ship_interval: 20ms", std::string("ship_interval: ") + bad)),
            "regional.yaml:12:22: stores.kv.regional.ship_interval", "must be at least 1ms");
    }
    EXPECT_EQ(error_of("ms.yaml", replaced(kStore, "ship_interval: 50ms", "ship_interval: 1ms")), "");
}

// fsync_interval, anti_entropy_interval and the controller's heartbeat_interval wake a task every
// period, as a shipper does: 1ns ran to the event limit. Where 0 means something (fsync before
// every acknowledgement; no anti-entropy) it still loads.
TEST(ReplicationStoreFile, EveryPeriodOfTheStoreHasTheShipIntervalsMinimumAtItsLine) {
    for (const std::string field : {"fsync_interval", "anti_entropy_interval"}) {
        for (const char* bad : {"1ns", "999us"}) {
            const std::string text = replaced(kStore, "    quorum:", "    " + field + ": " + bad + "\n    quorum:");
            expect_error(error_of("period.yaml", text),
                         "period.yaml:8:" + std::to_string(7 + field.size()) + ": stores.kv." + field +
                             ": must be at least 1ms, got " + bad,
                         "wakes every interval");
        }
        EXPECT_EQ(error_of("zero.yaml", replaced(kStore, "    quorum:", "    " + field + ": 0s\n    quorum:")), "");
        EXPECT_EQ(error_of("ms.yaml", replaced(kStore, "    quorum:", "    " + field + ": 1ms\n    quorum:")), "");
    }
    for (const char* bad : {"0s", "1ns"}) {
        expect_error(error_of("hb.yaml", replaced(kStore, "      ship_interval: 50ms\n",
                                                  std::string("      ship_interval: 50ms\n      heartbeat_interval: ") +
                                                      bad + "\n")),
                     "hb.yaml:11:27: stores.kv.primary_backup.heartbeat_interval", "must be at least 1ms");
    }
}

// A store of 100,000 replicas was killed for its memory: a shipper per pair of replicas in the
// primary-backup and regional designs.
TEST(ReplicationStoreFile, AStoreOfMoreReplicasThanARunCanHoldIsRefusedAtItsLine) {
    expect_error(error_of("many.yaml", replaced(kStore, "[\"kv-{1..3}\"]", "[\"kv-{1..100000}\"]")),
                 "many.yaml:7:15: stores.kv.replicas: names 100000 hosts; a store has at most 500", "1.5 GB");
    expect_error(error_of("501.yaml", replaced(kStore, "[\"kv-{1..3}\"]", "[kv-0, \"kv-{1..500}\"]")),
                 "501.yaml:7:15: stores.kv.replicas", "names 501 hosts");
    EXPECT_EQ(error_of("500.yaml", replaced(kStore, "[\"kv-{1..3}\"]", "[\"kv-{1..500}\"]")), "");
    // The bound is on the run: two stores of 400 are more replica pairs than one of 500 (four of
    // 500 took 4.4 GB). One of 400 and one of 200 are fewer.
    const std::string two = replaced(kStore, "[\"kv-{1..3}\"]", "[\"kv-{1..400}\"]");
    const std::string second = "  kv2:\n    design: primary_backup_async\n    replicas: [\"b-{1..N}\"]\n";
    auto with_second = [&](const std::string& n) {
        return replaced(two, "invariants:\n", "  " + replaced(second, "N", n).substr(2) + "invariants:\n");
    };
    const std::string refused = error_of("two.yaml", with_second("400"));
    EXPECT_NE(refused.find("stores: their replicas make 319200 replica pairs in all"), std::string::npos) << refused;
    EXPECT_NE(refused.find("at most 249500, one store of 500 replicas"), std::string::npos) << refused;
    EXPECT_EQ(error_of("fewer.yaml", with_second("200")), "");
    // A quorum store runs no shippers: two of 400 are not refused for them.
    EXPECT_EQ(error_of("quorum.yaml", replaced(replaced(with_second("400"), "primary_backup_sync", "quorum"),
                                               "primary_backup_async", "quorum")),
              "");
}

// A component's name is also its hosts' group, and a target names a host before a group: a store
// 'kv-1' with replicas kv-{1..3} took over the host's name, and a crash of [kv-1] crashed all three.
// Refused like a group named like a host, for every kind of component, against every host (a
// store's clients, made after the components before it, included), and so is a glob character;
// reported at the component, as a name taken by another component is.
TEST(ReplicationStoreFile, AComponentNamedLikeAHostOrAPatternIsRefusedAtItsName) {
    const std::string store_named = [] {
        std::string t = replaced(kStore, "  kv:\n", "  NAME:\n");
        return replaced(t, "{store: kv}", "{store: NAME}");
    }();
    auto named = [&](const std::string& name) { return replaced(replaced(store_named, "NAME", name), "NAME", name); };
    struct Case {
        std::string file, text, at, what;
    };
    const std::string service = "services:\n  NAME:\n    hosts: HOSTS\n";  // lines 20-22, after the store
    auto with_service = [&](const std::string& name, const std::string& hosts) {
        return kStore + replaced(replaced(service, "NAME", name), "HOSTS", hosts);
    };
    const Case cases[] = {
        {"replica.yaml", named("kv-1"), "replica.yaml:6:5: stores.kv-1: 'kv-1' is already a host's name",
         "rename the component"},
        {"client.yaml", named("c-2"), "client.yaml:6:5: stores.c-2: 'c-2' is already a host's name", "fault target"},
        {"glob.yaml", named("\"kv-*\""), "glob.yaml:6:5: stores.kv-*: a component's name", "cannot hold '*'"},
        {"service.yaml", with_service("api-1", "\"api-{1..3}\""),
         "service.yaml:22:5: services.api-1: 'api-1' is already a host's name", ""},
        // The store's clients are made after every service: checked all the same.
        {"later.yaml", with_service("c-1", "api-1"), "later.yaml:22:5: services.c-1: 'c-1' is already a host's name",
         ""},
        {"other.yaml", with_service("kv-3", "api-1"), "other.yaml:22:5: services.kv-3: 'kv-3' is already a host's name",
         ""},
        // The store's clients are the group kv-clients: a service or group of that name merged
        // with it (crashing 'kv-clients' crashed the store's clients too).
        {"clients.yaml", with_service("kv-clients", "api-1"),
         "clients.yaml:22:5: services.kv-clients: 'kv-clients' is already the group of store kv's clients", ""},
        // ... and a host of that name: the group's name would mean the host alone.
        {"host.yaml", with_service("api", "kv-clients"),
         "host.yaml:6:5: stores.kv: its clients are the group 'kv-clients', which is already a host's name", ""},
        {"group.yaml", std::string(kStore) + "groups:\n  kv-clients: [kv-1]\n",
         "group.yaml:21:15: groups.kv-clients: 'kv-clients' is already the group of store kv's clients", ""},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.file);
        const std::string error = error_of(c.file, c.text);
        expect_error(error, c.at, c.what);
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    }
    // A component whose only host bears its name means that host either way.
    EXPECT_EQ(error_of("own.yaml", with_service("api", "api")), "");
    EXPECT_EQ(error_of("names.yaml", named("kv")), "");
}

TEST(ReplicationStoreFile, TheControllerIsCheckedLikeEveryHostName) {
    for (const char* bad : {"'kv controller'", "\"ctl-{1..3}\"", "\"ctl-*\""}) {
        const std::string error =
            error_of("ctl.yaml", replaced(kStore, "      ship_interval: 50ms\n",
                                          std::string("      ship_interval: 50ms\n      controller: ") + bad + "\n"));
        EXPECT_NE(error.find("ctl.yaml:11:19: stores.kv.primary_backup.controller"), std::string::npos)
            << bad << ": " << error;
    }
    EXPECT_EQ(error_of("ctl.yaml", replaced(kStore, "      ship_interval: 50ms\n",
                                            "      ship_interval: 50ms\n      controller: ctl\n")),
              "");
}

// The plan draws distinct candidates; each was checked as both targets of the cut, which refused
// every list.
TEST(ReplicationStoreFile, ANemesisPartitionTakesAListOfCandidatesAndCutsDistinctOnes) {
    const std::string text = std::string(kStore) +
                             "nemesis:\n"
                             "  start: 500ms\n"
                             "  quiet_at: 3s\n"
                             "  faults:\n"
                             "    - {kind: partition, rate: 60/min, targets: [kv-1, kv-2, kv-3]}\n"
                             "    - {kind: hold, rate: 30/min, targets: [kv-1, kv-2, kv-3]}\n";
    ASSERT_EQ(error_of("nemesis.yaml", text), "");
    auto loaded = faultline::load_scenario_file(write_file("nemesis.yaml", text));
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    auto run = faultline::run_scenario(*loaded.info, {}, settings, error);
    ASSERT_TRUE(run) << error;
    std::size_t cuts = 0;
    for (const auto& f : run->injected) {
        if (f.spec.kind != "partition" && f.spec.kind != "hold") continue;
        ++cuts;
        ASSERT_EQ(f.spec.targets.size(), 2u);
        EXPECT_NE(f.spec.targets[0], f.spec.targets[1]);
    }
    EXPECT_GT(cuts, 0u);
    // Two candidates that are the same hosts could be drawn together: still refused.
    const std::string same = error_of("same.yaml", replaced(text, "targets: [kv-1, kv-2, kv-3]}\n    - {kind: hold",
                                                            "targets: [kv-1, \"kv-{1..1}\"]}\n    - {kind: hold"));
    EXPECT_NE(same.find("nemesis.faults[0]"), std::string::npos) << same;
    EXPECT_NE(same.find("are the same hosts"), std::string::npos) << same;
}

}  // namespace
