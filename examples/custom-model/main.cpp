// A faultline program with one more model kind: everything the faultline command does, and
// scenario files may use `kind: quota_api`. Try:
//   faultline-example run examples/custom-model/checkout.yaml --seed 1
// Its repro lines say `faultline-example run ...`: the program that knows `quota_api`.
#include "faultline/cli.hpp"
#include "quota_api.hpp"

int main(int argc, char** argv) {
    example::register_quota_api();
    return faultline::cli::run(argc, argv);
}
