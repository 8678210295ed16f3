#pragma once
// The optimisation loop that Stage I training (torch_trainer.cpp) and
// Stage II fine-tuning (torch_finetune.cpp) share: resume from the latest
// checkpoint, the scheduled learning rate per step (warm-up, then cosine,
// linear or constant), torch's generator reseeded from (seed, step),
// gradient clipping, validation every valEvery steps with the best
// checkpoint chosen on one of its metrics and early stopping, a checkpoint
// every checkpointEvery steps and at the end, one metrics.csv row and the
// same values as TensorBoard scalars per step, prediction grids every
// imageEvery steps, progress, cancellation (a checkpoint of the current
// step, then jobs::Cancelled) and the final and best weights. Each stage supplies what differs: the forward and
// backward passes of a step, its validation loss, its preview grid and how
// its final weights are written. Torch types appear here, so only torch_*.cpp
// files may include it.

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include "core/jobs/progress.h"
#include "core/train/run_config_common.h"
#include "core/train/torch_run_directory.h"

namespace synthforge::train {

class DataParallel;

/// One value a step reports: its metrics.csv column (between `epoch` and
/// `val_total`) and its TensorBoard scalar tag.
struct RunMetric {
    std::string column;
    std::string tag;
};

/// What one optimiser step reports.
struct StepReport {
    int64_t epoch = 0;
    /// One value per RunLoopSpec::metrics entry, in that order; the first is
    /// the step's total loss (progress message, RunLoopResult::lastLoss).
    std::vector<double> values;
};

struct RunLoopSpec {
    std::string job;                 ///< progress stage name ("train", "finetune")
    int64_t totalSteps = 0;
    std::vector<RunMetric> metrics;  ///< the step's values; the first is the total loss
    /// What validation reports (columns after grad_norm); the first is the
    /// validation loss.
    std::vector<RunMetric> valMetrics{{"val_total", "val/total"}};
    /// The validation metric that chooses best.pt and drives early stopping,
    /// and whether higher values are better (mIoU) or lower (losses, NME).
    size_t bestMetric = 0;
    bool bestHigherIsBetter = false;
    /// Per optimiser parameter group: its rate is this times the scheduled one.
    std::vector<double> lrScales{1.0};
    /// The data-parallel job this rank belongs to (torch_data_parallel.h);
    /// null: one process. Every rank runs the loop; the step hook must train
    /// on the rank's own slice of the data (distributed_sampler.h).
    DataParallel* parallel = nullptr;
};

struct RunLoopHooks {
    /// Forward and backward passes of optimiser step `step` at scheduled rate
    /// `lr`: gradients are zeroed before and the optimiser steps after.
    std::function<StepReport(int64_t step, double lr)> step;
    /// One value per RunLoopSpec::valMetrics entry (NaN: not available, e.g.
    /// without a validation split). Must leave the model in training mode.
    std::function<std::vector<double>()> validate;
    /// The TensorBoard prediction grid (only called when imageEvery > 0).
    std::function<cv::Mat()> preview;
    /// Writes the final weights to `path` after the last step.
    std::function<void(const std::string& path)> saveFinal;
};

struct RunLoopResult {
    int64_t steps = 0;           ///< optimiser steps done in total
    int64_t resumedFrom = 0;     ///< step of the checkpoint this process started from (0 = fresh)
    double lastLoss = 0;         ///< total loss of the last step
    double bestValLoss = 0;      ///< the best validation loss when it chooses best.pt; else 0
    double bestScore = NAN;      ///< best value of the spec's bestMetric; NaN without a validation split
    int64_t bestStep = -1;       ///< the step best.pt holds; -1 without a validation split
    bool stoppedEarly = false;   ///< early stopping ended the run before totalSteps
    std::string finalWeights;    ///< path of final.safetensors (the last step's weights)
    std::string bestWeights;     ///< path of best.safetensors (best.pt's weights); "" when there is none
};

/// Drops every parameter's gradient (sets it to none, PyTorch 2's
/// `zero_grad()` default) instead of filling it with zeros, as LibTorch
/// 1.13's `zero_grad()` does: the next backward writes the gradients rather
/// than adding them to zeros, which saves a pass over every parameter.
void clearGradients(torch::optim::Optimizer& optimizer);

/// Whether step `step` (1-based count of steps done) validates: every
/// valEvery steps (every checkpointEvery when valEvery is 0) and the last.
bool isValidationStep(const RunConfigCommon& c, int64_t step, int64_t totalSteps);

/// Runs `spec.totalSteps` steps in `run` (resuming from its latest checkpoint
/// when c.resume) on `model` and `optimizer`, both built as the checkpoints
/// were. Rewrites metrics.csv from the resumed step on. Throws
/// jobs::Cancelled after checkpointing the current step when `cancel` fires.
/// With c.earlyStopPatience = P > 0 the run ends after P validations without
/// an improvement of the best metric by more than c.earlyStopMinDelta (a
/// resumed run that had already stopped ends at once). At the end `saveFinal`
/// writes final.safetensors, then, when a best checkpoint exists, best.pt's
/// weights are loaded into `model` and written to best.safetensors.
/// Data-parallel (spec.parallel): every rank resumes from rank 0's newest
/// checkpoint, starts from rank 0's weights, averages its gradients with the
/// others after each backward pass, validates (all ranks take rank 0's
/// values) and stops at the same step; only rank 0 writes anything.
RunLoopResult runTrainingLoop(const RunDirectory& run, const RunConfigCommon& c, const RunLoopSpec& spec,
                              torch::nn::Module& model, torch::optim::Optimizer& optimizer, const RunLoopHooks& hooks,
                              jobs::ProgressSink* progress, const jobs::CancelToken* cancel);

}  // namespace synthforge::train
