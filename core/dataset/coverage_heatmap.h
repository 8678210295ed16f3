#pragma once
// The yaw x pitch histogram of a coverage as a colour picture: the CLI's
// yaw_pitch.png and the studio's Coverage tab show the same map.

#include <opencv2/core/mat.hpp>

#include "core/dataset/coverage.h"

namespace synthforge::dataset {

/// Counts -> Viridis, the largest count brightest, empty bins black; each
/// bin `cell` x `cell` pixels; row 0 of the picture is the highest pitch,
/// column 0 the lowest yaw. 8-bit BGR. std::invalid_argument for a coverage
/// without bins or a cell below 1.
cv::Mat coverageHeatMap(const Coverage& c, int cell);

}  // namespace synthforge::dataset
