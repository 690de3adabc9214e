// See aliases.hpp.
#include "aliases.hpp"

#include <charconv>
#include <compare>
#include <map>
#include <optional>
#include <utility>

#include "faultline/yaml_reader.hpp"

namespace faultline {

namespace {

// yaml-cpp tells nodes apart with is() and offers no hash; a node's place in the text and its
// type put it in a small bucket first (a copy from a fresh parse has its original's place).
struct Place {
    int line = 0;
    int column = 0;
    int type = 0;
    auto operator<=>(const Place&) const = default;
};
Place place_of(const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    return {m.line, m.column, static_cast<int>(n.Type())};
}

// A number for each node, by identity.
class NodeTable {
public:
    int& operator[](const YAML::Node& n) {
        auto& bucket = buckets_[place_of(n)];
        for (auto& [node, value] : bucket) {
            if (node.is(n)) return value;
        }
        return bucket.emplace_back(n, 0).second;
    }

private:
    std::map<Place, std::vector<std::pair<YAML::Node, int>>> buckets_;
};

// The number of places each node is reached from, from the root. A shared node's inside is
// walked once, so an alias bomb costs what its text does.
class References {
public:
    explicit References(const YAML::Node& root) { walk(root); }
    int count(const YAML::Node& n) { return counts_[n]; }

private:
    void walk(const YAML::Node& n) {
        if (++counts_[n] > 1) return;
        if (n.IsMap()) {
            for (auto it = n.begin(); it != n.end(); ++it) walk(it->second);
        } else if (n.IsSequence()) {
            for (std::size_t i = 0; i < n.size(); ++i) walk(n[i]);
        }
    }
    NodeTable counts_;
};

// Puts `replacement` in the place of `chain[depth]` (the child `parts[depth - 1]` of
// `chain[depth - 1]`), changing that place only. A mapping's entry is taken out and put back (its
// key keeps its place in the text); a list item cannot be, so the list is made again around it,
// and put in the place of the old one the same way.
void replace_at(std::vector<YAML::Node>& chain, const std::vector<std::string>& parts, std::size_t depth, const YAML::Node& replacement) {
    YAML::Node parent = chain[depth - 1];
    const std::string& part = parts[depth - 1];
    if (parent.IsMap()) {
        YAML::Node key;
        for (auto it = parent.begin(); it != parent.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == part) key = it->first;
        }
        parent.remove(part);
        parent.force_insert(key, replacement);
    } else {
        const std::size_t index = *list_index(part);
        YAML::Node list(YAML::NodeType::Sequence);
        for (std::size_t i = 0; i < parent.size(); ++i) list.push_back(i == index ? replacement : parent[i]);
        replace_at(chain, parts, depth - 1, list);
    }
    chain[depth].reset(replacement);
}

void resolve(YAML::Node n, const std::string& path, NodeTable& done, const YamlReader& reader) {
    if (!n.IsMap() && !n.IsSequence()) return;
    if (done[n]++ > 0) return;
    if (n.IsSequence()) {
        for (std::size_t i = 0; i < n.size(); ++i) resolve(n[i], path + "[" + std::to_string(i) + "]", done, reader);
        return;
    }
    const YAML::Node merge = child_of(n, "<<");
    const std::string at = path.empty() ? "<<" : path + ".<<";
    if (merge.IsDefined()) {
        std::vector<YAML::Node> sources;
        if (merge.IsSequence()) {
            for (std::size_t i = 0; i < merge.size(); ++i) sources.push_back(merge[i]);
        } else {
            sources.push_back(merge);
        }
        for (const YAML::Node& s : sources) {
            if (!s.IsMap()) reader.fail(merge, at, "a merge key takes a mapping (<<: *defaults) or a list of them (<<: [*a, *b])");
        }
        n.remove("<<");
        for (YAML::Node& s : sources) {
            resolve(s, at, done, reader);
            for (auto it = s.begin(); it != s.end(); ++it) {
                // Keys the mapping writes itself win, then the first source's.
                if (it->first.IsScalar() && !child_of(n, it->first.Scalar()).IsDefined()) n.force_insert(it->first, it->second);
            }
        }
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
        resolve(it->second, path.empty() ? it->first.as<std::string>("") : path + "." + it->first.as<std::string>(""), done, reader);
    }
}

}  // namespace

std::optional<std::size_t> list_index(const std::string& part) {
    std::size_t index = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (ec != std::errc{} || ptr != part.data() + part.size()) return std::nullopt;
    return index;
}

YAML::Node child_of(const YAML::Node& n, const std::string& part) {
    if (n.IsSequence()) {
        const auto index = list_index(part);
        return index && *index < n.size() ? n[*index] : YAML::Node(YAML::NodeType::Undefined);
    }
    if (!n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    for (auto it = n.begin(); it != n.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == part) return it->second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

void resolve_merge_keys(YAML::Node& root, const std::string& file) {
    NodeTable done;
    resolve(root, "", done, YamlReader(file));
}

void unshare_path(YAML::Node& root, const std::vector<std::string>& parts, const std::function<YAML::Node()>& fresh) {
    std::vector<YAML::Node> chain{root};
    std::optional<References> references;  // counted again after each replacement
    for (std::size_t depth = 1; depth <= parts.size(); ++depth) {
        const YAML::Node child = child_of(chain.back(), parts[depth - 1]);
        if (!child.IsDefined()) return;
        chain.push_back(child);
        if (!references) references.emplace(root);
        if (references->count(child) < 2) continue;
        references.reset();
        // The same place in a fresh parse: the text's own node, with its lines, unshared here.
        YAML::Node copy = fresh();
        for (std::size_t i = 0; i < depth && copy.IsDefined(); ++i) copy.reset(child_of(copy, parts[i]));
        replace_at(chain, parts, depth, copy.IsDefined() ? copy : YAML::Clone(child));
    }
}

std::function<YAML::Node()> prepare_for_settings(YAML::Node& root, const std::string& text, const std::string& file) {
    const bool merges = text.find("<<") != std::string::npos;
    if (merges) resolve_merge_keys(root, file);
    if (!merges && text.find('*') == std::string::npos) return {};
    return [text, file, merges] {
        YAML::Node again = YAML::Load(text);
        if (merges) resolve_merge_keys(again, file);
        return again;
    };
}

}  // namespace faultline
