// The foundation's three kernel workloads, each in two forms doing the same logical work:
// faultline (fibers on virtual time) and the reference callback loop.
//   W1 timer churn: 1,000 processes each sleeping exponential times; 10M wake-ups in all.
//   W2 ping-pong:   1,000 pairs exchanging messages over a fixed 1ms latency; 1M messages.
//   W3 M/M/1:       Poisson arrivals (lambda 0.9), exponential service (mu 1); 1M customers.
// Plus two capacity checks: idle processes (memory) and short-lived spawns (rate).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "reference_loop.hpp"
#include "sim/sim.hpp"

namespace bench {

using namespace std::chrono_literals;

// ---- W1 timer churn ------------------------------------------------------------------------

inline Counts w1_faultline(std::uint64_t wakeups, int processes, bool hash = true) {
    sim::Options o;
    o.hash_trace = hash;
    sim::Simulator s(o);
    const std::uint64_t per = wakeups / processes;
    for (int i = 0; i < processes; ++i) {
        s.spawn([per, i](sim::Ctx& ctx) {
            sim::Rng rng(static_cast<std::uint64_t>(i) + 1);
            for (std::uint64_t k = 0; k < per; ++k) ctx.sleep_for(rng.exponential(sim::Duration(1ms)));
        });
    }
    s.run();
    return {per * processes, s.events(), 0};
}

inline Counts w1_reference(std::uint64_t wakeups, int processes) {
    struct Timer {
        sim::Rng rng;
        std::uint64_t left;
    };
    ReferenceLoop loop;
    std::vector<Timer> timers;
    timers.reserve(processes);
    const std::uint64_t per = wakeups / processes;
    // A self-referencing callback: schedule the next wake-up from inside this one.
    struct Self {
        static void wake(ReferenceLoop& l, void* arg) {
            auto* t = static_cast<Timer*>(arg);
            if (t->left == 0) return;
            --t->left;
            l.at(l.now() + t->rng.exponential(sim::Duration(1ms)).count(), &wake, arg);
        }
    };
    for (int i = 0; i < processes; ++i) {
        timers.push_back({sim::Rng(static_cast<std::uint64_t>(i) + 1), per});
        loop.at(0, &Self::wake, &timers.back());
    }
    std::uint64_t events = loop.run();
    return {per * processes, events, 0};
}

// ---- W2 ping-pong --------------------------------------------------------------------------

inline Counts w2_faultline(std::uint64_t messages, int pairs) {
    sim::Simulator s;
    const std::uint64_t per = messages / pairs;
    std::uint64_t delivered = 0;
    struct Pair {
        sim::Channel<std::uint64_t> a, b;
    };
    std::vector<std::unique_ptr<Pair>> ps;
    for (int i = 0; i < pairs; ++i) {
        ps.push_back(std::make_unique<Pair>());
        Pair& p = *ps.back();
        auto side = [&s, &delivered, per](sim::Channel<std::uint64_t>& inbox, sim::Channel<std::uint64_t>& peer, bool starts) {
            return [&s, &delivered, &inbox, &peer, per, starts](sim::Ctx& ctx) {
                auto send = [&](std::uint64_t n) {
                    s.deliver_after(1ms, [&peer, &delivered, n] {
                        ++delivered;
                        peer.try_send(n);
                    });
                };
                if (starts) send(1);
                while (auto n = inbox.recv(ctx)) {
                    if (*n >= per) break;
                    send(*n + 1);
                    if (*n + 1 >= per) break;
                }
            };
        };
        s.spawn(side(p.a, p.b, true));
        s.spawn(side(p.b, p.a, false));
    }
    s.run();
    s.shutdown();
    return {delivered, s.events(), 0};
}

inline Counts w2_reference(std::uint64_t messages, int pairs) {
    struct Pair {
        std::uint64_t left;
        std::uint64_t delivered = 0;
    };
    struct Self {
        static void deliver(ReferenceLoop& l, void* arg) {
            auto* p = static_cast<Pair*>(arg);
            ++p->delivered;
            if (--p->left == 0) return;
            l.at(l.now() + sim::Duration(1ms).count(), &deliver, arg);  // the reply
        }
    };
    ReferenceLoop loop;
    std::vector<Pair> ps(pairs, Pair{messages / pairs});
    for (auto& p : ps) loop.at(sim::Duration(1ms).count(), &Self::deliver, &p);
    std::uint64_t events = loop.run();
    std::uint64_t delivered = 0;
    for (auto& p : ps) delivered += p.delivered;
    return {delivered, events, 0};
}

// ---- W3 M/M/1 ------------------------------------------------------------------------------

inline Counts w3_faultline(std::uint64_t customers) {
    sim::Simulator s;
    sim::Channel<sim::Time> queue;
    double total_response = 0;
    std::uint64_t served = 0;
    s.spawn([&](sim::Ctx& ctx) {
        sim::Rng rng(1);
        for (std::uint64_t i = 0; i < customers; ++i) {
            ctx.sleep_for(rng.exponential(sim::Duration(std::chrono::microseconds(1111))));  // 1/0.9 ms
            queue.try_send(ctx.now());
        }
        queue.close();
    });
    s.spawn([&](sim::Ctx& ctx) {
        sim::Rng rng(2);
        while (auto arrived = queue.recv(ctx)) {
            ctx.sleep_for(rng.exponential(sim::Duration(1ms)));
            total_response += sim::to_seconds(ctx.now() - *arrived);
            ++served;
        }
    });
    s.run();
    return {served, s.events(), total_response / static_cast<double>(served) * 1000.0};
}

inline Counts w3_reference(std::uint64_t customers) {
    struct State {
        sim::Rng arrivals{1}, service{2};
        std::deque<std::int64_t> waiting;  // arrival times, the head is in service
        std::uint64_t left, served = 0;
        double total_response = 0;
    };
    struct Self {
        static void arrive(ReferenceLoop& l, void* arg) {
            auto* st = static_cast<State*>(arg);
            st->waiting.push_back(l.now());
            if (st->waiting.size() == 1) l.at(l.now() + st->service.exponential(sim::Duration(1ms)).count(), &depart, arg);
            if (--st->left > 0) {
                l.at(l.now() + st->arrivals.exponential(sim::Duration(std::chrono::microseconds(1111))).count(), &arrive, arg);
            }
        }
        static void depart(ReferenceLoop& l, void* arg) {
            auto* st = static_cast<State*>(arg);
            st->total_response += static_cast<double>(l.now() - st->waiting.front()) / 1e9;
            st->waiting.pop_front();
            ++st->served;
            if (!st->waiting.empty()) l.at(l.now() + st->service.exponential(sim::Duration(1ms)).count(), &depart, arg);
        }
    };
    State st;
    st.left = customers;
    ReferenceLoop loop;
    loop.at(st.arrivals.exponential(sim::Duration(std::chrono::microseconds(1111))).count(), &Self::arrive, &st);
    std::uint64_t events = loop.run();
    return {st.served, events, st.total_response / static_cast<double>(st.served) * 1000.0};
}

// ---- capacity ------------------------------------------------------------------------------

// `n` processes started and parked (each waits an hour): the memory an idle client costs.
inline Counts idle_processes(std::uint64_t n) {
    sim::Simulator s;
    for (std::uint64_t i = 0; i < n; ++i) s.spawn([](sim::Ctx& ctx) { ctx.sleep_for(1h); });
    s.run_until(sim::Time(1ms));
    Counts c{n, s.events(), 0};
    s.shutdown();
    return c;
}

// Short-lived processes: a driver spawns batches of children that each do one step and end.
inline Counts short_lived_spawns(std::uint64_t n) {
    sim::Simulator s;
    std::uint64_t ran = 0;
    s.spawn([&](sim::Ctx& ctx) {
        for (std::uint64_t i = 0; i < n; i += 1000) {
            for (int k = 0; k < 1000; ++k) ctx.spawn([&ran](sim::Ctx&) { ++ran; });
            ctx.yield();
        }
    });
    s.run();
    return {ran, s.events(), 0};
}

}  // namespace bench
