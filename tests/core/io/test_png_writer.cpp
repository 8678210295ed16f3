#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "core/io/png_writer.h"

namespace synthforge::io {
namespace {

cv::Mat pattern(int type) {
    cv::Mat m(37, 53, type);
    cv::RNG rng(3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    return m;
}

TEST(PngWriter, RoundTripsEveryTypeAndFilterExactly) {
    for (int type : {CV_8UC1, CV_8UC3, CV_8UC4})
        for (PngFilter f : {PngFilter::None, PngFilter::Sub, PngFilter::Up, PngFilter::Paeth, PngFilter::Adaptive})
            for (int level : {0, 1, 9}) {
                const cv::Mat m = pattern(type);
                PngOptions o;
                o.filter = f;
                o.compression = level;
                const auto bytes = encodePng(m, o);
                ASSERT_GT(bytes.size(), 8u);
                EXPECT_EQ(bytes[1], 'P');
                const cv::Mat back = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
                ASSERT_EQ(back.type(), type);
                EXPECT_EQ(cv::norm(back, m, cv::NORM_INF), 0.0) << "type " << type << " level " << level;
            }
}

TEST(PngWriter, ChannelOrderMatchesOpenCv) {
    // A pure-blue BGR pixel must decode as blue (png_set_bgr), as OpenCV's writer does.
    cv::Mat m(2, 2, CV_8UC3, cv::Scalar(255, 0, 0));
    std::vector<std::uint8_t> ours = encodePng(m), theirs;
    cv::imencode(".png", m, theirs);
    EXPECT_EQ(cv::norm(cv::imdecode(ours, cv::IMREAD_COLOR), cv::imdecode(theirs, cv::IMREAD_COLOR), cv::NORM_INF), 0.0);
}

TEST(PngWriter, RefusesBadInput) {
    EXPECT_THROW(encodePng(cv::Mat()), std::invalid_argument);
    EXPECT_THROW(encodePng(cv::Mat(4, 4, CV_16UC1, cv::Scalar(0))), std::invalid_argument);
    EXPECT_THROW(encodePng(cv::Mat(4, 4, CV_32FC3, cv::Scalar(0))), std::invalid_argument);
    PngOptions o;
    o.compression = 10;
    EXPECT_THROW(encodePng(cv::Mat(4, 4, CV_8UC1, cv::Scalar(0)), o), std::invalid_argument);
    // A non-contiguous view (ROI) encodes its own pixels only.
    const cv::Mat big = pattern(CV_8UC3);
    const cv::Mat roi = big(cv::Rect(5, 7, 20, 11));
    EXPECT_EQ(cv::norm(cv::imdecode(encodePng(roi), cv::IMREAD_UNCHANGED), roi, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace synthforge::io
