#pragma once
// Colour jitter of face-recognition training images (torchvision's
// ColorJitter semantics, in a fixed order): brightness, contrast, saturation,
// hue. Torch-free so that it is tested on known pixels.

#include <random>

#include <opencv2/core.hpp>

namespace synthforge::fr {

struct FaceColourJitter {
    double brightness = 1;  ///< factor on every channel
    double contrast = 1;    ///< factor on the distance from the image's mean grey
    double saturation = 1;  ///< factor on each pixel's distance from its own luma
    double hue = 0;         ///< shift in turns of the hue circle (-0.5..0.5)

    /// The training draws: brightness, contrast and saturation uniform in
    /// [0.8, 1.2], hue uniform in [-0.02, 0.02] turns (about +-7 degrees,
    /// enough to vary skin tone without leaving it), in this order from `rng`.
    static FaceColourJitter draw(std::mt19937_64& rng);
};

/// Applies `j` in place to a CV_32FC3 RGB image with values in 0..1; values
/// may leave 0..1 (the caller clamps once at the end).
void applyColourJitter(cv::Mat& rgb, const FaceColourJitter& j);

}  // namespace synthforge::fr
