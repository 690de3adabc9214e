// A scenario as typed data: what a scenario file says, and what a C++ user can fill in by hand
// and hand to the same builder (so a C++ scenario and its YAML twin are the same run).
//
//   name, description, hypothesis, duration, limits, metrics_interval
//   network:    default link, per-pair links
//   groups:     extra host groups (name -> host patterns)
//   services / databases / workloads / stores / models:   components by name, each on `hosts`
//               (models: kinds a C++ program registered, see faultline/model_kind.hpp)
//   faults:     the fault timeline;  nemesis: random faults from the seed
//   invariants: always, eventually, recovers, slo;  coverage: marks that must be reached
//   expect:     the verdict this design should get (used by the scenario library's tests)
//   variants:   named sets of overrides (the mitigated designs), each with its own expectation
//   swarm:      options a swarm run may vary, with their choices
//
// Host patterns may contain ranges: "app-{1..8}" is app-1 ... app-8.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "faultline/model_fields.hpp"
#include "faultline/yaml_reader.hpp"
#include "sim/distribution.hpp"
#include "sim/values.hpp"

namespace faultline {

// ---- components --------------------------------------------------------------------------------

// A call from a workload or a service to another component, with the client-side policies.
struct CallSpec {
    static constexpr std::size_t pool_connections_limit = 100'000;

    Where where;
    std::string target;                       // a service or database name
    sim::Duration timeout = std::chrono::seconds(1);  // per attempt
    sim::Duration deadline{0};                // the whole call, retries included (0: none)
    models::RetryOptions retry;
    models::ThrottleOptions throttle;
    models::BreakerOptions breaker;
    models::HedgeOptions hedge;
    models::LbOptions lb;
    std::optional<sim::PoolOptions> pool;     // connection pool per (client host, server host)
    int fanout = 1;                           // identical calls in parallel; all must succeed
    bool propagate_deadline = true;           // a service passes on what is left of its caller's deadline
    std::optional<std::uint64_t> key;         // call with this key instead of the request's (a lookup of one name)
};

template <class V>
void fields(V& v, CallSpec& o) {
    v("", o.where, "");
    v("target", o.target, "the service or database called (required)");
    v("timeout", o.timeout, "per attempt");
    v("deadline", o.deadline, "the whole call, retries included (0: none)");
    v("retry", o.retry, "retry policy");
    v("throttle", o.throttle, "client-side adaptive throttling");
    v("breaker", o.breaker, "circuit breaker");
    v("hedge", o.hedge, "hedged requests");
    v("lb", o.lb, "load balancing over the target's hosts");
    v("pool", o.pool, "a connection pool per client host and server host");
    v("fanout", o.fanout, "identical calls in parallel per request; all must succeed");
    v("propagate_deadline", o.propagate_deadline, "pass on what is left of the caller's deadline");
    v("key", o.key, "call with this key instead of the request's (e.g. a service-discovery lookup)");
}
std::optional<std::string> validate(const CallSpec& c);

struct ServiceSpec {
    static constexpr std::uint64_t disk_write_bytes_limit = 1 << 20;

