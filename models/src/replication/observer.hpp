// The apply log a store keeps for the convergence checker: every time a replica's state for a key
// changes, the state after the change (see models/check/replica_state.hpp). It lives as long as
// the store, outside every host's volatile state, so crashes do not erase the record of what the
// replicas held. It is instrumentation, not part of any design: nothing in a model reads it.
//
// At boot a replica reports what it recovered; the observer logs the keys whose state differs from
// what it last logged for that replica (writes a crash lost show up there, cause "recover").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "models/check/replica_state.hpp"
#include "sim/simulator.hpp"
#include "wal.hpp"

namespace models::replication::detail {

class Observer {
public:
    Observer(sim::Simulator& sim, MergeRule rule, std::size_t entries_max)
        : sim_(sim), rule_(rule), entries_max_(entries_max) {}

    void changed(std::string_view replica, std::string_view key, const Siblings* now, std::string_view cause);
    void recovered(std::string_view replica, const Data& data);

    // The checker's view of a key's versions: values sorted, versions described with host names.
    check::Cell cell(const Siblings& versions) const;
    check::Contents contents(const Data& data) const;

    const check::ApplyLog& log() const noexcept { return log_; }
    bool complete() const noexcept { return !truncated_; }

private:
    void append(std::string_view replica, std::string_view key, std::optional<check::Cell> cell,
                std::string_view cause);

    sim::Simulator& sim_;
    MergeRule rule_;
    std::size_t entries_max_;
    bool truncated_ = false;
    check::ApplyLog log_;
    std::map<std::string, check::Contents, std::less<>> current_;  // replica -> last logged state
};

}  // namespace models::replication::detail
