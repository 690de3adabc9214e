#include "lint/source_rules.hpp"

#include <cctype>
#include <regex>
#include <set>

namespace lint {

namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::string trim(std::string_view s) {
    const std::size_t a = s.find_first_not_of(" \t");
    if (a == std::string_view::npos) return {};
    return std::string(s.substr(a, s.find_last_not_of(" \t") - a + 1));
}

bool allowed(std::string_view raw_line, std::string_view rule) {
    const std::string tag = "lint: allow " + std::string(rule);
    const std::size_t at = raw_line.find(tag);
    return at != std::string_view::npos && (at + tag.size() == raw_line.size() || !ident_char(raw_line[at + tag.size()]));
}

// ---- rules on one blanked line ---------------------------------------------------------------

struct PatternRule {
    const char* name;
    std::regex pattern;
};

const std::vector<PatternRule>& pattern_rules() {
    static const std::vector<PatternRule> rules{
        {"wall-clock", std::regex(R"(\b(system_clock|steady_clock|high_resolution_clock|gettimeofday|clock_gettime)\b|\btime\s*\(\s*(nullptr|NULL|0)\s*\)|std::time\s*\()")},
        {"std-random", std::regex(R"(\b(random_device|mt19937(_64)?|minstd_rand0?|default_random_engine|ranlux\w*|knuth_b|\w+_distribution)\b|\bs?rand\s*\(|std::(shuffle|sample|random_shuffle)\b)")},
        {"std-hash", std::regex(R"(std::hash\s*<)")},
        {"threads", std::regex(R"(std::(thread|jthread|async)\b|\bpthread_create\b)")},
        {"libm", std::regex(R"((\bstd|(^|[^\w:]))::(log|log1p|log2|log10|exp|exp2|expm1|pow|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|erf|erfc|lgamma|tgamma|cbrt|hypot)\s*\()")},
    };
    return rules;
}

// `f(a, b)`: for each call's parentheses closed on the same line, its top-level arguments (a
// condition's, `if (...)`, as one).
std::vector<std::vector<std::string_view>> call_arguments(std::string_view line) {
    static const std::set<std::string, std::less<>> keywords{"if", "for", "while", "switch", "return", "catch", "sizeof", "decltype", "alignof"};
    std::vector<std::vector<std::string_view>> calls;
    for (std::size_t open = 0; open < line.size(); ++open) {
        if (line[open] != '(') continue;
        std::size_t k = open;
        while (k > 0 && line[k - 1] == ' ') --k;
        std::size_t word = k;
        while (word > 0 && ident_char(line[word - 1])) --word;
        const bool named = word < k || (k > 0 && (line[k - 1] == '>' || line[k - 1] == ')' || line[k - 1] == ']'));
        if (!named) continue;
        // A condition's parentheses hold one expression, whatever commas it has.
        const bool condition = keywords.count(line.substr(word, k - word)) != 0;
        std::vector<std::string_view> args;
        int depth = 0;
        std::size_t from = open + 1;
        std::size_t i = open + 1;
        for (; i < line.size(); ++i) {
            const char c = line[i];
            if (c == '(' || c == '[' || c == '{') ++depth;
            else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) break;
                --depth;
            } else if (c == ',' && depth == 0 && !condition) {
                args.push_back(line.substr(from, i - from));
                from = i + 1;
            }
        }
        if (i == line.size()) continue;  // closed on a later line: not judged
        args.push_back(line.substr(from, i - from));
        calls.push_back(std::move(args));
    }
    return calls;
}

// `a + b`, `a - b`, `a == b`: the operands at the top level of an expression. Their order of
// evaluation is unspecified too. (`<` and `>` are left alone: they are as often template
// brackets; `&&`, `||`, `,` and `<<` are sequenced.)
std::vector<std::string_view> operands(std::string_view expr) {
    std::vector<std::string_view> out;
    int depth = 0;
    std::size_t from = 0;
    for (std::size_t i = 0; i < expr.size(); ++i) {
        const char c = expr[i];
        const char next = i + 1 < expr.size() ? expr[i + 1] : '\0';
        if (c == '(' || c == '[' || c == '{') ++depth;
        else if (c == ')' || c == ']' || c == '}') --depth;
        if (depth != 0) continue;
        std::size_t width = 0;
        if ((c == '=' || c == '!') && next == '=') width = 2;
        else if ((c == '+' || c == '-') && next != c && next != '>' && next != '=' && (i == 0 || expr[i - 1] != c)) width = 1;
        else if ((c == '*' || c == '/' || c == '%') && next != '=') width = 1;
        if (width == 0) continue;
        out.push_back(expr.substr(from, i - from));
        from = i + width;
        i += width - 1;
    }
    out.push_back(expr.substr(from));
    return out;
}

