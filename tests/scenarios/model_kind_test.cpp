// Model kinds registered from C++ and used from scenario files: options read into the kind's
// own struct (with the loader's usual errors and locations), the model's endpoint reachable by
// `calls:`, its hosts ordinary hosts for faults, its metrics visible to invariants. The kind is
// the example a user copies (examples/custom-model/quota_api.hpp), checked against arithmetic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "custom-model/quota_api.hpp"
#include "faultline/runner.hpp"
#include "faultline/scenario_file.hpp"
#include "support/scenario_text.hpp"

namespace {

// Offered 200/s to a provider that accepts 50/s with a burst of 20, no retries.
const char* const kQuota = R"yaml(name: quota
description: clients call a rate-limited API through a service
hypothesis: the API accepts its quota and refuses the rest
duration: 40s
models:
  provider:
    kind: quota_api
    hosts: provider-1
    options: {quota: 50/s, burst: 20, latency: fixed(5ms)}
services:
  front:
    hosts: front-1
    queue: {workers_max: 256, queue_max: 256}
    cpu: fixed(100us)
    calls:
      - {target: provider, timeout: 1s}
workloads:
  users:
    hosts: client-1
    open_loop: {rate: 200/s}
    call: {target: front, timeout: 2s}
invariants:
  - name: the provider never accepts more than its quota allows
    always: {metric: provider.accepted, max: 2020}
)yaml";

using test_support::load_error;
using test_support::replaced;

std::string write(const std::string& name, const std::string& text) { return test_support::write_file("kind-" + name, text); }

double measured(const faultline::ScenarioRun& run, const std::string& name) {
    for (const auto& m : run.measurements) {
        if (m.name == name) return m.value;
    }
    ADD_FAILURE() << "no measurement " << name;
    return -1;
}

faultline::ScenarioRun run_file(const std::string& path, std::uint64_t seed = 1) {
    auto loaded = faultline::load_scenario_file(path);
    faultline::RunSettings settings;
    settings.seed = seed;
    std::string error;
    auto run = faultline::run_scenario(*loaded.info, {}, settings, error);
    EXPECT_TRUE(run) << error;
    return run ? *run : faultline::ScenarioRun{};
}

class ModelKinds : public ::testing::Test {
protected:
    void SetUp() override { example::register_quota_api(); }
};

// A kind's name is what a file's `kind:` says and `list --kinds` shows: one word, or refused
// where it is registered (a blank name was listed as a blank line; "two words" ran).
TEST_F(ModelKinds, AKindsNameIsOneWord) {
    auto build = [](faultline::ModelContext&, const example::QuotaApiOptions&) {};
    for (const std::string bad : {"", "two words", "tab\there", "semi;colon"}) {
        EXPECT_THROW(faultline::register_model_kind<example::QuotaApiOptions>(bad, "", build), std::invalid_argument) << bad;
        const auto names = faultline::model_kind_names();
        EXPECT_EQ(std::find(names.begin(), names.end(), bad), names.end()) << bad;
    }
    EXPECT_NO_THROW(faultline::register_model_kind<example::QuotaApiOptions>("quota-api_v2.1", "", build));
}

TEST_F(ModelKinds, ARegisteredKindIsListedWithItsOptions) {
    const auto names = faultline::model_kind_names();
    EXPECT_NE(std::find(names.begin(), names.end(), "quota_api"), names.end());
    const faultline::ModelKind* kind = faultline::find_model_kind("quota_api");
    ASSERT_NE(kind, nullptr);
    const auto defaults = kind->defaults();
    const auto listed = kind->list(defaults.get());
    ASSERT_EQ(listed.size(), 3u);
    EXPECT_EQ(listed[0].path, "quota");
    EXPECT_EQ(listed[0].value, "100/s");
}

