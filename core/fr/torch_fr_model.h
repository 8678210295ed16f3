#pragma once
// The face-recognition network as a run saves and loads it: an IResNet
// ("backbone") and, while training, its margin head ("head"), with the
// preset and head recorded in the safetensors metadata. Face images become
// network input here too: RGB, 112 x 112, (x/255 - 0.5)/0.5. Only torch_*.cpp
// files include this.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <opencv2/core.hpp>

#include <cstdint>
#include <random>
#include <string>

#include "core/fr/torch_iresnet.h"
#include "core/fr/torch_margin_heads.h"

namespace synthforge::fr {

class FrModelImpl : public torch::nn::Module {
public:
    /// `classes` 0: no head (evaluation).
    FrModelImpl(const std::string& preset, const std::string& head, int64_t classes, double scale = 64,
                double margin = -1);
    std::string preset, headName;
    IResNet backbone{nullptr};
    MarginHead head{nullptr};
};
TORCH_MODULE(FrModel);

/// Writes the backbone's weights (what evaluation and embedding need) with
/// the preset in the metadata; atomic.
void saveBackbone(const FrModel& model, const std::string& path);
/// The backbone of a saved run's weights, in eval mode.
IResNet loadBackbone(const std::string& path);

/// A face image (any size; BGR as OpenCV reads it) as a 3 x 112 x 112
/// normalised RGB tensor. With `rng`, augmented for training: a horizontal
/// flip (p 0.5), a random resized crop keeping 85-100 % of the side, and
/// colour jitter (core/fr/face_colour_jitter.h: brightness, contrast and
/// saturation +-20 %, hue +-0.02 turns).
torch::Tensor faceTensor(const cv::Mat& bgr, std::mt19937_64* rng);

/// L2-normalised, flip-fused embeddings (the sum of the image's and its
/// mirror's features) of a batch B x 3 x 112 x 112.
torch::Tensor fusedEmbeddings(IResNet& net, const torch::Tensor& images);

}  // namespace synthforge::fr
