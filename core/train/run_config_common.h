#pragma once
// What a Stage I run (trainer.h) and a Stage II run (finetune.h) are both
// configured by, and the checks and config.json fields that go with it, so
// that both commands name the same mistakes with the same words and store
// the shared part of their identity the same way. No torch types: the CLI
// includes this through trainer.h and finetune.h.

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace synthforge::train {

struct RunConfigCommon {
    std::string data;              ///< dataset folder (each stage's header says which kind)
    std::string out;               ///< run directory
    int64_t epochs = 10;
    int64_t batch = 8;
    int64_t size = 256;            ///< square training resolution (>= 64)
    uint64_t seed = 0;
    double lr;                     ///< start of the cosine schedule; each stage sets its default
    double minLr = 1e-5;           ///< end of the cosine schedule
    double weightDecay = 1e-2;     ///< AdamW's default
    double valFraction = 0.1;      ///< without official splits the last ceil(n * f) samples validate (none when n < 2)
    /// Augmentation of the training samples (core/train/augment.h,
    /// docs/augmentation.md): "none", "default" (AugmentConfig's documented
    /// defaults) or a JSON config file. The resolved settings are part of the
    /// run's identity (config.json); validation samples are never augmented.
    std::string augment = "none";
    int workers = 2;               ///< loader threads (0 = load on the training thread); results do not depend on it
    int prefetch = 4;              ///< batches loaded ahead
    int64_t checkpointEvery = 100; ///< optimiser steps between checkpoints (one is also written at the end)
    int64_t keepCheckpoints = 3;   ///< the last k step checkpoints stay; best.pt is kept besides
    int64_t imageEvery = 0;        ///< steps between TensorBoard prediction grids; 0 = never
    std::string device = "auto";   ///< auto | cpu | cuda (not part of the run's identity)
    int threads = 0;               ///< torch intra-op threads; 0 = leave torch's default
    bool resume = false;

protected:
    explicit RunConfigCommon(double defaultLr) : lr(defaultLr) {}
};

/// std::invalid_argument "<field>: <why>" unless `ok`.
void checkRunField(bool ok, const std::string& field, const std::string& why);

/// Checks the shared fields (std::invalid_argument naming the first bad
/// one). `sizeReason` says why the size must be at least 64 for the stage's
/// network.
void validateRunCommon(const RunConfigCommon& c, const std::string& sizeReason);

/// config.json fields, in the order both stages write them:
/// format, version, stage, data (absolute).
void putRunIdentity(nlohmann::ordered_json& j, const std::string& stage, const RunConfigCommon& c);
/// epochs, batch, size.
void putRunBatching(nlohmann::ordered_json& j, const RunConfigCommon& c);
/// The cosine schedule: {"name": "cosine", "min_lr": ...}.
void putRunSchedule(nlohmann::ordered_json& j, const RunConfigCommon& c);
/// val_fraction, checkpoint_every, keep_checkpoints, image_every and the
/// resolved augmentation. Reads the augmentation file; std::runtime_error
/// naming it and the field when it is bad.
void putRunTail(nlohmann::ordered_json& j, const RunConfigCommon& c);

}  // namespace synthforge::train
