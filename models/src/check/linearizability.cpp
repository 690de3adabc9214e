// The register linearizability checker: a WGL search with Lowe's memoization (see the header),
// and the search for a small failing window by relaxing the history step by step.
#include "models/check/linearizability.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "sim/check.hpp"
#include "sim/random.hpp"

namespace models::check {

std::string_view to_string(Linearizable verdict) noexcept {
    switch (verdict) {
        case Linearizable::yes:
            return "linearizable";
        case Linearizable::no:
            return "not linearizable";
        case Linearizable::unknown:
            return "unknown";
    }
    return "?";
}

namespace {

constexpr int absent = -1;  // the register holds nothing
constexpr int many = -2;    // a read returned several values: no register state matches
constexpr std::int64_t infinity = std::numeric_limits<std::int64_t>::max();

// An operation as the search sees it: times in nanoseconds, values interned.
struct Op {
    std::int64_t call = 0;
    std::int64_t ret = infinity;  // infinity: unknown outcome (may take effect any time after call)
    OpKind kind = OpKind::read;
    int value = absent;     // write, cas: the value written
    int expected = absent;  // cas
    int read = absent;      // read: the value returned
    bool swapped = false;
    bool unknown = false;
    std::size_t source = 0;  // index into the key's operations
};

// The register's transition, or nullopt if `op` cannot happen in state `s`.
std::optional<int> step(int s, const Op& op) {
    switch (op.kind) {
        case OpKind::read:
            return (op.read != many && op.read == s) ? std::optional<int>(s) : std::nullopt;
        case OpKind::write:
            return op.value;
        case OpKind::cas:
            if (op.unknown) return s == op.expected ? op.value : s;
            if (op.swapped) return s == op.expected ? std::optional<int>(op.value) : std::nullopt;
            return s != op.expected ? std::optional<int>(s) : std::nullopt;
    }
    return std::nullopt;
}

struct Budget {
    std::uint64_t steps_left = 0;
    std::size_t entries_max = 0;
    std::size_t bytes_max = 0;
};

enum class Found { yes, no, out_of_steps, out_of_memory };

// The configurations already explored: (linearized set, state), in an open-addressing table over
// a flat arena (no allocation per entry). Only looked up, never iterated.
class Cache {
public:
    explicit Cache(std::size_t words) : words_(words), slots_(1024, 0) {}

    // True if the configuration was new (and is now remembered).
    bool insert(const std::vector<std::uint64_t>& bits, int state) {
        if ((entries_ + 1) * 2 > slots_.size()) grow();
        const std::uint64_t h = hash(bits.data(), state);
        std::size_t i = h & (slots_.size() - 1);
        while (slots_[i] != 0) {
            if (equal(slots_[i] - 1, bits.data(), state)) return false;
            i = (i + 1) & (slots_.size() - 1);
        }
        slots_[i] = static_cast<std::uint32_t>(entries_ + 1);
        arena_.insert(arena_.end(), bits.begin(), bits.end());
        arena_.push_back(static_cast<std::uint64_t>(static_cast<std::int64_t>(state)));
        ++entries_;
        return true;
    }
    std::size_t entries() const noexcept { return entries_; }
    std::size_t bytes() const noexcept { return arena_.size() * sizeof(std::uint64_t) + slots_.size() * sizeof(std::uint32_t); }

private:
    std::uint64_t hash(const std::uint64_t* bits, int state) const {
        std::uint64_t h =
            sim::mix64(static_cast<std::uint64_t>(static_cast<std::int64_t>(state)) + 0x9E3779B97F4A7C15ull);
        for (std::size_t w = 0; w < words_; ++w) h = sim::mix64(h ^ bits[w]);
        return h;
    }
    bool equal(std::size_t entry, const std::uint64_t* bits, int state) const {
        const std::uint64_t* e = &arena_[entry * (words_ + 1)];
        if (static_cast<int>(static_cast<std::int64_t>(e[words_])) != state) return false;
        return std::equal(e, e + words_, bits);
    }
    void grow() {
        std::vector<std::uint32_t> old(slots_.size() * 2, 0);
        old.swap(slots_);
        for (std::size_t entry = 0; entry < entries_; ++entry) {
            const std::uint64_t* e = &arena_[entry * (words_ + 1)];
            std::size_t i = hash(e, static_cast<int>(static_cast<std::int64_t>(e[words_]))) & (slots_.size() - 1);
            while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
            slots_[i] = static_cast<std::uint32_t>(entry + 1);
        }
    }

