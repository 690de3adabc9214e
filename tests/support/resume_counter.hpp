// A trace sink that counts the fiber resumes (kernel.resume records) on one host: how a test
// shows that a server did some work without a fiber. Shared by the RPC and service tests.
#pragma once

#include <string>
#include <utility>

#include "sim/trace.hpp"

namespace test_support {

class ResumeCounter final : public sim::TraceSink {
public:
    explicit ResumeCounter(std::string host) : host_(std::move(host)) {}
    void record(const sim::TraceRecord& r) override { n_ += r.kind == "kernel.resume" && r.host == host_; }
    bool wants_kernel_events() const override { return true; }
    int count() const noexcept { return n_; }

private:
    std::string host_;
    int n_ = 0;
};

}  // namespace test_support
