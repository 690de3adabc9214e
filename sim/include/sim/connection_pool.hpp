// A bounded pool of connections from one client host to one server, for models that need
// connection behaviour: exhaustion (every connection busy: a call waits, then fails with
// Errc::exhausted), connection set-up cost (a handshake round trip), and half-open connections.
//
// A connection remembers the server incarnation it was made to. If the server restarts, the next
// request on the old connection is answered "reset" (the new life does not know it). If the
// server is down or cut off, requests on an established connection vanish and the call hangs
// until its timeout, or until keepalive probes (if enabled) notice the peer is gone and reset
// the connection, failing the call early with Errc::reset.
//
// One request at a time per connection (HTTP/1.1 style). A call that times out closes its
// connection (the client cannot tell whether the server will still answer on it).
//
// Left out: pipelining and multiplexing, TIME_WAIT and ephemeral ports, slow start.
#pragma once

#include <string>
#include <vector>

#include "sim/rpc.hpp"

namespace sim {

struct PoolOptions {
    std::size_t connections_max = 8;
    Duration acquire_timeout = std::chrono::seconds(1);  // waiting for a free connection
    Duration connect_timeout = std::chrono::seconds(1);  // the handshake
    Duration keepalive_interval{0};                      // 0: no keepalive probes
    Duration keepalive_timeout = std::chrono::seconds(5);
};

class ConnectionPool {
public:
    // A pool on `client` to the host named `server` for the service's port. Volatile state of the
    // client: make it with client.make<ConnectionPool>(...) in the client's boot function.
    ConnectionPool(Network& net, Host& client, std::string server, std::uint32_t port, PoolOptions options = {});
    ~ConnectionPool();

    template <class Req, class Resp>
    Result<Resp> call(Ctx& ctx, Rpc<Req, Resp>& rpc, Req request, Duration timeout);

    std::size_t established() const noexcept;
    std::size_t busy() const noexcept;
    struct Counters {
        std::uint64_t connects = 0;
        std::uint64_t connect_failures = 0;
        std::uint64_t exhausted = 0;
        std::uint64_t resets = 0;
        std::uint64_t keepalive_kills = 0;
    };
    const Counters& counters() const noexcept { return counters_; }

private:
    struct Connection {
        bool established = false;
        bool busy = false;
        std::uint64_t incarnation = 0;
        std::uint64_t call_id = 0;  // the call in flight, when busy
        Time last_active{};
    };

    // Takes a free connection (waiting up to acquire_timeout), establishing it if needed.
    Result<std::size_t> acquire(Ctx& ctx, Duration timeout);
    void release(std::size_t index, Errc outcome, bool ok);
    void keepalive(Ctx& ctx);

    Network& net_;
    Host& client_;
    std::string server_;
    std::uint32_t port_;
    PoolOptions options_;
    Semaphore permits_;
    std::vector<Connection> connections_;
    Counters counters_;
};

template <class Req, class Resp>
Result<Resp> ConnectionPool::call(Ctx& ctx, Rpc<Req, Resp>& rpc, Req request, Duration timeout) {
    SIM_ASSERT(rpc.port() == port_, "a pool serves one service");
    const Time deadline = saturating_add(ctx.now(), timeout);
    Result<std::size_t> conn = acquire(ctx, timeout);
    if (!conn) return conn.error();
    Connection& c = connections_[*conn];
    Host* server = ctx.sim().find_host(server_);
    CallOptions options;
    options.incarnation = c.incarnation;
    options.call_id_out = &c.call_id;
    struct Release {  // also on a kill: the permit must go back
        ConnectionPool& pool;
        std::size_t index;
        bool done = false;
        ~Release() {
            if (!done) pool.release(index, Errc::cancelled, false);
        }
    } guard{*this, *conn};
    Result<Resp> r = rpc.call(ctx, *server, std::move(request), std::max(Duration(0), deadline - ctx.now()), options);
    guard.done = true;
    release(*conn, r ? Errc::internal : r.error(), r.ok());
    return r;
}

}  // namespace sim
