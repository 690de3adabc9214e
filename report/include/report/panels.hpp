// Which charts a report draws, from the series a run recorded: load and goodput, latency, errors,
// in-flight requests, retries and amplification, cache hit ratios, each database's queries,
// connections, memory, utilisation and latency, each service's queue, workers, throughput,
// errors and latency, and every remaining series on its own. Every chart gets the fault windows,
// the failure (if the run failed) and, on goodput, the recovery rule: the baseline share, the
// deadline and the moment goodput came back.
//
// One run: lines coloured by what they show. Several (A/B): colour by run, dash by what they
// show, on the same axes.
#pragma once

#include <string>
#include <vector>

#include "report/chart.hpp"
#include "report/record.hpp"

namespace faultline::report {

struct Panel {
    std::string group;  // "Clients (users)", "Retries", "Caches", "Database db", "Services", "Other series"
    Chart chart;
};

// `labels`: what each run is called in legends (one per run; ignored for a single run).
std::vector<Panel> build_panels(const std::vector<const RunRecord*>& runs, const std::vector<std::string>& labels);

// The colour a run gets in a comparison (A, B, ...).
const char* run_colour(std::size_t index);

}  // namespace faultline::report
