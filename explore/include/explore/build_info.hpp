// Which faultline made a result: its version and build id (the git commit at configure time).
// Artifacts record both; replay compares them to say whether the build changed.
#pragma once

#include <string>

namespace faultline::explore {

std::string version();
std::string build_id();

// The name of the running program, for every command line it prints (reproduce, replay, run it,
// help): a user's own program built on faultline::cli::run knows scenarios and model kinds that
// the stock `faultline` does not, so its repro lines must name it. "faultline" until
// set_program_name is called (cli::run does, with argv[0]).
const std::string& program_name();
// The last part of argv[0] ("build/myfl" is "myfl"): the program a user runs by name, the same
// however it was started (fuzz workers are started by their full path). Null, empty or ending
// in '/': "faultline".
void set_program_name(const char* argv0);

}  // namespace faultline::explore
