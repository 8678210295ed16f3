// The shared optimisation loop of Stage I and Stage II runs.
//
// Exact continuation rests on the loop's part of the bargain: the step's
// random draws come from torch's generator reseeded with (seed, step), the
// schedule's state is the step, a checkpoint holds the model, the optimiser
// and the counters, and metrics.csv is cut back to the checkpoint's step, so
// a resumed run rewrites its rows identically. The stages keep their part:
// a data order that is a function of (seed, epoch) and eval-mode
// validation and previews that draw nothing random.

#include "core/train/torch_run_loop.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "core/io/tensorboard_writer.h"

namespace synthforge::train {

void clearGradients(torch::optim::Optimizer& optimizer) {
    for (auto& group : optimizer.param_groups())
        for (auto& p : group.params()) p.mutable_grad().reset();
}

bool isValidationStep(const RunConfigCommon& c, int64_t step, int64_t totalSteps) {
    const int64_t every = c.valEvery > 0 ? c.valEvery : c.checkpointEvery;
    return step % every == 0 || step == totalSteps;
}

namespace {

/// Validations after the best one up to `step`: a function of the counters,
/// so a resumed run needs no extra checkpoint field for early stopping.
int64_t validationsSinceBest(const RunConfigCommon& c, int64_t step, int64_t bestStep) {
    const int64_t every = c.valEvery > 0 ? c.valEvery : c.checkpointEvery;
    return step / every - bestStep / every;
}

bool shouldStopEarly(const RunConfigCommon& c, const TrainState& s) {
    return c.earlyStopPatience > 0 && s.bestStep >= 0 &&
           validationsSinceBest(c, s.step, s.bestStep) >= c.earlyStopPatience;
}

}  // namespace

RunLoopResult runTrainingLoop(const RunDirectory& run, const RunConfigCommon& c, const RunLoopSpec& spec,
                              torch::nn::Module& model, torch::optim::Optimizer& optimizer, const RunLoopHooks& hooks,
                              jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    if (spec.lrScales.size() != optimizer.param_groups().size())
        throw std::logic_error("runTrainingLoop: one lr scale per optimiser parameter group");
    if (spec.valMetrics.empty() || spec.bestMetric >= spec.valMetrics.size())
        throw std::logic_error("runTrainingLoop: bestMetric must index valMetrics");
    const CheckpointStore& store = run.checkpoints();
    std::string header = "step,epoch";
    for (const RunMetric& m : spec.metrics) header += ',' + m.column;
    header += ",grad_norm";
    for (const RunMetric& m : spec.valMetrics) header += ',' + m.column;
    header += '\n';

    TrainState state;
    RunLoopResult result;
    if (c.resume && store.latestStep() >= 0) {
        state = store.load(store.latestStep(), model, optimizer);
        result.resumedFrom = state.step;
    }
    run.restartMetrics(header, state.step);
    io::TensorBoardWriter tb(run.path().string());
    // The best score is stored signed so that lower is always better.
    const double sign = spec.bestHigherIsBetter ? -1.0 : 1.0;
    std::vector<torch::Tensor> parameters = model.parameters();

    jobs::ProgressTracker tracker(progress, spec.job, static_cast<uint64_t>(spec.totalSteps));
    if (state.step > 0) tracker.advance(static_cast<uint64_t>(state.step));
    model.train();
    bool stopEarly = shouldStopEarly(c, state);
    while (state.step < spec.totalSteps && !stopEarly) {
        const int64_t step = state.step;
        // Every random draw of the step from (seed, step) only, so the
        // generator's state needs no checkpoint.
        torch::manual_seed(c.seed * 1000003ull + static_cast<uint64_t>(step) + 1);
        const double lr = scheduledLr(c, step, spec.totalSteps);
        for (size_t g = 0; g < spec.lrScales.size(); ++g)
            optimizer.param_groups()[g].options().set_lr(spec.lrScales[g] * lr);

        clearGradients(optimizer);
        const StepReport report = hooks.step(step, lr);
        if (report.values.size() != spec.metrics.size())
            throw std::logic_error("runTrainingLoop: the step reported " + std::to_string(report.values.size()) +
                                   " values for " + std::to_string(spec.metrics.size()) + " metrics");
        // The norm before clipping, reported either way: it is what users
        // look at to choose a clipping threshold or spot a diverging run.
        const double gradNorm =
            torch::nn::utils::clip_grad_norm_(parameters, c.gradClip > 0 ? c.gradClip : INFINITY);
        optimizer.step();
        state.step = step + 1;

        std::vector<double> val(spec.valMetrics.size(), NAN);
        bool improved = false;
        if (isValidationStep(c, state.step, spec.totalSteps)) {
            val = hooks.validate();
            if (val.size() != spec.valMetrics.size())
                throw std::logic_error("runTrainingLoop: validation reported " + std::to_string(val.size()) +
                                       " values for " + std::to_string(spec.valMetrics.size()) + " metrics");
            const double score = sign * val[spec.bestMetric];
            if (std::isfinite(score) &&
                (state.bestStep < 0 || score < state.bestScore - c.earlyStopMinDelta)) {
                state.bestScore = score;
                state.bestStep = state.step;
                improved = true;
            }
            stopEarly = shouldStopEarly(c, state);
        }
        std::string row = std::to_string(state.step) + ',' + std::to_string(report.epoch);
        for (double v : report.values) row += ',' + formatMetric(v);
        row += ',' + formatMetric(gradNorm);
        for (double v : val) row += ',' + (std::isfinite(v) ? formatMetric(v) : std::string());
        run.appendMetrics(row);
        for (size_t i = 0; i < spec.metrics.size(); ++i) tb.addScalar(spec.metrics[i].tag, report.values[i], state.step);
        tb.addScalar("train/grad_norm", gradNorm, state.step);
        for (size_t i = 0; i < val.size(); ++i)
            if (std::isfinite(val[i])) tb.addScalar(spec.valMetrics[i].tag, val[i], state.step);
        if (c.imageEvery > 0 && state.step % c.imageEvery == 0) tb.addImage("val/predictions", hooks.preview(), state.step);
        const double total = report.values.empty() ? 0.0 : report.values.front();
        result.lastLoss = total;

        const bool stopping = cancel && cancel->cancelled();
        if (state.step % c.checkpointEvery == 0 || state.step == spec.totalSteps || improved || stopEarly || stopping) {
            store.save(state, model, optimizer);
            tb.flush();
        }
        tracker.setMessage("loss " + formatMetric(total));
        tracker.advance();
        if (stopping) throw jobs::Cancelled();
    }
    result.stoppedEarly = stopEarly && state.step < spec.totalSteps;
    if (result.stoppedEarly) tracker.setMessage("stopped early at step " + std::to_string(state.step));
    tracker.finish();

    result.finalWeights = run.finalWeightsPath().string();
    hooks.saveFinal(result.finalWeights);
    result.steps = state.step;
    if (state.bestStep >= 0) {
        result.bestStep = state.bestStep;
        result.bestScore = sign * state.bestScore;
        result.bestWeights = (run.path() / "best.safetensors").string();
        if (spec.bestMetric == 0) result.bestValLoss = result.bestScore;
        store.loadBest(model, optimizer);
        hooks.saveFinal(result.bestWeights);
    }
    return result;
}

}  // namespace synthforge::train
