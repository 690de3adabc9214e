// What every design shares: the replica hosts, their durable data (ReplicaData: the WAL on the
// host's disk and the in-memory state rebuilt from it), the apply log, final_state(), and the
// fan-out helper that calls several replicas at once.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/replication/store.hpp"
#include "observer.hpp"
#include "sim/disk.hpp"
#include "sim/rpc.hpp"
#include "sim/sync.hpp"
#include "wal.hpp"

namespace models::replication::detail {

class ReplicaData;

class StoreBase : public Store {
public:
    StoreBase(sim::Simulator& sim, sim::Network& net, StoreOptions options, MergeRule rule);

    const StoreOptions& options() const noexcept override { return options_; }
    check::FinalState final_state() const override;
    const check::ApplyLog& apply_log() const noexcept override { return observer_.log(); }
    bool apply_log_complete() const noexcept override { return observer_.complete(); }

    sim::Simulator& sim() const noexcept { return sim_; }
    sim::Network& net() const noexcept { return net_; }
    MergeRule rule() const noexcept { return rule_; }
    Observer& observer() noexcept { return observer_; }
    std::size_t replica_count() const noexcept { return replicas_.size(); }
    sim::Host& replica(std::size_t i) const { return *replicas_[i]; }
    std::string wal_file() const { return options_.name + ".wal"; }
    // The replica data a live replica registered (null while it is down or recovering).
    void attach(std::size_t i, ReplicaData* data) { live_[i] = data; }
    void detach(std::size_t i, const ReplicaData* data) {
        if (live_[i] == data) live_[i] = nullptr;
    }
    std::size_t home_for(const sim::Host& client, std::string_view home) const;
    // A fresh client id, for each connect (each life of a client host): with the client's own
    // operation counter it names an operation, which a replica applies at most once (a real
    // client would draw a random id).
    std::uint64_t next_client_id() noexcept { return ++clients_; }

protected:
    sim::Simulator& sim_;
    sim::Network& net_;
    StoreOptions options_;
    MergeRule rule_;
    Observer observer_;
    std::vector<sim::Host*> replicas_;
    std::vector<ReplicaData*> live_;
    std::uint64_t clients_ = 0;
};

// Releases a semaphore permit at the end of a scope (also when a crash unwinds it).
class Permit {
public:
    explicit Permit(sim::Semaphore& s) : s_(&s) {}
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { s_->release(); }

private:
    sim::Semaphore* s_;
};

// The metadata names under which a replica keeps the last operation it applied for each client
// (persisted in the same append as the write, so a restart remembers it).
inline constexpr std::string_view session_prefix = "op/";
inline std::string session_name(std::uint64_t client) { return std::string(session_prefix) + std::to_string(client); }

// A replica's durable state and its in-memory copy (volatile: made in the host's boot function).
// Every change is written to the WAL first, fsynced per the store's policy, and only then applied
// in memory and logged for the checker: memory never holds what the disk was not given.
class ReplicaData {
public:
    ReplicaData(StoreBase& store, std::size_t index);
    ~ReplicaData();
    ReplicaData(const ReplicaData&) = delete;
    ReplicaData& operator=(const ReplicaData&) = delete;

    // Rebuilds the state from the WAL (retrying a failing disk a few times) and starts the
    // periodic fsync if the policy wants one. Nothing else may be called before it succeeds.
    sim::Result<void> recover(sim::Ctx& ctx);
    bool ready() const noexcept { return ready_; }

    const Data& data() const noexcept { return data_; }
    const Siblings* find(std::string_view key) const;
    std::int64_t max_stamp() const;
    std::uint64_t meta(std::string_view name) const;
    std::vector<Entry> snapshot() const;
    bool would_change(std::string_view key, const Version& v) const;

    using Meta = std::vector<std::pair<std::string, std::uint64_t>>;
    // Persists then merges; true if the state changed. `meta` goes in the same append (it is
    // written even when the version changes nothing).
    sim::Result<bool> apply(sim::Ctx& ctx, std::string_view key, const Version& v, std::string_view cause,
                            const Meta& meta = {});
    // Several entries: one append, one fsync. Returns how many changed the state.
    sim::Result<std::size_t> apply_batch(sim::Ctx& ctx, const std::vector<Entry>& entries, std::string_view cause,
                                         const Meta& meta = {});
    // Replaces the whole state (a resync from a new primary) and sets metadata, in one record
    // batch, always fsynced (so is set_meta).
    sim::Result<void> replace_all(sim::Ctx& ctx, const std::vector<Entry>& entries, const Meta& meta,
                                  std::string_view cause);
    // The metadata whose names start with `prefix`, in name order.
    Meta meta_with_prefix(std::string_view prefix) const;
    sim::Result<void> set_meta(sim::Ctx& ctx, std::string_view name, std::uint64_t value);

    std::size_t index() const noexcept { return index_; }
    sim::Host& host() const noexcept { return host_; }

private:
    // Appends, then fsyncs per the store's policy; `always_sync` for what must never be lost once
    // acted on whatever the policy (epochs, and the resync that carries one), as a Raft node
    // fsyncs its term.
    sim::Result<void> persist(sim::Ctx& ctx, const std::string& bytes, bool always_sync);
    void merge_logged(std::string_view key, const Version& v, std::string_view cause, std::size_t& changed);

    StoreBase& store_;
    std::size_t index_;
    sim::Host& host_;
    std::string file_;
    Data data_;
    std::map<std::string, std::uint64_t, std::less<>> meta_;
    bool ready_ = false;
    bool dirty_ = false;  // appended since the last fsync (periodic policy)
};

// One reply of a fan-out: which target, and what it said.
template <class Resp>
struct Reply {
    std::size_t index;
    sim::Result<Resp> result;
};

// Calls every target at once, each call in its own process on the caller's host, and returns the
// channel the replies arrive on, in arrival order. The caller takes as many as it needs; the
// channel outlives it if it stops early (the processes share it).
template <class Req, class Resp>
std::shared_ptr<sim::Channel<Reply<Resp>>> fan_out(sim::Ctx& ctx, sim::Rpc<Req, Resp>& rpc,
                                                   const std::vector<std::pair<std::size_t, sim::Host*>>& targets,
                                                   const Req& request, sim::Duration timeout) {
    auto replies = std::make_shared<sim::Channel<Reply<Resp>>>();
    for (const auto& [index, host] : targets) {
        ctx.spawn(
            [replies, &rpc, index = index, host = host, request, timeout](sim::Ctx& c) {
                replies->try_send(Reply<Resp>{index, rpc.call(c, *host, request, timeout)});
            },
            "fan-out");
    }
    return replies;
}

}  // namespace models::replication::detail
