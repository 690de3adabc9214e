// The versioned replica (see versioned.hpp): writes, reads, anti-entropy, and for the regional
// designs local writes and the shipping of them to the other regions.
//
// Durability: every version is appended to the WAL and fsynced before the replica answers (before
// a regional write is acknowledged or queued for shipping); with StoreOptions::fsync_interval the
// fsync runs in the background instead. Outboxes are volatile: a crash drops what was not shipped
// yet, and only anti-entropy brings it to the other regions then.
#include <algorithm>

#include "designs.hpp"
#include "versioned.hpp"

namespace models::replication::detail {

VersionedStore::VersionedStore(sim::Simulator& sim, sim::Network& net, StoreOptions options, MergeRule rule)
    : StoreBase(sim, net, std::move(options), rule),
      write_(net, options_.name + "/write"),
      read_(net, options_.name + "/read"),
      sync_(net, options_.name + "/sync"),
      local_put_(net, options_.name + "/local-put"),
      local_get_(net, options_.name + "/local-get"),
      replicate_(net, options_.name + "/replicate") {
    if (options_.design == Design::quorum) {
        const QuorumOptions& q = options_.quorum;
        SIM_ASSERT(q.r >= 1 && q.w >= 1 && q.r <= replica_count() && q.w <= replica_count(),
                   "quorum needs 1 <= R, W <= N");
    }
    for (std::size_t i = 0; i < replica_count(); ++i) {
        replica(i).on_boot([this, i](sim::Host& h) {
            auto& r = h.make<VersionedReplica>(*this, i);
            h.spawn([&r](sim::Ctx& ctx) { r.boot(ctx); }, "replica-boot");
        });
    }
}

StoreClient& VersionedStore::connect(sim::Host& host, std::string home) {
    if (!regional()) return make_quorum_client(*this, host);
    return make_regional_client(*this, host, home_for(host, home), next_client_id());
}

VersionedReplica::VersionedReplica(VersionedStore& store, std::size_t index)
    : s_(store),
      index_(index),
      data_(store, index),
      rng_(store.sim().rng("replication/" + store.options().name + "/" + std::string(store.replica(index).name()) +
                           "/" + std::to_string(store.replica(index).incarnation()))),
      counter_(store.replica(index).incarnation() << 40),
      outbox_(store.regional() ? store.replica_count() : 0) {}

void VersionedReplica::boot(sim::Ctx& ctx) {
    if (!data_.recover(ctx)) {
        SIM_COVER("replication: a replica could not read its log and stays down");
        return;
    }
    sim::Host& host = data_.host();
    s_.write_.serve(host, [this](sim::Ctx& c, const VWrite& r, const sim::CallInfo&) { return on_write(c, r); });
    s_.read_.serve(
        host, [this](sim::Ctx&, const VRead& r, const sim::CallInfo&) { return sim::Result<VReadReply>(read(r)); });
    s_.sync_.serve(host, [this](sim::Ctx& c, const VSync& r, const sim::CallInfo&) { return on_sync(c, r); });
    if (s_.regional()) {
        s_.local_put_.serve(
            host, [this](sim::Ctx& c, const LocalPut& r, const sim::CallInfo&) { return on_local_put(c, r); });
        s_.local_get_.serve(
            host, [this](sim::Ctx&, const VRead& r, const sim::CallInfo&) { return sim::Result<VReadReply>(read(r)); });
        s_.replicate_.serve(
            host, [this](sim::Ctx& c, const Replicate& r, const sim::CallInfo&) { return on_replicate(c, r); });
        for (std::size_t peer = 0; peer < s_.replica_count(); ++peer) {
            if (peer != index_) ctx.spawn([this, peer](sim::Ctx& c) { shipper(c, peer); }, "region-shipper");
        }
    }
    if (s_.options().anti_entropy_interval > sim::Duration(0) && s_.replica_count() > 1) {
        ctx.spawn([this](sim::Ctx& c) { anti_entropy(c); }, "anti-entropy");
    }
}

VReadReply VersionedReplica::read(const VRead& req) const {
    const Siblings* v = data_.find(req.key);
    return VReadReply{v != nullptr ? *v : Siblings{}};
}

sim::Result<VWriteReply> VersionedReplica::on_write(sim::Ctx& ctx, const VWrite& req) {
    auto r = data_.apply(ctx, req.key, req.version, req.repair ? "repair" : "write");
    if (!r) return r.error();
    return VWriteReply{*r};
}

sim::Result<VSyncReply> VersionedReplica::on_sync(sim::Ctx& ctx, const VSync& req) {
    if (auto r = data_.apply_batch(ctx, req.entries, "anti-entropy"); !r) return r.error();
    // The sender's state, to see which of ours would change it.
    Data theirs;
    for (const auto& [key, v] : req.entries) merge(s_.rule(), theirs[key], v);
    VSyncReply reply;
    for (const auto& [key, versions] : data_.data()) {
        Siblings copy = theirs[key];
        for (const Version& v : versions) {
            if (merge(s_.rule(), copy, v)) reply.newer.emplace_back(key, v);
        }
    }
    return reply;
}

void VersionedReplica::anti_entropy(sim::Ctx& ctx) {
    const sim::Duration interval = s_.options().anti_entropy_interval;
    // A random phase, so the replicas do not all sync at the same instant.
    ctx.sleep_for(
        sim::Duration(static_cast<std::int64_t>(rng_.uniform_u64(static_cast<std::uint64_t>(interval.count())))));
    for (;;) {  // until the host crashes; every round sleeps
        std::size_t peer = rng_.uniform_u64(s_.replica_count() - 1);
        if (peer >= index_) ++peer;
        auto reply = s_.sync_.call(ctx, s_.replica(peer), VSync{data_.snapshot()}, s_.options().peer_timeout);
        if (reply && !reply->newer.empty()) (void)data_.apply_batch(ctx, reply->newer, "anti-entropy");
        ctx.sleep_for(interval);
    }
}

sim::Result<LocalPutReply> VersionedReplica::on_local_put(sim::Ctx& ctx, const LocalPut& req) {
    ReplicaData::Meta session;
    std::optional<Permit> permit;
    if (req.op != 0) {
        // A client sends one write at a time: an op at or below the last one applied for it is a
        // copy, duplicated or delayed past the client's next write. Applied again it would get a
        // newer stamp than that write and win over it. Copies arriving together wait for the
        // first to finish (so they see it applied), which costs a one-at-a-time client nothing.
        sim::Semaphore& lock = client_locks_.try_emplace(req.client, 1).first->second;
        if (!lock.acquire(ctx, s_.options().request_timeout)) return sim::Errc::overloaded;  // not applied
        permit.emplace(lock);
        const std::uint64_t last = data_.meta(session_name(req.client));
        if (req.op <= last) {
            SIM_COVER("regional: a write that was already applied arrived again and was not reapplied");
            if (req.op == last) return LocalPutReply{};  // as the first copy was answered
            return sim::Errc::timeout;                   // superseded: nobody waits for it
        }
        session.emplace_back(session_name(req.client), req.op);
    }
    Version v;
    v.value = req.value;
    v.stamp = ctx.local_now().time_since_epoch().count();  // this region's clock: skew moves it
    v.origin = data_.host().id();
    if (s_.rule() == MergeRule::version_vector) {
        v.clock = req.context;
        v.clock.set(data_.host().id(), ++counter_);
        const Siblings* now = data_.find(req.key);
        Siblings after = now != nullptr ? *now : Siblings{};
        merge(s_.rule(), after, v);
        if (after.size() > s_.options().regional.siblings_max) {
            SIM_COVER("multi_value: a write refused for keeping too many siblings");
            return sim::Errc::overloaded;  // not applied
        }
    }
    auto changed = data_.apply(ctx, req.key, v, "write", session);
    if (!changed) return changed.error();
    if (!*changed) {
        // Acknowledged anyway, as last-writer-wins stores do: the client never hears it lost.
        SIM_COVER("lww: an acknowledged write lost to a larger timestamp");
        ctx.trace("replication.lww_overwritten", {{"key", std::string_view(req.key)}});
        return LocalPutReply{};
    }
    for (std::size_t peer = 0; peer < outbox_.size(); ++peer) {
        if (peer == index_) continue;
        std::deque<Outgoing>& box = outbox_[peer];
        if (box.size() >= s_.options().regional.outbox_max) {
            SIM_COVER("regional: an outbox overflowed; anti-entropy must heal it");
            box.pop_front();
        }
        box.push_back({++outgoing_seq_, {req.key, v}});
    }
    return LocalPutReply{};
}

sim::Result<ReplicateReply> VersionedReplica::on_replicate(sim::Ctx& ctx, const Replicate& req) {
    auto r = data_.apply_batch(ctx, req.entries, "replicate");
    if (!r) return r.error();
    return ReplicateReply{*r};
}

void VersionedReplica::shipper(sim::Ctx& ctx, std::size_t peer) {
    std::deque<Outgoing>& box = outbox_[peer];
    for (;;) {  // until the host crashes; every round sleeps
        ctx.sleep_for(s_.options().regional.ship_interval);
        if (box.empty()) continue;
        Replicate batch;
        std::uint64_t last = 0;
        for (const Outgoing& o : box) {
            if (batch.entries.size() >= s_.options().regional.batch_max) break;
            batch.entries.push_back(o.entry);
            last = o.seq;
        }
        auto r = s_.replicate_.call(ctx, s_.replica(peer), std::move(batch), s_.options().peer_timeout);
        if (!r) continue;  // kept: shipped again next round
        while (!box.empty() && box.front().seq <= last) box.pop_front();
    }
}

}  // namespace models::replication::detail

namespace models::replication::detail {

Store& make_quorum(sim::Simulator& sim, sim::Network& net, StoreOptions options) {
    return sim.make<VersionedStore>(sim, net, std::move(options), MergeRule::lww);
}

Store& make_regional(sim::Simulator& sim, sim::Network& net, StoreOptions options) {
    const MergeRule rule = options.design == Design::multi_value ? MergeRule::version_vector : MergeRule::lww;
    return sim.make<VersionedStore>(sim, net, std::move(options), rule);
}

}  // namespace models::replication::detail
