#pragma once
// VSAIT's parts (Theiss et al. 2022, "Unpaired Image Translation via Vector
// Symbolic Architectures"; the authors' configs/vsait.yaml):
// - a frozen VGG19 whose conv1_2, conv2_2, conv3_2, conv4_2 and conv5_2
//   outputs describe an image;
// - locality-sensitive hashing of those features into hypervectors: per
//   output cell of a 16 x 16-pixel grid, the cosine similarity between the
//   cell's features (a 16x16 patch of conv1_2, 8x8 of conv2_2, 4x4, 2x2 and
//   1x1 of the others, all concatenated) and each of D fixed random Gaussian
//   rows (D = 4096);
// - the mapping network that binds source hypervectors to the target
//   domain (two 1x1 convolutions D -> D with a ReLU between, then tanh; the
//   last layer starts at weight 0, bias 1, so it starts as a constant);
// - the discriminator on hypervectors (1x1 convolutions D -> 1024 -> 1024
//   -> 1 with LeakyReLU 0.2, Xavier-normal gain 0.2 weights).
// Torch types appear here, so only torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::transfer {

/// torchvision's vgg19().features up to conv5_2 (indices 0..30), module
/// names as torchvision's state_dict ("features.28.weight"), so
/// tools/export_vgg19.py's file loads strictly. The forward pass returns
/// the five taps. The ReLUs follow each tap as in torchvision, where they
/// run in place: what the authors' feature extractor returns for conv1_2 ..
/// conv4_2 is therefore the rectified output, and conv5_2 (the last node
/// kept) the raw one; this module returns the same.
class Vgg19FeaturesImpl : public torch::nn::Module {
public:
    Vgg19FeaturesImpl();
    /// x: B x 3 x H x W as given (the authors' config feeds the [-1, 1]
    /// images without ImageNet normalisation).
    std::vector<torch::Tensor> forward(const torch::Tensor& x);
    static const std::vector<int64_t>& tapChannels();  ///< 64, 128, 256, 512, 512
    torch::nn::Sequential features{nullptr};
};
TORCH_MODULE(Vgg19Features);

/// Loads weights written by tools/export_vgg19.py (every conv of features
/// 0..30, exact shapes; std::runtime_error naming the file and the tensor),
/// frozen and in eval mode.
Vgg19Features loadVgg19Features(const std::string& path);

/// The concatenated-patch LSH. The random rows are fixed by `seed` (drawn
/// on the CPU, so every device sees the same rows) and are not module
/// state: a checkpoint never carries them, the run's seed rebuilds them.
class HypervectorHash {
public:
    HypervectorHash(const std::vector<int64_t>& channels, int64_t dims, uint64_t seed, const torch::Device& device);
    /// taps[i]: B x channels[i] x (H / 2^i) x (W / 2^i) -> B x dims x H/16 x W/16,
    /// values in [-1, 1]. std::invalid_argument when a tap's side is not a
    /// multiple of its patch.
    torch::Tensor forward(const std::vector<torch::Tensor>& taps) const;
    int64_t dims() const { return dims_; }
    /// The random rows of each tap (for tests that recompute a cosine).
    const std::vector<torch::Tensor>& rows() const { return weights_; }
    /// Patch side of tap i: 16, 8, 4, 2, 1.
    static int64_t patch(std::size_t tap);

private:
    int64_t dims_;
    std::vector<torch::Tensor> weights_;  ///< dims x C_i x p_i x p_i, N(0, 1)
    torch::Tensor weightNorm_;            ///< 1 x dims x 1 x 1: sqrt of each row's sum of squares over all taps
};

/// The source -> target binding: conv 1x1 D -> D, ReLU, conv 1x1 D -> D,
/// tanh. Names "net.0", "net.2".
class VsaMapImpl : public torch::nn::Module {
public:
    explicit VsaMapImpl(int64_t dims);
    torch::Tensor forward(const torch::Tensor& hv);
    torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(VsaMap);

/// The hypervector discriminator (names "net.0", "net.2", "net.4").
class VsaDiscriminatorImpl : public torch::nn::Module {
public:
    explicit VsaDiscriminatorImpl(int64_t dims, int64_t width = 1024);
    torch::Tensor forward(const torch::Tensor& hv);
    torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(VsaDiscriminator);

/// The VSA loss: mean over cells of 1 - cos(hv(G(x)) * bound, hv(x)) along
/// the hypervector axis (`bound` and `source` are detached by the caller).
torch::Tensor vsaLoss(const torch::Tensor& translated, const torch::Tensor& bound, const torch::Tensor& source);

/// Hinge GAN losses: the generator's -mean(D), the discriminator's
/// mean(relu(1 - D)) for real and mean(relu(1 + D)) for fake scores.
torch::Tensor hingeGenerator(const torch::Tensor& scores);
torch::Tensor hingeDiscriminator(const torch::Tensor& scores, bool real);

}  // namespace synthforge::transfer
