// Client-side adaptive throttling, as in the Google SRE book ("Handling Overload"): a client
// counts, over a rolling window, the requests it tried to send and the requests the backend
// accepted, and rejects a new request locally with probability
//
//     max(0, (requests - k * accepts) / (requests + 1))
//
// so that, once the backend turns requests away, the client sends it about k times what it
// accepts and sheds the rest before they cost the backend anything.
//
// "Requests" include the ones rejected locally (that is what keeps the probability below 1);
// each is counted when it is rejected or when its answer arrives, so an attempt abandoned in
// flight (a hedge that lost) counts nothing. Accepted means the backend answered: success, or
// an error of its own handler (`internal`); overload, timeouts and connection errors are not
// accepts. Left out: per-priority criticality (the book rejects lower priorities first) and
// sharing counts between clients.
#pragma once

#include <cstdint>

#include "models/caller_window.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/time.hpp"
#include "sim/values.hpp"

namespace models {

struct ThrottleOptions {
    bool enabled = false;
    // The multiplier: 2 lets through twice what the backend accepts (the book's choice); lower is
    // more aggressive. Between 1 and 100.
    double k = 2.0;
    sim::Duration window = std::chrono::minutes(2);
    int window_buckets = 60;  // the window moves in steps of window / window_buckets
};

sim::ParseError validate(const ThrottleOptions& options);

class AdaptiveThrottle {
public:
    explicit AdaptiveThrottle(ThrottleOptions options);

    const ThrottleOptions& options() const noexcept { return options_; }

    // Whether to send a request now. A rejection is counted (as a request, not accepted); the
    // stream is drawn only while the reject probability is above zero.
    bool admit(sim::Time now, sim::Rng& rng);
    // The answer to an admitted request arrived; `accepted` says whether the backend took it.
    void record(sim::Time now, bool accepted);

    double reject_probability(sim::Time now) const;
    std::uint64_t requests(sim::Time now) const { return window_.sum(now).total; }
    std::uint64_t accepts(sim::Time now) const { return window_.sum(now).marked; }
    std::uint64_t rejected() const noexcept { return rejected_; }

    // Whether the backend took a request that ended with this result (see the top of the file).
    static bool accepted(bool ok, sim::Errc error) noexcept { return ok || error == sim::Errc::internal; }

private:
    ThrottleOptions options_;
    RollingWindow window_;  // total: requests; marked: accepts
    std::uint64_t rejected_ = 0;
};

}  // namespace models