TEST_F(ModelKinds, TheQuotaApiAcceptsItsQuotaPlusItsBurstAndRefusesTheRest) {
    const auto run = run_file(write("quota.yaml", kQuota));
    EXPECT_EQ(run.result.verdict, sim::Verdict::pass) << (run.result.failure ? run.result.failure->message : "");
    // Arithmetic: a token bucket admits at most burst + quota * t; offered 4x the quota it admits
    // nearly exactly that. 40s at 50/s plus 20 saved = 2020.
    const double accepted = measured(run, "provider.accepted");
    const double refused = measured(run, "provider.refused");
    EXPECT_LE(accepted, 2020);
    EXPECT_GE(accepted, 2020 * 0.98);
    // Poisson arrivals at 200/s for 40s: 8000 +- 3 sigma (about 270); the rest were refused.
    EXPECT_NEAR(accepted + refused, 8000, 270);
    // The invariant reads the model's metric: a tighter bound fails it.
    const auto tight = run_file(write("tight.yaml", replaced(kQuota, "max: 2020", "max: 1500")));
    ASSERT_EQ(tight.result.verdict, sim::Verdict::fail);
    EXPECT_EQ(tight.result.failure->name, "the provider never accepts more than its quota allows");
}

TEST_F(ModelKinds, TheModelsHostsTakeFaultsAndItRebuildsOnRestart) {
    // Down for 10 of 40 seconds: about a quarter fewer accepted, and a full bucket after the boot.
    const std::string text = std::string(kQuota) + "faults:\n  - {at: 10s, duration: 10s, kind: crash, targets: [provider-1]}\n";
    const auto run = run_file(write("crash.yaml", text));
    const double accepted = measured(run, "provider.accepted");
    EXPECT_NEAR(accepted, 30 * 50 + 2 * 20, 30 * 50 * 0.03);
}

TEST_F(ModelKinds, MistakesInAModelAreReportedWhereTheyAre) {
    struct Case {
        const char* from;
        const char* to;
        int line;
        const char* says;
    };
    const Case cases[] = {
        {"kind: quota_api", "kind: quota_apii", 7, "did you mean 'quota_api'?"},
        {"{quota: 50/s,", "{quotaa: 50/s,", 9, "did you mean 'quota'?"},
        {"{quota: 50/s,", "{quota: 50,", 9, "models.provider.options.quota"},
        {"burst: 20,", "burst: 0,", 9, "models.provider.options.burst: must be at least 1"},
        {"hosts: provider-1", "hosts: \"\"", 7, "a model needs hosts"},
        {"target: provider,", "target: providr,", 16, "did you mean 'provider'?"},
        {"    kind: quota_api\n", "", 7, "a model needs a kind"},
    };
    int i = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.to);
        const std::string path = write("bad-" + std::to_string(i++) + ".yaml", replaced(kQuota, c.from, c.to));
        const std::string error = load_error(path);
        EXPECT_TRUE(error.starts_with(path + ":" + std::to_string(c.line) + ":")) << error;
        EXPECT_NE(error.find(c.says), std::string::npos) << error;
    }
}

// A kind whose build asserts on options the loader let through: loading the file reports it as
// an internal error (a std::runtime_error, the CLI's exit code 3) instead of terminating the
// program with an uncaught assertion.
TEST_F(ModelKinds, AnAssertionWhileBuildingAtLoadTimeIsAnErrorNotATermination) {
    faultline::register_model_kind<example::QuotaApiOptions>("asserting_api", "asserts when built",
                                                             [](faultline::ModelContext&, const example::QuotaApiOptions& o) {
                                                                 SIM_ASSERT(o.burst < 5, "burst must stay under 5");
                                                             });
    const std::string path = write("asserting.yaml", replaced(kQuota, "kind: quota_api", "kind: asserting_api"));
    try {
        faultline::load_scenario_file(path);
        ADD_FAILURE() << "loaded";
    } catch (const faultline::SpecError& e) {
        ADD_FAILURE() << "a model's assertion is not the file's mistake: " << e.what();
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "a model's assertion failed while building '" + path + "', before the run");
    }
    EXPECT_EQ(load_error(write("asserting-fine.yaml", replaced(replaced(replaced(kQuota, "kind: quota_api", "kind: asserting_api"), "burst: 20", "burst: 4"), "provider.accepted", "front.requests"))),
              "");
}

