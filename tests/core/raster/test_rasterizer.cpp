#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include <Eigen/Geometry>
#include <Eigen/LU>

#include "core/raster/rasterizer.h"
#include "tests/core/raster/sphere_mesh.h"

using namespace synthforge::raster;
using synthforge::testutil::makeSphere;

namespace {

/// fx = fy = 1, c = 0: a vertex (u, v, 1) lands on pixel coordinates (u, v).
const Intrinsics kScreen{1.0f, 1.0f, 0.0f, 0.0f};

RasterOptions singleThread() {
    RasterOptions o;
    o.threads = 1;
    return o;
}

/// Camera-space vertices that project exactly onto the given screen points,
/// all at depth z.
Vertices onScreen(const std::vector<Eigen::Vector2f>& pts, float z = 1.0f) {
    Vertices v(static_cast<Eigen::Index>(pts.size()), 3);
    for (std::size_t i = 0; i < pts.size(); ++i) v.row(i) << pts[i].x() * z, pts[i].y() * z, z;
    return v;
}

int coveredCount(const RasterResult& r) {
    int n = 0;
    for (auto id : r.triangleId) n += id >= 0;
    return n;
}

/// Per pixel, how many of the triangles cover it when each is drawn alone.
std::vector<int> coverageCounts(const Vertices& v, const Triangles& t, int w, int h) {
    std::vector<int> counts(static_cast<std::size_t>(w) * h, 0);
    for (Eigen::Index f = 0; f < t.rows(); ++f) {
        const Triangles one = t.row(f);
        const RasterResult r = rasterize(v, kScreen, one, w, h, singleThread());
        for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += r.triangleId[i] >= 0;
    }
    return counts;
}

/// Perspective-correct reference: intersect the pixel-centre ray with the
/// triangle's plane and express the hit in 3D barycentrics.
Eigen::Vector3d referenceBary(const Vertices& v, const Eigen::Vector3i& f, const Intrinsics& k, int x, int y, double& depth) {
    const Eigen::Vector3d a = v.row(f[0]).cast<double>().transpose(), b = v.row(f[1]).cast<double>().transpose(),
                          c = v.row(f[2]).cast<double>().transpose();
    const Eigen::Vector3d ray((x + 0.5 - k.cx) / k.fx, (y + 0.5 - k.cy) / k.fy, 1.0);
    // Solve a + s (b - a) + t (c - a) = depth * ray.
    Eigen::Matrix3d m;
    m << b - a, c - a, -ray;
    const Eigen::Vector3d sol = m.lu().solve(-a);
    depth = sol[2];
    return {1.0 - sol[0] - sol[1], sol[0], sol[1]};
}

}  // namespace

TEST(Rasterizer, RightTriangleCoverageFollowsFillRule) {
    // Legs of 10 px with the right angle on a pixel centre: the centres
    // (i + .5, j + .5) with i + j <= 10 lie inside or on the edges. The top and
    // left legs are drawn, the hypotenuse (a bottom-right edge) is not:
    // i + j <= 9, 55 pixels, against an analytic area of 50.
    const Vertices v = onScreen({{0.5f, 0.5f}, {10.5f, 0.5f}, {0.5f, 10.5f}});
    Triangles t(1, 3);
    t << 0, 1, 2;
    const RasterResult r = rasterize(v, kScreen, t, 16, 16, singleThread());
    EXPECT_EQ(coveredCount(r), 55);
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) EXPECT_EQ(r.covered(x, y), x + y <= 9) << x << "," << y;
    EXPECT_EQ(r.stats.drawn, 1);

    // Vertices between pixel centres: no centre on an edge; x + y < 9 strictly.
    const Vertices w = onScreen({{0.0f, 0.0f}, {10.0f, 0.0f}, {0.0f, 10.0f}});
    EXPECT_EQ(coveredCount(rasterize(w, kScreen, t, 16, 16, singleThread())), 45);

    // A large irregular triangle: the count is the area to within its perimeter.
    const Vertices big = onScreen({{3.3f, 7.1f}, {180.2f, 40.7f}, {61.9f, 170.4f}});
    const double area = 0.5 * std::abs((180.2 - 3.3) * (170.4 - 7.1) - (40.7 - 7.1) * (61.9 - 3.3));
    const int n = coveredCount(rasterize(big, kScreen, t, 200, 200, singleThread()));
    EXPECT_NEAR(n, area, 0.5 * (177.0 + 190.0 + 163.0));
}

