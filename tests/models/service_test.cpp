// Service, work queue and database against queueing theory and their stated behaviour.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "models/database.hpp"
#include "models/service.hpp"
#include "models/workload.hpp"
#include "sim/sim.hpp"
#include "support/resume_counter.hpp"

namespace {
using namespace std::chrono_literals;
using sim::Duration;
using sim::Time;

// Erlang C mean response time (the same formula the mmc scenario uses, written out again here).
double erlang_c_response(double lambda, double mu, int c) {
    const double a = lambda / mu;
    double term = 1, sum = 0;
    for (int k = 0; k < c; ++k) {
        sum += term;
        term *= a / (k + 1);
    }
    const double tail = term / (1 - a / c);
    return tail / (sum + tail) / (c * mu - lambda) + 1 / mu;
}

// Open-loop Poisson clients -> a Service with c workers and exponential CPU cost, over a
// zero-latency network: the client-side latency is the queue's response time.
double service_mean_response(double lambda, double mu, int c, std::uint64_t seed, std::uint64_t customers) {
    sim::Simulator s(sim::Options{.seed = seed, .duration = Duration(static_cast<std::int64_t>(1e9 * customers / lambda))});
    sim::Network net(s, sim::LinkOptions{.latency = sim::Delay::fixed(Duration(0))});
    models::Metrics metrics(s);
    models::ServiceOptions o;
    o.queue.workers_max = c;
    o.queue.queue_max = 1'000'000;
    o.cpu = sim::Delay::exponential(Duration(static_cast<std::int64_t>(1e9 / mu)));
    models::Service svc(net, "svc", o, &metrics);
    s.add_host("server").on_boot([&](sim::Host& h) { svc.serve(h); });
    sim::Host& client = s.add_host("client");
    models::OpenLoopWorkload load(client, "load", {.rate = lambda},
                                  [&](sim::Ctx& ctx, const models::Request& r) { return svc.rpc().call(ctx, "server", r, 1h); },
                                  &metrics);
    EXPECT_EQ(s.run().verdict, sim::Verdict::pass);
    const double mean = metrics.find_histogram("load.latency")->total().mean() / 1e9;
    EXPECT_GT(load.stats().ok_count(), customers * 9 / 10);
    s.shutdown();
    return mean;
}

// Tolerances: at rho = 0.5 the sample mean of 200,000 M/M/1 response times has a standard
// deviation near sqrt(rho (2 + 5 rho - 4 rho^2 + rho^3) / ((1 - rho)^4 n)) / mu ~ 0.012/mu
// (0.6% of W = 2/mu); the histogram adds under 1% of bias. Averaging two seeds, 3% is over 4 sd.
TEST(Service, WithPoissonArrivalsAndExponentialWorkItMatchesMM1) {
    const double lambda = 500, mu = 1000;  // rho 0.5: W = 1 / (mu - lambda) = 2ms
    const double w = (service_mean_response(lambda, mu, 1, 1, 200'000) + service_mean_response(lambda, mu, 1, 2, 200'000)) / 2;
    EXPECT_NEAR(w, 1.0 / (mu - lambda), 0.03 * (1.0 / (mu - lambda)));
}

TEST(Service, WithFourWorkersItMatchesErlangC) {
    const double lambda = 2800, mu = 1000;  // c = 4, rho 0.7
    const double theory = erlang_c_response(lambda, mu, 4);
    const double w = (service_mean_response(lambda, mu, 4, 3, 200'000) + service_mean_response(lambda, mu, 4, 4, 200'000)) / 2;
    EXPECT_NEAR(w, theory, 0.03 * theory);
}

TEST(Service, ItsServerSideTimeoutAppliesInTheQueueAndToALateAnswer) {
    // One worker, 100ms of CPU each, a 150ms server-side timeout; three requests at once. The
    // first is answered at 100ms; the second starts at 100ms and finishes at 200ms, too late: an
    // error; the third's deadline passes at 150ms while it waits: never served.
    sim::Simulator s;
    sim::Network net(s, sim::LinkOptions{.latency = sim::Delay::fixed(Duration(0))});
    models::Service svc(net, "svc", {.queue = {.workers_max = 1}, .cpu = sim::Delay::fixed(100ms), .timeout = 150ms});
    s.add_host("server").on_boot([&](sim::Host& h) { svc.serve(h); });
    std::vector<std::string> results(3);
    for (int i = 0; i < 3; ++i) {
        s.add_host("client-" + std::to_string(i)).spawn([&, i](sim::Ctx& ctx) {
            auto r = svc.rpc().call(ctx, "server", models::Request{}, 1s);
            results[i] = (r ? std::string("ok") : std::string(sim::to_string(r.error()))) + "@" + sim::format_time(ctx.now());
        });
    }
    s.run_until(Time(1s));
    EXPECT_EQ(results, (std::vector<std::string>{"ok@0.1s", "timeout@0.2s", "timeout@0.15s"}));
    EXPECT_EQ(svc.counters().ok, 1u);
    EXPECT_EQ(svc.counters().errors, 2u);
    s.shutdown();
}

TEST(Service, WithCpuLastAFailedHandlerAnswersAtOnce) {
    // 50ms of CPU; the handler fails odd keys. CPU first: every answer takes 50ms. CPU last: a
    // failure answers at once, a success still takes 50ms.
    for (const bool cpu_last : {false, true}) {
        SCOPED_TRACE(cpu_last ? "cpu last" : "cpu first");
        sim::Simulator s;
        sim::Network net(s, sim::LinkOptions{.latency = sim::Delay::fixed(Duration(0))});
        models::Service svc(net, "svc", {.cpu = sim::Delay::fixed(50ms), .cpu_last = cpu_last});
        s.add_host("server").on_boot([&](sim::Host& h) {
            svc.serve(h, [](sim::Ctx&, const models::Request& r, const sim::CallInfo&) -> sim::Result<models::Response> {
                if (r.key % 2 == 1) return sim::Errc::disk_full;
                return models::Response{r.key, 0, false};
            });
        });
        std::vector<Duration> took(2);
        for (std::uint64_t key = 0; key < 2; ++key) {
            s.add_host("client-" + std::to_string(key)).spawn([&, key](sim::Ctx& ctx) {
                const Time start = ctx.now();
                auto r = svc.rpc().call(ctx, "server", models::Request{.key = key}, 1s);
                EXPECT_EQ(r.ok(), key == 0);
                took[key] = ctx.now() - start;
            });
        }
        s.run_until(Time(1s));
        EXPECT_EQ(took[0], Duration(50ms));
        EXPECT_EQ(took[1], cpu_last ? Duration(0) : Duration(50ms));
        s.shutdown();
    }
}

TEST(Service, ARequestThatFindsTheQueueFullIsRefusedOnArrivalWithoutAFiber) {
    // One worker, a queue of one, 100ms of CPU: of four requests arriving 1ms apart, the first is
    // served, the second waits for it, and the last two are refused at once. The refused ones
    // never get a fiber on the server: it resumes only the two it serves (five times: each
    // started and resumed after its CPU, the second also when the worker is handed to it).
    // (Requests arriving at the same instant are judged by their own fibers instead, as the
    // fibers of the others have not taken their places yet: the answer is the same.)
    sim::Simulator s;
    models::Metrics metrics(s);
    sim::Network net(s, sim::LinkOptions{.latency = sim::Delay::fixed(Duration(0))});
    models::Service svc(net, "svc", {.queue = {.workers_max = 1, .queue_max = 1}, .cpu = sim::Delay::fixed(100ms)}, &metrics);
    s.add_host("server").on_boot([&](sim::Host& h) { svc.serve(h); });
    test_support::ResumeCounter resumes("server");
    s.set_trace_sink(&resumes);
    std::vector<std::string> outcomes;
    for (int i = 0; i < 4; ++i) {
        s.add_host("client-" + std::to_string(i)).spawn([&, i](sim::Ctx& ctx) {
            ctx.sleep_for(Duration(std::chrono::milliseconds(i)));
            auto r = svc.rpc().call(ctx, "server", models::Request{}, 1s);
            outcomes.push_back((r ? "ok" : std::string(sim::to_string(r.error()))) + "@" + sim::format_time(ctx.now()));
        });
    }
    s.run_until(Time(1s));
    std::sort(outcomes.begin(), outcomes.end());
    EXPECT_EQ(outcomes, (std::vector<std::string>{"ok@0.1s", "ok@0.2s", "overloaded@0.002s", "overloaded@0.003s"}));
    EXPECT_EQ(svc.counters().requests, 4u);
    EXPECT_EQ(svc.counters().errors, 2u);
    EXPECT_EQ(metrics.counter("svc.errors.overloaded").value(), 2u);
    EXPECT_EQ(metrics.counter("svc.requests").value(), 4u);
    EXPECT_EQ(resumes.count(), 5);
    s.set_trace_sink(nullptr);
    s.shutdown();
}

// A bare work queue driven by processes: the building block's own rules.
struct QueueWorld {
    explicit QueueWorld(models::WorkQueueOptions o) : q(o) {}
    sim::Simulator s;
    models::WorkQueue q;
    std::vector<std::pair<int, std::string>> log;
    void request(int id, Time at, Duration work, Duration deadline_after = 1h) {
        s.spawn([this, id, at, work, deadline_after](sim::Ctx& ctx) {
            ctx.sleep_until(at);
            auto r = q.acquire(ctx, ctx.now() + deadline_after);
            if (!r) {
                log.emplace_back(id, std::string(sim::to_string(r.error())) + "@" + sim::format_time(ctx.now()));
                return;
            }
            log.emplace_back(id, "start@" + sim::format_time(ctx.now()));
            ctx.sleep_for(work);
            q.release();
        });
    }
};

TEST(WorkQueue, FifoServesInArrivalOrderAndRejectsWhenFull) {
    QueueWorld w({.workers_max = 1, .queue_max = 2});
    for (int i = 0; i < 4; ++i) w.request(i, Time(Duration(i)), 10ms);
    w.s.run();
    EXPECT_EQ(w.log, (std::vector<std::pair<int, std::string>>{
                         {0, "start@0s"}, {3, "overloaded@0.000000003s"}, {1, "start@0.01s"}, {2, "start@0.02s"}}));
}

TEST(WorkQueue, LifoServesTheNewestWaiterFirst) {
    QueueWorld w({.workers_max = 1, .queue_max = 10, .discipline = models::QueueDiscipline::lifo});
    for (int i = 0; i < 4; ++i) w.request(i, Time(Duration(i)), 10ms);
    w.s.run();
    EXPECT_EQ(w.log, (std::vector<std::pair<int, std::string>>{{0, "start@0s"}, {3, "start@0.01s"}, {2, "start@0.02s"}, {1, "start@0.03s"}}));
}

TEST(WorkQueue, AWaiterWhoseDeadlinePassesIsDroppedNotServed) {
    QueueWorld w({.workers_max = 1, .queue_max = 10});
    w.request(0, Time(0ms), 50ms);
    w.request(1, Time(1ms), 10ms, 20ms);  // gives up at 21ms, before the worker frees at 50ms
    w.request(2, Time(2ms), 10ms);
    w.s.run();
    EXPECT_EQ(w.log, (std::vector<std::pair<int, std::string>>{{0, "start@0s"}, {1, "timeout@0.021s"}, {2, "start@0.05s"}}));
}

TEST(WorkQueue, CodelShedsOnceTheQueueingDelayHasStayedHighForAnInterval) {
    // One worker, 10ms per request, a request every 5ms: the queue grows without bound.
    QueueWorld w({.workers_max = 1, .queue_max = 1000, .discipline = models::QueueDiscipline::codel,
                  .codel_target = 5ms, .codel_interval = 100ms});
    for (int i = 0; i < 200; ++i) w.request(i, Time(Duration(std::chrono::milliseconds(5 * i))), 10ms);
    w.s.run();
    int shed = 0;
    std::string first_shed;
    for (auto& [id, what] : w.log) {
        if (what.rfind("overloaded@", 0) == 0) {
            ++shed;
            if (first_shed.empty()) first_shed = what.substr(11);
        }
    }
    EXPECT_GT(shed, 50);                  // it sheds about half (the arrival rate is twice the service rate)
    // Not before the delay has stayed above target for an interval: the first request waits from
    // 10ms on, so nothing is shed before 110ms.
    ASSERT_FALSE(first_shed.empty());
    EXPECT_GE(std::stod(first_shed), 0.110);
    EXPECT_EQ(w.q.counters().shed_codel, static_cast<std::uint64_t>(shed));
}

TEST(WorkQueue, AWorkerHandedToAKilledWaiterComesBack) {
    sim::Simulator s;
    models::WorkQueue q({.workers_max = 1, .queue_max = 10});
    sim::Host& h = s.add_host("h");
    h.spawn([&](sim::Ctx& ctx) {
        ASSERT_TRUE(q.acquire(ctx, sim::time_never));
        struct Release {
            models::WorkQueue& q;
            ~Release() { q.release(); }
        } release{q};
        ctx.sleep_for(1h);
    });
    h.spawn([&](sim::Ctx& ctx) { (void)q.acquire(ctx, sim::time_never); });
    s.at(Time(1s), [&] { h.crash(); });
    bool later = false;
    s.spawn([&](sim::Ctx& ctx) {
        ctx.sleep_for(2s);
        later = q.acquire(ctx, ctx.now() + 1s).ok();
    });
    s.run();
    EXPECT_TRUE(later);
    EXPECT_EQ(q.busy(), 1);
    EXPECT_EQ(q.queued(), 0u);
}

struct DbWorld {
    explicit DbWorld(models::DatabaseOptions o) : net(s, sim::LinkOptions{.latency = sim::Delay::fixed(Duration(0))}), metrics(s), db(net, "db", o, &metrics) {
        s.add_host("db").on_boot([this](sim::Host& h) {
            ++boots;
            db.serve(h);
        });
        client = &s.add_host("client");
    }
    ~DbWorld() { s.shutdown(); }
    sim::Simulator s;
    sim::Network net;
    models::Metrics metrics;
    models::Database db;
    sim::Host* client;
    int boots = 0;
};

TEST(Database, LatencyGrowsWithLoadLikeItsQueue) {
    auto mean_latency = [](double rate) {
        DbWorld w({.executors = {.workers_max = 2, .queue_max = 100'000}, .query = sim::Delay::exponential(1ms)});
        models::OpenLoopWorkload load(*w.client, "load", {.rate = rate},
                                      [&](sim::Ctx& ctx, const models::Request& r) { return w.db.rpc().call(ctx, "db", r, 10s); },
                                      &w.metrics);
        w.s.run_until(Time(100s));
        return w.metrics.find_histogram("load.latency")->total().mean() / 1e9;
    };
    // c = 2 executors of 1000/s: Erlang C gives 1.33ms at 1000/s and 5.26ms at 1800/s.
    const double light = mean_latency(1000), heavy = mean_latency(1800);
    EXPECT_NEAR(light, erlang_c_response(1000, 1000, 2), 0.05 * erlang_c_response(1000, 1000, 2));
    EXPECT_NEAR(heavy, erlang_c_response(1800, 1000, 2), 0.10 * erlang_c_response(1800, 1000, 2));
    EXPECT_GT(heavy, 3 * light);
}

TEST(Database, PastItsConnectionLimitItRefuses) {
    DbWorld w({.connections_max = 5, .executors = {.workers_max = 1}, .query = sim::Delay::fixed(100ms)});
    int refused = 0, ok = 0;
    for (int i = 0; i < 8; ++i) {
        w.client->spawn([&](sim::Ctx& ctx) {
            auto r = w.db.rpc().call(ctx, "db", models::Request{}, 10s);
            (r ? ok : refused) += (r || r.error() == sim::Errc::refused) ? 1 : 0;
        });
    }
    w.s.run_until(Time(10s));
    EXPECT_EQ(ok, 5);
    EXPECT_EQ(refused, 3);
    EXPECT_EQ(w.db.counters().refused, 3u);
}

TEST(Database, OverItsMemoryLimitItCrashLoopsWhileTheLoadStays) {
    // 256MB + 4MB per connection, limit 400MB: more than 36 connections kills it.
    DbWorld w({.connections_max = 1000, .executors = {.workers_max = 4}, .query = sim::Delay::fixed(10ms),
               .memory_max_mb = 400, .restart_delay = 2s});
    models::OpenLoopWorkload load(*w.client, "load", {.rate = 2000},  // 400/s capacity: the queue grows
                                  [&](sim::Ctx& ctx, const models::Request& r) { return w.db.rpc().call(ctx, "db", r, 1s); },
                                  &w.metrics);
    w.s.at(Time(10s), [&] { load.set_multiplier(0.1); });  // load drops well below capacity
    w.s.run_until(Time(30s));
    EXPECT_GE(w.db.counters().ooms, 3u);  // it died, came back into the flood, died again
    EXPECT_GE(w.boots, 4);
    // It died on opening its 37th connection: the peak is counted at every open, where the
    // sampled probe sees only the value at each second (0 or a few, after each crash).
    EXPECT_EQ(w.db.counters().connections_peak, 37);
    // The charts show it too: each sample is the highest since the one before, not the value
    // left at the sample's instant.
    const std::vector<double> memory = w.metrics.column("db.memory_mb");
    const std::vector<double> open = w.metrics.column("db.connections");
    ASSERT_FALSE(memory.empty());
    EXPECT_EQ(*std::max_element(memory.begin(), memory.end()), 256 + 4 * 37);
    EXPECT_EQ(*std::max_element(open.begin(), open.end()), 37);
    const std::uint64_t ooms_before = w.db.counters().ooms;
    w.s.run_until(Time(60s));
    EXPECT_EQ(w.db.counters().ooms, ooms_before);  // with the load gone it stays up
    EXPECT_TRUE(w.s.host("db").alive());
}

TEST(Database, MemoryIsPerHostAndItsProbeShowsTheFullestHost) {
    // Two hosts, 100MB + 10MB per connection, limit 400MB: 25 connections on each host is 350MB
    // each (under the limit: no crash), not 100 + 10 * 50 = 600MB for the pair.
    DbWorld w({.connections_max = 1000, .executors = {.workers_max = 50}, .query = sim::Delay::fixed(1s),
               .memory_base_mb = 100, .memory_per_connection_mb = 10, .memory_max_mb = 400});
    w.s.add_host("db-2").on_boot([&](sim::Host& h) { w.db.serve(h); });
    for (int i = 0; i < 40; ++i) {
        const std::string to = i < 25 ? "db" : "db-2";  // 25 on one host, 15 on the other
        w.client->spawn([&w, to](sim::Ctx& ctx) { (void)w.db.rpc().call(ctx, to, models::Request{}, 5s); });
    }
    w.s.run_until(Time(500ms));
    EXPECT_EQ(w.db.connections(), 40);
    EXPECT_DOUBLE_EQ(w.db.memory_mb(), 100 + 10 * 25);
    EXPECT_EQ(w.db.counters().ooms, 0u);
}

}  // namespace
