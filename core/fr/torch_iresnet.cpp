#include "core/fr/torch_iresnet.h"

#include <torch/torch.h>

#include <stdexcept>

namespace synthforge::fr {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

train::SyncableBatchNorm bn(int64_t c) {
    return train::SyncableBatchNorm(nn::BatchNorm2dOptions(c).eps(1e-5).momentum(0.1));
}

}  // namespace

IResNetOptions iresnetPreset(const std::string& name) {
    IResNetOptions o;
    if (name == "tiny") {
        o.blocks = {1, 1, 1, 1};
        o.widths = {16, 32, 64, 128};
        o.stem = 16;
        o.embedding = 128;
    } else if (name == "ir18") {
        o.blocks = {2, 2, 2, 2};
    } else if (name == "ir50") {
        o.blocks = {3, 4, 14, 3};
    } else if (name == "ir100") {
        o.blocks = {3, 13, 30, 3};
    } else {
        throw std::invalid_argument("preset: '" + name + "' is not tiny, ir18, ir50 or ir100");
    }
    return o;
}

IBasicBlockImpl::IBasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
    bn1 = register_module("bn1", bn(in));
    conv1 = register_module("conv1", conv3x3(in, out, 1));
    bn2 = register_module("bn2", bn(out));
    prelu = register_module("prelu", nn::PReLU(nn::PReLUOptions().num_parameters(out)));
    conv2 = register_module("conv2", conv3x3(out, out, stride));
    bn3 = register_module("bn3", bn(out));
    downsample = register_module("downsample", nn::Sequential());
    if (stride != 1 || in != out) {
        downsample->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
        downsample->push_back(bn(out));
    }
}

torch::Tensor IBasicBlockImpl::forward(const torch::Tensor& x) {
    torch::Tensor out = bn3(conv2(prelu(bn2(conv1(bn1(x))))));
    return out + (downsample->is_empty() ? x : downsample->forward(x));
}

IResNetImpl::IResNetImpl(const IResNetOptions& o) : options(o) {
    if (o.blocks.size() != 4 || o.widths.size() != 4) throw std::invalid_argument("IResNet: four stages");
    if (o.inputSize % 16 != 0) throw std::invalid_argument("IResNet: the input size must be a multiple of 16");
    conv1 = register_module("conv1", conv3x3(3, o.stem, 1));
    bn1 = register_module("bn1", bn(o.stem));
    prelu = register_module("prelu", nn::PReLU(nn::PReLUOptions().num_parameters(o.stem)));
    int64_t in = o.stem;
    nn::Sequential* stages[4] = {&layer1, &layer2, &layer3, &layer4};
    for (int s = 0; s < 4; ++s) {
        nn::Sequential stage;
        for (int64_t b = 0; b < o.blocks[s]; ++b) {
            stage->push_back(IBasicBlock(in, o.widths[s], b == 0 ? 2 : 1));
            in = o.widths[s];
        }
        *stages[s] = register_module("layer" + std::to_string(s + 1), stage);
    }
    bn2 = register_module("bn2", bn(in));
    dropout = register_module("dropout", nn::Dropout(nn::DropoutOptions(o.dropout)));
    const int64_t side = o.inputSize / 16;
    fc = register_module("fc", nn::Linear(in * side * side, o.embedding));
    features = register_module("features", train::SyncableBatchNorm(nn::BatchNorm1dOptions(o.embedding).eps(1e-5)));
    // As in ArcFace: the embedding's BN keeps a unit scale (only its shift learns).
    features->weight.requires_grad_(false);
    for (auto& m : modules(false)) {
        if (auto* c = m->as<nn::Conv2d>()) nn::init::normal_(c->weight, 0, 0.1);
        if (auto* b = m->as<train::SyncableBatchNorm>()) {
            nn::init::constant_(b->weight, 1);
            nn::init::constant_(b->bias, 0);
        }
    }
}

torch::Tensor IResNetImpl::forward(const torch::Tensor& x) {
    torch::Tensor h = prelu(bn1(conv1(x)));
    h = layer4->forward(layer3->forward(layer2->forward(layer1->forward(h))));
    h = dropout(bn2(h).flatten(1));
    return features(fc(h));
}

}  // namespace synthforge::fr
