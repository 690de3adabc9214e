// fields() descriptions of the kernel's and the models' option structs, so scenario files and
// --set can fill them. They live here, in the scenario layer: the models know nothing of YAML.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "models/breaker.hpp"
#include "models/cache.hpp"
#include "models/caller.hpp"
#include "models/database.hpp"
#include "models/hedge.hpp"
#include "models/load_balancer.hpp"
#include "models/replication/client.hpp"
#include "models/replication/store.hpp"
#include "models/retry.hpp"
#include "models/throttle.hpp"
#include "models/work_queue.hpp"
#include "models/workload.hpp"
#include "sim/connection_pool.hpp"

namespace models {

inline auto enum_names(Backoff) {
    return std::array<std::pair<std::string_view, Backoff>, 3>{
        {{"none", Backoff::none}, {"fixed", Backoff::fixed}, {"exponential", Backoff::exponential}}};
}
inline auto enum_names(Jitter) {
    return std::array<std::pair<std::string_view, Jitter>, 4>{
        {{"none", Jitter::none}, {"full", Jitter::full}, {"equal", Jitter::equal}, {"decorrelated", Jitter::decorrelated}}};
}

template <class V>
void fields(V& v, RetryBudgetOptions& o) {
    v("enabled", o.enabled, "limit retries with a token bucket");
    v("ratio", o.ratio, "tokens each request deposits: retries may add about this share of the load");
    v("min_rate", o.min_rate, "tokens deposited per second whatever the traffic");
    v("tokens_max", o.tokens_max, "bucket size: the retries a client may send in a burst");
}

template <class V>
void fields(V& v, RetryOptions& o) {
    v("attempts_max", o.attempts_max, "attempts per request, the first included (1: no retries)");
    v("backoff", o.backoff, "wait between attempts: none, fixed or exponential");
    v("backoff_base", o.backoff_base, "the first backoff");
    v("backoff_max", o.backoff_max, "the longest backoff");
    v("backoff_multiplier", o.backoff_multiplier, "exponential growth factor");
    v("jitter", o.jitter, "none, full, equal or decorrelated");
    v("retry_on", o.retry_on, "errors worth another attempt (comma separated)");
    v("budget", o.budget, "a retry budget");
}

template <class V>
void fields(V& v, ThrottleOptions& o) {
    v("enabled", o.enabled, "client-side adaptive throttling (reject locally when the backend rejects)");
    v("k", o.k, "multiplier: lets through about k times what the backend accepts");
    v("window", o.window, "the window requests and accepts are counted over");
    v("window_buckets", o.window_buckets, "the window moves in steps of window / window_buckets");
}

template <class V>
void fields(V& v, BreakerOptions& o) {
    v("enabled", o.enabled, "a circuit breaker");
    v("error_ratio_max", o.error_ratio_max, "opens above this error ratio in the window");
    v("requests_min", o.requests_min, "...once at least this many requests were seen");
    v("window", o.window, "the rolling error window");
    v("window_buckets", o.window_buckets, "the window moves in steps of window / window_buckets");
    v("open_for", o.open_for, "how long it stays open before probing");
    v("half_open_probes", o.half_open_probes, "probe requests let through when half open");
}

template <class V>
void fields(V& v, HedgeOptions& o) {
    v("enabled", o.enabled, "hedged requests");
    v("delay", o.delay, "send another copy after this long without an answer");
    v("hedges_max", o.hedges_max, "extra copies per try");
}

template <class V>
void fields(V& v, CacheOptions& o) {
    v("entries_max", o.entries_max, "entries before LRU eviction");
    v("ttl", o.ttl, "time to live");
    v("coalesce", o.coalesce, "single flight: concurrent misses of a key share one fill");
    v("lease", o.lease, "at most one fill per key per lease (0: off)");
    v("xfetch_beta", o.xfetch_beta, "probabilistic early recomputation (0: off; 1: optimal)");
    v("stale_while_revalidate", o.stale_while_revalidate, "serve expired entries this long while refreshing (0: off)");
    v("warmup_fills_per_second", o.warmup_fills_per_second, "limit fills per second (0: off)");
    v("warmup_burst", o.warmup_burst, "fill bucket size");
    v("waiters_max", o.waiters_max, "gets waiting on one key's fill, at most");
    v("wait_max", o.wait_max, "longest wait for another's fill");
}

// Checks a scenario file's cache and balancer settings (reported at the offending key).
inline std::optional<std::string> validate(const CacheOptions& o) {
    if (o.entries_max < 1) return "entries_max must be at least 1";
    if (o.ttl.count() <= 0) return "ttl must be positive";
    if (o.xfetch_beta < 0) return "xfetch_beta cannot be negative (0: off, 1: the paper's optimum)";
    if (o.warmup_fills_per_second < 0) return "warmup_fills_per_second cannot be negative (0: off)";
    if (o.warmup_fills_per_second > 0 && o.warmup_burst < 1) return "warmup_burst must be at least 1";
    if (o.waiters_max < 1) return "waiters_max must be at least 1";
    return std::nullopt;
}

inline std::optional<std::string> validate(const LbOptions& o) {
    if (o.ejection_errors < 1) return "ejection_errors must be at least 1";
    if (o.ejected_max_ratio < 0 || o.ejected_max_ratio > 1) return "ejected_max_ratio must be between 0 and 1";
    return std::nullopt;
}

template <class V>
void fields(V& v, WorkQueueOptions& o) {
    v("workers_max", o.workers_max, "concurrent requests in service");
    v("queue_max", o.queue_max, "requests waiting, at most (more are rejected as overloaded)");
    v("discipline", o.discipline, "fifo, lifo or codel");
    v("codel_target", o.codel_target, "CoDel: acceptable queueing delay");
    v("codel_interval", o.codel_interval, "CoDel: how long the delay may stay above target");
}

inline std::optional<std::string> validate(const KeyOptions& o) {
    if (o.keys < 1 || o.keys > KeyOptions::keys_limit) return "keys must be between 1 and 2^53";
    if (!(o.zipf_s >= 0 && o.zipf_s <= KeyOptions::zipf_s_limit)) return "zipf_s must be between 0 (uniform) and 100";
    return std::nullopt;
}

// Key popularity in one word: "zipf(100000, 0.99)" or "uniform(1000)" (write_ratio unchanged).
inline sim::ParseError parse_shorthand(std::string_view text, KeyOptions& o) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
    };
    text = trim(text);
    const auto open = text.find('(');
    if (open == std::string_view::npos || text.back() != ')') {
        return std::string("expected zipf(KEYS, EXPONENT), uniform(KEYS) or a mapping {keys: ..., zipf_s: ...}");
    }
    const std::string_view name = trim(text.substr(0, open));
    const std::string_view args = text.substr(open + 1, text.size() - open - 2);
    const auto comma = args.find(',');
    KeyOptions parsed = o;
    if (auto e = sim::parse_value(trim(args.substr(0, comma)), parsed.keys)) return "KEYS: " + *e;
    if (name == "uniform") {
        if (comma != std::string_view::npos) return std::string("uniform takes one argument: uniform(KEYS)");
        parsed.zipf_s = 0;
    } else if (name == "zipf") {
        if (comma == std::string_view::npos) return std::string("zipf takes two arguments: zipf(KEYS, EXPONENT)");
        if (auto e = sim::parse_value(trim(args.substr(comma + 1)), parsed.zipf_s)) return "EXPONENT: " + *e;
        // 0 is uniform popularity, as zipf_s: 0 is in the mapping form (it was refused here only).
        if (!(parsed.zipf_s >= 0 && parsed.zipf_s <= KeyOptions::zipf_s_limit))
            return std::string("EXPONENT must be between 0 (uniform) and 100 (0.99 is typical)");
    } else {
        return "unknown key popularity '" + std::string(name) + "'" + sim::did_you_mean_or(name, {"zipf", "uniform"}, " (zipf or uniform)");
    }
    if (auto e = validate(parsed)) return e;  // the ranges, as for the mapping form
    o = parsed;
    return std::nullopt;
}