TEST(Rasterizer, QuadOfTwoTrianglesCoversEachPixelOnce) {
    // The diagonal passes through 17 pixel centres; the outer edges through
    // whole rows and columns of them.
    const Vertices v = onScreen({{0.5f, 0.5f}, {16.5f, 0.5f}, {16.5f, 16.5f}, {0.5f, 16.5f}});
    for (bool flipSecond : {false, true}) {
        Triangles t(2, 3);
        t << 0, 1, 2, 0, 2, 3;
        if (flipSecond) t.row(1) << 0, 3, 2;  // both windings are drawn
        const std::vector<int> counts = coverageCounts(v, t, 20, 20);
        int total = 0;
        for (int y = 0; y < 20; ++y)
            for (int x = 0; x < 20; ++x) {
                const int c = counts[static_cast<std::size_t>(y) * 20 + x];
                EXPECT_EQ(c, (x < 16 && y < 16) ? 1 : 0) << x << "," << y;
                total += c;
            }
        EXPECT_EQ(total, 256);
        EXPECT_EQ(coveredCount(rasterize(v, kScreen, t, 20, 20, singleThread())), 256);
    }

    // A sheared quad whose diagonal has slope 5/6 through several centres.
    const Vertices s = onScreen({{0.5f, 0.5f}, {20.5f, 2.5f}, {24.5f, 20.5f}, {3.5f, 18.5f}});
    Triangles t(2, 3);
    t << 0, 1, 2, 0, 2, 3;
    for (int c : coverageCounts(s, t, 30, 30)) EXPECT_LE(c, 1);
}

TEST(Rasterizer, FansCoverEachPixelExactlyOnce) {
    // A regular fan on pixel centres, alternating windings.
    {
        const Vertices v = onScreen({{10.5f, 10.5f},
                                     {0.5f, 0.5f}, {10.5f, 0.5f}, {20.5f, 0.5f}, {20.5f, 10.5f},
                                     {20.5f, 20.5f}, {10.5f, 20.5f}, {0.5f, 20.5f}, {0.5f, 10.5f}});
        Triangles t(8, 3);
        for (int i = 0; i < 8; ++i) {
            if (i % 2) t.row(i) << 0, 1 + i, 1 + (i + 1) % 8;
            else t.row(i) << 0, 1 + (i + 1) % 8, 1 + i;
        }
        const std::vector<int> counts = coverageCounts(v, t, 24, 24);
        for (int y = 0; y < 24; ++y)
            for (int x = 0; x < 24; ++x)
                EXPECT_EQ(counts[static_cast<std::size_t>(y) * 24 + x], (x < 20 && y < 20) ? 1 : 0) << x << "," << y;
    }
    // Random star-shaped fans with arbitrary coordinates: never twice, and
    // never missed strictly inside.
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> radius(4.0f, 15.0f), jitter(-0.5f, 0.5f);
    for (int trial = 0; trial < 40; ++trial) {
        const int n = 5 + trial % 17;
        std::vector<Eigen::Vector2f> pts{{16.0f + jitter(rng), 16.0f + jitter(rng)}};
        for (int i = 0; i < n; ++i) {
            const float a = 2.0f * 3.14159265f * (i + 0.4f * jitter(rng)) / n;
            const float r = trial % 3 == 0 ? 10.0f : radius(rng);
            // Every third trial snaps the ring to pixel centres to provoke ties.
            Eigen::Vector2f p(16.0f + r * std::cos(a), 16.0f + r * std::sin(a));
            if (trial % 3 == 0) p = (p.array() - 0.5f).round() + 0.5f;
            pts.push_back(p);
        }
        if (trial % 3 == 0) pts[0] = {16.5f, 16.5f};
        const Vertices v = onScreen(pts, 1.0f + 0.1f * trial);
        Triangles t(n, 3);
        for (int i = 0; i < n; ++i) t.row(i) << 0, 1 + i, 1 + (i + 1) % n;
        const std::vector<int> counts = coverageCounts(v, t, 32, 32);
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                const int c = counts[static_cast<std::size_t>(y) * 32 + x];
                ASSERT_LE(c, 1) << "trial " << trial << " pixel " << x << "," << y;
                // Inside test with a margin: skip centres within 1e-3 px of any edge.
                const Eigen::Vector2d p(x + 0.5, y + 0.5);
                bool inside = false, nearEdge = false;
                for (int i = 0; i < n; ++i) {
                    const Eigen::Vector2d a = pts[1 + i].cast<double>(), b = pts[1 + (i + 1) % n].cast<double>(),
                                          o = pts[0].cast<double>();
                    auto cross = [](const Eigen::Vector2d& u, const Eigen::Vector2d& w) { return u.x() * w.y() - u.y() * w.x(); };
                    auto distToSeg = [&](const Eigen::Vector2d& s0, const Eigen::Vector2d& s1) {
                        const Eigen::Vector2d d = s1 - s0;
                        const double tt = std::clamp((p - s0).dot(d) / d.squaredNorm(), 0.0, 1.0);
                        return (s0 + tt * d - p).norm();
                    };
                    nearEdge |= distToSeg(o, a) < 1e-3 || distToSeg(a, b) < 1e-3;
                    const double e0 = cross(a - o, p - o), e1 = cross(b - a, p - a), e2 = cross(o - b, p - b);
                    inside |= (e0 > 0 && e1 > 0 && e2 > 0) || (e0 < 0 && e1 < 0 && e2 < 0);
                }
                if (inside && !nearEdge) ASSERT_EQ(c, 1) << "trial " << trial << " pixel " << x << "," << y;
            }
    }
}