// A check that needs the run (the hosts a model got, another component's endpoint) refuses the
// file through the context, at the model's line (at the option's own line when it names one), as
// the reader refuses a bad value; so does an
// exception a kind's build throws, named as the kind's refusal (it used to be the CLI's
// "internal error", exit 3, with no line).
TEST_F(ModelKinds, AKindRefusesWhatOnlyTheRunShowsAtTheModelsLine) {
    faultline::register_model_kind<example::QuotaApiOptions>("pair_api", "needs two hosts",
                                                             [](faultline::ModelContext& m, const example::QuotaApiOptions& o) {
                                                                 if (m.hosts().size() != 2) m.fail("a pair needs 2 hosts, got " + std::to_string(m.hosts().size()));
                                                                 if (o.burst == 7) m.fail("7 is not a burst a pair can share", "burst");
                                                                 if (o.burst == 8) throw std::invalid_argument("eight is too many");
                                                             });
    const std::string pair = replaced(replaced(kQuota, "kind: quota_api", "kind: pair_api"), "provider.accepted", "front.requests");
    const std::string one = write("pair-one.yaml", pair);
    EXPECT_EQ(load_error(one), one + ":7:5: models.provider: a pair needs 2 hosts, got 1");
    const std::string two = replaced(pair, "hosts: provider-1", "hosts: provider-{1..2}");
    EXPECT_EQ(load_error(write("pair-two.yaml", two)), "");
    const std::string seven = write("pair-seven.yaml", replaced(two, "burst: 20", "burst: 7"));
    // At the field the kind named (burst), where the file writes it.
    EXPECT_EQ(load_error(seven), seven + ":9:35: models.provider.options.burst: 7 is not a burst a pair can share");
    const std::string eight = write("pair-eight.yaml", replaced(two, "burst: 20", "burst: 8"));
    EXPECT_EQ(load_error(eight), eight + ":7:5: models.provider: model kind 'pair_api' refused it: eight is too many");
}

// A spec filled in C++ carries a kind's options as `typed`: a struct of another type is refused
// by name (it used to be read as the kind's, undefined behaviour), and the kind's validate()
// runs on it as the reader runs it on a file's options.
TEST_F(ModelKinds, TypedOptionsOfAnotherTypeOrInvalidAreRefusedByName) {
    // Loaded from a file, the spec keeps the file's lines: the model's is 7.
    const std::string path = write("typed.yaml", kQuota);
    const faultline::ScenarioSpec spec = faultline::load_spec(path);
    auto refusal = [](faultline::ScenarioSpec s) {
        std::string error;
        EXPECT_EQ(faultline::spec_scenario_info(std::move(s)).make({}, error), nullptr);
        return error;
    };
    auto wrong = spec;
    wrong.models["provider"].typed = std::make_shared<const int>(5);
    EXPECT_EQ(refusal(wrong), path + ":7:5: models.provider.options: typed options are 'int'; kind 'quota_api' takes 'example::QuotaApiOptions'");

    example::QuotaApiOptions zero;
    zero.quota = sim::Rate{0};
    auto invalid = spec;
    invalid.models["provider"].typed = std::make_shared<const example::QuotaApiOptions>(zero);
    EXPECT_EQ(refusal(invalid), path + ":7:5: models.provider.options: quota must be positive");

    example::QuotaApiOptions fine;
    fine.quota = sim::Rate{25};
    auto typed = spec;
    typed.models["provider"].typed = std::make_shared<example::QuotaApiOptions>(fine);  // not const: converts too
    std::string error;
    EXPECT_NE(faultline::spec_scenario_info(typed).make({}, error), nullptr) << error;
}

// `--set models.NAME.options.OPTION` on a C++ spec goes through the kind: the same run as the
// setting on the file, and the arithmetic of the new quota.
TEST_F(ModelKinds, ASettingOfAKindsOptionOnACppSpecIsTheSettingOnTheFile) {
    const std::string path = write("set.yaml", kQuota);
    const faultline::ScenarioInfo from_cpp = faultline::spec_scenario_info(faultline::load_spec(path));
    const std::vector<faultline::Override> set = {{"models.provider.options.quota", "25/s"}};
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    const auto cpp = faultline::run_scenario(from_cpp, set, settings, error);
    ASSERT_TRUE(cpp) << error;
    const auto file = faultline::run_scenario(*faultline::load_scenario_file(path).info, set, settings, error);
    ASSERT_TRUE(file) << error;
    EXPECT_EQ(cpp->result.trace_hash, file->result.trace_hash);
    // 40s at 25/s plus a burst of 20 saved.
    EXPECT_LE(measured(*cpp, "provider.accepted"), 1020);
    EXPECT_GE(measured(*cpp, "provider.accepted"), 1020 * 0.98);

    EXPECT_EQ(from_cpp.make({{"models.provider.options.quotaa", "25/s"}}, error), nullptr);
    EXPECT_EQ(error, "(--set): models.provider.options.quotaa: unknown option 'quotaa' (did you mean 'quota'?)");
    EXPECT_EQ(from_cpp.make({{"models.provider.options.quota", "0/s"}}, error), nullptr);
    EXPECT_EQ(error, "(--set): models.provider.options: quota must be positive");
}

