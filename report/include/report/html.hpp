// Self-contained HTML reports: one file with inline CSS, SVG and script that opens offline and
// fetches nothing (its Content-Security-Policy forbids it). Every string from a scenario is
// escaped. The output is a pure function of its input records: no timestamps, no wall time.
#pragma once

#include <string>

#include "report/record.hpp"

namespace faultline::report {

// One run: what the scenario is and expects, the verdict and each invariant, headline numbers,
// the faults, charts of every recorded series, measurements, options and how to reproduce it.
std::string run_html(const RunRecord& run);

// Two runs on the same axes (A and B, their labels in `label`), with the headline differences,
// the invariants side by side and the options that differ.
std::string compare_html(const RunRecord& a, const RunRecord& b);

}  // namespace faultline::report
