// The mesh-derived density: its side (inside/outside) and distance against
// brute force on the default head, its values on and off the surface.

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "core/generate/mesh_density.h"
#include "core/head/default_head/model_source.h"
#include "core/head/lbs.h"
#include "core/head/surface_query.h"

namespace synthforge::generate {
namespace {

double windingNumber(const head::RowMatX3f& v, const head::RowMatX3i& faces, const Eigen::Vector3f& p) {
    double total = 0.0;
    for (Eigen::Index f = 0; f < faces.rows(); ++f) {
        const Eigen::Vector3d a = (v.row(faces(f, 0)).transpose() - p).cast<double>();
        const Eigen::Vector3d b = (v.row(faces(f, 1)).transpose() - p).cast<double>();
        const Eigen::Vector3d c = (v.row(faces(f, 2)).transpose() - p).cast<double>();
        const double la = a.norm(), lb = b.norm(), lc = c.norm();
        total += 2.0 * std::atan2(a.dot(b.cross(c)), la * lb * lc + a.dot(b) * lc + b.dot(c) * la + c.dot(a) * lb);
    }
    return total / (4.0 * 3.14159265358979323846);
}

TEST(MeshDensity, SideAndDistanceMatchBruteForceAroundTheDefaultHead) {
    const head::HeadModel model = head::loadHeadModel("default");
    const head::HeadPose pose = head::forward(model, head::HeadParams{});
    const MeshDensity field(pose.vertices, model.faces, 0.004f);
    const Eigen::Vector3f lo = pose.vertices.colwise().minCoeff().transpose();
    const Eigen::Vector3f hi = pose.vertices.colwise().maxCoeff().transpose();
    const float margin = 0.2f * (hi - lo).maxCoeff();
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    int inside = 0, near = 0;
    // Uniform in the box, and half of them pulled onto the surface's
    // neighbourhood, where the side comes from pseudo normals.
    for (int i = 0; i < 300; ++i) {
        Eigen::Vector3f p = (lo - Eigen::Vector3f::Constant(margin)) +
                            Eigen::Vector3f(u(rng), u(rng), u(rng)).cwiseProduct(hi - lo + Eigen::Vector3f::Constant(2 * margin));
        if (i % 2) {
            const Eigen::Vector3f q = pose.vertices.row(static_cast<Eigen::Index>(u(rng) * (pose.vertices.rows() - 1)));
            p = q + 0.01f * (p - q).normalized() * (u(rng) - 0.5f);
        }
        const float sd = field.signedDistance(p);
        const bool in = windingNumber(pose.vertices, model.faces, p) > 0.5;
        const float d = head::closestSurfacePoint(pose.vertices, model.faces, p).distance;
        if (d < 1e-5f) continue;  // on the surface either side is right
        EXPECT_EQ(sd < 0.0f, in) << "at " << p.transpose() << " distance " << d;
        inside += in;
        if (std::abs(std::abs(sd) - d) < 1e-6f) ++near;
    }
    EXPECT_GT(inside, 20);
    EXPECT_GT(near, 150);  // every point within the search radius gets the exact distance
}

TEST(MeshDensity, ValuesOnAndOffTheSurface) {
    // An octahedron of "radius" 1: surface density 1/(2 beta) on a face,
    // about 1/beta deep inside, about 0 far outside.
    head::RowMatX3f v(6, 3);
    v << 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1;
    head::RowMatX3i f(8, 3);
    f << 0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5;
    const float beta = 0.02f;
    const MeshDensity field(v, f, beta);
    EXPECT_FLOAT_EQ(MeshDensity::surfaceDensity(beta), 25.0f);
    EXPECT_FLOAT_EQ(field.surfaceDensity(), 25.0f);
    const Eigen::Vector3f onFace = Eigen::Vector3f::Constant(1.0f / 3.0f);
    EXPECT_NEAR(field.density(onFace), field.surfaceDensity(), 1e-3f);
    // Beyond the search radius (1/32 of the mesh) the distance is clamped
    // to it, so "deep" and "far" are only within a few percent of the limits.
    EXPECT_NEAR(field.density(Eigen::Vector3f::Zero()), 1.0f / beta, 0.05f / beta);
    EXPECT_NEAR(field.density(Eigen::Vector3f(3, 3, 3)), 0.0f, 0.05f / beta);
    EXPECT_GT(field.density(Eigen::Vector3f(0.1f, 0.1f, 0.1f)), field.density(Eigen::Vector3f(0.3f, 0.3f, 0.3f)));
    EXPECT_LT(field.signedDistance(Eigen::Vector3f::Zero()), 0.0f);
    // Just beyond a vertex and an edge: pseudo normals give outside.
    EXPECT_GT(field.signedDistance(Eigen::Vector3f(1.01f, 0, 0)), 0.0f);
    EXPECT_GT(field.signedDistance(Eigen::Vector3f(0.51f, 0.51f, 0)), 0.0f);
    EXPECT_LT(field.signedDistance(Eigen::Vector3f(0.49f, 0.49f, 0)), 0.0f);
}

// An axis-aligned cube as 8 vertices and 12 outward triangles, appended.
void addCube(head::RowMatX3f& v, head::RowMatX3i& f, const Eigen::Vector3f& lo, float size) {
    const Eigen::Index v0 = v.rows(), f0 = f.rows();
    v.conservativeResize(v0 + 8, 3);
    f.conservativeResize(f0 + 12, 3);
    for (int c = 0; c < 8; ++c)
        v.row(v0 + c) = (lo + size * Eigen::Vector3f(static_cast<float>(c & 1), static_cast<float>((c >> 1) & 1),
                                                     static_cast<float>((c >> 2) & 1)))
                            .transpose();
    const int tris[12][3] = {{0, 2, 1}, {1, 2, 3}, {4, 5, 6}, {5, 7, 6}, {0, 1, 4}, {1, 5, 4},
                             {2, 6, 3}, {3, 6, 7}, {0, 4, 2}, {2, 4, 6}, {1, 3, 5}, {3, 7, 5}};
    for (int t = 0; t < 12; ++t)
        for (int k = 0; k < 3; ++k) f(f0 + t, k) = static_cast<int>(v0) + tris[t][k];
}

TEST(MeshDensity, OverlappingClosedComponentsActAsTheirUnion) {
    // A small cube poking out of a big one, as an eyeball sits in the skin.
    head::RowMatX3f v(0, 3);
    head::RowMatX3i f(0, 3);
    addCube(v, f, Eigen::Vector3f(-1, -1, -1), 2.0f);
    addCube(v, f, Eigen::Vector3f(0.5f, 0.5f, 0.5f), 1.0f);
    const MeshDensity field(v, f, 0.01f);
    // Inside the big cube, just outside the small one: the nearest surface
    // is the small cube's, facing away, yet the point is inside the union.
    EXPECT_LT(field.signedDistance(Eigen::Vector3f(0.45f, 0.7f, 0.7f)), 0.0f);
    EXPECT_GT(field.density(Eigen::Vector3f(0.45f, 0.7f, 0.7f)), field.surfaceDensity());
    // Inside the small cube where it sticks out: inside, at its distance.
    EXPECT_NEAR(field.signedDistance(Eigen::Vector3f(1.45f, 1.2f, 1.2f)), -0.05f, 1e-5f);
    // Outside both, near either: outside, at the distance to the nearer.
    EXPECT_NEAR(field.signedDistance(Eigen::Vector3f(1.55f, 1.2f, 1.2f)), 0.05f, 1e-5f);
    EXPECT_NEAR(field.signedDistance(Eigen::Vector3f(-1.04f, 0.0f, 0.0f)), 0.04f, 1e-5f);
    EXPECT_LT(field.signedDistance(Eigen::Vector3f(0.0f, 0.0f, 0.0f)), 0.0f);
    EXPECT_GT(field.signedDistance(Eigen::Vector3f(3.0f, 0.0f, 0.0f)), 0.0f);
}

}  // namespace
}  // namespace synthforge::generate
