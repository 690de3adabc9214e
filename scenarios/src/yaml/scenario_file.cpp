#include "faultline/scenario_file.hpp"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <vector>

#include "document_checks.hpp"
#include "faultline/input_file.hpp"
#include "faultline/model_kind.hpp"
#include "faultline/spec_options.hpp"
#include "sim/random.hpp"
#include "sim/stack_advice.hpp"
#include "sim/trace.hpp"
#include "spec_check.hpp"
#include "unclosed_bracket.hpp"
#include "world.hpp"

#ifndef FAULTLINE_SCENARIO_DIR
#define FAULTLINE_SCENARIO_DIR "scenarios"
#endif

namespace faultline {

namespace {

// The sections of a scenario file that hold entries by name (services, stores, ...): those whose
// type is a mapping from a name to a described entry. Read from ScenarioSpec, so a new one is
// covered without a list to keep.
struct NamedSections {
    std::vector<std::string> names;
    template <class T>
    void operator()(std::string_view name, T&, std::string_view) {
        if constexpr (requires {
                          typename T::key_type;
                          typename T::mapped_type;
                      }) {
            if constexpr (std::is_same_v<typename T::key_type, std::string> && Described<typename T::mapped_type>)
                names.emplace_back(name);
        }
    }
};

const std::vector<std::string>& named_sections() {
    static const std::vector<std::string> names = [] {
        ScenarioSpec spec;
        NamedSections collect;
        fields(collect, spec);
        return std::move(collect.names);
    }();
    return names;
}

class SpecScenario final : public Scenario {
public:
    SpecScenario(ScenarioSpec spec, std::string file) : spec_(std::move(spec)), file_(std::move(file)) {}

    void configure(sim::Options& o) const override {
        o.duration = spec_.duration;
        o.time_max = spec_.limits.time_max.value_or(spec_.duration);
        o.events_max = spec_.limits.events_max;
        o.stack_size = static_cast<std::size_t>(spec_.limits.stack_kib) * 1024;
        sim::set_stack_overflow_advice("limits.stack_kib in the scenario");  // what an overflow's line says to raise
    }
    void build(sim::Simulator& sim) override {
        try {
            world_ = std::make_unique<World>(sim, spec_, file_);
        } catch (const SpecError& e) {
            sim.fail({"spec", "scenario file", e.what(), e.where.text(), "", sim.now()});
            return;
        }
        schedule_faults(world_->faults(), world_->usual_plan());
    }
    std::vector<Measurement> measurements() const override { return world_ ? world_->measurements() : std::vector<Measurement>{}; }
    std::vector<std::string> judged_invariants() const override {
        return world_ ? world_->judged() : std::vector<std::string>{};
    }
    const sim::Faults* faults() const override { return world_ ? &world_->faults() : nullptr; }
    const models::Metrics* metrics() const override { return world_ ? &world_->metrics() : nullptr; }
    std::vector<FieldInfo> effective_options() const override {
        return {{"file", file_, "a path", "the scenario file"}, {"name", spec_.name, "a string", "the scenario"}};
    }

private:
    ScenarioSpec spec_;
    std::string file_;
    std::unique_ptr<World> world_;
};

// Whether the mistake `e` is at, above or below what the setting `path` set. The reader's
// paths say "calls[0]"; a setting may say that or "calls.0": both compare in the second form.
bool caused_by(const SpecError& e, const std::string& path) {
    const std::string at = dotted_path(e.path);
    const std::string p = dotted_path(path);
    // A top-level key a setting made ("unknown key 'ervices'"): its first segment. The reader
    // places it at the root mapping's line 1, a line that does not hold it.
    if (at.empty()) return e.message.starts_with("unknown key '" + p.substr(0, p.find('.')) + "'");
    return p == at || p.starts_with(at + ".") || at.starts_with(p + ".");
}

// Builds a spec once in a throwaway simulator, so that its cross-references are checked before
// anything runs. The world must outlive the simulator: the hosts' state (destroyed with the
// simulator) refers into it.
void dry_build(const ScenarioSpec& spec, const std::string& path) {
    std::unique_ptr<World> world;
    try {
        sim::Simulator dry(sim::Options{.seed = 1});
        sim::CurrentScope scope(dry);
        world = std::make_unique<World>(dry, spec, path);
    } catch (const sim::detail::AssertionFailure&) {
        // A model refused its options (the assertion is printed above): a check the loader lacks.
        throw std::runtime_error("a model's assertion failed while building '" + path + "', before the run");
    }
}

std::string read_file(const std::string& path) {
    if (auto why = not_a_file_to_read(path)) throw SpecError(Where{path, 0, 0}, "", *why + ", not a scenario file");
    std::optional<std::string> text = read_whole_file(path);
    if (!text) throw SpecError(Where{path, 0, 0}, "", "cannot read the file");
    return std::move(*text);
}

}  // namespace

std::string file_content_hash(const std::string& path) {
    return sim::hash_hex(sim::mix64(sim::hash_name(read_file(path))));
}

std::string choose_scenario_library_dir(const LibraryPlaces& places) {
    std::error_code ec;
    if (!places.environment.empty()) return places.environment;
    if (!places.beside_program.empty() && std::filesystem::is_directory(places.beside_program, ec))
        return places.beside_program;
    if (std::filesystem::is_directory(places.source, ec) || places.installed.empty()) return places.source;
    // A program built against the installed package, not in its bin/, whose source tree is gone:
    // the copy the package installed.
    if (std::filesystem::is_directory(places.installed, ec)) return places.installed;
    return places.source;
}

std::string scenario_library_dir() {
    LibraryPlaces places;
    if (const char* env = std::getenv("FAULTLINE_SCENARIOS"); env != nullptr && *env != '\0') places.environment = env;
#ifdef FAULTLINE_INSTALLED_SCENARIOS_FROM_BIN
    // An installed program reads the library installed with it (bin/../share/faultline/scenarios),
    // wherever it was installed: the source tree it was built from may be gone, or have moved on.
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec)
        places.beside_program =
            (self.parent_path() / FAULTLINE_INSTALLED_SCENARIOS_FROM_BIN).lexically_normal().string();
#endif
    places.source = FAULTLINE_SCENARIO_DIR;
#ifdef FAULTLINE_INSTALLED_SCENARIOS
    places.installed = FAULTLINE_INSTALLED_SCENARIOS;
#endif
    return choose_scenario_library_dir(places);
}

