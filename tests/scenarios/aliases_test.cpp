// Anchors, aliases and merge keys in scenario files: a merge key (<<: *defaults) gives a mapping
// the keys it does not write itself; a setting (--set, a variant) through a value that aliases
// share changes that place alone, never the anchor or the other places that use it; "x-" keys
// hold anchors and are not read; mistakes keep their lines.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

using test_support::load_error;
using test_support::write_file;

const char* const kShared =
    "name: shared\n"                                                               // 1
    "duration: 20s\n"                                                              // 2
    "network: {latency: fixed(1ms)}\n"                                             // 3
    "x-queue: &q {workers_max: 8, queue_max: 64}\n"                                // 4
    "x-call: &call {timeout: 300ms, retry: {attempts_max: 2}}\n"                   // 5
    "services:\n"                                                                  // 6
    "  api:\n"                                                                     // 7
    "    hosts: api-1\n"                                                           // 8
    "    queue:\n"                                                                 // 9
    "      <<: *q\n"                                                               // 10
    "      workers_max: 4\n"                                                       // 11
    "    calls:\n"                                                                 // 12
    "      - {<<: *call, target: db}\n"                                            // 13
    "      - {<<: *call, target: db, timeout: 1s}\n"                               // 14
    "  web:\n"                                                                     // 15
    "    hosts: web-1\n"                                                           // 16
    "    queue: {<<: *q}\n"                                                        // 17
    "    calls: [{<<: *call, target: api}]\n"                                      // 18
    "  edge:\n"                                                                    // 19
    "    hosts: edge-1\n"                                                          // 20
    "    queue: &own {workers_max: 2, queue_max: 10}\n"                            // 21
    "  edge2:\n"                                                                   // 22
    "    hosts: edge-2\n"                                                          // 23
    "    queue: *own\n"                                                            // 24
    "databases:\n"                                                                 // 25
    "  db: {hosts: db-1}\n"                                                        // 26
    "workloads:\n"                                                                 // 27
    "  users:\n"                                                                   // 28
    "    hosts: clients\n"                                                         // 29
    "    open_loop: {rate: 100/s, keys: uniform(1000)}\n"                          // 30
    "    call: {target: web, timeout: 1s}\n"                                       // 31
    "variants:\n"                                                                  // 32
    "  wider-web:\n"                                                               // 33
    "    description: more workers at the web tier only\n"                         // 34
    "    set: {services.web.queue.workers_max: \"32\", services.edge2.queue.queue_max: \"99\"}\n";  // 35

TEST(Aliases, AMergeKeyGivesTheKeysAMappingDoesNotWriteItself) {
    const auto spec = faultline::load_spec(write_file("merge.yaml", kShared));
    EXPECT_EQ(spec.services.at("api").queue.workers_max, 4);  // its own
    EXPECT_EQ(spec.services.at("api").queue.queue_max, 64);   // merged
    EXPECT_EQ(spec.services.at("web").queue.workers_max, 8);
    ASSERT_EQ(spec.services.at("api").calls.size(), 2u);
    EXPECT_EQ(spec.services.at("api").calls[0].timeout, std::chrono::milliseconds(300));
    EXPECT_EQ(spec.services.at("api").calls[0].retry.attempts_max, 2);
    EXPECT_EQ(spec.services.at("api").calls[1].timeout, std::chrono::seconds(1));
    EXPECT_EQ(spec.services.at("web").calls.at(0).target, "api");
    // A list of mappings: the first that has a key gives it.
    std::string text = kShared;
    text.replace(text.find("services:\n"), 10, "x-more: &more {workers_max: 3, queue_max: 5}\nservices:\n");
    text.replace(text.find("queue: {<<: *q}"), 15, "queue: {<<: [*more, *q]}");
    const auto both = faultline::load_spec(write_file("merge-list.yaml", text));
    EXPECT_EQ(both.services.at("web").queue.workers_max, 3);
    EXPECT_EQ(both.services.at("web").queue.queue_max, 5);
    // The whole file runs as the CLI loads it.
    EXPECT_EQ(load_error(write_file("merge-loads.yaml", kShared)), "");
}

TEST(Aliases, ASettingThroughASharedValueChangesThatPlaceAlone) {
    const std::string path = write_file("shared.yaml", kShared);
    // Merged values: the anchor's own nodes, shared by api, web and x-queue.
    const auto one = faultline::load_spec(path, "", {{"services.web.queue.queue_max", "7"}});
    EXPECT_EQ(one.services.at("web").queue.queue_max, 7);
    EXPECT_EQ(one.services.at("api").queue.queue_max, 64);
    // A merged mapping inside a merged value (the calls' retry), in a list item.
    const auto retry = faultline::load_spec(path, "", {{"services.api.calls[1].retry.attempts_max", "5"}});
    EXPECT_EQ(retry.services.at("api").calls[1].retry.attempts_max, 5);
    EXPECT_EQ(retry.services.at("api").calls[0].retry.attempts_max, 2);
    EXPECT_EQ(retry.services.at("web").calls[0].retry.attempts_max, 2);
    // A plain alias: edge2's queue is edge's.
    const auto alias = faultline::load_spec(path, "", {{"services.edge2.queue.workers_max", "6"}});
    EXPECT_EQ(alias.services.at("edge2").queue.workers_max, 6);
    EXPECT_EQ(alias.services.at("edge2").queue.queue_max, 10);
    EXPECT_EQ(alias.services.at("edge").queue.workers_max, 2);
    // Through the anchor's own place too, and two settings of one shared value.
    const auto anchor = faultline::load_spec(path, "", {{"services.edge.queue.workers_max", "5"}, {"services.edge2.queue.queue_max", "11"}});
    EXPECT_EQ(anchor.services.at("edge").queue.workers_max, 5);
    EXPECT_EQ(anchor.services.at("edge").queue.queue_max, 10);
    EXPECT_EQ(anchor.services.at("edge2").queue.workers_max, 2);
    EXPECT_EQ(anchor.services.at("edge2").queue.queue_max, 11);
    // A variant's settings, then the command line's on top of them.
    const auto variant = faultline::load_spec(path, "wider-web", {{"services.edge.queue.queue_max", "12"}});
    EXPECT_EQ(variant.services.at("web").queue.workers_max, 32);
    EXPECT_EQ(variant.services.at("api").queue.workers_max, 4);
    EXPECT_EQ(variant.services.at("edge2").queue.queue_max, 99);
    EXPECT_EQ(variant.services.at("edge").queue.queue_max, 12);
    EXPECT_EQ(variant.services.at("edge").queue.workers_max, 2);
}

