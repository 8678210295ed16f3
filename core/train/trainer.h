#pragma once
// Stage I training runs (docs/training.md "Runs"). This header has
// no torch types, so the CLI (and later the studio) can start a run without
// including LibTorch; the implementation is core/train/torch_trainer.cpp, in
// synthforge_torch.
//
// A run directory holds config.json, checkpoints/, metrics.csv, a TensorBoard
// event file and final.safetensors. A run stopped at any moment (Ctrl+C,
// SIGKILL) continues with resume = true from its last checkpoint, and its
// metrics and weights end identical to an uninterrupted run's (CPU, same
// thread count).

#include <cstdint>
#include <string>
#include <vector>

#include "core/jobs/progress.h"
#include "core/train/run_config_common.h"

namespace synthforge::train {

/// Weights of the Stage I loss terms and the settings they depend on
/// (MultiTaskLossOptions; docs/training.md "Losses").
struct StageOneLossWeights {
    double segmentation = 1.0, depth = 1.0, keypoints = 1.0, heatmap = 1.0, equivariance = 1.0;
    double dice = 0.0;               ///< soft Dice on the segmentation, besides its cross-entropy
    /// Class balance of the segmentation cross-entropy: each pixel weighed by
    /// (median class frequency / its class's frequency)^classBalance, the
    /// frequencies counted in the batch; 0 = plain mean. config.json names it
    /// only when it is not 0.
    double classBalance = 0.0;
    double heatmapSigma = 1.0;       ///< heatmap pixels
    double maxAngle = 1.0;           ///< equivariance rotations: radians, uniform in +-maxAngle
    double maxShift = 1.0 / 3.0;     ///< equivariance shifts: fraction of the image height
};

/// Stage I settings; the fields both stages share (data, out, epochs, batch,
/// size, seed, optimiser, schedule, validation, augmentation, loader,
/// checkpoints, device) are RunConfigCommon's. Here `data` is a dataset folder
/// (docs/dataset.md), `lr` the heads' rate (the backbone gets
/// lr * backboneLrScale, and minLr is scaled for it too). A default-built
/// config holds the "fast" recipe.
struct TrainConfig : RunConfigCommon {
    TrainConfig();

    /// The recipe the settings started from ("fast" or "paper"); recorded in
    /// config.json, where the resolved values are what counts.
    std::string recipe = "fast";
    std::string preset = "small";  ///< MultiTaskNetOptions::preset
    int64_t accumulate = 1;        ///< micro-batches per optimiser step
    double backboneLrScale = 1.0;
    StageOneLossWeights losses;

    /// The identity of the run as JSON (everything but device, threads,
    /// workers, prefetch and resume), as config.json stores it. Reads the
    /// augmentation file; throws std::runtime_error naming it and the field.
    /// trainConfigFromJson reads it back to an equal config.
    std::string toJson() const;
};

/// The named recipes, for messages: "fast, paper".
const char* trainRecipes();
/// A config holding recipe `name`'s settings and the other defaults:
/// - "paper": SynthForge's schedule (lr 1e-4, backbone at 0.1x, cosine to
///   1e-5, no warm-up, every loss weight 1, validation at checkpoints);
/// - "fast": tuned so that a CPU user sees a model learn within minutes
///   (docs/training.md "Recipes" has the values and the measurements).
/// std::invalid_argument naming the field for an unknown name.
TrainConfig trainRecipe(const std::string& name);

/// Checks every field but data and out (std::invalid_argument naming it).
void validateTrainValues(const TrainConfig& c);
/// Checks every field (std::invalid_argument naming the first bad one).
void validateTrainConfig(const TrainConfig& c);
/// The training samples of a dataset of `samples` (the rest validate, by
/// val_fraction); std::invalid_argument naming "batch" when batch x
/// accumulate does not fit them even once.
int64_t trainingSamplesFor(const TrainConfig& c, int64_t samples);

/// Reads a config file in config.json's schema: it starts from the recipe
/// `recipe` (when empty: the file's "recipe", else "fast"), and every key
/// present replaces that field. Unknown keys, values of the wrong type or out
/// of range are std::runtime_error naming `source` and the key.
TrainConfig trainConfigFromJson(const std::string& text, const std::string& source, const std::string& recipe = "");
/// The same for a file (read with its size capped); errors name the path.
TrainConfig readTrainConfigFile(const std::string& path, const std::string& recipe = "");

struct TrainResult {
    int64_t steps = 0;             ///< optimiser steps done in total
    int64_t resumedFrom = 0;       ///< step of the checkpoint this process started from (0 = fresh)
    double lastLoss = 0;           ///< total loss of the last step
    double bestValLoss = 0;        ///< NaN-free; 0 without a validation split
    double bestScore = 0;          ///< the best value of bestMetric (NaN without a validation split)
    int64_t bestStep = -1;         ///< the step of best.pt; -1 without a validation split
    bool stoppedEarly = false;     ///< early stopping ended the run before its last step
    std::string finalWeights;      ///< path of final.safetensors
    std::string bestWeights;       ///< path of best.safetensors ("" without a validation split)
};

/// Trains, writing the run directory. Throws std::invalid_argument for bad
/// options (naming the field), std::runtime_error naming the file for bad
/// data or an unusable run directory (a fresh run into a folder that holds
/// a run, a resume whose config.json differs: the differing fields are
/// named), and jobs::Cancelled after writing a checkpoint of the current
/// step when `cancel` fires.
TrainResult trainStageOne(const TrainConfig& config, jobs::ProgressSink* progress = nullptr,
                          const jobs::CancelToken* cancel = nullptr);

/// The learning-rate range test (`synthforge train --find-lr`,
/// docs/training.md "Finding a learning rate"): `steps` optimiser steps of
/// the configured run with the heads' rate growing exponentially from minLr
/// to maxLr (the backbone at backboneLrScale times it), stopping early when
/// the smoothed loss exceeds divergeFactor times its best.
struct LrRangeConfig {
    int64_t steps = 100;
    double minLr = 1e-7;
    double maxLr = 1.0;
    double smoothing = 0.9;      ///< exponential moving average factor of the loss (bias-corrected)
    double divergeFactor = 4.0;
};

struct LrRangeResult {
    std::vector<double> lr, loss, smoothed;  ///< per step taken
    double suggestion = 0;                   ///< the rate of the steepest descent of the smoothed loss
    int64_t suggestionIndex = -1;
    bool diverged = false;                   ///< the sweep stopped before its last step
    std::string csv, png, json;              ///< the files written into config.out
};

/// Runs the range test from the config's initial weights and writes
/// lr_find.csv (step, lr, loss, smoothed), lr_find.png (the smoothed loss
/// against log10 lr, the suggestion marked) and lr_find.json into `config.out`
/// (created; files there are replaced, nothing else is touched). Throws as
/// trainStageOne for bad options or data, std::invalid_argument naming the
/// field for a bad range, jobs::Cancelled when `cancel` fires.
LrRangeResult findLearningRate(const TrainConfig& config, const LrRangeConfig& range,
                               jobs::ProgressSink* progress = nullptr, const jobs::CancelToken* cancel = nullptr);

}  // namespace synthforge::train
