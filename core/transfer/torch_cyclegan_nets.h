#pragma once
// CycleGAN's networks (Zhu et al. 2017, the authors' PyTorch code's
// defaults): the ResNet generator and the 70 x 70 PatchGAN discriminator,
// both with instance normalisation, initialised N(0, 0.02). Module names
// follow that code's state_dict ("model.1.weight", "model.10.conv_block.1.weight"),
// so a generator trained there loads here and ours loads there. Torch types
// appear here, so only torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/instancenorm.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace synthforge::transfer {

/// InstanceNorm2d as CycleGAN and CUT use it: no affine parameters, no
/// running statistics (so a state_dict holds no norm entries).
torch::nn::InstanceNorm2d instanceNorm(int64_t channels);
/// A convolution with bias (both codes' choice before instance norm).
torch::nn::Conv2d convLayer(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding);

/// The layers both generators (CycleGAN's and CUT's) start and end with:
/// reflect pad 3, conv 7x7 3 -> f, norm, ReLU; and reflect pad 3, conv 7x7
/// f -> 3, tanh.
void pushGeneratorStem(torch::nn::Sequential& s, int64_t f);
void pushGeneratorHead(torch::nn::Sequential& s, int64_t f);
/// Both PatchGANs' last layers: conv 4x4 stride 1 from f * prev to 8 f,
/// norm, LeakyReLU 0.2, conv 4x4 stride 1 to one score.
void pushDiscriminatorHead(torch::nn::Sequential& s, int64_t f, int64_t prev);
torch::nn::LeakyReLU leakyRelu();

/// x + (reflect pad, conv 3x3, norm, ReLU, reflect pad, conv 3x3, norm)(x),
/// the body named conv_block as in both codes.
class ResnetBlockImpl : public torch::nn::Module {
public:
    explicit ResnetBlockImpl(int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Sequential conv_block{nullptr};
};
TORCH_MODULE(ResnetBlock);

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
