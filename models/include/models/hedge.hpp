// Hedged requests ("The Tail at Scale", Dean and Barroso): when an attempt has not answered
// after `delay`, send another copy and take whichever answers first, trading a little extra load
// for a shorter latency tail. Up to `hedges_max` copies go out, one every `delay`, while nothing
// has succeeded yet.
//
// In the ResilientCaller a hedged try runs every copy in its own process on the caller's host;
// the first success wins and the other copies are killed at once (their stacks unwind, like a
// gRPC client cancelling the losing streams), so nothing of a finished call outlives it. The try
// fails only when every copy sent has failed, with the last error seen; the retry policy then
// decides about another try, which may be hedged again. A hedge is extra load like a retry: it
// needs a retry-budget token (when the budget is on) and passes the breaker and the throttle; if
// any of them says no, the try sends no more hedges.
//
// Left out: the server cancelling a losing copy's work (the kernel's RPC has no server-side
// cancellation: the handler runs to completion and its answer is dropped), hedging on a
// percentile of observed latency instead of a fixed delay, and sending a hedge at once when a
// copy fails (gRPC does; here a failed try goes back to the retry policy).
#pragma once

#include <optional>
#include <vector>

#include "sim/result.hpp"
#include "sim/sync.hpp"
#include "sim/time.hpp"
#include "sim/values.hpp"

namespace models {

struct HedgeOptions {
    static constexpr int hedges_limit = 10;

    bool enabled = false;
    sim::Duration delay = std::chrono::milliseconds(50);  // after the try began, and between hedges
    int hedges_max = 1;                                   // extra copies per try, 0 to 10
};

sim::ParseError validate(const HedgeOptions& options);

namespace detail {

// What the copies of one hedged try share with the caller that waits for them. Owned jointly
// (std::shared_ptr) by the caller and every copy's process, so whichever of them ends last frees
// it, and no copy ever writes into a stack that has gone.
template <class R>
struct HedgedTry {
    sim::Event changed;  // set whenever a copy finishes
    std::optional<R> winner;
    int winner_index = -1;  // 0: the first copy; 1..: hedges
    int launched = 0;
    int finished = 0;
    sim::Errc last_error = sim::Errc::timeout;
    std::vector<sim::ProcessRef> copies;
};

}  // namespace detail
}  // namespace models
