// The shared parts of every design: replica hosts, final_state(), and ReplicaData (WAL + memory).
#include "store_base.hpp"

#include <algorithm>

namespace models::replication::detail {

StoreBase::StoreBase(sim::Simulator& sim, sim::Network& net, StoreOptions options, MergeRule rule)
    : sim_(sim), net_(net), options_(std::move(options)), rule_(rule), observer_(sim, rule, options_.apply_log_max) {
    SIM_ASSERT(!options_.replicas.empty(), "a replicated store needs at least one replica");
    for (const std::string& name : options_.replicas) {
        sim::Host* h = sim.find_host(name);
        replicas_.push_back(h != nullptr ? h : &sim.add_host(name));
    }
    live_.assign(replicas_.size(), nullptr);
}

check::FinalState StoreBase::final_state() const {
    check::FinalState out;
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
        const std::string name(replicas_[i]->name());
        if (live_[i] != nullptr && live_[i]->ready()) {
            out[name] = observer_.contents(live_[i]->data());
        } else {
            // Down (or still recovering): what it will find on its disk when it boots.
            const sim::Disk& d = sim::disk(*replicas_[i]);
            out[name] = observer_.contents(replay(d.durable_contents(wal_file()), rule_).data);
        }
    }
    return out;
}

std::size_t StoreBase::home_for(const sim::Host& client, std::string_view home) const {
    if (!home.empty()) {
        for (std::size_t i = 0; i < replicas_.size(); ++i) {
            if (replicas_[i]->name() == home) return i;
        }
        SIM_ASSERT(false, "no replica named '" + std::string(home) + "' in store '" + options_.name + "'");
    }
    const std::string_view name = client.name();
    const std::size_t slash = name.find('/');
    if (slash != std::string_view::npos) {
        for (std::size_t i = 0; i < replicas_.size(); ++i) {
            if (replicas_[i]->name().substr(0, slash + 1) == name.substr(0, slash + 1)) return i;
        }
    }
    return 0;
}

// ---- ReplicaData ---------------------------------------------------------------------------------

ReplicaData::ReplicaData(StoreBase& store, std::size_t index)
    : store_(store), index_(index), host_(store.replica(index)), file_(store.wal_file()) {}

ReplicaData::~ReplicaData() { store_.detach(index_, this); }

sim::Result<void> ReplicaData::recover(sim::Ctx& ctx) {
    SIM_ASSERT(!ready_, "a replica recovers once per boot");
    sim::Disk& disk = sim::disk(host_);
    std::string bytes;
    if (disk.exists(file_)) {
        // A failing disk (injected errors) gets a few more tries before the replica gives up.
        constexpr int attempts_max = 5;
        sim::Result<std::string> r = sim::Errc::io_error;
        for (int attempt = 0; attempt < attempts_max; ++attempt) {
            r = disk.read_all(ctx, file_);
            if (r) break;
            ctx.sleep_for(std::chrono::milliseconds(100));
        }
        if (!r) return r.error();
        bytes = std::move(*r);
    }
    Recovered rec = replay(bytes, store_.rule());
    if (rec.damaged) {
        SIM_COVER("replication: a damaged WAL was cut at the first bad record");
        ctx.trace("replication.wal_damaged", {{"records", rec.records}});
    }
    data_ = std::move(rec.data);
    meta_ = std::move(rec.meta);
    ready_ = true;
    store_.attach(index_, this);
    store_.observer().recovered(host_.name(), data_);
    const sim::Duration interval = store_.options().fsync_interval;
    if (interval > sim::Duration(0)) {
        ctx.spawn(
            [this, interval](sim::Ctx& c) {
                for (;;) {  // until the host crashes; each round sleeps
                    c.sleep_for(interval);
                    if (!dirty_) continue;
                    dirty_ = false;
                    if (!sim::disk(host_).fsync(c, file_)) dirty_ = true;
                }
            },
            "wal-fsync");
    }
    return {};
}

const Siblings* ReplicaData::find(std::string_view key) const {
    auto it = data_.find(key);
    return it == data_.end() ? nullptr : &it->second;
}

std::int64_t ReplicaData::max_stamp() const {
    std::int64_t m = 0;
    for (const auto& [key, versions] : data_) {
        for (const Version& v : versions) m = std::max(m, v.stamp);
    }
    return m;
}

std::uint64_t ReplicaData::meta(std::string_view name) const {
    auto it = meta_.find(name);
    return it == meta_.end() ? 0 : it->second;
}

