#include "sim/distribution.hpp"

#include <cctype>
#include <vector>

#include "sim/detmath.hpp"
#include "sim/values.hpp"

namespace sim {

Duration Delay::sample(Rng& rng) const {
    switch (kind_) {
        case Kind::fixed: return a_;
        case Kind::uniform: return rng.uniform_duration(a_, b_);
        case Kind::normal: return delay_from_ns(rng.normal(static_cast<double>(a_.count()), static_cast<double>(b_.count())));
        case Kind::lognormal: return delay_from_ns(static_cast<double>(a_.count()) * det_exp(rng.normal(0.0, shape_)));
        case Kind::exponential: return rng.exponential(a_);
        case Kind::pareto: return delay_from_ns(rng.pareto(static_cast<double>(a_.count()), shape_));
    }
    return a_;
}

Duration Delay::mean() const {
    switch (kind_) {
        case Kind::fixed:
        case Kind::normal:
        case Kind::exponential: return a_;
        case Kind::uniform: return (a_ + b_) / 2;
        case Kind::lognormal: return delay_from_ns(static_cast<double>(a_.count()) * det_exp(shape_ * shape_ / 2));
        case Kind::pareto:
            if (shape_ <= 1) return Duration::max();
            return delay_from_ns(static_cast<double>(a_.count()) * shape_ / (shape_ - 1));
    }
    return a_;
}

std::string Delay::to_string() const { return format_value(*this); }

std::string format_value(const Delay& d) {
    switch (d.kind()) {
        case Delay::Kind::fixed: return "fixed(" + format_value(d.first()) + ")";
        case Delay::Kind::uniform: return "uniform(" + format_value(d.first()) + ", " + format_value(d.second()) + ")";
        case Delay::Kind::normal: return "normal(" + format_value(d.first()) + ", " + format_value(d.second()) + ")";
        case Delay::Kind::lognormal: return "lognormal(" + format_value(d.first()) + ", " + format_value(d.shape()) + ")";
        case Delay::Kind::exponential: return "exponential(" + format_value(d.first()) + ")";
        case Delay::Kind::pareto: return "pareto(" + format_value(d.first()) + ", " + format_value(d.shape()) + ")";
    }
    return "?";
}

ParseError parse_value(std::string_view text, Delay& out) {
    std::string_view s = trim(text);
    const std::size_t open = s.find('(');
    if (open == std::string_view::npos) {  // a bare duration is a fixed delay
        Duration d{};
        if (auto e = parse_value(s, d)) return "expected a duration or a distribution like lognormal(5ms, 0.5): " + *e;
        out = Delay::fixed(d);
        return std::nullopt;
    }
    if (s.back() != ')') return "missing ')'";
    const std::string_view name = trim(s.substr(0, open));
    std::vector<std::string_view> args;
    std::string_view inner = s.substr(open + 1, s.size() - open - 2);
    while (true) {
        const std::size_t comma = inner.find(',');
        args.push_back(trim(inner.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        inner = inner.substr(comma + 1);
    }
    auto want = [&](std::size_t n) -> ParseError {
        if (args.size() != n) return std::string(name) + " takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s");
        return std::nullopt;
    };
    Duration a{}, b{};
    double shape = 0;
    if (name == "fixed" || name == "exponential") {
        if (auto e = want(1)) return e;
        if (auto e = parse_value(args[0], a)) return e;
        out = name == "fixed" ? Delay::fixed(a) : Delay::exponential(a);
    } else if (name == "uniform" || name == "normal") {
        if (auto e = want(2)) return e;
        if (auto e = parse_value(args[0], a)) return e;
        if (auto e = parse_value(args[1], b)) return e;
        if (name == "uniform" && b < a) return "uniform(lo, hi) needs lo <= hi";
        out = name == "uniform" ? Delay::uniform(a, b) : Delay::normal(a, b);
    } else if (name == "lognormal" || name == "pareto") {
        if (auto e = want(2)) return e;
        if (auto e = parse_value(args[0], a)) return e;
        if (auto e = parse_value(args[1], shape)) return e;
        if (!(shape > 0)) return std::string(name) + "'s second argument must be positive";
        if (name == "pareto" && a.count() <= 0) return "pareto's scale must be positive";
        out = name == "lognormal" ? Delay::lognormal(a, shape) : Delay::pareto(a, shape);
    } else {
        return "unknown distribution '" + std::string(name) + "'" +
               did_you_mean_or(name, {"fixed", "uniform", "normal", "lognormal", "exponential", "pareto"},
                               " (fixed, uniform, normal, lognormal, exponential, pareto)");
    }
    return std::nullopt;
}


}  // namespace sim
