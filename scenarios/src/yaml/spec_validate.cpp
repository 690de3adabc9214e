// Field-level checks of a scenario spec (the reader reports them at the struct's node) and host
// range expansion. Cross-references (call targets, fault targets, metrics) are checked when the
// world is built, also with the location they came from.
#include <algorithm>
#include <charconv>
#include <tuple>

#include "faultline/model_kind.hpp"
#include "faultline/spec.hpp"

namespace faultline {

std::vector<std::string> expand_hosts(const std::string& pattern) {
    const std::size_t open = pattern.find('{');
    if (open == std::string::npos) return {pattern};
    const std::size_t dots = pattern.find("..", open);
    const std::size_t close = pattern.find('}', open);
    if (dots == std::string::npos || close == std::string::npos || dots > close) return {pattern};
    long lo = 0, hi = 0;
    const char* a = pattern.data() + open + 1;
    const char* b = pattern.data() + dots + 2;
    auto r1 = std::from_chars(a, pattern.data() + dots, lo);
    auto r2 = std::from_chars(b, pattern.data() + close, hi);
    if (r1.ec != std::errc{} || r2.ec != std::errc{} || r1.ptr != pattern.data() + dots || r2.ptr != pattern.data() + close ||
        lo > hi) {
        return {pattern};
    }
    // hi - lo in unsigned arithmetic: exact for lo <= hi, where the signed difference of
    // {-9223372036854775808..9223372036854775807} would overflow.
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span >= hosts_limit) return {pattern};
    const std::string head = pattern.substr(0, open);
    const std::vector<std::string> rests = expand_hosts(pattern.substr(close + 1));
    // Several ranges multiply: api-{1..100000}-{1..100000} would be 10^10 names.
    if ((span + 1) * rests.size() > hosts_limit) return {pattern};
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(span + 1) * rests.size());
    for (std::uint64_t k = 0; k <= span; ++k) {  // counted, not `i <= hi`: i++ past LONG_MAX never ends
        const long i = static_cast<long>(static_cast<std::uint64_t>(lo) + k);
        for (const std::string& rest : rests) out.push_back(head + std::to_string(i) + rest);
    }
    return out;
}

std::optional<std::string> validate(const CallSpec& c) {
    if (c.target.empty()) return "a call needs a target";
    if (c.timeout.count() <= 0) return "timeout must be positive";
    if (c.fanout < 1 || c.fanout > 1000) return "fanout must be between 1 and 1000";
    if (c.retry.attempts_max < 1 || c.retry.attempts_max > models::RetryOptions::attempts_limit) {
        return "retry.attempts_max must be between 1 and " + std::to_string(models::RetryOptions::attempts_limit);
    }
    if (c.retry.attempts_max > 1 && c.retry.retry_on.empty())
        return "retry.retry_on is empty, so none of the " + std::to_string(c.retry.attempts_max) +
               " attempts would be retried: name the errors (timeout, overloaded, ...), or set attempts_max: 1";
    if (c.hedge.hedges_max < 0 || c.hedge.hedges_max > models::HedgeOptions::hedges_limit) return "hedge.hedges_max must be between 0 and 10";
    if (c.pool && (c.pool->connections_max < 1 || c.pool->connections_max > CallSpec::pool_connections_limit)) {
        return "pool.connections_max must be between 1 and " + std::to_string(CallSpec::pool_connections_limit);
    }
    if (c.pool) {
        if (auto e = models::replication::check_period("pool.keepalive_interval", c.pool->keepalive_interval,
                                                       "the keepalive", "0 turns it off")) {
            return e;
        }
    }
    return std::nullopt;
}

std::optional<std::string> validate(const ServiceSpec& s) {
    if (s.hosts.empty()) return "a service needs hosts";
    if (s.queue.workers_max < 1) return "queue.workers_max must be at least 1";
    if (s.cache && s.calls.empty()) return "a cache needs calls to fill it from";
    if (s.disk_write_bytes > ServiceSpec::disk_write_bytes_limit) {
        return "disk_write_bytes must be at most " + std::to_string(ServiceSpec::disk_write_bytes_limit) + " (1 MiB per request)";
    }
    return std::nullopt;
}

