#include "core/generate/mesh_density.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Geometry>

#include "core/head/surface_query.h"
#include "core/raster/mesh_normals.h"

namespace synthforge::generate {

MeshDensity::MeshDensity(const head::RowMatX3f& vertices, const head::RowMatX3i& faces, float beta)
    : v_(vertices), n_(raster::vertexNormals(vertices, faces)), f_(faces), beta_(beta) {
    if (!(beta > 0.0f)) throw std::invalid_argument("MeshDensity: beta must be > 0");
    if (vertices.rows() == 0 || faces.rows() == 0) throw std::invalid_argument("MeshDensity: empty mesh");
    const Eigen::Vector3f lo = vertices.colwise().minCoeff().transpose(), hi = vertices.colwise().maxCoeff().transpose();
    const float extent = (hi - lo).maxCoeff();
    // Cells of ~1/32 of the mesh; the search looks one ring of cells around
    // the query, so distances up to one cell are exact.
    cell_ = std::max(extent / 32.0f, 1e-6f);
    searchRadius_ = cell_;
    lo_ = lo - Eigen::Vector3f::Constant(cell_);
    nx_ = static_cast<int>((hi.x() - lo_.x()) / cell_) + 2;
    ny_ = static_cast<int>((hi.y() - lo_.y()) / cell_) + 2;
    nz_ = static_cast<int>((hi.z() - lo_.z()) / cell_) + 2;
    cells_.resize(static_cast<std::size_t>(nx_) * ny_ * nz_);
    for (Eigen::Index f = 0; f < faces.rows(); ++f) {
        Eigen::Vector3f a = v_.row(faces(f, 0)).transpose(), b = a;
        for (int k = 1; k < 3; ++k) {
            a = a.cwiseMin(v_.row(faces(f, k)).transpose());
            b = b.cwiseMax(v_.row(faces(f, k)).transpose());
        }
        const Eigen::Vector3i c0 = ((a - lo_) / cell_).cast<int>(), c1 = ((b - lo_) / cell_).cast<int>();
        for (int z = c0.z(); z <= c1.z(); ++z)
            for (int y = c0.y(); y <= c1.y(); ++y)
                for (int x = c0.x(); x <= c1.x(); ++x)
                    cells_[(static_cast<std::size_t>(z) * ny_ + y) * nx_ + x].push_back(static_cast<std::int32_t>(f));
    }
}

bool MeshDensity::inside(const Eigen::Vector3f& p) const {
    // Generalised winding number: the sum of signed solid angles (Van
    // Oosterom & Strackee) over 4 pi; 1 inside a closed outward mesh, 0 outside.
    double total = 0.0;
    for (Eigen::Index f = 0; f < f_.rows(); ++f) {
        const Eigen::Vector3d a = (v_.row(f_(f, 0)).transpose() - p).cast<double>();
        const Eigen::Vector3d b = (v_.row(f_(f, 1)).transpose() - p).cast<double>();
        const Eigen::Vector3d c = (v_.row(f_(f, 2)).transpose() - p).cast<double>();
        const double la = a.norm(), lb = b.norm(), lc = c.norm();
        const double num = a.dot(b.cross(c));
        const double den = la * lb * lc + a.dot(b) * lc + b.dot(c) * la + c.dot(a) * lb;
        total += 2.0 * std::atan2(num, den);
    }
    return total / (4.0 * 3.14159265358979323846) > 0.5;
}

float MeshDensity::signedDistance(const Eigen::Vector3f& p) const {
    const Eigen::Vector3i c = ((p - lo_) / cell_).array().floor().cast<int>();
    std::vector<std::int32_t> candidates;
    for (int z = c.z() - 1; z <= c.z() + 1; ++z)
        for (int y = c.y() - 1; y <= c.y() + 1; ++y)
            for (int x = c.x() - 1; x <= c.x() + 1; ++x) {
                if (x < 0 || y < 0 || z < 0 || x >= nx_ || y >= ny_ || z >= nz_) continue;
                const auto& list = cells_[(static_cast<std::size_t>(z) * ny_ + y) * nx_ + x];
                candidates.insert(candidates.end(), list.begin(), list.end());
            }
    if (!candidates.empty()) {
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        const head::SurfacePoint s = head::closestSurfacePoint(v_, f_, p, candidates);
        if (s.distance <= searchRadius_) {
            const auto f = f_.row(s.face);
            const Eigen::Vector3f n =
                (s.bary[0] * n_.row(f[0]) + s.bary[1] * n_.row(f[1]) + s.bary[2] * n_.row(f[2])).transpose();
            return (p - s.position).dot(n) >= 0.0f ? s.distance : -s.distance;
        }
    }
    // Farther than the search radius: the magnitude only needs to be "far"
    // for the density, the side comes from the winding number.
    return inside(p) ? -searchRadius_ : searchRadius_;
}

float MeshDensity::density(const Eigen::Vector3f& p) const {
    const float s = -signedDistance(p);  // > 0 inside
    const float psi = s <= 0.0f ? 0.5f * std::exp(s / beta_) : 1.0f - 0.5f * std::exp(-s / beta_);
    return psi / beta_;
}

}  // namespace synthforge::generate
