#pragma once
// The optimisation loop that Stage I training (torch_trainer.cpp) and
// Stage II fine-tuning (torch_finetune.cpp) share: resume from the latest
// checkpoint, the cosine learning rate per step, torch's generator reseeded
// from (seed, step), validation and a checkpoint every checkpointEvery steps
// and at the end, one metrics.csv row and the same values as TensorBoard
// scalars per step, prediction grids every imageEvery steps, progress,
// cancellation (a checkpoint of the current step, then jobs::Cancelled) and
// the final weights. Each stage supplies what differs: the forward and
// backward passes of a step, its validation loss, its preview grid and how
// its final weights are written. Torch types appear here, so only torch_*.cpp
// files may include it.

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
    /// Per optimiser parameter group: its rate is this times the scheduled one.
    std::vector<double> lrScales{1.0};
};

struct RunLoopHooks {
    /// Forward and backward passes of optimiser step `step` at scheduled rate
    /// `lr`: gradients are zeroed before and the optimiser steps after.
    std::function<StepReport(int64_t step, double lr)> step;
    /// Mean validation loss; NaN without a validation split. Must leave the
    /// model in training mode.
    std::function<double()> validate;
    /// The TensorBoard prediction grid (only called when imageEvery > 0).
    std::function<cv::Mat()> preview;
    /// Writes the final weights to `path` after the last step.
    std::function<void(const std::string& path)> saveFinal;
};

struct RunLoopResult {
    int64_t steps = 0;           ///< optimiser steps done in total
    int64_t resumedFrom = 0;     ///< step of the checkpoint this process started from (0 = fresh)
    double lastLoss = 0;         ///< total loss of the last step
    double bestValLoss = 0;      ///< 0 without a validation split
    std::string finalWeights;    ///< path of final.safetensors
};

/// Runs `spec.totalSteps` steps in `run` (resuming from its latest checkpoint
/// when c.resume) on `model` and `optimizer`, both built as the checkpoints
/// were. Rewrites metrics.csv from the resumed step on. Throws
/// jobs::Cancelled after checkpointing the current step when `cancel` fires.
RunLoopResult runTrainingLoop(const RunDirectory& run, const RunConfigCommon& c, const RunLoopSpec& spec,
                              torch::nn::Module& model, torch::optim::Optimizer& optimizer, const RunLoopHooks& hooks,
                              jobs::ProgressSink* progress, const jobs::CancelToken* cancel);

}  // namespace synthforge::train
