// A look-aside cache in front of a slow backend: LRU with a TTL, and the mitigations people use
// against cache stampedes (many requests missing at once and all going to the database).
//
// What it models: entries (a key, a value and a version) that expire `ttl` after they were
// filled, evicted least-recently-used beyond `entries_max`, hit/miss accounting, full and
// partial flushes, and five mitigations, each off by default so a scenario can A/B them:
//   coalesce                 single flight: concurrent misses on a key share one fill.
//   lease                    at most one fill per key per lease interval (Facebook's memcache
//                            leases): other missers get the stale value if one is left, or wait
//                            for the holder's value; if the holder fails, nobody refills before
//                            the interval ends.
//   xfetch_beta              probabilistic early recomputation (Vattani, Chierichetti & Lowenstein,
//                            "Optimal probabilistic cache stampede prevention", VLDB 2015).
//   stale_while_revalidate   just past its TTL an entry is still served, while one background
//                            fill refreshes it.
//   warmup_fills_per_second  a token bucket in front of the backend: a miss that finds no token
//                            fails fast with Errc::overloaded instead of adding to the load.
//
// The fill (the backend read) is the caller's function; the cache decides who calls it and when.
// A cache is volatile state: make it with host.make<Cache>(...) in the host's boot function, so
// a crash or restart empties it.
//
// Left out: value sizes and memory accounting (entries_max counts entries), a network hop to a
// remote cache (a caller wraps the cache in RPC to model memcached or Redis), replication,
// write-back, and per-entry TTLs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "models/lru.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/simulator.hpp"
#include "sim/sync.hpp"
#include "sim/time.hpp"

namespace models {

struct CacheOptions {
    // Entries, fresh or expired, that the cache holds before it evicts the least recently used.
    std::size_t entries_max = 10'000;
    sim::Duration ttl = std::chrono::seconds(60);

    // Single flight: a miss on a key whose fill is in progress waits for that fill and shares
    // its outcome (value or error) instead of starting another.
    bool coalesce = false;
    // > 0: a fill holds the key's lease for this long. Until it ends no other fill of the key
    // starts: missers get the stale value if the cache still has one, or wait for the holder's
    // value; if the holder fails (error, crash) they wait the lease out and the next one fills.
    sim::Duration lease{0};
    // > 0: a hit recomputes early when now - delta * beta * log(U) >= expiry, U uniform in (0, 1]
    // and delta the duration of the fill that stored the entry. 1 is the paper's optimum;
    // larger recomputes earlier.
    double xfetch_beta = 0;
    // > 0: an entry up to this much past its TTL is served as is (a hit, and counted as stale
    // served) while one background fill, started by the get that found it, refreshes it.
    sim::Duration stale_while_revalidate{0};
    // > 0: fills (misses, refreshes, early recomputes) draw from a token bucket of this rate
    // and `warmup_burst` tokens, full at start. A miss that finds it empty fails at once with
    // Errc::overloaded; a refresh or early recompute is skipped. It binds while a cold cache
    // warms up (hence the name) and stays on, to cap fills in any second.
    double warmup_fills_per_second = 0;
    double warmup_burst = 10;

    // Limits on gets waiting for another's fill (coalesced or leased): at most this many per key
    // (more get Errc::overloaded), for at most this long (then Errc::timeout).
    std::size_t waiters_max = 1'000;
    sim::Duration wait_max = std::chrono::seconds(10);
};

using CacheKey = std::uint64_t;

struct CacheValue {
    std::uint64_t value = 0;
    std::uint64_t version = 0;
    friend bool operator==(const CacheValue&, const CacheValue&) = default;
};

class Cache {
public:
    // Fetches the value from the backend; it may suspend, and its errors are the get's errors.
    using Fill = std::function<sim::Result<CacheValue>(sim::Ctx&)>;
    // What get() takes: any copyable fill (a lambda, a Fill), by reference for the length of the
    // get. Only a background refresh, which outlives the get, copies it (into a Fill); a hit or a
    // fill in the caller's own process makes no copy, so a lambda with a large capture costs no
    // allocation per get (it did in std::function: one malloc a request of the stampede).
    class FillRef {
    public:
        template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FillRef> &&
                                                    std::is_invocable_r_v<sim::Result<CacheValue>, const F&, sim::Ctx&>>>
        FillRef(const F& fill) noexcept  // NOLINT(google-explicit-constructor): passed like a Fill
            : fill_(&fill),
              call_([](const void* f, sim::Ctx& ctx) -> sim::Result<CacheValue> { return (*static_cast<const F*>(f))(ctx); }),
              copy_([](const void* f) -> Fill { return Fill(*static_cast<const F*>(f)); }) {}
        sim::Result<CacheValue> operator()(sim::Ctx& ctx) const { return call_(fill_, ctx); }
        Fill copy() const { return copy_(fill_); }

    private:
        const void* fill_;
        sim::Result<CacheValue> (*call_)(const void*, sim::Ctx&);
        Fill (*copy_)(const void*);
    };

    // Randomness (XFetch) comes from the stream "cache/<name>".
    Cache(sim::Simulator& sim, std::string name, CacheOptions options = {});
    ~Cache();
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;

    // The value for `key`. A fresh entry is a hit; otherwise `fill` runs (in this process, or
    // another's fill is shared) as the options say, and its value is stored. Errors: those of
    // the fill; overloaded (the warm-up bucket is empty, or waiters_max gets already wait on the
    // key); timeout (waited wait_max for another's fill); reset (the fill this get waited for
    // was abandoned: its process was killed, e.g. its host crashed).
    // With stale_while_revalidate on, a refresh runs a copy of `fill` in a background process on
    // ctx's host after this get has returned: the fill must capture by value what it uses (a [&]
    // capture of the caller's locals would dangle).
    sim::Result<CacheValue> get(sim::Ctx& ctx, CacheKey key, FillRef fill);

