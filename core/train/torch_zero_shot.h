#pragma once
// The torch side of zero-shot evaluation (core/train/zero_shot.h,
// evaluateZeroShotRun in core/train/evaluator.h): measuring how the Stage I
// renders frame the face, and scoring predictions on benchmark crops through
// the landmark and class mappings. Predictions come from a ZeroShotPredictor,
// so a test can plant known ones where the network would answer. Torch types
// appear here, so only torch_*.cpp files may include it.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/jobs/progress.h"
#include "core/train/evaluator.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/zero_shot.h"

namespace synthforge::train {

/// What a Stage I model says about one benchmark crop.
struct ZeroShotPrediction {
    torch::Tensor landmarks;     ///< our 68 x 2, normalised coordinates of the crop; undefined: none
    torch::Tensor segmentation;  ///< S x S our class ids (FaceSynthetics), any integer type; undefined: none
};

/// Predictions for the samples of a batch (crops of BenchmarkDataset::load),
/// one per id, in order.
using ZeroShotPredictor =
    std::function<std::vector<ZeroShotPrediction>(const BenchmarkBatch& batch, const std::vector<int64_t>& ids)>;

/// The Stage I net as a predictor: eval-mode forward on `device` without
/// grad, soft-argmax landmarks and argmax classes, moved to the CPU.
ZeroShotPredictor stageOnePredictor(MultiTaskNet& net, const torch::Device& device);

/// Measures the framing of the renders in `trainingData` (our layout or
/// FaceSynthetics): the medians over up to `maxSamples` evenly spaced
/// samples of the face box's longer side over the image side and of its
/// centre's offset from the image centre. `box` "landmarks" is the 68
/// points' extent; "face_parts" the extent of the classes CelebAMask-HQ's
/// face box uses (those whose remap lands on its ids 1..12, skin to lower
/// lip), as the benchmark side measures it. Samples are read at `size`.
/// Falls back to defaultZeroShotFraming(box) (source "default") when the
/// folder is missing or not a dataset; errors of its samples pass through.
ZeroShotFraming measureFraming(const std::string& trainingData, const std::string& box, int64_t size,
                               int64_t maxSamples = 200);

/// What scoreZeroShot needs besides the data and the predictions.
struct ZeroShotSetup {
    std::string format;  ///< "300w", "lapa" or "celebamask-hq"
    LandmarkMapping landmarks;
    ClassMapping classes;
    ZeroShotFraming framing;  ///< recorded in the result; `data` must already crop with it
    int64_t batch = 8;
    double failureThreshold = 0.08;
};

/// Scores `predict` on the samples `ids` of `data` (cropped as `data` is
/// set up): landmarks through setup.landmarks (benchmark point k against
/// our point ourIndex[k]), both taken back to the original image's pixels
/// through each crop, NME by the ground truth's outer eye corners (iBUG
/// 36/45), failure rate and AUC, per named subset too, and the extra NME
/// over the agreeing points; classes through setup.classes' lookup table
/// into one confusion matrix at the crop's resolution, ground truth of
/// unmapped classes ignored. Fills every EvalResult field but weights,
/// data, preset, split and splitRule.
EvalResult scoreZeroShot(const BenchmarkDataset& data, const std::vector<int64_t>& ids, const ZeroShotSetup& setup,
                         const ZeroShotPredictor& predict, jobs::ProgressSink* progress = nullptr);

}  // namespace synthforge::train
