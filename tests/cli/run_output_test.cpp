// What `faultline run` prints about a run whose events ran out before its planned end: the kernel
// takes the clock on to the end (RunResult::drained_at, blocked_forever), and the summary says
// from when nothing happened, and how many processes were left waiting for what never comes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "output.hpp"

namespace {

using namespace std::chrono_literals;

faultline::ScenarioRun still_run(std::size_t blocked) {
    faultline::ScenarioRun run;
    run.scenario = "deadlock";
    run.seed = 1;
    run.result.verdict = sim::Verdict::pass;
    run.result.end_time = sim::Time(5s);
    run.result.drained_at = sim::Time(1500ms);
    run.result.blocked_forever = blocked;
    return run;
}

TEST(RunOutput, ARunThatWentStillBeforeItsEndSaysFromWhenAndWhatWasBlocked) {
    const faultline::ScenarioRun run = still_run(2);
    faultline::cli::RunDisplay d;
    d.run = &run;
    const std::string text = faultline::cli::human_summary(d);
    EXPECT_NE(text.find("\nstill       from 1.5s nothing was left to run (2 processes blocked forever)\n"),
              std::string::npos)
        << text;
    const nlohmann::json j = faultline::cli::json_summary(d);
    EXPECT_EQ(j.at("drained_at_ns").get<std::int64_t>(), 1'500'000'000);
    EXPECT_EQ(j.at("blocked_forever").get<std::size_t>(), 2u);
    const faultline::ScenarioRun one = still_run(1);
    d.run = &one;
    EXPECT_NE(faultline::cli::human_summary(d).find("(1 process blocked forever)"), std::string::npos);
}

TEST(RunOutput, ARunThatRanToItsEndSaysNothingOfIt) {
    faultline::ScenarioRun run = still_run(0);
    run.result.drained_at = run.result.end_time;  // drained at the end: an ordinary end
    faultline::cli::RunDisplay d;
    d.run = &run;
    EXPECT_EQ(faultline::cli::human_summary(d).find("\nstill"), std::string::npos);
    run.result.drained_at.reset();
    EXPECT_FALSE(faultline::cli::json_summary(d).contains("drained_at_ns"));
}

}  // namespace
