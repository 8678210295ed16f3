// Reading either dataset layout into batches (see torch_synthforge_data.h).

#include "core/train/torch_synthforge_data.h"

#include <torch/torch.h>

#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/class_table.h"
#include "core/dataset/dataset_manifest.h"
#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/dataset/face_synthetics_dataset.h"
#include "core/train/torch_multitask_net.h"

namespace synthforge::train {

int64_t numClassesOf(const annotate::ClassTable& t) {
    int64_t maxId = 0;
    for (const auto& c : t.entries())
        if (c.id != 255) maxId = std::max<int64_t>(maxId, c.id);
    return maxId + 1;
}

namespace {

/// SplitMix64: a tiny, portable generator whose sequence is fixed by its seed.
uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// To the training size: INTER_AREA averages when shrinking (no aliasing);
/// labels and depth nearest, so no invented classes and no depth blended
/// with the background's 0. Continuous pixel coordinates scale exactly.
void resizeTo(AugmentSample& s, int size, const std::string& imagePath) {
    const cv::Size target(size, size);
    const int w = s.image.cols, h = s.image.rows;
    if (!s.segmentation.empty() && s.segmentation.size() != s.image.size())
        throw std::runtime_error(imagePath + ": the label map's size differs from the image's");
    if (!s.depth.empty() && s.depth.size() != s.image.size())
        throw std::runtime_error(imagePath + ": the depth map's size differs from the image's");
    if (s.image.size() != target) cv::resize(s.image, s.image, target, 0, 0, cv::INTER_AREA);
    if (!s.segmentation.empty() && s.segmentation.size() != target)
        cv::resize(s.segmentation, s.segmentation, target, 0, 0, cv::INTER_NEAREST);
    if (!s.depth.empty() && s.depth.size() != target) cv::resize(s.depth, s.depth, target, 0, 0, cv::INTER_NEAREST);
    s.landmarks.col(0) *= static_cast<float>(size) / static_cast<float>(w);
    s.landmarks.col(1) *= static_cast<float>(size) / static_cast<float>(h);
}

/// Copies sample k of the batch into the tensors by plain loops: no torch
/// operator runs, so worker threads never enter LibTorch's intra-op pool.
void fill(SynthForgeBatch& out, int64_t k, const AugmentSample& s, bool hasDepth) {
    const int64_t n = static_cast<int64_t>(s.image.rows), plane = n * n;
    float* img = out.images.data_ptr<float>() + k * 3 * plane;
    int64_t* seg = out.segmentation.data_ptr<int64_t>() + k * plane;
    float* depth = out.depth.data_ptr<float>() + k * plane;
    bool* mask = out.faceMask.data_ptr<bool>() + k * plane;
    for (int y = 0; y < n; ++y) {
        const auto* rgb = s.image.ptr<cv::Vec3b>(y);
        const auto* ids = s.segmentation.ptr<std::uint8_t>(y);
        const float* z = hasDepth ? s.depth.ptr<float>(y) : nullptr;
        for (int x = 0; x < n; ++x) {
            const int64_t p = y * n + x;
            for (int c = 0; c < 3; ++c) img[c * plane + p] = static_cast<float>(rgb[x][c]) / 127.5f - 1.0f;
            seg[p] = ids[x];
            mask[p] = ids[x] != 0;
            depth[p] = z ? z[x] : 0.0f;
        }
    }
    // 2p/n - 1: pixel edges at -1 and 1 (grid_sample, align_corners=false).
    float* lm = out.landmarks.data_ptr<float>() + k * kNumLandmarks * 2;
    float* vis = out.visibility.data_ptr<float>() + k * kNumLandmarks;
    for (int64_t j = 0; j < kNumLandmarks; ++j) {
        lm[2 * j] = static_cast<float>(2.0 * s.landmarks(j, 0) / n - 1.0);
        lm[2 * j + 1] = static_cast<float>(2.0 * s.landmarks(j, 1) / n - 1.0);
        vis[j] = s.visibility[j] != 0 ? 1.0f : 0.0f;
    }
    out.hasDepth.data_ptr<float>()[k] = hasDepth ? 1.0f : 0.0f;
}

}  // namespace

SynthForgeDataset::SynthForgeDataset(const std::string& root, int64_t size) : root_(root), size_(size) {
    if (size < 16) throw std::invalid_argument("size: " + std::to_string(size) + " is below 16");
    if (!dataset::hasDatasetManifest(root)) {
        if (!dataset::FaceSyntheticsDataset::looksLike(root))
            throw std::runtime_error(dataset::manifestPath(root) + ": missing (not a SynthForge dataset, and " + root +
                                     " holds no FaceSynthetics *_ldmks.txt either)");
        layout_ = DatasetLayout::FaceSynthetics;
        fs_ = std::make_shared<const dataset::FaceSyntheticsDataset>(dataset::FaceSyntheticsDataset::open(root));
        count_ = static_cast<int64_t>(fs_->size());
        numClasses_ = numClassesOf(dataset::FaceSyntheticsDataset::classes());
        flip_ = FlipSpec::forClasses(dataset::FaceSyntheticsDataset::classes());
        return;
    }
    const dataset::DatasetManifest m = dataset::readDatasetManifest(root);
    const std::string manifestPath = dataset::manifestPath(root);
    if (!m.complete) throw std::runtime_error(manifestPath + ": complete: the dataset is not complete yet");
    if (m.count < 1) throw std::runtime_error(manifestPath + ": count: no samples");
    if (!m.classes) throw std::runtime_error(manifestPath + ": classes: the dataset has no segmentation");
    count_ = static_cast<int64_t>(m.count);
    digits_ = m.indexDigits;
    numClasses_ = numClassesOf(*m.classes);
    flip_ = FlipSpec::forClasses(*m.classes);
}

AugmentSample SynthForgeDataset::readSample(int64_t i) const {
    if (i < 0 || i >= count_) throw std::invalid_argument("indices: " + std::to_string(i) + " out of range");
    const int s = static_cast<int>(size_);
    AugmentSample out;
    if (layout_ == DatasetLayout::FaceSynthetics) {
        dataset::FaceSyntheticsSample f = fs_->sample(static_cast<std::size_t>(i));
        cv::cvtColor(f.image, out.image, cv::COLOR_BGR2RGB);
        out.segmentation = f.segmentation;
        out.landmarks = f.landmarks;  // 70: the flip swaps the pupils too; the batch keeps the first 68
        out.visibility = Eigen::VectorXf::Ones(f.landmarks.rows());
        resizeTo(out, s, fs_->imagePath(static_cast<std::size_t>(i)));
        return out;
    }
    const std::string name = dataset::sampleName(static_cast<uint64_t>(i), digits_);
    dataset::StoredSampleRead what;
    what.normals = false;
    what.required = true;  // training needs segmentation and depth
    dataset::StoredSample stored = dataset::readStoredSample(root_, name, what);
    const std::string annPath = dataset::samplePaths(root_, name).annotation;
    if (stored.landmarks.rows() != kNumLandmarks)
        throw std::runtime_error(annPath + ": 2d_kps: expected 68 points, found " + std::to_string(stored.landmarks.rows()));
    if (stored.visible.size() != static_cast<size_t>(kNumLandmarks))
        throw std::runtime_error(annPath + ": kps_visible: expected 68 flags");
    cv::cvtColor(stored.image, out.image, cv::COLOR_BGR2RGB);
    out.segmentation = stored.seg;
    out.depth = stored.depth;
    out.landmarks = stored.landmarks;
    out.visibility.resize(kNumLandmarks);
    for (int64_t j = 0; j < kNumLandmarks; ++j) out.visibility[j] = stored.visible[static_cast<size_t>(j)] ? 1.0f : 0.0f;
    const std::string imagePath = dataset::samplePaths(root_, name).image;
    resizeTo(out, s, imagePath);
    return out;
}

SynthForgeBatch SynthForgeDataset::load(const std::vector<int64_t>& indices) const {
    return load(indices, AugmentConfig::none(), 0, 0);
}

namespace {

SynthForgeBatch emptyBatch(int64_t b, int64_t s) {
    SynthForgeBatch out;
    out.images = torch::empty({b, 3, s, s});
    out.segmentation = torch::empty({b, s, s}, torch::kInt64);
    out.depth = torch::empty({b, 1, s, s});
    out.faceMask = torch::empty({b, 1, s, s}, torch::kBool);
    out.landmarks = torch::empty({b, kNumLandmarks, 2});
    out.visibility = torch::empty({b, kNumLandmarks});
    out.hasDepth = torch::empty({b});
    return out;
}

}  // namespace

SynthForgeBatch batchOfSamples(const std::vector<AugmentSample>& samples, int64_t size, bool hasDepth) {
    const int64_t b = static_cast<int64_t>(samples.size());
    SynthForgeBatch out = emptyBatch(b, size);
    for (int64_t k = 0; k < b; ++k) {
        const AugmentSample& s = samples[static_cast<size_t>(k)];
        const cv::Size want(static_cast<int>(size), static_cast<int>(size));
        if (s.image.size() != want || s.image.type() != CV_8UC3 || s.segmentation.size() != want ||
            s.segmentation.type() != CV_8UC1 || (hasDepth && (s.depth.size() != want || s.depth.type() != CV_32FC1)))
            throw std::invalid_argument("batchOfSamples: sample " + std::to_string(k) + " is not an RGB image with "
                                        "class ids" + (hasDepth ? std::string(" and depth") : std::string()) + " at " +
                                        std::to_string(size) + " x " + std::to_string(size));
        if (s.landmarks.rows() < kNumLandmarks || s.visibility.size() < kNumLandmarks)
            throw std::invalid_argument("batchOfSamples: sample " + std::to_string(k) + " has no 68 landmarks");
        fill(out, k, s, hasDepth);
    }
    return out;
}

SynthForgeBatch SynthForgeDataset::load(const std::vector<int64_t>& indices, const AugmentConfig& augment,
                                        uint64_t seed, int64_t epoch) const {
    augment.validate();
    const int64_t b = static_cast<int64_t>(indices.size());
    SynthForgeBatch out = emptyBatch(b, size_);
    for (int64_t k = 0; k < b; ++k) {
        const int64_t i = indices[static_cast<size_t>(k)];
        AugmentSample sample = readSample(i);
        if (augment.enabled) sample = train::augment(sample, augment, augmentSeed(seed, epoch, i), flip_);
        fill(out, k, sample, hasDepth());
    }
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

SynthForgeBatchLoader::SynthForgeBatchLoader(const SynthForgeDataset& dataset, std::vector<int64_t> order,
                                             int64_t batch, int workers, int prefetch, uint64_t seed, int64_t epoch,
                                             AugmentConfig augment, bool dropLast) {
    if (batch < 1) throw std::invalid_argument("batch: " + std::to_string(batch) + " is below 1");
    augment.validate();
    const int64_t n = static_cast<int64_t>(order.size());
    numBatches_ = dropLast ? n / batch : (n + batch - 1) / batch;
    auto produce = [&dataset, order = std::move(order), batch, seed, epoch, augment](std::size_t k) {
        const auto first = order.begin() + static_cast<std::ptrdiff_t>(k) * batch;
        const auto last = first + std::min<std::ptrdiff_t>(batch, order.end() - first);
        return dataset.load(std::vector<int64_t>(first, last), augment, seed, epoch);
    };
    queue_ = std::make_unique<OrderedPrefetcher<SynthForgeBatch>>(static_cast<std::size_t>(numBatches_),
                                                                  std::move(produce), workers, prefetch);
}

SynthForgeBatchLoader::~SynthForgeBatchLoader() = default;

std::optional<SynthForgeBatch> SynthForgeBatchLoader::next() { return queue_->next(); }

}  // namespace synthforge::train
