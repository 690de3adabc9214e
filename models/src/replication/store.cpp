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

sim::ParseError check_period(std::string_view field, sim::Duration period, std::string_view task,
                             std::string_view zero) {
    if (period >= period_min || (!zero.empty() && period == sim::Duration(0))) return std::nullopt;
    static_assert(period_min == std::chrono::milliseconds(1), "the message below says 1ms");
    return std::string(field) + " must be at least 1ms, got " + sim::format_value(period) + " (" + std::string(task) +
           " wakes every interval, work or not: " +
           (zero.empty() ? std::string("0 stops virtual time, and shorter ones spend the run on idle wake-ups")
                         : "shorter ones spend the run on idle wake-ups; " + std::string(zero)) +
           ")";
}

// "primary_backup: ship_interval 0s must be at least 1ms (...)": the reader drops the section
// name and points at the field.
sim::ParseError validate(const PrimaryBackupOptions& o) {
    if (auto e = check_period("primary_backup: ship_interval", o.ship_interval, "a shipper")) return e;
    if (auto e = check_period("primary_backup: heartbeat_interval", o.heartbeat_interval, "the controller")) return e;
    if (o.failover_timeout <= sim::Duration(0)) return std::string("primary_backup: failover_timeout must be positive");
    if (o.replication_timeout <= sim::Duration(0))
        return std::string("primary_backup: replication_timeout must be positive");
    if (o.batch_max < 1) return std::string("primary_backup: batch_max must be at least 1");
    if (o.attempts_max < 1) return std::string("primary_backup: attempts_max must be at least 1");
    return std::nullopt;
}

sim::ParseError validate(const RegionalOptions& o) {
    if (auto e = check_period("regional: ship_interval", o.ship_interval, "a shipper")) return e;
    if (o.batch_max < 1) return std::string("regional: batch_max must be at least 1");
    return std::nullopt;
}

sim::ParseError check_periods(const StoreOptions& o) {
    if (auto e = check_period("fsync_interval", o.fsync_interval, "the background fsync",
                              "0 fsyncs before every acknowledgement instead")) {
        return e;
    }
    return check_period("anti_entropy_interval", o.anti_entropy_interval, "anti-entropy", "0 turns it off");
}

Store& make_store(sim::Simulator& sim, sim::Network& net, StoreOptions options) {
    // Bad options are the caller's bug (a scenario file is checked when it is read).
    for (const sim::ParseError& problem :
         {validate(options.primary_backup), validate(options.regional), check_periods(options)}) {
        SIM_ASSERT(!problem, problem.value_or(""));
    }
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
