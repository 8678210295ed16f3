#pragma once
// The Stage I multi-task network (docs/training.md): a UNet
// backbone whose features feed a segmentation UNet, a depth UNet and a
// stacked-hourglass keypoint head with soft-argmax decoding.
//
// It includes torch headers, so only torch_*.cpp files may include it. The
// module layout fixes the PyTorch state_dict names ("backbone.stem.0.weight",
// ...) that tools/synthforge_nets.py mirrors one for one; change both
// together and keep docs/training.md in step.

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace synthforge::train {

/// iBUG-68 landmarks.
constexpr int64_t kNumLandmarks = 68;

// ---------------------------------------------------------------- UNet

/// A UNet: `widths` are the channels of each encoder level (the first is the
/// full-resolution stem; each further level halves the resolution). The
/// decoder upsamples bilinearly (align_corners=true), concatenates the skip
/// and returns to widths[i-1] channels at level i (widths[0] at level 0), so
/// widths 64-128-256-512-512 is the classic bilinear UNet. A 1x1 conv maps to
/// `outChannels`, with no activation.
struct UNetOptions {
    UNetOptions(int64_t inChannels, int64_t outChannels) : inChannels_(inChannels), outChannels_(outChannels) {}
    TORCH_ARG(int64_t, inChannels);
    TORCH_ARG(int64_t, outChannels);
    TORCH_ARG(std::vector<int64_t>, widths) = {64, 128, 256, 512, 512};
};

class UNetImpl : public torch::nn::Module {
public:
    explicit UNetImpl(const UNetOptions& options);
    /// B x in x H x W -> B x out x H x W (any H, W >= 1).
    torch::Tensor forward(const torch::Tensor& x);

    UNetOptions options;
    torch::nn::Sequential stem{nullptr};
    torch::nn::ModuleList down{nullptr}, up{nullptr};
    torch::nn::Conv2d head{nullptr};
};
TORCH_MODULE(UNet);

// --------------------------------------------------------- Hourglass

/// Newell et al.'s pre-activation bottleneck, c -> c channels:
/// x + conv1x1(relu(bn(conv3x3(relu(bn(conv1x1(relu(bn(x)))))))).
class ResidualImpl : public torch::nn::Module {
public:
    explicit ResidualImpl(int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(Residual);

/// One hourglass of `levels` levels. Level i: skip[i](x) plus the upsampled
/// (nearest) post[i](inner(pre[i](maxpool(x)))), where inner is level i+1,
/// or `bottom` below the last level.
class HourglassImpl : public torch::nn::Module {
public:
    HourglassImpl(int64_t levels, int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::ModuleList skip{nullptr}, pre{nullptr}, post{nullptr};
    Residual bottom{nullptr};

private:
    torch::Tensor level(const torch::Tensor& x, size_t i);
};
TORCH_MODULE(Hourglass);

struct KeypointHeadOptions {
    explicit KeypointHeadOptions(int64_t inChannels) : inChannels_(inChannels) {}
    TORCH_ARG(int64_t, inChannels);
    TORCH_ARG(int64_t, channels) = 64;
    TORCH_ARG(int64_t, stacks) = 2;
    TORCH_ARG(int64_t, levels) = 4;
    TORCH_ARG(int64_t, numLandmarks) = kNumLandmarks;
};

struct KeypointHeadOutput {
    torch::Tensor heatmaps;   ///< B x stacks x L x H/4 x W/4 logits (every stack, for intermediate supervision)
    torch::Tensor landmarks;  ///< B x L x 2 (x, y), soft-argmax of the last stack, normalised coordinates
};

/// Stacked hourglass on H/4 x W/4 (64x64 heatmaps for a 256x256 input).
class KeypointHeadImpl : public torch::nn::Module {
public:
    explicit KeypointHeadImpl(const KeypointHeadOptions& options);
    KeypointHeadOutput forward(const torch::Tensor& features);

    KeypointHeadOptions options;
    torch::nn::Sequential stem{nullptr};
    torch::nn::ModuleList hourglasses{nullptr}, features{nullptr}, heads{nullptr};
    torch::nn::ModuleList mergeFeatures{nullptr}, mergeHeatmaps{nullptr};
};
TORCH_MODULE(KeypointHead);

/// Soft-argmax: softmax over each map's pixels, then the expected pixel
/// centre in normalised coordinates. B x L x h x w -> B x L x 2 (x, y).
///
/// Normalised coordinates follow grid_sample(align_corners=false): the
/// image spans [-1, 1] edge to edge, so a continuous pixel coordinate p in
/// an image of size n maps to 2p/n - 1 (pixel i's centre i+0.5 to
/// (2i+1)/n - 1), whatever the resolution.
torch::Tensor softArgmax(const torch::Tensor& heatmaps);

// ------------------------------------------------- Multi-task network

struct MultiTaskNetOptions {
    explicit MultiTaskNetOptions(int64_t numClasses) : numClasses_(numClasses) {}
    /// "reference" (SynthForge's configuration) or "small" (the same
    /// structure, narrower, for CPU work and tests); throws
    /// std::invalid_argument otherwise. Keeps numClasses and inChannels.
    MultiTaskNetOptions& preset(const std::string& name);

    TORCH_ARG(int64_t, numClasses);
    TORCH_ARG(int64_t, inChannels) = 3;
    TORCH_ARG(int64_t, numLandmarks) = kNumLandmarks;
    TORCH_ARG(std::string, presetName) = "reference";
    TORCH_ARG(std::vector<int64_t>, backboneWidths) = {64, 128, 256, 512, 512};
    TORCH_ARG(int64_t, featureChannels) = 64;  ///< backbone output, input of every head
    TORCH_ARG(std::vector<int64_t>, headWidths) = {64, 128, 256, 512, 512};  ///< segmentation and depth UNets
    TORCH_ARG(int64_t, keypointChannels) = 64;
    TORCH_ARG(int64_t, keypointStacks) = 2;
    TORCH_ARG(int64_t, keypointLevels) = 4;

public:
    /// Flat key/value description (stored as safetensors metadata, read by
    /// tools/synthforge_nets.py); fromMetadata inverts it.
    std::map<std::string, std::string> toMetadata() const;
    static MultiTaskNetOptions fromMetadata(const std::map<std::string, std::string>& metadata,
                                            const std::string& source);
};

struct MultiTaskOutput {
    torch::Tensor features;      ///< B x featureChannels x H x W (backbone output)
    torch::Tensor segmentation;  ///< B x numClasses x H x W logits
    torch::Tensor depth;         ///< B x 1 x H x W
    torch::Tensor heatmaps;      ///< B x stacks x 68 x H/4 x W/4 logits
    torch::Tensor landmarks;     ///< B x 68 x 2, normalised coordinates (see softArgmax)
};

class MultiTaskNetImpl : public torch::nn::Module {
public:
    explicit MultiTaskNetImpl(const MultiTaskNetOptions& options);
    /// images: B x inChannels x H x W in [-1, 1]; H and W multiples of 16
    /// keep every level aligned (others work, with resampled skips).
    MultiTaskOutput forward(const torch::Tensor& images);

    MultiTaskNetOptions options;
    UNet backbone{nullptr}, segmentation{nullptr}, depth{nullptr};
    KeypointHead keypoints{nullptr};
};
TORCH_MODULE(MultiTaskNet);

}  // namespace synthforge::train
