// The PNG structure check: headers of good files, and a clean error naming
// the file for every prefix, bad CRCs, a missing IHDR or IDAT, and hostile
// chunk lengths.

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/io/png_chunks.h"

using synthforge::io::checkPngChunks;

namespace {

std::vector<std::uint8_t> encode(const cv::Mat& m) {
    std::vector<std::uint8_t> b;
    EXPECT_TRUE(cv::imencode(".png", m, b));
    return b;
}

std::string errorOf(const std::vector<std::uint8_t>& b) {
    try {
        checkPngChunks(b, "in.png");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(PngChunks, ReadsTheHeaderOfGreyAndColourImages) {
    const auto grey = checkPngChunks(encode(cv::Mat(7, 13, CV_8UC1, cv::Scalar(3))), "g.png");
    EXPECT_EQ(grey.width, 13u);
    EXPECT_EQ(grey.height, 7u);
    EXPECT_EQ(grey.bitDepth, 8);
    EXPECT_EQ(grey.colourType, 0);
    const auto rgb = checkPngChunks(encode(cv::Mat(5, 5, CV_16UC3, cv::Scalar(1, 2, 3))), "c.png");
    EXPECT_EQ(rgb.bitDepth, 16);
    EXPECT_EQ(rgb.colourType, 2);
    EXPECT_STREQ(synthforge::io::pngColourTypeName(rgb.colourType), "RGB");
}

TEST(PngChunks, EveryTruncationIsACleanErrorNamingTheFile) {
    const auto good = encode(cv::Mat(32, 32, CV_8UC1, cv::Scalar(9)));
    for (std::size_t n = 0; n < good.size(); ++n) {
        const std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        const std::string e = errorOf(cut);
        ASSERT_EQ(e.rfind("in.png: ", 0), 0u) << n << " bytes: '" << e << "'";
    }
}

TEST(PngChunks, RefusesBadCrcsMissingChunksAndHostileLengths) {
    const auto good = encode(cv::Mat(8, 8, CV_8UC1, cv::Scalar(1)));
    ASSERT_EQ(errorOf(good), "");
    auto bad = good;
    bad[good.size() - 20] ^= 0x01;  // inside the IDAT data
    EXPECT_NE(errorOf(bad).find("CRC mismatch"), std::string::npos);
    bad = good;
    bad[12] = 'X';  // IHDR renamed: the first chunk is no IHDR (its CRC fails first)
    EXPECT_NE(errorOf(bad).find("corrupt PNG"), std::string::npos);
    bad = good;
    bad[8] = 0x7F;  // IHDR length 0x7F00000D: runs past the end
    EXPECT_NE(errorOf(bad).find("runs past the end"), std::string::npos);
    bad = good;
    bad[8] = bad[9] = bad[10] = bad[11] = 0xFF;  // a length over 2^31
    EXPECT_NE(errorOf(bad).find("runs past the end"), std::string::npos);
    bad = good;
    bad[0] = 'X';
    EXPECT_NE(errorOf(bad).find("bad signature"), std::string::npos);
    // IHDR followed directly by IEND: no image data.
    std::vector<std::uint8_t> noData(good.begin(), good.begin() + 8 + 25);
    noData.insert(noData.end(), good.end() - 12, good.end());
    EXPECT_NE(errorOf(noData).find("no image data"), std::string::npos);
}
