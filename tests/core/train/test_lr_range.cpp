// The learning-rate range test's arithmetic: the exponential sweep, the
// bias-corrected smoothing, the steepest-descent suggestion, the plot.

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/train/lr_range.h"

namespace synthforge::train {
namespace {

TEST(LrRange, SweepIsExponentialFromMinToMax) {
    EXPECT_DOUBLE_EQ(lrRangeRate(1e-6, 1.0, 0, 7), 1e-6);
    EXPECT_DOUBLE_EQ(lrRangeRate(1e-6, 1.0, 3, 7), 1e-3);
    EXPECT_DOUBLE_EQ(lrRangeRate(1e-6, 1.0, 6, 7), 1.0);
    for (int i = 0; i + 1 < 50; ++i) EXPECT_LT(lrRangeRate(1e-7, 1, i, 50), lrRangeRate(1e-7, 1, i + 1, 50));
}

TEST(LrRange, SmoothingIsBiasCorrected) {
    // A constant series stays constant from the first value on.
    for (double v : smoothLosses({3, 3, 3, 3}, 0.9)) EXPECT_NEAR(v, 3.0, 1e-12);
    // Hand-computed: beta 0.5 on 2, 4: avg 1 / 0.5 = 2, then (0.5 + 2) / 0.75 = 10/3.
    const auto s = smoothLosses({2, 4}, 0.5);
    EXPECT_DOUBLE_EQ(s[0], 2.0);
    EXPECT_DOUBLE_EQ(s[1], 10.0 / 3.0);
}

TEST(LrRange, SuggestionIsTheSteepestDescentBeforeTheMinimum) {
    std::vector<double> lr, loss;
    // A loss that falls slowly, then fast around lr = 1e-3, bottoms out at
    // 1e-2 and explodes after: the suggestion is in the fast fall.
    for (int i = 0; i < 41; ++i) {
        const double x = -6 + 0.125 * i;  // log10 lr from -6 to -1
        lr.push_back(std::pow(10.0, x));
        loss.push_back(x < -2 ? 2.0 - 1.5 / (1 + std::exp(-4 * (x + 3))) : 0.5 + 3 * (x + 2) * (x + 2));
    }
    const int64_t i = steepestDescentIndex(lr, loss);
    ASSERT_GE(i, 0);
    EXPECT_NEAR(std::log10(lr[static_cast<size_t>(i)]), -3.0, 0.13);
    EXPECT_GE(lr[static_cast<size_t>(i)], lr.front());
    EXPECT_LE(lr[static_cast<size_t>(i)], lr.back());
    EXPECT_EQ(steepestDescentIndex({1e-3, 1e-2}, {1, 0.5}), -1) << "too few points";
}

TEST(LrRange, PlotDrawsTheCurveAndTheMarker) {
    std::vector<double> lr, loss;
    for (int i = 0; i < 20; ++i) {
        lr.push_back(std::pow(10.0, -5 + 0.2 * i));
        loss.push_back(3.0 - 0.1 * i);
    }
    const cv::Mat img = plotLrRange(lr, loss, 10, 400, 300);
    ASSERT_EQ(img.rows, 300);
    ASSERT_EQ(img.cols, 400);
    int curvePixels = 0, markerPixels = 0;
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x) {
            const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
            if (p[0] > 150 && p[2] < 60) ++curvePixels;   // the blue curve (BGR)
            if (p[2] > 180 && p[0] < 80) ++markerPixels;  // the red marker
        }
    EXPECT_GT(curvePixels, 200);
    EXPECT_GT(markerPixels, 20);
}

}  // namespace
}  // namespace synthforge::train
