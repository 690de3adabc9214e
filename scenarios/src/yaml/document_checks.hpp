// Two mistakes yaml-cpp accepts without a word, found in the parsed document before anything
// reads it, each reported as one SpecError at the place to fix:
// - a key written twice in one mapping: a lookup finds the first, so the second - often a section
//   written again further down the file - would be silently ignored;
// - a quote that is never closed: yaml-cpp lets the value run on to the end of the file,
//   swallowing every line after it into one string.
// Left out: keys that are not plain values (`? [a, b]: 1`), which no scenario has.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace faultline {

// Throws SpecError for the first of those mistakes in document order. `text` is what `root` was
// parsed from; `file` names it in the error.
void check_document(const YAML::Node& root, std::string_view text, const std::string& file);

}  // namespace faultline