std::optional<std::string> library_scenario_path(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
    const std::filesystem::path p = std::filesystem::path(scenario_library_dir()) / (name + ".yaml");
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p.string();
    return std::nullopt;
}

std::vector<std::string> library_scenarios() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(scenario_library_dir(), ec)) {
        if (entry.path().extension() == ".yaml") out.push_back(entry.path().stem().string());
    }
    std::sort(out.begin(), out.end());  // directory order is the filesystem's: sort it
    return out;
}

std::vector<VariantSetting> variant_settings(const YAML::Node& root, const std::string& variant, const std::string& file) {
    const YAML::Node variants = root["variants"];
    std::vector<std::string> names;
    if (variants && variants.IsMap()) {
        for (auto it = variants.begin(); it != variants.end(); ++it) names.push_back(it->first.as<std::string>());
    }
    if (!variants || !variants.IsMap() || !variants[variant]) {
        std::string msg = "no variant '" + variant + "'";
        if (auto near = nearest(variant, names)) msg += " (did you mean '" + *near + "'?)";
        else if (!names.empty()) {
            msg += " (variants: ";
            for (std::size_t i = 0; i < names.size(); ++i) msg += (i == 0 ? "" : ", ") + names[i];
            msg += ")";
        }
        throw SpecError(Where{file, 0, 0}, "", msg);
    }
    std::vector<VariantSetting> out;
    const YamlReader reader(file);
    const YAML::Node set = variants[variant]["set"];
    if (set && set.IsMap()) {
        for (auto it = set.begin(); it != set.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            if (!it->second.IsScalar()) reader.fail(it->second, "variants." + variant + ".set." + key, "expected a value");
            out.push_back({key, it->second.Scalar(), reader.where(it->first)});
        }
    }
    return out;
}

