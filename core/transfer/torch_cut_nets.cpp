#include "core/transfer/torch_cut_nets.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/transfer/torch_cyclegan_nets.h"

namespace synthforge::transfer {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

/// The outer product of a binomial row with itself, normalised to sum 1.
torch::Tensor binomial2d(const std::vector<float>& row) {
    const torch::Tensor r = torch::tensor(row);
    const torch::Tensor f = r.unsqueeze(1) * r.unsqueeze(0);
    return f / f.sum();
}

}  // namespace

BlurDownsampleImpl::BlurDownsampleImpl(int64_t channels) {
    filt = register_buffer("filt", binomial2d({1, 2, 1}).expand({channels, 1, 3, 3}).contiguous());
}

torch::Tensor BlurDownsampleImpl::forward(const torch::Tensor& x) {
    const torch::Tensor padded = F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kReflect));
    return F::conv2d(padded, filt, F::Conv2dFuncOptions().stride(2).groups(x.size(1)));
}

BlurUpsampleImpl::BlurUpsampleImpl(int64_t channels) {
    // x stride^2 = 4: the transposed convolution spreads each value over four outputs.
    filt = register_buffer("filt", (binomial2d({1, 3, 3, 1}) * 4).expand({channels, 1, 4, 4}).contiguous());
}

torch::Tensor BlurUpsampleImpl::forward(const torch::Tensor& x) {
    const torch::Tensor padded = F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kReplicate));
    // Padding 1 + (4 - 1) / 2 = 2; the result is then cropped by one pixel at
    // the start and (an even filter) one at the end: exactly 2H x 2W.
    const torch::Tensor y =
        F::conv_transpose2d(padded, filt, F::ConvTranspose2dFuncOptions().stride(2).padding(2).groups(x.size(1)));
    return y.slice(2, 1, y.size(2) - 1).slice(3, 1, y.size(3) - 1);
}

CutGeneratorImpl::CutGeneratorImpl(int64_t filters, int64_t blocks) {
    const int64_t f = filters;
    nn::Sequential s;
    pushGeneratorStem(s, f);
    for (int64_t mult : {1, 2}) {
        s->push_back(convLayer(f * mult, f * mult * 2, 3, 1, 1));
        s->push_back(instanceNorm(f * mult * 2));
        s->push_back(nn::ReLU(true));
        s->push_back(BlurDownsample(f * mult * 2));
    }
    for (int64_t b = 0; b < blocks; ++b) s->push_back(ResnetBlock(f * 4));
    for (int64_t mult : {4, 2}) {
        s->push_back(BlurUpsample(f * mult));
        s->push_back(convLayer(f * mult, f * mult / 2, 3, 1, 1));
        s->push_back(instanceNorm(f * mult / 2));
        s->push_back(nn::ReLU(true));
    }
    pushGeneratorHead(s, f);
    model = register_module("model", s);
}

torch::Tensor CutGeneratorImpl::forward(const torch::Tensor& x) { return model->forward(x); }

int64_t CutGeneratorImpl::layerCount() const { return static_cast<int64_t>(model->size()); }

std::vector<torch::Tensor> CutGeneratorImpl::encode(const torch::Tensor& x, const std::vector<int64_t>& layers) {
    std::vector<torch::Tensor> feats;
    if (layers.empty()) return feats;
    torch::Tensor h = x;
    std::size_t next = 0;
    int64_t i = 0;
    for (auto& layer : *model) {
        if (next == layers.size()) break;
        h = layer.forward(h);
        if (i == layers[next]) {
            feats.push_back(h);
            ++next;
        }
        ++i;
    }
    if (next != layers.size()) throw std::invalid_argument("CutGenerator::encode: a layer index beyond the generator");
    return feats;
}

int64_t CutGeneratorImpl::channelsAt(int64_t index) {
    torch::NoGradGuard g;
    return encode(torch::zeros({1, 3, 16, 16}), {index}).front().size(1);
}