TEST(Rasterizer, BarycentricsArePerspectiveCorrect) {
    const Intrinsics k{100.0f, 110.0f, 50.0f, 45.0f};
    Vertices v(3, 3);
    v << -1.0f, -1.0f, 2.0f, 2.0f, -1.0f, 4.0f, -1.0f, 2.0f, 3.0f;
    Triangles t(1, 3);
    t << 0, 1, 2;
    const RasterResult r = rasterize(v, k, t, 100, 100, singleThread());
    int checked = 0;
    double maxErr = 0, maxDepthErr = 0;
    for (int y = 0; y < 100; ++y)
        for (int x = 0; x < 100; ++x) {
            if (!r.covered(x, y)) continue;
            double depth = 0;
            const Eigen::Vector3d ref = referenceBary(v, Eigen::Vector3i(0, 1, 2), k, x, y, depth);
            const std::size_t i = r.index(x, y);
            maxErr = std::max({maxErr, std::abs(r.bary0[i] - ref[0]), std::abs(r.bary1[i] - ref[1])});
            maxDepthErr = std::max(maxDepthErr, std::abs(r.depth[i] - depth) / depth);
            ++checked;
        }
    EXPECT_GT(checked, 1000);
    // Snapping to 1/256 px moves the triangle by < 0.002 px of its ~80 px size.
    EXPECT_LT(maxErr, 1e-4);
    EXPECT_LT(maxDepthErr, 1e-5);
    // Screen-space (affine) interpolation would be far off: perspective matters here.
    const std::size_t mid = r.index(40, 40);
    EXPECT_TRUE(r.covered(40, 40));
    EXPECT_GT(r.bary0[mid] + r.bary1[mid], 0.0f);
}

