// Trace files: the batch handed to spdlog, the JSON Lines and binary encodings, and the end of a
// file (sim/trace_file.hpp).
#include "sim/trace_file.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace sim {

namespace {
constexpr std::size_t batch_bytes = 32 * 1024;

std::shared_ptr<spdlog::sinks::sink> file_sink(const std::string& path) {
    try {
        return std::make_shared<spdlog::sinks::basic_file_sink_st>(path, /*truncate=*/true);
    } catch (const spdlog::spdlog_ex& e) {
        throw std::runtime_error("cannot write trace file '" + path + "': " + e.what());
    }
}
}  // namespace

TraceFile::TraceFile(const std::string& path, bool kernel_events) : TraceFile(file_sink(path), kernel_events) {}

TraceFile::TraceFile(std::shared_ptr<spdlog::sinks::sink> sink, bool kernel_events)
    : logger_(std::make_shared<spdlog::logger>("faultline-trace", std::move(sink))),
      batch_(std::make_unique<char[]>(2 * batch_bytes)),
      batch_capacity_(2 * batch_bytes),
      kernel_events_(kernel_events) {
    // The batch is written as it is: no line ending added (a binary trace has no lines).
    logger_->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v", spdlog::pattern_time_type::utc, std::string()));
    logger_->set_level(spdlog::level::trace);
    logger_->flush_on(spdlog::level::err);
    // spdlog's file sink throws on a failed write, and the logger hands the message here:
    // "Failed writing to file t.ftrace: No space left on device". The first one is kept.
    logger_->set_error_handler([this](const std::string& message) {
        if (error_) return;
        const std::size_t colon = message.rfind(": ");
        error_ = colon == std::string::npos ? message : message.substr(colon + 2);
    });
}

TraceFile::~TraceFile() { flush(); }

char* TraceFile::reserve(std::size_t bytes) {
    if (batch_capacity_ - batch_used_ < bytes) {
        write_batch();
        if (batch_capacity_ < bytes) grow_batch(batch_.get(), bytes);  // one huge record
    }
    return batch_.get() + batch_used_;
}

char* TraceFile::grow_batch(char* p, std::size_t bytes) {
    const auto used = static_cast<std::size_t>(p - batch_.get());
    const std::size_t capacity = std::max(2 * batch_capacity_, used + bytes);
    auto bigger = std::make_unique<char[]>(capacity);
    std::copy(batch_.get(), p, bigger.get());
    batch_ = std::move(bigger);
    batch_capacity_ = capacity;
    return batch_.get() + used;
}

void TraceFile::commit(char* end) {
    batch_used_ = static_cast<std::size_t>(end - batch_.get());
    if (batch_used_ >= batch_bytes) write_batch();
}

// One spdlog message for the whole batch.
void TraceFile::write_batch() {
    if (batch_used_ == 0) return;
    logger_->info(spdlog::string_view_t(batch_.get(), batch_used_));
    batch_used_ = 0;
}

void TraceFile::flush() {
    if (!logger_) return;
    write_batch();
    logger_->flush();
}

void TraceFile::close() {
    if (closed_) return;
    closed_ = true;
    write_end();
    flush();
}

void TraceFile::close_unless_unwinding() noexcept {
    if (std::uncaught_exceptions() > exceptions_at_open_) return;
    try {
        close();
    } catch (...) {  // no memory for the end marker: the file reads as cut short, which is true
    }
}

JsonlTraceFile::JsonlTraceFile(const std::string& path, bool kernel_events) : TraceFile(path, kernel_events) {}
JsonlTraceFile::JsonlTraceFile(std::shared_ptr<spdlog::sinks::sink> sink, bool kernel_events)
    : TraceFile(std::move(sink), kernel_events) {}

void JsonlTraceFile::record(const TraceRecord& r) {
    char* end = write_trace_record_json(reserve(trace_record_json_bound(r) + 1), r);
    *end++ = '\n';
    commit(end);
}

BinaryTraceFile::BinaryTraceFile(const std::string& path, bool kernel_events) : TraceFile(path, kernel_events) {
    const std::string_view header = BinaryTraceEncoder::header();
    char* p = reserve(header.size());
    std::copy(header.begin(), header.end(), p);
    commit(p + header.size());
    flush();  // on disk from the start: a run killed before its first batch leaves a file that
              // reads as cut short after 0 records, not one that is "not a trace" (0 bytes)
}

BinaryTraceFile::~BinaryTraceFile() { close_unless_unwinding(); }

// The record's fixed room, found without reading a string; a string written by its bytes asks for
// its own (Output::make_room).
void BinaryTraceFile::record(const TraceRecord& r) {
    char* p = reserve(BinaryTraceEncoder::fixed_room(r));
    output_.end = batch_end();
    commit(encoder_.write(p, output_, r));
    ++records_;
}

void BinaryTraceFile::write_end() {
    char* p = reserve(BinaryTraceEncoder::end_room);
    commit(BinaryTraceEncoder::write_end(p, records_));
}

char* BinaryTraceFile::Output::make_room(char* p, std::size_t bytes) {
    p = file.grow_batch(p, bytes);
    end = file.batch_end();
    return p;
}

void BinaryTraceFile::expect_host(std::uint32_t host_id) noexcept { encoder_.expect_host(host_id); }

std::unique_ptr<TraceFile> open_trace_file(const std::string& path, bool kernel_events) {
    if (is_binary_trace_path(path)) return std::make_unique<BinaryTraceFile>(path, kernel_events);
    return std::make_unique<JsonlTraceFile>(path, kernel_events);
}

}  // namespace sim
