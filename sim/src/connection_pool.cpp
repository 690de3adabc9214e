#include "sim/connection_pool.hpp"

namespace sim {

ConnectionPool::ConnectionPool(Network& net, Host& client, std::string server, std::uint32_t port, PoolOptions options)
    : net_(net),
      client_(client),
      server_(std::move(server)),
      port_(port),
      options_(options),
      permits_(options.connections_max),
      connections_(options.connections_max) {
    SIM_ASSERT(options.connections_max > 0, "a pool needs at least one connection");
    if (options_.keepalive_interval.count() > 0) {
        client_.spawn([this](Ctx& ctx) { keepalive(ctx); }, "keepalive:" + server_);
    }
}

ConnectionPool::~ConnectionPool() = default;

std::size_t ConnectionPool::established() const noexcept {
    std::size_t n = 0;
    for (const Connection& c : connections_) n += c.established ? 1 : 0;
    return n;
}

std::size_t ConnectionPool::busy() const noexcept {
    std::size_t n = 0;
    for (const Connection& c : connections_) n += c.busy ? 1 : 0;
    return n;
}

Result<std::size_t> ConnectionPool::acquire(Ctx& ctx, Duration timeout) {
    const Time deadline = saturating_add(ctx.now(), timeout);
    if (!permits_.acquire(ctx, std::min(timeout, options_.acquire_timeout))) {
        ++counters_.exhausted;
        ctx.trace("pool.exhausted", {{"server", std::string_view(server_)}});
        return Errc::exhausted;
    }
    // An established idle connection if there is one, else the first idle slot.
    std::size_t pick = connections_.size();
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        if (connections_[i].busy) continue;
        if (connections_[i].established) {
            pick = i;
            break;
        }
        if (pick == connections_.size()) pick = i;
    }
    SIM_ASSERT(pick < connections_.size(), "a permit without an idle connection");
    Connection& c = connections_[pick];
    c.busy = true;
    if (!c.established) {
        Host* server = ctx.sim().find_host(server_);
        if (server == nullptr) {
            c.busy = false;
            permits_.release();
            return Errc::unreachable;
        }
        // The slot and its permit go back however the handshake ends: a caller killed while it
        // waits (the losing copy of a hedged call) held them for good, and after connections_max
        // such kills the pool refused every call.
        struct GiveBack {
            ConnectionPool& pool;
            Connection& slot;
            bool kept = false;
            ~GiveBack() {
                if (kept) return;
                slot.busy = false;
                pool.permits_.release();
            }
        } give_back{*this, c};
        const Duration left = std::max(Duration(0), deadline - ctx.now());
        Result<std::uint64_t> ack = net_.handshake(ctx, *server, port_, Packet::Kind::connect, std::min(left, options_.connect_timeout));
        if (!ack) {
            ++counters_.connect_failures;
            return ack.error();
        }
        give_back.kept = true;
        ++counters_.connects;
        c.established = true;
        c.incarnation = *ack;
        ctx.trace("pool.connect", {{"server", std::string_view(server_)}, {"incarnation", c.incarnation}});
    }
    c.last_active = ctx.now();
    return pick;
}

void ConnectionPool::release(std::size_t index, Errc outcome, bool ok) {
    Connection& c = connections_[index];
    c.busy = false;
    c.call_id = 0;
    c.last_active = client_.sim().now();
    if (!ok && (outcome == Errc::reset || outcome == Errc::timeout || outcome == Errc::cancelled || outcome == Errc::unreachable)) {
        if (outcome == Errc::reset) ++counters_.resets;
        c.established = false;  // the connection is gone (or can no longer be trusted)
    }
    permits_.release();
}

void ConnectionPool::keepalive(Ctx& ctx) {
    for (;;) {
        ctx.sleep_for(options_.keepalive_interval);
        Host* server = ctx.sim().find_host(server_);
        if (server == nullptr) continue;
        for (std::size_t i = 0; i < connections_.size(); ++i) {
            if (!connections_[i].established) continue;
            if (!connections_[i].busy && ctx.now() - connections_[i].last_active < options_.keepalive_interval) continue;
            const std::uint64_t expected = connections_[i].incarnation;
            Result<std::uint64_t> ack = net_.handshake(ctx, *server, port_, Packet::Kind::probe, options_.keepalive_timeout);
            Connection& c = connections_[i];
            if (!c.established || c.incarnation != expected) continue;  // changed while probing
            if (ack && *ack == expected) continue;
            // No answer, or a new life of the server: this side gives the connection up.
            ++counters_.keepalive_kills;
            ctx.trace("pool.keepalive_reset", {{"server", std::string_view(server_)}});
            c.established = false;
            if (c.busy && c.call_id != 0) net_.complete_call(c.call_id, Errc::reset);
        }
    }
}

}  // namespace sim