    Where where;
    std::string hosts;
    models::WorkQueueOptions queue;
    sim::Delay cpu = sim::Delay::fixed(std::chrono::milliseconds(1));
    bool cpu_last = false;
    sim::Duration timeout{0};
    std::optional<models::CacheOptions> cache;  // a cache on each host, in front of `calls`
    std::vector<CallSpec> calls;                // per request (with a cache: on a miss)
    std::uint64_t disk_write_bytes = 0;         // a log write per request (0: none), at most 1 MiB
    bool disk_fsync = false;
};

template <class V>
void fields(V& v, ServiceSpec& o) {
    v("", o.where, "");
    v("hosts", o.hosts, "where it runs: a host pattern, ranges allowed (app-{1..8}) (required)");
    v("queue", o.queue, "worker pool and queue, per host");
    v("cpu", o.cpu, "CPU cost per request");
    v("cpu_last", o.cpu_last, "CPU cost after the log write and calls: a request failing there answers at once");
    v("timeout", o.timeout, "server side: dropped if still queued after this, answered timeout if finished after it (0: none)");
    v("cache", o.cache, "a cache on each host in front of the calls");
    v("calls", o.calls, "downstream calls per request (with a cache: on a miss)");
    v("disk_write_bytes", o.disk_write_bytes, "a log write per request (0: none)");
    v("disk_fsync", o.disk_fsync, "fsync each log write");
}
std::optional<std::string> validate(const ServiceSpec& s);

struct DatabaseSpec {
    Where where;
    std::string hosts;
    models::DatabaseOptions options;
};

template <class V>
void fields(V& v, DatabaseSpec& o) {
    v("", o.where, "");
    v("hosts", o.hosts, "where it runs (required)");
    v("connections_max", o.options.connections_max, "concurrent requests admitted; more are refused");
    v("executors", o.options.executors, "query executors and their queue");
    v("query", o.options.query, "one query's service time on one executor");
    v("memory_base_mb", o.options.memory_base_mb, "memory used when idle");
    v("memory_per_connection_mb", o.options.memory_per_connection_mb, "memory per open connection");
    v("memory_max_mb", o.options.memory_max_mb, "past this it dies of it and restarts (0: no limit)");
    v("restart_delay", o.options.restart_delay, "down time after an out-of-memory crash");
}
std::optional<std::string> validate(const DatabaseSpec& d);

struct OpenLoopSpec {
    Where where;
    sim::Rate rate{100};
    models::KeyOptions keys;
    std::vector<double> diurnal;
    sim::Duration diurnal_period = std::chrono::hours(24);
    std::uint64_t inflight_max = 100'000;
    sim::Duration start{0};
    sim::Duration ramp_up{0};
};

template <class V>
void fields(V& v, OpenLoopSpec& o) {
    v("", o.where, "");
    v("ramp_up", o.ramp_up, "the rate climbs from 5% to full over this (caches warm up)");
    v("rate", o.rate, "Poisson arrivals, e.g. 5000/s");
    v("keys", o.keys, "key popularity");
    v("diurnal", o.diurnal, "hourly rate multipliers over diurnal_period (empty: flat)");
    v("diurnal_period", o.diurnal_period, "the length of one diurnal cycle");
    v("inflight_max", o.inflight_max, "requests outstanding at once; more are dropped at the client");
    v("start", o.start, "no arrivals before");
}

struct ClosedLoopSpec {
    int clients = 10;
    sim::Delay think = sim::Delay::exponential(std::chrono::milliseconds(100));
    models::KeyOptions keys;
    sim::Duration start{0};
};

template <class V>
void fields(V& v, ClosedLoopSpec& o) {
    v("clients", o.clients, "clients, each with one request at a time");
    v("think", o.think, "pause between a client's requests");
    v("keys", o.keys, "key popularity");
    v("start", o.start, "no requests before");
}

struct WorkloadSpec {
    Where where;
    std::string hosts;
    std::optional<OpenLoopSpec> open_loop;
    std::optional<ClosedLoopSpec> closed_loop;
    CallSpec call;
};

template <class V>
void fields(V& v, WorkloadSpec& o) {
    v("", o.where, "");
    v("hosts", o.hosts, "the client hosts (each runs the workload) (required)");
    v("open_loop", o.open_loop, "arrivals at a rate, whatever happens to earlier requests (this or closed_loop)");
    v("closed_loop", o.closed_loop, "a fixed number of clients (this or open_loop)");
    v("call", o.call, "what each request calls, and with which policies");
}
std::optional<std::string> validate(const WorkloadSpec& w);

// A replicated store with history-recording clients.
struct StoreClientsSpec {
    std::vector<std::string> hosts;  // client hosts, ranges allowed; empty: no clients
    std::size_t keys = 16;
    sim::Ratio read_ratio{1, 2};
    sim::Delay think = sim::Delay::exponential(std::chrono::milliseconds(10));
    sim::Duration stop{0};  // no operation starts after this (0: the end of the run)
    std::string home;       // regional designs: the replica clients talk to (default: by name prefix)
};

template <class V>
void fields(V& v, StoreClientsSpec& o) {
    v("hosts", o.hosts, "client hosts (each records its operations in the store's history)");
    v("keys", o.keys, "keys k0.. chosen uniformly");
    v("read_ratio", o.read_ratio, "share of reads");
    v("think", o.think, "pause between a client's operations");
    v("stop", o.stop, "no operation starts after this (0: the end of the run)");
    v("home", o.home, "regional designs: the replica clients talk to (default: same name prefix)");
}

// A model kind's options struct behind a type-erased pointer that remembers the struct's type,
// so that a spec filled in by hand with another struct (another kind's options, an int) is
// refused by name instead of read as the kind's:
//   m.typed = std::make_shared<const QuotaApiOptions>(options);
class TypedOptions {
public:
    TypedOptions() = default;
    template <class T>
    TypedOptions(std::shared_ptr<T> options) : type_(&typeid(T)), ptr_(std::move(options)) {}  // NOLINT: converts, as a shared_ptr would
    const void* get() const noexcept { return ptr_.get(); }
    explicit operator bool() const noexcept { return ptr_ != nullptr; }
    // The struct's type; typeid(void) when it came as a shared_ptr<const void> (not checked).
    const std::type_info& type() const noexcept { return *type_; }

private:
    const std::type_info* type_ = &typeid(void);
    std::shared_ptr<const void> ptr_;
};

// A component of a kind a C++ user registered (faultline/model_kind.hpp). `options` is read
// by the kind into its own options struct when the file is loaded; a C++ program filling in a
// spec by hand sets `typed` instead (left null: the kind's defaults).
struct ModelSpec {
    Where where;
    std::string kind;
    std::string hosts;
    YamlValue options;    // as written, read by the kind
    TypedOptions typed;   // the kind's options struct
};

template <class V>
void fields(V& v, ModelSpec& o) {
    v("", o.where, "");
    v("kind", o.kind, "a model kind registered from C++ ('faultline list --kinds') (required)");
    v("hosts", o.hosts, "where it runs: a host pattern, ranges allowed");
    v("options", o.options, "the kind's options");
}
std::optional<std::string> validate(const ModelSpec& m);

struct StoreSpec {
    // The primary-backup and regional designs run a shipper on every replica for every other
    // replica: N * (N - 1) processes, about 250,000 (1.5 GB) at 500.
    static constexpr std::size_t replicas_limit = 500;
    Where where;
    models::replication::Design design = models::replication::Design::quorum;
    std::vector<std::string> replicas{"kv-{1..3}"};
    sim::Duration request_timeout = std::chrono::milliseconds(500);
    sim::Duration peer_timeout = std::chrono::milliseconds(200);
    sim::Duration fsync_interval{0};
    sim::Duration anti_entropy_interval{0};
    models::replication::PrimaryBackupOptions primary_backup;
    models::replication::QuorumOptions quorum;
    models::replication::RegionalOptions regional;
    StoreClientsSpec clients;
};

template <class V>
void fields(V& v, StoreSpec& o) {
    v("", o.where, "");
    v("design", o.design, "primary_backup_async, primary_backup_sync, quorum, lww or multi_value");
    v("replicas", o.replicas, "replica hosts, ranges allowed");
    v("request_timeout", o.request_timeout, "client -> store");
    v("peer_timeout", o.peer_timeout, "replica -> replica");
    v("fsync_interval", o.fsync_interval, "0: fsync before every acknowledgement; else this often");
    v("anti_entropy_interval", o.anti_entropy_interval, "exchange state with a random peer this often (0: off)");
    v("primary_backup", o.primary_backup, "primary-backup designs");
    v("quorum", o.quorum, "the quorum design");
    v("regional", o.regional, "lww and multi_value");
    v("clients", o.clients, "history-recording clients");
}
std::optional<std::string> validate(const StoreSpec& s);

// A replication checker over a store's recorded history, judged at `at` (default: the end).
struct CheckerSpec {
    std::string store;
    std::optional<sim::Duration> at;
    std::optional<sim::Ratio> max;  // stale_reads: the largest acceptable rate
    std::optional<std::uint64_t> steps_max;  // linearizable: the search's budget per key
};

template <class V>
void fields(V& v, CheckerSpec& o) {
    v("store", o.store, "the store whose history and replicas are checked (required)");
    v("at", o.at, "when (default: the end of the run)");
    v("max", o.max,
      "stale_reads only, and required there: the largest acceptable rate (the other checkers fail on one violation)");
    v("steps_max", o.steps_max, "linearizable: search steps per key, past which the run fails as undecided (default 5000000)");
}

// ---- network, faults, nemesis ------------------------------------------------------------------

struct LinkSpec {
    Where where;
    std::string from;
    std::string to;
    bool both_ways = true;
    std::optional<sim::Delay> latency;
    std::optional<sim::Ratio> loss;
    std::optional<sim::Ratio> duplicate;
    std::optional<sim::Ratio> reorder;
};

template <class V>
void fields(V& v, LinkSpec& o) {
    v("", o.where, "");
    v("from", o.from, "host pattern (required)");
    v("to", o.to, "host pattern (required)");
    v("both_ways", o.both_ways, "also to -> from");
    v("latency", o.latency, "one-way latency distribution");
    v("loss", o.loss, "share of messages lost");
    v("duplicate", o.duplicate, "share delivered twice");
    v("reorder", o.reorder, "share delayed so later ones overtake");
}

struct NetworkSpec {
    sim::Delay latency = sim::Delay::fixed(std::chrono::microseconds(500));
    sim::Ratio loss{0, 1};
    std::vector<LinkSpec> links;
};

template <class V>
void fields(V& v, NetworkSpec& o) {
    v("latency", o.latency, "default one-way latency distribution");
    v("loss", o.loss, "default loss");
    v("links", o.links, "settings for pairs of host sets");
}

struct FaultSpecEntry {
    Where where;
    sim::Duration at{0};
    std::optional<sim::Duration> duration;
    std::string kind;
    std::vector<std::string> targets;
    std::map<std::string, std::string> params;
};

template <class V>
void fields(V& v, FaultSpecEntry& o) {
    v("", o.where, "");
    v("at", o.at, "when it starts");
    v("duration", o.duration, "a window: healed at its end");
    v("kind", o.kind, "see docs/faults.md (and scenario kinds: cache_flush, load_spike, burst, bad_deploy) (required)");
    v("targets", o.targets, "host patterns (two for link faults), or a workload for load_spike");
    v("params", o.params, "parameters of the kind");
}

struct NemesisFaultSpec {
    Where where;
    std::string kind;
    sim::Rate rate{1.0 / 60};
    sim::Duration duration_min = std::chrono::seconds(1);
    sim::Duration duration_max = std::chrono::seconds(10);
    std::vector<std::string> targets;
    std::map<std::string, std::string> params;
};

template <class V>
void fields(V& v, NemesisFaultSpec& o) {
    v("", o.where, "");
    v("kind", o.kind, "fault kind (required)");
    v("rate", o.rate, "how often, e.g. 2/min");
    v("duration_min", o.duration_min, "shortest window");
    v("duration_max", o.duration_max, "longest window");
    v("targets", o.targets, "candidate host patterns");
    v("params", o.params, "parameters of the kind");
}

struct NemesisSpec {
    static constexpr double planned_max = 100'000;  // faults a plan may hold (rate x window)

