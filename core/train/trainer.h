#pragma once
// Stage I training runs (issue 7, docs/training.md "Runs"). This header has
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

namespace synthforge::train {

struct TrainConfig {
    std::string data;              ///< dataset folder (docs/dataset.md)
    std::string out;               ///< run directory
    std::string preset = "small";  ///< MultiTaskNetOptions::preset
    int64_t epochs = 10;
    int64_t batch = 8;
    int64_t size = 256;            ///< square training resolution
    int64_t accumulate = 1;        ///< micro-batches per optimiser step
    uint64_t seed = 0;
    double lr = 1e-4;              ///< heads; the backbone gets lr * backboneLrScale
    double backboneLrScale = 0.1;
    double minLr = 1e-5;           ///< end of the cosine schedule (scaled for the backbone too)
    double weightDecay = 1e-2;     ///< AdamW's default
    double valFraction = 0.1;      ///< the last ceil(n * f) samples validate (none when n < 2)
    int64_t checkpointEvery = 100; ///< optimiser steps between checkpoints (one is also written at the end)
    int64_t keepCheckpoints = 3;   ///< the last k step checkpoints stay; best.pt is kept besides
    int64_t imageEvery = 0;        ///< steps between TensorBoard image grids; 0 = never
    /// Augmentation (core/train/augment.h, docs/augmentation.md): "none",
    /// "default" (AugmentConfig's documented defaults) or a JSON config file.
    /// The resolved settings are part of the run's identity (config.json).
    std::string augment = "none";
    int workers = 2;               ///< loader threads (0 = load on the training thread); results do not depend on it
    int prefetch = 4;              ///< batches loaded ahead
    std::string device = "auto";   ///< auto | cpu | cuda (not part of the run's identity)
    int threads = 0;               ///< torch intra-op threads; 0 = leave torch's default
    bool resume = false;

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
