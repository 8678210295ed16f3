#pragma once
// Applying a sample's camera effects (camera_effects.h) to its image.

#include <opencv2/core/mat.hpp>

#include "core/generate/camera_effects.h"

namespace synthforge::generate {

/// Applies `effects` to a BGR 8-bit image in place: exposure and white
/// balance (linear light, through a table), then in the order light meets
/// them aberration and defocus (lens), noise (sensor), JPEG (file).
/// Deterministic for the same effects and image. std::invalid_argument for
/// another image type.
void applyCameraEffects(const CameraEffects& effects, cv::Mat& bgr);

}  // namespace synthforge::generate
