#pragma once
// Our dataset layout (docs/dataset.md) as training batches for the Stage I
// network. Torch types appear here, so only torch_*.cpp files may include it.
//
// Loading is synchronous and single-threaded for now: at the small sizes the
// CPU trainer uses, decoding is a fraction of a step, and one thread keeps
// batches trivially deterministic.

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::train {

/// One batch, every tensor on the CPU.
struct SynthForgeBatch {
    torch::Tensor images;        ///< B x 3 x S x S float, RGB in [-1, 1]
    torch::Tensor segmentation;  ///< B x S x S int64 class ids
    torch::Tensor depth;         ///< B x 1 x S x S float (0 = background)
    torch::Tensor faceMask;      ///< B x 1 x S x S bool: segmentation != 0 (background)
    torch::Tensor landmarks;     ///< B x 68 x 2 normalised coordinates (softArgmax's convention)
    torch::Tensor visibility;    ///< B x 68 float 0/1 (kps_visible)
};

/// A generated dataset folder. The constructor reads manifest.json (count,
/// classes) and throws std::runtime_error naming the file and field when it
/// is missing, unreadable or incomplete.
class SynthForgeDataset {
public:
    /// `size`: square training resolution every sample is resized to.
    SynthForgeDataset(const std::string& root, int64_t size);

    int64_t size() const { return count_; }
    int64_t resolution() const { return size_; }
    /// Segmentation classes: the largest id in the manifest's class table
    /// (the ignore id 255 excluded) plus one.
    int64_t numClasses() const { return numClasses_; }
    const std::string& root() const { return root_; }

    /// Loads the samples `indices` (each < size()). Throws std::runtime_error
    /// naming the file (and field) of a missing or corrupt sample.
    SynthForgeBatch load(const std::vector<int64_t>& indices) const;

    /// The order of samples [begin, end) in epoch `epoch`: a Fisher-Yates
    /// shuffle driven by SplitMix64 keyed by (seed, epoch), so the order
    /// depends on nothing else (not on the standard library's shuffle, nor
    /// on how many epochs ran before in this process).
    static std::vector<int64_t> epochOrder(int64_t begin, int64_t end, uint64_t seed, int64_t epoch);

private:
    std::string root_;
    int64_t size_ = 0, count_ = 0, numClasses_ = 0;
    int digits_ = 6;
};

}  // namespace synthforge::train
