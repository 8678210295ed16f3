#pragma once
// Image resampling for `synthforge predict` (docs/predict.md): the user's
// image into the network's S x S crop through a Similarity2d, and the
// network's maps (class scores, depth) back onto the image's pixels.
// Similarities use continuous pixels (pixel i covers [i, i+1)); OpenCV's
// warps use pixel-centre indices, converted here. Torch-free.

#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/train/crop_similarity.h"

namespace synthforge::train {

/// How a plain (unrotated, whole-pixel) crop is resized when it enlarges:
/// INTER_AREA as the Stage I loader resizes samples, or linear as Stage II's
/// benchmark crops do. Shrinking is INTER_AREA either way.
enum class EnlargeFilter { Area, Linear };

/// The size x size crop of `image` (any type OpenCV warps) under `crop`,
/// zero outside the image. A crop with no rotation whose square has whole-
/// pixel corner and side (at most twice the image's size) is cut out and
/// resized (cv::resize, the loaders' path, so a square image at its own
/// size comes back unchanged); any other
/// is cv::warpAffine (bilinear), after an INTER_AREA pre-shrink of the image
/// when the crop shrinks it, so that bilinear never skips pixels.
/// std::invalid_argument for an empty image or size < 1.
cv::Mat warpToCrop(const cv::Mat& image, const Similarity2d& crop, int size, EnlargeFilter enlarge);

/// Whether the crop is a whole-pixel, unrotated square (warpToCrop's cut-out
/// path); sets its corner and side.
bool isPixelAlignedCrop(const Similarity2d& crop, int size, int* x = nullptr, int* y = nullptr, int* side = nullptr);

/// A size x size map (CV_32FC1 or CV_8UC1) of the crop back on an image of
/// `imageSize`: each image pixel takes the map's value at crop(pixel
/// centre), bilinear or nearest; `outside` where that falls off the crop.
cv::Mat warpFromCrop(const cv::Mat& cropMap, const Similarity2d& crop, cv::Size imageSize, bool nearest,
                     double outside);

/// CV_8UC1 of `imageSize`: 255 where the image pixel's centre maps inside the S x S crop, 0 elsewhere.
cv::Mat cropCoverage(const Similarity2d& crop, int size, cv::Size imageSize);

/// Per-class scores (C maps, size x size CV_32FC1, e.g. logits) to class ids
/// at image resolution: each score map resampled bilinearly, then the
/// argmax per pixel, so boundaries stay smooth when the image is larger than
/// the crop. Pixels outside the crop get `outsideId`. Memory: three image-
/// sized maps, whatever C. std::invalid_argument for no maps, more than 255
/// classes or maps of other sizes.
cv::Mat classIdsInImage(const std::vector<cv::Mat>& scores, const Similarity2d& crop, cv::Size imageSize,
                        unsigned char outsideId);

}  // namespace synthforge::train
