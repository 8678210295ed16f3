// Stage II heads (see torch_finetune_net.h).

#include "core/io/text_tokens.h"
#include "core/train/torch_finetune_net.h"

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/io/safetensors.h"
#include "core/train/torch_weights.h"

namespace synthforge::train {

namespace F = torch::nn::functional;

namespace {

constexpr const char* kFormat = "synthforge-finetune-heads";


}  // namespace

std::map<std::string, std::string> FinetuneHeadsOptions::toMetadata() const {
    return {{"format", kFormat},
            {"format_version", "1"},
            {"dataset_format", datasetFormat_},
            {"stage1_classes", std::to_string(stage1Classes_)},
            {"stage1_landmarks", std::to_string(stage1Landmarks_)},
            {"feature_channels", std::to_string(featureChannels_)},
            {"num_classes", std::to_string(numClasses_)},
            {"num_landmarks", std::to_string(numLandmarks_)},
            {"segmentation_widths", io::joinInts(segmentationWidths_)},
            {"depth_widths", io::joinInts(depthWidths_)},
            {"keypoint_channels", std::to_string(keypointChannels_)},
            {"keypoint_stacks", std::to_string(keypointStacks_)},
            {"keypoint_levels", std::to_string(keypointLevels_)}};
}

FinetuneHeadsOptions FinetuneHeadsOptions::fromMetadata(const std::map<std::string, std::string>& m,
                                                        const std::string& source) {
    auto get = [&](const std::string& key) -> const std::string& {
        const auto it = m.find(key);
        if (it == m.end()) throw std::runtime_error(source + ": metadata: missing '" + key + "'");
        return it->second;
    };
    auto ints = [&](const std::string& key) { return io::parseIntList(get(key), source + ": metadata: " + key); };
    auto one = [&](const std::string& key) {
        const auto v = ints(key);
        if (v.size() != 1) throw std::runtime_error(source + ": metadata: " + key + ": not one integer");
        return v[0];
    };
    if (get("format") != kFormat)
        throw std::runtime_error(source + ": metadata: format is '" + get("format") + "', expected " + kFormat);
    if (get("format_version") != "1")
        throw std::runtime_error(source + ": metadata: format_version: unsupported " + get("format_version"));
    FinetuneHeadsOptions o(one("stage1_classes"), one("stage1_landmarks"));
    o.featureChannels(one("feature_channels"))
        .numClasses(one("num_classes"))
        .numLandmarks(one("num_landmarks"))
        .datasetFormat(get("dataset_format"))
        .segmentationWidths(ints("segmentation_widths"))
        .depthWidths(ints("depth_widths"))
        .keypointChannels(one("keypoint_channels"))
        .keypointStacks(one("keypoint_stacks"))
        .keypointLevels(one("keypoint_levels"));
    return o;
}

torch::Tensor headInput(const MultiTaskOutput& s1, bool withFeatures) {
    const int64_t H = s1.segmentation.size(2), W = s1.segmentation.size(3);
    std::vector<torch::Tensor> parts{torch::softmax(s1.segmentation, 1), s1.depth};
    // The last stack's maps as probabilities (what soft-argmax decodes),
    // scaled to peak 1 so that a confident landmark reads like a mask, then
    // brought to the image size.
    const auto last = s1.heatmaps.select(1, s1.heatmaps.size(1) - 1);
    const auto p = torch::softmax(last.flatten(2), -1);
    const auto peak = std::get<0>(p.max(-1, true)).clamp_min(1e-12);
    const auto maps = (p / peak).view_as(last);
    parts.push_back(F::interpolate(maps, F::InterpolateFuncOptions()
                                             .size(std::vector<int64_t>{H, W})
                                             .mode(torch::kBilinear)
                                             .align_corners(false)));
    if (withFeatures) parts.push_back(s1.features);
    return torch::cat(parts, 1);
}

FinetuneHeadsImpl::FinetuneHeadsImpl(const FinetuneHeadsOptions& o) : options(o) {
    if (o.stage1Classes() < 1 || o.stage1Landmarks() < 1 || o.featureChannels() < 0 || o.numClasses() < 0 ||
        o.numLandmarks() < 0)
        throw std::invalid_argument("FinetuneHeadsOptions: channel counts must be non-negative (Stage I ones positive)");
    const int64_t in = o.inChannels();
    if (o.numClasses() > 0) {
        segmentation = UNet(UNetOptions(in, o.numClasses()).widths(o.segmentationWidths()));
        register_module("segmentation", segmentation);
    }
    depth = UNet(UNetOptions(in, 1).widths(o.depthWidths()));
    // A zero last conv makes the residual 0: an untrained depth head returns
    // the Stage I depth unchanged (none of the benchmarks has depth).
    {
        torch::NoGradGuard noGrad;
        depth->head->weight.zero_();
        depth->head->bias.zero_();
    }
    register_module("depth", depth);
    if (o.numLandmarks() > 0) {
        keypoints = KeypointHead(KeypointHeadOptions(in)
                                     .channels(o.keypointChannels())
                                     .stacks(o.keypointStacks())
                                     .levels(o.keypointLevels())
                                     .numLandmarks(o.numLandmarks()));
        register_module("keypoints", keypoints);
    }
}

FinetuneOutput FinetuneHeadsImpl::forward(const MultiTaskOutput& s1) {
    const auto x = headInput(s1, options.featureChannels() > 0);
    if (x.size(1) != options.inChannels())
        throw std::invalid_argument("FinetuneHeads: input has " + std::to_string(x.size(1)) + " channels, expected " +
                                    std::to_string(options.inChannels()) + " (another Stage I network?)");
    FinetuneOutput out;
    if (segmentation) out.segmentation = segmentation->forward(x);
    out.depth = s1.depth + depth->forward(x);
    if (keypoints) {
        auto kp = keypoints->forward(x);
        out.heatmaps = kp.heatmaps;
        out.landmarks = kp.landmarks;
    }
    return out;
}

std::string fileHash(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        for (std::streamsize i = 0; i < in.gcount(); ++i) {
            h ^= static_cast<unsigned char>(buf[static_cast<size_t>(i)]);
            h *= 1099511628211ull;
        }
    }
    if (in.bad()) throw std::runtime_error(path + ": read failed");
    char text[40];
    std::snprintf(text, sizeof text, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
    return text;
}

void saveFinetuneHeads(const FinetuneHeads& heads, const std::string& path,
                       const std::map<std::string, std::string>& extra) {
    auto metadata = heads->options.toMetadata();
    for (const auto& [k, v] : extra) metadata.emplace(k, v);
    io::saveSafetensorsFile(path, stateDictToSafetensors(*heads, metadata));
}

FinetuneOutput FinetunedModel::forward(const torch::Tensor& images) {
    torch::NoGradGuard noGrad;
    return heads->forward(stage1->forward(images));
}

FinetunedModel loadFinetunedModel(const std::string& headsPath) {
    FinetunedModel m;
    const auto file = io::loadSafetensorsFile(headsPath);
    m.metadata = file.metadata;
    const auto options = FinetuneHeadsOptions::fromMetadata(file.metadata, headsPath);
    const auto s1 = file.metadata.find("stage1_path"), hash = file.metadata.find("stage1_hash");
    if (s1 == file.metadata.end() || hash == file.metadata.end())
        throw std::runtime_error(headsPath + ": metadata: missing 'stage1_path' or 'stage1_hash'");
    if (fileHash(s1->second) != hash->second)
        throw std::runtime_error(headsPath + ": metadata: stage1_hash: " + s1->second +
                                 " has changed since fine-tuning (" + hash->second + " expected)");
    m.stage1 = loadMultiTaskNet(s1->second);
    m.heads = FinetuneHeads(options);
    loadStateDict(*m.heads, file, headsPath);
    m.stage1->eval();
    m.heads->eval();
    return m;
}

}  // namespace synthforge::train
