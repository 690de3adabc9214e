// Recording clients and the random read/write workload.
#include "models/replication/client.hpp"

#include "sim/simulator.hpp"

namespace models::replication {

namespace {

check::Outcome outcome_of(sim::Errc e) {
    return definitely_not_applied(e) ? check::Outcome::fail : check::Outcome::unknown;
}

}  // namespace

sim::Result<void> RecordingClient::write(sim::Ctx& ctx, std::string_view key, std::string_view value) {
    const std::uint64_t id =
        history_.invoke(ctx.now(), name_, check::OpKind::write, std::string(key), std::string(value));
    if (id == 0) return sim::Errc::exhausted;  // the history is full: an unrecorded write would blind the checkers
    const VersionVector* context = nullptr;
    if (use_context) {
        auto it = contexts_.find(key);
        if (it != contexts_.end()) context = &it->second;
    }
    auto r = store_.put(ctx, key, value, context);
    history_.complete(id, ctx.now(), r ? check::Outcome::ok : outcome_of(r.error()));
    return r;
}

sim::Result<ReadResult> RecordingClient::read(sim::Ctx& ctx, std::string_view key) {
    const std::uint64_t id = history_.invoke(ctx.now(), name_, check::OpKind::read, std::string(key));
    if (id == 0) return sim::Errc::exhausted;  // the history is full
    auto r = store_.get(ctx, key);
    if (!r) {
        history_.complete(id, ctx.now(), outcome_of(r.error()));
        return r;
    }
    history_.complete(id, ctx.now(), check::Outcome::ok, r->values);
    if (use_context) contexts_.insert_or_assign(std::string(key), r->context);
    return r;
}

void run_workload(sim::Host& host, Store& store, check::HistoryRecorder& history, WorkloadOptions options) {
    SIM_ASSERT(options.keys > 0, "a workload needs at least one key");
    auto& client = host.make<RecordingClient>(store.connect(host, options.home), history, std::string(host.name()));
    client.use_context = options.use_context;
    host.spawn(
        [&client, &host, &history, options = std::move(options)](sim::Ctx& ctx) {
            const std::string prefix = std::string(host.name()) + "/" + std::to_string(host.incarnation()) + "#";
            sim::Rng rng = ctx.sim().rng("replication/workload/" + std::string(host.name()) + "/" +
                                         std::to_string(host.incarnation()));
            if (ctx.now() < options.start) ctx.sleep_until(options.start);
            // Until `stop` or a full history: every round records an operation (or is refused one),
            // so the history's cap bounds the loop.
            for (std::uint64_t n = 0;; ++n) {
                ctx.sleep_for(options.think.sample(rng));
                if (ctx.now() > options.stop) return;
                const std::string key = options.key_prefix + std::to_string(rng.uniform_u64(options.keys));
                if (rng.bernoulli(options.read_ratio)) {
                    (void)client.read(ctx, key);
                } else {
                    (void)client.write(ctx, key, prefix + std::to_string(n));
                }
                if (history.full_at()) {
                    // The history refused an operation: nothing more could be checked, so stop
                    // rather than load the store unseen.
                    SIM_COVER("replication: the history filled up and a client stopped");
                    return;
                }
            }
        },
        "workload");
}

}  // namespace models::replication
