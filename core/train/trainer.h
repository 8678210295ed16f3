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

#include "core/jobs/progress.h"
#include "core/train/run_config_common.h"

namespace synthforge::train {

/// Stage I settings; the fields both stages share (data, out, epochs, batch,
/// size, seed, lr, schedule, split, augmentation, loader, checkpoints,
/// device) are RunConfigCommon's. Here `data` is a dataset folder
/// (docs/dataset.md), `lr` the heads' rate (default 1e-4; the backbone gets
/// lr * backboneLrScale, and minLr is scaled for it too).
struct TrainConfig : RunConfigCommon {
    TrainConfig() : RunConfigCommon(1e-4) {}

    std::string preset = "small";  ///< MultiTaskNetOptions::preset
    int64_t accumulate = 1;        ///< micro-batches per optimiser step
    double backboneLrScale = 0.1;

    /// The identity of the run as JSON (everything but device, threads,
    /// workers, prefetch and resume), as config.json stores it. Reads the
    /// augmentation file; throws std::runtime_error naming it and the field.
    std::string toJson() const;
};

struct TrainResult {
    int64_t steps = 0;             ///< optimiser steps done in total
    int64_t resumedFrom = 0;       ///< step of the checkpoint this process started from (0 = fresh)
    double lastLoss = 0;           ///< total loss of the last step
    double bestValLoss = 0;        ///< NaN-free; 0 without a validation split
    std::string finalWeights;      ///< path of final.safetensors
};

/// Trains, writing the run directory. Throws std::invalid_argument for bad
/// options (naming the field), std::runtime_error naming the file for bad
/// data or an unusable run directory (a fresh run into a folder that holds
/// a run, a resume whose config.json differs: the differing fields are
/// named), and jobs::Cancelled after writing a checkpoint of the current
/// step when `cancel` fires.
TrainResult trainStageOne(const TrainConfig& config, jobs::ProgressSink* progress = nullptr,
                          const jobs::CancelToken* cancel = nullptr);

}  // namespace synthforge::train
