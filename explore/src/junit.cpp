// JUnit XML for CI: one failing test case per signature (not per seed: a nightly job of a
// hundred thousand seeds would otherwise bury the few distinct bugs), plus one passing case that
// accounts for the seeds that passed.
#include <algorithm>
#include <map>

#include "explore/build_info.hpp"
#include "explore/fuzz.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

namespace {
std::string xml_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 allows no control characters but tab, newline and carriage return.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    out += '?';
                else
                    out += c;
        }
    }
    return out;
}
}  // namespace

std::string junit_xml(const JobConfig& job, const Tally& tally, const std::vector<SignatureGroup>& groups,
                      const std::string& out_dir, const Coverage& coverage) {
    const std::uint64_t passed = tally.count(Verdict::pass);
    std::size_t failures = 0, errors = coverage.complete() ? 0 : 1;
    for (const SignatureGroup& g : groups) {
        if (g.verdict == Verdict::fail || g.verdict == Verdict::runaway)
            ++failures;
        else
            ++errors;
    }
    const std::string name = job.scenario.text();
    // The class is the scenario by its name (a file's `name:`), with its variant, as `run` prints
    // it: "faultline.fuzz.retry-storm/adaptive-throttling". A path's dots and slashes would split it
    // into packages in a CI's test tree, and so would a dot in a name ("my.svc": "my_svc"); the
    // suite's name keeps the path.
    std::string own = job.scenario.run_name();
    std::replace(own.begin(), own.end(), '.', '_');
    const std::string classname = xml_escape("faultline.fuzz." + own);
    const std::string tests = std::to_string(groups.size() + 1 + (coverage.complete() ? 0 : 1));
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += "<testsuites name=\"faultline fuzz\" tests=\"" + tests + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"" + std::to_string(errors) + "\">\n";
    x += "  <testsuite name=\"" + xml_escape("fuzz " + name) + "\" tests=\"" + tests + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\">\n";
    x += "    <testcase classname=\"" + classname + "\" name=\"" +
         xml_escape("seeds " + job.seeds + " (shard " + job.shard + "): " + std::to_string(passed) + " of " +
                    std::to_string(tally.seeds) + " passed") +
         "\"/>\n";
    if (!coverage.complete()) {
        // Seeds that never ran are not passes: a CI step that publishes on failure too must not
        // show an interrupted job or an unfinished shard as green.
        std::string message = coverage.text();
        if (!coverage.interrupted.empty()) message = "interrupted by " + coverage.interrupted + ": " + message;
        std::string body = message + "\n";
        for (const std::string& gap : coverage.gaps) body += gap + "\n";
        body += !coverage.next_step.empty() ? coverage.next_step + "\n"
                : coverage.gaps.empty()     ? "the same command with --resume runs the rest\n"
                                            : "the shard's command with --resume runs the rest; then merge again\n";
        x += "    <testcase classname=\"" + classname + "\" name=\"seeds not run\">\n";
        x += "      <error type=\"incomplete\" message=\"" + xml_escape(message) + "\">" + xml_escape(body) + "</error>\n";
        x += "    </testcase>\n";
    }
    for (const SignatureGroup& g : groups) {
        const bool failure = g.verdict == Verdict::fail || g.verdict == Verdict::runaway;
        const char* tag = failure ? "failure" : "error";
        std::string seeds;
        for (std::size_t i = 0; i < g.seeds.size() && i < 50; ++i)
            seeds += (i ? ", " : "") + std::to_string(g.seeds[i]);
        if (g.seeds.size() > 50) seeds += ", ...";
        std::string body = g.signature + "\n";
        if (g.fastest.failure && !g.fastest.failure->message.empty()) body += g.fastest.failure->message + "\n";
        if (!g.fastest.detail.empty()) body += g.fastest.detail + "\n";
        body += "seeds (" + std::to_string(g.count) + "): " + seeds + "\n";
        body += "fastest: seed " + std::to_string(g.fastest.seed);
        if (g.verdict == Verdict::fail || g.verdict == Verdict::runaway)
            body += " at " + shown_time(g.fastest.end_time);
        body += "\n";
        body += g.has_artifact ? "replay: " + program_name() + " replay " + artifact_path(out_dir, g.id) + "\n"
                               : std::string("replay: no artifact (see the merge's warnings)\n");
        x += "    <testcase classname=\"" + classname + "\" name=\"" + xml_escape(g.signature) + "\">\n";
        x += "      <" + std::string(tag) + " type=\"" + std::string(to_string(g.verdict)) + "\" message=\"" +
             xml_escape(g.signature + " on " + std::to_string(g.count) + " seed" + (g.count == 1 ? "" : "s") +
                        "; fastest seed " + std::to_string(g.fastest.seed)) +
             "\">" + xml_escape(body) + "</" + tag + ">\n";
        x += "    </testcase>\n";
    }
    x += "  </testsuite>\n</testsuites>\n";
    return x;
}

}  // namespace faultline::explore