// A model kind whose processes need more than the default 64 KiB of stack gets it from the file:
// limits.stack_kib is each process's stack. (An overflow itself is tests/sim/stack_overflow_test.)
TEST_F(ModelKinds, AFileGivesItsProcessesTheStackItAsksFor) {
    faultline::register_model_kind<example::QuotaApiOptions>("deep_api", "recurses 160 KiB deep at boot",
                                                             [](faultline::ModelContext& m, const example::QuotaApiOptions&) {
                                                                 m.on_boot([](sim::Host& h) {
                                                                     h.spawn([](sim::Ctx&) {
                                                                         struct Deep {
                                                                             [[gnu::noinline]] static int down(int n) {
                                                                                 volatile char frame[1024];
                                                                                 frame[0] = static_cast<char>(n);
                                                                                 asm volatile("" : : "r"(frame) : "memory");  // all 1 KiB of it, under clang too
                                                                                 if (n == 0) return frame[0];
                                                                                 const int below = down(n - 1);  // the frame lives through the call
                                                                                 return below + frame[0];
                                                                             }
                                                                         };
                                                                         (void)Deep::down(160);
                                                                     });
                                                                 });
                                                             });
    const std::string text = replaced(replaced(replaced(kQuota, "kind: quota_api", "kind: deep_api"), "provider.accepted", "front.requests"),
                                      "duration: 40s\n", "duration: 1s\nlimits: {stack_kib: 512}\n");
    auto loaded = faultline::load_scenario_file(write("deep.yaml", text));
    std::string error;
    auto scenario = loaded.info->make({}, error);
    ASSERT_TRUE(scenario) << error;
    sim::Options o;
    scenario->configure(o);
    EXPECT_EQ(o.stack_size, 512u * 1024);
    const auto run = run_file(write("deep-run.yaml", text));
    EXPECT_EQ(run.result.verdict, sim::Verdict::pass) << (run.result.failure ? run.result.failure->message : "");

    const std::string small = load_error(write("deep-small.yaml", replaced(text, "stack_kib: 512", "stack_kib: 8")));
    EXPECT_NE(small.find("limits.stack_kib: must be between 16 and 65536"), std::string::npos) << small;

    // With the default 64 KiB the same kind overflows, and the line says what to raise in a file.
    const std::string shallow = write("deep-default.yaml", replaced(text, "limits: {stack_kib: 512}\n", ""));
    EXPECT_EXIT((void)run_file(shallow), testing::ExitedWithCode(3),
                "overflowed its 64 KiB stack at 0s virtual time; give processes more stack \\(limits.stack_kib in the scenario\\)");
}

}  // namespace

namespace {
// A kind as a user writes one, with hooks for what its build, boot and measure do.
void register_hooked(const char* name,
                     std::function<void(faultline::ModelContext&, const example::QuotaApiOptions&)> build) {
    faultline::register_model_kind<example::QuotaApiOptions>(name, "a test hook", std::move(build));
}
const std::string kHookFile =
    replaced(replaced(kQuota, "    options: {quota: 50/s, burst: 20, latency: fixed(5ms)}\n", ""),
             "always: {metric: provider.accepted, max: 2020}", "always: {metric: front.requests, max: 100000}");
}  // namespace