    // The fresh value for `key`, if any: no accounting, no fill, no change of recency.
    std::optional<CacheValue> peek(CacheKey key) const;
    // Stores a value directly (write-through), as if a fill of cost `fill_cost` (XFetch's delta)
    // had just returned it. Fills of the key in progress will not overwrite it.
    void put(CacheKey key, CacheValue value, sim::Duration fill_cost = {});
    // Drops the key; fills of it in progress will not store their (possibly older) value.
    void erase(CacheKey key);
    // Drops every entry; fills in progress still answer their waiters but store nothing, and
    // leases end.
    void flush();
    // Drops each entry with probability r (a share of the keyspace lost, e.g. one node of a
    // consistent-hash ring restarted). Returns how many were dropped.
    std::size_t flush_ratio(sim::Ratio r, sim::Rng& rng);

    // Entries held, including expired ones that no get has found yet (expiry is lazy, as in
    // memcached: an expired entry holds its slot until a get finds it or LRU evicts it).
    std::size_t size() const noexcept { return entries_.size(); }

    struct Counters {
        std::uint64_t gets = 0;
        std::uint64_t hits = 0;    // a fresh entry, or one within the stale-while-revalidate window
        std::uint64_t misses = 0;  // gets - hits: the get needed a fill (its own or another's)
        std::uint64_t fills = 0;   // fills started: calls to the backend
        std::uint64_t fill_errors = 0;
        std::uint64_t fills_abandoned = 0;   // the filling process was killed mid-fill
        std::uint64_t coalesced = 0;         // waits on another's fill (single flight)
        std::uint64_t lease_waits = 0;       // waits on the lease holder's fill
        std::uint64_t stale_served = 0;      // expired values returned (SWR window, or under a lease)
        std::uint64_t early_recomputes = 0;  // XFetch fills of a still-fresh entry
        std::uint64_t evictions = 0;         // LRU, to stay within entries_max
        std::uint64_t expirations = 0;       // expired entries dropped or replaced
        std::uint64_t warmup_rejects = 0;    // fills the warm-up bucket refused
        std::uint64_t waiter_rejects = 0;    // gets refused because waiters_max already waited
        std::uint64_t flushes = 0;           // full and partial
    };
    const Counters& counters() const noexcept { return counters_; }
    // hits / gets (0 before the first get).
    double hit_ratio() const noexcept;
    const CacheOptions& options() const noexcept { return options_; }
    const std::string& name() const noexcept { return name_; }

private:
    struct Entry {
        CacheValue value;
        sim::Time expires_at;
        sim::Duration delta;  // how long the fill that stored it took (XFetch)
    };
    // One fill that others may join: its outcome, shared through a future whose promise lives
    // in the filling process, so a killed filler breaks it and its waiters wake.
    struct Flight {
        std::uint64_t seq = 0;
        sim::Time lease_until = sim::time_zero;
        sim::Future<sim::Result<CacheValue>> outcome;
        std::size_t waiters = 0;
        bool done = false;  // answered or abandoned
    };
    // Per key with fills in progress or a lease still running.
    struct KeyState {
        std::size_t fills = 0;              // in progress
        std::uint64_t invalidated_seq = 0;  // erase/put: fills started before do not store
        std::shared_ptr<Flight> leader;     // the fill missers may join
    };
    enum class FillKind : std::uint8_t { miss, early, refresh };
    class FillTicket;

    sim::Result<CacheValue> fill_now(sim::Ctx& ctx, CacheKey key, FillRef fill, FillKind kind);
    void start_refresh(sim::Ctx& ctx, CacheKey key, FillRef fill);
    FillTicket begin_fill(CacheKey key, sim::Time now, FillKind kind);
    void end_fill(FillTicket& ticket, sim::Ctx* ctx, const sim::Result<CacheValue>* outcome);
    std::shared_ptr<Flight> joinable_flight(CacheKey key, sim::Time now);
    bool refresh_blocked(CacheKey key, sim::Time now) const;
    bool leader_valid(const KeyState& ks) const noexcept { return ks.leader && ks.leader->seq > flushed_seq_; }
    bool xfetch_fires(const Entry& e, sim::Time now);
    bool take_token(sim::Time now);
    void store(CacheKey key, CacheValue value, sim::Time now, sim::Duration delta);
    void invalidate(CacheKey key);
    void forget_if_idle(CacheKey key, sim::Time now);
    void sweep_leases(sim::Time now);

    sim::Simulator& sim_;
    std::string name_;
    CacheOptions options_;
    sim::Rng rng_;
    // Fills hold this, not just `this`: a fill can outlive the cache (another host's process,
    // or a refresh not started yet when the cache's host crashed) and must then touch nothing.
    std::shared_ptr<bool> alive_;

    LruMap<CacheKey, Entry> entries_;
    std::unordered_map<CacheKey, KeyState> keys_;            // lookup only, never iterated
    std::deque<std::pair<sim::Time, CacheKey>> lease_ends_;  // in time order: forget idle keys
    std::uint64_t seq_ = 0;                                  // numbers fills and invalidations, in order
    std::uint64_t flushed_seq_ = 0;  // fills and flights numbered up to here predate the last flush

    double tokens_ = 0;
    sim::Time tokens_at_ = sim::time_zero;

    Counters counters_;
};

}  // namespace models