    std::size_t words_;
    std::size_t entries_ = 0;
    std::vector<std::uint32_t> slots_;
    std::vector<std::uint64_t> arena_;
};

// One search over `ops` from any of `starts`. Events are sorted by time, invocations before
// completions at the same instant (concurrent), then by operation; the list of pending events is
// a doubly linked list with "lift" (remove an operation's two events) and "unlift" (put them back,
// in reverse order of lifting).
class Search {
public:
    Search(const std::vector<Op>& ops, Budget& budget) : ops_(ops), budget_(budget) {}

    Found run(const std::vector<int>& starts) {
        const std::size_t n = ops_.size();
        if (n == 0) return Found::yes;
        build_list();
        const std::size_t words = (n + 63) / 64;
        Cache cache(words);
        for (int start : starts) {
            const Found f = from(start, cache, words);
            entries_ = std::max(entries_, cache.entries());
            if (f != Found::no) return f;
        }
        return Found::no;
    }
    std::size_t entries() const noexcept { return entries_; }

private:
    struct Event {
        std::int64_t time;
        bool ret;
        std::size_t op;
    };

    void build_list() {
        const std::size_t n = ops_.size();
        std::vector<Event> events;
        events.reserve(2 * n);
        for (std::size_t i = 0; i < n; ++i) {
            events.push_back({ops_[i].call, false, i});
            events.push_back({ops_[i].ret, true, i});
        }
        std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
            if (a.time != b.time) return a.time < b.time;
            if (a.ret != b.ret) return !a.ret;
            return a.op < b.op;
        });
        // Entries 0..2n-1 are events; 2n is the head sentinel; -1 ends the list.
        head_ = static_cast<int>(2 * n);
        op_of_.assign(2 * n, 0);
        is_call_.assign(2 * n, false);
        match_.assign(2 * n, -1);
        next_.assign(2 * n + 1, -1);
        prev_.assign(2 * n + 1, -1);
        std::vector<int> call_entry(n, -1);
        int last = head_;
        for (std::size_t e = 0; e < events.size(); ++e) {
            const int id = static_cast<int>(e);
            op_of_[e] = events[e].op;
            is_call_[e] = !events[e].ret;
            if (is_call_[e])
                call_entry[events[e].op] = id;
            else
                match_[static_cast<std::size_t>(call_entry[events[e].op])] = id;
            next_[static_cast<std::size_t>(last)] = id;
            prev_[e] = last;
            last = id;
        }
    }

    void lift(int e) {
        const int m = match_[static_cast<std::size_t>(e)];
        unlink(e);
        unlink(m);
    }
    void unlift(int e) {
        const int m = match_[static_cast<std::size_t>(e)];
        relink(m);
        relink(e);
    }
    void unlink(int e) {
        const auto i = static_cast<std::size_t>(e);
        next_[static_cast<std::size_t>(prev_[i])] = next_[i];
        if (next_[i] != -1) prev_[static_cast<std::size_t>(next_[i])] = prev_[i];
    }
    void relink(int e) {
        const auto i = static_cast<std::size_t>(e);
        next_[static_cast<std::size_t>(prev_[i])] = e;
        if (next_[i] != -1) prev_[static_cast<std::size_t>(next_[i])] = e;
    }

