// The client side of the leaderless designs.
//
// quorum: the coordinator lives in the client (as a Cassandra driver or a Dynamo client does): a
// write is stamped with the client's clock and sent to the replicas, acknowledged once W of them
// have fsynced it; a read asks R (or all N) replicas, answers with the newest version among the
// first R replies, and repairs the replicas that answered with something older. A write that
// reached fewer than W replicas by its deadline is an unknown outcome (some replicas may have it,
// and anti-entropy may spread it later): it is not rolled back.
//
// lww and multi_value: the client talks to its home region's replica only, which stamps, stores and
// ships the write (versioned_replica.cpp). No failover to another region: if the home region is
// unreachable, operations time out.
#include "versioned.hpp"

namespace models::replication::detail {

namespace {

class QuorumClient final : public StoreClient {
public:
    QuorumClient(VersionedStore& store, sim::Host& host)
        : s_(store),
          host_(host),
          rng_(store.sim().rng("replication/" + store.options().name + "/client/" + std::string(host.name()) + "/" +
                               std::to_string(host.incarnation()))) {}

    sim::Result<void> put(sim::Ctx& ctx, std::string_view key, std::string_view value, const VersionVector*) override {
        const QuorumOptions& q = s_.options().quorum;
        const Version v{std::string(value), ctx.local_now().time_since_epoch().count(), host_.id(), {}};
        const VWrite request{std::string(key), v, false};
        std::vector<std::pair<std::size_t, sim::Host*>> now = all();
        if (q.straggler_delay > sim::Duration(0)) {
            // W replicas now, the others after the delay (they are behind).
            shuffle(now);
            std::vector<std::pair<std::size_t, sim::Host*>> later(now.begin() + static_cast<std::ptrdiff_t>(q.w),
                                                                  now.end());
            now.resize(q.w);
            if (!later.empty()) {
                ctx.spawn(
                    [this, later, request, delay = q.straggler_delay](sim::Ctx& c) {
                        c.sleep_for(delay);
                        (void)fan_out(c, s_.write_, later, request, s_.options().peer_timeout);
                    },
                    "straggler");
            }
        }
        auto replies = fan_out(ctx, s_.write_, now, request, s_.options().request_timeout);
        std::size_t acks = 0;
        std::size_t refused = 0;
        for (std::size_t n = 0; n < now.size(); ++n) {
            auto reply = replies->recv(ctx);  // each call ends by its own timeout
            if (!reply) break;
            if (reply->result) {
                if (++acks >= q.w) return {};
            } else if (definitely_not_applied(reply->result.error())) {
                ++refused;
            }
        }
        SIM_COVER("quorum: a write missed its quorum");
        if (refused == now.size() && q.straggler_delay == sim::Duration(0)) return sim::Errc::unreachable;
        return sim::Errc::timeout;
    }

    sim::Result<ReadResult> get(sim::Ctx& ctx, std::string_view key) override {
        const QuorumOptions& q = s_.options().quorum;
        std::vector<std::pair<std::size_t, sim::Host*>> targets = all();
        if (q.read_fanout == ReadFanout::quorum) {
            shuffle(targets);
            targets.resize(q.r);
        }
        const VRead request{std::string(key)};
        auto replies = fan_out(ctx, s_.read_, targets, request, s_.options().request_timeout);
        std::vector<std::pair<std::size_t, Siblings>> answered;
        Siblings newest;
        std::size_t received = 0;
        while (answered.size() < q.r && received < targets.size()) {
            auto reply = replies->recv(ctx);  // each call ends by its own timeout
            if (!reply) break;
            ++received;
            if (!reply->result) continue;
            for (const Version& v : reply->result->versions) merge(s_.rule(), newest, v);
            answered.emplace_back(reply->index, std::move(reply->result->versions));
        }
        if (answered.size() < q.r) {
            SIM_COVER("quorum: a read missed its quorum");
            return sim::Errc::timeout;
        }
        if (q.read_repair && !newest.empty()) {
            // In the background: the caller has its answer. Late replies are repaired too.
            ctx.spawn([this, replies, answered, newest, pending = targets.size() - received, key = std::string(key)](
                          sim::Ctx& c) mutable { repair(c, *replies, std::move(answered), pending, newest, key); },
                      "read-repair");
        }
        ReadResult result;
        for (const Version& v : newest) result.values.push_back(v.value);
        return result;
    }

private:
    std::vector<std::pair<std::size_t, sim::Host*>> all() const {
        std::vector<std::pair<std::size_t, sim::Host*>> out;
        for (std::size_t i = 0; i < s_.replica_count(); ++i) out.emplace_back(i, &s_.replica(i));
        return out;
    }
    void shuffle(std::vector<std::pair<std::size_t, sim::Host*>>& v) {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng_.uniform_u64(i)]);
    }

    void repair(sim::Ctx& ctx, sim::Channel<Reply<VReadReply>>& replies,
                std::vector<std::pair<std::size_t, Siblings>> answered, std::size_t pending, const Siblings& newest,
                const std::string& key) {
        for (; pending > 0; --pending) {
            auto reply = replies.recv(ctx);
            if (!reply) break;
            if (reply->result) answered.emplace_back(reply->index, std::move(reply->result->versions));
        }
        std::vector<std::pair<std::size_t, sim::Host*>> stale;
        for (const auto& [index, versions] : answered) {
            Siblings copy = versions;
            bool older = false;
            for (const Version& v : newest) older |= merge(s_.rule(), copy, v);
            if (older) stale.emplace_back(index, &s_.replica(index));
        }
        if (stale.empty()) return;
        SIM_COVER("quorum: read repair");
        for (const Version& v : newest) {
            (void)fan_out(ctx, s_.write_, stale, VWrite{key, v, true}, s_.options().peer_timeout);
        }
    }

    VersionedStore& s_;
    sim::Host& host_;
    sim::Rng rng_;
};

class RegionalClient final : public StoreClient {
public:
    RegionalClient(VersionedStore& store, std::size_t home, std::uint64_t id) : s_(store), home_(home), id_(id) {}

    sim::Result<void> put(sim::Ctx& ctx, std::string_view key, std::string_view value,
                          const VersionVector* context) override {
        LocalPut request{std::string(key), std::string(value), context != nullptr ? *context : VersionVector{}, id_,
                         ++ops_};
        auto r = s_.local_put_.call(ctx, s_.replica(home_), std::move(request), s_.options().request_timeout);
        if (!r) return r.error();
        return {};
    }

    sim::Result<ReadResult> get(sim::Ctx& ctx, std::string_view key) override {
        auto r = s_.local_get_.call(ctx, s_.replica(home_), VRead{std::string(key)}, s_.options().request_timeout);
        if (!r) return r.error();
        ReadResult result;
        for (const Version& v : r->versions) {
            result.values.push_back(v.value);
            result.context.merge(v.clock);
        }
        return result;
    }

private:
    VersionedStore& s_;
    std::size_t home_;
    std::uint64_t id_;       // unique in the store, for this client's life
    std::uint64_t ops_ = 0;  // writes sent (one at a time)
};

}  // namespace

StoreClient& make_quorum_client(VersionedStore& store, sim::Host& host) { return host.make<QuorumClient>(store, host); }

StoreClient& make_regional_client(VersionedStore& store, sim::Host& host, std::size_t home, std::uint64_t id) {
    return host.make<RegionalClient>(store, home, id);
}

}  // namespace models::replication::detail
