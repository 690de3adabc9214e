// Replicated stores, their history-recording clients, and the replication checkers as
// invariants (judged over the recorded history and the replicas' final state).
#include <algorithm>
#include <cstdio>

#include "models/check/convergence.hpp"
#include "models/check/linearizability.hpp"
#include "models/check/lost_writes.hpp"
#include "models/check/stale_reads.hpp"
#include "models/replication/client.hpp"
#include "world.hpp"

namespace faultline {

namespace {

// `text` with `addition` at the end of its first line: a checker's report is a headline and then
// examples, and what qualifies the whole report (the bound it broke, a history cut short) belongs
// on the headline, not after the last example.
std::string onto_headline(std::string text, const std::string& addition) {
    text.insert(std::min(text.find('\n'), text.size()), addition);
    return text;
}

// The stale-read failure: "480 of 975 reads stale (rate 49.23%, more than 10%)", as a percentage
// like the bound the file most likely wrote, with the digits it takes to tell the two apart, then
// the report's first examples and "..." when there are more.
std::string stale_reads_failure(const models::check::StaleReadReport& report, sim::Ratio max) {
    auto percent = [](double share, int digits) {
        char text[48];
        std::snprintf(text, sizeof text, "%.*g%%", digits, 100 * share);
        return std::string(text);
    };
    const double bound = static_cast<double>(max.num) / static_cast<double>(max.den);
    int digits = 4;
    while (digits < 12 && percent(report.rate(), digits) == percent(bound, digits)) ++digits;
    std::string out = report.describe();
    const std::size_t rate = out.find(" (rate ");
    const std::size_t end = out.find(')', rate);
    if (rate < out.find('\n') && end != std::string::npos) {
        out.replace(rate, end + 1 - rate,
                    " (rate " + percent(report.rate(), digits) + ", more than " + percent(bound, digits) + ")");
    }
    if (report.stale > report.examples.size()) out += "\n  ...";
    return out;
}

}  // namespace

void World::build_stores() {
    for (const auto& [name, st] : spec_.stores) {
        const std::string path = "stores." + name;
        models::replication::StoreOptions o;
        o.name = name;
        o.design = st.design;
        o.replicas.clear();
        // Errors are raised at the store; the loader moves each to the field its path names.
        for (const std::string& pattern : st.replicas) {
            for (std::string& r : host_names(pattern, st.where, path + ".replicas")) o.replicas.push_back(std::move(r));
        }
        if (o.replicas.size() < 2) fail(st.where, path + ".replicas", "a replicated store needs at least two replicas");
        for (std::size_t i = 0; i < o.replicas.size(); ++i) {
            for (std::size_t k = 0; k < i; ++k) {
                if (o.replicas[k] == o.replicas[i])
                    fail(st.where, path + ".replicas",
                         "'" + o.replicas[i] + "' is named twice: each replica is a host of its own");
            }
        }
        o.request_timeout = st.request_timeout;
        o.peer_timeout = st.peer_timeout;
        o.fsync_interval = st.fsync_interval;
        o.anti_entropy_interval = st.anti_entropy_interval;
        o.primary_backup = st.primary_backup;
        o.quorum = st.quorum;
        o.regional = st.regional;
        if (!o.primary_backup.controller.empty()) {
            // The same check as every host list, and one host: the controller is not replicated.
            const std::string field = path + ".primary_backup.controller";
            const std::vector<std::string> names = host_names(o.primary_backup.controller, st.where, field);
            if (names.size() != 1)
                fail(st.where, field,
                     "'" + o.primary_backup.controller + "' is " + std::to_string(names.size()) +
                         " hosts: the controller is one host (it is not replicated)");
        }
        if (o.quorum.r < 1 || o.quorum.w < 1 || o.quorum.r > o.replicas.size() || o.quorum.w > o.replicas.size()) {
            fail(st.where, path + ".quorum",
                 "r and w must be between 1 and the number of replicas (" + std::to_string(o.replicas.size()) + ")");
        }
        if (hosts_.count(name) != 0) name_taken(name, st.where, path);
        models::replication::Store& store = models::replication::make_store(*sim_, *net_, o);
        stores_[name] = &store;
        auto& history = sim_->make<models::check::HistoryRecorder>();
        histories_[name] = &history;
        std::vector<sim::Host*>& replica_hosts = hosts_[name];
        for (const std::string& r : o.replicas) {
            sim::Host& h = sim_->host(r);
            h.join(name);
            replica_hosts.push_back(&h);
        }
        if (st.clients.hosts.empty()) continue;
        models::replication::WorkloadOptions w;
        w.keys = st.clients.keys;
        w.read_ratio = st.clients.read_ratio;
        w.think = st.clients.think;
        if (st.clients.stop > spec_.duration)
            fail(st.where, path + ".clients.stop", "after the end of the run (" + format_value(spec_.duration) + ")");
        w.stop = sim::Time(st.clients.stop.count() > 0 ? st.clients.stop : spec_.duration);
        w.home = st.clients.home;
        if (!w.home.empty() && std::find(o.replicas.begin(), o.replicas.end(), w.home) == o.replicas.end()) {
            std::string msg = "'" + w.home + "' is not one of the store's replicas";
            msg += did_you_mean_or(w.home, o.replicas, " (" + std::to_string(o.replicas.size()) + " replicas, from " + o.replicas.front() + ")");
            fail(st.where, path + ".clients.home", msg);
        }
        std::vector<sim::Host*> clients;
        for (const std::string& pattern : st.clients.hosts) {
            for (const std::string& n : host_names(pattern, st.where, path + ".clients.hosts")) {
                sim::Host* h = sim_->find_host(n);
                if (h == nullptr) h = &sim_->add_host(n);
                h->join(name + "-clients");
                clients.push_back(h);
            }
        }
        for (sim::Host* h : clients) {
            h->on_boot([&store, &history, w](sim::Host& host) { models::replication::run_workload(host, store, history, w); });
        }
    }
}

void World::build_checker(const InvariantSpec& inv, const std::string& invariant_path) {
    const CheckerSpec& c = inv.converges ? *inv.converges : inv.no_lost_writes ? *inv.no_lost_writes
                                                         : inv.linearizable    ? *inv.linearizable
                                                                               : *inv.stale_reads;
    const std::string path = invariant_path + (inv.converges ? ".converges" : inv.no_lost_writes ? ".no_lost_writes"
                                                                           : inv.linearizable    ? ".linearizable"
                                                                                                 : ".stale_reads");
    if (stores_.count(c.store) == 0) {
        std::vector<std::string> names;
        for (const auto& [n, s] : stores_) names.push_back(n);
        std::string msg = "no store '" + c.store + "'";
        msg += did_you_mean_or(c.store, names, "");
        fail(inv.where, path + ".store", msg);
    }
    const sim::Duration at = c.at ? *c.at : spec_.duration;
    if (at > spec_.duration) fail(inv.where, path + ".at", "after the end of the run");
    if (spec_.stores.at(c.store).clients.hosts.empty()) {
        fail(inv.where, path + ".store",
             "store '" + c.store + "' has no clients (stores." + c.store +
                 ".clients.hosts): with no history, the check would pass having checked nothing");
    }
    models::replication::Store* store = stores_[c.store];
    models::check::HistoryRecorder* history = histories_[c.store];
    const std::string name = inv.name;
    auto judge = [this, name, history](std::string failure, double value, std::string note,
                                       const char* kind = "invariant") {
        if (auto full = history->full_at()) {
            // Not the store's fault, and not hidden: the check covers the history up to then.
            const std::string cut = "the history filled up at " + sim::format_time(*full) + " (" +
                                    std::to_string(history->ops_max()) +
                                    " operations, its cap) and the clients stopped: checked up to then";
            note += note.empty() ? cut : "; " + cut;
            if (!failure.empty()) failure = onto_headline(std::move(failure), " (" + cut + ")");
        }
        late_measurements_->push_back({name + ".value", value, std::move(note)});
        judged_.push_back(name);
        if (!failure.empty()) sim_->fail({kind, name, std::move(failure), "", "", sim_->now()});
    };
    if (inv.converges) {
        sim_->at(sim::Time(at), [store, judge] {
            const auto report = models::check::check_convergence(store->final_state(), store->apply_log());
            judge(report.converged() ? "" : report.describe(5), static_cast<double>(report.divergences.size()), "divergent keys");
        });
    } else if (inv.no_lost_writes) {
        sim_->at(sim::Time(at), [store, history, judge] {
            const auto report = models::check::check_lost_writes(history->history(), store->final_state());
            judge(report.ok() ? "" : report.describe(5), static_cast<double>(report.lost.size()), "acknowledged writes lost");
        });
    } else if (inv.linearizable) {
        models::check::LinearizabilityOptions options;
        if (c.steps_max) options.steps_max = *c.steps_max;
        sim_->at(sim::Time(at), [history, judge, options] {
            using models::check::Linearizable;
            const auto report = models::check::check_linearizability(history->history(), options);
            const char* note = "1: linearizable; 0: not; -1: undecided within the search budget";
            if (report.verdict == Linearizable::unknown) {
                // Not a pass: nothing was shown. Its own kind, so that a fuzzing job does not count
                // it as the violation it may or may not be.
                judge("the search gave up before deciding (a long history, many clients on a key or much concurrency make it "
                      "harder: shorten the run, or raise steps_max if the step budget ran out): " + report.describe(),
                      -1.0, note, "undecided");
            } else {
                judge(report.verdict == Linearizable::no ? report.describe() : "", report.verdict == Linearizable::no ? 0.0 : 1.0, note);
            }
        });
    } else {
        const sim::Ratio max = *inv.stale_reads->max;
        sim_->at(sim::Time(at), [history, judge, max] {
            // As many examples as the other checkers show.
            const auto report = models::check::check_stale_reads(history->history(), {.examples_max = 5});
            const bool too_many = report.stale * max.den > max.num * report.reads;
            judge(too_many ? stale_reads_failure(report, max) : "", report.rate(), "stale read rate");
        });
    }
}

}  // namespace faultline