CutDiscriminatorImpl::CutDiscriminatorImpl(int64_t f) {
    nn::Sequential s;
    s->push_back(convLayer(3, f, 4, 1, 1));
    s->push_back(leakyRelu());
    s->push_back(BlurDownsample(f));
    int64_t prev = 1;
    for (int64_t n = 1; n < 3; ++n) {
        const int64_t mult = std::min<int64_t>(int64_t{1} << n, 8);
        s->push_back(convLayer(f * prev, f * mult, 4, 1, 1));
        s->push_back(instanceNorm(f * mult));
        s->push_back(leakyRelu());
        s->push_back(BlurDownsample(f * mult));
        prev = mult;
    }
    pushDiscriminatorHead(s, f, prev);
    model = register_module("model", s);
}

torch::Tensor CutDiscriminatorImpl::forward(const torch::Tensor& x) { return model->forward(x); }

PatchSamplerImpl::PatchSamplerImpl(const std::vector<int64_t>& channels, int64_t width) {
    for (std::size_t i = 0; i < channels.size(); ++i)
        mlps.push_back(register_module("mlp_" + std::to_string(i),
                                       nn::Sequential(nn::Linear(channels[i], width), nn::ReLU(), nn::Linear(width, width))));
}

std::vector<torch::Tensor> PatchSamplerImpl::forward(const std::vector<torch::Tensor>& feats, int64_t patches,
                                                     const std::vector<torch::Tensor>* ids,
                                                     std::vector<torch::Tensor>* idsOut) {
    if (feats.size() != mlps.size()) throw std::invalid_argument("PatchSampler: one feature map per MLP");
    std::vector<torch::Tensor> out;
    for (std::size_t i = 0; i < feats.size(); ++i) {
        const torch::Tensor flat = feats[i].permute({0, 2, 3, 1}).flatten(1, 2);  // B x HW x C
        torch::Tensor id = ids ? (*ids)[i]
                               : torch::randperm(flat.size(1), torch::kInt64).slice(0, 0, std::min(patches, flat.size(1)));
        if (idsOut) idsOut->push_back(id);
        const torch::Tensor sampled = flat.index_select(1, id.to(flat.device())).flatten(0, 1);  // B*P x C
        const torch::Tensor y = mlps[i]->forward(sampled);
        out.push_back(y / (y.pow(2).sum(1, true).sqrt() + 1e-7));
    }
    return out;
}

torch::Tensor patchNceLoss(const torch::Tensor& q, const torch::Tensor& kIn, int64_t batch, double tau) {
    const torch::Tensor k = kIn.detach();
    const int64_t n = q.size(0), d = q.size(1);
    const torch::Tensor pos = (q * k).sum(1, true);  // N x 1
    const torch::Tensor qb = q.view({batch, -1, d}), kb = k.view({batch, -1, d});
    const int64_t p = qb.size(1);
    torch::Tensor neg = torch::bmm(qb, kb.transpose(2, 1));  // B x P x P
    // A patch against itself is the positive, not a negative: exp(-10) ~ 0.
    neg = neg.masked_fill(torch::eye(p, torch::TensorOptions().dtype(torch::kBool).device(q.device())).unsqueeze(0), -10.0);
    const torch::Tensor logits = torch::cat({pos, neg.view({-1, p})}, 1) / tau;
    return F::cross_entropy(logits, torch::zeros({n}, torch::TensorOptions().dtype(torch::kInt64).device(q.device())),
                            F::CrossEntropyFuncOptions().reduction(torch::kNone));
}

void initCutWeights(nn::Module& module) {
    torch::NoGradGuard g;
    for (auto& item : module.named_parameters()) {
        const std::string& name = item.key();
        torch::Tensor& p = item.value();
        const bool weight = name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0;
        if (weight && p.dim() >= 2)
            nn::init::xavier_normal_(p, 0.02);
        else if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0)
            p.zero_();
    }
}

}  // namespace synthforge::transfer
