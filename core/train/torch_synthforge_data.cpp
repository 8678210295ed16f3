// Reading our dataset layout into batches (see torch_synthforge_data.h).

#include "core/train/torch_synthforge_data.h"

#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/generate/dataset_layout.h"
#include "core/io/file_util.h"
#include "core/train/torch_multitask_net.h"

namespace synthforge::train {

namespace {

namespace fs = std::filesystem;

nlohmann::json readJson(const std::string& path) {
    const std::string text = io::readFileText(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
    }
}

cv::Mat readImage(const std::string& path, int flags, int expectedType) {
    if (!fs::is_regular_file(path)) throw std::runtime_error(path + ": missing");
    const cv::Mat m = cv::imread(path, flags);
    if (m.empty()) throw std::runtime_error(path + ": cannot be decoded");
    if (m.type() != expectedType) throw std::runtime_error(path + ": unexpected pixel type " + std::to_string(m.type()));
    return m;
}

/// SplitMix64: a tiny, portable generator whose sequence is fixed by its seed.
uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

SynthForgeDataset::SynthForgeDataset(const std::string& root, int64_t size) : root_(root), size_(size) {
    if (size < 16) throw std::invalid_argument("size: " + std::to_string(size) + " is below 16");
    const std::string manifestPath = (fs::path(root) / "manifest.json").string();
    if (!fs::is_regular_file(manifestPath)) throw std::runtime_error(manifestPath + ": missing (not a SynthForge dataset)");
    const nlohmann::json m = readJson(manifestPath);
    try {
        if (m.value("format", std::string()) != "synthforge-dataset")
            throw std::runtime_error("format: not \"synthforge-dataset\"");
        if (!m.value("complete", false)) throw std::runtime_error("complete: the dataset is not complete yet");
        count_ = m.at("count").get<int64_t>();
        if (count_ < 1) throw std::runtime_error("count: no samples");
        digits_ = m.contains("index_digits") ? m["index_digits"].get<int>()
                                             : generate::indexDigits(static_cast<uint64_t>(count_));
        const nlohmann::json& classes = m.at("classes");
        if (classes.is_null()) throw std::runtime_error("classes: the dataset has no segmentation");
        int64_t maxId = 0;
        for (const auto& c : classes.at("classes")) {
            const int64_t id = c.at("id").get<int64_t>();
            if (id != 255) maxId = std::max(maxId, id);
        }
        numClasses_ = maxId + 1;
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(manifestPath + ": " + e.what());
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(manifestPath + ": " + e.what());
    }
}

SynthForgeBatch SynthForgeDataset::load(const std::vector<int64_t>& indices) const {
    const int64_t b = static_cast<int64_t>(indices.size()), s = size_;
    SynthForgeBatch out;
    out.images = torch::empty({b, 3, s, s});
    out.segmentation = torch::empty({b, s, s}, torch::kInt64);
    out.depth = torch::empty({b, 1, s, s});
    out.landmarks = torch::empty({b, kNumLandmarks, 2});
    out.visibility = torch::empty({b, kNumLandmarks});
    const cv::Size target(static_cast<int>(s), static_cast<int>(s));
    for (int64_t k = 0; k < b; ++k) {
        const int64_t i = indices[static_cast<size_t>(k)];
        if (i < 0 || i >= count_) throw std::invalid_argument("indices: " + std::to_string(i) + " out of range");
        const std::string name = generate::indexName(static_cast<uint64_t>(i), digits_);
        const fs::path r(root_);

        cv::Mat rgb = readImage((r / "images" / (name + ".png")).string(), cv::IMREAD_COLOR, CV_8UC3);
        cv::cvtColor(rgb, rgb, cv::COLOR_BGR2RGB);
        // INTER_AREA averages when shrinking (no aliasing), bilinear-like when growing.
        if (rgb.size() != target) cv::resize(rgb, rgb, target, 0, 0, cv::INTER_AREA);
        cv::Mat f;
        rgb.convertTo(f, CV_32FC3, 1.0 / 127.5, -1.0);
        out.images[k].copy_(torch::from_blob(f.data, {s, s, 3}, torch::kFloat32).permute({2, 0, 1}));

        // Labels and depth: nearest, so no invented classes and no depth
        // blended with the background's 0.
        cv::Mat seg = readImage((r / "seg" / (name + ".png")).string(), cv::IMREAD_UNCHANGED, CV_8UC1);
        if (seg.size() != target) cv::resize(seg, seg, target, 0, 0, cv::INTER_NEAREST);
        out.segmentation[k].copy_(torch::from_blob(seg.data, {s, s}, torch::kUInt8).to(torch::kInt64));

        cv::Mat depth = readImage((r / "depth" / (name + ".tiff")).string(), cv::IMREAD_UNCHANGED, CV_32FC1);
        if (depth.size() != target) cv::resize(depth, depth, target, 0, 0, cv::INTER_NEAREST);
        out.depth[k][0].copy_(torch::from_blob(depth.data, {s, s}, torch::kFloat32));

        const std::string annPath = (r / "annotations" / (name + ".json")).string();
        if (!fs::is_regular_file(annPath)) throw std::runtime_error(annPath + ": missing");
        const nlohmann::json a = readJson(annPath);
        std::string field = "width";
        try {
            // 2d_kps are continuous pixels of the written image; 2p/n - 1 is
            // resolution independent, so resizing does not change them.
            const double w = a.at("width").get<double>();
            field = "height";
            const double h = a.at("height").get<double>();
            field = "2d_kps";
            const auto& kps = a.at(field);
            if (kps.size() != static_cast<size_t>(kNumLandmarks)) throw std::runtime_error("expected 68 points");
            field = "kps_visible";
            const auto& vis = a.at(field);
            if (vis.size() != static_cast<size_t>(kNumLandmarks)) throw std::runtime_error("expected 68 flags");
            auto lm = out.landmarks.accessor<float, 3>();
            auto vv = out.visibility.accessor<float, 2>();
            for (int64_t j = 0; j < kNumLandmarks; ++j) {
                field = "2d_kps";
                lm[k][j][0] = static_cast<float>(2.0 * kps[j].at(0).get<double>() / w - 1.0);
                lm[k][j][1] = static_cast<float>(2.0 * kps[j].at(1).get<double>() / h - 1.0);
                field = "kps_visible";
                vv[k][j] = vis[j].get<double>() != 0 ? 1.0f : 0.0f;
            }
        } catch (const std::exception& e) {
            throw std::runtime_error(annPath + ": " + field + ": " + e.what());
        }
    }
    out.faceMask = (out.segmentation != 0).unsqueeze(1);
    return out;
}

std::vector<int64_t> SynthForgeDataset::epochOrder(int64_t begin, int64_t end, uint64_t seed, int64_t epoch) {
    std::vector<int64_t> order;
    for (int64_t i = begin; i < end; ++i) order.push_back(i);
    uint64_t state = seed * 0x100000001B3ull ^ (static_cast<uint64_t>(epoch) + 0x5151ull);
    for (size_t i = order.size(); i > 1; --i) {
        const size_t j = static_cast<size_t>(splitMix64(state) % i);
        std::swap(order[i - 1], order[j]);
    }
    return order;
}

}  // namespace synthforge::train
