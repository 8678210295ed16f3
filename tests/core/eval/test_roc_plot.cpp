// ROC files of `fr eval`: the CSV lists every point as computed; the plot
// puts each curve where FAR (log) and TAR say, in its own colour.

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "core/eval/roc_plot.h"

namespace synthforge::eval {
namespace {

TEST(RocFiles, CsvListsThePointsInOrder) {
    const std::vector<RocPoint> roc{{0.5, 0.0, 0.25}, {1.25, 0.001, 0.75}, {4.0, 1.0, 1.0}};
    EXPECT_EQ(rocCsv(roc), "threshold,far,tar\n0.5,0,0.25\n1.25,0.001,0.75\n4,1,1\n");
    EXPECT_EQ(rocCsv({}), "threshold,far,tar\n");
}

TEST(RocFiles, PlotDrawsEachCurveWhereItsPointsAre) {
    // Curve A: a step from TAR 0.5 at FAR 1e-3 to TAR 1 at FAR 1e-1.
    const std::vector<RocPoint> a{{0.1, 1e-3, 0.5}, {0.2, 1e-1, 1.0}};
    const cv::Mat img = rocPlot({{"a", a}});
    ASSERT_EQ(img.size(), cv::Size(640, 480));
    ASSERT_EQ(img.type(), CV_8UC3);
    // Plot box: x 60..620 for log FAR -4..0, y 20..430 for TAR 1..0.
    auto px = [](double logFar, double tar) {
        return cv::Point(60 + static_cast<int>(std::lround((logFar + 4.0) / 4.0 * 560)),
                         20 + static_cast<int>(std::lround((1.0 - tar) * 410)));
    };
    const cv::Vec3b curve(200, 90, 30);  // the first curve's colour (BGR)
    auto near = [&](cv::Point p) {
        for (int dy = -2; dy <= 2; ++dy)
            for (int dx = -2; dx <= 2; ++dx) {
                const cv::Vec3b v = img.at<cv::Vec3b>(p.y + dy, p.x + dx);
                if (std::abs(v[0] - curve[0]) < 40 && std::abs(v[1] - curve[1]) < 40 && std::abs(v[2] - curve[2]) < 40)
                    return true;
            }
        return false;
    };
    EXPECT_TRUE(near(px(-3.0, 0.5)));
    EXPECT_TRUE(near(px(-1.0, 1.0)));
    EXPECT_TRUE(near(px(-2.0, 0.75)));   // the segment between them
    EXPECT_FALSE(near(px(-2.0, 0.25)));  // nothing below it
    // A second curve gets the second colour.
    const cv::Mat two = rocPlot({{"a", a}, {"b", {{0.1, 1e-4, 0.1}, {0.2, 1.0, 0.2}}}});
    const cv::Vec3b second(40, 60, 220);
    const cv::Point mid = px(-2.0, 0.15);
    bool found = false;
    for (int dy = -2; dy <= 2; ++dy)
        for (int dx = -2; dx <= 2; ++dx) {
            const cv::Vec3b v = two.at<cv::Vec3b>(mid.y + dy, mid.x + dx);
            found = found || (std::abs(v[0] - second[0]) < 40 && std::abs(v[1] - second[1]) < 40 && std::abs(v[2] - second[2]) < 40);
        }
    EXPECT_TRUE(found);
}

}  // namespace
}  // namespace synthforge::eval
