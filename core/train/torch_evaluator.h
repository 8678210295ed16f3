#pragma once
// The torch side of evaluation (core/train/evaluator.h): metrics of a loaded
// network on a dataset, and the landmark conversion they rest on. Torch
// types appear here, so only torch_*.cpp files may include it.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "core/annotate/class_table.h"
#include "core/eval/landmark_metrics.h"
#include "core/jobs/progress.h"
#include "core/train/data_split.h"
#include "core/train/evaluator.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_synthforge_data.h"

namespace synthforge::train {

/// L x 2 normalised coordinates (softArgmax's convention) -> continuous
/// pixels of a size x size image: p = (v + 1) * size / 2.
eval::Landmarks2d landmarksToPixels(const torch::Tensor& normalised, int64_t size);

/// What evaluation needs from a Stage I run's config.json; the defaults of a
/// TrainConfig without one. Errors name the file and field.
struct StageOneRunFacts {
    int64_t size = 256;
    double valFraction = 0.1;
    std::string data;  ///< the training dataset folder ("" when unknown)
};
StageOneRunFacts stageOneRunFacts(const std::string& runDir);

/// The samples `range` of `data` (every sample when range.end < 0) through
/// `net` (eval mode, no grad; the net's mode is restored), in batches of
/// `batch`. `classes` names the classes; ids it
/// lacks are named "class_<id>". Fills every EvalResult field but weights,
/// data and preset. `onBatch`, if given, sees every batch with the
/// network's outputs (validation adds its loss in the same pass).
using EvalBatchHook = std::function<void(const SynthForgeBatch&, const MultiTaskOutput&)>;
EvalResult evaluateNet(MultiTaskNet& net, const SynthForgeDataset& data, const annotate::ClassTable& classes,
                       int64_t batch, const torch::Device& device, jobs::ProgressSink* progress = nullptr,
                       SampleRange range = {0, -1}, const EvalBatchHook& onBatch = {});

}  // namespace synthforge::train
