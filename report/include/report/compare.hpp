// The headline differences between two runs (A and B), as rows a table, a terminal and a
// Markdown summary all print: time to recover, errors, goodput, p50/p99 latency, peak retry
// amplification, retries, database crashes and connections, cache hit ratio, verdicts.
#pragma once

#include <string>
#include <vector>

#include "report/headline.hpp"
#include "report/record.hpp"

namespace faultline::report {

struct DiffRow {
    std::string metric;
    std::string a;  // formatted
    std::string b;
    std::string change;  // "-57,908 (-100%)", "13x faster", "" when not comparable
    int better = 0;      // +1: B is better, -1: B is worse, 0: same or not comparable
};

std::vector<DiffRow> headline_diff(const RunRecord& a, const RunRecord& b);

// Options whose values differ between the runs (path, A's value, B's value; "" when absent).
struct OptionDiff {
    std::string path;
    std::string a;
    std::string b;
};
std::vector<OptionDiff> option_diff(const RunRecord& a, const RunRecord& b);

// When both runs have the same trace hash (two names of one run, or a change that left this seed
// untouched): "A and B ran the same events (trace hash X): B's difference changed nothing on this
// seed", which the terminal, the page and its summary all say; "" otherwise.
std::string same_events_note(const RunRecord& a, const RunRecord& b);

// The rows as aligned plain text (for the terminal).
std::string diff_text(const std::vector<DiffRow>& rows, const std::string& label_a, const std::string& label_b);

}  // namespace faultline::report
