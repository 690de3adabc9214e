// The simulator as an Asio execution context.
//
// sim::Executor satisfies Asio's standard executor requirements (and the older Networking TS
// ones), so asio::post, asio::dispatch, asio::any_io_executor and asio::co_spawn with
// asio::awaitable run on virtual time. sim::Timer is a waitable timer on virtual time whose
// async_wait takes any completion token: a callback, asio::use_awaitable, or sim::use_fiber(ctx),
// which suspends the calling fiber until the operation completes and returns its result.
//
// Left out: Asio's sockets and steady_timer (they use the operating system and the wall clock);
// use the simulated network and sim::Timer instead. Outstanding-work tracking is accepted and
// ignored: a run ends at its planned duration or when no event is left, not when work runs out.
#pragma once

#include <utility>  // before Asio: Boost 1.74's Asio needs it under g++ 12 in C++20 mode

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "sim/simulator.hpp"

namespace sim {

class Executor {
public:
    explicit Executor(Simulator& sim, bool never_blocking = false) noexcept : sim_(&sim), never_(never_blocking) {}

    Simulator& context() const noexcept { return *sim_; }

    // --- standard executor properties ---------------------------------------------------------
    Simulator& query(boost::asio::execution::context_t) const noexcept { return *sim_; }
    boost::asio::execution::blocking_t query(boost::asio::execution::blocking_t) const noexcept {
        return never_ ? boost::asio::execution::blocking_t(boost::asio::execution::blocking.never)
                      : boost::asio::execution::blocking_t(boost::asio::execution::blocking.possibly);
    }
    static constexpr boost::asio::execution::outstanding_work_t query(boost::asio::execution::outstanding_work_t) noexcept {
        return boost::asio::execution::outstanding_work.untracked;
    }
    static constexpr boost::asio::execution::relationship_t query(boost::asio::execution::relationship_t) noexcept {
        return boost::asio::execution::relationship.fork;
    }
    static constexpr boost::asio::execution::mapping_t query(boost::asio::execution::mapping_t) noexcept {
        return boost::asio::execution::mapping.thread;
    }
    template <class OtherAllocator>
    std::allocator<void> query(boost::asio::execution::allocator_t<OtherAllocator>) const noexcept {
        return {};
    }

    Executor require(boost::asio::execution::blocking_t::never_t) const noexcept { return Executor(*sim_, true); }
    Executor require(boost::asio::execution::blocking_t::possibly_t) const noexcept { return Executor(*sim_, false); }
    Executor require(boost::asio::execution::outstanding_work_t::tracked_t) const noexcept { return *this; }
    Executor require(boost::asio::execution::outstanding_work_t::untracked_t) const noexcept { return *this; }
    Executor require(boost::asio::execution::relationship_t::fork_t) const noexcept { return *this; }
    Executor require(boost::asio::execution::relationship_t::continuation_t) const noexcept { return *this; }
    template <class OtherAllocator>
    Executor require(boost::asio::execution::allocator_t<OtherAllocator>) const noexcept {
        return *this;
    }

    // Runs `f` at the current virtual time. A possibly-blocking executor runs it at once when
    // called from inside this simulator's run; otherwise it becomes an event after those already
    // scheduled for now.
    template <class F>
    void execute(F&& f) const {
        if (!never_ && current_simulator() == sim_) {
            std::forward<F>(f)();
            return;
        }
        sim_->post(UniqueFunction<void()>(std::forward<F>(f)));
    }

    // --- Networking TS executor members ---------------------------------------------------------
    void on_work_started() const noexcept {}
    void on_work_finished() const noexcept {}
    template <class F, class A>
    void dispatch(F&& f, const A&) const {
        Executor(*sim_, false).execute(std::forward<F>(f));
    }
    template <class F, class A>
    void post(F&& f, const A&) const {
        Executor(*sim_, true).execute(std::forward<F>(f));
    }
    template <class F, class A>
    void defer(F&& f, const A&) const {
        Executor(*sim_, true).execute(std::forward<F>(f));
    }

    friend bool operator==(const Executor& a, const Executor& b) noexcept {
        return a.sim_ == b.sim_ && a.never_ == b.never_;
    }
    friend bool operator!=(const Executor& a, const Executor& b) noexcept { return !(a == b); }

private:
    Simulator* sim_;
    bool never_;
};

inline Executor Simulator::get_executor() noexcept { return Executor(*this); }

// A waitable timer on virtual time.
class Timer {
public:
    using executor_type = Executor;