TEST(Aliases, MistakesKeepTheirLines) {
    auto error_of = [](const std::string& name, const std::string& from, const std::string& to,
                       const std::vector<faultline::Override>& settings = {}) {
        std::string text = kShared;
        text.replace(text.find(from), from.size(), to);
        try {
            faultline::load_spec(write_file(name, text), "", settings);
            return std::string();
        } catch (const faultline::SpecError& e) {
            return std::string(e.what());
        }
    };
    // A bad value in the anchor is reported where it is written, for the first place that reads it.
    const std::string anchored = error_of("bad-anchor.yaml", "queue_max: 64", "queue_max: lots");
    EXPECT_NE(anchored.find(":4:"), std::string::npos) << anchored;
    EXPECT_NE(anchored.find("queue_max: 'lots' is not a non-negative integer"), std::string::npos) << anchored;
    // ... also after a setting copied the shared value from a fresh parse of the file.
    const std::string copied = error_of("bad-anchor-set.yaml", "queue_max: 10}", "queue_max: many}", {{"services.edge2.queue.workers_max", "3"}});
    EXPECT_NE(copied.find(":21:"), std::string::npos) << copied;
    EXPECT_NE(copied.find("'many' is not a non-negative integer"), std::string::npos) << copied;
    // A merge of a value, not a mapping.
    const std::string scalar = error_of("merge-scalar.yaml", "queue: {<<: *q}", "queue: {<<: 5}");
    EXPECT_NE(scalar.find(":17:"), std::string::npos) << scalar << "|";
    EXPECT_NE(scalar.find("services.web.queue.<<: a merge key takes a mapping (<<: *defaults) or a list of them"), std::string::npos) << scalar;
    // "x-" keys are not read, so a setting there would do nothing.
    const std::string extension = error_of("set-extension.yaml", "name: shared", "name: shared", {{"x-queue.workers_max", "3"}});
    EXPECT_NE(extension.find("x-queue.workers_max: 'x-queue' holds anchors for other places to use, and is not read itself"), std::string::npos)
        << extension;
    // Any other unknown top-level key is still a mistake.
    EXPECT_NE(error_of("y-key.yaml", "x-call:", "y-call:").find(":5:1: unknown key 'y-call'"), std::string::npos);
}

// The example in docs/scenario-language.md, with the sections it leaves out, reads as it says.
TEST(Aliases, TheLanguagePagesExampleReadsAsItSays) {
    std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/docs/scenario-language.md");
    std::stringstream s;
    s << in.rdbuf();
    const std::string doc = s.str();
    const std::size_t start = doc.find("```yaml\n", doc.find("### Writing a setting once"));
    ASSERT_NE(start, std::string::npos);
    const std::string example = doc.substr(start + 8, doc.find("```", start + 8) - start - 8);
    const std::string path = write_file("doc-anchors.yaml", "name: doc-anchors\nduration: 20s\n" + example +
                                                               "databases:\n  db: {hosts: db-1}\n"
                                                               "workloads:\n  users: {hosts: clients, open_loop: {rate: 10/s}, call: {target: web}}\n");
    ASSERT_EQ(load_error(path), "");
    const auto spec = faultline::load_spec(path, "", {{"services.web.queue.workers_max", "16"}});
    EXPECT_EQ(spec.services.at("api").queue.workers_max, 4);
    EXPECT_EQ(spec.services.at("api").queue.queue_max, 64);
    EXPECT_EQ(spec.services.at("web").queue.workers_max, 16);
    EXPECT_EQ(spec.services.at("api").calls.at(0).timeout, std::chrono::milliseconds(300));
    EXPECT_EQ(spec.services.at("web").calls.at(0).timeout, std::chrono::seconds(1));
    EXPECT_EQ(spec.services.at("web").calls.at(0).retry.attempts_max, 2);
}

TEST(Aliases, NestingTooDeepIsSaidInWords) {
    const std::string deep = "name: deep\nduration: 1s\nx-deep: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
    const std::string error = load_error(write_file("deep.yaml", deep));
    EXPECT_NE(error.find("deep.yaml:3:"), std::string::npos) << error;
    EXPECT_NE(error.find("lists and mappings nested"), std::string::npos) << error;
}

}  // namespace
