#pragma once
// Face-recognition crops: 112 x 112 images aligned to the standard ArcFace
// five-point template by the least-squares similarity (Umeyama) of five of
// our exact landmarks: the eye centres (means of iBUG 36-41 and 42-47), the
// nose tip (30) and the mouth corners (48, 54). The identity sampler's
// datasets write them as fr/<identity>/<index>.png (docs/samplers.md).
//
// Coordinates: ours are continuous (pixel i covers [i, i+1)); the ArcFace
// template is in OpenCV's pixel-centre convention (pixel i centred at i), as
// cv::warpAffine uses, so it sits at template + 0.5 in ours.

#include <cstdint>
#include <string>

#include <opencv2/core/mat.hpp>

#include "core/camera/similarity2d.h"
#include "core/head/head_model.h"

namespace synthforge::generate {

constexpr int kFrCropSize = 112;

/// The five ArcFace reference points for 112 x 112 (OpenCV convention):
/// left eye, right eye (as seen in the image), nose tip, left and right
/// mouth corner.
camera::Points2d arcFaceTemplate();

/// Our five points from 68 landmarks in continuous pixels, in the template's
/// order. Throws std::invalid_argument for fewer than 68 rows.
camera::Points2d fivePoints(const head::RowMatX2f& landmarks2d);

/// The similarity taking continuous image pixels to continuous crop pixels.
/// Throws std::invalid_argument when the points are not finite (a face
/// behind the camera) or coincide.
camera::Similarity2d frCropTransform(const head::RowMatX2f& landmarks2d);

/// The aligned kFrCropSize x kFrCropSize crop of `image` (bilinear, border
/// replicated so a face near the edge has no black wedge).
cv::Mat alignedFrCrop(const cv::Mat& image, const head::RowMatX2f& landmarks2d);

/// "fr/<identity>/<sample>.png" with the identity zero-padded like sample
/// names (at least 6 digits, more when `identities` needs them).
std::string frCropPath(std::uint64_t identity, std::uint64_t identities, const std::string& sampleName);

}  // namespace synthforge::generate
