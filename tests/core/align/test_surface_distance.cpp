// Point-to-surface distances through the triangle grid, against brute force
// and against spheres with known gaps.

#include <chrono>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "core/align/marching_cubes.h"
#include "core/align/surface_distance.h"

namespace synthforge::align {
namespace {

io::TriMesh sphere(float radius, int n = 40) {
    ScalarGrid g;
    g.dims = Eigen::Vector3i::Constant(n);
    g.spacing = 2.6f * radius / static_cast<float>(n - 1);
    g.origin = Eigen::Vector3f::Constant(-1.3f * radius);
    g.values.resize(static_cast<std::size_t>(n) * n * n);
    for (int k = 0; k < n; ++k)
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i) g.values[g.index(i, j, k)] = radius - g.point(i, j, k).norm();
    return marchingCubes(g, 0.0f).mesh;
}

float bruteForce(const io::TriMesh& m, const Eigen::Vector3f& p) {
    float best = INFINITY;
    for (Eigen::Index f = 0; f < m.faces.rows(); ++f) {
        const Eigen::Vector3f a = m.positions.row(m.faces(f, 0)), b = m.positions.row(m.faces(f, 1)),
                              c = m.positions.row(m.faces(f, 2));
        const Eigen::Vector3f w = head::closestBarycentric(p, a, b, c);
        best = std::min(best, (w[0] * a + w[1] * b + w[2] * c - p).norm());
    }
    return best;
}

TEST(SurfaceDistance, MatchesBruteForceOnRandomPoints) {
    const io::TriMesh m = sphere(1.0f, 24);
    const SurfaceIndex index(m);
    std::mt19937 rng(7);
    // Near the surface, inside, far outside the mesh's box.
    std::uniform_real_distribution<float> near(-1.5f, 1.5f), far(-8.0f, 8.0f);
    for (int i = 0; i < 400; ++i) {
        const Eigen::Vector3f p = i % 4 == 3 ? Eigen::Vector3f(far(rng), far(rng), far(rng))
                                             : Eigen::Vector3f(near(rng), near(rng), near(rng));
        const head::SurfacePoint s = index.closest(p);
        EXPECT_NEAR(s.distance, bruteForce(m, p), 1e-5f) << p.transpose();
        EXPECT_NEAR((s.position - p).norm(), s.distance, 1e-5f);
        EXPECT_GE(s.face, 0);
    }
}

TEST(SurfaceDistance, DistanceToATriangleByRegion) {
    io::TriMesh t;
    t.positions.resize(3, 3);
    t.positions << 0, 0, 0, 1, 0, 0, 0, 1, 0;
    t.faces.resize(1, 3);
    t.faces << 0, 1, 2;
    const SurfaceIndex index(t);
    EXPECT_NEAR(index.distance({0.2f, 0.2f, 0.5f}), 0.5f, 1e-6f);                  // over the face
    EXPECT_NEAR(index.distance({-1.0f, -1.0f, 0.0f}), std::sqrt(2.0f), 1e-6f);     // beyond a corner
    EXPECT_NEAR(index.distance({0.5f, -2.0f, 0.0f}), 2.0f, 1e-6f);                 // beyond an edge
    EXPECT_NEAR(index.distance({1.0f, 1.0f, 0.0f}), std::sqrt(0.5f), 1e-6f);       // beyond the hypotenuse
}

TEST(SurfaceDistance, ChamferOfAMeshWithItselfIsZero) {
    const io::TriMesh m = sphere(1.0f, 20);
    const MeshDistances d = meshDistances(m, m);
    EXPECT_LT(d.chamfer, 1e-6);
    EXPECT_LT(d.aToBStats.max, 1e-6);
    EXPECT_EQ(d.aToB.size(), static_cast<std::size_t>(m.positions.rows()));
}

TEST(SurfaceDistance, ConcentricSpheresAreTheirGapApart) {
    const float r = 1.0f, gap = 0.05f;
    const io::TriMesh a = sphere(r, 48), b = sphere(r + gap, 48);
    const MeshDistances d = meshDistances(a, b);
    EXPECT_NEAR(d.chamfer, gap, 0.1 * gap);
    EXPECT_NEAR(d.aToBStats.median, gap, 0.1 * gap);
    EXPECT_NEAR(d.bToAStats.median, gap, 0.1 * gap);
    EXPECT_LT(d.aToBStats.max, 1.5 * gap);
    EXPECT_LE(d.aToBStats.median, d.aToBStats.p95);
    EXPECT_LE(d.aToBStats.p95, d.aToBStats.max);
}

TEST(SurfaceDistance, FiveThousandPointsAgainstFiftyThousandTrianglesIsFast) {
    const io::TriMesh big = sphere(1.0f, 112);
    ASSERT_GT(big.faces.rows(), 50000);
    Points pts(5000, 3);
    std::mt19937 rng(3);
    std::normal_distribution<float> n01;
    for (Eigen::Index i = 0; i < pts.rows(); ++i) {
        const Eigen::Vector3f d = Eigen::Vector3f(n01(rng), n01(rng), n01(rng)).normalized();
        pts.row(i) = (d * (1.0f + 0.02f * n01(rng))).transpose();
    }
    const auto t0 = std::chrono::steady_clock::now();
    const SurfaceIndex index(big);
    const std::vector<float> d = distancesToSurface(pts, index, 1);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    RecordProperty("seconds", std::to_string(seconds));
    EXPECT_LT(seconds, 0.5);
    EXPECT_EQ(d.size(), 5000u);
    for (int i = 0; i < 50; ++i) EXPECT_NEAR(d[static_cast<std::size_t>(i)], bruteForce(big, pts.row(i)), 1e-5f);
}

TEST(SurfaceDistance, SummaryStatistics) {
    const DistanceStats s = summarize({4.0f, 1.0f, 3.0f, 2.0f, 0.0f});
    EXPECT_EQ(s.count, 5u);
    EXPECT_DOUBLE_EQ(s.mean, 2.0);
    EXPECT_DOUBLE_EQ(s.median, 2.0);
    EXPECT_DOUBLE_EQ(s.p95, 3.8);
    EXPECT_DOUBLE_EQ(s.max, 4.0);
    EXPECT_EQ(summarize({}).count, 0u);
}

TEST(SurfaceDistance, RejectsBadMeshes) {
    Points v(3, 3);
    v << 0, 0, 0, 1, 0, 0, 0, 1, 0;
    Faces none(0, 3), bad(1, 3);
    bad << 0, 1, 3;
    EXPECT_THROW(SurfaceIndex(v, none), std::invalid_argument);
    EXPECT_THROW(SurfaceIndex(v, bad), std::invalid_argument);
    v(0, 0) = NAN;
    Faces one(1, 3);
    one << 0, 1, 2;
    EXPECT_THROW(SurfaceIndex(v, one), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::align
