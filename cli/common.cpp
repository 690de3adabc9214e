#include "common.hpp"

#include <spdlog/sinks/sink.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "faultline/input_file.hpp"
#include "faultline/json_error.hpp"
#include "faultline/scenario_file.hpp"
#include "sim/trace_binary.hpp"

namespace faultline::cli {

namespace {
std::vector<std::string>& arguments() {
    static std::vector<std::string> args;
    return args;
}
}  // namespace

void remember_arguments(int argc, char** argv) { arguments().assign(argv, argv + argc); }

std::string flag_as_typed(const std::string& short_name, const std::string& long_name) {
    std::string used = long_name;
    for (const std::string& a : arguments()) {
        if (a == "--") break;
        if (a == long_name || a.starts_with(long_name + "=")) {
            used = long_name;
        } else if (a.starts_with(short_name) && !a.starts_with("--")) {
            used = short_name;  // "-o x" or "-ox"
        }
    }
    return used;
}

explore::RunSpec read_spec_argument(const std::string& argument) {
    std::string text = argument;
    if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    try {  // a key given twice is refused, as in every JSON input
        return explore::spec_from_json(explore::JsonReader("--spec", explore::parse_json_input(text, "--spec")));
    } catch (const explore::InputError& e) {
        throw UsageError(e.what());
    }
}


std::unique_ptr<sim::TraceFile> open_trace(const std::string& path, bool kernel_records) {
    if (path.empty()) return nullptr;
    check_output_path(path, "--trace");  // as every output file: spdlog would create a missing directory
    try {
        return sim::open_trace_file(path, kernel_records);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

// Writes each message's text as it is (a trace file's logger formats a message as its text alone,
// "%v" with no line ending) and keeps the first error, where spdlog's file sinks throw and the
// logger prints a log line of its own that no command sees.
class CheckedSink final : public spdlog::sinks::sink {
public:
    CheckedSink(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
    ~CheckedSink() override {
        if (owned_) std::fclose(file_);  // flushed already (TraceOutput::error, the trace file's destructor)
    }
    void log(const spdlog::details::log_msg& msg) override {
        if (error_ != 0) return;  // the rest would fail too (and a full disk need not take it all)
        errno = 0;
        if (std::fwrite(msg.payload.data(), 1, msg.payload.size(), file_) != msg.payload.size())
            error_ = errno != 0 ? errno : EIO;
    }
    void flush() override {
        if (error_ != 0) return;
        errno = 0;
        if (std::fflush(file_) != 0) error_ = errno != 0 ? errno : EIO;
    }
    void set_pattern(const std::string&) override {}
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}
    int error() const noexcept { return error_; }

private:
    std::FILE* file_;
    bool owned_;
    int error_ = 0;
};

TraceOutput::TraceOutput(const std::string& path, bool kernel_records) : name_("--trace " + path) {
    if (path.empty()) return;
    if (sim::is_binary_trace_path(path)) {
        file_ = open_trace(path, kernel_records);
        return;
    }
    check_output_path(path, "--trace");
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw UsageError(name_ + ": cannot write the file: " + std::strerror(errno));
    sink_ = std::make_shared<CheckedSink>(f, true);
    file_ = std::make_unique<sim::JsonlTraceFile>(sink_, kernel_records);
}

TraceOutput TraceOutput::standard_output() {
    TraceOutput out;
    out.name_ = "standard output";
    out.sink_ = std::make_shared<CheckedSink>(stdout, false);
    out.file_ = std::make_unique<sim::JsonlTraceFile>(out.sink_);
    return out;
}

std::optional<std::string> TraceOutput::error() {
    if (!file_) return std::nullopt;
    file_->flush();
    if (sink_ && sink_->error() != 0) return name_ + ": writing failed: " + std::strerror(sink_->error());
    if (const auto& e = file_->error()) return name_ + ": writing failed: " + *e;  // a binary file's own sink
    return std::nullopt;
}

std::optional<std::string> TraceOutput::close() {
    if (file_) file_->close();
    return error();
}

std::optional<std::string> stdout_error() {
    // stdio first: std::cout (synced with stdio) hands its text to stdout's buffer, and flushing
    // it through std::cout would leave no errno to say why it failed.
    errno = 0;
    const bool flush_failed = std::fflush(stdout) != 0;
    const int err = errno;
    std::cout.flush();
    if (!flush_failed && std::ferror(stdout) == 0 && std::cout.good()) return std::nullopt;
    // (an earlier write's errno is gone; only a failed flush still says why)
    return "standard output: writing failed" + (flush_failed && err != 0 ? ": " + std::string(std::strerror(err)) : "");
}

void throw_errors(const std::vector<std::string>& errors) {
    if (errors.empty()) return;
    for (std::size_t i = 0; i + 1 < errors.size(); ++i)
        std::fprintf(stderr, "faultline: error: %s\n", errors[i].c_str());
    throw UsageError(errors.back());
}

ResolvedScenario resolve_scenario(const std::string& arg, const std::string& variant) {
    ResolvedScenario out;
    out.info = builtin_scenarios().find(arg);
    if (out.info) {
        if (!variant.empty()) throw UsageError("scenario '" + arg + "' is a C++ scenario and has no variants");
        return out;
    }
    std::optional<std::string> path = library_scenario_path(arg);
    std::error_code ec;
    if (!path && std::filesystem::is_regular_file(arg, ec)) path = arg;
    if (path) {
        try {
            LoadedScenario loaded = load_scenario_file(*path, variant);
            out.owned = loaded.info;
            out.info = out.owned.get();
            out.path = *path;
            out.content_hash = loaded.content_hash;
            return out;
        } catch (const SpecError& e) {
            throw UsageError(e.what());
        }
    }
    std::vector<std::string> names = builtin_scenarios().names();
    for (const std::string& n : library_scenarios()) names.push_back(n);
    std::string msg = "unknown scenario '" + arg + "'";
    if (auto why = not_a_file_to_read(arg))
        msg = "'" + arg + "' " + *why + ", not a scenario file";
    else if (arg.size() > 5 && (arg.ends_with(".yaml") || arg.ends_with(".yml"))) msg = "no scenario file '" + arg + "'";
    else if (auto near = nearest(arg, names)) msg += " (did you mean '" + *near + "'?)";
    throw UsageError(msg + "; '" + explore::program_name() + " list' shows the scenarios");
}

void print_warnings(const std::vector<std::string>& warnings) {
    for (const std::string& w : warnings) std::fprintf(stderr, "faultline: warning: %s\n", w.c_str());
}

void print_spec_warnings(const ResolvedScenario& scenario, const std::string& variant, const std::vector<Override>& overrides) {
    if (scenario.path.empty()) return;
    try {
        std::vector<std::string> warnings = spec_warnings(load_spec(scenario.path, variant, overrides));
        if (!warnings.empty() && !overrides.empty()) {
            // One the settings made (the file alone does not warn of it) says so.
            std::vector<std::string> own;
            try {
                own = spec_warnings(load_spec(scenario.path, variant, {}));
            } catch (const SpecError&) {
            }
            for (std::string& w : warnings) {
                if (std::find(own.begin(), own.end(), w) == own.end()) w += " (with " + describe_settings(overrides) + ")";
            }
        }
        print_warnings(warnings);
    } catch (const SpecError&) {
        // A bad override: the run reports it, as one error, when it builds the scenario.
    }
}

std::vector<Override> parse_overrides(const std::vector<std::string>& sets) { return parse_overrides(sets, "--set"); }

std::vector<Override> parse_overrides(const std::vector<std::string>& sets, const std::string& flag) {
    std::vector<Override> out;
    for (const std::string& s : sets) {
        std::size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError(flag + " expects path=value, got '" + s + "'");
        out.push_back({s.substr(0, eq), s.substr(eq + 1)});
    }
    return out;
}

void check_not_scenario_path(const std::string& path, const std::string& flag, const explore::ScenarioRef& ref) {
    if (path.empty()) return;
    try {
        explore::check_not_scenario_file(path, flag, ref);
    } catch (const explore::InputError& e) {
        throw UsageError(e.what());
    }
}

void check_output_path(const std::string& path, const std::string& flag) {
    if (path.empty()) return;
    try {
        explore::check_writable_parent(path, flag);
    } catch (const explore::InputError& e) {
        throw UsageError(e.what());
    }
}

UsageError file_error(const std::string& file, const std::string& what) {
    return UsageError(what.rfind(file + ":", 0) == 0 ? what : file + ": " + what);
}

sim::Duration parse_duration_flag(const std::string& flag, const std::string& text) {
    sim::Duration d{};
    if (auto e = parse_value(text, d)) throw UsageError(flag + ": '" + text + "': " + *e);
    return d;
}

sim::Duration parse_time_max(const std::string& text) {
    const sim::Duration d = parse_duration_flag("--time-max", text);
    if (d <= sim::Duration(0))
        throw UsageError("--time-max " + text + ": must be more than 0 (every run would end at once as a runaway)");
    return d;
}

std::chrono::milliseconds parse_wall_limit(const std::string& flag, const std::string& text) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(parse_duration_flag(flag, text));
    if (ms.count() <= 0) throw UsageError(flag + " " + text + ": must be at least 1ms");
    return ms;
}

}  // namespace faultline::cli
