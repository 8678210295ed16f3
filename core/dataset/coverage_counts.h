#pragma once
// The counting steps every coverage reader shares (coverage.cpp for our
// datasets, benchmark_coverage.cpp for 300-W, LaPa and CelebAMask-HQ), so
// that the histograms of different layouts are binned alike.

#include <array>
#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "core/dataset/coverage.h"

namespace synthforge::dataset {

/// Empty histograms sized by the options; std::invalid_argument for bad options.
Coverage emptyCoverage(const std::string& dataset, const CoverageOptions& o);

/// Counts a pose (radians, orbit convention), or a sample without one when
/// either angle is not finite.
void addPose(Coverage& c, const CoverageOptions& o, double yaw, double pitch);

/// Counts a face of `side` pixels in an image whose larger side is `imageSide`.
void addFaceSize(Coverage& c, const CoverageOptions& o, double side, double imageSide);

/// Counts a CV_8UC1 label map's pixels under ids[label] and the map as one
/// segmented sample.
void addClassPixels(Coverage& c, const cv::Mat& labels, const std::array<std::uint8_t, 256>& ids);

/// ids[k] = k: labels that already are our ids.
const std::array<std::uint8_t, 256>& identityClassMap();

}  // namespace synthforge::dataset
