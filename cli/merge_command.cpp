// `faultline merge DIR... --out DIR`: combine the output directories of shards of one fuzzing
// job, deduplicated the same way as a single job.
#include <cstdio>
#include <iostream>

#include "common.hpp"
#include "explore/fuzz.hpp"
#include "explore/workers.hpp"

namespace faultline::cli {

void add_merge_command(CLI::App& app, Command& cmd) {
    struct MergeArgs {
        std::vector<std::string> dirs;
        std::string out;
        std::string junit;
    };
    auto args = std::make_shared<MergeArgs>();
    auto* sub = app.add_subcommand("merge", "Merge the output directories of fuzzing shards into one");
    sub->add_option("dirs", args->dirs, "Shard output directories")->required();
    sub->add_option("--out", args->out, "The merged output directory (new)")->required();
    sub->add_option("--junit", args->junit, "Also write JUnit XML to FILE");
    sub->callback([&cmd, args] {
        cmd.run = [args] {
            try {
                std::optional<std::string> junit;
                if (!args->junit.empty()) junit = args->junit;
                const explore::MergeReport r = explore::merge_results(args->dirs, args->out, junit, explore::self_exe());
                print_warnings(r.warnings);
                explore::FuzzReport as_job;
                as_job.seeds_total = r.seeds;
                as_job.groups = r.groups;
                as_job.coverage = r.coverage;
                as_job.builds = r.builds;
                for (const explore::SignatureGroup& g : r.groups) as_job.findings += g.count;
                std::printf("merged      %zu director%s: %llu seeds (%llu recorded twice)\n", args->dirs.size(),
                            args->dirs.size() == 1 ? "y" : "ies",
                            static_cast<unsigned long long>(r.seeds), static_cast<unsigned long long>(r.duplicates));
                std::string text = explore::fuzz_summary_text(as_job, args->out);
                text = text.substr(text.find('\n') + 1);  // its first line counts seeds run now: not for a merge
                std::cout << text;
                if (!r.junit_error.empty()) {  // after the summary: the merge itself is whole
                    std::cout << std::flush;
                    throw UsageError(r.junit_error);
                }
                // Seeds of the job that no shard ran are not a pass: exit 1, as for a finding (the
                // JUnit XML has an error case for them).
                return r.groups.empty() && r.coverage.complete() ? exit_pass : exit_fail;
            } catch (const explore::InputError& e) {
                throw UsageError(e.what());
            }
        };
    });
}

}  // namespace faultline::cli
