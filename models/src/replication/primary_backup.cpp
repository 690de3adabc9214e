// Primary-backup replication with a controller that fails over, in two flavours:
//   async: the primary fsyncs a write, acknowledges it, and ships it to the backups every
//          ship_interval. Whatever it acknowledged but had not shipped when it was cut off is lost
//          when a backup is promoted: the old primary rejoins as a backup and takes a full snapshot
//          from the new one (Redis's full resync after a failover does the same).
//   sync:  the primary acknowledges only after every backup fsynced the write (it ships in the
//          write's path, within replication_timeout). A write that misses that deadline is
//          answered "unknown" (timeout): it is applied on the primary and maybe some backups.
//
// The controller (its own host, its epoch and primary on its disk) pings every replica each
// heartbeat_interval, and the ping carries the configuration (epoch, primary), which is how
// replicas learn their role. When the primary has not answered for failover_timeout it promotes the
// backup that answered with the highest applied sequence number and bumps the epoch. Backups refuse
// shipments from an older epoch (fencing), so a deposed primary's later writes never reach them; it
// keeps acknowledging writes from clients that can still reach it, because nothing tells it
// otherwise until the controller does (there are no leases).
//
// Durability: the primary appends and fsyncs each write before acknowledging (or before shipping,
// in sync mode); a backup fsyncs each shipment before answering. With StoreOptions::fsync_interval
// those fsyncs move to the background. Epochs and snapshots are always fsynced before the replica
// acts on them: a replica that forgot its epoch could take shipments from a deposed primary.
//
// Left out: the controller's own replication (it is one host; crash it and failover stops), leases
// and read fencing (reads are served by whoever thinks it is primary), log-based catch-up across
// epochs (a new primary always sends a full snapshot first), and group commit (writes are serialized).
#include <charconv>
#include <deque>
#include <map>

#include "designs.hpp"
#include "store_base.hpp"

namespace models::replication::detail {

namespace {

using namespace std::chrono_literals;

struct PbPut {
    std::string key;
    std::string value;
    // The operation's id, (client, op): a store applies each at most once, so a copy the network
    // duplicated or delayed past the client's next write is not applied again (op 0: no id).
    std::uint64_t client = 0;
    std::uint64_t op = 0;
};
struct PbGet {
    std::string key;
};
enum class PbStatus : std::uint8_t { ok, not_primary };
struct PbPutReply {
    PbStatus status = PbStatus::ok;
};
struct PbGetReply {
    PbStatus status = PbStatus::ok;
    std::vector<std::string> values;
};
struct PbPing {
    std::uint64_t epoch = 0;
    std::uint32_t primary = 0;  // replica index
};
struct PbPong {
    std::uint64_t epoch = 0;
    std::uint64_t applied = 0;
    bool primary = false;
};
// The client operation that wrote a log entry (client 0: none).
struct OpId {
    std::uint64_t client = 0;
    std::uint64_t op = 0;
};
struct PbShip {
    std::uint64_t epoch = 0;
    // The sending primary's life (its host's incarnation): sequence numbers are only comparable
    // within one, since a primary that restarted may have lost unsynced entries and reuse them.
    std::uint64_t incarnation = 0;
    bool snapshot = false;  // entries are the whole state: replace everything
    std::uint64_t last_seq = 0;
    std::vector<Entry> entries;  // in sequence order (the stamp is the sequence number)
    std::vector<OpId> ops;       // entries: the operation behind each one
    std::vector<std::pair<std::string, std::uint64_t>> sessions;  // snapshot: the last op applied per client
};
// stale: older than what the backup holds from the same primary (a late copy of an earlier
// shipment, or one from an earlier life of the primary): not applied.
enum class ShipStatus : std::uint8_t { ok, stale_epoch, need_snapshot, stale };
struct PbShipReply {
    ShipStatus status = ShipStatus::ok;
    std::uint64_t applied = 0;
};
struct PbWho {};
struct PbWhoReply {
    std::uint64_t epoch = 0;
    std::uint32_t primary = 0;
};

class PrimaryBackup;

// One replica's volatile state: rebuilt at every boot.
class PbReplica {
public:
    PbReplica(PrimaryBackup& store, std::size_t index);
    void boot(sim::Ctx& ctx);

private:
    struct Backup {
        std::uint64_t acked = 0;  // the backup's applied sequence number, as last reported
        bool synced = false;      // has taken a snapshot from this primary in this life
    };
    struct Logged {
        Entry entry;
        OpId op;
    };
    struct LastReply {
        std::uint64_t op = 0;
        sim::Result<PbPutReply> reply = sim::Errc::timeout;
    };

