#pragma once
// The label-aware structure term of a transfer run (docs/transfer.md,
// "Keeping the labels true"): a frozen Stage I network looks at the
// translations of the source batch and is asked to find the source's exact
// annotations there. Torch types appear here, so only torch_*.cpp files may
// include it.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/train/torch_multitask_net.h"

namespace synthforge::transfer {

/// A source batch without augmentation: images (B x 3 x S x S in [-1, 1]),
/// class ids (B x S x S, int64) and landmarks (B x 68 x 2, normalised).
struct StructureBatch {
    torch::Tensor images, classes, landmarks;
};

/// Reads samples `names` of `dataset` at side x side (images area-resized,
/// class ids nearest-resized, landmarks scaled). std::runtime_error naming
/// a sample without segmentation or landmarks.
StructureBatch loadStructureBatch(const std::string& dataset, const std::vector<std::string>& names, int side);

class StructureTerm {
public:
    /// Loads the run's final weights, frozen, in eval mode on `device`.
    /// std::runtime_error when its class count is not `datasetClasses`.
    StructureTerm(const std::string& stage1Run, int64_t datasetClasses, const torch::Device& device);
    /// Cross-entropy of the segmentation plus the mean landmark distance
    /// (normalised units) of the network's predictions on `translated`
    /// against the batch's annotations. Differentiable in `translated`.
    torch::Tensor loss(const torch::Tensor& translated, const StructureBatch& truth);

private:
    train::MultiTaskNet net_{nullptr};
};

}  // namespace synthforge::transfer
