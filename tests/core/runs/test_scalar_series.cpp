// core/runs/scalar_series.h: TensorBoard's EMA on known values, the M4
// decimation against the full line (same extremes per column, the same
// pixels when drawn), the plot x choices and the log-axis filter.

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/runs/scalar_series.h"

using namespace synthforge::runs;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<PlotPoint> randomWalk(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> step(0.0, 1.0);
    std::vector<PlotPoint> pts(n);
    double y = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        y += step(rng);
        pts[i] = {static_cast<double>(i), y};
    }
    return pts;
}

/// Draws a polyline with x quantised to `columns` pixel columns of [xMin, xMax]
/// and y to pixel rows of [yMin, yMax].
cv::Mat draw(const std::vector<PlotPoint>& pts, double xMin, double xMax, int columns, double yMin, double yMax) {
    cv::Mat img(200, columns, CV_8UC1, cv::Scalar(0));
    std::vector<cv::Point> poly;
    for (const PlotPoint& p : pts) {
        if (p.x < xMin || p.x > xMax) continue;
        const int x = std::min(columns - 1, static_cast<int>((p.x - xMin) * columns / (xMax - xMin)));
        const int y = static_cast<int>(std::lround((p.y - yMin) / (yMax - yMin) * 199));
        poly.emplace_back(x, y);
    }
    cv::polylines(img, std::vector<std::vector<cv::Point>>{poly}, false, cv::Scalar(255), 1, cv::LINE_8);
    return img;
}
}  // namespace

TEST(SmoothEma, KnownValuesFollowTensorBoardsDebiasedRule) {
    const std::vector<double> s = smoothEma({1, 2, 3}, 0.5);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_DOUBLE_EQ(s[0], 1.0);            // 0.5 / (1 - 0.5)
    EXPECT_DOUBLE_EQ(s[1], 1.25 / 0.75);    // (0.25 + 1) / (1 - 0.25)
    EXPECT_DOUBLE_EQ(s[2], 2.125 / 0.875);  // (0.625 + 1.5) / (1 - 0.125)
    // The first smoothed value is always the first value (the debiasing).
    EXPECT_DOUBLE_EQ(smoothEma({7, 1}, 0.9)[0], 7.0);
    EXPECT_NEAR(smoothEma({7, 1}, 0.9)[1], (0.63 + 0.1) / (1 - 0.81), 1e-12);
}

TEST(SmoothEma, NonFiniteValuesPassThroughAndAreNotCounted) {
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> s = smoothEma({1, kNaN, inf, 3}, 0.5);
    EXPECT_DOUBLE_EQ(s[0], 1.0);
    EXPECT_TRUE(std::isnan(s[1]));
    EXPECT_EQ(s[2], inf);
    // Two finite values so far: (0.5*0.5 + 0.5*3) / (1 - 0.5^2).
    EXPECT_DOUBLE_EQ(s[3], 1.75 / 0.75);
}

TEST(SmoothEma, ConstantSeriesZeroWeightAndBadWeights) {
    const std::vector<double> flat(1000, 0.1);
    EXPECT_EQ(smoothEma(flat, 0.99), flat);  // bit for bit, no rounding wiggle
    const std::vector<double> v{3, 1, 4, 1, 5};
    EXPECT_EQ(smoothEma(v, 0.0), v);
    EXPECT_TRUE(smoothEma({}, 0.6).empty());
    EXPECT_THROW(smoothEma(v, 1.0), std::invalid_argument);
    EXPECT_THROW(smoothEma(v, -0.1), std::invalid_argument);
    EXPECT_THROW(smoothEma(v, kNaN), std::invalid_argument);
}

TEST(ToPlotPoints, StepOrRelativeWallTime) {
    const std::vector<ScalarPoint> pts{{10, kNaN, 1.0}, {20, 1000.5, 2.0}, {30, 1003.0, 3.0}};
    const auto bySteps = toPlotPoints(pts, XAxisKind::Step);
    ASSERT_EQ(bySteps.size(), 3u);
    EXPECT_EQ(bySteps[0].x, 10.0);
    EXPECT_EQ(bySteps[2].y, 3.0);
    const auto byTime = toPlotPoints(pts, XAxisKind::RelativeWallTime);
    ASSERT_EQ(byTime.size(), 2u);  // no wall time, no x
    EXPECT_EQ(byTime[0].x, 0.0);
    EXPECT_EQ(byTime[1].x, 2.5);
    const std::vector<double> smoothed{5, 6, 7};
    EXPECT_EQ(toPlotPoints(pts, XAxisKind::Step, &smoothed)[1].y, 6.0);
    const std::vector<double> wrong{1};
    EXPECT_THROW(toPlotPoints(pts, XAxisKind::Step, &wrong), std::invalid_argument);
}