    sim::Result<PbPutReply> on_put(sim::Ctx& ctx, const PbPut& req, const sim::CallInfo& info);
    sim::Result<PbPutReply> put_once(sim::Ctx& ctx, const PbPut& req, const sim::CallInfo& info);
    sim::Result<PbGetReply> on_get(const PbGet& req);
    sim::Result<PbPong> on_ping(sim::Ctx& ctx, const PbPing& req, const sim::CallInfo& info);
    sim::Result<PbShipReply> on_ship(sim::Ctx& ctx, const PbShip& req, const sim::CallInfo& info);
    void set_role(bool primary);
    bool up_to_date(std::size_t b) const { return backups_[b].synced && backups_[b].acked >= last_seq_; }
    // One shipment to backup b (the caller holds b's permit). True if it was accepted.
    bool ship_to(sim::Ctx& ctx, std::size_t b, sim::Time deadline);
    // Ships until backup b has `seq` or the deadline passes.
    bool catch_up(sim::Ctx& ctx, std::size_t b, std::uint64_t seq, sim::Time deadline);
    void shipper(sim::Ctx& ctx, std::size_t b);

    PrimaryBackup& s_;
    std::size_t index_;
    ReplicaData data_;
    std::uint64_t epoch_ = 0;
    std::uint64_t synced_epoch_ = 0;  // the epoch whose primary this replica last took a snapshot from
    std::uint64_t synced_incarnation_ = 0;  // ... and that primary's incarnation then
    std::uint64_t last_seq_ = 0;
    bool primary_ = false;
    sim::Semaphore lock_{1};  // serializes writes, shipments and role changes
    std::vector<Backup> backups_;
    std::deque<sim::Semaphore> backup_permits_;  // one shipment at a time per backup
    std::deque<Logged> log_;                     // recent entries, for shipping
    std::map<std::uint64_t, LastReply> replies_;  // client -> the answer to its last operation here
};

// The controller: decides who is primary.
class PbController {
public:
    PbController(PrimaryBackup& store, sim::Host& host) : s_(store), host_(host) {}
    void boot(sim::Ctx& ctx);

private:
    void round(sim::Ctx& ctx);
    bool persist(sim::Ctx& ctx);
    std::string file() const;

    PrimaryBackup& s_;
    sim::Host& host_;
    std::uint64_t epoch_ = 1;
    std::uint32_t primary_ = 0;
    sim::Time last_heard_{};
};

class PbClient final : public StoreClient {
public:
    PbClient(PrimaryBackup& store, std::uint64_t id) : s_(store), id_(id) {}
    sim::Result<ReadResult> get(sim::Ctx& ctx, std::string_view key) override;
    sim::Result<void> put(sim::Ctx& ctx, std::string_view key, std::string_view value, const VersionVector*) override;

private:
    sim::Result<std::size_t> find_primary(sim::Ctx& ctx);

