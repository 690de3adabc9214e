// Disk faults for the standard vocabulary: stalls, a full disk, corruption, I/O errors.
#include <memory>

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
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration> duration) -> UniqueFunction<void()> {
                       const Time until = duration ? saturating_add(sim.now(), *duration) : time_never;
                       for (Host* h : sim.select(spec.targets[0])) disk(*h).stall_until(until);
                       auto hosts = std::make_shared<std::vector<Host*>>(sim.select(spec.targets[0]));
                       return [hosts, &sim] {
                           for (Host* h : *hosts) disk(*h).stall_until(sim.now());
                       };
                   }});
    faults.define({"disk_full",
                   "Fill the hosts' disks: writes fail with disk_full until the end of the window.",
                   1,
                   {},
                   true,
                   nullptr,
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       auto before = std::make_shared<std::vector<std::pair<Disk*, std::uint64_t>>>();
                       for (Host* h : sim.select(spec.targets[0])) {
                           Disk& d = disk(*h);
                           before->emplace_back(&d, d.capacity());
                           d.fill();
                       }
                       return [before] {
                           for (auto [d, capacity] : *before) d->set_capacity(capacity);
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
                   [](Simulator& sim, const FaultSpec& spec, std::optional<Duration>) -> UniqueFunction<void()> {
                       FaultParams p(spec);
                       const Ratio r = p.get<Ratio>("ratio", Ratio{1, 10});
                       auto disks = std::make_shared<std::vector<Disk*>>();
                       for (Host* h : sim.select(spec.targets[0])) {
                           disks->push_back(&disk(*h));
                           disks->back()->set_fail_ratio(r);
                       }
                       return [disks] {
                           for (Disk* d : *disks) d->set_fail_ratio(Ratio{0, 1});
                       };
                   }});
}

}  // namespace sim
