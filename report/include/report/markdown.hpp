// Markdown summaries for a pull request or a review document, written next to the HTML: the
// verdict, the hypothesis, each invariant, the headline numbers (or differences), the faults and
// the command that reproduces the run. Every scenario string is escaped.
#pragma once

#include <string>

#include "report/record.hpp"

namespace faultline::report {

// `html_name`: the HTML report's file name, linked from the summary (empty: no link).
std::string run_markdown(const RunRecord& r, const std::string& html_name = {});
std::string compare_markdown(const RunRecord& a, const RunRecord& b, const std::string& html_name = {});

}  // namespace faultline::report
