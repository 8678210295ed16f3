#pragma once
// What a Stage I run (trainer.h) and a Stage II run (finetune.h) are both
// configured by, and the checks and config.json fields that go with it, so
// that both commands name the same mistakes with the same words and store
// the shared part of their identity the same way. config.json is also the
// schema of `--config FILE`: readRunCommon reads back what putRun* write.
// No torch types: the CLI includes this through trainer.h and finetune.h.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace synthforge::io {
class JsonFields;
}

namespace synthforge::train {

/// config.json's "version": 2 added betas/eps, warm-up, the schedule name,
/// gradient clipping, validation and (Stage I) recipes and loss weights.
constexpr int kRunConfigVersion = 2;

struct RunConfigCommon {
    std::string data;              ///< dataset folder (each stage's header says which kind)
    std::string out;               ///< run directory
    int64_t epochs = 10;
    int64_t batch = 8;
    int64_t size = 256;            ///< square training resolution (>= 64)
    /// "fp32", or "bf16": forward passes under autocast to bfloat16
    /// (core/train/torch_autocast.h). Part of the run's identity; config.json
    /// names it only when it is not fp32.
    std::string precision = "fp32";
    uint64_t seed = 0;
    double lr;                     ///< peak rate (after warm-up); each stage sets its default
    double minLr = 1e-5;           ///< end of the decay (cosine, linear); unused by constant
    double weightDecay = 1e-2;     ///< AdamW's default
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  ///< AdamW's
    /// The decay after warm-up: "cosine" (from lr to minLr), "linear" (same
    /// ends), "constant" (lr) or "step" (lr times gamma at each milestone).
    std::string schedule = "cosine";
    /// "step": where the rate drops, as fractions of the run's steps, and by
    /// what factor. The default is the AdaFace recipe's epochs 12, 20 and 24
    /// of 26, times 0.1.
    std::vector<double> milestones{12.0 / 26, 20.0 / 26, 24.0 / 26};
    double gamma = 0.1;
    int64_t warmupSteps = 0;       ///< linear ramp lr/W, 2lr/W, ..., lr over the first W steps
    double gradClip = 0;           ///< maximum global L2 norm of the gradients; 0 = no clipping
    double valFraction = 0.1;      ///< without official splits the last ceil(n * f) samples validate (none when n < 2)
    int64_t valEvery = 0;          ///< optimiser steps between validations; 0 = at every checkpoint
    /// What chooses checkpoints/best.pt (and best.safetensors): "loss" (the
    /// validation loss), or for Stage I "nme", "miou" (higher is better) or
    /// "depth_l1".
    std::string bestMetric = "loss";
    /// Stop after this many validations without an improvement of the best
    /// metric by more than earlyStopMinDelta; 0 = never stop early.
    int64_t earlyStopPatience = 0;
    double earlyStopMinDelta = 0;
    /// Augmentation of the training samples (core/train/augment.h,
    /// docs/augmentation.md): "none", "default" (AugmentConfig's documented
    /// defaults), a JSON config file or inline JSON ("{...}", as config.json
    /// stores it). The resolved settings are part of the run's identity;
    /// validation samples are never augmented.
    std::string augment = "none";
    int workers = 2;               ///< loader threads (0 = load on the training thread); results do not depend on it
    int prefetch = 4;              ///< batches loaded ahead
    int64_t checkpointEvery = 100; ///< optimiser steps between checkpoints (one is also written at the end)
    int64_t keepCheckpoints = 3;   ///< the last k step checkpoints stay; best.pt is kept besides
    int64_t imageEvery = 0;        ///< steps between TensorBoard prediction grids; 0 = never
    std::string device = "auto";   ///< auto | cpu | cuda (not part of the run's identity)
    int threads = 0;               ///< torch intra-op threads; 0 = leave torch's default
    bool resume = false;
    /// Data-parallel runs (docs/distributed.md): BatchNorm layers normalise
    /// over every rank's batch (PyTorch's SyncBatchNorm) instead of each
    /// rank's own (DistributedDataParallel's default, and ours). Part of the
    /// run's identity; config.json names it only when set.
    bool syncBatchNorm = false;
    /// Seconds a rank waits at the rendezvous and at each collective before
    /// it gives up on a rank that died or hangs (PyTorch's default, 30 min:
    /// a checkpoint write or rank 0's set-up may keep the others waiting).
    /// Not part of the run's identity.
    double distTimeout = 1800;

protected:
    explicit RunConfigCommon(double defaultLr) : lr(defaultLr) {}
};

/// The precisions a run can train in: "fp32" and "bf16".
bool isKnownPrecision(const std::string& name);

/// std::invalid_argument "<field>: <why>" unless `ok`.
void checkRunField(bool ok, const std::string& field, const std::string& why);

/// Checks the shared fields (std::invalid_argument naming the first bad
/// one). `sizeReason` says why the size must be at least 64 for the stage's
/// network.
void validateRunCommon(const RunConfigCommon& c, const std::string& sizeReason);
/// The same without requiring data and out: the checks a config file can
/// be held to before the command line fills those in.
void validateRunValues(const RunConfigCommon& c, const std::string& sizeReason);

/// The base learning rate of optimiser step `step` (0-based) of `total`:
/// the warm-up ramp, then the schedule from lr (at step warmupSteps) to
/// minLr (at step total).
double scheduledLr(const RunConfigCommon& c, int64_t step, int64_t total);

/// config.json fields, in the order both stages write them:
/// format, version, stage, data (absolute).
void putRunIdentity(nlohmann::ordered_json& j, const std::string& stage, const RunConfigCommon& c);
/// epochs, batch, size (and precision unless fp32).
void putRunBatching(nlohmann::ordered_json& j, const RunConfigCommon& c);
/// {"name": "adamw", "lr", "weight_decay", "betas", "eps"}; a stage adds its own keys.
nlohmann::ordered_json runOptimizerJson(const RunConfigCommon& c);
/// {"name", "min_lr", "warmup_steps"} (plus "milestones" and "gamma" for
/// the step schedule), and grad_clip.
void putRunSchedule(nlohmann::ordered_json& j, const RunConfigCommon& c);
/// val_fraction, validation {every, best_metric, early_stop_patience,
/// early_stop_min_delta}, checkpoint_every, keep_checkpoints, image_every
/// and the resolved augmentation. Reads the augmentation file;
/// std::runtime_error naming it and the field when it is bad.
void putRunTail(nlohmann::ordered_json& j, const RunConfigCommon& c);

/// Reads every shared field present in a config file (format, version and
/// `stage` checked, data, seed, optimizer.{lr, weight_decay, betas, eps},
/// schedule, grad_clip, validation, the tail) into `c`; absent fields keep
/// their values. Type errors name the file and key (std::runtime_error).
void readRunCommon(io::JsonFields& fields, const std::string& stage, RunConfigCommon& c);

}  // namespace synthforge::train
