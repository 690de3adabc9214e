// The page every HTML report is built in: one self-contained document (inline CSS, inline
// script, inline SVG; a Content-Security-Policy that forbids every fetch), and the pieces the
// run, compare and sweep reports share. Private to report/.
#pragma once

#include <string>
#include <vector>

#include "report/chart.hpp"
#include "report/headline.hpp"
#include "report/panels.hpp"
#include "report/record.hpp"

namespace faultline::report::page {

std::string begin(const std::string& title);
// Ends the page; `chart_data` is a JSON array (one chart_data_json() per chart) for the read-out.
std::string end(const std::string& chart_data);

// "<span class="verdict fail">FAIL</span>"
std::string verdict_badge(const std::string& verdict);
// Charts by group, and the JSON the read-out needs (appended to `chart_data`).
std::string charts(const std::vector<Panel>& panels, std::string& chart_data);
std::string faults_table(const RunRecord& r);
std::string measurements_table(const RunRecord& r);
std::string options_section(const RunRecord& r);
std::string coverage_section(const RunRecord& r);
std::string paragraph(const std::string& text);  // escaped, blank lines as paragraph breaks

}  // namespace faultline::report::page
