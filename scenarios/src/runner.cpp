#include "faultline/runner.hpp"

namespace faultline {

namespace {

sim::Options options_for(const Scenario& scenario, const RunSettings& settings) {
    sim::Options o;
    scenario.configure(o);
    o.seed = settings.seed;
    if (settings.time_max) o.time_max = *settings.time_max;
    if (settings.events_max) o.events_max = *settings.events_max;
    if (settings.duration) o.duration = *settings.duration;
    o.shuffle_ties = settings.shuffle_ties || o.shuffle_ties;
    o.buggify = settings.buggify || o.buggify;
    o.repro = settings.repro;
    return o;
}

// Forwards to several sinks (the determinism recorder plus, say, a trace file).
class TeeSink final : public sim::TraceSink {
public:
    // Each sink's answer to wants_kernel_events() holds while it is attached: asked once here.
    TeeSink(sim::TraceSink* a, sim::TraceSink* b)
        : a_(a), b_(b), a_kernel_(a != nullptr && a->wants_kernel_events()), b_kernel_(b != nullptr && b->wants_kernel_events()) {}
    void record(const sim::TraceRecord& r) override {
        if (a_ && (!r.kernel || a_kernel_)) a_->record(r);
        if (b_ && (!r.kernel || b_kernel_)) b_->record(r);
    }
    bool wants_kernel_events() const override { return a_kernel_ || b_kernel_; }
    void expect_host(std::uint32_t host_id) noexcept override {
        if (a_) a_->expect_host(host_id);
        if (b_) b_->expect_host(host_id);
    }

private:
    sim::TraceSink* a_;
    sim::TraceSink* b_;
    bool a_kernel_;
    bool b_kernel_;
};

// Keeps the running hash after every record.
class HashRecorder final : public sim::TraceSink {
public:
    void record(const sim::TraceRecord& r) override {
        if (!r.detail) hashes.push_back(r.hash_after);
    }
    bool wants_kernel_events() const override { return true; }
    std::vector<std::uint64_t> hashes;
};

// Compares against a recorded run; keeps the first record that differs.
class HashComparer final : public sim::TraceSink {
public:
    explicit HashComparer(const std::vector<std::uint64_t>& expected) : expected_(expected) {}
    void record(const sim::TraceRecord& r) override {
        if (r.detail) return;
        if (!first_mismatch && (r.index >= expected_.size() || expected_[r.index] != r.hash_after)) {
            first_mismatch = r.index;
            text = sim::trace_record_json(r);
        }
        count = r.index + 1;
    }
    bool wants_kernel_events() const override { return true; }
    std::optional<std::uint64_t> first_mismatch;
    std::string text;
    std::uint64_t count = 0;

private:
    const std::vector<std::uint64_t>& expected_;
};

// An explicit fault plan (an artifact's or regression file's, or a shrinker's candidate) is input
// from a file: each fault is checked against the built world before the run, as a scenario
// file's timeline is at load time. Left to the run, an unknown kind, host or parameter would be
// an assertion at the fault's time, a failure of the system under test that is not one.
std::optional<std::string> check_fault_plan(const Scenario& scenario, const sim::FaultPlan& plan) {
    const sim::Faults* faults = scenario.faults();
    for (std::size_t i = 0; i < plan.size(); ++i) {
        std::optional<std::string> e = faults ? faults->validate(plan[i].spec) : "this scenario injects no faults";
        if (e) return "faults.plan[" + std::to_string(i) + "] (" + sim::describe(plan[i]) + "): " + *e;
    }
    return std::nullopt;
}

// An assertion while building is a run failure too: the run then ends at once, as "fail".
void build_world(Scenario& scenario, sim::Simulator& sim) {
    sim::CurrentScope scope(sim);
    try {
        scenario.build(sim);
    } catch (const sim::detail::AssertionFailure&) {
    }
}

// Captures one record by index, as JSON.
class RecordCapture final : public sim::TraceSink {
public:
    explicit RecordCapture(std::uint64_t index) : index_(index) {}
    void record(const sim::TraceRecord& r) override {
        if (!r.detail && r.index == index_) text = sim::trace_record_json(r);
    }
    bool wants_kernel_events() const override { return true; }
    std::string text = "(none: the run ended before it)";

private:
    std::uint64_t index_;
};

std::optional<ScenarioRun> run_with_sink(const ScenarioInfo& info, const std::vector<Override>& overrides,
                                         const RunSettings& settings, sim::TraceSink* extra, std::string& error) {
    std::unique_ptr<Scenario> scenario = info.make(overrides, error);
    if (!scenario) return std::nullopt;
    ScenarioRun run;
    run.scenario = info.name;
    run.seed = settings.seed;
    run.options = scenario->effective_options();
    if (settings.fault_plan) scenario->set_fault_plan(*settings.fault_plan);
    {
        sim::Simulator sim(options_for(*scenario, settings));
        sim.set_interrupt(settings.interrupt);
        TeeSink tee(settings.sink, extra);
        if (settings.sink || extra) sim.set_trace_sink(&tee);
        if (settings.on_start) settings.on_start(sim);
        build_world(*scenario, sim);
        if (settings.fault_plan) {
            if (auto e = check_fault_plan(*scenario, *settings.fault_plan)) {
                error = *e;
                return std::nullopt;
            }
        }
        run.result = sim.run();  // ends at once with "fail" if building already failed
        run.measurements = scenario->measurements();
        run.coverage = sim.coverage();
        run.invariants = sim.invariants();
        run.judged = scenario->judged_invariants();
        for (const sim::Simulator::InvariantInfo& k : run.invariants) {
            if (k.held) run.judged.push_back(k.name);
        }
        if (const sim::Faults* faults = scenario->faults()) {
            run.injected = faults->injected();
            run.injected_open = faults->open_injected();
        }
        if (const models::Metrics* metrics = scenario->metrics()) {
            run.series_times = metrics->times();
            run.series = metrics->series();
        }
        sim.set_trace_sink(nullptr);
    }  // the simulator unwinds its processes while the scenario's models still exist
    return run;
}

}  // namespace

std::optional<ScenarioRun> run_scenario(const ScenarioInfo& info, const std::vector<Override>& overrides,
                                        const RunSettings& settings, std::string& error) {
    return run_with_sink(info, overrides, settings, nullptr, error);
}

bool inspect_world(const ScenarioInfo& info, const std::vector<Override>& overrides, const RunSettings& settings,
                   const std::function<void(sim::Simulator&)>& inspect, std::string& error) {
    std::unique_ptr<Scenario> scenario = info.make(overrides, error);
    if (!scenario) return false;
    if (settings.fault_plan) scenario->set_fault_plan(*settings.fault_plan);
    sim::Simulator sim(options_for(*scenario, settings));
    build_world(*scenario, sim);
    if (!sim.failed()) inspect(sim);  // (a world that failed to build fails the run itself, as it says)
    return true;
}

std::optional<sim::FaultPlan> planned_faults(const ScenarioInfo& info, const std::vector<Override>& overrides,
                                             const RunSettings& settings, std::string& error) {
    std::unique_ptr<Scenario> scenario = info.make(overrides, error);
    if (!scenario) return std::nullopt;
    sim::Simulator sim(options_for(*scenario, settings));
    build_world(*scenario, sim);
    return scenario->usual_plan().value_or(sim::FaultPlan{});
}

std::optional<DeterminismReport> check_determinism(const ScenarioInfo& info, const std::vector<Override>& overrides,
                                                   const RunSettings& settings, std::string& error) {
    HashRecorder first;
    auto run1 = run_with_sink(info, overrides, settings, &first, error);
    if (!run1) return std::nullopt;
    DeterminismReport report;
    report.records = first.hashes.size();
    report.trace_hash = run1->result.trace_hash;
    report.run = *run1;
    report.interrupted = run1->result.verdict == sim::Verdict::interrupted;
    if (report.interrupted) return report;  // the second run would end at once: nothing to compare
    RunSettings quiet = settings;
    quiet.sink = nullptr;  // write any trace file once, from the first run
    HashComparer second(first.hashes);
    auto run2 = run_with_sink(info, overrides, quiet, &second, error);
    if (!run2) return std::nullopt;
    report.interrupted = run2->result.verdict == sim::Verdict::interrupted;
    if (report.interrupted) return report;
    std::optional<std::uint64_t> mismatch = second.first_mismatch;
    if (!mismatch && second.count != first.hashes.size()) mismatch = second.count;  // the second run was shorter
    if (!mismatch && run1->result.trace_hash != run2->result.trace_hash) mismatch = second.count;
    if (mismatch) {
        report.ok = false;
        Divergence d;
        d.index = *mismatch;
        d.second_run = second.text.empty() ? "(none: the run ended before it)" : second.text;
        RecordCapture capture(*mismatch);
        auto run3 = run_with_sink(info, overrides, quiet, &capture, error);
        d.first_run = run3 ? capture.text : "(could not rerun)";
        report.divergence = d;
    }
    return report;
}

}  // namespace faultline
