// Resampling between the user's image and the network crop
// (core/train/crop_warp.h): the loaders' cut-and-resize path, the rotated
// path's pixel convention, maps back onto the image and class ids.

#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/train/crop_warp.h"

namespace synthforge::train {
namespace {

cv::Mat gradient(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(x % 256, y % 256, (x * 7 + y * 3) % 256);
    return m;
}

TEST(CropWarp, PixelAlignedCropsCutAndResizeLikeTheLoaders) {
    const cv::Mat img = gradient(120, 80);
    // A square image at its own size comes back unchanged.
    const cv::Mat sq = gradient(64, 64);
    EXPECT_EQ(cv::norm(warpToCrop(sq, centredCrop(64, 64, 64), 64, EnlargeFilter::Area), sq, cv::NORM_INF), 0);
    // The centred crop of 120 x 80 to 40: cut [20, 100) x [0, 80), INTER_AREA.
    const Similarity2d c = centredCrop(120, 80, 40);
    int x = 0, y = 0, side = 0;
    ASSERT_TRUE(isPixelAlignedCrop(c, 40, &x, &y, &side));
    EXPECT_EQ(x, 20);
    EXPECT_EQ(y, 0);
    EXPECT_EQ(side, 80);
    cv::Mat expected;
    cv::resize(img(cv::Rect(20, 0, 80, 80)), expected, cv::Size(40, 40), 0, 0, cv::INTER_AREA);
    EXPECT_EQ(cv::norm(warpToCrop(img, c, 40, EnlargeFilter::Area), expected, cv::NORM_INF), 0);
    // Enlarging: INTER_AREA (Stage I's loader) or linear (Stage II's crops).
    const Similarity2d up = squareCrop(10, 10, 32, 64);
    cv::Mat area, linear;
    cv::resize(img(cv::Rect(10, 10, 32, 32)), area, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
    cv::resize(img(cv::Rect(10, 10, 32, 32)), linear, cv::Size(64, 64), 0, 0, cv::INTER_LINEAR);
    EXPECT_EQ(cv::norm(warpToCrop(img, up, 64, EnlargeFilter::Area), area, cv::NORM_INF), 0);
    EXPECT_EQ(cv::norm(warpToCrop(img, up, 64, EnlargeFilter::Linear), linear, cv::NORM_INF), 0);
    // Outside the image: zeros.
    const cv::Mat off = warpToCrop(img, squareCrop(-10, -10, 20, 20), 20, EnlargeFilter::Area);
    EXPECT_EQ(off.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 0));
    EXPECT_EQ(off.at<cv::Vec3b>(15, 15), img.at<cv::Vec3b>(5, 5));
    EXPECT_FALSE(isPixelAlignedCrop(squareCrop(0.5, 0, 20, 20), 20));
    // A square of a million pixels a side (a hostile box) is warped, not allocated: the image is a speck in its corner.
    const cv::Mat huge = warpToCrop(img, squareCrop(0, 0, 1000000, 64), 64, EnlargeFilter::Area);
    EXPECT_EQ(huge.size(), cv::Size(64, 64));
    EXPECT_EQ(huge.at<cv::Vec3b>(32, 32), cv::Vec3b(0, 0, 0));
    EXPECT_THROW(warpToCrop(cv::Mat(), c, 40, EnlargeFilter::Area), std::invalid_argument);
}

TEST(CropWarp, RotatedCropsFollowTheContinuousPixelConvention) {
    // A single bright pixel at (30, 10) (centre (30.5, 10.5)) of a 64 x 64 image.
    cv::Mat img(64, 64, CV_32FC1, cv::Scalar(0));
    img.at<float>(10, 30) = 1;
    // Turn by 90° about the image centre: (30.5, 10.5) -> centre + R (−1.5, −21.5) = (53.5, 30.5).
    const Similarity2d turn{0, 1, 64, 0};  // (x, y) -> (64 - y, x)
    const cv::Mat out = warpToCrop(img, turn, 64, EnlargeFilter::Area);
    cv::Point peak;
    cv::minMaxLoc(out, nullptr, nullptr, nullptr, &peak);
    EXPECT_EQ(peak, cv::Point(53, 30));
    EXPECT_NEAR(out.at<float>(30, 53), 1.0f, 1e-5);
    // And back onto the image: the same pixel.
    const cv::Mat back = warpFromCrop(out, turn, cv::Size(64, 64), true, -1);
    EXPECT_NEAR(back.at<float>(10, 30), 1.0f, 1e-5);

    // A big shrink averages first: a fine checkerboard becomes mid-grey, not an alias.
    cv::Mat checker(512, 512, CV_8UC1);
    for (int y = 0; y < 512; ++y)
        for (int x = 0; x < 512; ++x) checker.at<uint8_t>(y, x) = (x + y) % 2 ? 255 : 0;
    const Similarity2d shrinkTurn{0.125 * std::cos(0.3), 0.125 * std::sin(0.3), 10, 0};
    const cv::Mat small = warpToCrop(checker, shrinkTurn, 48, EnlargeFilter::Area);
    EXPECT_NEAR(small.at<uint8_t>(24, 24), 127.5, 2.0);
}

TEST(CropWarp, MapsAndClassIdsBackOnTheImage) {
    // Crop 2x smaller than the image: class 1 on the crop's left half, 2 on the right.
    const int s = 32;
    std::vector<cv::Mat> scores(3, cv::Mat(s, s, CV_32FC1, cv::Scalar(0)));
    for (auto& m : scores) m = m.clone();
    scores[1](cv::Rect(0, 0, s / 2, s)).setTo(5);
    scores[2](cv::Rect(s / 2, 0, s / 2, s)).setTo(5);
    const Similarity2d crop = squareCrop(20, 10, 64, s);  // image square [20, 84) x [10, 74)
    const cv::Mat ids = classIdsInImage(scores, crop, cv::Size(100, 90), 255);
    ASSERT_EQ(ids.size(), cv::Size(100, 90));
    EXPECT_EQ(ids.at<uint8_t>(40, 30), 1);
    EXPECT_EQ(ids.at<uint8_t>(40, 80), 2);
    EXPECT_EQ(ids.at<uint8_t>(5, 30), 255);   // above the crop
    EXPECT_EQ(ids.at<uint8_t>(40, 90), 255);  // right of it
    const cv::Mat cover = cropCoverage(crop, s, cv::Size(100, 90));
    EXPECT_EQ(cv::countNonZero(cover), 64 * 64);

    cv::Mat depth(s, s, CV_32FC1, cv::Scalar(2.5f));
    const cv::Mat d = warpFromCrop(depth, crop, cv::Size(100, 90), false, 0.0);
    EXPECT_FLOAT_EQ(d.at<float>(40, 50), 2.5f);
    EXPECT_FLOAT_EQ(d.at<float>(0, 0), 0.0f);
    EXPECT_THROW(classIdsInImage({}, crop, cv::Size(10, 10), 255), std::invalid_argument);
    EXPECT_THROW(classIdsInImage({cv::Mat(4, 4, CV_8UC1)}, crop, cv::Size(10, 10), 255), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::train
