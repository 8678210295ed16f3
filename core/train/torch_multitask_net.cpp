#include "core/io/text_tokens.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_sync_batch_norm.h"

#include <torch/torch.h>

#include <sstream>
#include <stdexcept>

namespace synthforge::train {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

// Convolutions followed by batch norm carry no bias: the norm's shift
// replaces it, and PyTorch's state_dict then has no "bias" entry for them.
nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, bool bias = false) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2).bias(bias));
}

/// conv3x3-BN-ReLU twice (indices 0..5 in the state_dict).
void appendDoubleConv(nn::Sequential& seq, int64_t in, int64_t mid, int64_t out) {
    seq->push_back(conv(in, mid, 3));
    seq->push_back(SyncableBatchNorm(mid));
    seq->push_back(nn::ReLU());
    seq->push_back(conv(mid, out, 3));
    seq->push_back(SyncableBatchNorm(out));
    seq->push_back(nn::ReLU());
}

void checkPositive(int64_t v, const char* what) {
    if (v < 1) throw std::invalid_argument(std::string(what) + " must be >= 1, got " + std::to_string(v));
}


}  // namespace

// ---------------------------------------------------------------- UNet

UNetImpl::UNetImpl(const UNetOptions& o) : options(o) {
    const auto& w = o.widths();
    if (w.empty()) throw std::invalid_argument("UNet widths must not be empty");
    for (auto c : w) checkPositive(c, "UNet width");
    checkPositive(o.inChannels(), "UNet inChannels");
    checkPositive(o.outChannels(), "UNet outChannels");

    stem = nn::Sequential();
    appendDoubleConv(stem, o.inChannels(), w[0], w[0]);
    down = nn::ModuleList();
    for (size_t i = 1; i < w.size(); ++i) {
        nn::Sequential s;
        s->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
        appendDoubleConv(s, w[i - 1], w[i], w[i]);
        down->push_back(s);
    }
    // up[j] is decoder level i = L-1-j (deepest first); its input is the skip
    // w[i] plus what came up, and its middle width half of that, as in the
    // bilinear UNet.
    up = nn::ModuleList();
    int64_t fromBelow = w.back();
    for (size_t i = w.size() - 1; i-- > 0;) {
        const int64_t in = w[i] + fromBelow, out = w[i == 0 ? 0 : i - 1];
        nn::Sequential s;
        appendDoubleConv(s, in, in / 2, out);
        up->push_back(s);
        fromBelow = out;
    }
    head = conv(fromBelow, o.outChannels(), 1, 1, true);
    register_module("stem", stem);
    register_module("down", down);
    register_module("up", up);
    register_module("head", head);
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> skips{stem->forward(x)};
    for (const auto& d : *down) skips.push_back(d->as<nn::Sequential>()->forward(skips.back()));
    auto y = skips.back();
    size_t level = skips.size() - 1;
    for (const auto& u : *up) {
        const auto& skip = skips[--level];
        y = F::interpolate(y, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{skip.size(2), skip.size(3)})
                                  .mode(torch::kBilinear)
                                  .align_corners(true));
        y = u->as<nn::Sequential>()->forward(torch::cat({skip, y}, 1));
    }
    return head->forward(y);
}

// --------------------------------------------------------- Hourglass

ResidualImpl::ResidualImpl(int64_t c) {
    checkPositive(c / 2, "Residual channels / 2");
    body = nn::Sequential(SyncableBatchNorm(c), nn::ReLU(), conv(c, c / 2, 1),           //
                          SyncableBatchNorm(c / 2), nn::ReLU(), conv(c / 2, c / 2, 3),    //
                          SyncableBatchNorm(c / 2), nn::ReLU(), conv(c / 2, c, 1, 1, true));
    register_module("body", body);
}

torch::Tensor ResidualImpl::forward(const torch::Tensor& x) { return x + body->forward(x); }

HourglassImpl::HourglassImpl(int64_t levels, int64_t c) {
    checkPositive(levels, "hourglass levels");
    skip = nn::ModuleList();
    pre = nn::ModuleList();
    post = nn::ModuleList();
    for (int64_t i = 0; i < levels; ++i) {
        skip->push_back(Residual(c));
        pre->push_back(Residual(c));
        post->push_back(Residual(c));
    }
    bottom = Residual(c);
    register_module("skip", skip);
    register_module("pre", pre);
    register_module("post", post);
    register_module("bottom", bottom);
}

