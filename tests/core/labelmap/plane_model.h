#pragma once
// A FLAME-style test model with no vertex pairs: the square x, y in [-1, 1]
// at z = 0, its left half (x < 0) tessellated 6x12 and its right half 9x18,
// each half its own UV island at a different scale, so mirroring must go
// through the geometry. Truth: (x, y) on one half mirrors to (-x, y).

#include "core/head/head_model.h"

namespace synthforge::testutil {

/// UV of a 3D point of the plane model.
inline Eigen::Vector2f planeUv(float x, float y) {
    if (x < 0) return {0.05f + 0.4f * (x + 1.0f), 0.1f + 0.4f * (y + 1.0f)};
    return {0.55f + 0.3f * x, 0.2f + 0.3f * (y + 1.0f)};
}

inline head::HeadModel planeModel() {
    head::HeadModel m;
    m.name = "plane";
    std::vector<Eigen::Vector3f> v;
    std::vector<Eigen::Vector3i> f;
    auto half = [&](float x0, int nx, int ny) {
        const int base = static_cast<int>(v.size());
        for (int j = 0; j <= ny; ++j)
            for (int i = 0; i <= nx; ++i) v.emplace_back(x0 + static_cast<float>(i) / nx, -1.0f + 2.0f * j / ny, 0.0f);
        for (int j = 0; j < ny; ++j)
            for (int i = 0; i < nx; ++i) {
                const int a = base + j * (nx + 1) + i, b = a + 1, c = a + nx + 1, d = c + 1;
                f.emplace_back(a, b, d);
                f.emplace_back(a, d, c);
            }
    };
    half(-1.0f, 6, 12);
    half(0.0f, 9, 18);
    const int nl = 7 * 13;  // vertices of the left half
    m.vTemplate.resize(static_cast<Eigen::Index>(v.size()), 3);
    m.uv.resize(static_cast<Eigen::Index>(v.size()), 2);
    for (std::size_t k = 0; k < v.size(); ++k) {
        m.vTemplate.row(static_cast<Eigen::Index>(k)) = v[k].transpose();
        // the midline column belongs to the half it was built with
        const Eigen::Vector2f uv = static_cast<int>(k) < nl
                                       ? Eigen::Vector2f(0.05f + 0.4f * (v[k].x() + 1.0f), 0.1f + 0.4f * (v[k].y() + 1.0f))
                                       : planeUv(v[k].x(), v[k].y());
        m.uv.row(static_cast<Eigen::Index>(k)) = uv.transpose();
    }
    m.faces.resize(static_cast<Eigen::Index>(f.size()), 3);
    for (std::size_t k = 0; k < f.size(); ++k) m.faces.row(static_cast<Eigen::Index>(k)) = f[k].transpose();
    m.uvFaces = m.faces;
    return m;
}

}  // namespace synthforge::testutil
