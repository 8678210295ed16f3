#include "core/head/surface_query.h"

#include <limits>
#include <stdexcept>

namespace synthforge::head {

Eigen::Vector3f closestBarycentric(const Eigen::Vector3f& p, const Eigen::Vector3f& a, const Eigen::Vector3f& b,
                                   const Eigen::Vector3f& c) {
    // Region tests over the triangle's Voronoi regions (vertices, edges, face).
    const Eigen::Vector3f ab = b - a, ac = c - a, ap = p - a;
    const float d1 = ab.dot(ap), d2 = ac.dot(ap);
    if (d1 <= 0 && d2 <= 0) return {1, 0, 0};
    const Eigen::Vector3f bp = p - b;
    const float d3 = ab.dot(bp), d4 = ac.dot(bp);
    if (d3 >= 0 && d4 <= d3) return {0, 1, 0};
    const float vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0) {
        const float v = d1 / (d1 - d3);
        return {1 - v, v, 0};
    }
    const Eigen::Vector3f cp = p - c;
    const float d5 = ab.dot(cp), d6 = ac.dot(cp);
    if (d6 >= 0 && d5 <= d6) return {0, 0, 1};
    const float vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0) {
        const float w = d2 / (d2 - d6);
        return {1 - w, 0, w};
    }
    const float va = d3 * d6 - d5 * d4;
    if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
        const float w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
        return {0, 1 - w, w};
    }
    const float denom = 1.0f / (va + vb + vc);
    const float v = vb * denom, w = vc * denom;
    return {1 - v - w, v, w};
}

SurfacePoint closestSurfacePoint(const RowMatX3f& vertices, const RowMatX3i& faces, const Eigen::Vector3f& p,
                                 const std::vector<std::int32_t>& candidates) {
    SurfacePoint best;
    float bestD2 = std::numeric_limits<float>::infinity();
    auto visit = [&](std::int32_t f) {
        if (f < 0 || f >= faces.rows()) throw std::invalid_argument("closestSurfacePoint: face index out of range");
        keepIfCloser(vertices, faces, f, p, best, bestD2);
    };
    if (candidates.empty())
        for (std::int32_t f = 0; f < faces.rows(); ++f) visit(f);
    else
        for (std::int32_t f : candidates) visit(f);
    if (best.face < 0) throw std::invalid_argument("closestSurfacePoint: no faces to search");
    best.distance = std::sqrt(bestD2);
    return best;
}

}  // namespace synthforge::head