    Found from(int start, Cache& cache, std::size_t words) {
        struct Frame {
            int entry;
            int state;
        };
        std::vector<Frame> stack;
        std::vector<std::uint64_t> bits(words, 0);
        int state = start;
        int entry = next_[static_cast<std::size_t>(head_)];
        while (next_[static_cast<std::size_t>(head_)] != -1) {
            if (budget_.steps_left == 0) return Found::out_of_steps;
            --budget_.steps_left;
            const auto e = static_cast<std::size_t>(entry);
            const std::size_t op = op_of_[e];
            if (is_call_[e]) {
                if (auto next_state = step(state, ops_[op])) {
                    bits[op / 64] |= 1ull << (op % 64);
                    if (cache.insert(bits, *next_state)) {
                        if (cache.entries() > budget_.entries_max || cache.bytes() > budget_.bytes_max) return Found::out_of_memory;
                        stack.push_back({entry, state});
                        state = *next_state;
                        lift(entry);
                        entry = next_[static_cast<std::size_t>(head_)];
                        continue;
                    }
                    bits[op / 64] &= ~(1ull << (op % 64));
                }
                entry = next_[e];
            } else {
                // A completion whose operation is not linearized yet: undo the latest choice.
                if (stack.empty()) {
                    return Found::no;
                }
                const Frame top = stack.back();
                stack.pop_back();
                state = top.state;
                const std::size_t top_op = op_of_[static_cast<std::size_t>(top.entry)];
                bits[top_op / 64] &= ~(1ull << (top_op % 64));
                unlift(top.entry);
                entry = next_[static_cast<std::size_t>(top.entry)];
            }
        }
        // Leave the list whole for the next start state.
        while (!stack.empty()) {
            unlift(stack.back().entry);
            stack.pop_back();
        }
        return Found::yes;
    }

    const std::vector<Op>& ops_;
    Budget& budget_;
    int head_ = 0;
    std::vector<std::size_t> op_of_;
    std::vector<bool> is_call_;
    std::vector<int> match_;
    std::vector<int> next_;
    std::vector<int> prev_;
    std::size_t entries_ = 0;
};

// A relaxed sub-history: operations (indices into the key's ops, possibly made unknown) and the
// register values it may start from.
struct Problem {
    std::vector<Op> ops;
    std::vector<int> starts{absent};
};

Found solve(const Problem& p, Budget& budget, std::size_t* entries = nullptr) {
    Search search(p.ops, budget);
    const Found f = search.run(p.starts);
    if (entries != nullptr) *entries = search.entries();
    return f;
}

// Operations that write a value when they take effect (for start states).
bool may_write(const Op& op) {
    return op.kind == OpKind::write || (op.kind == OpKind::cas && (op.unknown || op.swapped));
}

// The prefix ending at the completion of ops[cut] (an acknowledged operation): operations invoked
// after it are left out; those that had not completed before it become unknown (reads among them
// are dropped). Each of these only relaxes the history up to that instant.
Problem prefix(const std::vector<Op>& ops, std::size_t cut) {
    Problem p;
    const std::int64_t t = ops[cut].ret;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const Op& op = ops[i];
        if (op.call > t) continue;
        if (i == cut || op.ret < t) {
            p.ops.push_back(op);
            continue;
        }
        if (op.kind == OpKind::read) continue;
        Op relaxed = op;
        relaxed.unknown = true;
        relaxed.ret = infinity;
        p.ops.push_back(relaxed);
    }
    return p;
}

// The window of `p` (whose starts are {absent}) from time `s`: see the header, step 2.
Problem window(const Problem& p, std::int64_t s) {
    const std::size_t n = p.ops.size();
    std::vector<bool> in(n, false);
    std::int64_t m = infinity;
    for (std::size_t i = 0; i < n; ++i) {
        if (!p.ops[i].unknown && p.ops[i].ret >= s) {
            in[i] = true;
            m = std::min(m, p.ops[i].call);
        }
    }
    // Close over concurrency: an acknowledged operation still running when a window operation
    // began belongs in the window too (bounded: each pass adds at least one operation).
    for (std::size_t pass = 0; pass <= n; ++pass) {
        bool added = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (!in[i] && !p.ops[i].unknown && p.ops[i].ret >= m) {
                in[i] = true;
                m = std::min(m, p.ops[i].call);
                added = true;
            }
        }
        if (!added) break;
    }
    Problem w;
    w.starts.clear();
    bool wrote_before = false;
    std::vector<int> starts;
    for (std::size_t i = 0; i < n; ++i) {
        const Op& op = p.ops[i];
        if (in[i]) {
            w.ops.push_back(op);
        } else if (op.unknown) {
            // May take effect at any time after its call: before the window (a start state) or in it.
            if (may_write(op) && op.call < m) starts.push_back(op.value);
            Op relaxed = op;
            relaxed.call = std::max(op.call, m);
            w.ops.push_back(relaxed);
        } else if (may_write(op)) {
            wrote_before = true;
            // The last write before the window is one no other excluded write follows in real time.
            const bool followed = std::any_of(p.ops.begin(), p.ops.end(), [&](const Op& other) {
                return &other != &op && !other.unknown && may_write(other) && other.ret < m && op.ret < other.call;
            });
            if (!followed) starts.push_back(op.value);
        }
    }
    if (!wrote_before) starts.push_back(absent);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    w.starts = std::move(starts);
    return w;
}

}  // namespace

