// The request and response that flow between workloads, services, caches and databases.
// Deliberately small and trivially copyable: it travels inline in simulated packets.
#pragma once

#include <cstdint>

#include "sim/time.hpp"

namespace models {

struct Request {
    std::uint64_t id = 0;      // unique per logical request (retries keep it)
    std::uint64_t key = 0;     // what is asked for (cache key, database row)
    sim::Time created{};       // when the logical request was born (end-to-end latency)
    std::uint32_t attempt = 0; // 0 for the first attempt
    bool write = false;
};

struct Response {
    std::uint64_t value = 0;
    std::uint64_t version = 0;
    bool from_cache = false;
};

}  // namespace models