template <class V>
void fields(V& v, KeyOptions& o) {
    v("keys", o.keys, "number of distinct keys");
    v("zipf_s", o.zipf_s, "0: uniform popularity; > 0: Zipf exponent (0.99 is typical)");
    v("write_ratio", o.write_ratio, "share of requests that are writes");
}

template <class V>
void fields(V& v, LbOptions& o) {
    v("policy", o.policy, "round_robin, least_outstanding, power_of_two or key_hash");
    v("outlier_ejection", o.outlier_ejection, "leave out backends that keep failing");
    v("ejection_errors", o.ejection_errors, "consecutive errors that eject a backend");
    v("ejection_time", o.ejection_time, "how long an ejected backend stays out");
    v("ejected_max_ratio", o.ejected_max_ratio, "never eject more than this share");
}

}  // namespace models

namespace models::replication {

template <class V>
void fields(V& v, PrimaryBackupOptions& o) {
    v("controller", o.controller, "the failover controller's host (default <store>-controller)");
    v("heartbeat_interval", o.heartbeat_interval, "controller -> replicas");
    v("failover_timeout", o.failover_timeout, "primary silent this long: promote a backup");
    v("ship_interval", o.ship_interval, "how often the primary ships to each backup");
    v("replication_timeout", o.replication_timeout, "sync: wait for every backup this long");
}

template <class V>
void fields(V& v, QuorumOptions& o) {
    v("r", o.r, "replicas a read waits for");
    v("w", o.w, "replicas a write waits for");
    v("read_fanout", o.read_fanout, "all or quorum");
    v("read_repair", o.read_repair, "send the newest version to stale replicas a read saw");
    v("straggler_delay", o.straggler_delay, "writes reach the last N-W replicas this much later");
}

template <class V>
void fields(V& v, RegionalOptions& o) {
    v("ship_interval", o.ship_interval, "how often a region ships to each peer");
    v("outbox_max", o.outbox_max, "entries waiting per peer");
    v("siblings_max", o.siblings_max, "multi_value: siblings kept per key");
}

}  // namespace models::replication

namespace sim {

template <class V>
void fields(V& v, PoolOptions& o) {
    v("connections_max", o.connections_max, "connections from each client host to each server");
    v("acquire_timeout", o.acquire_timeout, "waiting for a free connection (then: exhausted)");
    v("connect_timeout", o.connect_timeout, "the handshake");
    v("keepalive_interval", o.keepalive_interval, "probe idle connections this often (0: off)");
    v("keepalive_timeout", o.keepalive_timeout, "no probe answer within this: the connection is dead");
}

}  // namespace sim