namespace {
// The text of line `line` (1-based), or nothing past the end.
std::optional<std::string_view> line_text(std::string_view text, int line) {
    std::size_t pos = 0;
    for (int l = 1; l < line; ++l) {
        pos = text.find('\n', pos);
        if (pos == std::string_view::npos) return std::nullopt;
        ++pos;
    }
    return text.substr(pos, text.find('\n', pos) - pos);
}

// The column (1-based) of a tab in the indentation of line `line` (1-based), if there is one.
std::optional<int> tab_in_indentation(std::string_view text, int line) {
    const auto l = line_text(text, line);
    for (std::size_t i = 0; l && i < l->size() && ((*l)[i] == ' ' || (*l)[i] == '\t'); ++i) {
        if ((*l)[i] == '\t') return static_cast<int>(i) + 1;
    }
    return std::nullopt;
}

// The column (1-based) of an unquoted host range on `line` written inside a flow collection
// ([api-{1..2}]), where YAML reads its '{' as the start of a mapping: the error yaml-cpp then
// gives names a bracket, not the range. A range is what expand_hosts expands.
std::optional<int> unquoted_range_in_flow(std::string_view text, int line) {
    const auto l = line_text(text, line);
    if (!l) return std::nullopt;
    const std::size_t flow = l->find_first_of("[{");
    if (flow == std::string_view::npos) return std::nullopt;
    constexpr std::string_view delimiters = " ,[{:\"'";
    for (std::size_t at = l->find('{', flow + 1); at != std::string_view::npos; at = l->find('{', at + 1)) {
        std::size_t start = at;
        while (start > 0 && delimiters.find((*l)[start - 1]) == std::string_view::npos) --start;
        const std::size_t close = l->find('}', at);
        const bool quoted = start > 0 && ((*l)[start - 1] == '"' || (*l)[start - 1] == '\'');
        if (start == at || quoted || close == std::string_view::npos) continue;  // a '{' of its own opens a mapping
        const std::string word(l->substr(start, close + 1 - start));
        if (expand_hosts(word) != std::vector<std::string>{word}) return static_cast<int>(start) + 1;
    }
    return std::nullopt;
}

// yaml-cpp's words for the commonest slips, said the way a user would fix them (its own words
// kept at the end, for searching).
std::string explain_yaml_error(const std::string& msg) {
    if (msg == YAML::ErrorMsg::END_OF_MAP) {
        return "this key is indented differently from the keys before it: keys of one mapping line up (" + msg + ")";
    }
    if (msg == YAML::ErrorMsg::END_OF_SEQ) {
        return "this line is indented differently from the list items before it: '- ' items line up (" + msg + ")";
    }
    if (msg == YAML::ErrorMsg::END_OF_SEQ_FLOW) return "a '[' above is not closed with ']' (" + msg + ")";
    if (msg == YAML::ErrorMsg::END_OF_MAP_FLOW) return "a '{' above is not closed with '}' (" + msg + ")";
    if (msg == YAML::ErrorMsg::MAP_VALUE) {
        return "a ': ' that cannot start a value here: a key indented under a line that has a value, a tab in the "
               "indentation, or ': ' inside a value (quote it) (" + msg + ")";
    }
    if (msg == YAML::ErrorMsg::BLOCK_ENTRY) {
        return "a '- ' list item where no list can start: under a line that has a value, or after a tab (" + msg + ")";
    }
    if (msg == YAML::ErrorMsg::UNKNOWN_TOKEN)
        return "'@', '`' and '%' cannot start a key or a value in YAML: quote it (" + msg + ")";
    if (msg == YAML::ErrorMsg::FLOW_END) return "a '}' or ']' that closes nothing, or not the bracket opened last (" + msg + ")";
    return msg;
}

// Where the file writes the value at an error's path ("invariants[0].slo.to"), if it does: keys
// split at dots, list items in brackets. Nothing for a value a setting made (it has no place in the
// file) or a path that does not lead to one (a name with a dot in it).
std::optional<YAML::Mark> mark_at_path(const YAML::Node& root, std::string_view path) {
    YAML::Node node = root;  // a handle: reassigning it moves along the document, changing nothing
    auto step = [&node](std::string_view key) -> bool {
        if (!node.IsMap()) return false;
        const YAML::Node& here = node;
        const YAML::Node next = here[std::string(key)];
        if (!next.IsDefined()) return false;
        node.reset(next);
        return true;
    };
    while (!path.empty()) {
        const std::size_t end = path.find_first_of(".[");
        const std::string_view key = path.substr(0, end);
        if (!key.empty() && !step(key)) return std::nullopt;
        path = end == std::string_view::npos ? std::string_view() : path.substr(end);
        while (path.starts_with("[")) {
            const std::size_t close = path.find(']');
            std::size_t index = 0;
            const std::string_view digits = path.substr(1, close == std::string_view::npos ? 0 : close - 1);
            if (close == std::string_view::npos ||
                std::from_chars(digits.data(), digits.data() + digits.size(), index).ptr !=
                    digits.data() + digits.size() ||
                !node.IsSequence() || index >= node.size())
                return std::nullopt;
            const YAML::Node& here = node;
            node.reset(here[index]);
            path.remove_prefix(close + 1);
        }
        if (path.starts_with(".")) path.remove_prefix(1);
    }
    // An empty value has no place of its own: yaml-cpp marks it where the next line starts.
    if (node.IsNull()) return std::nullopt;
    const YAML::Mark m = node.Mark();
    if (m.is_null() || m.line < 0) return std::nullopt;
    return m;
}

// An error placed at the start of the item it is about (an invariant's "- name:" line, a store's
// first key), when the file writes the field it names further down: moved to the field, which is
// where the user has to look. Never moved up or to the left, or away from a setting's own place.
std::optional<SpecError> at_its_field(const YAML::Node& root, const SpecError& e) {
    if (e.where.file.empty() || e.path.empty() || e.where.line <= 0) return std::nullopt;
    const std::optional<YAML::Mark> m = mark_at_path(root, e.path);
    const int line = m ? m->line + 1 : 0, column = m ? m->column + 1 : 0;
    if (!m || line < e.where.line || (line == e.where.line && column <= e.where.column)) return std::nullopt;
    return SpecError(Where{e.where.file, line, column}, e.path, e.message);
}

// Reads (and, with `build`, dry-builds) a spec: a mistake that a setting made is reported at the
// setting, whether the reader or the built world finds it.
ScenarioSpec read_with(const std::string& path, const std::string& variant, const std::vector<Override>& overrides, bool build) {
    if (invalid_utf8_at(path)) throw SpecError(Where{path, 0, 0}, "", "the file's name is not UTF-8 text: rename the file");
    const std::string text = read_file(path);
    // A control character (a NUL, an escape) is not text either; yaml-cpp would call it an
    // unknown escape, at a line past it.
    const std::optional<std::size_t> control = control_character_at(text, false);
    std::optional<std::size_t> bad_byte = invalid_utf8_at(text);
    if (control && (!bad_byte || *control < *bad_byte)) bad_byte = control;
    if (auto at = bad_byte) {
        const std::size_t line_start = text.rfind('\n', *at == 0 ? 0 : *at - 1);
        const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*at), '\n'));
        const int column = 1 + static_cast<int>(*at - (line_start == std::string::npos || *at == 0 ? 0 : line_start + 1));
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*at]));
        const bool is_control = control && *at == *control;
        throw SpecError(Where{path, line, column}, "",
                        is_control
                            ? std::string("a control character (byte ") + byte +
                                  "), which is not text: a scenario file holds text; delete it, or write it as "
                                  "\\u escape in double quotes if you mean it"
                            : std::string("not UTF-8 text (byte ") + byte +
                                  "): a scenario file is UTF-8; save it so, or write the character as \\u escape "
                                  "in double quotes");
    }
    YAML::Node root;
    try {
        std::vector<YAML::Node> documents = YAML::LoadAll(text);
        // A second document (after '---') is not read: whatever it says would be ignored. An
        // empty one (a trailing '---') says nothing.
        if (std::any_of(documents.begin() + std::min<std::ptrdiff_t>(1, std::ssize(documents)), documents.end(),
                        [](const YAML::Node& d) { return d && !d.IsNull(); })) {
            // Its '---': the first one, unless that one opens the first document (nothing but
            // comments and directives before it).
            int line = 1, at_line = 1;
            bool before_content = true;
            for (std::size_t i = 0; i < text.size(); ++line) {
                const std::size_t end = std::min(text.find('\n', i), text.size());
                const std::string_view l(text.data() + i, end - i);
                i = end + 1;
                if (l.starts_with("---") && (l.size() == 3 || l[3] == ' ' || l[3] == '\r')) {
                    if (!before_content) {
                        at_line = line;
                        break;
                    }
                    before_content = false;  // the first document's explicit start
                } else if (!l.empty() && !l.starts_with("#") && !l.starts_with("%")) {
                    before_content = false;
                }
            }
            throw SpecError(Where{path, at_line, 1}, "", "a second YAML document starts here: a scenario file holds one, and the rest would be ignored");
        }
        root = documents.empty() ? YAML::Node() : documents.front();
    } catch (const YAML::DeepRecursion& e) {
        throw SpecError(Where{path, e.mark.line + 1, e.mark.column + 1}, "",
                        "lists and mappings nested " + std::to_string(e.depth()) +
                            " deep: more than yaml-cpp reads, and far more than a scenario needs (a few levels)");
    } catch (const YAML::ParserException& e) {
        const int line = e.mark.line + 1;
        // A quote left open swallows the lines after it; yaml-cpp fails where that stops making
        // sense, often far below. The quote is what to fix.
        if (auto q = runaway_quote(text, line)) {
            throw SpecError(Where{path, q->opened.line, q->opened.column}, "",
                            "this quote is not closed on its line: the value runs on to line " + std::to_string(q->runs_to_line) +
                                (q->closed ? ", where the next quote closes it" : "") + ", and yaml-cpp fails at line " +
                                std::to_string(line) + " (" + e.msg + ")");
        }
        if (auto column = unquoted_range_in_flow(text, line)) {
            throw SpecError(Where{path, line, *column}, "",
                            "a host range like api-{1..2} inside [...] or {...} must be quoted, \"api-{1..2}\": unquoted, YAML reads its "
                            "'{' as a mapping (" + e.msg + ")");
        }
        // An unclosed bracket is fixed where it was opened, not where yaml-cpp gave up: the one it
        // names, or one left open on an earlier line and never closed, inside which yaml-cpp met
        // the block lines below ("illegal block entry" at the next "- "). A flow collection that
        // spans lines and closes further down is no culprit.
        std::optional<OpenBracket> open;
        if (e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW || e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW) {
            const char bracket = e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW ? '{' : '[';
            if (auto at = unclosed_flow_opener(text, bracket, line)) open = OpenBracket{bracket, *at};
        } else if (auto b = innermost_open_bracket(text, line); b && b->at.line < line) {
            const auto at_end = unclosed_flow_opener(text, b->bracket, std::numeric_limits<int>::max());
            if (at_end && at_end->line == b->at.line && at_end->column == b->at.column) open = b;
        }
        if (open) {
            throw SpecError(Where{path, open->at.line, open->at.column}, "",
                            std::string("this '") + open->bracket + "' is not closed with '" + (open->bracket == '{' ? '}' : ']') +
                                "' (yaml-cpp looked for it up to line " + std::to_string(line) + ": " + e.msg + ")");
        }
        // A tab looks like spaces in an editor; yaml-cpp's message then speaks of indentation or
        // keys that look right.
        if (auto tab = tab_in_indentation(text, line)) {
            throw SpecError(Where{path, line, *tab}, "", "this line is indented with a tab: YAML indents with spaces only (" + e.msg + ")");
        }
        throw SpecError(Where{path, line, e.mark.column + 1}, "", explain_yaml_error(e.msg));
    }
    if (!root.IsMap()) throw SpecError(Where{path, 1, 1}, "", "a scenario file is a mapping of sections (name, services, faults, ...)");
    check_document(root, text, path);
    const std::function<YAML::Node()> fresh = prepare_for_settings(root, text, path);
    std::vector<VariantSetting> variant_sets;
    if (!variant.empty()) {
        variant_sets = variant_settings(root, variant, path);
        for (const VariantSetting& v : variant_sets) {
            if (auto e = adds_named_entry(root, v.path, v.value, named_sections()))
                throw SpecError(v.where, "variants." + variant + ".set", v.path + ": " + *e);
            if (auto e = apply_yaml_override(root, v.path, v.value, fresh)) throw SpecError(v.where, "variants." + variant + ".set", v.path + ": " + *e);
        }
    }
    std::vector<std::string> typo_hints;  // per override, read before it changes the document
    for (const Override& o : overrides) typo_hints.push_back(new_entry_hint(root, o.path));
    for (const Override& o : overrides) {
        if (invalid_utf8_at(o.path) || invalid_utf8_at(o.value)) throw SpecError(Where{"", 0, 0}, "", "a setting that is not UTF-8 text");
        if (control_character_at(o.path) || control_character_at(o.value))
            throw SpecError(Where{"", 0, 0}, o.path, "a setting with a control character, which is not text");
        // A scenario's name is what records and artifacts know it by, and what runs print: a
        // setting of it was read and then shown nowhere.
        if (dotted_path(o.path) == "name")
            throw SpecError(Where{"", 0, 0}, o.path,
                            "a scenario's name is not a setting (records and artifacts know the scenario by it): copy "
                            "the file to give it another");
        // A variant's own settings are applied before the command line's: changing them would
        // do nothing, silently.
        if (const std::string dotted = dotted_path(o.path);
            dotted.starts_with("variants.") && (dotted.find(".set.") != std::string::npos || dotted.ends_with(".set"))) {
            throw SpecError(Where{"", 0, 0}, o.path,
                            "a setting does not change a variant's settings (they are applied first): choose the variant with "
                            "--variant, and --set the keys it sets directly");
        }
        if (auto e = adds_named_entry(root, o.path, o.value, named_sections()))
            throw SpecError(Where{"", 0, 0}, o.path, *e);
        if (auto e = apply_yaml_override(root, o.path, o.value, fresh)) throw SpecError(Where{"", 0, 0}, o.path, *e);  // "(--set): path: ..."
    }
    // Top-level keys that start with "x-" hold anchors for the sections to use, and are not read.
    std::vector<std::string> extensions;
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar().starts_with("x-")) extensions.push_back(it->first.Scalar());
    }
    for (const std::string& key : extensions) root.remove(key);
    // What a setting on the command line or in the variant made wrong is reported there, not at
    // the file's line it replaced.
    auto overridden = [&](const SpecError& e) -> std::optional<SpecError> {
        auto covers = [&](const std::string& setting) { return caused_by(e, setting); };
        for (std::size_t i = 0; i < overrides.size(); ++i) {
            if (!covers(overrides[i].path)) continue;
            std::string message = e.message;
            // Only where the reader has not suggested already (a fixed key, "unknown key 'queu'").
            if (!typo_hints[i].empty() && message.find("did you mean") == std::string::npos) message += " (" + typo_hints[i] + ")";
            return SpecError(Where{"", 0, 0}, e.path, message);  // reads "(--set): path: ..."
        }
        // The variant's setting the error is about: the one at its path, or the key it names
        // ("unknown key 'dealy'" under the path), before any other setting under the path.
        auto named = [&](const VariantSetting& v) {
            const std::string dotted = dotted_path(v.path);
            const std::size_t dot = dotted.rfind('.');
            const std::string at = dotted_path(e.path);
            return dotted == at || (dot != std::string::npos && dotted.substr(0, dot) == at &&
                                    e.message.find("'" + dotted.substr(dot + 1) + "'") != std::string::npos);
        };
        for (const bool exact : {true, false}) {
            for (const VariantSetting& v : variant_sets) {
                if (exact ? named(v) : covers(v.path))
                    return SpecError(v.where, e.path, e.message + " (set by variant '" + variant + "')");
            }
        }
        return std::nullopt;
    };
    ScenarioSpec spec;
    YamlReader reader(path);
    try {
        reader.read(static_cast<const YAML::Node&>(root), spec, "");
        for (auto& [name, m] : spec.models) {  // validate() has checked that the kind exists
            m.typed = find_model_kind(m.kind)->read(reader, m.options.node, "models." + name + ".options");
        }
        if (build) dry_build(spec, path);
    } catch (const SpecError& e) {
        if (auto moved = overridden(e)) throw *moved;
        if (auto closer = at_its_field(root, e)) throw *closer;
        throw;
    }
    if (spec.name.empty()) spec.name = std::filesystem::path(path).stem().string();
    // Folded and literal blocks (description: >) end in a newline that is not part of the text.
    auto trim_end = [](std::string& text) {
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    };
    trim_end(spec.description);
    trim_end(spec.hypothesis);
    for (auto& [name, v] : spec.variants) trim_end(v.description);
    if (!variant.empty()) {
        // The variant's own expectation replaces the base design's.
        const YAML::Node v = root["variants"][variant];
        VariantSpec vs;
        reader.read(static_cast<const YAML::Node&>(v), vs, "variants." + variant);
        spec.expect = vs.expect;
    }
    return spec;
}

