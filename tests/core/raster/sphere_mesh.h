#pragma once
// A UV sphere for rasteriser tests: closed, outward counter-clockwise
// triangles, 2 * slices * (stacks - 1) of them.

#include <cmath>
#include <utility>
#include <vector>

#include <Eigen/Geometry>

#include "core/raster/rasterizer.h"

namespace synthforge::testutil {

inline void makeSphere(int slices, int stacks, const Eigen::Vector3f& centre, float radius, raster::Vertices& v, raster::Triangles& t) {
    const double pi = 3.14159265358979323846;
    v.resize(2 + slices * (stacks - 1), 3);
    v.row(0) = (centre + Eigen::Vector3f(0, radius, 0)).transpose();
    v.row(1) = (centre - Eigen::Vector3f(0, radius, 0)).transpose();
    for (int s = 1; s < stacks; ++s)
        for (int l = 0; l < slices; ++l) {
            const double th = pi * s / stacks, ph = 2 * pi * l / slices;
            v.row(2 + (s - 1) * slices + l) =
                (centre + radius * Eigen::Vector3d(std::sin(th) * std::cos(ph), std::cos(th), std::sin(th) * std::sin(ph)).cast<float>())
                    .transpose();
        }
    auto ring = [&](int s, int l) { return 2 + (s - 1) * slices + (l % slices); };
    std::vector<Eigen::Vector3i> tris;
    for (int l = 0; l < slices; ++l) {
        tris.emplace_back(0, ring(1, l), ring(1, l + 1));
        tris.emplace_back(1, ring(stacks - 1, l + 1), ring(stacks - 1, l));
        for (int s = 1; s < stacks - 1; ++s) {
            tris.emplace_back(ring(s, l), ring(s + 1, l), ring(s + 1, l + 1));
            tris.emplace_back(ring(s, l), ring(s + 1, l + 1), ring(s, l + 1));
        }
    }
    t.resize(static_cast<Eigen::Index>(tris.size()), 3);
    for (std::size_t i = 0; i < tris.size(); ++i) {
        Eigen::Vector3i f = tris[i];
        const Eigen::Vector3f a = v.row(f[0]), b = v.row(f[1]), c = v.row(f[2]);
        if ((b - a).cross(c - a).dot((a + b + c) / 3 - centre) < 0) std::swap(f[1], f[2]);
        t.row(static_cast<Eigen::Index>(i)) = f.transpose();
    }
}

}  // namespace synthforge::testutil
