#pragma once
// Face restorers (CodeFormer, GFPGAN, ...) work on faces aligned to the FFHQ
// 512 five-point template. Our landmarks give the alignment exactly; the
// restored face is then pasted back through the inverse transform with a
// feathered mask, so only the face changes. Torch-free.

#include <opencv2/core.hpp>

#include "core/camera/similarity2d.h"
#include "core/head/head_model.h"

namespace synthforge::transfer {

/// The FFHQ 512 five-point template (left eye, right eye as seen in the
/// image, nose tip, left and right mouth corner; OpenCV pixel centres), the
/// one facexlib and CodeFormer align to, scaled to `side`.
camera::Points2d ffhqTemplate(int side);

/// The similarity taking continuous image pixels to continuous pixels of a
/// side x side FFHQ-aligned face, from our 68 landmarks' five points.
/// std::invalid_argument for landmarks that are not finite.
camera::Similarity2d ffhqAlignTransform(const head::RowMatX2f& landmarks68, int side);

/// The side x side face `s` maps out of `image` (bilinear, border replicated).
cv::Mat warpFace(const cv::Mat& image, const camera::Similarity2d& s, int side);

/// `image` with `face` (aligned by `s`, square) warped back into it and
/// blended through a mask that is 1 inside the face square shrunk by
/// `feather` pixels and falls to 0 over the next `feather` (of the image);
/// outside, the image is untouched. Both 8-bit BGR.
cv::Mat pasteFace(const cv::Mat& image, const cv::Mat& face, const camera::Similarity2d& s, int feather);

}  // namespace synthforge::transfer
