// The one waiting mechanism under every blocking primitive (sleep, Event, Future, Channel,
// Semaphore, join). A process that waits puts its Waiter into the primitive's WaitList and
// suspends; a notifier takes the first Waiter out (FIFO, so wake-up order is deterministic),
// marks it notified and schedules the process to resume at the current virtual time. A timeout is
// just another scheduled resume; whichever comes first wins, and the Waiter's `notified` flag
// (not the event that fired) says which.
//
// Each process has one Waiter, in its Ctx (a process waits on one thing at a time), not on its
// fiber stack: the notifier reads and writes it, and a parked process's stack is cold by then
// (kernel history, step 9, in docs/performance.md). If a waiting process is killed, Ctx::park
// unlinks the Waiter as the stack unwinds through it.
#pragma once

#include <cstdint>

namespace sim {
class Ctx;

namespace detail {

struct WaitList;

struct Waiter {
    Ctx* proc = nullptr;       // the process that owns this Waiter
    void* slot = nullptr;      // a primitive's hand-off (e.g. where a Channel puts the item)
    bool notified = false;
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
    WaitList* list = nullptr;  // non-null while linked

    Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    ~Waiter();
};

struct WaitList {
    Waiter* head = nullptr;
    Waiter* tail = nullptr;

    WaitList() = default;
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;
    // A primitive destroyed while processes still wait on it detaches them; they stay parked
    // until their timeout (or forever). Destroy primitives after the processes that use them.
    ~WaitList();

    bool empty() const noexcept { return head == nullptr; }
    void push_back(Waiter* w) noexcept;
    void remove(Waiter* w) noexcept;
    Waiter* pop_front() noexcept;
    Waiter* pop_back() noexcept;  // for last-in-first-out disciplines
};

inline Waiter::~Waiter() {
    if (list) list->remove(this);
}

inline WaitList::~WaitList() {
    while (head) pop_front();
}

inline void WaitList::push_back(Waiter* w) noexcept {
    w->list = this;
    w->prev = tail;
    w->next = nullptr;
    if (tail) tail->next = w;
    else head = w;
    tail = w;
}

inline void WaitList::remove(Waiter* w) noexcept {
    if (w->prev) w->prev->next = w->next;
    else head = w->next;
    if (w->next) w->next->prev = w->prev;
    else tail = w->prev;
    w->prev = w->next = nullptr;
    w->list = nullptr;
}

inline Waiter* WaitList::pop_front() noexcept {
    Waiter* w = head;
    if (w) remove(w);
    return w;
}

inline Waiter* WaitList::pop_back() noexcept {
    Waiter* w = tail;
    if (w) remove(w);
    return w;
}

}  // namespace detail
}  // namespace sim
