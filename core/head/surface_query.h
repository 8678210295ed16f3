#pragma once
// Geometric queries on a triangle mesh: closest surface point as (face,
// barycentric), used to embed landmarks and to project painted points.

#include <cstdint>
#include <vector>

#include "core/head/head_model.h"

namespace synthforge::head {

struct SurfacePoint {
    std::int32_t face = -1;
    Eigen::Vector3f bary = Eigen::Vector3f::Zero();  ///< weights of the face's three corners, sum 1
    Eigen::Vector3f position = Eigen::Vector3f::Zero();
    float distance = 0.0f;
};

/// Closest point on triangle (a, b, c) to p, as barycentric weights.
Eigen::Vector3f closestBarycentric(const Eigen::Vector3f& p, const Eigen::Vector3f& a, const Eigen::Vector3f& b,
                                   const Eigen::Vector3f& c);

/// If face `f`'s closest point to `p` is nearer than `bestD2` (squared),
/// makes it `best` (face, weights, position) and updates `bestD2`: the step
/// every closest-point search repeats per candidate face.
inline void keepIfCloser(const RowMatX3f& vertices, const RowMatX3i& faces, std::int32_t f, const Eigen::Vector3f& p,
                         SurfacePoint& best, float& bestD2) {
    const Eigen::Vector3f a = vertices.row(faces(f, 0)).transpose(), b = vertices.row(faces(f, 1)).transpose(),
                          c = vertices.row(faces(f, 2)).transpose();
    const Eigen::Vector3f w = closestBarycentric(p, a, b, c);
    const Eigen::Vector3f q = w[0] * a + w[1] * b + w[2] * c;
    const float d2 = (q - p).squaredNorm();
    if (d2 < bestD2) {
        bestD2 = d2;
        best.face = f;
        best.bary = w;
        best.position = q;
    }
}

/// Closest point to `p` on the listed faces (all faces when `candidates` is
/// empty). Brute force: fine for landmark-sized queries.
SurfacePoint closestSurfacePoint(const RowMatX3f& vertices, const RowMatX3i& faces, const Eigen::Vector3f& p,
                                 const std::vector<std::int32_t>& candidates = {});

}  // namespace synthforge::head
