#include "golden/golden_runs.hpp"

#include <string>

#include "sim/sim.hpp"

namespace golden {

namespace {
using namespace std::chrono_literals;

// Many processes sleeping exponential times and tracing what they draw.
void timers(sim::Simulator& s) {
    for (int i = 0; i < 50; ++i) {
        sim::Host& h = s.add_host("h" + std::to_string(i));
        h.spawn([](sim::Ctx& ctx) {
            for (int k = 0; k < 40; ++k) {
                ctx.sleep_for(ctx.rng().exponential(sim::Duration(10ms)));
                ctx.trace("tick", {{"k", k}, {"draw", ctx.rng().uniform_int(0, 1000)}});
            }
        });
    }
}

// A bounded pipeline with timeouts on both ends.
void channels(sim::Simulator& s) {
    auto& a = s.make<sim::Channel<int>>(4);
    auto& b = s.make<sim::Channel<int>>(2);
    sim::Host& h = s.add_host("pipe");
    h.spawn([&a](sim::Ctx& ctx) {
        for (int i = 0; i < 300; ++i) {
            bool ok = a.send(ctx, i, 3ms);
            ctx.trace("produce", {{"i", i}, {"ok", ok}});
            ctx.sleep_for(ctx.rng().exponential(sim::Duration(1ms)));
        }
        a.close();
    });
    for (int w = 0; w < 3; ++w) {
        h.spawn([&a, &b](sim::Ctx& ctx) {
            while (auto v = a.recv(ctx)) {
                ctx.sleep_for(ctx.rng().uniform_duration(1ms, 5ms));
                b.send(ctx, *v * 2, 2ms);
            }
        });
    }
    h.spawn([&b](sim::Ctx& ctx) {
        for (;;) {
            auto v = b.recv(ctx, 20ms);
            if (!v) break;
            ctx.trace("consume", {{"v", *v}});
        }
    });
}

// Hosts crash and come back; their processes unwind and are restarted.
void crashes(sim::Simulator& s) {
    for (int i = 0; i < 5; ++i) {
        sim::Host& h = s.add_host("node" + std::to_string(i));
        auto start = [&h] {
            for (int p = 0; p < 3; ++p) {
                h.spawn([p](sim::Ctx& ctx) {
                    for (;;) {
                        ctx.sleep_for(ctx.rng().uniform_duration(1ms, 9ms));
                        ctx.trace("work", {{"p", p}});
                    }
                });
            }
        };
        start();
        for (int k = 1; k <= 4; ++k) {
            s.at(sim::Time(sim::Duration(std::chrono::milliseconds(37 * k + 11 * i))), [&h] { h.crash(); });
            s.at(sim::Time(sim::Duration(std::chrono::milliseconds(37 * k + 11 * i + 5))), [&h, start] {
                h.boot();
                start();
            });
        }
    }
    s.at(sim::Time(200ms), [&s] { s.stop(); });
}

// Every distribution, traced by value (exact bits), so a change in the math shows.
void distributions(sim::Simulator& s) {
    s.spawn([](sim::Ctx& ctx) {
        sim::Rng r = ctx.sim().rng("distributions");
        sim::Zipf zipf(100000, 0.99);
        for (int i = 0; i < 200; ++i) {
            ctx.trace("draw", {{"exp", r.exponential(2.0)},
                               {"normal", r.normal(1.0, 3.0)},
                               {"lognormal", r.lognormal(0.5, 0.75)},
                               {"pareto", r.pareto(1.0, 1.5)},
                               {"zipf", zipf(r)},
                               {"u", r.uniform_real(-1.0, 1.0)},
                               {"b", r.bernoulli({1, 3})}});
            ctx.sleep_for(1ms);
        }
    });
}

// Same-time events in a seeded random order.
void shuffled(sim::Simulator& s) {
    for (int i = 0; i < 20; ++i) {
        s.spawn([i](sim::Ctx& ctx) {
            for (int k = 0; k < 10; ++k) {
                ctx.sleep_until(sim::Time(std::chrono::milliseconds(k)));
                ctx.trace("turn", {{"i", i}, {"k", k}});
            }
        });
    }
}
}  // namespace

std::uint64_t run_case(std::string_view name, std::uint64_t seed) {
    sim::Options o;
    o.seed = seed;
    o.shuffle_ties = name == "shuffled";
    sim::Simulator s(o);
    sim::CurrentScope scope(s);
    if (name == "timers") timers(s);
    else if (name == "channels") channels(s);
    else if (name == "crashes") crashes(s);
    else if (name == "distributions") distributions(s);
    else if (name == "shuffled") shuffled(s);
    else return 0;
    return s.run().trace_hash;
}

const std::vector<Case>& cases() {
    static const std::vector<Case> pinned = {
        {"timers", 1, 0x31c12af877c70370},
        {"timers", 42, 0x609dc5cf056d5e5d},
        {"channels", 7, 0xd424ee4fd0654992},
        {"crashes", 3, 0xe28c69e6fc3dea57},
        {"distributions", 11, 0x88c6ee17a94417d4},
        {"shuffled", 5, 0x9f27eea0b014b13b},
    };
    return pinned;
}

}  // namespace golden
