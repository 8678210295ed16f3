// Fill tools: 4-connected class-region flood fill, island fill (both modes)
// on a model with two UV islands, and even-odd polygon fill against a
// brute-force point-in-polygon test.

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/labelmap/brush.h"
#include "core/labelmap/edit_history.h"
#include "core/labelmap/region_fill.h"
#include "core/labelmap/uv_islands.h"
#include "tests/core/labelmap/plane_model.h"

using namespace synthforge;
using namespace synthforge::labelmap;
using Eigen::Vector2f;

namespace {

int countOf(const LabelCanvas& c, std::uint8_t id) {
    return cv::countNonZero(c.toMat() == id);
}

/// Even-odd rule with the same half-open conventions as drawPolygon.
bool insideEvenOdd(const std::vector<Vector2f>& poly, double px, double py) {
    bool in = false;
    for (std::size_t k = 0; k < poly.size(); ++k) {
        const Eigen::Vector2d a = poly[k].cast<double>(), b = poly[(k + 1) % poly.size()].cast<double>();
        if ((a.y() <= py) == (b.y() <= py)) continue;
        const double x = a.x() + (py - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
        if (px >= x) in = !in;
    }
    return in;
}

}  // namespace

TEST(FloodFill, FillsTheFourConnectedRegionOnly) {
    cv::Mat m(64, 64, CV_8UC1, cv::Scalar(0));
    cv::rectangle(m, cv::Rect(10, 10, 30, 30), cv::Scalar(2), 1);  // closed ring of class 2
    LabelCanvas c = LabelCanvas::fromMat(m);
    const StrokeRecord r = floodFillRegion(c, 20, 20, 7);
    EXPECT_EQ(countOf(c, 7), 28 * 28);  // the ring's interior, nothing outside
    EXPECT_EQ(r.dirty(), (TexelRect{11, 11, 28, 28}));
    EXPECT_EQ(c.at(10, 10), 2);
    EXPECT_TRUE(floodFillRegion(c, 20, 20, 7).empty());  // already that class
    EXPECT_TRUE(floodFillRegion(c, -1, 5, 7).empty());   // outside the map
    // a diagonal wall stops a 4-connected fill (8-connected fills leak through it)
    cv::Mat diag(64, 64, CV_8UC1, cv::Scalar(0));
    for (int i = 0; i < 64; ++i) diag.at<std::uint8_t>(i, i) = 3;
    LabelCanvas d = LabelCanvas::fromMat(diag);
    floodFillRegion(d, 63, 0, 9);
    EXPECT_EQ(countOf(d, 9), 64 * 63 / 2);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) ASSERT_EQ(d.get(x, y) == 9, x > y);
}

TEST(FloodFill, WholeMapRegionOn4096) {
    LabelCanvas c(4096, 1);
    const StrokeRecord r = floodFillRegion(c, 100, 100, 2);
    EXPECT_EQ(r.dirty(), c.bounds());
    EXPECT_EQ(c.at(4095, 4095), 2);
    EXPECT_LT(r.bytes(), std::size_t(256) << 10);  // uniform tiles code to a few bytes each
    c.undo(r);
    EXPECT_EQ(countOf(c, 1), 4096 * 4096);
}

TEST(UvIslands, TwoIslandsOfThePlaneModel) {
    const head::HeadModel m = testutil::planeModel();
    const UvIslandMap islands = UvIslandMap::build(m, 128);
    EXPECT_EQ(islands.islandCount(), 2);
    const Vector2f l = testutil::planeUv(-0.5f, 0.0f), r = testutil::planeUv(0.5f, 0.0f);
    const int li = islands.islandAt(static_cast<int>(l.x() * 128), static_cast<int>((1 - l.y()) * 128));
    const int ri = islands.islandAt(static_cast<int>(r.x() * 128), static_cast<int>((1 - r.y()) * 128));
    EXPECT_GE(li, 0);
    EXPECT_GE(ri, 0);
    EXPECT_NE(li, ri);
    EXPECT_EQ(islands.islandAt(1, 1), -1);
    EXPECT_EQ(islands.islandAt(-5, 1), -1);
    // texel counts match the islands' UV areas (0.4 x 0.8 and 0.3 x 0.6 of 128^2)
    const auto n = islands.texelCounts();
    EXPECT_NEAR(static_cast<double>(n[static_cast<std::size_t>(li)]), 0.32 * 128 * 128, 128 * 2.0);
    EXPECT_NEAR(static_cast<double>(n[static_cast<std::size_t>(ri)]), 0.18 * 128 * 128, 128 * 2.0);
    head::HeadModel noUv = m;
    noUv.uv.resize(0, 2);
    noUv.uvFaces.resize(0, 3);
    EXPECT_THROW(UvIslandMap::build(noUv, 64), std::invalid_argument);
    EXPECT_THROW(UvIslandMap::build(m, 0), std::invalid_argument);
}