// read_with, and a mistake the settings made somewhere other than their own paths (a duration
// shorter than a fault's start) stays at the file's line it concerns, which is right as it stands,
// and says so when the file without them loads.
ScenarioSpec load(const std::string& path, const std::string& variant, const std::vector<Override>& overrides, bool build) {
    try {
        return read_with(path, variant, overrides, build);
    } catch (const SpecError& e) {
        if (overrides.empty() || e.where.file.empty()) throw;  // none, or placed at a setting already
        try {
            (void)read_with(path, variant, {}, build);
        } catch (const SpecError&) {
            throw e;  // the file's own
        }
        throw SpecError(e.where, e.path, e.message + " (with " + describe_settings(overrides) + "; the file alone loads)");
    }
}
}  // namespace

std::string describe_settings(const std::vector<Override>& settings) {
    std::string out;
    for (const Override& o : settings) out += (out.empty() ? "--set " : ", ") + o.path + "=" + o.value;
    return out;
}

ScenarioSpec load_spec(const std::string& path, const std::string& variant, const std::vector<Override>& overrides) {
    return load(path, variant, overrides, false);
}

std::unique_ptr<Scenario> make_spec_scenario(ScenarioSpec spec, std::string file) {
    return std::make_unique<SpecScenario>(std::move(spec), std::move(file));
}

