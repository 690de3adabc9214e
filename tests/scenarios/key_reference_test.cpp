// The key reference (`faultline list --keys`, docs/scenario-language.md's table) lists a key only
// where the loader takes it: the four replication checkers share one C++ struct, and the reference
// once listed converges.max or stale_reads.steps_max, which the loader refuses.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "faultline/key_reference.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

using test_support::load_error;
using test_support::write_file;

const char* const kStore =
    "duration: 1s\n"
    "stores:\n"
    "  kv:\n"
    "    design: quorum\n"
    "    replicas: [\"kv-{1..3}\"]\n"
    "    clients: {hosts: [\"c-{1..2}\"], keys: 1}\n"
    "invariants:\n"
    "  - name: the checker\n";

const char* const kCheckers[] = {"converges", "no_lost_writes", "linearizable", "stale_reads"};

// A value each CheckerSpec field takes; a field added to the struct without one fails the test.
std::string value_for(std::string_view field) {
    if (field == "store") return "kv";
    if (field == "at") return "500ms";
    if (field == "max") return "10%";
    if (field == "steps_max") return "1000";
    ADD_FAILURE() << "no test value for the checker field '" << field << "'";
    return "0";
}

struct FieldNames {
    std::vector<std::string> names;
    template <class T>
    void operator()(std::string_view name, T&, std::string_view) {
        if (!name.empty()) names.emplace_back(name);
    }
};

const faultline::KeyInfo* find_key(const std::vector<faultline::KeyInfo>& keys, const std::string& path) {
    for (const auto& k : keys) {
        if (k.path == path) return &k;
    }
    return nullptr;
}

// Every checker with every field of the struct: the field is listed under that checker exactly
// when a file giving it there loads.
TEST(KeyReference, ACheckerListsExactlyTheFieldsTheLoaderTakes) {
    faultline::ScenarioSpec spec;
    const auto keys = faultline::list_keys(spec);
    FieldNames fields_of;
    faultline::CheckerSpec checker;
    fields(fields_of, checker);
    ASSERT_GE(fields_of.names.size(), 4u);
    for (const char* name : kCheckers) {
        ASSERT_NE(find_key(keys, std::string("invariants[].") + name), nullptr) << name;
        for (const std::string& field : fields_of.names) {
            std::string body = "store: kv";
            if (std::string_view(name) == "stale_reads" && field != "max") body += ", max: 10%";
            if (field != "store") body += ", " + field + ": " + value_for(field);
            const std::string text = std::string(kStore) + "    " + name + ": {" + body + "}\n";
            const std::string error = load_error(write_file(std::string(name) + "-" + field + ".yaml", text));
            const std::string path = std::string("invariants[].") + name + "." + field;
            EXPECT_EQ(find_key(keys, path) != nullptr, error.empty())
                << path << (error.empty() ? " loads but is not listed" : " is listed but refused: " + error);
        }
    }
}

// The findings themselves: fields the loader refuses are not listed, and stale_reads.max, which it
// requires, says so (it read neither required nor optional).
TEST(KeyReference, ARefusedCheckerFieldIsNotListedAndARequiredOneIsMarked) {
    faultline::ScenarioSpec spec;
    const auto keys = faultline::list_keys(spec);
    for (const char* refused : {"converges.max", "converges.steps_max", "no_lost_writes.max",
                                "no_lost_writes.steps_max", "linearizable.max", "stale_reads.steps_max"}) {
        EXPECT_EQ(find_key(keys, std::string("invariants[].") + refused), nullptr) << refused << " is listed";
    }
    const faultline::KeyInfo* max = find_key(keys, "invariants[].stale_reads.max");
    ASSERT_NE(max, nullptr);
    EXPECT_TRUE(max->help.ends_with("(required)")) << max->help;
    EXPECT_NE(load_error(write_file("stale-no-max.yaml", std::string(kStore) + "    stale_reads: {store: kv}\n")), "");
    const faultline::KeyInfo* steps = find_key(keys, "invariants[].linearizable.steps_max");
    ASSERT_NE(steps, nullptr);
    EXPECT_TRUE(steps->help.ends_with("(optional)")) << steps->help;
}

// The other way from Loader.TheLanguageReferenceNamesEveryKey: every row of the document's table
// is a key `list --keys` gives, so a key dropped from the reader (or the table not regenerated
// after one was) shows.
TEST(KeyReference, EveryRowOfTheDocumentsTableIsAListedKey) {
    std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/docs/scenario-language.md");
    std::stringstream s;
    s << in.rdbuf();
    const std::string doc = s.str();
    const std::size_t begin = doc.find("<!-- keys:begin -->");
    const std::size_t end = doc.find("<!-- keys:end -->");
    ASSERT_NE(begin, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    faultline::ScenarioSpec spec;
    const auto keys = faultline::list_keys(spec);
    std::istringstream table(doc.substr(begin, end - begin));
    std::size_t rows = 0;
    for (std::string line; std::getline(table, line);) {
        if (!line.starts_with("| `")) continue;
        const std::string path = line.substr(3, line.find('`', 3) - 3);
        EXPECT_NE(find_key(keys, path), nullptr) << path << " is in the document's table but not in `list --keys`";
        ++rows;
    }
    EXPECT_EQ(rows, keys.size()) << "regenerate the table with scripts/scenario-keys.sh";
}

}  // namespace
