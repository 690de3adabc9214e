// The list of a model's per-host states: what a Database or a Service keeps on each host it
// serves on (an executor pool, open connections), listed so that the model can add them up over
// its hosts for a probe or a peak.
//
// A state lives on its host (sim::Host::make) and goes when the host's state is torn down (a
// crash, the simulator's shutdown); the model may go before it (a model declared after the
// simulator is destroyed first). Either order is safe: a state leaves the list when it goes, and
// a list that goes first lets go of its states, which then have nothing to leave.
//
// Left out: any order but the order the states were made (the order hosts started serving), and
// any lookup by host.
#pragma once

#include <algorithm>
#include <vector>

namespace models {

template <class State>
class HostStates {
public:
    // A member of State, declared last (so that it leaves the list before the rest of the state
    // goes): joins `list` as the state is made, leaves it as the state goes.
    class Entry {
    public:
        Entry(HostStates& list, State* state) : list_(&list), state_(state) { list.entries_.push_back(this); }
        ~Entry() {
            if (list_ != nullptr) std::erase(list_->entries_, this);
        }
        Entry(const Entry&) = delete;
        Entry& operator=(const Entry&) = delete;

    private:
        friend HostStates;
        HostStates* list_;  // null once the list is gone
        State* state_;
    };

    HostStates() = default;
    HostStates(const HostStates&) = delete;
    HostStates& operator=(const HostStates&) = delete;
    ~HostStates() {
        for (Entry* e : entries_) e->list_ = nullptr;
    }

    bool empty() const noexcept { return entries_.empty(); }
    // Calls f(const State&) for each live state, in the order they were made.
    template <class F>
    void for_each(F&& f) const {
        for (const Entry* e : entries_) f(static_cast<const State&>(*e->state_));
    }

private:
    std::vector<Entry*> entries_;
};

}  // namespace models
