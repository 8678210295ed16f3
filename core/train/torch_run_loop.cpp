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

RunLoopResult runTrainingLoop(const RunDirectory& run, const RunConfigCommon& c, const RunLoopSpec& spec,
                              torch::nn::Module& model, torch::optim::Optimizer& optimizer, const RunLoopHooks& hooks,
                              jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    if (spec.lrScales.size() != optimizer.param_groups().size())
        throw std::logic_error("runTrainingLoop: one lr scale per optimiser parameter group");
    const CheckpointStore& store = run.checkpoints();
    std::string header = "step,epoch";
    for (const RunMetric& m : spec.metrics) header += ',' + m.column;
    header += ",val_total\n";

    TrainState state;
    RunLoopResult result;
    if (c.resume && store.latestStep() >= 0) {
        state = store.load(store.latestStep(), model, optimizer);
        result.resumedFrom = state.step;
    }
    run.restartMetrics(header, state.step);
    io::TensorBoardWriter tb(run.path().string());

    jobs::ProgressTracker tracker(progress, spec.job, static_cast<uint64_t>(spec.totalSteps));
    if (state.step > 0) tracker.advance(static_cast<uint64_t>(state.step));
    model.train();
    while (state.step < spec.totalSteps) {
        const int64_t step = state.step;
        // Every random draw of the step from (seed, step) only, so the
        // generator's state needs no checkpoint.
        torch::manual_seed(c.seed * 1000003ull + static_cast<uint64_t>(step) + 1);
        const double lr = cosineLr(c.lr, c.minLr, step, spec.totalSteps);
        for (size_t g = 0; g < spec.lrScales.size(); ++g)
            optimizer.param_groups()[g].options().set_lr(spec.lrScales[g] * lr);

        optimizer.zero_grad();
        const StepReport report = hooks.step(step, lr);
        if (report.values.size() != spec.metrics.size())
            throw std::logic_error("runTrainingLoop: the step reported " + std::to_string(report.values.size()) +
                                   " values for " + std::to_string(spec.metrics.size()) + " metrics");
        optimizer.step();
        state.step = step + 1;

        const bool checkpointNow = state.step % c.checkpointEvery == 0 || state.step == spec.totalSteps;
        const double val = checkpointNow ? hooks.validate() : NAN;
        if (std::isfinite(val) && (state.bestStep < 0 || val < state.bestValLoss)) {
            state.bestValLoss = val;
            state.bestStep = state.step;
        }
        std::string row = std::to_string(state.step) + ',' + std::to_string(report.epoch);
        for (double v : report.values) row += ',' + formatMetric(v);
        run.appendMetrics(row + ',' + (std::isfinite(val) ? formatMetric(val) : ""));
        for (size_t i = 0; i < spec.metrics.size(); ++i) tb.addScalar(spec.metrics[i].tag, report.values[i], state.step);
        if (std::isfinite(val)) tb.addScalar("val/total", val, state.step);
        if (c.imageEvery > 0 && state.step % c.imageEvery == 0) tb.addImage("val/predictions", hooks.preview(), state.step);
        const double total = report.values.empty() ? 0.0 : report.values.front();
        result.lastLoss = total;

        const bool stopping = cancel && cancel->cancelled();
        if (checkpointNow || stopping) {
            store.save(state, model, optimizer);
            tb.flush();
        }
        tracker.setMessage("loss " + formatMetric(total));
        tracker.advance();
        if (stopping) throw jobs::Cancelled();
    }
    tracker.finish();

    result.finalWeights = run.finalWeightsPath().string();
    hooks.saveFinal(result.finalWeights);
    result.steps = state.step;
    result.bestValLoss = state.bestStep >= 0 ? state.bestValLoss : 0;
    return result;
}

}  // namespace synthforge::train
