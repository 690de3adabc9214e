#include "report/series.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace faultline::report {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void add_unique(std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

bool has(const RunRecord& r, const std::string& name) { return r.find_series(name) != nullptr; }

}  // namespace

Topology topology(const std::vector<const RunRecord*>& runs) {
    Topology t;
    for (const RunRecord* r : runs) {
        for (const models::Series& s : r->series) {
            const std::string& n = s.name;
            auto stem = [&n](std::string_view suffix) { return n.substr(0, n.size() - suffix.size()); };
            if (n.starts_with("calls.")) {
                if (ends_with(n, ".attempts") && has(*r, stem(".attempts") + ".requests"))
                    add_unique(t.edges, stem(".attempts"));
                continue;
            }
            if (ends_with(n, ".offered") && has(*r, stem(".offered") + ".ok"))
                add_unique(t.workloads, stem(".offered"));
            else if (ends_with(n, ".cache.hit_ratio"))
                add_unique(t.caches, stem(".cache.hit_ratio"));
            else if (ends_with(n, ".queue") && n.find('.') == n.size() - 6)
                add_unique(t.services, stem(".queue"));
            else if (ends_with(n, ".connections") && has(*r, stem(".connections") + ".queries"))
                add_unique(t.databases, stem(".connections"));
        }
    }
    return t;
}

std::vector<double> values(const RunRecord& r, const std::string& name) {
    if (const models::Series* s = r.find_series(name)) return s->values;
    return std::vector<double>(r.times.size(), nan);
}

std::vector<double> sum_with_prefix(const RunRecord& r, const std::string& prefix) {
    std::vector<double> out(r.times.size(), nan);
    for (const models::Series& s : r.series) {
        if (!s.name.starts_with(prefix)) continue;
        for (std::size_t i = 0; i < out.size() && i < s.values.size(); ++i) {
            if (std::isnan(s.values[i])) continue;
            out[i] = (std::isnan(out[i]) ? 0 : out[i]) + s.values[i];
        }
    }
    return out;
}

std::vector<double> counter_from_zero(const RunRecord& r, std::vector<double> v, const std::string& witness) {
    if (!has(r, witness)) return v;
    for (std::size_t i = 0; i < v.size() && i < r.times.size(); ++i) {
        if (std::isfinite(v[i])) break;
        v[i] = 0;
    }
    return v;
}

std::vector<double> ratio(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> out(std::min(a.size(), b.size()), nan);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (std::isfinite(a[i]) && std::isfinite(b[i]) && b[i] != 0) out[i] = a[i] / b[i];
    }
    return out;
}

std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> out(std::min(a.size(), b.size()), nan);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (std::isfinite(a[i]) && std::isfinite(b[i])) out[i] = a[i] - b[i];
    }
    return out;
}

std::vector<double> retries_per_second(const RunRecord& r, const std::string& edge) {
    if (r.find_series(edge + ".retries") != nullptr) return values(r, edge + ".retries");
    std::vector<double> d = difference(values(r, edge + ".attempts"), values(r, edge + ".requests"));
    for (double& v : d) v = std::isnan(v) ? v : std::max(0.0, v);
    return d;
}

std::vector<std::string> names_with_prefix(const std::vector<const RunRecord*>& runs, const std::string& prefix) {
    std::vector<std::string> out;
    for (const RunRecord* r : runs) {
        for (const models::Series& s : r->series) {
            if (s.name.starts_with(prefix)) add_unique(out, s.name);
        }
    }
    return out;
}

double peak(const std::vector<double>& v) {
    double m = nan;
    for (double x : v) {
        if (std::isfinite(x) && (std::isnan(m) || x > m)) m = x;
    }
    return m;
}

double lowest(const std::vector<double>& v) {
    double m = nan;
    for (double x : v) {
        if (std::isfinite(x) && (std::isnan(m) || x < m)) m = x;
    }
    return m;
}

double sample_interval(const RunRecord& r) {
    const std::vector<double>& t = r.times;
    if (t.size() > 1) return t[1] - t[0];
    return !t.empty() && t[0] > 0 ? t[0] : 1;
}

double total(const RunRecord& r, const std::vector<double>& per_second) {
    double sum = 0, prev = 0;
    for (std::size_t i = 0; i < per_second.size() && i < r.times.size(); ++i) {
        if (std::isfinite(per_second[i])) sum += per_second[i] * (r.times[i] - prev);
        prev = r.times[i];
    }
    return sum;
}

}  // namespace faultline::report