    Where where;
    sim::Duration start = std::chrono::seconds(5);
    std::optional<sim::Duration> quiet_at;  // default: 70% of the run
    std::size_t concurrent_max = 4;
    std::vector<NemesisFaultSpec> faults;
};

std::optional<std::string> validate(const NemesisSpec& n);

template <class V>
void fields(V& v, NemesisSpec& o) {
    v("", o.where, "");
    v("start", o.start, "no faults before");
    v("quiet_at", o.quiet_at, "everything healed by then (default: 70% of the run)");
    v("concurrent_max", o.concurrent_max, "open fault windows at once");
    v("faults", o.faults, "fault kinds, rates, windows and candidate targets");
}

// ---- invariants --------------------------------------------------------------------------------

struct BoundSpec {
    std::string metric;  // a counter (its total), gauge or probe
    std::optional<double> max;
    std::optional<double> min;
};

template <class V>
void fields(V& v, BoundSpec& o) {
    v("metric", o.metric, "a counter (total), gauge or probe (required)");
    v("max", o.max, "it must stay at or below");
    v("min", o.min, "it must stay at or above");
}

struct EventuallySpec {
    std::string metric;
    std::optional<double> max;
    std::optional<double> min;
    std::optional<sim::Duration> by;  // default: the end of the run
    sim::Duration after{0};           // the bound counts only from then on
};

template <class V>
void fields(V& v, EventuallySpec& o) {
    v("metric", o.metric, "a counter (total), gauge or probe (required)");
    v("max", o.max, "holds once it is at or below");
    v("min", o.min, "holds once it is at or above");
    v("by", o.by, "the deadline (default: the end of the run)");
    v("after", o.after, "the bound counts only from then on (0: from the start, where most metrics are 0)");
}

// After a trigger ends, goodput comes back to a share of its baseline within a time.
struct RecoversSpec {
    std::string metric;  // a counter whose rate is the goodput, e.g. users.ok
    sim::Duration baseline_from{0};
    sim::Duration baseline_to{0};
    sim::Duration after{0};   // when the trigger ended
    sim::Duration within{0};
    double share = 0.9;
    sim::Duration smoothing = std::chrono::seconds(5);  // the rate is averaged over this
    // Once recovered, it must stay above this share of the baseline until relapse_until (a
    // relapse is another outage, not noise: the default is half the baseline). 0: not checked.
    double relapse_share = 0.5;
    std::optional<sim::Duration> relapse_until;  // default: the end of the run
};

template <class V>
void fields(V& v, RecoversSpec& o) {
    v("metric", o.metric, "a counter whose rate is the goodput (e.g. users.ok) (required)");
    v("baseline_from", o.baseline_from, "the baseline window's start");
    v("baseline_to", o.baseline_to, "the baseline window's end, at or before `after` (required)");
    v("after", o.after, "when the trigger ended (required)");
    v("within", o.within, "recovery must come within this after `after` (required)");
    v("share", o.share, "recovered: the rate is back to this share of the baseline");
    v("smoothing", o.smoothing, "the rate is averaged over this");
    v("relapse_share", o.relapse_share, "once recovered, falling below this share of the baseline is a relapse (0: not checked)");
    v("relapse_until", o.relapse_until, "relapses count until then (default: the end of the run)");
}

struct SloSpec {
    std::string metric;  // a latency histogram, e.g. users.latency
    double quantile = 0.99;
    sim::Duration max{0};
    sim::Duration from{0};
    std::optional<sim::Duration> to;  // default: the end of the run
};

template <class V>
void fields(V& v, SloSpec& o) {
    v("metric", o.metric, "a latency histogram (e.g. users.latency) (required)");
    v("quantile", o.quantile, "0.99 for p99");
    v("max", o.max, "the bound (required)");
    v("from", o.from, "window start");
    v("to", o.to, "window end (default: the end of the run)");
}

struct InvariantSpec {
    Where where;
    std::string name;
    std::optional<BoundSpec> always;
    std::optional<EventuallySpec> eventually;
    std::optional<RecoversSpec> recovers;
    std::optional<SloSpec> slo;
    std::optional<CheckerSpec> converges;
    std::optional<CheckerSpec> no_lost_writes;
    std::optional<CheckerSpec> linearizable;
    std::optional<CheckerSpec> stale_reads;
};

template <class V>
void fields(V& v, InvariantSpec& o) {
    v("", o.where, "");
    v("name", o.name, "what it says, in words");
    v("always", o.always, "a bound that must hold after every event");
    v("eventually", o.eventually, "a bound that must hold at some point by a deadline");
    v("recovers", o.recovers, "goodput returns to a share of its baseline after a trigger");
    v("slo", o.slo, "a latency quantile under a bound in a window");
    v("converges", o.converges, "every replica of a store holds the same data");
    v("no_lost_writes", o.no_lost_writes, "no write acknowledged to a client is missing from every replica");
    v("linearizable", o.linearizable, "the store's history is linearizable, key by key");
    v("stale_reads", o.stale_reads, "reads that missed an acknowledged write stay under `max`");
}
std::optional<std::string> validate(const InvariantSpec& i);

// ---- the scenario --------------------------------------------------------------------------------

struct ExpectSpec {
    std::string verdict = "pass";  // pass, fail or runaway
    std::string failure;           // the invariant expected to fail (when verdict is fail)
};

template <class V>
void fields(V& v, ExpectSpec& o) {
    v("verdict", o.verdict, "pass, fail or runaway");
    v("failure", o.failure, "the invariant expected to fail");
}

struct VariantSpec {
    std::string description;
    std::map<std::string, std::string> set;  // option path -> value
    ExpectSpec expect;
};

template <class V>
void fields(V& v, VariantSpec& o) {
    v("description", o.description, "what this design changes");
    v("set", o.set, "option overrides (path: value)");
    v("expect", o.expect, "the verdict this design should get");
}

struct LimitsSpec {
    static constexpr std::uint64_t stack_kib_min = 16;
    static constexpr std::uint64_t stack_kib_max = 64 * 1024;
    std::optional<sim::Duration> time_max;  // unset: the duration (a run ends there anyway)
    std::uint64_t events_max = 500'000'000;
    std::uint64_t stack_kib = 64;  // sim::Options::stack_size, in KiB
};

template <class V>
void fields(V& v, LimitsSpec& o) {
    v("time_max", o.time_max, "virtual time limit, at least the duration (runaway past it; unset: the duration)");
    v("events_max", o.events_max, "event limit (runaway past it)");
    v("stack_kib", o.stack_kib, "each process's stack, in KiB (a model kind's deep recursion or large locals may need more)");
}

struct ScenarioSpec {
    static constexpr std::int64_t samples_limit = 1'000'000;  // duration / metrics_interval, at most

