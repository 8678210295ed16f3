#pragma once
// Stage II label fine-tuning (issue 7, docs/training.md "Stage II"): the
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

namespace synthforge::train {

struct FinetuneConfig {
    std::string data;              ///< benchmark folder in its official layout (docs/datasets.md)
    std::string format;            ///< "300w", "lapa" or "celebamask-hq"
    std::string stage1;            ///< Stage I weights (.safetensors) or a Stage I run directory (its final.safetensors)
    std::string out;               ///< run directory
    int64_t numClasses = 0;        ///< 0: the format's; otherwise it must equal the format's (a guard against mix-ups)
    bool useFeatures = false;      ///< also feed the Stage I backbone features to the heads
    int64_t epochs = 10;
    int64_t batch = 8;
    int64_t size = 256;            ///< square crop resolution (>= 64)
    double margin = 0.25;          ///< crop margin on each side, as a fraction of the face box's longer side
    uint64_t seed = 0;
    double lr = 1e-3;              ///< AdamW on the heads; cosine to minLr
    double minLr = 1e-5;
    double weightDecay = 1e-2;
    double depthWeight = 0.5;      ///< applies only to batches with a depth target (none of the three benchmarks has one)
    double segWeight = 1.0;
    double kpsWeight = 0.2;        ///< on keypoint L2 + heatmap cross-entropy
    double valFraction = 0.1;      ///< without official splits the last ceil(n * f) samples validate (none when n < 2)
    /// Augmentation of the training crops (core/train/augment.h,
    /// docs/augmentation.md): "none", "default" or a JSON file; part of the
    /// run's identity. Validation crops are never augmented.
    std::string augment = "none";
    int workers = 2;               ///< loader threads (0 = load on the training thread); results do not depend on it
    int prefetch = 4;              ///< batches loaded ahead
    int64_t checkpointEvery = 100;
    int64_t keepCheckpoints = 3;
    int64_t imageEvery = 0;        ///< steps between TensorBoard prediction grids (validation crops); 0 = never
    std::string device = "auto";   ///< auto | cpu | cuda (not part of the run's identity)
    int threads = 0;               ///< torch intra-op threads; 0 = torch's default
    bool resume = false;

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

}  // namespace synthforge::train
