// The faultline command as a library: a program that registers its own model kinds
// (faultline/model_kind.hpp) or C++ scenarios (faultline::register_scenario) and then hands
// over to the standard command line:
//
//   int main(int argc, char** argv) {
//       faultline::register_model_kind<QuotaApiOptions>("quota_api", "...", build_quota_api);
//       return faultline::cli::run(argc, argv);
//   }
//
// Such a program is a complete faultline: run, list, fuzz (its workers are the same program),
// replay and shrink all know the registered kinds, and every command line it prints
// (reproduce, replay, run it, help) names it: the last part of argv[0] ("faultline" when
// argv[0] is empty), since the stock `faultline` does not know its kinds.
#pragma once

namespace faultline::cli {

// Parses the arguments and runs the subcommand. Returns the exit code: 0 pass, 1 an invariant
// or assertion failed, 2 bad usage or input, 3 internal error.
int run(int argc, char** argv);

}  // namespace faultline::cli
