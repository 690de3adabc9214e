#include "sim/trace_file.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace sim {

namespace {
constexpr std::size_t batch_bytes = 32 * 1024;
}

JsonlTraceFile::JsonlTraceFile(const std::string& path, bool kernel_events) : kernel_events_(kernel_events) {
    try {
        auto sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(path, /*truncate=*/true);
        logger_ = std::make_shared<spdlog::logger>("faultline-trace", std::move(sink));
        logger_->set_pattern("%v");
        logger_->set_level(spdlog::level::trace);
        logger_->flush_on(spdlog::level::err);
        batch_capacity_ = 2 * batch_bytes;
        batch_ = std::make_unique<char[]>(batch_capacity_);
    } catch (const spdlog::spdlog_ex& e) {
        throw std::runtime_error("cannot write trace file '" + path + "': " + e.what());
    }
}

JsonlTraceFile::~JsonlTraceFile() { flush(); }

void JsonlTraceFile::record(const TraceRecord& r) {
    const std::size_t room = trace_record_json_bound(r) + 1;
    if (batch_capacity_ - batch_used_ < room) {
        write_batch();
        if (batch_capacity_ < room) {  // one huge record: a buffer of its own size
            batch_capacity_ = room;
            batch_ = std::make_unique<char[]>(batch_capacity_);
        }
    }
    char* end = write_trace_record_json(batch_.get() + batch_used_, r);
    *end++ = '\n';
    batch_used_ = static_cast<std::size_t>(end - batch_.get());
    if (batch_used_ >= batch_bytes) write_batch();
}

// One spdlog message for the batch; its pattern ("%v") adds the last line's newline.
void JsonlTraceFile::write_batch() {
    if (batch_used_ == 0) return;
    logger_->info(spdlog::string_view_t(batch_.get(), batch_used_ - 1));
    batch_used_ = 0;
}

void JsonlTraceFile::flush() {
    if (!logger_) return;
    write_batch();
    logger_->flush();
}

}  // namespace sim