TEST(Rasterizer, DepthIsExactOnATiltedPlane) {
    // The plane z = 2 + 0.5 x + 0.25 y; a pixel ray (a, b, 1) meets it at
    // z = 2 / (1 - 0.5 a - 0.25 b). Vertices are placed on the plane at
    // exactly snapped screen positions, so only float rounding remains.
    const Intrinsics k{64.0f, 64.0f, 32.0f, 32.0f};
    auto onPlane = [&](float u, float v) {
        const double a = (u - k.cx) / k.fx, b = (v - k.cy) / k.fy, z = 2.0 / (1.0 - 0.5 * a - 0.25 * b);
        return Eigen::RowVector3f(static_cast<float>(a * z), static_cast<float>(b * z), static_cast<float>(z));
    };
    Vertices v(3, 3);
    v.row(0) = onPlane(-10.0f, -5.0f);
    v.row(1) = onPlane(80.0f, 2.0f);
    v.row(2) = onPlane(20.0f, 90.0f);
    Triangles t(1, 3);
    t << 0, 1, 2;
    const RasterResult r = rasterize(v, k, t, 64, 64, singleThread());
    int checked = 0;
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
            if (!r.covered(x, y)) continue;
            const double a = (x + 0.5 - k.cx) / k.fx, b = (y + 0.5 - k.cy) / k.fy;
            const double z = 2.0 / (1.0 - 0.5 * a - 0.25 * b);
            EXPECT_NEAR(r.depth[r.index(x, y)], z, 2e-6 * z) << x << "," << y;
            ++checked;
        }
    EXPECT_GT(checked, 2000);
}

TEST(Rasterizer, InterpolatedPointLiesOnThePixelRay) {
    // On a whole sphere: b0 A + b1 B + b2 C must sit on the pixel centre's ray
    // at the reported depth.
    Vertices v;
    Triangles t;
    makeSphere(40, 20, Eigen::Vector3f(0.1f, -0.05f, 3.0f), 1.0f, v, t);
    const Intrinsics k{150.0f, 150.0f, 64.0f, 64.0f};
    const RasterResult r = rasterize(v, k, t, 128, 128);
    int covered = 0;
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x) {
            const std::size_t i = r.index(x, y);
            const int f = r.triangleId[i];
            if (f < 0) {
                EXPECT_EQ(r.depth[i], 0.0f);
                continue;
            }
            ++covered;
            const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1 - b0 - b1;
            ASSERT_GE(b0, -1e-6f);
            ASSERT_GE(b1, -1e-6f);
            ASSERT_GE(b2, -1e-6f);
            const Eigen::Vector3f p = b0 * v.row(t(f, 0)) + b1 * v.row(t(f, 1)) + b2 * v.row(t(f, 2));
            EXPECT_NEAR(p.z(), r.depth[i], 1e-5f);
            EXPECT_NEAR(k.fx * p.x() / p.z() + k.cx, x + 0.5f, 0.01f);
            EXPECT_NEAR(k.fy * p.y() / p.z() + k.cy, y + 0.5f, 0.01f);
            // The visible side of a sphere seen from outside is its near half.
            EXPECT_LT(p.z(), 3.0f + 1e-3f);
        }
    EXPECT_GT(covered, 3000);
}

TEST(Rasterizer, DepthTestKeepsTheNearerTriangle) {
    const std::vector<Eigen::Vector2f> a{{2, 2}, {30, 4}, {6, 28}}, b{{28, 28}, {4, 10}, {26, 2}};
    Vertices v(6, 3);
    v.topRows(3) = onScreen(a, 3.0f);  // far
    v.bottomRows(3) = onScreen(b, 2.0f);  // near
    for (bool nearFirst : {false, true}) {
        Triangles t(2, 3);
        if (nearFirst) t << 3, 4, 5, 0, 1, 2;
        else t << 0, 1, 2, 3, 4, 5;
        const int nearId = nearFirst ? 0 : 1;
        const RasterResult r = rasterize(v, kScreen, t, 32, 32, singleThread());
        const RasterResult nearOnly = rasterize(v, kScreen, Triangles(t.row(nearId)), 32, 32, singleThread());
        int overlap = 0;
        for (std::size_t i = 0; i < r.triangleId.size(); ++i) {
            if (nearOnly.triangleId[i] >= 0) {
                ++overlap;
                EXPECT_EQ(r.triangleId[i], nearId);
                EXPECT_FLOAT_EQ(r.depth[i], 2.0f);
            }
        }
        EXPECT_GT(overlap, 100);
    }
    // Equal depth (also where float rounding of z goes either way): the lower
    // index wins.
    for (float z : {2.0f, 2.1f, 3.7f, 0.3f, 1.0f / 3.0f}) {
        Vertices same(6, 3);
        same.topRows(3) = onScreen(a, z);
        same.bottomRows(3) = onScreen(b, z);
        Triangles t(2, 3);
        t << 0, 1, 2, 3, 4, 5;
        const RasterResult r = rasterize(same, kScreen, t, 32, 32, singleThread());
        const RasterResult first = rasterize(same, kScreen, Triangles(t.row(0)), 32, 32, singleThread());
        for (std::size_t i = 0; i < r.triangleId.size(); ++i)
            if (first.triangleId[i] >= 0) EXPECT_EQ(r.triangleId[i], 0) << "z " << z << " pixel " << i;
    }
}

