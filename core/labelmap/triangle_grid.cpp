#include "core/labelmap/triangle_grid.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace synthforge::labelmap {

TriangleGrid::TriangleGrid(const head::RowMatX3f& vertices, const head::RowMatX3i& faces) : v_(vertices), f_(faces) {
    if (f_.rows() == 0 || v_.rows() == 0) throw std::invalid_argument("TriangleGrid: faces: the mesh has no triangles");
    if (f_.minCoeff() < 0 || f_.maxCoeff() >= v_.rows())
        throw std::invalid_argument("TriangleGrid: faces: vertex index out of range");
    const Eigen::Vector3f lo = v_.colwise().minCoeff().transpose(), hi = v_.colwise().maxCoeff().transpose();
    double edge = 0;
    for (Eigen::Index f = 0; f < f_.rows(); ++f)
        edge += (v_.row(f_(f, 0)) - v_.row(f_(f, 1))).norm();
    // Cells about two mean edges wide hold a handful of triangles each on a
    // surface mesh; at most 256 cells per axis keeps the index small.
    const float extent = (hi - lo).maxCoeff();
    cell_ = std::max({static_cast<float>(2.0 * edge / static_cast<double>(f_.rows())), extent / 256.0f, 1e-6f});
    origin_ = lo;
    nx_ = std::max(1, static_cast<int>(std::ceil((hi.x() - lo.x()) / cell_)) + 1);
    ny_ = std::max(1, static_cast<int>(std::ceil((hi.y() - lo.y()) / cell_)) + 1);
    nz_ = std::max(1, static_cast<int>(std::ceil((hi.z() - lo.z()) / cell_)) + 1);
    const std::size_t cells = static_cast<std::size_t>(nx_) * ny_ * nz_;
    auto cellRange = [&](Eigen::Index f, int* a, int* b) {
        Eigen::Vector3f mn = v_.row(f_(f, 0)), mx = mn;
        for (int k = 1; k < 3; ++k) {
            mn = mn.cwiseMin(v_.row(f_(f, k)).transpose());
            mx = mx.cwiseMax(v_.row(f_(f, k)).transpose());
        }
        const int n[3] = {nx_, ny_, nz_};
        for (int k = 0; k < 3; ++k) {
            a[k] = std::clamp(static_cast<int>(std::floor((mn[k] - origin_[k]) / cell_)), 0, n[k] - 1);
            b[k] = std::clamp(static_cast<int>(std::floor((mx[k] - origin_[k]) / cell_)), 0, n[k] - 1);
        }
    };
    std::vector<std::int32_t> count(cells + 1, 0);
    int a[3], b[3];
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1) {
            start_.assign(cells + 1, 0);
            for (std::size_t c = 0; c < cells; ++c) start_[c + 1] = start_[c] + count[c];
            items_.assign(static_cast<std::size_t>(start_[cells]), 0);
            std::fill(count.begin(), count.end(), 0);
        }
        for (Eigen::Index f = 0; f < f_.rows(); ++f) {
            cellRange(f, a, b);
            for (int z = a[2]; z <= b[2]; ++z)
                for (int y = a[1]; y <= b[1]; ++y)
                    for (int x = a[0]; x <= b[0]; ++x) {
                        const std::size_t c = (static_cast<std::size_t>(z) * ny_ + y) * nx_ + x;
                        if (pass == 1) items_[static_cast<std::size_t>(start_[c] + count[c])] = static_cast<std::int32_t>(f);
                        ++count[c];
                    }
        }
    }
}

head::SurfacePoint TriangleGrid::closest(const Eigen::Vector3f& p) const {
    head::SurfacePoint best;
    float bestD2 = std::numeric_limits<float>::infinity();
    const int n[3] = {nx_, ny_, nz_};
    int c[3];
    for (int k = 0; k < 3; ++k)
        c[k] = std::clamp(static_cast<int>(std::floor((p[k] - origin_[k]) / cell_)), 0, n[k] - 1);
    const int maxRing = std::max({nx_, ny_, nz_});
    for (int ring = 0; ring <= maxRing; ++ring) {
        for (int z = c[2] - ring; z <= c[2] + ring; ++z) {
            if (z < 0 || z >= nz_) continue;
            for (int y = c[1] - ring; y <= c[1] + ring; ++y) {
                if (y < 0 || y >= ny_) continue;
                for (int x = c[0] - ring; x <= c[0] + ring; ++x) {
                    if (x < 0 || x >= nx_) continue;
                    // only the shell of this ring; inner cells were visited before
                    if (std::max({std::abs(x - c[0]), std::abs(y - c[1]), std::abs(z - c[2])}) != ring) continue;
                    const std::size_t cell = (static_cast<std::size_t>(z) * ny_ + y) * nx_ + x;
                    for (std::int32_t k = start_[cell]; k < start_[cell + 1]; ++k) {
                        head::keepIfCloser(v_, f_, items_[static_cast<std::size_t>(k)], p, best, bestD2);
                    }
                }
            }
        }
        // Everything not yet visited lies outside the box of cells within
        // `ring` of c; stop once the best hit is nearer than that box's walls.
        float wall = std::numeric_limits<float>::infinity();
        for (int k = 0; k < 3; ++k) {
            const float lo = origin_[k] + static_cast<float>(c[k] - ring) * cell_;
            const float hi = origin_[k] + static_cast<float>(c[k] + ring + 1) * cell_;
            if (c[k] - ring > 0) wall = std::min(wall, p[k] - lo);
            if (c[k] + ring + 1 < n[k]) wall = std::min(wall, hi - p[k]);
        }
        if (wall < 0) wall = 0;  // p outside the box (clamped start cell): keep going
        if (bestD2 <= wall * wall) break;
    }
    best.distance = std::sqrt(bestD2);
    return best;
}

}  // namespace synthforge::labelmap
