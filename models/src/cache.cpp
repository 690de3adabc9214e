// The cache model: lookups, fills and the stampede mitigations (see models/cache.hpp).
//
// Who fills, and who may join whose fill, is tracked per key in `keys_` only while a key has
// fills in progress or a running lease; a key's "leader" is the fill missers may join. Fills and
// invalidations (erase, put, flush) are numbered by one sequence, so a fill that started before
// an invalidation of its key knows not to store what it read.
#include "models/cache.hpp"

#include <algorithm>

#include "sim/check.hpp"
#include "sim/detmath.hpp"

namespace models {
namespace {

// A get waiting through leases retries once per lease; with a lease much shorter than wait_max
// this bounds the rounds (the get then gives up with Errc::timeout).
constexpr int rounds_max = 64;

// One SIM_COVER site per mark, whatever branch reaches it.
void cover_stale_served() { SIM_COVER("cache: stale served"); }
void cover_warmup_reject() { SIM_COVER("cache: warm-up reject"); }

}  // namespace

// A fill in progress. It lives in the filling process (on its stack, or in the closure of a
// refresh not started yet), so when that process is killed the ticket's destructor tells the
// cache the fill was abandoned and its promise breaks, waking the fill's waiters.
class Cache::FillTicket {
public:
    FillTicket(Cache* cache, CacheKey key, std::uint64_t seq, sim::Time started, FillKind kind)
        : cache_(cache), alive_(cache->alive_), key_(key), seq_(seq), started_(started), kind_(kind) {}
    FillTicket(FillTicket&& other) noexcept
        : cache_(std::exchange(other.cache_, nullptr)),
          alive_(std::move(other.alive_)),
          key_(other.key_),
          seq_(other.seq_),
          started_(other.started_),
          kind_(other.kind_),
          flight_(std::move(other.flight_)),
          promise_(std::move(other.promise_)) {}
    FillTicket& operator=(FillTicket&&) = delete;
    ~FillTicket() {
        if (cache_ != nullptr && *alive_) cache_->end_fill(*this, nullptr, nullptr);
    }