std::vector<Entry> ReplicaData::snapshot() const {
    std::vector<Entry> out;
    for (const auto& [key, versions] : data_) {
        for (const Version& v : versions) out.emplace_back(key, v);
    }
    return out;
}

bool ReplicaData::would_change(std::string_view key, const Version& v) const {
    const Siblings* now = find(key);
    Siblings copy = now != nullptr ? *now : Siblings{};
    return merge(store_.rule(), copy, v);
}

sim::Result<void> ReplicaData::persist(sim::Ctx& ctx, const std::string& bytes, bool always_sync) {
    sim::Disk& disk = sim::disk(host_);
    if (auto r = disk.append(ctx, file_, bytes); !r) return r;
    if (!always_sync && store_.options().fsync_interval > sim::Duration(0)) {
        dirty_ = true;
        return {};
    }
    return disk.fsync(ctx, file_);
}

void ReplicaData::merge_logged(std::string_view key, const Version& v, std::string_view cause, std::size_t& changed) {
    auto it = data_.find(key);
    if (it == data_.end()) it = data_.emplace(std::string(key), Siblings{}).first;
    if (merge(store_.rule(), it->second, v)) {
        ++changed;
        store_.observer().changed(host_.name(), key, &it->second, cause);
    }
}

sim::Result<bool> ReplicaData::apply(sim::Ctx& ctx, std::string_view key, const Version& v, std::string_view cause,
                                     const Meta& meta) {
    SIM_ASSERT(ready_, "a replica applies writes only after recovery");
    const bool change = would_change(key, v);
    std::string bytes = change ? encode_version(key, v) : std::string();
    for (const auto& [name, value] : meta) bytes += encode_meta(name, value);
    if (bytes.empty()) return false;
    if (auto r = persist(ctx, bytes, false); !r) return r.error();
    for (const auto& [name, value] : meta) meta_[name] = value;
    std::size_t changed = 0;
    if (change) merge_logged(key, v, cause, changed);  // a concurrent write may have won meanwhile
    return changed != 0;
}

sim::Result<std::size_t> ReplicaData::apply_batch(sim::Ctx& ctx, const std::vector<Entry>& entries,
                                                  std::string_view cause, const Meta& meta) {
    SIM_ASSERT(ready_, "a replica applies writes only after recovery");
    std::string bytes;
    for (const auto& [key, v] : entries) {
        if (would_change(key, v)) bytes += encode_version(key, v);
    }
    for (const auto& [name, value] : meta) bytes += encode_meta(name, value);
    if (bytes.empty()) return std::size_t{0};
    if (auto r = persist(ctx, bytes, false); !r) return r.error();
    for (const auto& [name, value] : meta) meta_[name] = value;
    std::size_t changed = 0;
    for (const auto& [key, v] : entries) merge_logged(key, v, cause, changed);
    return changed;
}

ReplicaData::Meta ReplicaData::meta_with_prefix(std::string_view prefix) const {
    Meta out;
    for (auto it = meta_.lower_bound(prefix); it != meta_.end() && it->first.starts_with(prefix); ++it) {
        out.emplace_back(it->first, it->second);
    }
    return out;
}

sim::Result<void> ReplicaData::replace_all(sim::Ctx& ctx, const std::vector<Entry>& entries, const Meta& meta,
                                           std::string_view cause) {
    SIM_ASSERT(ready_, "a replica resyncs only after recovery");
    std::string bytes = encode_reset();
    for (const auto& [key, v] : entries) bytes += encode_version(key, v);
    for (const auto& [name, value] : meta) bytes += encode_meta(name, value);
    if (auto r = persist(ctx, bytes, /*always_sync=*/true); !r) return r;
    Data next;
    for (const auto& [key, v] : entries) merge(store_.rule(), next[key], v);
    for (const auto& [key, versions] : data_) {
        if (next.find(key) == next.end()) store_.observer().changed(host_.name(), key, nullptr, cause);
    }
    for (const auto& [key, versions] : next) {
        auto it = data_.find(key);
        if (it == data_.end() || it->second != versions) store_.observer().changed(host_.name(), key, &versions, cause);
    }
    data_ = std::move(next);
    for (const auto& [name, value] : meta) meta_[name] = value;
    return {};
}

sim::Result<void> ReplicaData::set_meta(sim::Ctx& ctx, std::string_view name, std::uint64_t value) {
    if (auto r = persist(ctx, encode_meta(name, value), /*always_sync=*/true); !r) return r;
    meta_[std::string(name)] = value;
    return {};
}

}  // namespace models::replication::detail
