#include "core/align/surface_distance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

namespace synthforge::align {

SurfaceIndex::SurfaceIndex(const Points& vertices, const Faces& faces) : v_(vertices), f_(faces) {
    if (faces.rows() == 0) throw std::invalid_argument("SurfaceIndex: the mesh has no faces");
    if (!vertices.allFinite()) throw std::invalid_argument("SurfaceIndex: positions are not finite");
    if (faces.minCoeff() < 0 || faces.maxCoeff() >= vertices.rows())
        throw std::invalid_argument("SurfaceIndex: a face index is out of range (" + std::to_string(vertices.rows()) +
                                    " vertices)");
    const Eigen::Vector3f lo = vertices.colwise().minCoeff().transpose();
    const Eigen::Vector3f hi = vertices.colwise().maxCoeff().transpose();
    const Eigen::Vector3f extent = (hi - lo).cwiseMax(1e-12f);
    // Cells about the size of a triangle keep the lists short; the volume
    // bound keeps the cell count within a few per triangle for meshes whose
    // triangles are tiny next to the box.
    double meanSize = 0.0;
    for (Eigen::Index f = 0; f < f_.rows(); ++f) {
        Eigen::Vector3f a = v_.row(f_(f, 0)).transpose(), b = a;
        for (int k = 1; k < 3; ++k) {
            a = a.cwiseMin(v_.row(f_(f, k)).transpose());
            b = b.cwiseMax(v_.row(f_(f, k)).transpose());
        }
        meanSize += (b - a).maxCoeff();
    }
    meanSize /= static_cast<double>(f_.rows());
    const double volumeCell = std::cbrt(static_cast<double>(extent.prod()) / (4.0 * static_cast<double>(f_.rows())));
    cell_ = static_cast<float>(std::max({meanSize, volumeCell, static_cast<double>(extent.maxCoeff()) / 512.0}));
    lo_ = lo;
    for (int a = 0; a < 3; ++a) dims_[a] = std::max(1, static_cast<int>(std::ceil(extent[a] / cell_)));

    auto cellRange = [&](Eigen::Index f, Eigen::Vector3i& c0, Eigen::Vector3i& c1) {
        Eigen::Vector3f a = v_.row(f_(f, 0)).transpose(), b = a;
        for (int k = 1; k < 3; ++k) {
            a = a.cwiseMin(v_.row(f_(f, k)).transpose());
            b = b.cwiseMax(v_.row(f_(f, k)).transpose());
        }
        c0 = ((a - lo_) / cell_).array().floor().cast<int>().cwiseMax(0).cwiseMin(dims_.array() - 1);
        c1 = ((b - lo_) / cell_).array().floor().cast<int>().cwiseMax(0).cwiseMin(dims_.array() - 1);
    };
    const std::size_t cells = static_cast<std::size_t>(dims_.x()) * dims_.y() * dims_.z();
    cellStart_.assign(cells + 1, 0);
    // Two passes (count, then fill) give one flat array instead of a vector per cell.
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<std::int32_t> fill;
        if (pass == 1) {
            for (std::size_t c = 0; c < cells; ++c) cellStart_[c + 1] += cellStart_[c];
            items_.resize(static_cast<std::size_t>(cellStart_[cells]));
            fill.assign(cellStart_.begin(), cellStart_.end() - 1);
        }
        for (Eigen::Index f = 0; f < f_.rows(); ++f) {
            Eigen::Vector3i c0, c1;
            cellRange(f, c0, c1);
            for (int z = c0.z(); z <= c1.z(); ++z)
                for (int y = c0.y(); y <= c1.y(); ++y)
                    for (int x = c0.x(); x <= c1.x(); ++x) {
                        const std::size_t c = (static_cast<std::size_t>(z) * dims_.y() + y) * dims_.x() + x;
                        if (pass == 0) ++cellStart_[c + 1];
                        else items_[static_cast<std::size_t>(fill[c]++)] = static_cast<std::int32_t>(f);
                    }
        }
    }
}

