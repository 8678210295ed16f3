#include "core/dataset/coverage_counts.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace synthforge::dataset {

namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

/// The bin of v; values outside the range count in the edge bins.
int binOf(double v, double lo, double step, int bins) {
    const int b = static_cast<int>(std::floor((v - lo) / step));
    return std::clamp(b, 0, bins - 1);
}

}  // namespace

Coverage emptyCoverage(const std::string& dataset, const CoverageOptions& o) {
    if (!(o.binDeg > 0) || !(o.yawRangeDeg > 0) || !(o.pitchRangeDeg > 0) || o.faceSizeBins < 1 ||
        o.scatterComponents < 0)
        throw std::invalid_argument("coverage: ranges and bin sizes must be positive");
    Coverage c;
    c.dataset = dataset;
    c.yawBins = std::max(1, static_cast<int>(std::ceil(2 * o.yawRangeDeg / o.binDeg)));
    c.pitchBins = std::max(1, static_cast<int>(std::ceil(2 * o.pitchRangeDeg / o.binDeg)));
    c.yawPitch.assign(static_cast<std::size_t>(c.yawBins) * c.pitchBins, 0);
    c.faceSize.assign(static_cast<std::size_t>(o.faceSizeBins), 0);
    return c;
}

void addPose(Coverage& c, const CoverageOptions& o, double yaw, double pitch) {
    if (std::isfinite(yaw) && std::isfinite(pitch)) {
        const int x = binOf(yaw / kDeg, -o.yawRangeDeg, o.binDeg, c.yawBins);
        const int y = binOf(pitch / kDeg, -o.pitchRangeDeg, o.binDeg, c.pitchBins);
        ++c.yawPitch[static_cast<std::size_t>(y) * c.yawBins + x];
    } else {
        ++c.withoutPose;
    }
}

void addFaceSize(Coverage& c, const CoverageOptions& o, double side, double imageSide) {
    ++c.faceSize[static_cast<std::size_t>(binOf(side / imageSide, 0.0, 1.0 / o.faceSizeBins, o.faceSizeBins))];
}

void addClassPixels(Coverage& c, const cv::Mat& labels, const std::array<std::uint8_t, 256>& ids) {
    ++c.segmentedSamples;
    for (int r = 0; r < labels.rows; ++r) {
        const std::uint8_t* row = labels.ptr<std::uint8_t>(r);
        for (int x = 0; x < labels.cols; ++x) ++c.classPixels[ids[row[x]]];
    }
}

const std::array<std::uint8_t, 256>& identityClassMap() {
    static const std::array<std::uint8_t, 256> ids = [] {
        std::array<std::uint8_t, 256> a{};
        for (int k = 0; k < 256; ++k) a[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(k);
        return a;
    }();
    return ids;
}

}  // namespace synthforge::dataset
