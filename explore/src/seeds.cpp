// Seed ranges and shards: parsing "A..B", "i/n", and counting the seeds a shard takes.
#include <algorithm>
#include <charconv>

#include "explore/fuzz.hpp"

namespace faultline::explore {

namespace {
std::optional<std::uint64_t> parse_u64(std::string_view s) {
    std::uint64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}
}  // namespace

std::string SeedRange::text() const { return std::to_string(first) + ".." + (last ? std::to_string(*last) : ""); }

SeedRange parse_seed_range(std::string_view text) {
    const std::string bad =
        "--seeds: '" + std::string(text) + "' is not a seed range like 1..1000 (or 1.. with --time)";
    SeedRange r;
    const std::size_t dots = text.find("..");
    if (dots == std::string_view::npos) {
        auto one = parse_u64(text);
        if (!one) throw InputError(bad);
        r.first = *one;
        r.last = *one;
        return r;
    }
    auto first = parse_u64(text.substr(0, dots));
    if (!first) throw InputError(bad);
    r.first = *first;
    std::string_view rest = text.substr(dots + 2);
    if (!rest.empty()) {
        auto last = parse_u64(rest);
        if (!last) throw InputError(bad);
        if (*last < *first) throw InputError("--seeds: '" + std::string(text) + "' ends before it starts");
        r.last = *last;
    }
    return r;
}

SeedRanges parse_seed_ranges(std::string_view text) {
    SeedRanges out;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = text.find(' ', i);
        if (j == std::string_view::npos) j = text.size();
        if (j > i) {
            const SeedRange r = parse_seed_range(text.substr(i, j - i));
            if (r.last)
                spans.emplace_back(r.first, *r.last);
            else
                out.open = true;
        }
        i = j + 1;
    }
    std::sort(spans.begin(), spans.end());
    for (const auto& s : spans) {
        if (!out.spans.empty() && (out.spans.back().second == UINT64_MAX || s.first <= out.spans.back().second + 1))
            out.spans.back().second = std::max(out.spans.back().second, s.second);
        else
            out.spans.push_back(s);
    }
    return out;
}

bool SeedRanges::contains(std::uint64_t seed) const {
    for (const auto& [first, last] : spans) {
        if (seed >= first && seed <= last) return true;
    }
    return false;
}

std::optional<std::uint64_t> SeedRanges::count(const Shard& shard) const {
    if (open) return std::nullopt;
    // Seeds in [0, x] that are the shard's: x >= i ? (x - i) / n + 1 : 0.
    // Saturating: the whole range 0..2^64-1 holds 2^64 seeds, one more than a count can say; it
    // says 2^64-1 then (no job runs them all), never 0.
    auto upto = [&shard](std::uint64_t x) -> std::uint64_t {
        if (x < shard.index) return 0;
        const std::uint64_t q = (x - shard.index) / shard.count;
        return q == UINT64_MAX ? UINT64_MAX : q + 1;
    };
    std::uint64_t n = 0;
    for (const auto& [first, last] : spans) {
        const std::uint64_t d = upto(last) - (first == 0 ? 0 : upto(first - 1));
        n = UINT64_MAX - n < d ? UINT64_MAX : n + d;
    }
    return n;
}

Shard parse_shard(std::string_view text, const char* completion_index) {
    const std::string bad = "--shard: '" + std::string(text) + "' is not i/n (e.g. 0/4) or auto/n";
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) throw InputError(bad);
    auto count = parse_u64(text.substr(slash + 1));
    if (!count || *count == 0) throw InputError(bad);
    Shard s;
    s.count = *count;
    std::string_view index = text.substr(0, slash);
    if (index == "auto") {
        if (completion_index == nullptr) {
            throw InputError("--shard auto/" + std::to_string(*count) +
                             ": JOB_COMPLETION_INDEX is not set (Kubernetes sets it in indexed Jobs; elsewhere give "
                             "the index: --shard i/n)");
        }
        auto i = parse_u64(completion_index);
        if (!i) throw InputError("JOB_COMPLETION_INDEX='" + std::string(completion_index) + "' is not a shard index");
        s.index = *i;
    } else {
        auto i = parse_u64(index);
        if (!i) throw InputError(bad);
        s.index = *i;
    }
    if (s.index >= s.count) {
        // Read from the environment: name it, since the command line does not show the index.
        const std::string from = index == "auto" ? " (from JOB_COMPLETION_INDEX)" : "";
        throw InputError("--shard: index " + std::to_string(s.index) + from + " is not below the shard count " +
                         std::to_string(s.count));
    }
    return s;
}

}  // namespace faultline::explore
