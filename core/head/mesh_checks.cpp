#include "core/head/mesh_checks.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

namespace synthforge::head {

namespace {

using Vec3 = Eigen::Vector3d;

/// Moeller-Trumbore for the segment p->q against triangle (a, b, c).
bool segmentCrossesTriangle(const Vec3& p, const Vec3& q, const Vec3& a, const Vec3& b, const Vec3& c) {
    const Vec3 d = q - p, e1 = b - a, e2 = c - a;
    const Vec3 s = d.cross(e2);
    const double det = e1.dot(s);
    if (std::abs(det) < 1e-18) return false;  // parallel: coplanar contact is not a crossing
    const double inv = 1.0 / det;
    const Vec3 o = p - a;
    const double u = o.dot(s) * inv;
    if (u < 0 || u > 1) return false;
    const Vec3 r = o.cross(e1);
    const double v = d.dot(r) * inv;
    if (v < 0 || u + v > 1) return false;
    const double t = e2.dot(r) * inv;
    return t >= 0 && t <= 1;
}

/// Two triangles cross when an edge of one passes through the other.
bool trianglesCross(const std::array<Vec3, 3>& A, const std::array<Vec3, 3>& B) {
    for (int i = 0; i < 3; ++i) {
        if (segmentCrossesTriangle(A[i], A[(i + 1) % 3], B[0], B[1], B[2])) return true;
        if (segmentCrossesTriangle(B[i], B[(i + 1) % 3], A[0], A[1], A[2])) return true;
    }
    return false;
}

}  // namespace

std::vector<std::pair<int, int>> findSelfIntersections(const RowMatX3f& vertices, const RowMatX3i& faces, float cellSize,
                                                       std::size_t maxPairs) {
    const int F = static_cast<int>(faces.rows());
    std::vector<std::array<Vec3, 3>> tri(F);
    std::unordered_map<std::int64_t, std::vector<int>> grid;
    auto cellKey = [](std::int64_t x, std::int64_t y, std::int64_t z) {
        return ((x + (1 << 20)) << 42) | ((y + (1 << 20)) << 21) | (z + (1 << 20));
    };
    for (int f = 0; f < F; ++f) {
        Eigen::AlignedBox3d box;
        for (int k = 0; k < 3; ++k) {
            tri[f][k] = vertices.row(faces(f, k)).transpose().cast<double>();
            box.extend(tri[f][k]);
        }
        const Eigen::Array3i lo = (box.min().array() / cellSize).floor().cast<int>();
        const Eigen::Array3i hi = (box.max().array() / cellSize).floor().cast<int>();
        for (int x = lo.x(); x <= hi.x(); ++x)
            for (int y = lo.y(); y <= hi.y(); ++y)
                for (int z = lo.z(); z <= hi.z(); ++z) grid[cellKey(x, y, z)].push_back(f);
    }
    std::vector<std::pair<int, int>> candidates;
    for (const auto& [key, fs] : grid)
        for (std::size_t i = 0; i < fs.size(); ++i)
            for (std::size_t j = i + 1; j < fs.size(); ++j) candidates.emplace_back(std::min(fs[i], fs[j]), std::max(fs[i], fs[j]));
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

    std::vector<std::pair<int, int>> hits;
    for (const auto& [a, b] : candidates) {
        bool sharesVertex = false;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) sharesVertex |= faces(a, i) == faces(b, j);
        if (sharesVertex || !trianglesCross(tri[a], tri[b])) continue;
        hits.emplace_back(a, b);
        if (hits.size() >= maxPairs) break;
    }
    return hits;
}

}  // namespace synthforge::head
