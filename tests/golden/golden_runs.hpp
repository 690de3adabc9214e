// Fixed kernel-only runs whose trace hashes are pinned (golden). They exercise fibers, timers,
// channels, random streams, crashes and same-time ties. The same hashes must come out of every
// compiler and standard library: a seed must survive a change of toolchain.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace golden {

struct Case {
    std::string_view name;
    std::uint64_t seed;
    std::uint64_t expected_hash;
};

// Runs one golden workload and returns its trace hash.
std::uint64_t run_case(std::string_view name, std::uint64_t seed);

// The pinned cases. Change an expected hash only for a deliberate change of kernel behaviour,
// and say so in the commit message: every saved seed and artifact changes meaning with it.
const std::vector<Case>& cases();

}  // namespace golden
