// A user's program that runs Asio coroutines on virtual time, as ARCHITECTURE.md and sim/asio.hpp
// say it can: asio::co_spawn and asio::use_awaitable on the simulator's executor. Under clang++
// Boost 1.74's Asio finds no co_await unless told (BOOST_ASIO_HAS_CO_AWAIT), which linking
// faultline::sim must do; this program then does not compile at all. Prints the log and exits 0
// when the coroutines woke at the virtual times expected.
#include <utility>  // before Asio: Boost 1.74's Asio needs it under g++ 12 in C++20 mode

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <string>

#include "sim/asio.hpp"
#include "sim/sim.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

int main() {
    sim::Simulator s({.seed = 1});
    std::string log;
    auto worker = [&](std::string name, sim::Duration step) -> asio::awaitable<void> {
        sim::Timer t(s);
        for (int i = 0; i < 2; ++i) {
            t.expires_after(step);
            co_await t.async_wait(asio::use_awaitable);
            log += name + "@" + sim::format_time(s.now()) + " ";
        }
    };
    asio::co_spawn(s.get_executor(), worker("a", 2s), asio::detached);
    asio::co_spawn(s.get_executor(), worker("b", 3s), asio::detached);
    s.run();
    std::printf("coroutines: %s\n", log.c_str());
    return log == "a@2s b@3s a@4s b@6s " ? 0 : 1;
}
