// make_store: picks the design; and the small shared vocabulary of store.hpp.
#include "models/replication/store.hpp"

#include "designs.hpp"

namespace models::replication {

std::string_view to_string(Design design) noexcept {
    for (const auto& [name, value] : enum_names(Design{})) {
        if (value == design) return name;
    }
    return "?";
}

bool definitely_not_applied(sim::Errc e) noexcept {
    switch (e) {
        case sim::Errc::refused:      // nothing served the request
        case sim::Errc::unreachable:  // it never left (no route)
        case sim::Errc::overloaded:   // shed before it was applied
        case sim::Errc::exhausted:    // never sent
        case sim::Errc::cancelled:
            return true;
        default:
            return false;  // timeouts, resets, disk errors: it may have been applied
    }
}

Store& make_store(sim::Simulator& sim, sim::Network& net, StoreOptions options) {
    switch (options.design) {
        case Design::primary_backup_async:
        case Design::primary_backup_sync:
            return detail::make_primary_backup(sim, net, std::move(options));
        case Design::quorum:
            return detail::make_quorum(sim, net, std::move(options));
        case Design::lww:
        case Design::multi_value:
            return detail::make_regional(sim, net, std::move(options));
    }
    SIM_ASSERT(false, "unknown replication design");
    return detail::make_quorum(sim, net, std::move(options));
}

}  // namespace models::replication
