#pragma once
// Evaluation of a Stage I run on a dataset in our layout (see
// docs/training.md "Evaluation"), of a Stage I run zero-shot on a real
// benchmark ("Zero-shot evaluation on benchmarks"), and of a Stage II run on
// its benchmark. This header has no torch types so that the
// CLI can include it; evaluateRun lives in core/train/torch_evaluator.cpp
// (synthforge_torch), the report helpers in core/train/eval_report.cpp.
//
// Metrics:
// - landmarks: NME normalised by the ground truth's outer eye corners (iBUG
//   36 and 45), per image and mean, failure rate and CED AUC at 0.08
//   (core/eval/landmark_metrics.h). Predictions are normalised coordinates
//   (grid_sample, align_corners=false), mapped to continuous pixels of the
//   evaluated size by p = (v + 1) * size / 2, as the dataset's 2d_kps are;
//   NME itself is scale free, the pixels only matter for the saved arrays.
// - segmentation: a confusion matrix of argmax predictions against the
//   labels (ignore id 255 skipped), per-class precision/recall/F1/IoU and the
//   means over the foreground classes (core/eval/segmentation_metrics.h).
// - depth: mean |predicted - true| over the face (true label != 0), in the
//   dataset's depth units.

#include <cstdint>
#include <string>
#include <vector>

#include "core/annotate/class_table.h"
#include "core/jobs/progress.h"
#include "core/train/zero_shot.h"

namespace synthforge::eval {
class ConfusionMatrix;
}

