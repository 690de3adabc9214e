#include "sim/result.hpp"

namespace sim {

std::string_view to_string(Errc e) noexcept {
    switch (e) {
        case Errc::timeout: return "timeout";
        case Errc::refused: return "refused";
        case Errc::unreachable: return "unreachable";
        case Errc::overloaded: return "overloaded";
        case Errc::reset: return "reset";
        case Errc::exhausted: return "exhausted";
        case Errc::disk_full: return "disk_full";
        case Errc::io_error: return "io_error";
        case Errc::cancelled: return "cancelled";
        case Errc::internal: return "internal";
    }
    return "?";
}

}  // namespace sim
