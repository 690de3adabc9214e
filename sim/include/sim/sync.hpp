// Blocking primitives for processes: Event, Promise/Future, Channel and Semaphore.
// All are built on the one mechanism in wait.hpp: FIFO wait lists and wake-ups scheduled at the
// current virtual time, so the order in which waiters run is deterministic. Every wait takes an
// optional timeout; a timeout is a value (false / nullopt), never an exception.
//
// Left out: mutexes with priority inheritance, condition variables (an Event or a Channel
// says the same thing more plainly), select over several channels.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "sim/simulator.hpp"

namespace sim {

// A flag processes can wait for. set() wakes every waiter; it stays set until reset().
class Event {
public:
    bool is_set() const noexcept { return set_; }
    void set() {
        set_ = true;
        while (detail::Waiter* w = waiters_.pop_front()) w->proc->sim().notify(*w);
    }
    void reset() noexcept { set_ = false; }
    // True once set; false if `timeout` passed first.
    bool wait(Ctx& ctx, Duration timeout = duration_forever) {
        if (set_) return true;
        return ctx.park(&waiters_, saturating_add(ctx.now(), timeout));
    }
    std::size_t waiting() const noexcept {
        std::size_t n = 0;
        for (auto* w = waiters_.head; w; w = w->next) ++n;
        return n;
    }

private:
    bool set_ = false;
    detail::WaitList waiters_;
};

template <class T>
class Future;

namespace detail {
template <class T>
struct SharedState {
    std::optional<T> value;
    bool broken = false;  // the promise went away without a value
    WaitList waiters;
    void wake_all() {
        while (Waiter* w = waiters.pop_front()) w->proc->sim().notify(*w);
    }
};
}  // namespace detail

// The writing end of a one-shot value. Destroying it unset breaks the promise: waiters wake
// with no value.
template <class T>
class Promise {
public:
    Promise() : state_(std::make_shared<detail::SharedState<T>>()) {}
    Promise(Promise&&) noexcept = default;
    Promise& operator=(Promise&& other) noexcept {
        if (this != &other) {
            break_if_unset();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    ~Promise() { break_if_unset(); }

    Future<T> future() const { return Future<T>(state_); }
    bool has_value() const noexcept { return state_ && state_->value.has_value(); }
    void set_value(T v) {
        SIM_ASSERT(state_ && !state_->value, "promise value set twice");
        state_->value.emplace(std::move(v));
        state_->wake_all();
    }

private:
    void break_if_unset() {
        if (state_ && !state_->value && !state_->broken) {
            state_->broken = true;
            state_->wake_all();
        }
    }
    std::shared_ptr<detail::SharedState<T>> state_;
};

template <class T>
class Future {
public:
    Future() = default;
    bool valid() const noexcept { return state_ != nullptr; }
    bool ready() const noexcept { return state_ && state_->value.has_value(); }
    // The value once set (a reference into the shared state); nullopt on timeout or if the promise
    // was broken.
    const T* wait(Ctx& ctx, Duration timeout = duration_forever) const {
        SIM_ASSERT(state_ != nullptr, "wait on an empty future");
        if (!state_->value && !state_->broken) ctx.park(&state_->waiters, saturating_add(ctx.now(), timeout));
        return state_->value ? &*state_->value : nullptr;
    }
    std::optional<T> get(Ctx& ctx, Duration timeout = duration_forever) const {
        const T* v = wait(ctx, timeout);
        return v ? std::optional<T>(*v) : std::nullopt;
    }

private:
    friend class Promise<T>;
    explicit Future(std::shared_ptr<detail::SharedState<T>> s) : state_(std::move(s)) {}
    std::shared_ptr<detail::SharedState<T>> state_;
};

// A FIFO queue between processes. Bounded (send waits while full) or unbounded (capacity 0).
// An item sent to a waiting receiver is handed to that receiver directly, so receivers are
// served in the order they arrived.
template <class T>
class Channel {
public:
    explicit Channel(std::size_t capacity = 0) : capacity_(capacity) {}

    std::size_t size() const noexcept { return items_.size(); }
    std::size_t capacity() const noexcept { return capacity_; }
    bool closed() const noexcept { return closed_; }

    // False if the channel is closed or full (bounded); never waits.
    bool try_send(T item) {
        if (closed_) return false;
        if (detail::Waiter* w = receivers_.pop_front()) {
            *static_cast<std::optional<T>*>(w->slot) = std::move(item);
            w->proc->sim().notify(*w);
            return true;
        }
        return enqueue(std::move(item));
    }
    // Waits while a bounded channel is full. False if closed or on timeout.
    bool send(Ctx& ctx, T item, Duration timeout = duration_forever) {
        const Time deadline = saturating_add(ctx.now(), timeout);
        for (;;) {
            if (closed_) return false;
            if (capacity_ == 0 || items_.size() < capacity_ || !receivers_.empty()) return try_send(std::move(item));
            if (!ctx.park(&senders_, deadline)) return false;
        }
    }
    std::optional<T> try_recv() {
        if (items_.empty()) return std::nullopt;
        return dequeue();
    }
    // nullopt when closed and drained, or on timeout.
    std::optional<T> recv(Ctx& ctx, Duration timeout = duration_forever) {
        if (auto item = try_recv()) return item;
        if (closed_) return std::nullopt;
        std::optional<T> slot;
        ctx.park(&receivers_, saturating_add(ctx.now(), timeout), &slot);
        return slot;
    }
    // Wakes every waiter; receivers still drain what is queued.
    void close() {
        closed_ = true;
        while (detail::Waiter* w = receivers_.pop_front()) w->proc->sim().notify(*w);
        while (detail::Waiter* w = senders_.pop_front()) w->proc->sim().notify(*w);
    }

private:
    // The queueing paths, out of line: try_send and recv are inlined into the processes that use
    // them, and a deque's push and pop inlined there would take room in every such frame (a
    // receiver handed its item directly, the common case, needs none of it).
    [[gnu::noinline]] bool enqueue(T&& item) {
        if (capacity_ != 0 && items_.size() >= capacity_) return false;
        items_.push_back(std::move(item));
        return true;
    }
    [[gnu::noinline]] std::optional<T> dequeue() {
        std::optional<T> out(std::move(items_.front()));
        items_.pop_front();
        if (detail::Waiter* w = senders_.pop_front()) w->proc->sim().notify(*w);
        return out;
    }

    std::size_t capacity_;
    bool closed_ = false;
    std::deque<T> items_;
    detail::WaitList receivers_;
    detail::WaitList senders_;
};

// A counting semaphore: `count` permits; acquire waits (FIFO) for one.
class Semaphore {
public:
    explicit Semaphore(std::size_t count) : available_(count) {}
    std::size_t available() const noexcept { return available_; }
    bool try_acquire() noexcept {
        if (available_ == 0 || !waiters_.empty()) return false;
        --available_;
        return true;
    }
    // False on timeout.
    bool acquire(Ctx& ctx, Duration timeout = duration_forever) {
        if (try_acquire()) return true;
        // A waiter handed the permit but killed before it ran must give it back as it unwinds,
        // or a crash of a host with queued waiters would leak permits.
        struct GiveBack {
            Semaphore& sem;
            Ctx& ctx;
            bool returned = false;
            ~GiveBack() {
                if (!returned && ctx.notified_in_last_park()) sem.release();
            }
        } give_back{*this, ctx};
        const bool got = ctx.park(&waiters_, saturating_add(ctx.now(), timeout));  // the permit is handed over
        give_back.returned = true;
        return got;
    }
    void release() {
        if (detail::Waiter* w = waiters_.pop_front()) {
            w->proc->sim().notify(*w);  // hand the permit to the first waiter
            return;
        }
        ++available_;
    }

private:
    std::size_t available_;
    detail::WaitList waiters_;
};

}  // namespace sim
