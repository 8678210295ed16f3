#include "core/dataset/coverage_heatmap.h"

#include <algorithm>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace synthforge::dataset {

cv::Mat coverageHeatMap(const Coverage& c, int cell) {
    if (c.yawBins < 1 || c.pitchBins < 1 || c.yawPitch.size() != static_cast<std::size_t>(c.yawBins) * c.pitchBins)
        throw std::invalid_argument("coverageHeatMap: the coverage has no pose bins");
    if (cell < 1) throw std::invalid_argument("coverageHeatMap: cell must be at least 1 pixel");
    std::uint64_t most = 1;
    for (auto v : c.yawPitch) most = std::max(most, v);
    cv::Mat grey(c.pitchBins, c.yawBins, CV_8UC1);
    for (int y = 0; y < c.pitchBins; ++y)
        for (int x = 0; x < c.yawBins; ++x) {
            const std::uint64_t v = c.yawPitch[static_cast<std::size_t>(y) * c.yawBins + x];
            // A bin too small to show in 8 bits is still not empty: at least 1.
            grey.at<std::uint8_t>(c.pitchBins - 1 - y, x) =
                v == 0 ? 0 : static_cast<std::uint8_t>(std::max(1.0, 255.0 * static_cast<double>(v) / most));
        }
    cv::Mat colour, big;
    cv::applyColorMap(grey, colour, cv::COLORMAP_VIRIDIS);
    colour.setTo(cv::Scalar(0, 0, 0), grey == 0);
    cv::resize(colour, big, cv::Size(c.yawBins * cell, c.pitchBins * cell), 0, 0, cv::INTER_NEAREST);
    return big;
}

}  // namespace synthforge::dataset
