#include "models/work_queue.hpp"

#include "sim/check.hpp"

namespace models {

WorkQueue::WorkQueue(WorkQueueOptions options) : options_(options) {
    SIM_ASSERT(options_.workers_max > 0, "a work queue needs at least one worker");
}

sim::Result<void> WorkQueue::acquire(sim::Ctx& ctx, sim::Time deadline) {
    const sim::Time arrived = ctx.now();
    if (worker_free()) {
        ++busy_;
        ++counters_.admitted;
        if (options_.discipline == QueueDiscipline::codel) codel_should_drop(sim::Duration(0), ctx.now());
        return {};
    }
    if (queued_ >= options_.queue_max) return refuse_full();
    ++queued_;
    // A waiter handed a worker but killed (host crash) before it ran gives the worker back as
    // its stack unwinds, or the pool would shrink with every crash.
    struct GiveBack {
        WorkQueue& q;
        sim::Ctx& ctx;
        bool returned = false;
        ~GiveBack() {
            if (returned) return;
            --q.queued_;
            if (ctx.notified_in_last_park()) q.release();
        }
    } give_back{*this, ctx};
    // Handed a worker by release() (notified), or the deadline passed first.
    const bool got = ctx.park(&waiters_, deadline);
    give_back.returned = true;
    --queued_;
    if (!got) {
        ++counters_.expired;
        return sim::Errc::timeout;
    }
    // From here the caller holds the worker release() handed over.
    if (ctx.now() > deadline) {
        ++counters_.expired;
        release();
        return sim::Errc::timeout;
    }
    if (options_.discipline == QueueDiscipline::codel && codel_should_drop(ctx.now() - arrived, ctx.now())) {
        ++counters_.shed_codel;
        SIM_COVER("work queue: codel shed");
        release();
        return sim::Errc::overloaded;
    }
    ++counters_.admitted;
    return {};
}

sim::Errc WorkQueue::refuse_full() {
    ++counters_.rejected_full;
    SIM_COVER("work queue: full");
    return sim::Errc::overloaded;
}

void WorkQueue::release() {
    SIM_ASSERT(busy_ > 0, "release without acquire");
    sim::detail::Waiter* next =
        options_.discipline == QueueDiscipline::lifo ? waiters_.pop_back() : waiters_.pop_front();
    if (next != nullptr) {
        next->proc->sim().notify(*next);  // the worker passes straight to it
        return;
    }
    --busy_;
}

bool WorkQueue::codel_should_drop(sim::Duration sojourn, sim::Time now) {
    if (sojourn < options_.codel_target) {
        above_since_ = sim::time_never;
        return false;
    }
    if (above_since_ == sim::time_never) {
        above_since_ = now;
        return false;
    }
    return now - above_since_ >= options_.codel_interval;
}

}  // namespace models
