#pragma once
// CycleGAN's networks (Zhu et al. 2017, the authors' PyTorch code's
// defaults): the ResNet generator and the 70 x 70 PatchGAN discriminator,
// both with instance normalisation, initialised N(0, 0.02). Module names
// follow that code's state_dict ("model.1.weight", "model.10.conv_block.1.weight"),
// so a generator trained there loads here and ours loads there. Torch types
// appear here, so only torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace synthforge::transfer {

struct ResnetGeneratorOptions {
    int64_t filters = 64;  ///< ngf
    int64_t blocks = 9;    ///< residual blocks at the bottleneck
};

/// Reflect pad 3, conv 7x7 to ngf, two stride-2 convs (x2 channels each),
/// `blocks` residual blocks at 4 ngf, two transposed convs back, reflect pad
/// 3, conv 7x7 to 3, tanh. Input and output RGB in [-1, 1]; the side must
/// be a multiple of 4.
class ResnetGeneratorImpl : public torch::nn::Module {
public:
    explicit ResnetGeneratorImpl(const ResnetGeneratorOptions& o);
    torch::Tensor forward(const torch::Tensor& x);
    ResnetGeneratorOptions options;
    torch::nn::Sequential model{nullptr};
};
TORCH_MODULE(ResnetGenerator);

/// PatchGAN with 3 stride-2 layers: conv 4x4 s2 (ndf), LeakyReLU 0.2; conv s2
/// to 2 ndf and 4 ndf with instance norm; conv s1 to 8 ndf; conv s1 to one
/// channel, a score per 70 x 70 receptive field.
class PatchDiscriminatorImpl : public torch::nn::Module {
public:
    explicit PatchDiscriminatorImpl(int64_t filters);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Sequential model{nullptr};
};
TORCH_MODULE(PatchDiscriminator);

/// CycleGAN's init: every conv weight N(0, 0.02), biases 0.
void initCycleGanWeights(torch::nn::Module& module);

}  // namespace synthforge::transfer
