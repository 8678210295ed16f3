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
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include "core/io/tensorboard_writer.h"
#include "core/train/torch_data_parallel.h"
#include "core/train/torch_sync_batch_norm.h"

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

    DataParallel oneProcess;
    DataParallel& dp = spec.parallel ? *spec.parallel : oneProcess;
    const bool writes = dp.writes();

    TrainState state;
    RunLoopResult result;
    if (c.resume) {
        // Every rank resumes from the checkpoint rank 0 found newest.
        const auto step = static_cast<int64_t>(dp.broadcastValues({static_cast<double>(store.latestStep())}).front());
        if (step >= 0) {
            if (!std::filesystem::exists(store.pathOf(step)))
                throw std::runtime_error("rank " + std::to_string(dp.rank()) + ": " + store.pathOf(step) +
                                         ", the checkpoint rank 0 resumes from, is missing here: the run directory "
                                         "must be on a filesystem every rank sees");
            state = store.load(step, model, optimizer);
            result.resumedFrom = state.step;
        }
    }
    // Every rank starts from rank 0's weights and buffers.
    dp.broadcastState(model);
    std::optional<io::TensorBoardWriter> tb;
    if (writes) {
        run.restartMetrics(header, state.step);
        tb.emplace(run.path().string());
    }
    const std::unique_ptr<SyncBatchNormScope> batchNorm = dp.batchNormScope();
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
        StepReport report = hooks.step(step, lr);
        if (report.values.size() != spec.metrics.size())
            throw std::logic_error("runTrainingLoop: the step reported " + std::to_string(report.values.size()) +
                                   " values for " + std::to_string(spec.metrics.size()) + " metrics");
        // Data-parallel: the ranks' mean values and gradients, and whether
        // any rank was asked to stop (so all stop after this step).
        const StepConsensus agreed = dp.finishBackward(report.values, cancel && cancel->cancelled(), parameters);
        report.values = agreed.values;
        // The norm before clipping, reported either way: it is what users
        // look at to choose a clipping threshold or spot a diverging run.
        const double gradNorm =
            torch::nn::utils::clip_grad_norm_(parameters, c.gradClip > 0 ? c.gradClip : INFINITY);
        optimizer.step();
        dp.broadcastBuffers(model);  // BatchNorm running statistics: rank 0's, as DDP's broadcast_buffers
        state.step = step + 1;

        std::vector<double> val(spec.valMetrics.size(), NAN);
        bool improved = false;
        if (isValidationStep(c, state.step, spec.totalSteps)) {
            val = hooks.validate();
            if (val.size() != spec.valMetrics.size())
                throw std::logic_error("runTrainingLoop: validation reported " + std::to_string(val.size()) +
                                       " values for " + std::to_string(spec.valMetrics.size()) + " metrics");
            // Every rank validated the same weights; rank 0's values decide,
            // so that best checkpoints and early stopping agree everywhere.
            val = dp.broadcastValues(val);
            const double score = sign * val[spec.bestMetric];
            if (std::isfinite(score) &&
                (state.bestStep < 0 || score < state.bestScore - c.earlyStopMinDelta)) {
                state.bestScore = score;
                state.bestStep = state.step;
                improved = true;
            }
            stopEarly = shouldStopEarly(c, state);
        }
        if (writes) {
            std::string row = std::to_string(state.step) + ',' + std::to_string(report.epoch);
            for (double v : report.values) row += ',' + formatMetric(v);
            row += ',' + formatMetric(gradNorm);
            for (double v : val) row += ',' + (std::isfinite(v) ? formatMetric(v) : std::string());
            run.appendMetrics(row);
            for (size_t i = 0; i < spec.metrics.size(); ++i)
                tb->addScalar(spec.metrics[i].tag, report.values[i], state.step);
            tb->addScalar("train/grad_norm", gradNorm, state.step);
            for (size_t i = 0; i < val.size(); ++i)
                if (std::isfinite(val[i])) tb->addScalar(spec.valMetrics[i].tag, val[i], state.step);
            if (c.imageEvery > 0 && state.step % c.imageEvery == 0)
                tb->addImage("val/predictions", hooks.preview(), state.step);
        }
        const double total = report.values.empty() ? 0.0 : report.values.front();
        result.lastLoss = total;

        // One process looks again now (a Ctrl+C during validation stops this
        // step); ranks keep what they agreed after backward, so that all
        // stop after the same step.
        const bool stopping = dp.distributed() ? agreed.stop : cancel && cancel->cancelled();
        if (writes &&
            (state.step % c.checkpointEvery == 0 || state.step == spec.totalSteps || improved || stopEarly || stopping)) {
            store.save(state, model, optimizer);
            tb->flush();
        }
        tracker.setMessage("loss " + formatMetric(total));
        tracker.advance();
        if (stopping) throw jobs::Cancelled();
    }
    result.stoppedEarly = stopEarly && state.step < spec.totalSteps;
    if (result.stoppedEarly) tracker.setMessage("stopped early at step " + std::to_string(state.step));
    tracker.finish();

    result.finalWeights = run.finalWeightsPath().string();
    if (writes) hooks.saveFinal(result.finalWeights);
    result.steps = state.step;
    if (state.bestStep >= 0) {
        result.bestStep = state.bestStep;
        result.bestScore = sign * state.bestScore;
        result.bestWeights = (run.path() / "best.safetensors").string();
        if (spec.bestMetric == 0) result.bestValLoss = result.bestScore;
        if (writes) {
            store.loadBest(model, optimizer);
            hooks.saveFinal(result.bestWeights);
        }
    }
    // The others wait until rank 0's files are complete, so that a launcher
    // seeing every rank exit finds a finished run.
    dp.barrier();
    return result;
}

}  // namespace synthforge::train