    PrimaryBackup& s_;
    std::uint64_t id_;                    // unique in the store, for this client's life
    std::uint64_t ops_ = 0;               // writes sent (one at a time)
    std::optional<std::size_t> primary_;  // where this client last found the primary
};

class PrimaryBackup final : public StoreBase {
public:
    PrimaryBackup(sim::Simulator& sim, sim::Network& net, StoreOptions options)
        : StoreBase(sim, net, std::move(options), MergeRule::replace),
          put_(net, options_.name + "/put"),
          get_(net, options_.name + "/get"),
          ping_(net, options_.name + "/ping"),
          ship_(net, options_.name + "/ship"),
          who_(net, options_.name + "/who") {
        const std::string controller = options_.primary_backup.controller.empty() ? options_.name + "-controller"
                                                                                  : options_.primary_backup.controller;
        controller_ = sim.find_host(controller);
        if (controller_ == nullptr) controller_ = &sim.add_host(controller);
        for (std::size_t i = 0; i < replica_count(); ++i) {
            replica(i).on_boot([this, i](sim::Host& h) {
                auto& r = h.make<PbReplica>(*this, i);
                h.spawn([&r](sim::Ctx& ctx) { r.boot(ctx); }, "pb-boot");
            });
        }
        controller_->on_boot([this](sim::Host& h) {
            auto& c = h.make<PbController>(*this, h);
            h.spawn([&c](sim::Ctx& ctx) { c.boot(ctx); }, "pb-controller");
        });
    }

    StoreClient& connect(sim::Host& host, std::string) override { return host.make<PbClient>(*this, next_client_id()); }
    std::uint64_t failovers() const noexcept override { return failovers_; }

    bool sync() const noexcept { return options_.design == Design::primary_backup_sync; }
    const PrimaryBackupOptions& pb() const noexcept { return options_.primary_backup; }

