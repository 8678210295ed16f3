#pragma once
// A similarity as cv::warpAffine's matrix: every image warp by landmarks
// (face-recognition crops, predict's crops, restorer alignment and paste,
// photo alignment) moves pixels as the similarity moves continuous-pixel
// points, through this one conversion.

#include <opencv2/core/mat.hpp>

#include "core/camera/similarity2d.h"

namespace synthforge::camera {

/// Similarity2d::indexMatrix() as a CV_64F 2 x 3 cv::Mat.
inline cv::Mat warpMatrix(const Similarity2d& s) {
    const auto m = s.indexMatrix();
    cv::Mat out(2, 3, CV_64F);
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 3; ++c) out.at<double>(r, c) = m(r, c);
    return out;
}

}  // namespace synthforge::camera