TEST(Rasterizer, DegenerateAndEmptyInputsDrawNothing) {
    Vertices v(4, 3);
    v << 1, 1, 1, 5, 5, 1, 9, 9, 1, 3, 7, 1;  // 0, 1, 2 collinear
    Triangles none(0, 3);
    const RasterResult empty = rasterize(v, kScreen, none, 16, 16);
    EXPECT_EQ(coveredCount(empty), 0);
    for (float d : empty.depth) EXPECT_EQ(d, 0.0f);

    Triangles t(3, 3);
    t << 0, 1, 2,  // collinear
        3, 3, 3,   // a point
        0, 0, 1;   // a segment
    const RasterResult r = rasterize(v, kScreen, t, 16, 16);
    EXPECT_EQ(coveredCount(r), 0);
    EXPECT_EQ(r.stats.degenerate, 3);

    const RasterResult zeroVerts = rasterize(Vertices(0, 3), kScreen, none, 4, 4);
    EXPECT_EQ(coveredCount(zeroVerts), 0);

    // Off-screen, between pixel centres, behind the camera, straddling the near plane.
    Vertices w(12, 3);
    w << 100, 100, 1, 120, 100, 1, 100, 120, 1,     // off-screen
        2.6f, 2.6f, 1, 2.9f, 2.6f, 1, 2.6f, 2.9f, 1,  // no pixel centre inside
        1, 1, -1, 10, 1, -1, 1, 10, -1,               // behind
        1, 1, 1, 10, 1, 1, 1, 10, 0.0f;               // one vertex on z = 0
    Triangles u(4, 3);
    u << 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;
    const RasterResult s = rasterize(w, kScreen, u, 16, 16);
    EXPECT_EQ(coveredCount(s), 0);
    EXPECT_EQ(s.stats.offscreen, 2);
    EXPECT_EQ(s.stats.nearCulled, 2);
    EXPECT_EQ(s.stats.drawn, 0);

    // Near the camera plane the projection leaves the guard band: dropped, no overflow.
    Vertices g(3, 3);
    g << -1, -1, 0.011f, 1e4f, 0, 0.011f, 0, 1e4f, 0.011f;
    Triangles one(1, 3);
    one << 0, 1, 2;
    const RasterResult gr = rasterize(g, Intrinsics{1000, 1000, 8, 8}, one, 16, 16);
    EXPECT_EQ(gr.stats.nearCulled, 1);
}

TEST(Rasterizer, BadInputsThrow) {
    Vertices v = onScreen({{1, 1}, {9, 1}, {1, 9}});
    Triangles t(1, 3);
    t << 0, 1, 3;
    EXPECT_THROW(rasterize(v, kScreen, t, 16, 16), std::invalid_argument);
    t << 0, -1, 2;
    EXPECT_THROW(rasterize(v, kScreen, t, 16, 16), std::invalid_argument);
    t << 0, 1, 2;
    EXPECT_THROW(rasterize(v, kScreen, t, 0, 16), std::invalid_argument);
    EXPECT_THROW(rasterize(v, kScreen, t, 16, -3), std::invalid_argument);
    EXPECT_THROW(rasterize(v, kScreen, t, kMaxImageSide + 1, 16), std::invalid_argument);
    EXPECT_NO_THROW(rasterize(v, kScreen, t, 16, 16));
    v(1, 2) = std::nanf("");
    EXPECT_THROW(rasterize(v, kScreen, t, 16, 16), std::invalid_argument);
    v(1, 2) = 1.0f;
    EXPECT_THROW(rasterize(v, Intrinsics{std::nanf(""), 1, 0, 0}, t, 16, 16), std::invalid_argument);
    try {
        t << 0, 1, 7;
        rasterize(v, kScreen, t, 16, 16);
        ADD_FAILURE();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("triangles row 0"), std::string::npos) << e.what();
    }
}