    sim::Rpc<PbPut, PbPutReply> put_;
    sim::Rpc<PbGet, PbGetReply> get_;
    sim::Rpc<PbPing, PbPong> ping_;
    sim::Rpc<PbShip, PbShipReply> ship_;
    sim::Rpc<PbWho, PbWhoReply> who_;
    sim::Host* controller_ = nullptr;
    std::uint64_t failovers_ = 0;
};

// ---- replica ---------------------------------------------------------------------------------------

PbReplica::PbReplica(PrimaryBackup& store, std::size_t index)
    : s_(store), index_(index), data_(store, index), backups_(store.replica_count()) {
    for (std::size_t b = 0; b < store.replica_count(); ++b) backup_permits_.emplace_back(1);
}

void PbReplica::boot(sim::Ctx& ctx) {
    if (!data_.recover(ctx)) {
        SIM_COVER("primary_backup: a replica could not read its log and stays down");
        return;  // nothing served: calls are refused
    }
    epoch_ = data_.meta("epoch");
    synced_epoch_ = data_.meta("synced_epoch");
    synced_incarnation_ = data_.meta("synced_incarnation");
    last_seq_ = static_cast<std::uint64_t>(data_.max_stamp());
    sim::Host& host = data_.host();
    s_.put_.serve(host, [this](sim::Ctx& c, const PbPut& r, const sim::CallInfo& i) { return on_put(c, r, i); });
    s_.get_.serve(host, [this](sim::Ctx&, const PbGet& r, const sim::CallInfo&) { return on_get(r); });
    s_.ping_.serve(host, [this](sim::Ctx& c, const PbPing& r, const sim::CallInfo& i) { return on_ping(c, r, i); });
    s_.ship_.serve(host, [this](sim::Ctx& c, const PbShip& r, const sim::CallInfo& i) { return on_ship(c, r, i); });
    for (std::size_t b = 0; b < s_.replica_count(); ++b) {
        if (b != index_) ctx.spawn([this, b](sim::Ctx& c) { shipper(c, b); }, "pb-shipper");
    }
}

void PbReplica::set_role(bool primary) {
    if (primary == primary_) return;
    primary_ = primary;
    if (primary) {
        // A new primary trusts no backup's state: each gets a full snapshot first.
        for (Backup& b : backups_) b = Backup{};
        log_.clear();
        synced_epoch_ = epoch_;
        synced_incarnation_ = data_.host().incarnation();
        SIM_COVER("primary_backup: a replica became primary");
    } else {
        SIM_COVER("primary_backup: a primary stepped down");
    }
    s_.sim().trace(data_.host(), "replication.role", {{"primary", primary}, {"epoch", epoch_}});
}

sim::Result<PbPong> PbReplica::on_ping(sim::Ctx& ctx, const PbPing& req, const sim::CallInfo& info) {
    const bool news = req.epoch > epoch_ || (req.epoch == epoch_ && (req.primary == index_) != primary_);
    if (news && lock_.acquire(ctx, info.remaining(ctx))) {
        Permit permit(lock_);
        if (req.epoch > epoch_) {
            if (auto r = data_.set_meta(ctx, "epoch", req.epoch); !r) return r.error();
            epoch_ = req.epoch;
        }
        if (req.epoch == epoch_) set_role(req.primary == index_);
    }
    return PbPong{epoch_, last_seq_, primary_};
}

sim::Result<PbPutReply> PbReplica::on_put(sim::Ctx& ctx, const PbPut& req, const sim::CallInfo& info) {
    if (!lock_.acquire(ctx, info.remaining(ctx))) return sim::Errc::overloaded;  // not applied
    Permit permit(lock_);
    if (!primary_) return PbPutReply{PbStatus::not_primary};
    if (req.op == 0) return put_once(ctx, req, info);
    // A client sends one write at a time, so an op at or below the last one applied for it is a
    // copy (duplicated, or delayed past the client's next write): applying it again would give an
    // old value a new sequence number, over later writes. It is answered as the first was when
    // this replica answered it; otherwise nobody waits for it (the client moved on).
    if (req.op <= data_.meta(session_name(req.client))) {
        SIM_COVER("primary_backup: a write that was already applied arrived again and was not reapplied");
        auto it = replies_.find(req.client);
        if (it != replies_.end() && it->second.op == req.op) return it->second.reply;
        return sim::Errc::timeout;  // applied or superseded: the outcome is not this replica's to say
    }
    auto reply = put_once(ctx, req, info);
    if (req.op <= data_.meta(session_name(req.client))) replies_.insert_or_assign(req.client, LastReply{req.op, reply});
    return reply;
}

sim::Result<PbPutReply> PbReplica::put_once(sim::Ctx& ctx, const PbPut& req, const sim::CallInfo& info) {
    const std::uint64_t seq = last_seq_ + 1;
    const Version v{req.value, static_cast<std::int64_t>(seq), data_.host().id(), {}};
    ReplicaData::Meta session;
    if (req.op != 0) session.emplace_back(session_name(req.client), req.op);
    if (auto r = data_.apply(ctx, req.key, v, "write", session); !r) return r.error();
    last_seq_ = seq;
    log_.push_back(Logged{{req.key, v}, {req.client, req.op}});
    if (log_.size() > s_.pb().log_max) log_.pop_front();
    if (!s_.sync()) return PbPutReply{};
    // Synchronous: every backup must have fsynced it before the client hears "ok".
    const sim::Time deadline = std::min(info.deadline, ctx.now() + s_.pb().replication_timeout);
    auto done = std::make_shared<sim::Channel<bool>>();
    std::size_t waiting = 0;
    for (std::size_t b = 0; b < s_.replica_count(); ++b) {
        if (b == index_) continue;
        ++waiting;
        ctx.spawn([this, b, seq, deadline, done](sim::Ctx& c) { done->try_send(catch_up(c, b, seq, deadline)); },
                  "pb-sync");
    }
    for (; waiting > 0; --waiting) {
        auto ok = done->recv(ctx, std::max(sim::Duration(0), deadline - ctx.now()));
        if (!ok || !*ok) {
            SIM_COVER("primary_backup: a synchronous write missed a backup and is unknown");
            return sim::Errc::timeout;
        }
    }
    return PbPutReply{};
}

sim::Result<PbGetReply> PbReplica::on_get(const PbGet& req) {
    if (!primary_) return PbGetReply{PbStatus::not_primary, {}};
    PbGetReply reply;
    if (const Siblings* v = data_.find(req.key)) {
        for (const Version& version : *v) reply.values.push_back(version.value);
    }
    return reply;
}

sim::Result<PbShipReply> PbReplica::on_ship(sim::Ctx& ctx, const PbShip& req, const sim::CallInfo& info) {
    if (!lock_.acquire(ctx, info.remaining(ctx))) return sim::Errc::overloaded;
    Permit permit(lock_);
    if (req.epoch < epoch_ || (req.epoch == epoch_ && primary_)) {
        SIM_COVER("primary_backup: a backup fenced off a shipment from an old epoch");
        return PbShipReply{ShipStatus::stale_epoch, last_seq_};
    }
    if (req.epoch > epoch_) {
        if (auto r = data_.set_meta(ctx, "epoch", req.epoch); !r) return r.error();
        epoch_ = req.epoch;
        set_role(false);
    }
    // Where this backup's state came from: the same primary life as the shipment's, an earlier
    // one (or an earlier epoch), or a later one. A shipment can arrive long after it was sent
    // (delayed, reordered, duplicated): one older than what the backup holds must not roll it back,
    // or the primary, which heard the newer one accepted, would count on writes the backup lost.
    const bool same_life = synced_epoch_ == req.epoch && synced_incarnation_ == req.incarnation;
    if (synced_epoch_ == req.epoch && req.incarnation < synced_incarnation_) {
        SIM_COVER("primary_backup: a backup refused a shipment from an earlier life of its primary");
        return PbShipReply{ShipStatus::stale, last_seq_};
    }
    if (req.snapshot) {
        if (same_life && req.last_seq <= last_seq_) {
            // A late copy of an earlier snapshot: this backup holds that state and more.
            SIM_COVER("primary_backup: a backup refused a snapshot older than what it holds");
            return PbShipReply{ShipStatus::ok, last_seq_};
        }
        ReplicaData::Meta meta{{"epoch", epoch_}, {"synced_epoch", epoch_}, {"synced_incarnation", req.incarnation}};
        meta.insert(meta.end(), req.sessions.begin(), req.sessions.end());
        if (auto r = data_.replace_all(ctx, req.entries, meta, "resync"); !r) return r.error();
        synced_epoch_ = epoch_;
        synced_incarnation_ = req.incarnation;
        last_seq_ = req.last_seq;
        SIM_COVER("primary_backup: a backup took a full snapshot");
        return PbShipReply{ShipStatus::ok, last_seq_};
    }
    if (!same_life) return PbShipReply{ShipStatus::need_snapshot, last_seq_};
    std::vector<Entry> batch;
    ReplicaData::Meta sessions;
    std::uint64_t next = last_seq_;
    for (std::size_t i = 0; i < req.entries.size(); ++i) {
        const Entry& e = req.entries[i];
        const auto seq = static_cast<std::uint64_t>(e.second.stamp);
        if (seq <= next) continue;
        if (seq != next + 1) break;  // a gap: ask for the rest from `next`
        batch.push_back(e);
        if (i < req.ops.size() && req.ops[i].op != 0)
            sessions.emplace_back(session_name(req.ops[i].client), req.ops[i].op);
        next = seq;
    }
    if (!batch.empty()) {
        if (auto r = data_.apply_batch(ctx, batch, "replicate", sessions); !r) return r.error();
        last_seq_ = next;
    }
    return PbShipReply{ShipStatus::ok, last_seq_};
}

bool PbReplica::ship_to(sim::Ctx& ctx, std::size_t b, sim::Time deadline) {
    Backup& st = backups_[b];
    PbShip msg;
    msg.epoch = epoch_;
    msg.incarnation = data_.host().incarnation();
    const std::uint64_t first_logged =
        log_.empty() ? last_seq_ + 1 : static_cast<std::uint64_t>(log_.front().entry.second.stamp);
    msg.snapshot = !st.synced || st.acked + 1 < first_logged;
    if (msg.snapshot) {
        msg.entries = data_.snapshot();
        msg.sessions = data_.meta_with_prefix(session_prefix);
        msg.last_seq = last_seq_;
    } else {
        for (const Logged& l : log_) {
            if (static_cast<std::uint64_t>(l.entry.second.stamp) <= st.acked) continue;
            if (msg.entries.size() >= s_.pb().batch_max) break;
            msg.entries.push_back(l.entry);
            msg.ops.push_back(l.op);
        }
        if (msg.entries.empty()) return true;
        msg.last_seq = static_cast<std::uint64_t>(msg.entries.back().second.stamp);
    }
    const std::uint64_t epoch = epoch_;
    const bool snapshot = msg.snapshot;
    const sim::Duration timeout = std::min(s_.options().peer_timeout, std::max(sim::Duration(0), deadline - ctx.now()));
    auto reply = s_.ship_.call(ctx, s_.replica(b), std::move(msg), timeout);
    if (!reply || epoch_ != epoch || !primary_) return false;  // no answer, or this replica's world changed meanwhile
    switch (reply->status) {
        case ShipStatus::ok:
            st.acked = reply->applied;
            if (snapshot) st.synced = true;
            return true;
        case ShipStatus::stale_epoch:
            // A backup knows a newer epoch: this primary was deposed and will hear it from the controller.
            SIM_COVER("primary_backup: a deposed primary's shipment was refused");
            return false;
        case ShipStatus::need_snapshot:
            st.synced = false;
            return false;
        case ShipStatus::stale:
            return false;  // an earlier life's shipment, answered late: this life's go on
    }
    return false;
}

bool PbReplica::catch_up(sim::Ctx& ctx, std::size_t b, std::uint64_t seq, sim::Time deadline) {
    if (!backup_permits_[b].acquire(ctx, std::max(sim::Duration(0), deadline - ctx.now()))) return false;
    Permit permit(backup_permits_[b]);
    constexpr int rounds_max = 16;  // a snapshot, then batches; more means the backup is not keeping up
    for (int round = 0; round < rounds_max; ++round) {
        if (backups_[b].synced && backups_[b].acked >= seq) return true;
        if (!primary_ || ctx.now() >= deadline) return false;
        if (!ship_to(ctx, b, deadline)) return false;
    }
    return backups_[b].synced && backups_[b].acked >= seq;
}

void PbReplica::shipper(sim::Ctx& ctx, std::size_t b) {
    for (;;) {  // until the host crashes; every round sleeps
        ctx.sleep_for(s_.pb().ship_interval);
        if (!primary_ || up_to_date(b) || !backup_permits_[b].try_acquire()) continue;
        Permit permit(backup_permits_[b]);
        ship_to(ctx, b, ctx.now() + s_.options().peer_timeout);
    }
}

// ---- controller ------------------------------------------------------------------------------------

std::string PbController::file() const { return s_.options().name + ".controller"; }

bool PbController::persist(sim::Ctx& ctx) {
    sim::Disk& disk = sim::disk(host_);
    const std::string record = std::to_string(epoch_) + " " + std::to_string(primary_) + "\n";
    return disk.append(ctx, file(), record) && disk.fsync(ctx, file());
}

void PbController::boot(sim::Ctx& ctx) {
    sim::Disk& disk = sim::disk(host_);
    if (disk.exists(file())) {
        auto bytes = disk.read_all(ctx, file());
        if (!bytes) return;  // cannot know the epoch: better not to decide anything
        // The last line wins ("<epoch> <primary>\n").
        std::string_view text = *bytes;
        while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
        const std::size_t newline = text.rfind('\n');
        const std::string_view last = newline == std::string_view::npos ? text : text.substr(newline + 1);
        const std::size_t space = last.find(' ');
        const char* end = last.data() + last.size();
        std::uint64_t epoch = 0;
        std::uint32_t primary = 0;
        const bool parsed = space != std::string_view::npos &&
                            std::from_chars(last.data(), last.data() + space, epoch).ptr == last.data() + space &&
                            std::from_chars(last.data() + space + 1, end, primary).ptr == end &&
                            primary < s_.replica_count();
        if (!parsed) {
            // A corrupted record: deciding from a guessed epoch could elect two primaries.
            SIM_COVER("primary_backup: the controller's file is damaged; it stays down");
            return;
        }
        epoch_ = epoch;
        primary_ = primary;
    } else if (!persist(ctx)) {
        return;
    }
    s_.who_.serve(host_, [this](sim::Ctx&, const PbWho&, const sim::CallInfo&) {
        return sim::Result<PbWhoReply>(PbWhoReply{epoch_, primary_});
    });
    last_heard_ = ctx.now();
    for (;;) {  // until the host crashes; every round waits for replies or sleeps
        round(ctx);
        ctx.sleep_for(s_.pb().heartbeat_interval);
    }
}

void PbController::round(sim::Ctx& ctx) {
    std::vector<std::pair<std::size_t, sim::Host*>> targets;
    for (std::size_t i = 0; i < s_.replica_count(); ++i) targets.emplace_back(i, &s_.replica(i));
    const sim::Duration timeout = s_.options().peer_timeout;
    auto replies = fan_out(ctx, s_.ping_, targets, PbPing{epoch_, primary_}, timeout);
    const sim::Time deadline = ctx.now() + timeout;
    std::vector<std::optional<PbPong>> pongs(targets.size());
    for (std::size_t n = 0; n < targets.size(); ++n) {
        auto reply =
            replies->recv(ctx, std::max(sim::Duration(0), deadline - ctx.now()) + std::chrono::milliseconds(1));
        if (!reply) break;
        if (reply->result) pongs[reply->index] = *reply->result;
    }
    if (pongs[primary_]) {
        last_heard_ = ctx.now();
        return;
    }
    if (ctx.now() - last_heard_ < s_.pb().failover_timeout) return;
    // Promote the backup that has applied the most: it loses the least.
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < pongs.size(); ++i) {
        if (i == primary_ || !pongs[i]) continue;
        if (!best || pongs[i]->applied > pongs[*best]->applied) best = i;
    }
    if (!best) return;
    const std::uint64_t old_epoch = epoch_;
    const std::uint32_t old_primary = primary_;
    epoch_ = old_epoch + 1;
    primary_ = static_cast<std::uint32_t>(*best);
    if (!persist(ctx)) {
        epoch_ = old_epoch;
        primary_ = old_primary;
        return;
    }
    last_heard_ = ctx.now();
    ++s_.failovers_;
    SIM_COVER("primary_backup: failover");
    ctx.trace("replication.failover", {{"epoch", epoch_}, {"primary", s_.replica(primary_).name()}});
}

// ---- client ------------------------------------------------------------------------------------------

sim::Result<std::size_t> PbClient::find_primary(sim::Ctx& ctx) {
    if (primary_) return *primary_;
    auto who = s_.who_.call(ctx, *s_.controller_, PbWho{}, s_.options().request_timeout);
    if (!who) return sim::Errc::unreachable;  // nothing was sent to the store
    primary_ = who->primary;
    return *primary_;
}

sim::Result<void> PbClient::put(sim::Ctx& ctx, std::string_view key, std::string_view value, const VersionVector*) {
    const std::uint64_t op = ++ops_;  // every attempt of this write carries it: applied at most once
    sim::Errc last = sim::Errc::refused;
    for (std::size_t attempt = 0; attempt < s_.pb().attempts_max; ++attempt) {
        auto p = find_primary(ctx);
        if (!p) return p.error();
        auto r = s_.put_.call(ctx, s_.replica(*p), PbPut{std::string(key), std::string(value), id_, op},
                              s_.options().request_timeout);
        if (r && r->status == PbStatus::ok) return {};
        primary_.reset();
        if (r) continue;  // not the primary: nothing happened; ask the controller again
        if (!definitely_not_applied(r.error())) return r.error();
        last = r.error();
    }
    return last;
}

sim::Result<ReadResult> PbClient::get(sim::Ctx& ctx, std::string_view key) {
    sim::Errc last = sim::Errc::refused;
    for (std::size_t attempt = 0; attempt < s_.pb().attempts_max; ++attempt) {
        auto p = find_primary(ctx);
        if (!p) return p.error();
        auto r = s_.get_.call(ctx, s_.replica(*p), PbGet{std::string(key)}, s_.options().request_timeout);
        if (r && r->status == PbStatus::ok) return ReadResult{r->values, {}};
        primary_.reset();
        if (r) continue;
        if (!definitely_not_applied(r.error())) return r.error();
        last = r.error();
    }
    return last;
}

}  // namespace

Store& make_primary_backup(sim::Simulator& sim, sim::Network& net, StoreOptions options) {
    return sim.make<PrimaryBackup>(sim, net, std::move(options));
}

}  // namespace models::replication::detail
