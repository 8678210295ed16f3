#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "core/annotate/uv_label_map.h"
#include "core/annotate/label_map_io.h"
#include "tests/support/fixtures.h"

namespace synthforge::annotate {
namespace {

cv::Mat smallMap() {
    cv::Mat m(32, 32, CV_8UC1, cv::Scalar(0));
    m(cv::Rect(4, 4, 10, 10)).setTo(kSkin);
    m(cv::Rect(18, 4, 10, 10)).setTo(kNose);
    return m;
}

TEST(UvLabelMap, NearestLookupWithVUp) {
    const UvLabelMap map(smallMap(), ClassTable::defaultTable(), "t");
    // Texel (5, 5): u = 5.5/32, v = 1 - 5.5/32.
    EXPECT_EQ(map.classAt(5.5f / 32, 1.0f - 5.5f / 32), kSkin);
    EXPECT_EQ(map.classAt(20.5f / 32, 1.0f - 5.5f / 32), kNose);
    // Padding grows islands by 2 texels: texel (3, 5) was background.
    EXPECT_EQ(map.classAt(3.5f / 32, 1.0f - 5.5f / 32), kSkin);
    EXPECT_EQ(map.original().at<std::uint8_t>(5, 3), 0);
    // Far from every island stays background; out-of-range UVs clamp.
    EXPECT_EQ(map.classAt(0.5f / 32, 0.5f / 32), 0);
    EXPECT_EQ(map.classAt(-3.0f, 5.0f), map.classAt(0.0f, 1.0f));
}

TEST(UvLabelMap, RefusesBadMaps) {
    const ClassTable& t = ClassTable::defaultTable();
    EXPECT_THROW(UvLabelMap(cv::Mat(), t, "e"), std::runtime_error);
    EXPECT_THROW(UvLabelMap(cv::Mat(32, 32, CV_8UC3, cv::Scalar(0)), t, "c"), std::runtime_error);
    EXPECT_THROW(UvLabelMap(cv::Mat(32, 32, CV_16UC1, cv::Scalar(0)), t, "16"), std::runtime_error);
    EXPECT_THROW(UvLabelMap(cv::Mat(32, 48, CV_8UC1, cv::Scalar(0)), t, "ns"), std::runtime_error);
    EXPECT_THROW(UvLabelMap(cv::Mat(8, 8, CV_8UC1, cv::Scalar(0)), t, "small"), std::runtime_error);
    cv::Mat unknown = smallMap();
    unknown.at<std::uint8_t>(20, 7) = 77;
    try {
        UvLabelMap(unknown, t, "u.png");
        FAIL() << "id 77 is not in the default table";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("u.png"), std::string::npos) << msg;
        EXPECT_NE(msg.find("77 (first at x=7 y=20)"), std::string::npos) << msg;
    }
}

TEST(UvLabelMap, LoadRefusesCorruptAndColourFiles) {
    testutil::TempDir dir;
    const ClassTable& t = ClassTable::defaultTable();
    annotate::saveLabelMap(dir.file("ok.png"), smallMap());
    EXPECT_EQ(UvLabelMap::load(dir.file("ok.png"), t).size(), 32);
    cv::imwrite(dir.file("colour.png"), cv::Mat(32, 32, CV_8UC3, cv::Scalar(1, 1, 1)));
    EXPECT_THROW(UvLabelMap::load(dir.file("colour.png"), t), std::runtime_error);
    EXPECT_THROW(UvLabelMap::load(dir.file("missing.png"), t), std::runtime_error);
    // Truncated PNG.
    std::vector<uchar> png;
    cv::imencode(".png", smallMap(), png);
    {
        FILE* f = std::fopen(dir.file("trunc.png").c_str(), "wb");
        std::fwrite(png.data(), 1, png.size() / 2, f);
        std::fclose(f);
    }
    EXPECT_THROW(UvLabelMap::load(dir.file("trunc.png"), t), std::runtime_error);
}

}  // namespace
}  // namespace synthforge::annotate
