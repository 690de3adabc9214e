// W2 ping-pong through the full simulated network: 1,000 pairs of hosts, each pair exchanging
// messages over links with a latency distribution (uniform 0.5-1.5ms, no faults), 1M messages.
// The reference does the same logical work in the callback loop, drawing the same latencies.
#pragma once

#include "harness.hpp"
#include "reference_loop.hpp"
#include "sim/sim.hpp"

namespace bench {

inline sim::Delay network_latency() { return sim::Delay::uniform(std::chrono::microseconds(500), std::chrono::microseconds(1500)); }

inline Counts w2_network(std::uint64_t messages, int pairs, bool hash = true) {
    sim::Options o;
    o.hash_trace = hash;
    sim::Simulator s(o);
    sim::Network net(s, sim::LinkOptions{.latency = network_latency()});
    const std::uint64_t per = messages / static_cast<std::uint64_t>(pairs);
    std::uint64_t delivered = 0;
    for (int i = 0; i < pairs; ++i) {
        sim::Host& a = s.add_host("a" + std::to_string(i));
        sim::Host& b = s.add_host("b" + std::to_string(i));
        for (auto [self, peer, starts] : {std::tuple{&a, &b, true}, std::tuple{&b, &a, false}}) {
            auto& box = self->make<sim::Mailbox<std::uint64_t>>(net, *self, "in");
            self->spawn([&net, &box, &delivered, peer = peer, starts = starts, per](sim::Ctx& ctx) {
                const std::uint32_t port = box.port();
                if (starts) sim::send_message(net, ctx.host(), *peer, port, std::uint64_t{1});
                while (auto env = box.recv(ctx)) {
                    ++delivered;
                    if (env->message >= per) break;
                    sim::send_message(net, ctx.host(), *peer, port, env->message + 1);
                    if (env->message + 1 >= per) break;
                }
            });
        }
    }
    s.run();
    s.shutdown();
    return {delivered, s.events(), 0};
}

inline Counts w2_network_reference(std::uint64_t messages, int pairs) {
    struct Pair {
        std::uint64_t left;
        sim::Rng* rng;
    };
    struct Self {
        static void deliver(ReferenceLoop& l, void* arg) {
            auto* p = static_cast<Pair*>(arg);
            if (--p->left == 0) return;
            l.at(l.now() + network_latency().sample(*p->rng).count(), &deliver, arg);
        }
    };
    sim::Rng rng(1);
    ReferenceLoop loop;
    std::vector<Pair> ps(static_cast<std::size_t>(pairs), Pair{messages / static_cast<std::uint64_t>(pairs), &rng});
    for (auto& p : ps) loop.at(network_latency().sample(rng).count(), &Self::deliver, &p);
    std::uint64_t events = loop.run();
    return {events, events, 0};
}

}  // namespace bench
