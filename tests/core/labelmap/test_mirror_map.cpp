// Mirror painting: the mirror map against analytic truth on a model without
// vertex pairs (different tessellation and UV scale per half), and on the
// default head against mirrored vertex pairs found independently (nearest
// vertex to (-x, y, z)); a left_brow dot paints right_brow at the mirror.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include <opencv2/core.hpp>

#include "core/annotate/class_table.h"
#include "core/head/default_head/default_head.h"
#include "core/labelmap/mirror_paint.h"
#include "core/labelmap/uv_islands.h"
#include "tests/core/labelmap/plane_model.h"

using namespace synthforge;
using namespace synthforge::labelmap;
using Eigen::Vector2f;

namespace {

const head::HeadModel& defaultHead() {
    static const head::HeadModel m = head::loadDefaultHead();
    return m;
}

const MirrorMap& defaultMirror() {
    static const MirrorMap m = [] {
        const auto t0 = std::chrono::steady_clock::now();
        MirrorMap mm = MirrorMap::build(defaultHead(), 1024);
        std::printf("[ info ] default head mirror map 1024^2: %.0f ms, %zu texels on the atlas\n",
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
                    mm.coveredCount());
        return mm;
    }();
    return m;
}

std::vector<Texel> texelsOf(const LabelCanvas& c, std::uint8_t id) {
    std::vector<Texel> out;
    for (int y = 0; y < c.size(); ++y)
        for (int x = 0; x < c.size(); ++x)
            if (c.get(x, y) == id) out.push_back({x, y});
    return out;
}

}  // namespace

TEST(MirrorMap, PlaneModelWithoutVertexPairs) {
    const head::HeadModel m = testutil::planeModel();
    const MirrorMap mm = MirrorMap::build(m, 256, 2);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> coord(-0.95f, 0.95f);
    double worst = 0;
    for (int k = 0; k < 500; ++k) {
        float x = coord(rng), y = coord(rng);
        if (std::abs(x) < 0.05f) continue;
        const auto got = mm.mirrorUv(testutil::planeUv(x, y));
        ASSERT_TRUE(got.has_value()) << x << "," << y;
        worst = std::max(worst, static_cast<double>((*got - testutil::planeUv(-x, y)).norm()));
    }
    EXPECT_LT(worst * 256, 0.5) << "worst error in grid texels";
    EXPECT_FALSE(mm.mirrorUv({0.01f, 0.01f}).has_value());  // off the atlas
    EXPECT_FALSE(mm.mirrorUv({NAN, 0.5f}).has_value());
    EXPECT_FALSE(mm.mirrorUv({2.0f, 0.5f}).has_value());
    EXPECT_THROW(MirrorMap::build(m, 8), std::invalid_argument);
    head::HeadModel noUv = m;
    noUv.uv.resize(0, 2);
    noUv.uvFaces.resize(0, 3);
    EXPECT_THROW(MirrorMap::build(noUv, 64), std::invalid_argument);
}

TEST(MirrorMap, StrokeOnPlaneModelLandsOnTheOtherIsland) {
    const head::HeadModel m = testutil::planeModel();
    const MirrorMap mm = MirrorMap::build(m, 512, 2);
    constexpr int n = 512;
    auto texel = [&](float x, float y) {
        const Vector2f uv = testutil::planeUv(x, y);
        return Vector2f(uv.x() * n, (1 - uv.y()) * n);
    };
    LabelCanvas c(n, annotate::kSkin);
    const auto& flip = annotate::ClassTable::defaultTable().flipMap();
    std::vector<Vector2f> stroke;
    for (int k = 0; k <= 20; ++k) stroke.push_back(texel(-0.8f + 0.03f * k, -0.5f + 0.05f * k));
    const StrokeRecord r = paintStrokeMirrored(c, mm, stroke, 7, annotate::kLeftEye, flip);
    const auto left = texelsOf(c, annotate::kLeftEye), right = texelsOf(c, annotate::kRightEye);
    ASSERT_FALSE(right.empty());
    // the right half's UV scale is 0.75 of the left's: the mirrored stroke is
    // shorter but painted with the same brush
    const double ratio = static_cast<double>(right.size()) / static_cast<double>(left.size());
    EXPECT_GT(ratio, 0.6);
    EXPECT_LT(ratio, 0.95);
    for (const Texel& t : right) {  // every mirrored texel near the mirrored polyline
        double best = 1e9;
        for (int k = 0; k <= 200; ++k) {
            const float s = k / 200.0f;
            best = std::min(best, static_cast<double>((texel(0.8f - 0.6f * s, -0.5f + 1.0f * s) -
                                                        Vector2f(t.x + 0.5f, t.y + 0.5f)).norm()));
        }
        ASSERT_LT(best, 3.5 + 1.5) << t.x << "," << t.y;
    }
    c.undo(r);  // one undo step for both
    EXPECT_TRUE(texelsOf(c, annotate::kLeftEye).empty());
    EXPECT_TRUE(texelsOf(c, annotate::kRightEye).empty());
}

