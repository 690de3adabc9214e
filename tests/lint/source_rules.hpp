// Source rules the compiler cannot check: what would make a run depend on something other than its
// seed (wall clock, the standard library's random numbers, libm, threads, unordered iteration,
// unspecified argument order around a suspension), and the layers (sim/ knows no models, models/
// see only sim/'s public headers). The lint test runs them over sim/, models/ and scenarios/.
//
// They read text, not a syntax tree: comments and string literals are blanked first, calls are
// matched within one line, and a name's unordered type is known only from a declaration in the
// same file. A line may opt out of one rule with a comment `lint: allow RULE (why)`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lint {

enum class Layer { sim, models, scenarios };

struct Finding {
    int line = 0;       // 1-based
    std::string rule;   // "wall-clock", "std-random", "std-hash", "threads", "libm", "unordered", "address-order", "layers",
                        // "now-beside-suspend"
    std::string text;   // the line, trimmed
};

// Every finding in one file's text. `path` is relative to the repository (e.g. "sim/src/x.cpp"):
// sim/src/detmath.cpp is where libm's functions are written out, so "libm" does not apply there.
std::vector<Finding> check(std::string_view path, std::string_view text, Layer layer);

// The text with comments and string and character literals replaced by spaces (newlines kept,
// so line numbers and columns stay).
std::string blank_comments_and_strings(std::string_view text);

}  // namespace lint
