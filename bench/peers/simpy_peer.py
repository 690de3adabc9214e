#!/usr/bin/env python3
"""The three kernel workloads written for SimPy, the discrete-event library most people reach for
first, so that bench/peers can put it next to faultline. Each does the same logical work as its
faultline form in bench/workloads/kernel_workloads.hpp (time in seconds here, ns there):
  W1 timer churn: 1,000 processes each sleeping exponential times (mean 1ms).
  W2 ping-pong:   1,000 pairs; a send is a 1ms timeout whose callback puts the message into the
                  peer's Store (faultline: a 1ms kernel callback that sends on a Channel).
  W3 M/M/1:       an arrival process and a server process sharing an unbounded Store.
Draws come from Python's random module (Mersenne Twister, expovariate), not faultline's
streams: the same distributions, not the same numbers. Left out: SimPy's real-time mode and its
resources (Resource, Container), which these workloads do not need.

Usage: simpy_peer.py w1|w2|w3 UNITS   (prints "wall_seconds cpu_seconds units events" on stdout:
env.run() alone, interpreter start-up and set-up excluded)
"""
import random
import sys
import time

import simpy


def w1(env, wakeups, processes=1000):
    per = wakeups // processes

    def timer(seed):
        rng = random.Random(seed)
        for _ in range(per):
            yield env.timeout(rng.expovariate(1000.0))

    for i in range(processes):
        env.process(timer(i + 1))
    return lambda: per * processes


def w2(env, messages, pairs=1000):
    per = messages // pairs
    delivered = [0]

    def endpoint(inbox, peer, starts):
        def send(n):
            t = env.timeout(0.001, value=n)
            t.callbacks.append(lambda ev: peer.put(ev.value))

        if starts:
            send(1)
        while True:
            n = yield inbox.get()
            delivered[0] += 1
            if n >= per:
                return
            send(n + 1)
            if n + 1 >= per:
                return

    for _ in range(pairs):
        a, b = simpy.Store(env), simpy.Store(env)
        env.process(endpoint(a, b, True))
        env.process(endpoint(b, a, False))
    return lambda: delivered[0]


def w3(env, customers):
    queue = simpy.Store(env)
    stats = {"served": 0, "response": 0.0}

    def arrivals():
        rng = random.Random(1)
        for _ in range(customers):
            yield env.timeout(rng.expovariate(900.0))
            queue.put(env.now)
        queue.put(None)

    def server():
        rng = random.Random(2)
        while True:
            arrived = yield queue.get()
            if arrived is None:
                return
            yield env.timeout(rng.expovariate(1000.0))
            stats["response"] += env.now - arrived
            stats["served"] += 1

    env.process(arrivals())
    env.process(server())

    def served():
        sys.stderr.write("simpy w3: mean response %.3f ms\n" % (stats["response"] / max(stats["served"], 1) * 1e3))
        return stats["served"]

    return served


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("w1", "w2", "w3"):
        sys.stderr.write("usage: simpy_peer.py w1|w2|w3 UNITS\n")
        return 2
    which, units = sys.argv[1], int(sys.argv[2])
    env = simpy.Environment()
    counted = {"w1": w1, "w2": w2, "w3": w3}[which](env, units)
    start, cpu_start = time.perf_counter(), time.process_time()
    env.run()
    secs, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    n = counted()
    print("%.6f %.6f %d %d" % (secs, cpu, n, n))
    return 0 if n == units else 1


if __name__ == "__main__":
    sys.exit(main())
