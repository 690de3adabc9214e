// A field of a result file's JSON, read with its path, so that every error names the file and the
// field ("run.json: field 'time_s[3]': expected a time in seconds"). Shared by the run and the
// sweep result readers; internal to the report library.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "report/record.hpp"

namespace faultline::report::detail {

// A field of a JSON object, with its path for error messages.
class JsonField {
public:
    JsonField(const std::string& file, const Json& j, std::string path) : file_(file), j_(j), path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw ReportError(file_ + ": " + (path_.empty() ? "" : "field '" + path_ + "': ") + what);
    }
    // Whether an optional member is there (null counts as absent); a value that should hold
    // members but is a string or a number is an error, not silently empty.
    bool has(const char* key) const {
        if (j_.is_null()) return false;
        if (!j_.is_object()) fail("expected an object");
        return j_.contains(key) && !j_.at(key).is_null();
    }
    JsonField at(const char* key) const {
        if (!j_.is_object()) fail("expected an object");
        if (!j_.contains(key)) JsonField(file_, j_, join(key)).fail("missing");
        return JsonField(file_, j_.at(key), join(key));
    }
    JsonField item(std::size_t i) const { return JsonField(file_, j_.at(i), path_ + "[" + std::to_string(i) + "]"); }
    std::size_t size() const {
        if (!j_.is_array()) fail("expected an array");
        return j_.size();
    }
    std::string str() const {
        if (!j_.is_string()) fail("expected a string");
        return j_.get<std::string>();
    }
    std::string str_or(const char* key, std::string fallback = {}) const { return has(key) ? at(key).str() : fallback; }
    double number() const {
        if (j_.is_null()) return std::numeric_limits<double>::quiet_NaN();
        if (!j_.is_number()) fail("expected a number");
        return j_.get<double>();
    }
    // A virtual time or length in seconds: finite, not negative, and within what the simulator's
    // clock holds (int64 nanoseconds, about 292 years).
    double seconds() const {
        if (!j_.is_number()) fail("expected a time in seconds");
        const double v = j_.get<double>();
        if (!(v >= 0 && v <= 9.2e9)) fail("is " + j_.dump() + ", expected a time in seconds between 0 and 9.2e9");
        return v;
    }
    // Sample times: seconds, each after the one before.
    std::vector<double> times() const {
        std::vector<double> out(size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = item(i).seconds();
            if (i > 0 && !(out[i] > out[i - 1]))
                item(i).fail("is " + item(i).json().dump() + ", not after the time before it");
        }
        return out;
    }
    std::uint64_t u64() const {
        // (A value built in code is a signed integer; one parsed from a file, unsigned when not negative.)
        if (!j_.is_number_integer() || (!j_.is_number_unsigned() && j_.get<std::int64_t>() < 0))
            fail("expected a whole number");
        return j_.get<std::uint64_t>();
    }
    // An optional number: NaN when absent or null. With bounds, one outside them is an error.
    double number_or_nan(const char* key, double min = -std::numeric_limits<double>::infinity(),
                         double max = std::numeric_limits<double>::infinity()) const {
        if (!has(key)) return std::numeric_limits<double>::quiet_NaN();
        const JsonField f = at(key);
        const double v = f.number();
        if (!(v >= min && v <= max))
            f.fail("is " + f.j_.dump() + ", expected a number from " + bound(min) + " to " + bound(max));
        return v;
    }
    bool flag_or(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        const JsonField f = at(key);
        if (!f.j_.is_boolean()) f.fail("expected true or false");
        return f.j_.get<bool>();
    }
    std::vector<std::string> strings() const {
        std::vector<std::string> out(size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = item(i).str();
        return out;
    }
    std::vector<std::uint64_t> u64s() const {
        std::vector<std::uint64_t> out(size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = item(i).u64();
        return out;
    }
    // A list of --set overrides, as overrides_to_json writes it.
    std::vector<Override> overrides() const {
        std::vector<Override> out;
        for (std::size_t i = 0; i < size(); ++i) out.push_back({item(i).at("path").str(), item(i).at("value").str()});
        return out;
    }
    std::vector<double> numbers() const {
        std::vector<double> out(size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = item(i).number();
        return out;
    }
    const Json& json() const { return j_; }

private:
    static std::string bound(double v) {
        if (std::isinf(v)) return v > 0 ? "infinity" : "-infinity";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }
    std::string join(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
    const std::string& file_;
    const Json& j_;
    std::string path_;
};

}  // namespace faultline::report::detail