    Where where;
    std::string name;
    std::string description;
    std::string hypothesis;
    sim::Duration duration = std::chrono::seconds(60);
    LimitsSpec limits;
    sim::Duration metrics_interval = std::chrono::seconds(1);
    NetworkSpec network;
    std::map<std::string, Located<std::vector<std::string>>> groups;
    std::map<std::string, ServiceSpec> services;
    std::map<std::string, DatabaseSpec> databases;
    std::map<std::string, WorkloadSpec> workloads;
    std::map<std::string, StoreSpec> stores;
    std::map<std::string, ModelSpec> models;
    std::vector<FaultSpecEntry> faults;
    std::optional<NemesisSpec> nemesis;
    std::vector<InvariantSpec> invariants;
    std::vector<std::string> coverage;
    std::map<std::string, std::vector<std::string>> swarm;
    ExpectSpec expect;
    std::map<std::string, VariantSpec> variants;
    std::vector<std::uint64_t> test_seeds{1, 2, 3};
};

template <class V>
void fields(V& v, ScenarioSpec& o) {
    v("test_seeds", o.test_seeds, "seeds the library's tests run every design on");
    v("", o.where, "");
    v("name", o.name, "the scenario's name");
    v("description", o.description, "what it is, in a few lines");
    v("hypothesis", o.hypothesis, "what the run is expected to show");
    v("duration", o.duration, "length of the run");
    v("limits", o.limits, "runaway limits");
    v("metrics_interval", o.metrics_interval, "time series resolution");
    v("network", o.network, "links");
    v("groups", o.groups, "extra host groups: name -> host patterns");
    v("services", o.services, "services by name");
    v("databases", o.databases, "databases by name");
    v("workloads", o.workloads, "client workloads by name");
    v("stores", o.stores, "replicated stores by name");
    v("models", o.models, "components of kinds registered from C++, by name");
    v("faults", o.faults, "the fault timeline");
    v("nemesis", o.nemesis, "random faults from the seed");
    v("invariants", o.invariants, "what must hold");
    v("coverage", o.coverage, "coverage marks the run must reach");
    v("swarm", o.swarm, "options a swarm run may vary: path -> choices");
    v("expect", o.expect, "the verdict this design should get");
    v("variants", o.variants, "other designs: named override sets");
}
std::optional<std::string> validate(const ScenarioSpec& s);
// Settings that load and run but very likely say what the writer did not mean (an open-loop rate
// too low to give one arrival in the run): "file:line:column: what", one per warning.
std::vector<std::string> spec_warnings(const ScenarioSpec& s);

// "app-{1..3}" -> app-1, app-2, app-3; other patterns unchanged (a one-element list). Nested
// ranges and several ranges in one pattern expand as a product. A range that is not one (written
// backwards, or more than hosts_limit names in all) is left unexpanded too, so it is not a host
// name, which the caller reports.
inline constexpr std::size_t hosts_limit = 100'000;
std::vector<std::string> expand_hosts(const std::string& pattern);

}  // namespace faultline