TEST(IslandFill, WholeIslandAndClassRegionInIsland) {
    const head::HeadModel m = testutil::planeModel();
    constexpr int n = 128;
    const UvIslandMap islands = UvIslandMap::build(m, n);
    const Vector2f l = testutil::planeUv(-0.5f, 0.0f) * n;
    const int lx = static_cast<int>(l.x()), ly = static_cast<int>(n - l.y());
    const int li = islands.islandAt(lx, ly);

    // whole island: exactly the island's texels, whatever their classes
    LabelCanvas c(n, 0);
    paintStroke(c, {{static_cast<float>(lx), static_cast<float>(ly)}}, 9, 5);  // another class inside
    fillIsland(c, islands, lx, ly, 8, IslandFill::WholeIsland);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) ASSERT_EQ(c.get(x, y) == 8, islands.islandAt(x, y) == li) << x << "," << y;

    // class region in island: the whole map is class 0, the fill stays in the island
    // and leaves the painted dot (another class) alone
    LabelCanvas d(n, 0);
    paintStroke(d, {{static_cast<float>(lx), static_cast<float>(ly)}}, 9, 5);
    fillIsland(d, islands, lx + 20, ly, 8, IslandFill::ClassRegionInIsland);
    int filled = 0;
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            if (d.get(x, y) == 8) {
                ++filled;
                ASSERT_EQ(islands.islandAt(x, y), li);
            }
            if (islands.islandAt(x, y) == li && d.get(x, y) == 0) FAIL() << "unfilled texel " << x << "," << y;
        }
    EXPECT_EQ(countOf(d, 5), 69);  // the d=9 dot survives
    EXPECT_EQ(static_cast<std::size_t>(filled) + 69, islands.texelCounts()[static_cast<std::size_t>(li)]);
    EXPECT_TRUE(fillIsland(d, islands, 1, 1, 8).empty());  // off every island
    LabelCanvas wrong(64, 0);
    EXPECT_THROW(fillIsland(wrong, islands, 1, 1, 8), std::invalid_argument);
}

TEST(PolygonFill, SquareTriangleAndStar) {
    LabelCanvas c(64, 0);
    fillPolygon(c, {{10, 10}, {20, 10}, {20, 20}, {10, 20}}, 3);  // centres 10.5..19.5
    EXPECT_EQ(countOf(c, 3), 100);
    EXPECT_EQ(c.at(10, 10), 3);
    EXPECT_EQ(c.at(19, 19), 3);
    EXPECT_EQ(c.at(20, 19), 0);
    // two squares sharing the edge x = 30: no gap, no overlap
    LabelCanvas e(64, 0);
    fillPolygon(e, {{20, 40}, {30.3f, 40}, {30.3f, 50}, {20, 50}}, 1);
    const StrokeRecord r2 = fillPolygon(e, {{30.3f, 40}, {41, 40}, {41, 50}, {30.3f, 50}}, 2);
    EXPECT_EQ(countOf(e, 1) + countOf(e, 2), 21 * 10);
    EXPECT_EQ(countOf(e, 1), 10 * 10);  // centres 20.5 .. 29.5
    EXPECT_EQ(r2.dirty(), (TexelRect{30, 40, 11, 10}));

    // random polygons (self-intersecting too) against the brute-force rule
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> pos(-10.0f, 74.0f);
    for (int trial = 0; trial < 30; ++trial) {
        std::vector<Vector2f> poly;
        const int k = 3 + trial % 9;
        for (int i = 0; i < k; ++i) poly.emplace_back(pos(rng), pos(rng));
        LabelCanvas p(64, 0);
        fillPolygon(p, poly, 1);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x)
                ASSERT_EQ(p.get(x, y) == 1, insideEvenOdd(poly, x + 0.5, y + 0.5)) << trial << ": " << x << "," << y;
    }
    // a pentagram: even-odd leaves the centre pentagon empty
    std::vector<Vector2f> star;
    for (int i = 0; i < 5; ++i) {
        const double a = -M_PI / 2 + i * 4 * M_PI / 5;
        star.emplace_back(32 + 30 * std::cos(a), 32 + 30 * std::sin(a));
    }
    LabelCanvas s(64, 0);
    fillPolygon(s, star, 4);
    EXPECT_EQ(s.at(32, 32), 0);
    EXPECT_EQ(s.at(32, 5), 4);
    EXPECT_TRUE(fillPolygon(s, {{1, 1}, {5, 5}}, 4).empty());
    EXPECT_THROW(fillPolygon(s, {{1, 1}, {5, NAN}, {3, 9}}, 4), std::invalid_argument);
}
