#pragma once
// Training batches for the Stage I network from either dataset layout:
// - ours (docs/dataset.md): a folder with manifest.json;
// - FaceSynthetics (docs/datasets.md): a flat folder of 000000.png,
//   000000_seg.png, 000000_ldmks.txt (also what `synthforge generate
//   --formats facesynthetics` writes into <dataset>/facesynthetics/).
// Torch types appear here, so only torch_*.cpp files may include it.
//
// Each sample is resized to the training size first (image INTER_AREA,
// labels and depth nearest), then augmented there (core/train/augment.h):
// augmentation works at one fixed resolution whatever the source, so blur,
// noise and shift amounts mean the same thing for every dataset, and it
// costs a quarter of what it would at 512². Sample i of epoch e is augmented
// with augmentSeed(seed, e, i): the same whichever batch, position or thread
// loads it.
//
// SynthForgeBatchLoader loads batches on worker threads ahead of the
// training loop (an ordered prefetch queue, batch_prefetcher.h); every batch
// is a pure function of (dataset, order, batch index, seed, epoch, config),
// so its tensors are bit-identical for any worker count.

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/train/augment.h"
#include "core/train/batch_prefetcher.h"

namespace synthforge::dataset {
class FaceSyntheticsDataset;
}  // namespace synthforge::dataset

namespace synthforge::train {

/// One batch, every tensor on the CPU.
struct SynthForgeBatch {
    torch::Tensor images;        ///< B x 3 x S x S float, RGB in [-1, 1]
    torch::Tensor segmentation;  ///< B x S x S int64 class ids
    torch::Tensor depth;         ///< B x 1 x S x S float (0 = background, or no depth at all: see hasDepth)
    torch::Tensor faceMask;      ///< B x 1 x S x S bool: segmentation != 0 (background)
    torch::Tensor landmarks;     ///< B x 68 x 2 normalised coordinates (softArgmax's convention)
    torch::Tensor visibility;    ///< B x 68 float 0/1 (kps_visible; 0 also once augmentation moved a point out)
    /// B float 0/1: whether the sample has depth. FaceSynthetics has none (0):
    /// multiply the depth loss's mask by it, e.g.
    /// `faceMask & hasDepth.view({-1, 1, 1, 1}).to(torch::kBool)`.
    torch::Tensor hasDepth;
};

enum class DatasetLayout {
    SynthForge,      ///< manifest.json, images/, seg/, depth/, annotations/
    FaceSynthetics,  ///< <stem>.png, <stem>_seg.png, <stem>_ldmks.txt
};

/// A dataset folder in either layout. The constructor detects the layout
/// (manifest.json -> ours, else *_ldmks.txt files -> FaceSynthetics) and
/// throws std::runtime_error naming the folder or file when it is neither,
/// or when ours is missing, unreadable or incomplete.
/// The network's segmentation classes for a class table: the largest id
/// (the ignore id 255 excluded) plus one.
int64_t numClassesOf(const annotate::ClassTable& table);

/// Samples already at `size` x `size` (AugmentSample: RGB image, class ids,
/// depth, 68 landmarks in pixels, visibility) as one batch, by the same
/// arithmetic as SynthForgeDataset::load: what the guided sampler's loss
/// scorer feeds the network from renders that were never written.
/// std::invalid_argument for a sample of another size or without 68 landmarks.
SynthForgeBatch batchOfSamples(const std::vector<AugmentSample>& samples, int64_t size, bool hasDepth);

class SynthForgeDataset {
public:
    /// `size`: square training resolution every sample is resized to.
    SynthForgeDataset(const std::string& root, int64_t size);

    int64_t size() const { return count_; }
    int64_t resolution() const { return size_; }
    /// Segmentation classes: the largest id in the class table (the ignore id
    /// 255 excluded) plus one. FaceSynthetics: the default table, 19.
    int64_t numClasses() const { return numClasses_; }
    const std::string& root() const { return root_; }
    DatasetLayout layout() const { return layout_; }
    /// Whether samples carry depth (ours: yes; FaceSynthetics: no).
    bool hasDepth() const { return layout_ == DatasetLayout::SynthForge; }
    /// How a horizontal flip relabels this dataset's classes and landmarks.
    const FlipSpec& flipSpec() const { return flip_; }

    /// Loads the samples `indices` (each < size()) without augmentation.
    /// Throws std::invalid_argument for an index out of range and
    /// std::runtime_error naming the file (and field) of a missing or corrupt sample.
    SynthForgeBatch load(const std::vector<int64_t>& indices) const;
    /// The same, each sample i augmented with `augment` and the seed
    /// augmentSeed(seed, epoch, i).
    SynthForgeBatch load(const std::vector<int64_t>& indices, const AugmentConfig& augment, uint64_t seed,
                         int64_t epoch) const;

    /// The order of samples [begin, end) in epoch `epoch`: a Fisher-Yates
    /// shuffle driven by SplitMix64 keyed by (seed, epoch), so the order
    /// depends on nothing else (not on the standard library's shuffle, nor
    /// on how many epochs ran before in this process).
    static std::vector<int64_t> epochOrder(int64_t begin, int64_t end, uint64_t seed, int64_t epoch);

private:
    /// Sample i at the training size, before augmentation.
    AugmentSample readSample(int64_t i) const;

    std::string root_;
    int64_t size_ = 0, count_ = 0, numClasses_ = 0;
    int digits_ = 6;
    DatasetLayout layout_ = DatasetLayout::SynthForge;
    FlipSpec flip_;
    std::shared_ptr<const dataset::FaceSyntheticsDataset> fs_;  ///< set for the FaceSynthetics layout (immutable, shared by copies)
};

/// Batches of `dataset` in the order `order`, `batch` samples each (the last
/// one shorter unless `dropLast`), loaded by `workers` threads (0: on the
/// caller's thread inside next()) with at most `prefetch` batches ahead.
/// Samples are augmented as SynthForgeDataset::load(indices, augment, seed,
/// epoch) does; to resume mid-epoch, pass the rest of the epoch's order.
/// `dataset` must outlive the loader. Destroying the loader mid-epoch waits
/// only for the batches being loaded.
class SynthForgeBatchLoader {
public:
    /// Throws std::invalid_argument naming the parameter for batch < 1,
    /// workers < 0 or prefetch < 1.
    SynthForgeBatchLoader(const SynthForgeDataset& dataset, std::vector<int64_t> order, int64_t batch, int workers,
                          int prefetch, uint64_t seed, int64_t epoch, AugmentConfig augment = AugmentConfig::none(),
                          bool dropLast = false);
    ~SynthForgeBatchLoader();

    int64_t numBatches() const { return numBatches_; }
    /// The next batch, or nullopt after the last. Rethrows, unchanged, the
    /// exception loading this batch raised (a missing file names it).
    std::optional<SynthForgeBatch> next();

private:
    int64_t numBatches_ = 0;
    std::unique_ptr<OrderedPrefetcher<SynthForgeBatch>> queue_;
};

}  // namespace synthforge::train
