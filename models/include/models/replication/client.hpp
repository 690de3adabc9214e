// Clients that record a history: every operation with its invocation and completion time (virtual),
// its result, and whether it was acknowledged (models/check/history.hpp), which is all the
// checkers need.
//
// RecordingClient wraps a StoreClient for tests and scenarios that choose each operation;
// run_workload drives one with a random mix of reads and writes over a set of keys. Every value a
// client writes is unique ("<host>/<incarnation>#<n>"), so the checkers can tell which write a read
// saw. Outcomes: an acknowledged operation is ok; an error that guarantees nothing was applied
// (definitely_not_applied) is fail; any other error is unknown. An operation the history has no
// room for is not sent (Errc::exhausted), and run_workload's client stops there: the history's cap
// (HistoryRecorder's ops_max, over all clients) is the only count that stops a client, and a
// scenario's checkers say when it was reached. There is no cap per client: one that stopped the
// client silently would leave the rest of the run, and its late faults, untested.
//
// Left out: retries (an operation is one attempt; a retrying client is a different history),
// read-modify-write other than multi_value's contexts, open-loop arrival (each client waits for
// its answer before thinking and going again).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "models/check/history.hpp"
#include "models/replication/store.hpp"
#include "sim/distribution.hpp"

namespace models::replication {

class RecordingClient {
public:
    // `name` is the client's name in the history (usually its host's name).
    RecordingClient(StoreClient& store, check::HistoryRecorder& history, std::string name)
        : store_(store), history_(history), name_(std::move(name)) {}

    sim::Result<void> write(sim::Ctx& ctx, std::string_view key, std::string_view value);
    sim::Result<ReadResult> read(sim::Ctx& ctx, std::string_view key);

    // multi_value: a write carries the context of this client's last read of the key, so it
    // replaces the siblings it saw; without it every write is concurrent with what is stored.
    bool use_context = true;

private:
    StoreClient& store_;
    check::HistoryRecorder& history_;
    std::string name_;
    std::map<std::string, VersionVector, std::less<>> contexts_;
};

struct WorkloadOptions {
    std::size_t keys = 16;  // k0 .. k<keys-1>, chosen uniformly
    std::string key_prefix = "k";
    sim::Ratio read_ratio{1, 2};
    sim::Delay think = sim::Delay::exponential(std::chrono::milliseconds(10));  // between operations
    sim::Time start{};                                                          // no operation before this
    sim::Time stop = sim::time_never;                                           // no operation starts after this
    std::string home;  // regional designs: the client's replica (see Store::connect)
    bool use_context = true;
};

// Connects to the store from `host` and starts the workload's process there. Call it from the
// host's boot function: a crash kills the client (its operation in flight stays unknown) and the
// next boot starts it again. Randomness comes from the stream
// "replication/workload/<host>/<incarnation>".
void run_workload(sim::Host& host, Store& store, check::HistoryRecorder& history, WorkloadOptions options);

}  // namespace models::replication