// What a model's own code throws, wherever it throws it, is the model's: at its line while the
// world is built (a non-std exception terminated the program; a throw from the first boot was
// "internal error", exit 3, with no location), and a measurement that threw has no value and
// says why (it was exit 3 too). A measurement name given twice is refused (the text printed both,
// the JSON kept one).
TEST_F(ModelKinds, WhatAModelsCodeThrowsIsReportedAsTheModels) {
    register_hooked("throws_int", [](faultline::ModelContext&, const example::QuotaApiOptions&) { throw 7; });
    const std::string a = write("hook-int.yaml", replaced(kHookFile, "kind: quota_api", "kind: throws_int"));
    EXPECT_EQ(load_error(a), a + ":7:5: models.provider: model kind 'throws_int' refused it: it threw something that "
                                 "is not a std::exception");

    register_hooked("boot_throws", [](faultline::ModelContext& m, const example::QuotaApiOptions&) {
        m.on_boot([](sim::Host&) { throw std::runtime_error("no config"); });
    });
    const std::string b = write("hook-boot.yaml", replaced(kHookFile, "kind: quota_api", "kind: boot_throws"));
    EXPECT_EQ(load_error(b), b + ":7:5: models.provider: its boot function on host provider-1 threw: no config");

    register_hooked("measure_throws", [](faultline::ModelContext& m, const example::QuotaApiOptions&) {
        m.endpoint();
        m.on_boot([&m](sim::Host& h) {
            m.endpoint().serve(h, [](sim::Ctx&, const models::Request&, const sim::CallInfo&) {
                return sim::Result<models::Response>(models::Response{});
            });
        });
        m.measure("provider.odd", []() -> double { throw std::runtime_error("divided by nothing"); });
        m.measure("provider.fine", [] { return 4.0; });
    });
    const std::string c = write("hook-measure.yaml", replaced(kHookFile, "kind: quota_api", "kind: measure_throws"));
    const faultline::ScenarioRun run = run_file(c);
    EXPECT_EQ(run.result.verdict, sim::Verdict::pass);
    bool seen = false;
    for (const auto& m : run.measurements) {
        if (m.name != "provider.odd") continue;
        seen = true;
        EXPECT_TRUE(std::isnan(m.value));
        EXPECT_EQ(m.note, "its function threw: divided by nothing");
    }
    EXPECT_TRUE(seen);
    EXPECT_EQ(measured(run, "provider.fine"), 4.0);

    register_hooked("measures_twice", [](faultline::ModelContext& m, const example::QuotaApiOptions&) {
        m.measure("provider.x", [] { return 1.0; });
        m.measure("provider.x", [] { return 2.0; });
    });
    const std::string d = write("hook-twice.yaml", replaced(kHookFile, "kind: quota_api", "kind: measures_twice"));
    EXPECT_EQ(load_error(d),
              d + ":7:5: models.provider: a measurement named 'provider.x' is already measured (each name once: "
                  "the result keeps one value a name)");
}

// A build may keep a reference to its options for the run, whichever way they came: a C++ spec
// that leaves `typed` empty builds from the kind's defaults, which were a temporary freed as the
// build returned (read later, they were freed memory).
TEST_F(ModelKinds, TheOptionsABuildGetsLiveForTheWholeRun) {
    auto freed = std::make_shared<bool>(false);
    faultline::ModelKind kind = *faultline::find_model_kind("quota_api");
    kind.name = "keeps_options";
    kind.defaults = [freed] {
        *freed = false;
        return faultline::TypedOptions(std::shared_ptr<const example::QuotaApiOptions>(
            new example::QuotaApiOptions{}, [freed](const example::QuotaApiOptions* o) {
                *freed = true;
                delete o;
            }));
    };
    auto build = kind.build;
    kind.build = [build, freed](faultline::ModelContext& m, const void* options) {
        build(m, options);
        m.measure("provider.options_alive_at_end", [freed] { return *freed ? 0.0 : 1.0; });
    };
    faultline::register_model_kind(kind);
    faultline::ScenarioSpec spec =
        faultline::load_spec(write("keeps.yaml", replaced(kQuota, "kind: quota_api", "kind: keeps_options")));
    spec.models["provider"].typed = {};  // the kind's defaults
    faultline::RunSettings settings;
    settings.seed = 1;
    std::string error;
    const auto run = faultline::run_scenario(faultline::spec_scenario_info(spec), {}, settings, error);
    ASSERT_TRUE(run) << error;
    EXPECT_EQ(measured(*run, "provider.options_alive_at_end"), 1.0);
}
