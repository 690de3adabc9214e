// Disk faults for the standard vocabulary: stalls, a full disk, corruption, I/O errors.
#include <memory>

#include "fault_layers.hpp"
#include "sim/disk.hpp"
#include "sim/faults.hpp"

namespace sim {

void define_disk_faults(Faults& faults) {
    faults.define({"disk_stall",
                   "Stall the hosts' disks for the window: every operation waits until it ends.",
                   1,
                   {},
                   true,
                   nullptr,
                   [table = detail::make_layer_table<Time>()](Simulator& sim, const FaultSpec& spec,
                                                              std::optional<Duration> duration) -> UniqueFunction<void()> {
                       // Overlapping stalls: the disk is stalled until the latest open one ends.
                       const Time until = duration ? saturating_add(sim.now(), *duration) : time_never;
                       const std::uint64_t id = ++table->next_id;
                       auto hosts = std::make_shared<std::vector<Host*>>(sim.select(spec.targets[0]));
                       auto apply = [table, &sim](Host* h) {
                           Time latest = sim.now();
                           for (const auto& [open_id, end] : table->by_target[h->id()].open_layers()) latest = std::max(latest, end);
                           disk(*h).stall_until(latest);
                       };
                       for (Host* h : *hosts) table->by_target[h->id()].open(id, until, sim.now(), [&](Time) { apply(h); });
                       return [table, hosts, id, apply] {
                           for (Host* h : *hosts) table->by_target[h->id()].close(id, [&](Time) { apply(h); });
                       };
                   }});
    faults.define({"disk_full",
                   "Fill the hosts' disks: writes fail with disk_full until the end of the window.",
                   1,
                   {},
                   true,
                   nullptr,
                   [table = detail::make_layer_table<std::uint64_t>()](Simulator& sim, const FaultSpec& spec,
                                                                       std::optional<Duration>) -> UniqueFunction<void()> {
                       const std::uint64_t id = ++table->next_id;
                       auto hosts = std::make_shared<std::vector<Host*>>(sim.select(spec.targets[0]));
                       auto set = [](Host* h) { return [h](std::uint64_t c) { disk(*h).set_capacity(c); }; };
                       for (Host* h : *hosts) {
                           Disk& d = disk(*h);
                           table->by_target[h->id()].open(id, d.used_bytes(), d.capacity(), set(h));
                       }
                       return [table, hosts, id, set] {
                           for (Host* h : *hosts) table->by_target[h->id()].close(id, set(h));
                       };
                   }});
    faults.define({"disk_corrupt",
                   "Corrupt one stored block on each of the hosts' disks (in `file`, or in any file): later reads "
                   "of it return wrong bytes. Not healed.",
                   1,
                   {fault_param<std::string>("file", "the file to corrupt (default: any)")},
                   false,
                   nullptr,
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       Rng rng = sim.rng("fault/disk_corrupt/" + std::to_string(sim.now().time_since_epoch().count()));
                       std::string file;
                       if (auto it = spec.params.find("file"); it != spec.params.end()) file = it->second;
                       for (Host* h : sim.select(spec.targets[0])) disk(*h).corrupt(rng, file);
                       return nullptr;
                   }});
    faults.define({"disk_errors",
                   "Fail a share of the hosts' disk operations with io_error for the window.",
                   1,
                   {fault_param<Ratio>("ratio", "share of operations that fail (default 10%)")},
                   true,
                   nullptr,
                   [table = detail::make_layer_table<Ratio>()](Simulator& sim, const FaultSpec& spec,
                                                               std::optional<Duration>) -> UniqueFunction<void()> {
                       FaultParams p(spec);
                       const Ratio r = p.get<Ratio>("ratio", Ratio{1, 10});
                       const std::uint64_t id = ++table->next_id;
                       auto hosts = std::make_shared<std::vector<Host*>>(sim.select(spec.targets[0]));
                       auto set = [](Host* h) { return [h](Ratio x) { disk(*h).set_fail_ratio(x); }; };
                       for (Host* h : *hosts) table->by_target[h->id()].open(id, r, Ratio{0, 1}, set(h));
                       return [table, hosts, id, set] {
                           for (Host* h : *hosts) table->by_target[h->id()].close(id, set(h));
                       };
                   }});
}

}  // namespace sim
