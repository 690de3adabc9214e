// The three kernel workloads written for SimGrid (s4u), the nearest C++ relative of faultline, so
// that bench/peers can put the two side by side. Each does the same logical work as its
// faultline form in bench/workloads/kernel_workloads.hpp, drawing the same numbers (sim::Rng
// with the same seeds), so W1 and W3 end at the same simulated instant with the same counts:
//   W1 timer churn: 1,000 actors each sleeping exponential times (mean 1ms).
//   W2 ping-pong:   1,000 pairs of actors on their own hosts; a message is a mailbox put/get
//                   over the Constant network model with its constant time set to 1ms.
//   W3 M/M/1:       an arrival actor and a server actor; arrivals queue in a std::deque and a
//                   semaphore counts them (faultline's Channel is the same two things).
// SimGrid runs with raw contexts (its fastest context switch) and 64 KiB actor stacks (like
// faultline's), logging off. Left out: SimGrid's platform file, its compute model (no
// execute()), and its realistic network models: the Constant model is its fastest.
//
// Usage: simgrid_peer w1|w2|w3 UNITS   (prints "wall_seconds cpu_seconds units events" on stdout:
// the simulation itself, engine set-up excluded, for bench/peers to compare)
#include <simgrid/s4u.hpp>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "sim/random.hpp"

namespace sg4 = simgrid::s4u;

namespace {

double seconds_of(sim::Duration d) { return static_cast<double>(d.count()) * 1e-9; }

std::uint64_t w1(std::uint64_t wakeups, int processes, sg4::NetZone* zone) {
    sg4::Host* host = zone->create_host("h", 1e9)->seal();
    zone->seal();
    const std::uint64_t per = wakeups / static_cast<std::uint64_t>(processes);
    for (int i = 0; i < processes; ++i) {
        sg4::Actor::create("timer", host, [per, i] {
            sim::Rng rng(static_cast<std::uint64_t>(i) + 1);
            for (std::uint64_t k = 0; k < per; ++k) {
                sg4::this_actor::sleep_for(seconds_of(rng.exponential(sim::Duration(std::chrono::milliseconds(1)))));
            }
        });
    }
    return per * static_cast<std::uint64_t>(processes);
}

std::uint64_t delivered_w2 = 0;

std::uint64_t w2(std::uint64_t messages, int pairs, sg4::NetZone* zone) {
    std::vector<sg4::Host*> hosts;
    for (int i = 0; i < 2 * pairs; ++i) hosts.push_back(zone->create_host("h" + std::to_string(i), 1e9)->seal());
    zone->seal();
    const std::uint64_t per = messages / static_cast<std::uint64_t>(pairs);
    static std::vector<std::uint64_t> payloads;  // put() sends a pointer; each side owns one slot
    payloads.assign(2 * static_cast<std::size_t>(pairs), 0);
    for (int i = 0; i < pairs; ++i) {
        for (int side = 0; side < 2; ++side) {
            const int self = 2 * i + side;
            const int peer = 2 * i + (1 - side);
            sg4::Actor::create("end", hosts[self], [self, peer, per, starts = side == 0] {
                sg4::Mailbox* inbox = sg4::Mailbox::by_name("m" + std::to_string(self));
                sg4::Mailbox* outbox = sg4::Mailbox::by_name("m" + std::to_string(peer));
                auto send = [&](std::uint64_t n) {
                    payloads[self] = n;
                    outbox->put(&payloads[self], 8);  // takes the constant 1ms; the peer is waiting
                };
                if (starts) send(1);
                for (;;) {
                    const std::uint64_t n = *inbox->get<std::uint64_t>();
                    ++delivered_w2;
                    if (n >= per) break;
                    send(n + 1);
                    if (n + 1 >= per) break;
                }
            });
        }
    }
    return per * static_cast<std::uint64_t>(pairs);
}

struct MM1 {
    std::deque<double> waiting;  // arrival times
    sg4::SemaphorePtr queued = sg4::Semaphore::create(0);
    bool closed = false;
    std::uint64_t served = 0;
    double total_response = 0;
};

std::uint64_t w3(std::uint64_t customers, sg4::NetZone* zone, MM1& q) {
    sg4::Host* host = zone->create_host("h", 1e9)->seal();
    zone->seal();
    sg4::Actor::create("arrivals", host, [&q, customers] {
        sim::Rng rng(1);
        for (std::uint64_t i = 0; i < customers; ++i) {
            sg4::this_actor::sleep_for(seconds_of(rng.exponential(sim::Duration(std::chrono::microseconds(1111)))));
            q.waiting.push_back(sg4::Engine::get_clock());
            q.queued->release();
        }
        q.closed = true;
        q.queued->release();
    });
    sg4::Actor::create("server", host, [&q] {
        sim::Rng rng(2);
        for (;;) {
            q.queued->acquire();
            if (q.waiting.empty() && q.closed) break;
            const double arrived = q.waiting.front();
            q.waiting.pop_front();
            sg4::this_actor::sleep_for(seconds_of(rng.exponential(sim::Duration(std::chrono::milliseconds(1)))));
            q.total_response += sg4::Engine::get_clock() - arrived;
            ++q.served;
        }
    });
    return customers;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: simgrid_peer w1|w2|w3 UNITS\n");
        return 2;
    }
    const std::string which = argv[1];
    const std::uint64_t units = std::strtoull(argv[2], nullptr, 10);
    // Raw contexts, faultline-sized stacks, the Constant network model at 1ms, and quiet logs.
    std::vector<std::string> args = {argv[0],
                                     "--cfg=contexts/factory:raw",
                                     "--cfg=contexts/stack-size:64",
                                     "--cfg=network/model:Constant",
                                     "--cfg=network/latency-factor:0.001",
                                     "--log=root.thres:critical"};
    std::vector<char*> cargv;
    for (std::string& a : args) cargv.push_back(a.data());
    int cargc = static_cast<int>(cargv.size());
    sg4::Engine engine(&cargc, cargv.data());
    sg4::NetZone* zone = sg4::create_empty_zone("zone");

    MM1 q;
    std::uint64_t expected = 0;
    if (which == "w1") expected = w1(units, 1000, zone);
    else if (which == "w2") expected = w2(units, 1000, zone);
    else if (which == "w3") expected = w3(units, zone, q);
    else {
        std::fprintf(stderr, "simgrid_peer: unknown workload '%s'\n", which.c_str());
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();  // bench code: wall time of the run
    const std::clock_t cpu_start = std::clock();         // and the process's CPU time
    engine.run();
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::uint64_t counted = expected;
    if (which == "w2") counted = delivered_w2;
    if (which == "w3") counted = q.served;
    std::printf("%.6f %.6f %llu %llu\n", secs, cpu, static_cast<unsigned long long>(counted),
                static_cast<unsigned long long>(counted));
    if (which == "w3") {
        std::fprintf(stderr, "simgrid w3: mean response %.3f ms at t=%.3fs\n", q.total_response / static_cast<double>(q.served) * 1e3,
                     sg4::Engine::get_clock());
    } else {
        std::fprintf(stderr, "simgrid %s: ended at t=%.3fs\n", which.c_str(), sg4::Engine::get_clock());
    }
    return counted == expected ? 0 : 1;
}