void check_spec(ScenarioSpec& spec, const std::string& origin) {
    validate_sections(spec, origin);
    dry_build(spec, origin);
}

// The first sentence of a description (they are paragraphs; `faultline list` and run headers
// show one line).
std::string summary_of(const std::string& description) {
    std::string summary = description.substr(0, description.find('\n'));
    if (const std::size_t stop = summary.find(". "); stop != std::string::npos) summary.resize(stop + 1);
    return summary;
}

namespace {

// `--set` for a spec in C++: a kind's options through the kind, everything else through the
// spec's fields(). SpecError "(--set): ..." for a setting that names nothing or does not parse.
void apply_spec_overrides(ScenarioSpec& spec, const std::vector<Override>& overrides) {
    for (const Override& o : overrides) {
        const std::string path = dotted_path(o.path);
        if (path.starts_with("models.")) {
            const std::size_t dot = path.find('.', 7);
            const std::string name = path.substr(7, dot == std::string::npos ? dot : dot - 7);
            const auto m = spec.models.find(name);
            const std::string option = dot == std::string::npos ? "" : path.substr(dot + 1);
            if (m != spec.models.end() && option.starts_with("options.")) {
                const ModelKind* kind = find_model_kind(m->second.kind);
                if (kind == nullptr || !kind->set) throw SpecError(Where{}, path, "model kind '" + m->second.kind + "' takes no settings");
                if (auto e = kind->set(m->second.typed, {{option.substr(8), o.value}})) throw SpecError(Where{}, path, *e);
                continue;
            }
        }
        if (auto e = apply_overrides(spec, {{path, o.value}})) throw SpecError(Where{}, "", *e);
    }
}

std::vector<SwarmDimension> swarm_of(const ScenarioSpec& spec) {
    std::vector<SwarmDimension> dims;
    for (const auto& [path, choices] : spec.swarm) dims.push_back({path, choices});
    if (spec.nemesis) {
        // Each nemesis fault's rate varies too: off, half, as written, double; unless the file's
        // swarm lists that rate's choices itself, which then are the only ones.
        for (std::size_t i = 0; i < spec.nemesis->faults.size(); ++i) {
            const std::string path = "nemesis.faults." + std::to_string(i) + ".rate";
            if (spec.swarm.count(path) != 0) continue;
            const double r = spec.nemesis->faults[i].rate.per_second * 60;
            dims.push_back({path,
                            {"0/min", format_value(r / 2) + "/min", format_value(r) + "/min", format_value(2 * r) + "/min"}});
        }
    }
    return dims;
}

// Every choice of the file's swarm must load as the setting a swarm seed makes of it: a mistake
// there is the file's, reported at its swarm entry before anything runs (it was an error finding
// on every seed that drew it, labelled "(--set)").
void check_swarm_choices(const std::string& path, const std::string& variant, const ScenarioSpec& spec) {
    if (spec.swarm.empty()) return;
    const YamlReader reader(path);
    const YAML::Node swarm = YAML::LoadFile(path)["swarm"];  // it loaded: a mapping of dimensions
    for (const auto& [dim, choices] : spec.swarm) {
        Where where{path, 0, 0};
        for (auto it = swarm.begin(); it != swarm.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == dim) where = reader.where(it->first);
        }
        for (const std::string& choice : choices) {
            try {
                (void)read_with(path, variant, {{dim, choice}}, false);
            } catch (const SpecError& e) {
                const std::string about = e.path.empty() || e.path == dim ? "" : e.path + ": ";
                throw SpecError(where, "swarm." + dim, "the choice '" + choice + "' is not a setting that loads: " + about + e.message);
            }
        }
    }
}

}  // namespace