namespace synthforge::train {

struct EvalConfig {
    std::string model;           ///< run directory (holds final.safetensors)
    std::string data;            ///< dataset folder (docs/dataset.md)
    int64_t size = 0;            ///< square evaluation resolution; 0 = the run's config.json size (256 without one)
    int64_t batch = 8;
    std::string device = "auto"; ///< auto | cpu | cuda
    int threads = 0;             ///< torch intra-op threads; 0 = leave torch's default
    /// Which samples: "val" (the run's held-out samples, core/train/data_split.h,
    /// with the run's val_fraction), "train", "all", or "auto" = "val" when
    /// `data` is the folder the run trained on and it held samples out, else
    /// "all". On a benchmark (Stage II, or a Stage I run scored zero-shot)
    /// there is also "test": the benchmark's test samples (LaPa test/,
    /// CelebA's test partition, 300-W's common/challenging/private); for a
    /// zero-shot run "auto" is "test" when there are some, and "all" is
    /// every sample.
    std::string split = "auto";
    /// The format of `data`: "auto" (detectDatasetFormat), "synthforge"
    /// (ours or FaceSynthetics), "300w", "lapa" or "celebamask-hq". A Stage I
    /// run on a benchmark format is evaluated zero-shot; a Stage II run needs
    /// its own format (or "auto").
    std::string format = "auto";
    /// "final" (final.safetensors), "best" (best.safetensors) or a
    /// .safetensors file of the run's network (core/train/run_weights.h).
    std::string weights = "final";
};

struct ClassEval {
    int id = 0;
    std::string name;
    double precision = 0, recall = 0, f1 = 0, iou = 0;  ///< NaN when the class is in neither map
    std::uint64_t gtPixels = 0, predPixels = 0;
};

/// Landmark scores of one named subset of the evaluated samples (300-W's
/// customary "common", "challenging", "full" = both, and "private").
struct SubsetNme {
    std::string name;
    int64_t samples = 0;
    double nmeMean = 0, failureRate = 0, auc = 0;
};

/// What a zero-shot evaluation (a Stage I run on a benchmark) adds.
struct ZeroShotReport {
    LandmarkMapping landmarks;
    ClassMapping classes;
    ZeroShotFraming framing;
    /// NME over the points whose definitions agree (LandmarkMapping's
    /// agreeing range), same normaliser; empty perImage when not reported.
    std::vector<double> agreeingNmePerImage;
    double agreeingNmeMean = 0, agreeingFailureRate = 0, agreeingAuc = 0;
    std::vector<SubsetNme> agreeingSubsets;
};

struct EvalResult {
    std::string weights;               ///< the evaluated weights file
    std::string data;
    std::string preset;                ///< the Stage I net's preset (also for a Stage II run)
    std::string stage = "I";           ///< "I" (our layout) or "II" (fine-tuned heads on a benchmark)
    std::string datasetFormat;         ///< Stage II: "300w", "lapa" or "celebamask-hq"; "" for our layout
    int64_t numLandmarks = 68;         ///< points per image (0: the model has no landmarks; NME is then NaN)
    std::string nmeNormalizer = "outer_eye_corners_36_45";  ///< the 0-based points NME divides by
    std::string splitRule;             ///< Stage II: how the benchmark's train/val split was made
    int64_t size = 0;
    std::string split;                 ///< "all", "train", "val" or (Stage II) "test" (auto resolved)
    int64_t firstSample = 0;           ///< dataset index of nmePerImage[0]
    int64_t samples = 0;
    double failureThreshold = 0.08;
    std::vector<double> nmePerImage;   ///< in dataset order
    double nmeMean = 0, failureRate = 0, auc = 0;
    std::vector<SubsetNme> nmeSubsets;  ///< empty unless the samples fall into named subsets
    std::vector<ClassEval> classes;    ///< 0..numClasses-1
    double meanF1 = 0, meanIoU = 0;    ///< over present foreground classes; NaN when none
    int foregroundCounted = 0;
    double depthL1 = 0;                ///< NaN when no face pixel
    std::uint64_t facePixels = 0;
    bool zeroShot = false;             ///< a Stage I run scored on a benchmark; `zeroShotReport` is filled
    ZeroShotReport zeroShotReport;
};

/// Runs `config.model`'s final weights over the samples of `config.data`
/// that `config.split` selects.
/// Throws std::invalid_argument for bad options (naming the field) and
/// std::runtime_error naming the file (and field) for a missing run or
/// weights, unreadable data, or a class count that differs from the data's.
EvalResult evaluateRun(const EvalConfig& config, jobs::ProgressSink* progress = nullptr);

/// True when RUN/config.json says "stage": "II" (a `synthforge finetune`
/// run); false for a Stage I run or one without config.json. Errors name the
/// file and field.
bool isStageTwoRun(const std::string& runDir);

/// Evaluation of a Stage II run (core/train/torch_finetune_evaluator.cpp) on
/// a benchmark folder in the run's format (config.json "dataset_format"),
/// with its crop size (unless config.size), margin and val_fraction. The
/// split follows the benchmark's rule (core/train/torch_benchmark_data.h):
/// "train" and "val" are its train/validation ids, "all" both, "test" its
/// test ids (scored per named subset too: 300-W common, challenging, full,
/// private); "auto" is "val" on the run's own data folder when it held
/// samples out, else "all".
/// Landmarks: NME by the outer eye corners of the layout (iBUG-68 36/45,
/// LaPa-106 66/79); classes: the benchmark's class names; depth is NaN.
/// evaluateRun dispatches here for a Stage II run.
EvalResult evaluateFinetunedRun(const EvalConfig& config, jobs::ProgressSink* progress = nullptr);

/// Zero-shot evaluation of a Stage I run on a benchmark folder
/// (core/train/torch_zero_shot.cpp): the benchmark's faces are cropped so
/// that they are framed as in the run's training renders (ZeroShotFraming,
/// measured on RUN/config.json's data when it is there, else the default
/// constants), run through the Stage I net at the run's size (or
/// config.size), and scored through the landmark and class mappings of
/// zero_shot.h. Splits as for Stage II, but "auto" is the benchmark's test
/// samples when it has some (300-W's common/challenging/private, LaPa
/// test/, CelebA's test partition), else all: the run never saw any of it.
/// evaluateRun dispatches here for a Stage I run on a benchmark format.
EvalResult evaluateZeroShotRun(const EvalConfig& config, const std::string& format,
                               jobs::ProgressSink* progress = nullptr);

/// NME, failure rate and AUC per named subset: sample k belongs to
/// subsetOf[k] ("" for none). In the order 300-W papers report them:
/// common, challenging, full (common + challenging), then private; subsets
/// without a sample are left out, so the result is empty when no sample is
/// in a named subset.
std::vector<SubsetNme> subsetScores(const std::vector<std::string>& subsetOf, const std::vector<double>& perImage,
                                    double threshold);

/// Checks the caller's options (model, data, batch, size, device, split);
/// throws std::invalid_argument naming the field. Shared by both stages.
void validateEvalConfig(const EvalConfig& config);
/// Whether two paths name the same existing folder (symlinks and relative
/// paths resolved): "auto" scores the held-out split only on the run's own data.
bool sameFolder(const std::string& a, const std::string& b);

/// The class table of a dataset's manifest.json ("classes"); errors name the
/// manifest and field.
annotate::ClassTable loadDatasetClassTable(const std::string& datasetRoot);

/// Fills r.classes (ids 0..cm's classes - 1, named from `table`, "class_<id>"
/// for ids it lacks or without a table) and the foreground means from one
/// confusion matrix: the same rows for every evaluator.
void putClassScores(EvalResult& r, const eval::ConfusionMatrix& cm, const annotate::ClassTable* table);

/// The result as JSON ("synthforge-eval", version 1); NaN is written as null.
std::string evalResultToJson(const EvalResult& result);
/// A human-readable summary and per-class table.
std::string evalResultTable(const EvalResult& result);

}  // namespace synthforge::train
