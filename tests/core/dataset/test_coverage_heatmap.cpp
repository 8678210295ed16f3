// The pose heat map: size, orientation (highest pitch on top, lowest yaw on
// the left), empty bins black, a tiny count still visible, the largest count
// Viridis's bright end; bad input refused.

#include <gtest/gtest.h>

#include "core/dataset/coverage_heatmap.h"

namespace synthforge::dataset {
namespace {

TEST(CoverageHeatMap, BinsLandWhereThePoseIsAndEmptyOnesStayBlack) {
    Coverage c;
    c.yawBins = 3;
    c.pitchBins = 2;
    // row 0 = lowest pitch: (yaw 0, pitch 0) = 1000, (yaw 2, pitch 1) = 1, the rest 0.
    c.yawPitch = {1000, 0, 0, 0, 0, 1};
    const cv::Mat m = coverageHeatMap(c, 5);
    ASSERT_EQ(m.type(), CV_8UC3);
    ASSERT_EQ(m.size(), cv::Size(15, 10));
    const cv::Vec3b most = m.at<cv::Vec3b>(7, 2);  // bottom-left bin: lowest pitch, lowest yaw
    const cv::Vec3b tiny = m.at<cv::Vec3b>(2, 12); // top-right bin
    EXPECT_GT(most[1], 200);                       // Viridis's top is yellow: green and red high, blue low
    EXPECT_GT(most[2], 200);
    EXPECT_LT(most[0], 100);
    EXPECT_NE(tiny, cv::Vec3b(0, 0, 0)) << "one sample among a thousand must still show";
    EXPECT_EQ(m.at<cv::Vec3b>(2, 2), cv::Vec3b(0, 0, 0));
    EXPECT_EQ(m.at<cv::Vec3b>(7, 7), cv::Vec3b(0, 0, 0));
    for (int y = 5; y < 10; ++y)
        for (int x = 0; x < 5; ++x) ASSERT_EQ(m.at<cv::Vec3b>(y, x), most) << "a bin is one flat square";
}

TEST(CoverageHeatMap, RefusesACoverageWithoutBinsOrAZeroCell) {
    Coverage c;
    EXPECT_THROW(coverageHeatMap(c, 4), std::invalid_argument);
    c.yawBins = c.pitchBins = 2;
    c.yawPitch = {1, 2, 3};  // one short
    EXPECT_THROW(coverageHeatMap(c, 4), std::invalid_argument);
    c.yawPitch.push_back(4);
    EXPECT_THROW(coverageHeatMap(c, 0), std::invalid_argument);
    EXPECT_NO_THROW(coverageHeatMap(c, 1));
}

}  // namespace
}  // namespace synthforge::dataset