ScenarioInfo spec_scenario_info(ScenarioSpec spec, std::string origin) {
    ScenarioInfo info;
    info.name = spec.name;
    info.summary = summary_of(spec.description);
    info.make = [spec, origin](const std::vector<Override>& overrides, std::string& error) -> std::unique_ptr<Scenario> {
        ScenarioSpec set = spec;
        try {
            apply_spec_overrides(set, overrides);
            try {
                check_spec(set, origin);
            } catch (const SpecError& e) {
                // What a setting made wrong is reported at the setting, as for a file.
                for (const Override& o : overrides) {
                    if (caused_by(e, o.path)) throw SpecError(Where{}, e.path, e.message);
                }
                throw;
            }
        } catch (const SpecError& e) {
            error = e.what();
            return nullptr;
        }
        return std::make_unique<SpecScenario>(std::move(set), origin);
    };
    info.options = [spec] { return spec_options(spec); };
    info.swarm = [spec] { return swarm_of(spec); };
    return info;
}

LoadedScenario load_scenario_file(const std::string& path, const std::string& variant) {
    LoadedScenario out;
    out.path = path;
    out.variant = variant;
    out.spec = load(path, variant, {}, true);
    // Every design of the file must load and build, not only the one asked for: a broken variant
    // (a value, or a name its world does not have) is a mistake in the file, reported before
    // anything runs.
    for (const auto& [name, v] : out.spec.variants) {
        if (name == variant) continue;
        try {
            (void)load(path, name, {}, true);
        } catch (const SpecError& e) {
            // The file's line may be the base design's (a fault on a host only it has): say that
            // it is this design that cannot have it, or the base design looks broken.
            if (e.message.find("variant '" + name + "'") != std::string::npos) throw;
            throw SpecError(e.where, e.path, e.message + " (in variant '" + name + "')");
        }
    }
    check_swarm_choices(path, variant, out.spec);
    out.content_hash = file_content_hash(path);
    auto info = std::make_shared<ScenarioInfo>();
    info->name = out.spec.name + (variant.empty() ? "" : "/" + variant);
    info->summary = summary_of(out.spec.description);
    info->make = [path, variant](const std::vector<Override>& overrides, std::string& error) -> std::unique_ptr<Scenario> {
        try {
            ScenarioSpec spec = load(path, variant, overrides, true);
            return std::make_unique<SpecScenario>(std::move(spec), path);
        } catch (const SpecError& e) {
            error = e.what();
            return nullptr;
        }
    };
    info->options = [spec = out.spec] { return spec_options(spec); };
    info->swarm = [spec = out.spec] { return swarm_of(spec); };
    out.info = std::move(info);
    return out;
}

}  // namespace faultline
