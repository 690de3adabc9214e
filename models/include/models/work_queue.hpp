// A worker pool in front of a bounded queue, with a choice of queue discipline: FIFO, LIFO
// (the newest waiter first: under overload the ones that will still be useful are served, the
// rest time out), or CoDel (FIFO, but while the queueing delay has stayed above a target for
// an interval, requests are shed at dequeue: Nichols & Jacobson 2012, simplified to one drop
// decision per dequeue).
//
// A request that waits past its deadline is dropped when it would have started (no point doing
// work the caller gave up on). Full queue: rejected at once with Errc::overloaded.
//
// Left out: priorities, per-tenant fairness, work stealing between hosts.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "sim/result.hpp"
#include "sim/simulator.hpp"
#include "sim/wait.hpp"

namespace models {

enum class QueueDiscipline { fifo, lifo, codel };

inline auto enum_names(QueueDiscipline) {
    return std::array<std::pair<std::string_view, QueueDiscipline>, 3>{
        {{"fifo", QueueDiscipline::fifo}, {"lifo", QueueDiscipline::lifo}, {"codel", QueueDiscipline::codel}}};
}

struct WorkQueueOptions {
    int workers_max = 8;
    std::size_t queue_max = 64;
    QueueDiscipline discipline = QueueDiscipline::fifo;
    sim::Duration codel_target = std::chrono::milliseconds(5);
    sim::Duration codel_interval = std::chrono::milliseconds(100);
};

class WorkQueue {
public:
    explicit WorkQueue(WorkQueueOptions options);
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    // Waits for a worker. Errors: overloaded (queue full, or shed by CoDel), timeout (the
    // deadline passed while queued). On success the caller holds a worker until release().
    sim::Result<void> acquire(sim::Ctx& ctx, sim::Time deadline);
    void release();
    // Whether acquire() would refuse at once: no worker free for it and the queue full. A server
    // can ask on a request's arrival, before it has a fiber.
    bool full() const noexcept { return !worker_free() && queued_ >= options_.queue_max; }
    // Counts one request refused because the queue was full(), and says why (overloaded).
    sim::Errc refuse_full();

    int busy() const noexcept { return busy_; }
    std::size_t queued() const noexcept { return queued_; }
    const WorkQueueOptions& options() const noexcept { return options_; }

    struct Counters {
        std::uint64_t admitted = 0, rejected_full = 0, shed_codel = 0, expired = 0;
    };
    const Counters& counters() const noexcept { return counters_; }

private:
    // A worker is free for a newcomer: one is idle and nobody waits ahead of it.
    bool worker_free() const noexcept { return busy_ < options_.workers_max && waiters_.empty(); }
    bool codel_should_drop(sim::Duration sojourn, sim::Time now);

    WorkQueueOptions options_;
    int busy_ = 0;
    std::size_t queued_ = 0;
    sim::detail::WaitList waiters_;
    // CoDel: when the delay first went above target (none while below), and whether dropping.
    sim::Time above_since_ = sim::time_never;
    Counters counters_;
};

}  // namespace models
