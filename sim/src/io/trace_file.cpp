#include "sim/trace_file.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace sim {

JsonlTraceFile::JsonlTraceFile(const std::string& path, bool kernel_events) : kernel_events_(kernel_events) {
    try {
        auto sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(path, /*truncate=*/true);
        logger_ = std::make_shared<spdlog::logger>("faultline-trace", std::move(sink));
        logger_->set_pattern("%v");
        logger_->set_level(spdlog::level::trace);
        logger_->flush_on(spdlog::level::err);
    } catch (const spdlog::spdlog_ex& e) {
        throw std::runtime_error("cannot write trace file '" + path + "': " + e.what());
    }
}

JsonlTraceFile::~JsonlTraceFile() { flush(); }

void JsonlTraceFile::record(const TraceRecord& r) { logger_->info(trace_record_json(r)); }

void JsonlTraceFile::flush() {
    if (logger_) logger_->flush();
}

}  // namespace sim