std::optional<std::string> validate(const DatabaseSpec& d) {
    if (d.hosts.empty()) return "a database needs hosts";
    if (d.options.connections_max < 1) return "connections_max must be at least 1";
    if (d.options.executors.workers_max < 1) return "executors.workers_max must be at least 1";
    if (d.options.memory_max_mb < 0) return "memory_max_mb cannot be negative";
    if (d.options.memory_base_mb < 0) return "memory_base_mb cannot be negative";
    if (d.options.memory_per_connection_mb < 0) return "memory_per_connection_mb cannot be negative";
    // It dies when base + per_connection * connections passes the limit: one connection must fit.
    const double one_connection = d.options.memory_base_mb + d.options.memory_per_connection_mb;
    if (d.options.memory_max_mb > 0 && d.options.memory_max_mb < one_connection) {
        return "memory_max_mb is " + format_value(d.options.memory_max_mb) +
               ", below memory_base_mb + memory_per_connection_mb (" + format_value(one_connection) +
               "): the database would die of its first connection; raise it, or 0 for no limit";
    }
    return std::nullopt;
}

std::optional<std::string> validate(const WorkloadSpec& w) {
    if (w.hosts.empty()) return "a workload needs hosts";
    if (w.open_loop.has_value() == w.closed_loop.has_value()) return "a workload is either open_loop or closed_loop";
    constexpr double rate_max = 10'000'000;  // arrivals per second, at the diurnal peak too
    if (w.open_loop && w.open_loop->rate.per_second > rate_max) return "open_loop.rate above 10M/s";
    if (w.open_loop && w.open_loop->inflight_max < 1)
        return "open_loop.inflight_max must be at least 1 (with 0 every request is dropped at the client)";
    if (w.open_loop && !w.open_loop->diurnal.empty()) {
        double peak = 0;
        for (const double m : w.open_loop->diurnal) {
            if (!(m >= 0 && m <= 1000)) return "open_loop.diurnal: multipliers must be between 0 and 1000";
            peak = std::max(peak, m);
        }
        if (w.open_loop->rate.per_second * peak > rate_max) return "open_loop.diurnal: its peak makes the rate above 10M/s";
        if (w.open_loop->diurnal_period.count() < static_cast<std::int64_t>(w.open_loop->diurnal.size())) {
            return "open_loop.diurnal_period: shorter than a nanosecond per multiplier";
        }
    }
    if (w.closed_loop) {
        // Each client is a simulated process (about 4.4 KB: its fiber's touched stack and state), on
        // every host of the workload: a million in all is about 4.4 GB.
        constexpr std::uint64_t processes_max = 1'000'000;
        const std::uint64_t hosts = expand_hosts(w.hosts).size();
        const std::uint64_t clients = w.closed_loop->clients < 1 ? 0 : static_cast<std::uint64_t>(w.closed_loop->clients);
        if (clients < 1 || clients > processes_max) return "closed_loop.clients must be from 1 to 1,000,000";
        if (clients * std::max<std::uint64_t>(hosts, 1) > processes_max) {
            return "closed_loop.clients: " + std::to_string(clients) + " on each of " + std::to_string(hosts) + " hosts is " +
                   std::to_string(clients * hosts) + " simulated processes; at most 1,000,000 in all (each takes about 4.4 KB)";
        }
    }
    return std::nullopt;
}

