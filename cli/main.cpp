// The faultline program: the standard command line with the built-in scenarios and models.
#include "faultline/cli.hpp"

int main(int argc, char** argv) { return faultline::cli::run(argc, argv); }