    sim::Result<CacheValue> run(sim::Ctx& ctx, FillRef fill) {
        if (!*alive_) return sim::Errc::reset;  // a refresh that started after its cache was destroyed
        sim::Result<CacheValue> outcome = fill(ctx);
        if (*alive_) {
            cache_->end_fill(*this, &ctx, &outcome);
        } else if (promise_) {
            promise_->set_value(outcome);  // the cache is gone; its waiters notice and give up
        }
        cache_ = nullptr;
        return outcome;
    }

private:
    friend class Cache;
    Cache* cache_;  // null once ended (or moved from)
    std::shared_ptr<bool> alive_;
    CacheKey key_;
    std::uint64_t seq_;
    sim::Time started_;
    FillKind kind_;
    std::shared_ptr<Flight> flight_;  // set if this fill leads the key (others may join it)
    std::optional<sim::Promise<sim::Result<CacheValue>>> promise_;
};

Cache::Cache(sim::Simulator& sim, std::string name, CacheOptions options)
    : sim_(sim),
      name_(std::move(name)),
      options_(options),
      rng_(sim.rng("cache/" + name_)),
      alive_(std::make_shared<bool>(true)),
      tokens_(options.warmup_burst),
      tokens_at_(sim.now()) {
    SIM_ASSERT(options_.entries_max > 0, "cache: entries_max must be positive");
    SIM_ASSERT(options_.ttl > sim::Duration::zero(), "cache: ttl must be positive");
    SIM_ASSERT(options_.lease >= sim::Duration::zero(), "cache: negative lease");
    SIM_ASSERT(options_.xfetch_beta >= 0, "cache: negative xfetch_beta");
    SIM_ASSERT(options_.stale_while_revalidate >= sim::Duration::zero(), "cache: negative stale_while_revalidate");
    SIM_ASSERT(options_.warmup_fills_per_second >= 0, "cache: negative warm-up rate");
    SIM_ASSERT(options_.warmup_fills_per_second == 0 || options_.warmup_burst >= 1,
               "cache: a warm-up bucket needs room for at least one token");
    SIM_ASSERT(options_.wait_max >= sim::Duration::zero(), "cache: negative wait_max");
}

Cache::~Cache() { *alive_ = false; }

double Cache::hit_ratio() const noexcept {
    if (counters_.gets == 0) return 0;
    return static_cast<double>(counters_.hits) / static_cast<double>(counters_.gets);
}

sim::Result<CacheValue> Cache::get(sim::Ctx& ctx, CacheKey key, FillRef fill) {
    ++counters_.gets;
    const sim::Time arrived = ctx.now();
    const sim::Time give_up = sim::saturating_add(arrived, options_.wait_max);
    sweep_leases(arrived);
    bool missed = false;
    for (int round = 0; round < rounds_max; ++round) {
        const sim::Time now = ctx.now();
        auto it = entries_.find(key);
        if (it != entries_.end()) {
            Entry& e = it->value;
            if (now < e.expires_at) {
                entries_.touch(it);
                const CacheValue value = e.value;
                if (missed) return value;  // stored by the fill this get waited for
                ++counters_.hits;
                if (options_.xfetch_beta > 0 && !refresh_blocked(key, now) && xfetch_fires(e, now)) {
                    if (take_token(now)) {
                        ++counters_.early_recomputes;
                        SIM_COVER("cache: xfetch early recompute");
                        return fill_now(ctx, key, fill, FillKind::early);
                    }
                    ++counters_.warmup_rejects;
                    cover_warmup_reject();
                }
                return value;
            }
            if (now < sim::saturating_add(e.expires_at, options_.stale_while_revalidate)) {
                entries_.touch(it);
                const CacheValue value = e.value;
                if (!missed) ++counters_.hits;
                ++counters_.stale_served;
                cover_stale_served();
                if (!refresh_blocked(key, now)) {
                    if (take_token(now)) {
                        start_refresh(ctx, key, fill);
                    } else {
                        ++counters_.warmup_rejects;
                        cover_warmup_reject();
                    }
                }
                return value;
            }
        }
        if (!missed) {
            missed = true;
            ++counters_.misses;
        }

        if (const std::shared_ptr<Flight> flight = joinable_flight(key, now)) {
            const bool leased = options_.lease > sim::Duration::zero() && now < flight->lease_until;
            if (leased && it != entries_.end()) {
                // Someone holds the lease: an old value now beats a wait (memcache's stale get).
                entries_.touch(it);
                ++counters_.stale_served;
                cover_stale_served();
                return it->value.value;
            }
            if (flight->waiters >= options_.waiters_max) {
                ++counters_.waiter_rejects;
                SIM_COVER("cache: too many waiters");
                return sim::Errc::overloaded;
            }
            sim::Time until = give_up;
            if (leased) {
                until = std::min(until, flight->lease_until);
                ++counters_.lease_waits;
                SIM_COVER("cache: lease wait");
            } else {
                ++counters_.coalesced;
                SIM_COVER("cache: coalesced miss");
            }
            const std::shared_ptr<bool> alive = alive_;  // `this` may die while we wait
            const sim::Result<CacheValue>* outcome = nullptr;
            {
                ++flight->waiters;
                struct Leave {
                    Flight& flight;
                    ~Leave() { --flight.waiters; }
                } leave{*flight};
                outcome = flight->outcome.wait(ctx, std::max(until - now, sim::Duration::zero()));
            }
            if (!*alive) return sim::Errc::reset;
            if (outcome != nullptr && outcome->ok()) return *outcome;
            if (!leased) {
                if (outcome != nullptr) return *outcome;  // single flight shares errors too
                return flight->done ? sim::Errc::reset : sim::Errc::timeout;
            }
            // The holder brought no value (error, crash, or still running). Nobody may fill before
            // its lease ends: wait it out, then look again (and perhaps take the next lease).
            if (ctx.now() < until) ctx.sleep_until(until);
            if (!*alive) return sim::Errc::reset;
            if (ctx.now() >= give_up) return sim::Errc::timeout;
            continue;
        }

        if (it != entries_.end() && options_.lease == sim::Duration::zero()) {
            // Expired for good. Under leases it stays, to be served stale while this get fills.
            entries_.erase(it);
            ++counters_.expirations;
        }
        if (!take_token(now)) {
            ++counters_.warmup_rejects;
            cover_warmup_reject();
            return sim::Errc::overloaded;
        }
        return fill_now(ctx, key, fill, FillKind::miss);
    }
    return sim::Errc::timeout;
}

std::optional<CacheValue> Cache::peek(CacheKey key) const {
    auto it = entries_.find(key);
    if (it == entries_.end() || sim_.now() >= it->value.expires_at) return std::nullopt;
    return it->value.value;
}

void Cache::put(CacheKey key, CacheValue value, sim::Duration fill_cost) {
    SIM_ASSERT(fill_cost >= sim::Duration::zero(), "cache: negative fill cost");
    store(key, value, sim_.now(), fill_cost);
    invalidate(key);
}

void Cache::erase(CacheKey key) {
    entries_.erase(key);
    invalidate(key);
}

void Cache::flush() {
    const std::size_t dropped = entries_.size();
    entries_.clear();
    flushed_seq_ = ++seq_;  // every fill and lease so far is now from before the flush
    ++counters_.flushes;
    sim_.trace("cache.flush", {{"cache", name_}, {"dropped", dropped}});
}

std::size_t Cache::flush_ratio(sim::Ratio r, sim::Rng& rng) {
    SIM_ASSERT(r.valid(), "cache: flush ratio must be a probability");
    std::size_t dropped = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {  // recency order: deterministic
        if (rng.bernoulli(r)) {
            it = entries_.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    ++counters_.flushes;
    sim_.trace("cache.flush", {{"cache", name_}, {"dropped", dropped}, {"num", r.num}, {"den", r.den}});
    return dropped;
}

// ---- fills -----------------------------------------------------------------------------------

sim::Result<CacheValue> Cache::fill_now(sim::Ctx& ctx, CacheKey key, FillRef fill, FillKind kind) {
    FillTicket ticket = begin_fill(key, ctx.now(), kind);
    return ticket.run(ctx, fill);
}

void Cache::start_refresh(sim::Ctx& ctx, CacheKey key, FillRef fill) {
    // Registered now, not when the process starts, so the next stale get sees it in progress.
    FillTicket ticket = begin_fill(key, ctx.now(), FillKind::refresh);
    // The refresh outlives this get: it runs a copy of the fill.
    ctx.spawn([ticket = std::move(ticket), fill = fill.copy()](sim::Ctx& c) mutable { (void)ticket.run(c, fill); }, "cache-refresh");
}

Cache::FillTicket Cache::begin_fill(CacheKey key, sim::Time now, FillKind kind) {
    ++counters_.fills;
    FillTicket ticket(this, key, ++seq_, now, kind);
    KeyState& ks = keys_[key];
    ++ks.fills;
    const bool lease = options_.lease > sim::Duration::zero();
    if (!leader_valid(ks) || ks.leader->done || (lease && now >= ks.leader->lease_until)) {
        auto flight = std::make_shared<Flight>();
        flight->seq = ticket.seq_;
        ticket.promise_.emplace();
        flight->outcome = ticket.promise_->future();
        if (lease) {
            flight->lease_until = sim::saturating_add(now, options_.lease);
            lease_ends_.emplace_back(flight->lease_until, key);
        }
        ks.leader = flight;
        ticket.flight_ = std::move(flight);
    }
    return ticket;
}

// `outcome` null: abandoned (the filling process was killed); `ctx` is then null too.
void Cache::end_fill(FillTicket& ticket, sim::Ctx* ctx, const sim::Result<CacheValue>* outcome) {
    const sim::Time now = sim_.now();
    auto it = keys_.find(ticket.key_);
    SIM_ASSERT(it != keys_.end() && it->second.fills > 0, "cache: a fill ended that never began");
    KeyState& ks = it->second;
    --ks.fills;
    bool stored = false;
    if (outcome == nullptr) {
        ++counters_.fills_abandoned;
    } else if (!outcome->ok()) {
        ++counters_.fill_errors;
    } else if (ticket.seq_ > flushed_seq_ && ticket.seq_ > ks.invalidated_seq) {
        store(ticket.key_, outcome->value(), now, now - ticket.started_);
        stored = true;
    }
    if (ticket.flight_) ticket.flight_->done = true;
    forget_if_idle(ticket.key_, now);
    ticket.cache_ = nullptr;
    if (outcome == nullptr) return;  // the promise breaks as the ticket is destroyed
    if (ticket.promise_) ticket.promise_->set_value(*outcome);
    const char* kind = ticket.kind_ == FillKind::miss ? "miss" : ticket.kind_ == FillKind::early ? "early" : "refresh";
    ctx->trace("cache.fill", {{"cache", name_},
                              {"key", ticket.key_},
                              {"kind", kind},
                              {"ok", outcome->ok()},
                              {"stored", stored},
                              {"took", now - ticket.started_}});
}

std::shared_ptr<Cache::Flight> Cache::joinable_flight(CacheKey key, sim::Time now) {
    auto it = keys_.find(key);
    if (it == keys_.end() || !leader_valid(it->second)) return nullptr;
    const std::shared_ptr<Flight>& flight = it->second.leader;
    if (options_.lease > sim::Duration::zero() && now < flight->lease_until) return flight;
    if (options_.coalesce && !flight->done) return flight;
    return nullptr;
}

// A refresh (XFetch, stale-while-revalidate) needs no second fill while one runs, nor one
// inside another's lease.
bool Cache::refresh_blocked(CacheKey key, sim::Time now) const {
    auto it = keys_.find(key);
    if (it == keys_.end()) return false;
    const KeyState& ks = it->second;
    if (ks.fills > 0) return true;
    return options_.lease > sim::Duration::zero() && leader_valid(ks) && now < ks.leader->lease_until;
}

// XFetch: recompute when now - delta * beta * log(U) >= expiry. -log(U) is a standard
// exponential, so the chance grows smoothly as expiry nears, and a longer fill starts earlier.
bool Cache::xfetch_fires(const Entry& e, sim::Time now) {
    if (e.delta <= sim::Duration::zero()) return false;
    const double u = 1.0 - rng_.uniform01();  // (0, 1]: log(0) would be -inf
    const double early = static_cast<double>(e.delta.count()) * options_.xfetch_beta * -sim::det_log(u);
    return early >= static_cast<double>((e.expires_at - now).count());
}

bool Cache::take_token(sim::Time now) {
    if (options_.warmup_fills_per_second <= 0) return true;
    const double elapsed = static_cast<double>((now - tokens_at_).count()) / 1e9;
    tokens_ = std::min(options_.warmup_burst, tokens_ + elapsed * options_.warmup_fills_per_second);
    tokens_at_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

// ---- entries and key state ---------------------------------------------------------------------

void Cache::store(CacheKey key, CacheValue value, sim::Time now, sim::Duration delta) {
    const Entry entry{value, sim::saturating_add(now, options_.ttl), delta};
    auto it = entries_.find(key);
    if (it != entries_.end()) {
        if (now >= it->value.expires_at) ++counters_.expirations;
        it->value = entry;
        entries_.touch(it);
        return;
    }
    if (entries_.size() >= options_.entries_max) {
        entries_.erase(entries_.lru());
        ++counters_.evictions;
    }
    entries_.insert(key, entry);
}

void Cache::invalidate(CacheKey key) {
    auto it = keys_.find(key);
    if (it == keys_.end()) return;
    it->second.invalidated_seq = ++seq_;
    it->second.leader.reset();  // its waiters still get its outcome; new missers do not join
    forget_if_idle(key, sim_.now());
}

void Cache::forget_if_idle(CacheKey key, sim::Time now) {
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.fills > 0) return;
    const KeyState& ks = it->second;
    if (options_.lease > sim::Duration::zero() && leader_valid(ks) && now < ks.leader->lease_until) return;
    keys_.erase(it);
}

void Cache::sweep_leases(sim::Time now) {
    while (!lease_ends_.empty() && lease_ends_.front().first <= now) {
        const CacheKey key = lease_ends_.front().second;
        lease_ends_.pop_front();
        forget_if_idle(key, now);
    }
}

}  // namespace models