std::optional<std::string> validate(const InvariantSpec& i) {
    if (i.name.empty()) return "an invariant needs a name";
    const int kinds = i.always.has_value() + i.eventually.has_value() + i.recovers.has_value() + i.slo.has_value() +
                      i.converges.has_value() + i.no_lost_writes.has_value() + i.linearizable.has_value() + i.stale_reads.has_value();
    if (kinds != 1) {
        return "an invariant is exactly one of always, eventually, recovers, slo, converges, no_lost_writes, linearizable, stale_reads";
    }
    // A metric or store left out read as a metric named '' ("no metric ''"): say what is missing.
    for (const auto& [kind, metric, example] :
         {std::tuple{"always", i.always ? &i.always->metric : nullptr, "api.queue"},
          std::tuple{"eventually", i.eventually ? &i.eventually->metric : nullptr, "api.queue"},
          std::tuple{"recovers", i.recovers ? &i.recovers->metric : nullptr, "users.ok"},
          std::tuple{"slo", i.slo ? &i.slo->metric : nullptr, "users.latency"}}) {
        if (metric != nullptr && metric->empty()) return std::string(kind) + " needs metric (e.g. " + example + ")";
    }
    for (const auto& [kind, c] :
         {std::pair{"converges", &i.converges}, std::pair{"no_lost_writes", &i.no_lost_writes},
          std::pair{"linearizable", &i.linearizable}, std::pair{"stale_reads", &i.stale_reads}}) {
        if (*c && (*c)->store.empty()) return std::string(kind) + " needs store (the name of a store under stores:)";
    }
    if (i.stale_reads && !i.stale_reads->max) return "stale_reads needs max (e.g. 1%)";
    for (const auto& [kind, c] : {std::pair{"converges", &i.converges}, std::pair{"no_lost_writes", &i.no_lost_writes},
                                  std::pair{"stale_reads", &i.stale_reads}}) {
        if (*c && (*c)->steps_max) {  // named by its checker, so the error points at it, not at the list item
            return std::string(kind) + ": steps_max is the linearizable checker's search budget; " + kind + " has none";
        }
    }
    for (const auto& [kind, c] : {std::pair{"converges", &i.converges}, std::pair{"no_lost_writes", &i.no_lost_writes},
                                  std::pair{"linearizable", &i.linearizable}}) {
        if (*c && (*c)->max) {
            return std::string(kind) + ": max is the stale_reads checker's bound; " + kind +
                   " has none (one violation fails it)";
        }
    }
    if (i.linearizable && i.linearizable->steps_max && (*i.linearizable->steps_max < 1 || *i.linearizable->steps_max > 10'000'000'000ull)) {
        return "linearizable.steps_max must be between 1 and 10000000000";
    }
    if (i.always && !i.always->max && !i.always->min) return "always needs max or min";
    if (i.eventually && !i.eventually->max && !i.eventually->min) return "eventually needs max or min";
    // A bound no value meets: the file's mistake, not the system's failure.
    for (const auto& [kind, min, max] : {std::tuple{"always", i.always ? i.always->min : std::nullopt, i.always ? i.always->max : std::nullopt},
                                         std::tuple{"eventually", i.eventually ? i.eventually->min : std::nullopt,
                                                    i.eventually ? i.eventually->max : std::nullopt}}) {
        if (min && max && *min > *max) {
            return std::string(kind) + ": min (" + format_value(*min) + ") is above max (" + format_value(*max) +
                   "): no value is within both";
        }
    }
    if (i.eventually && i.eventually->by && i.eventually->by->count() <= 0) {
        return "eventually: by must be after the start (unwritten, it is the end of the run)";
    }
    if (i.eventually && i.eventually->after.count() < 0) return "eventually: after must not be negative";
    if (i.eventually && i.eventually->by && i.eventually->after > *i.eventually->by) {
        return "eventually: after (" + format_value(i.eventually->after) + ") comes after by (" +
               format_value(*i.eventually->by) + "): the bound could never count";
    }
    if (i.recovers) {
        const RecoversSpec& r = *i.recovers;
        if (r.baseline_to.count() == 0) {  // not given: a zero-length window, where nothing was written
            return "recovers: needs a baseline window before the trigger: baseline_from and baseline_to (e.g. baseline_from: "
                   "10s, baseline_to: 19s)";
        }
        if (r.baseline_to <= r.baseline_from) return "recovers: baseline_to must come after baseline_from";
        if (r.baseline_to > r.after) {
            return "recovers: baseline_to must not come after `after`: the baseline is the rate before the trigger, "
                   "not during or after it";
        }
        if (r.within.count() <= 0) return "recovers: within must be positive";
        if (!(r.share > 0 && r.share <= 1.5)) return "recovers: share must be in (0, 1.5]";
    }
    if (i.slo && i.slo->max.count() <= 0) return "slo: needs max, a bound above 0 (e.g. max: 100ms)";
    if (i.slo && !(i.slo->quantile > 0 && i.slo->quantile <= 1)) return "slo: quantile must be in (0, 1]";
    if (i.slo && i.slo->from.count() < 0) return "slo: from must not be negative";
    if (i.slo && i.slo->to && *i.slo->to <= i.slo->from) {
        return "slo: to (" + format_value(*i.slo->to) + ") must come after from (" + format_value(i.slo->from) + ")";
    }
    return std::nullopt;
}

std::optional<std::string> validate(const NemesisSpec& n) {
    if (n.concurrent_max < 1) return "concurrent_max must be at least 1 (with 0 no fault window could open: the nemesis would inject nothing)";
    return std::nullopt;
}

std::optional<std::string> validate(const StoreSpec& s) {
    std::size_t replicas = 0;
    for (const std::string& pattern : s.replicas) replicas += expand_hosts(pattern).size();
    if (replicas > StoreSpec::replicas_limit) {
        return "replicas names " + std::to_string(replicas) + " hosts; a store has at most " +
               std::to_string(StoreSpec::replicas_limit) +
               " (the primary-backup and regional designs run a shipper on every replica for every other one: " +
               std::to_string(StoreSpec::replicas_limit) + " replicas are about 250,000 processes and 1.5 GB)";
    }
    if (s.request_timeout.count() <= 0) return "request_timeout must be positive";
    models::replication::StoreOptions periods;
    periods.fsync_interval = s.fsync_interval;
    periods.anti_entropy_interval = s.anti_entropy_interval;
    if (auto e = models::replication::check_periods(periods)) return e;
    if (s.peer_timeout.count() <= 0) return "peer_timeout must be positive";
    if (s.regional.outbox_max < 1) return "regional.outbox_max must be at least 1";
    if (s.regional.siblings_max < 1) return "regional.siblings_max must be at least 1";
    if (s.clients.keys < 1) return "clients.keys must be at least 1";
    return std::nullopt;
}

std::optional<std::string> validate(const ModelSpec& m) {
    if (m.kind.empty()) return "a model needs a kind";
    if (find_model_kind(m.kind) == nullptr) {
        const std::vector<std::string> kinds = model_kind_names();
        std::string msg = "no model kind '" + m.kind + "'";
        if (auto near = nearest(m.kind, kinds)) return msg + " (did you mean '" + *near + "'?)";
        if (kinds.empty()) return msg + " (this program registers no model kinds: they come from C++, see docs/scenario-language.md)";
        msg += " (registered:";
        for (const std::string& k : kinds) msg += " " + k;
        return msg + ")";
    }
    if (m.hosts.empty()) return "a model needs hosts";
    return std::nullopt;
}

std::optional<std::string> validate(const ScenarioSpec& s) {
    if (s.duration.count() <= 0) return "duration must be positive";
    // Both values: either may come from --set rather than from the line the error points at.
    if (s.limits.events_max < 1) return "limits.events_max must be at least 1 (as --events-max)";
    if (s.limits.stack_kib < LimitsSpec::stack_kib_min || s.limits.stack_kib > LimitsSpec::stack_kib_max) {
        return "limits.stack_kib must be between " + std::to_string(LimitsSpec::stack_kib_min) + " and " + std::to_string(LimitsSpec::stack_kib_max);
    }
    if (s.limits.time_max && *s.limits.time_max < s.duration) {
        return "limits.time_max must be at least the duration (it is " + format_value(*s.limits.time_max) + "; the duration is " +
               format_value(s.duration) + ")";
    }
    if (s.metrics_interval.count() <= 0) return "metrics_interval must be positive";
    // Every sample is a row of every metric, kept for the whole run.
    if (s.duration / s.metrics_interval > ScenarioSpec::samples_limit) {
        return "metrics_interval " + format_value(s.metrics_interval) + " samples the " + format_value(s.duration) + " run " +
               std::to_string(s.duration / s.metrics_interval) + " times; at most " + std::to_string(ScenarioSpec::samples_limit) +
               " (make it " + format_value(std::max(sim::Duration(1), s.duration / ScenarioSpec::samples_limit)) + " or more)";
    }
    // The base design's expectation and each variant's (a variant's replaces the base's when it runs).
    auto check_expect = [&s](const ExpectSpec& e, const std::string& at) -> std::optional<std::string> {
        if (e.verdict != "pass" && e.verdict != "fail" && e.verdict != "runaway") return at + ".verdict must be pass, fail or runaway";
        if (e.failure.empty()) return std::nullopt;
        std::vector<std::string> names;
        for (const InvariantSpec& inv : s.invariants) names.push_back(inv.name);
        if (std::find(names.begin(), names.end(), e.failure) != names.end()) return std::nullopt;
        return at + ".failure: no invariant is named '" + e.failure + "'" +
               sim::did_you_mean_or(e.failure, names, names.empty() ? " (the scenario has no invariants)" : "");
    };
    if (auto e = check_expect(s.expect, "expect")) return e;
    for (const auto& [name, v] : s.variants) {
        if (auto e = check_expect(v.expect, "variants." + name + ".expect")) return e;
    }
    // The replica bound is on the whole run, not per store: a store of 500 is about 250,000
    // shipper processes (one per replica per other replica), and four of them took 4.4 GB.
    std::size_t pairs = 0;
    for (const auto& [name, st] : s.stores) {
        if (st.design == models::replication::Design::quorum) continue;  // no shippers
        std::size_t n = 0;
        for (const std::string& pattern : st.replicas) n += expand_hosts(pattern).size();
        pairs += n * (n > 0 ? n - 1 : 0);
    }
    constexpr std::size_t pairs_limit = StoreSpec::replicas_limit * (StoreSpec::replicas_limit - 1);
    if (pairs > pairs_limit) {
        return "stores: their replicas make " + std::to_string(pairs) +
               " replica pairs in all (a shipper process each, in the primary-backup and regional designs); at "
               "most " +
               std::to_string(pairs_limit) + ", one store of " + std::to_string(StoreSpec::replicas_limit) +
               " replicas";
    }
    if (s.services.empty() && s.databases.empty() && s.workloads.empty() && s.stores.empty() && s.models.empty()) {
        return "nothing to run: a scenario needs at least one of services, databases, workloads, stores or models";
    }
    return std::nullopt;
}

}  // namespace faultline
