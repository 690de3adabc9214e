// Two mistakes yaml-cpp accepts without a word, found in the parsed document before anything
// reads it, each reported as one SpecError at the place to fix:
// - a key written twice in one mapping: a lookup finds the first, so the second - often a section
//   written again further down the file - would be silently ignored;
// - a quote that is never closed: yaml-cpp lets the value run on to the end of the file,
//   swallowing every line after it into one string.
// Left out: keys that are not plain values (`? [a, b]: 1`), which no scenario has.
//
// Also: text that is not UTF-8. A byte yaml-cpp passes through would reach the JSON of results
// and artifacts, which must be UTF-8; it is refused at its line instead.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// Throws SpecError for the first of those mistakes in document order. `text` is what `root` was
// parsed from; `file` names it in the error.
void check_document(const YAML::Node& root, std::string_view text, const std::string& file);

// The offset of the first byte of `text` that does not belong to a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF included); nothing when it is UTF-8.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);
// Where `text` has its first control character (not a tab or a line break): not text, which YAML
// refuses in obscure words. With `in_comments` false, one inside a comment (after a '#' that
// starts one, outside quotes) is passed over, as YAML does, except a NUL.
std::optional<std::size_t> control_character_at(std::string_view text, bool in_comments = true);

}  // namespace faultline
