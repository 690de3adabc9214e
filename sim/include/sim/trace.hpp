// Structured trace events and the run's trace hash.
//
// Every event the kernel dispatches and every event a model traces feeds a 64-bit hash: the
// run's fingerprint, printed at the end of every run and compared by the determinism check and
// by replay. Hashing reads the fields directly (integers, bytes of strings); text is formatted
// only by a TraceSink that actually writes something, so a run with no sink pays a few
// multiplications per event.
//
// Left out: sampling, filtering by kind in the hash (everything is hashed). Trace files, JSON Lines
// or binary: sim/trace_file.hpp.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "sim/time.hpp"

namespace sim {

// One value of a trace field: an integer, a double, a bool or a string (viewed, not owned:
// it only has to live until the trace call returns). A host's name may be given as a reference
// with the host's id (host_name): it is a string like any other to every reader, and a sink that
// only has to tell hosts apart (the binary trace file) can write it by the id without reading
// the name, which in a run of 10,000 hosts is usually out of the cache.
class TraceValue {
public:
    enum class Type : std::uint8_t { i64, u64, f64, boolean, str };

    TraceValue(bool v) : type_(Type::boolean) { u_.u = v ? 1 : 0; }
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_signed_v<T>, int> = 0>
    TraceValue(T v) : type_(Type::i64) { u_.i = static_cast<std::int64_t>(v); }
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_unsigned_v<T>, int> = 0>
    TraceValue(T v) : type_(Type::u64) { u_.u = static_cast<std::uint64_t>(v); }
    template <class T, std::enable_if_t<std::is_enum_v<T>, int> = 0>
    TraceValue(T v) : TraceValue(static_cast<std::underlying_type_t<T>>(v)) {}
    TraceValue(double v) : type_(Type::f64) { u_.d = v; }
    TraceValue(std::string_view v) : type_(Type::str), s_(v) {}
    TraceValue(const char* v) : type_(Type::str), s_(v) {}
    TraceValue(const std::string& v) : type_(Type::str), s_(v) {}
    TraceValue(Duration v) : type_(Type::i64) { u_.i = v.count(); }
    TraceValue(Time v) : type_(Type::i64) { u_.i = v.time_since_epoch().count(); }
    // The name of host `host_id`, read only when a reader asks for it. Within one run a host id
    // names one host, and the string lives as long as the host.
    static TraceValue host_name(const std::string& name, std::uint32_t host_id) noexcept {
        TraceValue v{std::string_view()};
        v.host_ref_ = host_id + 1;
        v.u_.name = &name;
        return v;
    }

    Type type() const { return type_; }
    std::int64_t as_i64() const { return u_.i; }
    std::uint64_t as_u64() const { return u_.u; }
    double as_f64() const { return u_.d; }
    bool as_bool() const { return u_.u != 0; }
    std::string_view as_str() const { return host_ref_ != 0 ? std::string_view(*u_.name) : s_; }
    // A host_name value's host id + 1, and the name it refers to; 0 and null for any other value.
    std::uint32_t host_ref() const { return host_ref_; }
    const std::string* host_name_ref() const { return host_ref_ != 0 ? u_.name : nullptr; }
    // The bits the hash sees: doubles by their exact bit pattern.
    std::uint64_t bits() const { return u_.u; }

private:
    Type type_;
    std::uint32_t host_ref_ = 0;  // host_name: the host id + 1
    union {
        std::int64_t i;
        std::uint64_t u;
        double d;
        const std::string* name;  // host_name
    } u_{};
    std::string_view s_;
};

struct TraceField {
    std::string_view key;
    TraceValue value;
};

using TraceFields = std::initializer_list<TraceField>;

// What a sink receives. Views are valid only during the call.
struct TraceRecord {
    std::uint64_t index;        // position in the run's event stream (kernel and model events)
    Time time;                  // virtual time
    std::uint32_t host_id;      // 0 is the world host
    std::string_view host;      // host name
    std::string_view kind;      // "rpc.send", "fault.partition", "kernel.resume", ...
    std::span<const TraceField> fields;
    bool kernel = false;        // a kernel dispatch (resume, callback) rather than a model event
    std::uint64_t hash_after;   // the run's trace hash including this record
    bool detail = false;        // a detail record: not hashed (see Simulator::trace_detail)
    // The host's own name that `host` views, when the record comes from a simulator's host: with
    // host_id, it lets a sink know the host without reading the name (TraceValue::host_name).
    const std::string* host_name = nullptr;
};

class TraceSink {
public:
    virtual ~TraceSink() = default;
    virtual void record(const TraceRecord& r) = 0;
    // Kernel dispatch records are many (one per fiber resume); most sinks do not want them.
    // Asked once, when the sink is attached (Simulator::set_trace_sink): the answer must not
    // change while it is.
    virtual bool wants_kernel_events() const { return false; }
    // A hint, never a record: a process is being spawned on host `host_id` and will likely record
    // soon. A sink that keeps state per host (the binary file's table of host names) may start
    // loading it now, while the spawner finishes its step, instead of waiting on it at the record.
    virtual void expect_host(std::uint32_t /*host_id*/) noexcept {}
};

// A streaming 64-bit hash over trace words. Order-sensitive; stable across compilers and
// standard libraries (fixed constants, explicit little-endian byte reads).
class TraceHash {
public:
    void add(std::uint64_t w) noexcept {
        h_ ^= w + 0x9E3779B97F4A7C15ull + (h_ << 6) + (h_ >> 2);
        h_ *= 0xBF58476D1CE4E5B9ull;
        h_ ^= h_ >> 31;
    }
    // A kernel dispatch: (time, order, process), folded cheaply; it is the hottest hash call.
    void add_event(std::uint64_t time, std::uint64_t order, std::uint64_t pid) noexcept {
        h_ = (h_ ^ time) * 0x9E3779B97F4A7C15ull;
        h_ = (h_ ^ (order + (pid << 40) + (pid >> 24))) * 0xBF58476D1CE4E5B9ull;
        h_ ^= h_ >> 29;
    }
    void add(std::string_view s) noexcept {
        std::size_t i = 0;
        for (; i + 8 <= s.size(); i += 8) add(load_le(s.data() + i, 8));
        add(load_le(s.data() + i, s.size() - i) ^ (static_cast<std::uint64_t>(s.size()) << 56));
    }
    void add(const TraceValue& v) noexcept {
        add(static_cast<std::uint64_t>(v.type()));
        if (v.type() == TraceValue::Type::str) add(v.as_str());
        else add(v.bits());
    }
    std::uint64_t value() const noexcept { return h_; }
    void reset(std::uint64_t seed = 0) noexcept { h_ = seed ^ 0x6A09E667F3BCC909ull; }

private:
    static std::uint64_t load_le(const char* p, std::size_t n) noexcept {
        std::uint64_t w = 0;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&w, p, n);  // the same value the byte loop below computes
        } else {
            for (std::size_t i = 0; i < n; ++i) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
        }
        return w;
    }
    std::uint64_t h_ = 0x6A09E667F3BCC909ull;
};

// "00ab12..." (16 lower-case hex digits).
std::string hash_hex(std::uint64_t h);

// Formats one record as a JSON object on one line (no trailing newline). Used by the JSON Lines
// trace file and by the determinism check's divergence report.
std::string trace_record_json(const TraceRecord& r);

// The same object written at `out`, which must have room for trace_record_json_bound(r) bytes;
// returns the end of what was written. The trace file writes its lines this way, into its buffer.
std::size_t trace_record_json_bound(const TraceRecord& r);
char* write_trace_record_json(char* out, const TraceRecord& r);

}  // namespace sim