// One part of an expression reads the clock while another may suspend, and which runs first is
// up to the compiler (g++ and clang++ differ), so the time read differs too: the arguments of one
// call, or the operands of one operator.
bool now_beside_suspend(std::string_view line) {
    static const std::regex reads_now(R"(\bnow\s*\(\s*\))");
    static const std::regex suspends(R"(\b\w+\s*\(\s*ctx\s*[,)]|\bctx\s*\.\s*(sleep_for|sleep_until|compute|yield|park)\s*\()");
    auto mixed = [&](const std::vector<std::string_view>& parts) {
        for (std::size_t a = 0; a < parts.size(); ++a) {
            if (!std::regex_search(std::string(parts[a]), reads_now)) continue;
            for (std::size_t b = 0; b < parts.size(); ++b) {
                if (b != a && std::regex_search(std::string(parts[b]), suspends)) return true;
            }
        }
        return false;
    };
    if (mixed(operands(line))) return true;
    for (const auto& args : call_arguments(line)) {
        if (mixed(args)) return true;
        for (std::string_view arg : args) {
            if (mixed(operands(arg))) return true;
        }
    }
    return false;
}

std::string include_path(std::string_view raw_line) {
    static const std::regex include(R"re(^\s*#\s*include\s*"([^"]+)")re");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(raw_line.begin(), raw_line.end(), m, include)) return {};
    return m[1].str();
}

// What a layer may include with quotes: its own headers and those of the layers below it.
bool include_allowed(const std::string& path, Layer layer) {
    if (path.find('/') == std::string::npos) return true;  // a header next to this file
    const std::string top = path.substr(0, path.find('/'));
    switch (layer) {
        case Layer::sim: return top == "sim";
        case Layer::models: return top == "sim" || top == "models";
        case Layer::scenarios: return top == "sim" || top == "models" || top == "faultline" || top == "builtin" || top == "yaml";
    }
    return false;
}

// Containers whose iteration order is not the program's: unordered ones (the standard library's
// hash order) and ordered ones keyed by pointer (allocation order).
struct UnstableOrder {
    const char* rule;
    std::regex type;  // matches up to the template's '<'
};

const std::vector<UnstableOrder>& unstable_orders() {
    static const std::vector<UnstableOrder> kinds{
        {"unordered", std::regex(R"(\bunordered_(map|set|multimap|multiset)\s*<)")},
        {"address-order", std::regex(R"(\b(map|set|multimap|multiset)\s*<(?=\s*(const\s+)?[\w:]+\s*\*))")},
    };
    return kinds;
}

// Names declared in the file with such a type, and the declarations that do not say they are
// never iterated.
struct UnstableScan {
    std::set<std::string> names;
    std::vector<int> unmarked_lines;
};

UnstableScan scan_unstable(const UnstableOrder& kind, const std::vector<std::string_view>& blank, const std::vector<std::string_view>& raw) {
    UnstableScan out;
    for (std::size_t n = 0; n < blank.size(); ++n) {
        const std::string line(blank[n]);
        for (auto it = std::sregex_iterator(line.begin(), line.end(), kind.type); it != std::sregex_iterator(); ++it) {
            if (raw[n].find("never iterated") == std::string_view::npos && !allowed(raw[n], kind.rule)) {
                out.unmarked_lines.push_back(static_cast<int>(n) + 1);
            }
            std::size_t i = static_cast<std::size_t>(it->position() + it->length());
            for (int depth = 1; i < line.size() && depth > 0; ++i) {
                if (line[i] == '<') ++depth;
                else if (line[i] == '>') --depth;
            }
            while (i < line.size() && (line[i] == ' ' || line[i] == '&' || line[i] == '*')) ++i;
            std::size_t end = i;
            while (end < line.size() && ident_char(line[end])) ++end;
            if (end > i && line.compare(i, end - i, "const") != 0) out.names.insert(line.substr(i, end - i));
        }
    }
    return out;
}

// A range-for over one of `names`, or its begin(): one pattern for them all, built once a file.
std::regex iteration_of(const std::set<std::string>& names) {
    std::string any;
    for (const std::string& name : names) any += (any.empty() ? "" : "|") + name;
    any = "(" + any + ")";
    return std::regex("for\\s*\\([^;]*:\\s*(this\\s*->\\s*)?" + any + "\\s*\\)|\\b" + any +
                      "\\s*\\.\\s*c?r?begin\\s*\\(|std::c?r?begin\\s*\\(\\s*" + any + "\\s*\\)");
}

}  // namespace

std::string blank_comments_and_strings(std::string_view text) {
    std::string out(text);
    std::size_t i = 0;
    auto blank = [&](std::size_t from, std::size_t to) {
        for (std::size_t k = from; k < to && k < out.size(); ++k) {
            if (out[k] != '\n') out[k] = ' ';
        }
    };
    while (i < text.size()) {
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (c == '/' && next == '/') {
            const std::size_t end = std::min(text.find('\n', i), text.size());
            blank(i, end);
            i = end;
        } else if (c == '/' && next == '*') {
            const std::size_t close = text.find("*/", i + 2);
            const std::size_t end = close == std::string_view::npos ? text.size() : close + 2;
            blank(i, end);
            i = end;
        } else if (c == 'R' && next == '"' && (i == 0 || !ident_char(text[i - 1]) || text[i - 1] == '8' || text[i - 1] == 'u' || text[i - 1] == 'U' || text[i - 1] == 'L')) {
            const std::size_t paren = text.find('(', i + 2);
            if (paren == std::string_view::npos) break;
            const std::string terminator = ")" + std::string(text.substr(i + 2, paren - i - 2)) + "\"";
            const std::size_t close = text.find(terminator, paren);
            const std::size_t end = close == std::string_view::npos ? text.size() : close + terminator.size();
            blank(i + 1, end);
            i = end;
        } else if (c == '"' || (c == '\'' && (i == 0 || !ident_char(text[i - 1])))) {
            // A quote after a letter or digit is a digit separator (1'000'000), not a literal.
            std::size_t k = i + 1;
            while (k < text.size() && text[k] != c && text[k] != '\n') k += text[k] == '\\' ? 2 : 1;
            const std::size_t end = std::min(k + 1, text.size());
            blank(i + 1, end - 1);
            i = end;
        } else {
            ++i;
        }
    }
    return out;
}

std::vector<Finding> check(std::string_view path, std::string_view text, Layer layer) {
    const std::string blanked = blank_comments_and_strings(text);
    const std::vector<std::string_view> raw = split_lines(text);
    const std::vector<std::string_view> blank = split_lines(blanked);
    std::vector<Finding> out;
    auto add = [&](std::size_t n, const char* rule) {
        if (!allowed(raw[n], rule)) out.push_back({static_cast<int>(n) + 1, rule, trim(raw[n])});
    };
    const bool writes_libm = path == "sim/src/detmath.cpp";
    std::vector<std::pair<const char*, std::regex>> unstable;  // rule, how iterating its names looks
    for (const UnstableOrder& kind : unstable_orders()) {
        UnstableScan scan = scan_unstable(kind, blank, raw);
        for (int line : scan.unmarked_lines) {
            out.push_back({line, kind.rule, trim(raw[static_cast<std::size_t>(line) - 1]) + "  (say '// never iterated', or key it by something stable)"});
        }
        if (!scan.names.empty()) unstable.emplace_back(kind.rule, iteration_of(scan.names));
    }
    for (std::size_t n = 0; n < blank.size(); ++n) {
        const std::string line(blank[n]);
        for (const PatternRule& r : pattern_rules()) {
            if (writes_libm && std::string_view(r.name) == "libm") continue;
            if (std::regex_search(line, r.pattern)) add(n, r.name);
        }
        if (const std::string inc = include_path(raw[n]); !inc.empty() && !include_allowed(inc, layer)) add(n, "layers");
        for (const auto& [rule, iterating] : unstable) {
            if (std::regex_search(line, iterating)) add(n, rule);
        }
        if (now_beside_suspend(blank[n])) add(n, "now-beside-suspend");
    }
    return out;
}

}  // namespace lint
