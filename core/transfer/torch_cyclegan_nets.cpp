#include "core/transfer/torch_cyclegan_nets.h"

#include <torch/torch.h>

namespace synthforge::transfer {

namespace nn = torch::nn;

nn::InstanceNorm2d instanceNorm(int64_t channels) {
    return nn::InstanceNorm2d(nn::InstanceNorm2dOptions(channels).affine(false).track_running_stats(false));
}

nn::Conv2d convLayer(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t padding) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(padding).bias(true));
}

void pushGeneratorStem(nn::Sequential& s, int64_t f) {
    s->push_back(nn::ReflectionPad2d(3));
    s->push_back(convLayer(3, f, 7, 1, 0));
    s->push_back(instanceNorm(f));
    s->push_back(nn::ReLU(true));
}

void pushGeneratorHead(nn::Sequential& s, int64_t f) {
    s->push_back(nn::ReflectionPad2d(3));
    s->push_back(convLayer(f, 3, 7, 1, 0));
    s->push_back(nn::Tanh());
}

nn::LeakyReLU leakyRelu() { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)); }

void pushDiscriminatorHead(nn::Sequential& s, int64_t f, int64_t prev) {
    s->push_back(convLayer(f * prev, f * 8, 4, 1, 1));
    s->push_back(instanceNorm(f * 8));
    s->push_back(leakyRelu());
    s->push_back(convLayer(f * 8, 1, 4, 1, 1));
}

ResnetBlockImpl::ResnetBlockImpl(int64_t channels) {
    conv_block = register_module(
        "conv_block", nn::Sequential(nn::ReflectionPad2d(1), convLayer(channels, channels, 3, 1, 0), instanceNorm(channels),
                                     nn::ReLU(true), nn::ReflectionPad2d(1), convLayer(channels, channels, 3, 1, 0),
                                     instanceNorm(channels)));
}

torch::Tensor ResnetBlockImpl::forward(const torch::Tensor& x) { return x + conv_block->forward(x); }

ResnetGeneratorImpl::ResnetGeneratorImpl(const ResnetGeneratorOptions& o) : options(o) {
    const int64_t f = o.filters;
    nn::Sequential s;
    pushGeneratorStem(s, f);
    for (int64_t mult : {1, 2}) {
        s->push_back(convLayer(f * mult, f * mult * 2, 3, 2, 1));
        s->push_back(instanceNorm(f * mult * 2));
        s->push_back(nn::ReLU(true));
    }
    for (int64_t b = 0; b < o.blocks; ++b) s->push_back(ResnetBlock(f * 4));
    for (int64_t mult : {4, 2}) {
        s->push_back(nn::ConvTranspose2d(
            nn::ConvTranspose2dOptions(f * mult, f * mult / 2, 3).stride(2).padding(1).output_padding(1).bias(true)));
        s->push_back(instanceNorm(f * mult / 2));
        s->push_back(nn::ReLU(true));
    }
    pushGeneratorHead(s, f);
    model = register_module("model", s);
}

torch::Tensor ResnetGeneratorImpl::forward(const torch::Tensor& x) { return model->forward(x); }

PatchDiscriminatorImpl::PatchDiscriminatorImpl(int64_t f) {
    nn::Sequential s;
    s->push_back(convLayer(3, f, 4, 2, 1));
    s->push_back(leakyRelu());
    int64_t prev = 1;
    for (int64_t n = 1; n < 3; ++n) {
        const int64_t mult = std::min<int64_t>(int64_t{1} << n, 8);
        s->push_back(convLayer(f * prev, f * mult, 4, 2, 1));
        s->push_back(instanceNorm(f * mult));
        s->push_back(leakyRelu());
        prev = mult;
    }
    pushDiscriminatorHead(s, f, prev);
    model = register_module("model", s);
}

torch::Tensor PatchDiscriminatorImpl::forward(const torch::Tensor& x) { return model->forward(x); }

void initCycleGanWeights(nn::Module& module) {
    torch::NoGradGuard g;
    for (auto& item : module.named_parameters()) {
        const std::string& name = item.key();
        torch::Tensor& p = item.value();
        if (name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 && p.dim() == 4)
            p.normal_(0.0, 0.02);
        else if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0)
            p.zero_();
    }
}

}  // namespace synthforge::transfer
