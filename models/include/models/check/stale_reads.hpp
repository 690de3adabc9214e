// Stale reads: reads that returned a value older than the latest write acknowledged before the
// read was invoked.
//
// A read r of key k is stale if some write a of k was acknowledged before r was invoked, and every
// value r returned was written by writes that all finished before a began (so each is certainly
// older than a), or r returned nothing at all. "Before" is check::precedes: strictly earlier, or
// at the same instant by the same client. A value written by a write concurrent with a, or
// with an unknown outcome, is not older than a: some correct order puts it after a. So the count
// is of reads that no order of the writes can excuse; with no concurrent writes it is simply
// "the read missed the last acknowledged write".
//
// Only acknowledged reads count (the rate is stale / acknowledged reads, including reads that
// had no earlier write to miss). A read whose values no write in the history wrote is counted as
// unexplained, not stale.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "models/check/history.hpp"

namespace models::check {

struct StaleRead {
    Operation read;
    Operation missed;  // an acknowledged write, finished before the read began, newer than what it returned
};

struct StaleReadReport {
    std::size_t reads = 0;  // acknowledged reads
    std::size_t stale = 0;
    std::size_t unexplained = 0;      // reads returning only values nobody wrote
    std::vector<StaleRead> examples;  // the first few, by read id
    double rate() const noexcept { return reads == 0 ? 0.0 : static_cast<double>(stale) / static_cast<double>(reads); }
    std::string describe() const;
};

struct StaleReadOptions {
    std::size_t examples_max = 20;
};

StaleReadReport check_stale_reads(const History& history, const StaleReadOptions& options = {});

}  // namespace models::check