TEST(DecimateM4, KeepsEachColumnsFirstMinMaxLast) {
    // Column 0 holds x 0..3, column 1 holds x 4..7 (8 columns of width 1 would keep all).
    const std::vector<PlotPoint> pts{{0, 5}, {1, 9}, {2, -1}, {3, 4}, {4, 2}, {5, 2}, {6, 3}, {7, 1}};
    const auto d = decimateM4(pts, 0, 8, 2);
    const std::vector<std::pair<double, double>> expected{{0, 5}, {1, 9}, {2, -1}, {3, 4},
                                                           {4, 2}, {6, 3}, {7, 1}};
    ASSERT_EQ(d.size(), expected.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
        EXPECT_EQ(d[i].x, expected[i].first) << i;
        EXPECT_EQ(d[i].y, expected[i].second) << i;
    }
}

TEST(DecimateM4, LongWalkKeepsExtremesAndDrawsTheSamePixels) {
    const auto pts = randomWalk(100000, 7);
    const int columns = 640;
    const auto d = decimateM4(pts, 0, 99999, columns);
    EXPECT_LE(d.size(), 4u * columns + 2);
    EXPECT_GE(d.size(), 2u * columns);
    double lo = 1e300, hi = -1e300;
    for (const auto& p : pts) lo = std::min(lo, p.y), hi = std::max(hi, p.y);
    double dlo = 1e300, dhi = -1e300;
    for (const auto& p : d) dlo = std::min(dlo, p.y), dhi = std::max(dhi, p.y);
    EXPECT_EQ(lo, dlo);
    EXPECT_EQ(hi, dhi);
    EXPECT_EQ(d.front().x, pts.front().x);
    EXPECT_EQ(d.back().x, pts.back().x);
    const cv::Mat full = draw(pts, 0, 99999, columns, lo, hi);
    const cv::Mat dec = draw(d, 0, 99999, columns, lo, hi);
    EXPECT_EQ(cv::countNonZero(full != dec), 0);
    EXPECT_GT(cv::countNonZero(full), columns);
}

TEST(DecimateM4, AZoomedRangeKeepsTheNeighboursOutsideIt) {
    const auto pts = randomWalk(1000, 3);
    const auto d = decimateM4(pts, 100.5, 200.5, 10);
    ASSERT_GE(d.size(), 3u);
    EXPECT_EQ(d.front().x, 100.0);  // the last point before the range
    EXPECT_EQ(d.back().x, 201.0);   // the first after it
    for (std::size_t i = 1; i + 1 < d.size(); ++i) {
        EXPECT_GE(d[i].x, 100.5);
        EXPECT_LE(d[i].x, 200.5);
    }
    // An empty range (one x value) is one column.
    const std::vector<PlotPoint> same{{5, 1}, {5, 3}, {5, 2}};
    EXPECT_EQ(decimateM4(same, 5, 5, 100).size(), 3u);
}

TEST(DecimateM4, SkipsUndrawableValuesAndRefusesBadArguments) {
    const std::vector<PlotPoint> pts{{0, 1}, {1, kNaN}, {2, 3}, {3, std::numeric_limits<double>::infinity()}};
    const auto d = decimateM4(pts, 0, 3, 100);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[1].x, 2.0);
    EXPECT_TRUE(decimateM4({}, 0, 1, 10).empty());
    EXPECT_THROW(decimateM4(pts, 0, 3, 0), std::invalid_argument);
    EXPECT_THROW(decimateM4(pts, 3, 0, 10), std::invalid_argument);
    EXPECT_THROW(decimateM4(pts, kNaN, 1, 10), std::invalid_argument);
}

TEST(KeepPositiveY, DropsWhatALogAxisCannotShow) {
    const auto r = keepPositiveY({{0, 1}, {1, 0}, {2, -3}, {3, kNaN}, {4, 1e-30}});
    ASSERT_EQ(r.points.size(), 2u);
    EXPECT_EQ(r.points[1].x, 4.0);
    EXPECT_EQ(r.dropped, 3u);
}