// The truth, computed without the mirror map: a vertex, the vertex nearest
// to its mirror image, and their UVs.
TEST(MirrorMap, DefaultHeadDotMirrorsWithinOneTexel) {
    const head::HeadModel& m = defaultHead();
    const MirrorMap& mm = defaultMirror();
    constexpr int n = 1024;
    const auto flip = annotate::ClassTable::defaultTable().flipMap();
    const UvIslandMap islands = UvIslandMap::build(m, n);

    // one UV per vertex where the vertex is on no seam
    std::map<int, std::set<int>> uvOf;
    for (int f = 0; f < m.numFaces(); ++f)
        for (int k = 0; k < 3; ++k) uvOf[m.faces(f, k)].insert(m.uvFaces(f, k));
    auto texelOf = [&](int vtx) {
        const int t = *uvOf[vtx].begin();
        return Vector2f(m.uv(t, 0) * n, (1 - m.uv(t, 1)) * n);
    };
    auto interior = [&](const Vector2f& p) {  // 5x5 texels around p on one island
        const int x = static_cast<int>(p.x()), y = static_cast<int>(p.y()), isl = islands.islandAt(x, y);
        if (isl < 0) return false;
        for (int dy = -2; dy <= 2; ++dy)
            for (int dx = -2; dx <= 2; ++dx)
                if (islands.islandAt(x + dx, y + dy) != isl) return false;
        return true;
    };
    std::mt19937 rng(3);
    int tested = 0, worst = 0;
    for (int attempt = 0; attempt < 4000 && tested < 60; ++attempt) {
        const int v = static_cast<int>(rng() % static_cast<unsigned>(m.numVertices()));
        const Eigen::Vector3f p = m.vTemplate.row(v);
        if (p.x() < 0.005f || uvOf[v].size() != 1) continue;  // left side (+x), off the midline
        int mv = -1;
        float best = 1e9f;
        const Eigen::Vector3f q(-p.x(), p.y(), p.z());
        for (int w = 0; w < m.numVertices(); ++w) {
            const float d = (m.vTemplate.row(w).transpose() - q).norm();
            if (d < best) best = d, mv = w;
        }
        if (best > 1e-4f || uvOf[mv].size() != 1) continue;
        const Vector2f t = texelOf(v), truth = texelOf(mv);
        if (!interior(t) || !interior(truth)) continue;

        LabelCanvas c(n, annotate::kSkin);
        paintStrokeMirrored(c, mm, {t}, 1, annotate::kLeftBrow, flip);
        const auto painted = texelsOf(c, annotate::kRightBrow);
        ASSERT_EQ(painted.size(), 1u) << "vertex " << v;
        EXPECT_EQ(texelsOf(c, annotate::kLeftBrow).size(), 1u);
        const int err = std::max(std::abs(painted[0].x - static_cast<int>(std::floor(truth.x()))),
                                 std::abs(painted[0].y - static_cast<int>(std::floor(truth.y()))));
        EXPECT_LE(err, 1) << "vertex " << v << " -> " << mv << ": painted " << painted[0].x << "," << painted[0].y
                          << ", truth " << truth.transpose();
        worst = std::max(worst, err);
        ++tested;
    }
    EXPECT_GE(tested, 40);
    std::printf("[ info ] default head: %d vertex pairs, worst mirror error %d texel(s) at 1024^2\n", tested, worst);

    // scaled: a 2048^2 canvas through the 1024^2 map
    LabelCanvas big(2048, annotate::kSkin);
    int bigWorst = 0, bigTested = 0;
    for (int v = 0; v < m.numVertices() && bigTested < 30; v += 97) {
        const Eigen::Vector3f p = m.vTemplate.row(v);
        if (p.x() < 0.005f || uvOf[v].size() != 1) continue;
        int mv = -1;
        float best = 1e9f;
        for (int w = 0; w < m.numVertices(); ++w) {
            const float d = (m.vTemplate.row(w).transpose() - Eigen::Vector3f(-p.x(), p.y(), p.z())).norm();
            if (d < best) best = d, mv = w;
        }
        if (best > 1e-4f || uvOf[mv].size() != 1 || !interior(texelOf(v)) || !interior(texelOf(mv))) continue;
        const auto got = mm.mirrorTexel(texelOf(v) * 2.0f, 2048);
        ASSERT_TRUE(got.has_value());
        const Vector2f truth = texelOf(mv) * 2.0f;
        bigWorst = std::max(bigWorst, static_cast<int>(std::ceil((*got - truth).lpNorm<Eigen::Infinity>())));
        ++bigTested;
    }
    EXPECT_GE(bigTested, 10);
    EXPECT_LE(bigWorst, 2);
    std::printf("[ info ] 2048^2 canvas through the 1024^2 map: worst %d texel(s) over %d pairs\n", bigWorst, bigTested);
}

TEST(MirrorMap, DefaultHeadBrowStrokeMirrorsWithSwappedClass) {
    const head::HeadModel& m = defaultHead();
    const MirrorMap& mm = defaultMirror();
    constexpr int n = 1024;
    const auto flip = annotate::ClassTable::defaultTable().flipMap();
    // a short horizontal stroke on the face island
    std::vector<Vector2f> stroke;
    LabelCanvas c(n, annotate::kSkin);
    for (int k = 0; k < 10; ++k) stroke.push_back({n * 0.55f + 4.0f * k, n * 0.45f});
    const StrokeRecord r = paintStrokeMirrored(c, mm, stroke, 9, annotate::kLeftBrow, flip);
    const auto left = texelsOf(c, annotate::kLeftBrow), right = texelsOf(c, annotate::kRightBrow);
    ASSERT_FALSE(left.empty());
    ASSERT_FALSE(right.empty());
    EXPECT_NEAR(static_cast<double>(right.size()) / static_cast<double>(left.size()), 1.0, 0.2);
    EXPECT_TRUE(r.dirty().contains(right[0].x, right[0].y));
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < 20; ++k) paintStrokeMirrored(c, mm, stroke, 50, annotate::kLeftBrow, flip);
    std::printf("[ info ] mirrored 40-texel stroke, d=50, 1024^2: %.2f ms\n",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 20);
}