TEST(Rasterizer, FaceCullingFollowsImageWinding) {
    // Counter-clockwise as displayed (y down): right, then up-left is CCW.
    const Vertices v = onScreen({{1, 9}, {9, 9}, {5, 1}});
    Triangles ccw(1, 3), cw(1, 3);
    ccw << 0, 1, 2;
    cw << 0, 2, 1;
    RasterOptions back = singleThread(), front = singleThread();
    back.cull = CullMode::Back;
    front.cull = CullMode::Front;
    EXPECT_GT(coveredCount(rasterize(v, kScreen, ccw, 12, 12, back)), 0);
    EXPECT_EQ(coveredCount(rasterize(v, kScreen, ccw, 12, 12, front)), 0);
    EXPECT_EQ(coveredCount(rasterize(v, kScreen, cw, 12, 12, back)), 0);
    EXPECT_GT(coveredCount(rasterize(v, kScreen, cw, 12, 12, front)), 0);

    // A closed outward-CCW sphere: culling back faces changes nothing visible,
    // culling front faces shows the far inside.
    Vertices s;
    Triangles st;
    makeSphere(30, 16, Eigen::Vector3f(0, 0, 4.0f), 1.0f, s, st);
    const Intrinsics k{100, 100, 32, 32};
    const RasterResult all = rasterize(s, k, st, 64, 64);
    RasterOptions cullBack;
    cullBack.cull = CullMode::Back;
    const RasterResult backCulled = rasterize(s, k, st, 64, 64, cullBack);
    EXPECT_EQ(all.triangleId, backCulled.triangleId);
    EXPECT_GT(backCulled.stats.faceCulled, 0);
    RasterOptions cullFront;
    cullFront.cull = CullMode::Front;
    const RasterResult frontCulled = rasterize(s, k, st, 64, 64, cullFront);
    const std::size_t c = frontCulled.index(32, 32);
    EXPECT_NEAR(frontCulled.depth[c], 5.0f, 0.05f);
    EXPECT_NEAR(all.depth[c], 3.0f, 0.05f);
}

TEST(Rasterizer, ResultIndependentOfThreadsAndBands) {
    Vertices v;
    Triangles t;
    makeSphere(64, 32, Eigen::Vector3f(0.2f, 0.1f, 3.0f), 1.0f, v, t);
    // A second, intersecting sphere makes the depth test matter.
    Vertices v2;
    Triangles t2;
    makeSphere(48, 24, Eigen::Vector3f(-0.4f, -0.2f, 3.3f), 0.8f, v2, t2);
    Vertices all(v.rows() + v2.rows(), 3);
    all << v, v2;
    Triangles tris(t.rows() + t2.rows(), 3);
    tris << t, (t2.array() + static_cast<int>(v.rows())).matrix();
    const Intrinsics k{300, 300, 100, 90};
    RasterOptions o;
    o.threads = 1;
    const RasterResult ref = rasterize(all, k, tris, 200, 180, o);
    for (int threads : {2, 3, 8})
        for (int band : {1, 7, 16, 64}) {
            o.threads = threads;
            o.bandRows = band;
            const RasterResult r = rasterize(all, k, tris, 200, 180, o);
            EXPECT_EQ(r.triangleId, ref.triangleId) << threads << " threads, " << band << " rows";
            EXPECT_EQ(r.bary0, ref.bary0);
            EXPECT_EQ(r.bary1, ref.bary1);
            EXPECT_EQ(r.depth, ref.depth);
        }
}

TEST(Rasterizer, SupersampledIntrinsicsScale) {
    const Intrinsics k{100, 120, 31.5f, 40};
    const Intrinsics k2 = k.scaled(2.0f);
    EXPECT_FLOAT_EQ(k2.fx, 200);
    EXPECT_FLOAT_EQ(k2.fy, 240);
    EXPECT_FLOAT_EQ(k2.cx, 63);
    EXPECT_FLOAT_EQ(k2.cy, 80);
}