torch::Tensor HourglassImpl::level(const torch::Tensor& x, size_t i) {
    const auto upper = skip[i]->as<Residual>()->forward(x);
    auto lower = pre[i]->as<Residual>()->forward(F::max_pool2d(x, F::MaxPool2dFuncOptions(2)));
    lower = i + 1 < skip->size() ? level(lower, i + 1) : bottom->forward(lower);
    lower = post[i]->as<Residual>()->forward(lower);
    return upper + F::interpolate(lower, F::InterpolateFuncOptions()
                                             .size(std::vector<int64_t>{upper.size(2), upper.size(3)})
                                             .mode(torch::kNearest));
}

torch::Tensor HourglassImpl::forward(const torch::Tensor& x) { return level(x, 0); }

KeypointHeadImpl::KeypointHeadImpl(const KeypointHeadOptions& o) : options(o) {
    const int64_t c = o.channels();
    checkPositive(o.stacks(), "keypoint stacks");
    checkPositive(o.numLandmarks(), "numLandmarks");
    // Stride-2 conv and a max-pool bring the features to quarter resolution,
    // where the heatmaps live (64x64 for 256x256 input).
    stem = nn::Sequential(conv(o.inChannels(), c, 3, 2), SyncableBatchNorm(c), nn::ReLU(), Residual(c),
                          nn::MaxPool2d(nn::MaxPool2dOptions(2)), Residual(c));
    hourglasses = nn::ModuleList();
    features = nn::ModuleList();
    heads = nn::ModuleList();
    mergeFeatures = nn::ModuleList();
    mergeHeatmaps = nn::ModuleList();
    for (int64_t s = 0; s < o.stacks(); ++s) {
        hourglasses->push_back(Hourglass(o.levels(), c));
        features->push_back(nn::Sequential(Residual(c), conv(c, c, 1), SyncableBatchNorm(c), nn::ReLU()));
        heads->push_back(conv(c, o.numLandmarks(), 1, 1, true));
        if (s + 1 < o.stacks()) {
            mergeFeatures->push_back(conv(c, c, 1, 1, true));
            mergeHeatmaps->push_back(conv(o.numLandmarks(), c, 1, 1, true));
        }
    }
    register_module("stem", stem);
    register_module("hourglasses", hourglasses);
    register_module("features", features);
    register_module("heads", heads);
    register_module("merge_features", mergeFeatures);
    register_module("merge_heatmaps", mergeHeatmaps);
}

KeypointHeadOutput KeypointHeadImpl::forward(const torch::Tensor& input) {
    auto x = stem->forward(input);
    std::vector<torch::Tensor> maps;
    for (size_t s = 0; s < hourglasses->size(); ++s) {
        auto y = hourglasses[s]->as<Hourglass>()->forward(x);
        y = features[s]->as<nn::Sequential>()->forward(y);
        maps.push_back(heads[s]->as<nn::Conv2d>()->forward(y));
        if (s + 1 < hourglasses->size())  // re-inject features and predictions into the next stack
            x = x + mergeFeatures[s]->as<nn::Conv2d>()->forward(y) +
                mergeHeatmaps[s]->as<nn::Conv2d>()->forward(maps.back());
    }
    return {torch::stack(maps, 1), softArgmax(maps.back())};
}

torch::Tensor softArgmax(const torch::Tensor& logits) {
    // In float32 even under bf16 autocast: bfloat16's 8-bit mantissa would
    // round the expected coordinate to ~0.4 % of the half-width.
    const torch::Tensor heatmaps = logits.to(torch::kFloat32);
    const int64_t b = heatmaps.size(0), l = heatmaps.size(1), h = heatmaps.size(2), w = heatmaps.size(3);
    const auto p = torch::softmax(heatmaps.reshape({b, l, h * w}), -1).reshape({b, l, h, w});
    const auto opts = heatmaps.options();
    // Pixel centres: (2i+1)/n - 1.
    const auto xs = (torch::arange(w, opts) * 2 + 1) / static_cast<double>(w) - 1;
    const auto ys = (torch::arange(h, opts) * 2 + 1) / static_cast<double>(h) - 1;
    const auto x = (p.sum(2) * xs).sum(-1);  // marginal over rows, then expectation
    const auto y = (p.sum(3) * ys).sum(-1);
    return torch::stack({x, y}, -1);
}

// ------------------------------------------------- Multi-task network

