// SIM_ASSERT's report, the coverage-mark registry.
#include "sim/check.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sim/simulator.hpp"

namespace sim {

namespace {
// Every SIM_COVER site in the program, by id. Sites register once (a function-local static), so
// ids depend on which site was reached first in this process; ids only index hit counters and
// never influence a run.
struct CoverRegistry {
    std::mutex mutex;
    std::vector<const char*> names;
};
CoverRegistry& registry() {
    static CoverRegistry r;
    return r;
}
}  // namespace

namespace detail {

CoverSite::CoverSite(const char* site_name) : name(site_name) {
    CoverRegistry& r = registry();
    std::lock_guard lock(r.mutex);
    id = static_cast<std::uint32_t>(r.names.size());
    r.names.push_back(site_name);
}

void cover_hit(const CoverSite& site) noexcept {
    if (Simulator* s = current_simulator()) s->count_cover(site.id);
}

[[noreturn]] void assert_failed(const char* expr, std::string_view message, const char* file, int line) {
    std::string text = std::string("assertion failed: ") + expr;
    if (!message.empty()) text += ": " + std::string(message);
    const std::string where = std::string(file) + ":" + std::to_string(line);
    Simulator* s = current_simulator();
    if (s == nullptr) {
        std::fprintf(stderr, "faultline: %s (%s)\n", text.c_str(), where.c_str());
        std::fflush(stderr);
        std::abort();
    }
    const std::string host = s->current() ? std::string(s->current()->host().name()) : "-";
    std::fprintf(stderr, "faultline: %s\n  at %s\n  seed=%llu time=%s host=%s\n", text.c_str(), where.c_str(),
                 static_cast<unsigned long long>(s->seed()), format_time(s->now()).c_str(), host.c_str());
    if (!s->options().repro.empty()) std::fprintf(stderr, "  reproduce: %s\n", s->options().repro.c_str());
    std::fflush(stderr);
    s->fail({"assertion", expr, std::string(message), where, host == "-" ? "" : host, s->now()});
    throw AssertionFailure{};
}

}  // namespace detail

void Simulator::cover(std::string_view name) {
    auto it = dynamic_cover_.find(name);
    if (it == dynamic_cover_.end()) it = dynamic_cover_.emplace(std::string(name), 0).first;
    ++it->second;
}

std::vector<std::pair<std::string, std::uint64_t>> Simulator::coverage() const {
    std::map<std::string, std::uint64_t> by_name(dynamic_cover_.begin(), dynamic_cover_.end());
    {
        CoverRegistry& r = registry();
        std::lock_guard lock(r.mutex);
        for (std::size_t id = 0; id < cover_hits_.size() && id < r.names.size(); ++id) {
            if (cover_hits_[id] != 0) by_name[r.names[id]] += cover_hits_[id];
        }
    }
    return {by_name.begin(), by_name.end()};
}

std::uint64_t Simulator::coverage_count(std::string_view name) const {
    CoverRegistry& r = registry();
    std::lock_guard lock(r.mutex);
    std::uint64_t total = 0;
    if (auto it = dynamic_cover_.find(name); it != dynamic_cover_.end()) total += it->second;
    for (std::size_t id = 0; id < cover_hits_.size() && id < r.names.size(); ++id) {
        if (name == r.names[id]) total += cover_hits_[id];
    }
    return total;
}

}  // namespace sim
