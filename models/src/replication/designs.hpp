// The designs behind make_store (one file each).
#pragma once

#include "models/replication/store.hpp"

namespace models::replication::detail {

Store& make_primary_backup(sim::Simulator& sim, sim::Network& net, StoreOptions options);
Store& make_quorum(sim::Simulator& sim, sim::Network& net, StoreOptions options);
Store& make_regional(sim::Simulator& sim, sim::Network& net, StoreOptions options);

}  // namespace models::replication::detail
