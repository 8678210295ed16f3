#pragma once
// Real benchmark datasets (300-W, LaPa, CelebAMask-HQ, read by
// core/dataset/) as Stage II training batches: a square face crop
// around the landmarks' box (or the face parts' mask box) with a margin,
// resized to the training size, with landmarks in the normalised convention
// of docs/training.md. Torch types appear here, so only torch_*.cpp files may
// include it.

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/annotate/class_table.h"
#include "core/io/pts_file.h"
#include "core/train/augment.h"

namespace synthforge::train {

/// The crop: a square of side `side` pixels whose top-left corner is (x, y),
/// integers, so that resizing it maps pixel edges to pixel edges exactly.
struct FaceCrop {
    int x = 0, y = 0, side = 1;
};

/// One batch, every tensor on the CPU. Undefined members: the format has no such label.
struct BenchmarkBatch {
    torch::Tensor images;        ///< B x 3 x S x S float, RGB in [-1, 1]
    torch::Tensor segmentation;  ///< B x S x S int64 class ids; 255 (ignored) where the crop leaves the image
    torch::Tensor landmarks;     ///< B x L x 2 normalised coordinates
    /// The crop of each sample in its original image (continuous pixels), so
    /// that normalised coordinates can be taken back: p = corner + (v + 1) side / 2.
    std::vector<FaceCrop> crops;
};

/// The square crop around the box [x0, x1] x [y0, y1] (continuous pixel
/// coordinates) with `margin` x the longer side added on each side.
FaceCrop squareCrop(double x0, double y0, double x1, double y1, double margin);

/// A framing that reproduces another image population's face placement
/// (zero-shot evaluation: the Stage I renders'): the face box's longer side
/// is `faceFraction` of the crop's side, and the box's centre lies
/// (offsetX, offsetY) x side from the crop's centre.
struct CropFraming {
    double faceFraction = 0.5;
    double offsetX = 0, offsetY = 0;
};

/// The square crop of `framing` around the box [x0, x1] x [y0, y1]:
/// side = longer side / faceFraction, corner = box centre - (0.5 + offset) x side,
/// rounded to whole pixels. std::invalid_argument unless 0 < faceFraction <= 4.
FaceCrop framedCrop(double x0, double y0, double x1, double y1, const CropFraming& framing);

/// Cuts `crop` out of `image` (constant `fill` outside it) and resizes it
/// to size x size: INTER_AREA for images when shrinking, linear when
/// enlarging; `nearest` for label maps.
cv::Mat cropAndResize(const cv::Mat& image, const FaceCrop& crop, int size, bool nearest, const cv::Scalar& fill);

/// Continuous pixel coordinates (ours: pixel i covers [i, i+1)) to the
/// normalised coordinates of the crop resized to any size: 2 (p - corner) / side - 1.
io::Points2f normaliseToCrop(const io::Points2f& points, const FaceCrop& crop);

class BenchmarkDataset {
public:
    /// `format`: "300w", "lapa" or "celebamask-hq" (std::invalid_argument
    /// otherwise); the readers' errors (missing folders, empty datasets)
    /// pass through. `valFraction` applies when the dataset has no official
    /// validation split: LaPa's train/ and val/ folders, and CelebAMask-HQ's
    /// CelebA-HQ-to-CelebA-mapping.txt with CelebA's partition, are used
    /// when present. Test samples (LaPa's test/, CelebA's test partition,
    /// 300-W's customary test subsets) never train or validate.
    ///
    /// 300-W: when the iBUG release's subset folders are present (afw/,
    /// helen/trainset|testset/, lfpw/trainset|testset/, ibug/, 300W/), the
    /// customary protocol applies: AFW + HELEN train + LFPW train (3148
    /// images in the release) train, the last `valFraction` of them
    /// validate; HELEN test + LFPW test ("common", 554), IBUG ("challenging",
    /// 135) and 300W/ ("private", 600) are test subsets. Other images train.
    BenchmarkDataset(const std::string& root, const std::string& format, int64_t size, double margin,
                     double valFraction);
    ~BenchmarkDataset();
    BenchmarkDataset(const BenchmarkDataset&) = delete;
    BenchmarkDataset& operator=(const BenchmarkDataset&) = delete;

    const std::string& format() const { return format_; }
    /// Segmentation classes of the format (0: no segmentation labels).
    int64_t numClasses() const;
    /// Landmarks of the format (0: none).
    int64_t numLandmarks() const;
    /// Sample ids (arguments of load) for training and validation.
    const std::vector<int64_t>& trainIds() const { return train_; }
    const std::vector<int64_t>& valIds() const { return val_; }
    /// Sample ids kept for testing (empty when the layout has none).
    const std::vector<int64_t>& testIds() const { return test_; }
    /// The named test subset of a test id ("common", "challenging",
    /// "private" for 300-W), "" for others.
    const std::string& subsetOf(int64_t id) const;
    /// How the split was made, for logs: "official train/val folders", ...
    const std::string& splitRule() const { return splitRule_; }

    /// Loads the given samples. std::runtime_error naming the file of a
    /// missing or corrupt sample.
    BenchmarkBatch load(const std::vector<int64_t>& ids) const;
    /// The same, sample `id` augmented (augment.h) with `augment` and the
    /// seed augmentSeed(seed, epoch, id), after cropping: one warp moves the
    /// image, labels and landmarks alike; pixels brought in from outside
    /// the crop are ignored (255) in the segmentation.
    BenchmarkBatch load(const std::vector<int64_t>& ids, const AugmentConfig& augment, uint64_t seed,
                        int64_t epoch) const;
    /// How a horizontal flip relabels this format: the landmark layout's
    /// mirror permutation (iBUG-68, LaPa-106) and the classes' left/right
    /// partners (LaPa: brows, eyes; CelebAMask-HQ: eyes, brows, ears).
    const FlipSpec& flipSpec() const { return flip_; }

    /// Crops by `framing` (framedCrop) instead of the margin rule from now on.
    void setFraming(const CropFraming& framing);

    struct Source;  ///< the reader(s) behind the ids

private:
    std::string format_;
    int64_t size_ = 0;
    double margin_ = 0;
    std::optional<CropFraming> framing_;  ///< replaces the margin rule when set
    std::unique_ptr<Source> source_;
    std::vector<int64_t> train_, val_, test_;
    std::vector<std::string> subset_;  ///< per id, "" when not in a named subset
    std::string splitRule_;
    FlipSpec flip_;
};

/// The class names and colours of a format with segmentation labels
/// (LaPa's 11, CelebAMask-HQ's 19; core/annotate/class_presets.h), or
/// nullptr for one without (300-W).
const annotate::ClassTable* benchmarkClassTable(const std::string& format);

/// CelebA's official partition of an original CelebA file number
/// (000001.jpg = 1): 1..162770 train, 162771..182637 val, the rest test.
/// Returns "train", "val" or "test".
const char* celebAPartition(int64_t celebAFileNumber);

}  // namespace synthforge::train
