// The golden-hash check without GoogleTest, for the libc++ kernel-only build.
#include <cstdio>

#include "golden/golden_runs.hpp"
#include "sim/trace.hpp"

int main() {
    int failures = 0;
    for (const golden::Case& c : golden::cases()) {
        const std::uint64_t got = golden::run_case(c.name, c.seed);
        const bool ok = got == c.expected_hash;
        std::printf("%s %-14s seed=%-4llu expected=%s got=%s\n", ok ? "ok  " : "FAIL", std::string(c.name).c_str(),
                    static_cast<unsigned long long>(c.seed), sim::hash_hex(c.expected_hash).c_str(), sim::hash_hex(got).c_str());
        failures += ok ? 0 : 1;
    }
    return failures == 0 ? 0 : 1;
}
