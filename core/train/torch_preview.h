#pragma once
// The TensorBoard preview grid of a training run (Stage I and Stage II): one
// row per sample of [input with predicted landmarks | predicted segmentation
// | predicted depth].
// Torch types appear here, so only torch_*.cpp files may include it.

#include <torch/types.h>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/train/torch_multitask_net.h"

namespace synthforge::train {

/// What a grid row shows besides the input. Undefined members are left
/// out: no landmarks drawn, no segmentation column (depth then shown
/// everywhere), no depth column.
struct PredictionTensors {
    torch::Tensor landmarks;     ///< B x L x 2 normalised coordinates
    torch::Tensor segmentation;  ///< B x C x S x S logits
    torch::Tensor depth;         ///< B x 1 x S x S
};

/// One image, 3 x H x W RGB in [-1, 1] (any device, any float type), as
/// 8-bit BGR (rounded, clamped).
cv::Mat toBgr(const torch::Tensor& image);

/// Rows of [input with landmarks | segmentation | depth] from computed
/// outputs (any device), laid out with annotate::contactSheet at `tileSize`.
/// `classes` colours the segmentation (required when it is defined). Depth
/// is shown where the predicted class is not background. Returns 8-bit BGR.
cv::Mat predictionGrid(const torch::Tensor& images, const PredictionTensors& outputs,
                       const annotate::ClassTable* classes, int tileSize);

/// Runs `net` on `images` (B x 3 x S x S in [-1, 1], any device the net is
/// on) in eval mode without grad, restoring the net's mode, and lays out the
/// rows with annotate::contactSheet at `tileSize` pixels a tile. Depth is
/// shown where the predicted class is not background. Returns 8-bit BGR.
cv::Mat predictionGrid(MultiTaskNet& net, const torch::Tensor& images, const annotate::ClassTable& classes,
                       int tileSize);

}  // namespace synthforge::train
