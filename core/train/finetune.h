#pragma once
// Stage II label fine-tuning (docs/training.md "Stage II"): the
// Stage I network is frozen and small task heads learn to map its
// predictions to a real benchmark's label definitions (300-W's 68 landmarks,
// LaPa's 11 classes + 106 landmarks, CelebAMask-HQ's 19 classes). This header
// has no torch types, so the CLI includes no LibTorch; the implementation is
// core/train/torch_finetune.cpp.
//
// The run directory is laid out as `synthforge train`'s (config.json,
// checkpoints/, metrics.csv, a TensorBoard event file, final.safetensors,
// which holds the heads only, plus the Stage I weights' path and hash in its
// metadata) and resumes exactly in the same way.

#include <cstdint>
#include <string>

#include "core/jobs/progress.h"
#include "core/train/run_config_common.h"

namespace synthforge::train {

/// Stage II settings; the fields both stages share (data, out, epochs,
/// batch, size, seed, lr, schedule, split, augmentation, loader,
/// checkpoints, device) are RunConfigCommon's. Here `data` is a benchmark
/// folder in its official layout (docs/datasets.md), `size` the square crop
/// resolution, and `lr` AdamW's rate on the heads (default 1e-3), cosine to
/// minLr; validation crops are never augmented.
struct FinetuneConfig : RunConfigCommon {
    FinetuneConfig() : RunConfigCommon(1e-3) {}

    std::string format;            ///< "300w", "lapa" or "celebamask-hq"
    std::string stage1;            ///< Stage I weights (.safetensors) or a Stage I run directory (its final.safetensors)
    int64_t numClasses = 0;        ///< 0: the format's; otherwise it must equal the format's (a guard against mix-ups)
    bool useFeatures = false;      ///< also feed the Stage I backbone features to the heads
    double margin = 0.25;          ///< crop margin on each side, as a fraction of the face box's longer side
    double depthWeight = 0.5;      ///< applies only to batches with a depth target (none of the three benchmarks has one)
    double segWeight = 1.0;
    double kpsWeight = 0.2;        ///< on keypoint L2 + heatmap cross-entropy

    /// The run's identity as config.json stores it (everything but device,
    /// threads, workers, prefetch and resume). It includes the Stage I weights' absolute path
    /// and content hash, so a resume against other Stage I weights is refused.
    /// Reads the Stage I file; std::runtime_error naming it when missing.
    std::string toJson() const;
};

struct FinetuneResult {
    int64_t steps = 0;
    int64_t resumedFrom = 0;
    int64_t trainSamples = 0, valSamples = 0;
    std::string split;             ///< how the validation split was chosen (official folders, mapping, last fraction)
    double lastLoss = 0;
    double bestValLoss = 0;        ///< 0 without a validation split
    std::string finalWeights;      ///< path of final.safetensors (the heads)
};

/// Runs Stage II. Throws std::invalid_argument for bad options (naming the
/// field), std::runtime_error naming the file for missing/corrupt Stage I
/// weights, datasets or checkpoints and for an unusable run directory, and
/// jobs::Cancelled after writing a checkpoint of the current step when
/// `cancel` fires. The Stage I file is only read.
FinetuneResult finetuneStageTwo(const FinetuneConfig& config, jobs::ProgressSink* progress = nullptr,
                                const jobs::CancelToken* cancel = nullptr);

/// The formats finetune accepts, for messages: "300w, lapa, celebamask-hq".
const char* finetuneFormats();

/// Every check of a Stage II config that needs no file: the shared run
/// values, the format, the class count against the format, the best metric,
/// margin and loss weights. std::invalid_argument naming the field.
void validateFinetuneConfig(const FinetuneConfig& c);

}  // namespace synthforge::train