MultiTaskNetOptions& MultiTaskNetOptions::preset(const std::string& name) {
    if (name == "reference") {
        backboneWidths_ = {64, 128, 256, 512, 512};
        featureChannels_ = 64;
        headWidths_ = {64, 128, 256, 512, 512};
        keypointChannels_ = 64;
    } else if (name == "small") {
        // Same structure (five UNet levels, 2 stacks of 4-level hourglasses),
        // an eighth of the widths: ~1/64 of the multiply-adds.
        backboneWidths_ = {8, 16, 32, 64, 64};
        featureChannels_ = 16;
        headWidths_ = {8, 16, 32, 64, 64};
        keypointChannels_ = 16;
    } else {
        throw std::invalid_argument("unknown network preset '" + name + "' (expected small or reference)");
    }
    keypointStacks_ = 2;
    keypointLevels_ = 4;
    presetName_ = name;
    return *this;
}

std::map<std::string, std::string> MultiTaskNetOptions::toMetadata() const {
    return {{"format", "synthforge-multitask-net"},
            {"format_version", "1"},
            {"preset", presetName_},
            {"num_classes", std::to_string(numClasses_)},
            {"in_channels", std::to_string(inChannels_)},
            {"num_landmarks", std::to_string(numLandmarks_)},
            {"backbone_widths", io::joinInts(backboneWidths_)},
            {"feature_channels", std::to_string(featureChannels_)},
            {"head_widths", io::joinInts(headWidths_)},
            {"keypoint_channels", std::to_string(keypointChannels_)},
            {"keypoint_stacks", std::to_string(keypointStacks_)},
            {"keypoint_levels", std::to_string(keypointLevels_)}};
}

MultiTaskNetOptions MultiTaskNetOptions::fromMetadata(const std::map<std::string, std::string>& m,
                                                      const std::string& source) {
    auto get = [&](const std::string& key) -> const std::string& {
        const auto it = m.find(key);
        if (it == m.end()) throw std::runtime_error(source + ": metadata: missing '" + key + "'");
        return it->second;
    };
    auto getInt = [&](const std::string& key) {
        const auto v = io::parseIntList(get(key), source + ": metadata: " + key);
        if (v.size() != 1) throw std::runtime_error(source + ": metadata: " + key + " is not one integer");
        return v[0];
    };
    if (get("format") != "synthforge-multitask-net")
        throw std::runtime_error(source + ": metadata: format is '" + get("format") +
                                 "', expected synthforge-multitask-net");
    if (get("format_version") != "1")
        throw std::runtime_error(source + ": metadata: unsupported format_version " + get("format_version"));
    MultiTaskNetOptions o(getInt("num_classes"));
    o.presetName(get("preset"))
        .inChannels(getInt("in_channels"))
        .numLandmarks(getInt("num_landmarks"))
        .backboneWidths(io::parseIntList(get("backbone_widths"), source + ": metadata: backbone_widths"))
        .featureChannels(getInt("feature_channels"))
        .headWidths(io::parseIntList(get("head_widths"), source + ": metadata: head_widths"))
        .keypointChannels(getInt("keypoint_channels"))
        .keypointStacks(getInt("keypoint_stacks"))
        .keypointLevels(getInt("keypoint_levels"));
    return o;
}

MultiTaskNetImpl::MultiTaskNetImpl(const MultiTaskNetOptions& o) : options(o) {
    checkPositive(o.numClasses(), "numClasses");
    const int64_t f = o.featureChannels();
    backbone = UNet(UNetOptions(o.inChannels(), f).widths(o.backboneWidths()));
    segmentation = UNet(UNetOptions(f, o.numClasses()).widths(o.headWidths()));
    depth = UNet(UNetOptions(f, 1).widths(o.headWidths()));
    keypoints = KeypointHead(KeypointHeadOptions(f)
                                 .channels(o.keypointChannels())
                                 .stacks(o.keypointStacks())
                                 .levels(o.keypointLevels())
                                 .numLandmarks(o.numLandmarks()));
    register_module("backbone", backbone);
    register_module("segmentation", segmentation);
    register_module("depth", depth);
    register_module("keypoints", keypoints);
}

MultiTaskOutput MultiTaskNetImpl::forward(const torch::Tensor& images) {
    if (images.dim() != 4 || images.size(1) != options.inChannels())
        throw std::invalid_argument("MultiTaskNet expects B x " + std::to_string(options.inChannels()) +
                                    " x H x W images");
    MultiTaskOutput out;
    out.features = backbone->forward(images);
    out.segmentation = segmentation->forward(out.features);
    out.depth = depth->forward(out.features);
    auto kp = keypoints->forward(out.features);
    out.heatmaps = kp.heatmaps;
    out.landmarks = kp.landmarks;
    return out;
}

}  // namespace synthforge::train