head::SurfacePoint SurfaceIndex::closest(const Eigen::Vector3f& p) const {
    const Eigen::Vector3f hi = lo_ + cell_ * dims_.cast<float>();
    const Eigen::Vector3f q = p.cwiseMax(lo_).cwiseMin(hi);
    const float outside2 = (p - q).squaredNorm();
    const Eigen::Vector3i c = ((q - lo_) / cell_).array().floor().cast<int>().cwiseMax(0).cwiseMin(dims_.array() - 1);
    head::SurfacePoint best;
    float best2 = std::numeric_limits<float>::infinity();
    auto visitCell = [&](int x, int y, int z) {
        // Skip a cell whose box is already farther than the best point.
        const Eigen::Vector3f cl = lo_ + cell_ * Eigen::Vector3f(static_cast<float>(x), static_cast<float>(y), static_cast<float>(z));
        const Eigen::Vector3f gap = (cl - p).cwiseMax(p - cl - Eigen::Vector3f::Constant(cell_)).cwiseMax(0.0f);
        if (gap.squaredNorm() >= best2) return;
        const std::size_t ci = (static_cast<std::size_t>(z) * dims_.y() + y) * dims_.x() + x;
        for (std::int32_t k = cellStart_[ci]; k < cellStart_[ci + 1]; ++k) {
            head::keepIfCloser(v_, f_, items_[static_cast<std::size_t>(k)], p, best, best2);
        }
    };
    const int maxR = dims_.maxCoeff();
    for (int r = 0; r <= maxR; ++r) {
        // Every cell not yet visited is at least r - 1 whole cells from the
        // clamped point's cell, and p is at least its distance to the box
        // away from that (the box is convex): nothing there can be closer.
        if (r >= 1) {
            const float ring = static_cast<float>(r - 1) * cell_;
            if (outside2 + ring * ring >= best2) break;
        }
        for (int dz = -r; dz <= r; ++dz) {
            const int z = c.z() + dz;
            if (z < 0 || z >= dims_.z()) continue;
            for (int dy = -r; dy <= r; ++dy) {
                const int y = c.y() + dy;
                if (y < 0 || y >= dims_.y()) continue;
                const bool face = std::abs(dz) == r || std::abs(dy) == r;
                for (int dx = -r; dx <= r; dx += (face || r == 0) ? 1 : 2 * r) {
                    const int x = c.x() + dx;
                    if (x >= 0 && x < dims_.x()) visitCell(x, y, z);
                }
            }
        }
    }
    best.distance = std::sqrt(best2);
    return best;
}

std::vector<float> distancesToSurface(const Points& points, const SurfaceIndex& surface, int threads) {
    if (threads < 0) throw std::invalid_argument("distancesToSurface: threads must be >= 0");
    const std::size_t n = static_cast<std::size_t>(points.rows());
    std::vector<float> out(n);
    unsigned t = threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<unsigned>(threads);
    t = static_cast<unsigned>(std::min<std::size_t>(t, std::max<std::size_t>(1, n / 256)));
    auto run = [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            out[i] = surface.distance(points.row(static_cast<Eigen::Index>(i)).transpose());
    };
    if (t <= 1) {
        run(0, n);
        return out;
    }
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < t; ++k) pool.emplace_back(run, n * k / t, n * (k + 1) / t);
    for (std::thread& th : pool) th.join();
    return out;
}

DistanceStats summarize(std::vector<float> d) {
    DistanceStats s;
    s.count = d.size();
    if (d.empty()) return s;
    std::sort(d.begin(), d.end());
    double sum = 0.0;
    for (float x : d) sum += x;
    s.mean = sum / static_cast<double>(d.size());
    auto quantile = [&](double q) {
        const double pos = q * static_cast<double>(d.size() - 1);
        const std::size_t i = static_cast<std::size_t>(std::floor(pos));
        const std::size_t j = std::min(i + 1, d.size() - 1);
        return d[i] + (pos - static_cast<double>(i)) * (d[j] - d[i]);
    };
    s.median = quantile(0.5);
    s.p95 = quantile(0.95);
    s.max = d.back();
    return s;
}

MeshDistances meshDistances(const io::TriMesh& a, const io::TriMesh& b, int threads) {
    MeshDistances m;
    m.aToB = distancesToSurface(a.positions, SurfaceIndex(b), threads);
    m.bToA = distancesToSurface(b.positions, SurfaceIndex(a), threads);
    m.aToBStats = summarize(m.aToB);
    m.bToAStats = summarize(m.bToA);
    m.chamfer = 0.5 * (m.aToBStats.mean + m.bToAStats.mean);
    return m;
}

}  // namespace synthforge::align
