#pragma once
// Segmentation accuracy from a confusion matrix of class-id label maps:
// per-class precision, recall, F1 and IoU, and their means over a chosen set
// of classes (the foreground, 1..K-1, by default).
//
// For class c with TP = pixels labelled c in both, FP = predicted c but not
// in gt, FN = gt c but not predicted:
//   precision = TP / (TP + FP)      recall = TP / (TP + FN)
//   F1        = 2TP / (2TP + FP + FN)   IoU = TP / (TP + FP + FN)
//
// A class that appears in neither pred nor gt has no score: all four values
// are NaN and the means leave it out (scoring it 0 or 1 would reward or punish
// a model for images that never contained the class). A class that appears in
// only one of them gets 0 for any ratio whose denominator is 0 (recall of a
// class only ever predicted, precision of a class never predicted), as
// scikit-learn's zero_division=0 does: the model got that class wrong.

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace synthforge::eval {

struct ClassScores {
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
    double iou = 0.0;
    std::uint64_t gtPixels = 0;    ///< TP + FN
    std::uint64_t predPixels = 0;  ///< TP + FP
};

struct MeanScores {
    double precision = 0.0;  ///< NaN when no listed class was present
    double recall = 0.0;
    double f1 = 0.0;
    double iou = 0.0;
    int classesCounted = 0;  ///< listed classes present in pred or gt
};

/// Pixel counts per (gt class, predicted class) over any number of images.
class ConfusionMatrix {
public:
    /// `numClasses` K in 1..256: class ids are 0..K-1.
    explicit ConfusionMatrix(int numClasses);

    /// Adds one image pair: two CV_8UC1 maps of equal, non-zero size. Pixels
    /// whose gt is `ignoreId` are skipped whatever pred says (pass -1 to
    /// ignore nothing). Any other value >= K in gt or pred is an error naming
    /// the map, the value and the pixel. Throws std::invalid_argument and
    /// leaves the matrix unchanged on any error.
    void add(const cv::Mat& pred, const cv::Mat& gt, int ignoreId = 255);

    /// Adds another matrix's counts (for evaluation split over threads or
    /// processes). Throws std::invalid_argument when the class counts differ.
    void merge(const ConfusionMatrix& other);

    int numClasses() const { return numClasses_; }
    /// Pixels with gt class `gtClass` predicted as `predClass`.
    std::uint64_t count(int gtClass, int predClass) const;
    /// Counted pixels (ignored ones excluded).
    std::uint64_t totalPixels() const;
    /// Pixels skipped because their gt was the ignore id.
    std::uint64_t ignoredPixels() const { return ignored_; }

    /// Scores of class `c`; NaN in all four ratios when c is in neither map.
    ClassScores classScores(int c) const;
    /// classScores for 0..K-1.
    std::vector<ClassScores> perClass() const;

    /// Means over `classes` (ids in 0..K-1, no repeats) of the classes that
    /// are present; NaN values when none is.
    MeanScores meanScores(const std::vector<int>& classes) const;
    /// Means over the foreground classes 1..K-1.
    MeanScores meanScores() const { return meanScores(foregroundClasses()); }
    /// 1..K-1: every class but background 0.
    std::vector<int> foregroundClasses() const;

private:
    void checkClass(int c, const char* what) const;

    int numClasses_;
    std::vector<std::uint64_t> counts_;  ///< row-major, row = gt class, column = predicted class
    std::uint64_t ignored_ = 0;
};

}  // namespace synthforge::eval