    explicit Timer(Simulator& sim) : sim_(&sim) {}
    explicit Timer(const Executor& ex) : sim_(&ex.context()) {}
    Timer(Simulator& sim, Duration after) : sim_(&sim), expiry_(saturating_add(sim.now(), after)) {}
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer() { cancel(); }

    executor_type get_executor() const noexcept { return Executor(*sim_); }
    Time expiry() const noexcept { return expiry_; }
    // Setting the expiry cancels pending waits (they complete with operation_aborted).
    std::size_t expires_at(Time t) {
        std::size_t n = cancel();
        expiry_ = t;
        return n;
    }
    std::size_t expires_after(Duration d) { return expires_at(saturating_add(sim_->now(), d)); }

    // Completes pending waits with boost::asio::error::operation_aborted; returns how many.
    std::size_t cancel() {
        std::size_t n = 0;
        for (auto& op : ops_) {
            if (op->handler && sim_->cancel(op->timer)) {
                ++n;
                complete(op, boost::asio::error::operation_aborted);
            }
        }
        ops_.clear();
        return n;
    }

    template <class Token>
    auto async_wait(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(Initiate{this}, token);
    }

private:
    struct Op {
        UniqueFunction<void(boost::system::error_code)> handler;
        TimerId timer;
    };

    struct Initiate {
        Timer* self;
        template <class Handler>
        void operator()(Handler&& handler) const {
            auto ex = boost::asio::get_associated_executor(handler, self->get_executor());
            auto op = std::make_shared<Op>();
            op->handler = [h = std::forward<Handler>(handler), ex](boost::system::error_code ec) mutable {
                boost::asio::dispatch(ex, [h = std::move(h), ec]() mutable { std::move(h)(ec); });
            };
            std::erase_if(self->ops_, [](const std::shared_ptr<Op>& o) { return !o->handler; });
            self->ops_.push_back(op);
            Time when = self->expiry_ < self->sim_->now() ? self->sim_->now() : self->expiry_;
            op->timer = self->sim_->at(when, [op] { complete(op, {}); });
        }
    };

    static void complete(const std::shared_ptr<Op>& op, boost::system::error_code ec) {
        auto handler = std::move(op->handler);
        op->handler = nullptr;
        if (handler) handler(ec);
    }

    Simulator* sim_;
    Time expiry_{};
    std::vector<std::shared_ptr<Op>> ops_;
};

// A completion token that suspends the calling fiber until the operation completes:
//   boost::system::error_code ec = timer.async_wait(sim::use_fiber(ctx));
struct use_fiber_t {
    Ctx* ctx;
};
inline use_fiber_t use_fiber(Ctx& ctx) noexcept { return {&ctx}; }

namespace detail {
template <class... Args>
struct FiberResult {
    using tuple_type = std::tuple<std::decay_t<Args>...>;
    using return_type = std::conditional_t<sizeof...(Args) == 0, void,
                                           std::conditional_t<sizeof...(Args) == 1, std::tuple_element_t<0, std::tuple<std::decay_t<Args>..., void>>, tuple_type>>;
    std::optional<tuple_type> result;
    WaitList waiter;
};
}  // namespace detail

}  // namespace sim

template <class... Args>
class boost::asio::async_result<sim::use_fiber_t, void(Args...)> {
    using state_type = sim::detail::FiberResult<Args...>;

public:
    using return_type = typename state_type::return_type;

    template <class Initiation, class... InitArgs>
    static return_type initiate(Initiation&& initiation, sim::use_fiber_t token, InitArgs&&... args) {
        // The state is shared with the handler: if the fiber is killed while it waits, the
        // handler may still run later and must not touch a dead stack.
        auto state = std::make_shared<state_type>();
        auto handler = [state](Args... results) {
            state->result.emplace(std::move(results)...);
            if (sim::detail::Waiter* w = state->waiter.pop_front()) w->proc->sim().notify(*w);
        };
        std::forward<Initiation>(initiation)(std::move(handler), std::forward<InitArgs>(args)...);
        if (!state->result) token.ctx->park(&state->waiter, sim::time_never);
        if constexpr (sizeof...(Args) == 0) {
            return;
        } else if constexpr (sizeof...(Args) == 1) {
            return std::move(std::get<0>(*state->result));
        } else {
            return std::move(*state->result);
        }
    }
};
