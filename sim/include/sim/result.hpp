// Operating errors as values. In a distributed system a timeout or a refusal is the normal case
// a model must handle, so calls return Result<T> (a value or an Errc), never throw:
//
//   auto r = rpc.call(ctx, "db-1", request, 200ms);
//   if (!r) { if (r.error() == sim::Errc::timeout) ...; }
//   use(*r);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

#include "sim/check.hpp"

namespace sim {

enum class Errc : std::uint8_t {
    timeout,      // no answer by the deadline
    refused,      // the host is up but nothing listens there (connection refused)
    unreachable,  // no route: the destination is unknown, or the network rejects the packet
    overloaded,   // the server shed the request (queue full, load shedding)
    reset,        // the connection was reset (the peer restarted, keepalive gave up)
    exhausted,    // a local limit: no connection free in the pool, no retry budget left
    disk_full,    // the disk has no room for the write
    io_error,     // the disk failed the operation
    cancelled,    // the caller gave up (e.g. a circuit breaker rejected the call)
    internal,     // the server's handler failed (keep it last: errc_count counts up to it)
};

// The number of error codes, for tables indexed by Errc.
inline constexpr std::size_t errc_count = static_cast<std::size_t>(Errc::internal) + 1;

std::string_view to_string(Errc e) noexcept;

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit, like optional
    Result(Errc error) : v_(std::in_place_index<1>, error) {}          // NOLINT

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    Errc error() const {
        SIM_ASSERT(!ok(), "Result::error() on a value");
        return std::get<1>(v_);
    }
    T& value() & {
        SIM_ASSERT(ok(), "Result::value() on an error");
        return std::get<0>(v_);
    }
    const T& value() const& {
        SIM_ASSERT(ok(), "Result::value() on an error");
        return std::get<0>(v_);
    }
    T&& value() && {
        SIM_ASSERT(ok(), "Result::value() on an error");
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

private:
    std::variant<T, Errc> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Errc error) : error_(error), ok_(false) {}  // NOLINT
    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    Errc error() const {
        SIM_ASSERT(!ok_, "Result::error() on success");
        return error_;
    }

private:
    Errc error_ = Errc::internal;
    bool ok_ = true;
};

}  // namespace sim