KeyLinearizability check_register(const std::vector<Operation>& history, const LinearizabilityOptions& options) {
    KeyLinearizability result;
    if (!history.empty()) result.key = history.front().key;
    std::map<std::string, int, std::less<>> ids;
    std::vector<std::string> names;
    auto intern = [&](const std::string& v) {
        auto [it, added] = ids.emplace(v, static_cast<int>(names.size()));
        if (added) names.push_back(v);
        return it->second;
    };
    std::vector<Op> ops;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const Operation& h = history[i];
        SIM_ASSERT(h.key == result.key, "check_register takes the operations of one key");
        if (h.outcome == Outcome::fail) continue;
        if (h.kind == OpKind::read && h.outcome != Outcome::ok) continue;
        Op op;
        op.call = h.invoked.time_since_epoch().count();
        op.unknown = h.outcome == Outcome::unknown;
        op.ret = op.unknown ? infinity : h.completed.time_since_epoch().count();
        op.kind = h.kind;
        op.source = i;
        op.swapped = h.swapped;
        if (h.kind == OpKind::read)
            op.read = h.read.empty() ? absent : h.read.size() == 1 ? intern(h.read.front()) : many;
        else
            op.value = intern(h.value);
        if (h.kind == OpKind::cas) op.expected = h.expected ? intern(*h.expected) : absent;
        ops.push_back(op);
    }
    result.ops = ops.size();

    Budget budget{options.steps_max, options.cache_entries_max, options.cache_bytes_max};
    Problem full;
    full.ops = ops;
    const Found found = solve(full, budget, &result.cache_entries);
    result.steps = options.steps_max - budget.steps_left;
    if (found == Found::yes) return result;
    if (found == Found::out_of_steps || found == Found::out_of_memory) {
        result.verdict = Linearizable::unknown;
        result.why_unknown = found == Found::out_of_steps
                                 ? "step budget exhausted (steps_max " + std::to_string(options.steps_max) + ")"
                                 : "cache full (cache_entries_max " + std::to_string(options.cache_entries_max) + ", cache_bytes_max " +
                                       std::to_string(options.cache_bytes_max >> 20) + " MiB)";
        return result;
    }
    result.verdict = Linearizable::no;
    if (!options.find_window) return result;

    // 1. The shortest failing prefix, by binary search over the acknowledged completions.
    Budget wbudget{options.window_steps_max, options.cache_entries_max, options.cache_bytes_max};
    auto fails = [&](const Problem& p) { return solve(p, wbudget) == Found::no; };
    std::vector<std::size_t> cuts;  // acknowledged operations, by completion
    for (std::size_t i = 0; i < ops.size(); ++i) {
        if (!ops[i].unknown) cuts.push_back(i);
    }
    std::sort(cuts.begin(), cuts.end(), [&](std::size_t a, std::size_t b) {
        return ops[a].ret != ops[b].ret ? ops[a].ret < ops[b].ret : ops[a].source < ops[b].source;
    });
    Problem best = full;
    std::optional<std::size_t> failed;
    std::size_t lo = 0;
    std::size_t hi = cuts.size();  // cuts[hi - 1] ... the answer is in [lo, hi)
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        Problem p = prefix(ops, cuts[mid]);
        if (fails(p)) {
            best = std::move(p);
            failed = cuts[mid];
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    result.prefix_ops = best.ops.size();
    if (failed) result.failed = history[ops[*failed].source];

    // 2. The latest start that still fails.
    std::vector<std::int64_t> starts;
    for (const Op& op : best.ops) {
        if (!op.unknown) starts.push_back(op.ret);
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    if (failed) {
        // Never start after the failing operation's completion: it must stay in the window.
        while (!starts.empty() && starts.back() > ops[*failed].ret) starts.pop_back();
    }
    const Problem shortest = best;  // windows are always cut from the prefix itself
    lo = 0;
    hi = starts.size();
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        Problem w = window(shortest, starts[mid]);
        if (fails(w)) {
            best = std::move(w);
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }

    // 3. Drop the reads the failure does not need, and the unknown writes (dropping either only
    // relaxes: a read constrains, an unknown write may never have happened). Acknowledged writes
    // stay: without one, a read of its value could fail where the full history does not.
    std::size_t attempts = 0;
    for (std::size_t i = 0; i < best.ops.size() && attempts < options.shrink_attempts_max;) {
        const Op& op = best.ops[i];
        if ((op.kind != OpKind::read && !op.unknown) || (failed && op.source == ops[*failed].source)) {
            ++i;
            continue;
        }
        ++attempts;
        Problem smaller = best;
        smaller.ops.erase(smaller.ops.begin() + static_cast<std::ptrdiff_t>(i));
        if (fails(smaller))
            best = std::move(smaller);
        else
            ++i;
    }

    std::vector<std::size_t> sources;
    for (const Op& op : best.ops) sources.push_back(op.source);
    std::sort(sources.begin(), sources.end());
    for (std::size_t s : sources) result.window.push_back(history[s]);
    std::stable_sort(result.window.begin(), result.window.end(),
                     [](const Operation& a, const Operation& b) { return a.invoked < b.invoked; });
    for (int s : best.starts) {
        result.start_states.push_back(s == absent ? std::nullopt
                                                  : std::optional<std::string>(names[static_cast<std::size_t>(s)]));
    }
    return result;
}

LinearizabilityReport check_linearizability(const History& history, const LinearizabilityOptions& options) {
    LinearizabilityReport report;
    std::map<std::string, std::vector<Operation>, std::less<>> by_key;
    for (const Operation& op : history.ops) by_key[op.key].push_back(op);
    for (const auto& [key, ops] : by_key) {
        KeyLinearizability k = check_register(ops, options);
        if (k.verdict == Linearizable::no)
            report.verdict = Linearizable::no;
        else if (k.verdict == Linearizable::unknown && report.verdict == Linearizable::yes)
            report.verdict = Linearizable::unknown;
        report.keys.push_back(std::move(k));
    }
    return report;
}

const KeyLinearizability* LinearizabilityReport::first_failure() const {
    for (const KeyLinearizability& k : keys) {
        if (k.verdict == Linearizable::no) return &k;
    }
    return nullptr;
}

std::string LinearizabilityReport::describe() const {
    std::size_t unknown = 0;
    std::size_t failing = 0;
    for (const KeyLinearizability& k : keys) {
        unknown += k.verdict == Linearizable::unknown;
        failing += k.verdict == Linearizable::no;
    }
    std::string out = std::string(to_string(verdict)) + ": " + std::to_string(keys.size()) + " keys, " +
                      std::to_string(failing) + " not linearizable, " + std::to_string(unknown) + " unknown";
    for (const KeyLinearizability& k : keys) {
        if (k.verdict == Linearizable::unknown) out += "\n  key " + k.key + ": unknown, " + k.why_unknown;
    }
    if (const KeyLinearizability* k = first_failure()) {
        out += "\n  key " + k->key + ": " + std::to_string(k->ops) + " operations; shortest failing prefix " +
               std::to_string(k->prefix_ops);
        if (k->failed) out += "; no order explains " + check::describe(*k->failed);
        out += "\n  window (" + std::to_string(k->window.size()) + " operations), starting from ";
        for (std::size_t i = 0; i < k->start_states.size(); ++i) {
            out += (i ? " or " : "") + k->start_states[i].value_or("absent");
        }
        out += ":";
        for (const Operation& op : k->window) out += "\n    " + check::describe(op);
    }
    return out;
}

}  // namespace models::check
