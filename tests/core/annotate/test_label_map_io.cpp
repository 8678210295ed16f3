// Label map files: exact round trips of every id, and clean refusals of
// colour, lossy, truncated and corrupt files, each naming the file.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/class_table.h"
#include "core/annotate/label_map_io.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
namespace ann = synthforge::annotate;

namespace {

/// A map with islands of several classes and background between them, like a
/// real atlas: discs of ids 1..12 on a grid.
cv::Mat islands(int size) {
    cv::Mat m(size, size, CV_8UC1, cv::Scalar(ann::kBackground));
    const int cell = size / 4;
    for (int i = 0; i < 12; ++i) {
        const cv::Point c((i % 4) * cell + cell / 2, (i / 4) * cell + cell / 2);
        cv::circle(m, c, cell / 3, cv::Scalar(1 + i), cv::FILLED);
    }
    return m;
}
const cv::Mat& smallMap() {
    static const cv::Mat m = islands(64);
    return m;
}
const cv::Mat& mediumMap() {
    static const cv::Mat m = islands(512);
    return m;
}

std::vector<std::uint8_t> readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void writeBytes(const std::string& path, const std::vector<std::uint8_t>& b, std::size_t n) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(n));
}

void expectLoadError(const std::string& path, const std::string& part) {
    try {
        ann::loadLabelMap(path);
        ADD_FAILURE() << path << " loaded; expected: " << part;
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind(path, 0), 0u) << msg;
        EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
    }
}

}  // namespace

TEST(LabelMapPng, RoundTripIsExact) {
    testutil::TempDir dir;
    ann::saveLabelMap(dir.file("labels.png"), mediumMap());
    const cv::Mat back = ann::loadLabelMap(dir.file("labels.png"));
    ASSERT_EQ(back.type(), CV_8UC1);
    EXPECT_EQ(cv::countNonZero(back != mediumMap()), 0);
    // Every id value survives, not only the classes of the default map.
    cv::Mat ramp(16, 16, CV_8UC1);
    for (int i = 0; i < 256; ++i) ramp.at<std::uint8_t>(i / 16, i % 16) = static_cast<std::uint8_t>(i);
    ann::saveLabelMap(dir.file("ramp.png"), ramp);
    EXPECT_EQ(cv::countNonZero(ann::loadLabelMap(dir.file("ramp.png")) != ramp), 0);
    EXPECT_THROW(ann::saveLabelMap(dir.file("c.png"), cv::Mat(4, 4, CV_8UC3)), std::invalid_argument);
    EXPECT_THROW(ann::saveLabelMap(dir.file("e.png"), cv::Mat()), std::invalid_argument);
    EXPECT_THROW(ann::saveLabelMap(dir.file("no/such/dir/x.png"), ramp), std::runtime_error);
}

TEST(LabelMapPng, RefusesColourLossyTruncatedAndCorruptFiles) {
    testutil::TempDir dir;
    const cv::Mat small = smallMap();
    // A colour preview is not a label map.
    ASSERT_TRUE(cv::imwrite(dir.file("colour.png"), ann::colorizeLabels(small, ann::ClassTable::defaultTable())));
    expectLoadError(dir.file("colour.png"), "8-bit greyscale");
    // Nor is a JPEG, even a greyscale one.
    ASSERT_TRUE(cv::imwrite(dir.file("labels.jpg"), small));
    expectLoadError(dir.file("labels.jpg"), "JPEG");
    // 16-bit greyscale PNG.
    cv::Mat wide;
    small.convertTo(wide, CV_16UC1);
    ASSERT_TRUE(cv::imwrite(dir.file("wide.png"), wide));
    expectLoadError(dir.file("wide.png"), "16-bit greyscale");
    // Greyscale with alpha.
    cv::Mat ga;
    cv::cvtColor(small, ga, cv::COLOR_GRAY2BGRA);
    ASSERT_TRUE(cv::imwrite(dir.file("rgba.png"), ga));
    expectLoadError(dir.file("rgba.png"), "RGBA");
    // Not an image at all; missing.
    writeBytes(dir.file("text.png"), std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'}, 5);
    expectLoadError(dir.file("text.png"), "not a PNG");
    EXPECT_THROW(ann::loadLabelMap(dir.file("missing.png")), std::runtime_error);

    // Truncated at every length: always a clean error naming the file.
    ann::saveLabelMap(dir.file("good.png"), small);
    const std::vector<std::uint8_t> bytes = readBytes(dir.file("good.png"));
    ASSERT_GT(bytes.size(), 100u);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        writeBytes(dir.file("cut.png"), bytes, n);
        try {
            ann::loadLabelMap(dir.file("cut.png"));
            ADD_FAILURE() << "a " << n << "-byte prefix loaded";
        } catch (const std::runtime_error& e) {
            ASSERT_EQ(std::string(e.what()).rfind(dir.file("cut.png"), 0), 0u) << e.what();
        }
    }
    // A flipped bit in the image data.
    std::vector<std::uint8_t> bad = bytes;
    bad[bad.size() / 2] ^= 0x10;
    writeBytes(dir.file("bad.png"), bad, bad.size());
    expectLoadError(dir.file("bad.png"), "corrupt PNG");
}

TEST(LabelMapPadding, GrowsByOneRingPerStepWithLowestIdOnTies) {
    cv::Mat m(9, 9, CV_8UC1, cv::Scalar(ann::kBackground));
    m.at<std::uint8_t>(4, 4) = 5;
    const cv::Mat one = ann::padLabelMap(m, 1);
    EXPECT_EQ(cv::countNonZero(one == 5), 9);
    EXPECT_EQ(cv::countNonZero(ann::padLabelMap(m, 2) == 5), 25);
    // Between a 7 and a 3 with one neighbour each, the lower id wins.
    cv::Mat tie(1, 3, CV_8UC1, cv::Scalar(ann::kBackground));
    tie.at<std::uint8_t>(0, 0) = 7;
    tie.at<std::uint8_t>(0, 2) = 3;
    EXPECT_EQ(ann::padLabelMap(tie, 1).at<std::uint8_t>(0, 1), 3);
    EXPECT_THROW(ann::padLabelMap(cv::Mat(4, 4, CV_8UC3), 1), std::invalid_argument);
}

TEST(UvAtlasRaster, CoversTexelCentresInsideTheTriangle) {
    // One UV triangle over the lower-left half of the atlas (u + v < 1, v
    // up): row y of the image is v = 1 - (y + 0.5) / 16, so texel (x, y) is
    // covered when x < y; the diagonal is the triangle's edge.
    head::RowMatX2f uv(3, 2);
    uv << 0, 0, 1, 0, 0, 1;
    head::RowMatX3i f(1, 3);
    f << 0, 1, 2;
    const raster::RasterResult r = ann::rasterizeUvAtlas(uv, f, 16);
    int covered = 0;
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) {
            const bool in = r.triangleId[r.index(x, y)] == 0;
            covered += in;
            if (x < y) {
                EXPECT_TRUE(in) << x << "," << y;
            }
            if (x > y) {
                EXPECT_FALSE(in) << x << "," << y;
            }
        }
    EXPECT_GE(covered, 120);
    EXPECT_LE(covered, 136);
    EXPECT_THROW(ann::rasterizeUvAtlas(uv, f, 8), std::invalid_argument);
}
