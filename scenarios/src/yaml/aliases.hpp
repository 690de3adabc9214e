// YAML's ways of writing a value once and using it in several places, made safe for settings.
//
// yaml-cpp reads an alias (*q) as the very node its anchor (&q) names, so a document with
// aliases is a graph, not a tree: a setting written through one place (services.api.queue) would
// change every place the anchor is used. And yaml-cpp does not do merge keys (<<: *defaults),
// which YAML 1.1 files use to share the settings of several entries.
//
//   - resolve_merge_keys: every mapping with a '<<' key gets the keys of the mapping (or list of
//     mappings, the first one winning) it names that it does not write itself; '<<' is removed.
//     The merged values are the anchor's own nodes, shared (as an alias's are).
//   - unshare_path: before a setting is applied along a path, every node on that path that is
//     reached from more than one place is replaced, at this place only, by a copy of it from a
//     fresh parse of the same text: a copy with the same lines and columns for errors. The
//     other places keep the original.
//
// Left out: merge keys in the keys of a flow mapping written as "{<<: *a}" are the same as in
// block style; a merge key whose value is not a mapping (or list of them) is an error.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace faultline {

// A setting's path segment as a list index ("0"), if it is one.
std::optional<std::size_t> list_index(const std::string& part);
// The child `part` of `n` (a key of a mapping, an index of a list), without creating it: an
// undefined node if there is none.
YAML::Node child_of(const YAML::Node& n, const std::string& part);

// Throws SpecError (at the '<<' value) for a merge of something that is not a mapping.
void resolve_merge_keys(YAML::Node& root, const std::string& file);

// `parts`: the setting's path, split ("services", "api", "calls", "0", "timeout"). `fresh` parses
// the document's text again (with its merge keys resolved). Replaces shared nodes on the path,
// down to and including the last one that exists.
void unshare_path(YAML::Node& root, const std::vector<std::string>& parts, const std::function<YAML::Node()>& fresh);

}  // namespace faultline
