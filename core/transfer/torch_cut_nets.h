#pragma once
// CUT's networks (Park et al. 2020, "Contrastive Learning for Unpaired
// Image-to-Image Translation"; the authors' code's defaults): the ResNet
// generator and PatchGAN with anti-aliased resampling (a fixed binomial
// blur around every stride-2 step instead of strided and transposed
// convolutions), the generator's encoder taps for PatchNCE, and the
// patch-sampling MLP. Module names follow that code's state_dict
// ("model.7.filt", "mlp_0.2.weight"). Torch types appear here, so only
// torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace synthforge::transfer {

/// Blur ([1 2 1] x [1 2 1] / 16, reflect padded) then keep every second
/// pixel: halves each side. The filter is a buffer named "filt", C x 1 x 3 x 3.
class BlurDownsampleImpl : public torch::nn::Module {
public:
    explicit BlurDownsampleImpl(int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor filt;
};
TORCH_MODULE(BlurDownsample);

/// Doubles each side: a transposed convolution with the fixed [1 3 3 1]
/// binomial (x 4, so a constant image stays constant) on a replicate-padded
/// input, cropped to exactly twice the size. Buffer "filt", C x 1 x 4 x 4.
class BlurUpsampleImpl : public torch::nn::Module {
public:
    explicit BlurUpsampleImpl(int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor filt;
};
TORCH_MODULE(BlurUpsample);

/// Reflect pad 3, conv 7x7 to ngf, norm, ReLU; twice conv 3x3 (x2
/// channels), norm, ReLU, blur-downsample; `blocks` residual blocks; twice
/// blur-upsample, conv 3x3 (/2 channels), norm, ReLU; reflect pad 3, conv
/// 7x7 to 3, tanh. Indices into `model` as in the authors' code, so their
/// NCE layers 0, 4, 8, 12, 16 are the padded input, the two pre-downsampling
/// convolutions and the first and fifth residual blocks.
class CutGeneratorImpl : public torch::nn::Module {
public:
    CutGeneratorImpl(int64_t filters, int64_t blocks);
    torch::Tensor forward(const torch::Tensor& x);
    /// The outputs of `layers` (ascending indices into `model`), stopping
    /// after the last one.
    std::vector<torch::Tensor> encode(const torch::Tensor& x, const std::vector<int64_t>& layers);
    /// Channels of layer `index`'s output.
    int64_t channelsAt(int64_t index);
    int64_t layerCount() const;
    torch::nn::Sequential model{nullptr};
};
TORCH_MODULE(CutGenerator);

/// The 70 x 70 PatchGAN with blur-downsampling after each of its first three
/// convolutions (which then run at stride 1).
class CutDiscriminatorImpl : public torch::nn::Module {
public:
    explicit CutDiscriminatorImpl(int64_t filters);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Sequential model{nullptr};
};
TORCH_MODULE(CutDiscriminator);

/// PatchNCE's projection: per tapped layer an MLP (linear to `width`, ReLU,
/// linear to `width`) named mlp_<i>, applied to sampled positions and then
/// L2-normalised (x / (|x| + 1e-7)).
class PatchSamplerImpl : public torch::nn::Module {
public:
    PatchSamplerImpl(const std::vector<int64_t>& channels, int64_t width);
    /// Samples `patches` positions per layer (a random permutation's first
    /// ones, from torch's generator, shared by every image of the batch)
    /// unless `ids` gives them; returns one [B * P, width] tensor per layer
    /// and fills `idsOut` with the positions used.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& feats, int64_t patches,
                                       const std::vector<torch::Tensor>* ids, std::vector<torch::Tensor>* idsOut);
    std::vector<torch::nn::Sequential> mlps;
};
TORCH_MODULE(PatchSampler);

/// PatchNCE (per sampled patch: cross-entropy of the positive among the
/// other patches of the same image at temperature tau), for q and k of
/// [B * P, D] (k is detached). Returns the per-patch losses.
torch::Tensor patchNceLoss(const torch::Tensor& q, const torch::Tensor& k, int64_t batch, double tau);

/// The CUT code's default init: Xavier-normal weights with gain 0.02 for
/// every convolution and linear layer, biases 0.
void initCutWeights(torch::nn::Module& module);

}  // namespace synthforge::transfer
