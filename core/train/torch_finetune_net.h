#pragma once
// Stage II task heads (docs/training.md "Stage II"). The frozen
// Stage I network's predictions, optionally with its backbone features,
// become the heads' input:
//     [softmax(segmentation logits) (K), depth (1),
//      last-stack landmark probability maps (68) scaled to peak 1 and
//      upsampled bilinearly to the image size, backbone features (F, optional)]
// and small heads built from the Stage I blocks map it to a benchmark's
// labels: a UNet for segmentation (LaPa 11, CelebAMask-HQ 19 classes), a
// KeypointHead for landmarks (300-W 68, LaPa 106), and a residual depth head
// (Stage I depth + a UNet whose last conv starts at zero, so it passes the
// Stage I depth through until a depth target trains it). Torch types appear
// here, so only torch_*.cpp files may include it.

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/train/torch_multitask_net.h"

namespace synthforge::train {

struct FinetuneHeadsOptions {
    FinetuneHeadsOptions(int64_t stage1Classes, int64_t stage1Landmarks)
        : stage1Classes_(stage1Classes), stage1Landmarks_(stage1Landmarks) {}
    TORCH_ARG(int64_t, stage1Classes);
    TORCH_ARG(int64_t, stage1Landmarks);
    TORCH_ARG(int64_t, featureChannels) = 0;  ///< Stage I backbone features fed in; 0 = none
    TORCH_ARG(int64_t, numClasses) = 0;       ///< target classes; 0 = no segmentation head
    TORCH_ARG(int64_t, numLandmarks) = 0;     ///< target landmarks; 0 = no landmark head
    TORCH_ARG(std::string, datasetFormat) = "";
    TORCH_ARG(std::vector<int64_t>, segmentationWidths) = {16, 32, 64, 64};
    TORCH_ARG(std::vector<int64_t>, depthWidths) = {8, 16, 32};
    TORCH_ARG(int64_t, keypointChannels) = 32;
    TORCH_ARG(int64_t, keypointStacks) = 1;
    TORCH_ARG(int64_t, keypointLevels) = 4;

public:
    /// Channels of the heads' input (see the file comment).
    int64_t inChannels() const { return stage1Classes_ + 1 + stage1Landmarks_ + featureChannels_; }
    std::map<std::string, std::string> toMetadata() const;
    /// Inverse of toMetadata; std::runtime_error "<source>: metadata: <key>: ..." when a key is missing or bad.
    static FinetuneHeadsOptions fromMetadata(const std::map<std::string, std::string>& metadata,
                                             const std::string& source);
};

struct FinetuneOutput {
    torch::Tensor segmentation;  ///< B x numClasses x H x W logits (undefined without the head)
    torch::Tensor depth;         ///< B x 1 x H x W: Stage I depth + the residual
    torch::Tensor heatmaps;      ///< B x stacks x L x H/4 x W/4 logits (undefined without the head)
    torch::Tensor landmarks;     ///< B x L x 2 normalised coordinates (undefined without the head)
};

/// The heads' input built from Stage I's output (see the file comment).
torch::Tensor headInput(const MultiTaskOutput& stage1, bool withFeatures);

class FinetuneHeadsImpl : public torch::nn::Module {
public:
    explicit FinetuneHeadsImpl(const FinetuneHeadsOptions& options);
    FinetuneOutput forward(const MultiTaskOutput& stage1);

    FinetuneHeadsOptions options;
    UNet segmentation{nullptr}, depth{nullptr};  ///< segmentation only when numClasses > 0
    KeypointHead keypoints{nullptr};             ///< only when numLandmarks > 0
};
TORCH_MODULE(FinetuneHeads);

/// Content hash of a file, "fnv1a64:<16 hex digits>": identifies the Stage I
/// weights a run and its heads were made with (not a security measure).
/// std::runtime_error naming the file when it cannot be read.
std::string fileHash(const std::string& path);

/// Atomic write of the heads with their options and `extra` (Stage I path
/// and hash, crop settings) as metadata.
void saveFinetuneHeads(const FinetuneHeads& heads, const std::string& path,
                       const std::map<std::string, std::string>& extra);

/// The whole Stage II model: the Stage I net named by the heads' metadata
/// (its hash checked) and the heads, both in eval mode.
struct FinetunedModel {
    MultiTaskNet stage1{nullptr};
    FinetuneHeads heads{nullptr};
    std::map<std::string, std::string> metadata;  ///< of the heads' file
    FinetuneOutput forward(const torch::Tensor& images);
};
FinetunedModel loadFinetunedModel(const std::string& headsPath);

}  // namespace synthforge::train
