#pragma once
// The files `synthforge predict` writes for one image (docs/predict.md),
// all at the input image's resolution:
//   <stem>_landmarks.json    landmarks in continuous pixels of the input
//   <stem>_overlay.png       the input with the landmarks and the crop drawn
//   <stem>_seg.png           8-bit class ids (255 where the crop saw nothing)
//   <stem>_seg_overlay.png   the input blended with the run's class colours
//   <stem>_depth.png         16-bit, depth x kDepthPngScale (0 = background)
//   <stem>_depth.npy         float32 depth, 0 = background
// Torch-free.

#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/annotate/class_table.h"
#include "core/train/crop_similarity.h"

namespace synthforge::train {

/// 16-bit depth PNG value per depth unit (generator units; 6.5535 fits).
constexpr double kDepthPngScale = 10000.0;

/// One image's predictions, mapped onto its pixels. Empty members are not written.
struct ImageMaps {
    Points2d landmarks;   ///< L x 2 continuous pixels (0 rows: the model has none)
    cv::Mat classIds;     ///< CV_8UC1, 255 = outside the crop
    cv::Mat depth;        ///< CV_32FC1, 0 = background or outside the crop
};

/// Writes the files above into `outDir` (which must exist) and returns their
/// names, in that order. `bgr` is the input image, `crop` and `size` the
/// framing (drawn on the overlay), `classes` colours the segmentation.
/// std::runtime_error naming a file that cannot be written.
std::vector<std::string> writePredictionFiles(const std::string& outDir, const std::string& stem,
                                              const std::string& inputPath, const cv::Mat& bgr, const ImageMaps& maps,
                                              const annotate::ClassTable& classes, const Similarity2d& crop,
                                              int size);

}  // namespace synthforge::train
