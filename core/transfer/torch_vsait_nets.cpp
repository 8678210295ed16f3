#include "core/transfer/torch_vsait_nets.h"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

#include "core/io/safetensors.h"
#include "core/train/torch_weights.h"

namespace synthforge::transfer {

namespace {

// torchvision's VGG19 ("E") as far as conv5_2: channels, 0 for a max-pool.
constexpr int64_t kLayout[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512};
// Where each tap is read: after the ReLU behind conv1_2 .. conv4_2
// (features.3, .8, .13, .22), and conv5_2 itself (features.30).
constexpr int64_t kTapAfter[] = {3, 8, 13, 22, 30};

}  // namespace

Vgg19FeaturesImpl::Vgg19FeaturesImpl() {
    torch::nn::Sequential seq;
    int64_t in = 3;
    for (int64_t c : kLayout) {
        if (c == 0) {
            seq->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
            continue;
        }
        seq->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, c, 3).padding(1)));
        seq->push_back(torch::nn::ReLU());
        in = c;
    }
    // The list ends with conv5_2's ReLU (index 31), which forward never reaches.
    features = register_module("features", seq);
}

std::vector<torch::Tensor> Vgg19FeaturesImpl::forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> taps;
    torch::Tensor h = x;
    std::size_t next = 0;
    int64_t i = 0;
    for (torch::nn::AnyModule& layer : *features) {
        h = layer.forward(h);
        if (i == kTapAfter[next]) {
            taps.push_back(h);
            if (++next == std::size(kTapAfter)) break;  // nothing after conv5_2 is needed
        }
        ++i;
    }
    return taps;
}

const std::vector<int64_t>& Vgg19FeaturesImpl::tapChannels() {
    static const std::vector<int64_t> c{64, 128, 256, 512, 512};
    return c;
}

Vgg19Features loadVgg19Features(const std::string& path) {
    Vgg19Features net;
    // Only conv5_2's trailing ReLU has no counterpart in the file; it holds
    // no tensors, so strict loading sees exactly features 0..30.
    train::loadStateDict(*net, io::loadSafetensorsFile(path), path);
    net->eval();
    for (torch::Tensor& p : net->parameters()) p.set_requires_grad(false);
    return net;
}

int64_t HypervectorHash::patch(std::size_t tap) { return int64_t{16} >> tap; }

HypervectorHash::HypervectorHash(const std::vector<int64_t>& channels, int64_t dims, uint64_t seed,
                                 const torch::Device& device)
    : dims_(dims) {
    if (dims < 1) throw std::invalid_argument("HypervectorHash: dims must be positive");
    if (channels.empty() || channels.size() > 5)
        throw std::invalid_argument("HypervectorHash: one to five feature taps");
    at::Generator gen = at::detail::createCPUGenerator(seed);
    torch::Tensor sumSquares = torch::zeros({1, dims, 1, 1});
    for (std::size_t i = 0; i < channels.size(); ++i) {
        const int64_t p = patch(i);
        torch::Tensor w = torch::randn({dims, channels[i], p, p}, gen, torch::kFloat32);
        sumSquares += w.pow(2).sum({1, 2, 3}).view({1, dims, 1, 1});
        weights_.push_back(w.to(device));
    }
    weightNorm_ = sumSquares.sqrt().to(device);
}

torch::Tensor HypervectorHash::forward(const std::vector<torch::Tensor>& taps) const {
    if (taps.size() != weights_.size())
        throw std::invalid_argument("HypervectorHash: " + std::to_string(taps.size()) + " taps for " +
                                    std::to_string(weights_.size()) + " hashes");
    torch::Tensor dots, squares;
    for (std::size_t i = 0; i < taps.size(); ++i) {
        const int64_t p = patch(i);
        const torch::Tensor& x = taps[i];
        if (x.size(2) % p != 0 || x.size(3) % p != 0)
            throw std::invalid_argument("HypervectorHash: tap " + std::to_string(i) + " is " + std::to_string(x.size(2)) +
                                        " x " + std::to_string(x.size(3)) + ", not a multiple of its " +
                                        std::to_string(p) + "-pixel patch (images must be multiples of 16)");
        // Each cell's dot product with every row, and the cell's sum of
        // squares: the concatenated vectors' cosine needs both summed over taps.
        const torch::Tensor d = torch::conv2d(x, weights_[i], {}, p);
        const torch::Tensor s = torch::avg_pool2d(x.pow(2).sum(1, true), p, p) * static_cast<double>(p * p);
        dots = dots.defined() ? dots + d : d;
        squares = squares.defined() ? squares + s : s;
    }
    return dots / (squares.sqrt() * weightNorm_ + 1e-5);
}

VsaMapImpl::VsaMapImpl(int64_t dims) {
    net = register_module("net", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(dims, dims, 1)),
                                                       torch::nn::ReLU(),
                                                       torch::nn::Conv2d(torch::nn::Conv2dOptions(dims, dims, 1)),
                                                       torch::nn::Tanh()));
    // Weight 0, bias 1: every source cell starts bound to the same vector
    // (tanh 1 in every component), as the authors' initialisation.
    torch::NoGradGuard noGrad;
    auto* last = net[2]->as<torch::nn::Conv2dImpl>();
    last->weight.zero_();
    last->bias.fill_(1.0);
}

torch::Tensor VsaMapImpl::forward(const torch::Tensor& hv) { return net->forward(hv); }

VsaDiscriminatorImpl::VsaDiscriminatorImpl(int64_t dims, int64_t width) {
    const auto leaky = [] { return torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)); };
    net = register_module("net", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(dims, width, 1)), leaky(),
                                                       torch::nn::Conv2d(torch::nn::Conv2dOptions(width, width, 1)), leaky(),
                                                       torch::nn::Conv2d(torch::nn::Conv2dOptions(width, 1, 1))));
    torch::NoGradGuard noGrad;
    for (auto& m : net->modules(false))
        if (auto* conv = m->as<torch::nn::Conv2dImpl>()) {
            torch::nn::init::xavier_normal_(conv->weight, 0.2);
            conv->bias.zero_();
        }
}

torch::Tensor VsaDiscriminatorImpl::forward(const torch::Tensor& hv) { return net->forward(hv); }

torch::Tensor vsaLoss(const torch::Tensor& translated, const torch::Tensor& bound, const torch::Tensor& source) {
    return (1.0 - torch::cosine_similarity(translated * bound, source, 1)).mean();
}

torch::Tensor hingeGenerator(const torch::Tensor& scores) { return -scores.mean(); }

torch::Tensor hingeDiscriminator(const torch::Tensor& scores, bool real) {
    return torch::relu(real ? 1.0 - scores : 1.0 + scores).mean();
}

}  // namespace synthforge::transfer
