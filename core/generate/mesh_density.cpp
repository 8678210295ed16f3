#include "core/generate/mesh_density.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <Eigen/Geometry>

#include "core/head/surface_query.h"

namespace synthforge::generate {

MeshDensity::MeshDensity(const head::RowMatX3f& vertices, const head::RowMatX3i& faces, float beta)
    : v_(vertices), f_(faces), beta_(beta) {
    if (!(beta > 0.0f)) throw std::invalid_argument("MeshDensity: beta must be > 0");
    if (vertices.rows() == 0 || faces.rows() == 0) throw std::invalid_argument("MeshDensity: empty mesh");
    buildPseudoNormals();
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
    labelComponents();
    labelRegions();
}

void MeshDensity::labelComponents() {
    // Union-find over vertices joined by faces.
    std::vector<std::int32_t> parent(static_cast<std::size_t>(v_.rows()));
    for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = static_cast<std::int32_t>(i);
    auto root = [&](std::int32_t x) {
        while (parent[static_cast<std::size_t>(x)] != x) {
            parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
            x = parent[static_cast<std::size_t>(x)];
        }
        return x;
    };
    for (Eigen::Index f = 0; f < f_.rows(); ++f)
        for (int k = 1; k < 3; ++k) parent[static_cast<std::size_t>(root(f_(f, k)))] = root(f_(f, 0));
    std::vector<std::int32_t> id(parent.size(), -1);
    faceComponent_.resize(static_cast<std::size_t>(f_.rows()));
    componentFaces_.clear();
    for (Eigen::Index f = 0; f < f_.rows(); ++f) {
        std::int32_t& c = id[static_cast<std::size_t>(root(f_(f, 0)))];
        if (c < 0) {
            c = static_cast<std::int32_t>(componentFaces_.size());
            componentFaces_.emplace_back();
        }
        faceComponent_[static_cast<std::size_t>(f)] = c;
        componentFaces_[static_cast<std::size_t>(c)].push_back(static_cast<std::int32_t>(f));
    }
    // Many pieces (a triangle soup) would make per-component work explode:
    // treat them as one surface, which is right when they do not overlap.
    if (componentFaces_.size() > static_cast<std::size_t>(kMaxComponents)) {
        std::fill(faceComponent_.begin(), faceComponent_.end(), 0);
        componentFaces_.assign(1, {});
        for (Eigen::Index f = 0; f < f_.rows(); ++f) componentFaces_[0].push_back(static_cast<std::int32_t>(f));
    }
    components_ = static_cast<int>(componentFaces_.size());
}

void MeshDensity::buildPseudoNormals() {
    const Eigen::Index nf = f_.rows();
    faceNormal_.setZero(nf, 3);
    vertexNormal_.setZero(v_.rows(), 3);
    edgeNormal_.setZero(nf * 3, 3);
    // Face corners k -> k+1 keyed by their undirected edge; sorting brings
    // the two faces of each edge together (cheaper than a map, and this
    // runs once per density call).
    std::vector<std::pair<std::uint64_t, std::int32_t>> edges;
    edges.reserve(static_cast<std::size_t>(nf) * 3);
    for (Eigen::Index f = 0; f < nf; ++f) {
        const Eigen::Vector3f p[3] = {v_.row(f_(f, 0)).transpose(), v_.row(f_(f, 1)).transpose(),
                                      v_.row(f_(f, 2)).transpose()};
        const Eigen::Vector3f n = (p[1] - p[0]).cross(p[2] - p[0]).normalized();
        faceNormal_.row(f) = n.transpose();
        for (int k = 0; k < 3; ++k) {
            const Eigen::Vector3f e1 = p[(k + 1) % 3] - p[k], e2 = p[(k + 2) % 3] - p[k];
            const float angle = std::atan2(e1.cross(e2).norm(), e1.dot(e2));
            vertexNormal_.row(f_(f, k)) += angle * n.transpose();
            const auto a = static_cast<std::uint32_t>(f_(f, k)), b = static_cast<std::uint32_t>(f_(f, (k + 1) % 3));
            edges.emplace_back((static_cast<std::uint64_t>(std::min(a, b)) << 32) | std::max(a, b),
                               static_cast<std::int32_t>(3 * f + k));
        }
    }
    std::sort(edges.begin(), edges.end());
    for (std::size_t i = 0; i < edges.size();) {
        std::size_t j = i;
        Eigen::Vector3f sum = Eigen::Vector3f::Zero();
        for (; j < edges.size() && edges[j].first == edges[i].first; ++j) sum += faceNormal_.row(edges[j].second / 3).transpose();
        for (std::size_t k = i; k < j; ++k) edgeNormal_.row(edges[k].second) = sum.transpose();
        i = j;
    }
}

Eigen::Vector3f MeshDensity::pseudoNormal(std::int32_t face, const Eigen::Vector3f& bary) const {
    // closestBarycentric returns exact zeros off the face's interior: two
    // zeros put the point on a corner, one on the edge opposite that corner.
    const int zeros = (bary[0] == 0.0f) + (bary[1] == 0.0f) + (bary[2] == 0.0f);
    if (zeros == 0) return faceNormal_.row(face).transpose();
    if (zeros >= 2) {
        const int k = bary[0] != 0.0f ? 0 : (bary[1] != 0.0f ? 1 : 2);
        return vertexNormal_.row(f_(face, k)).transpose();
    }
    const int opposite = bary[0] == 0.0f ? 0 : (bary[1] == 0.0f ? 1 : 2);
    return edgeNormal_.row(3 * face + (opposite + 1) % 3).transpose();
}

double MeshDensity::windingNumber(const Eigen::Vector3f& p, int component) const {
    // Generalised winding number: the sum of signed solid angles (Van
    // Oosterom & Strackee) over 4 pi; 1 inside a closed outward surface, 0 outside.
    double total = 0.0;
    for (std::int32_t f : componentFaces_[static_cast<std::size_t>(component)]) {
        const Eigen::Vector3d a = (v_.row(f_(f, 0)).transpose() - p).cast<double>();
        const Eigen::Vector3d b = (v_.row(f_(f, 1)).transpose() - p).cast<double>();
        const Eigen::Vector3d c = (v_.row(f_(f, 2)).transpose() - p).cast<double>();
        const double la = a.norm(), lb = b.norm(), lc = c.norm();
        const double num = a.dot(b.cross(c));
        const double den = la * lb * lc + a.dot(b) * lc + b.dot(c) * la + c.dot(a) * lb;
        total += 2.0 * std::atan2(num, den);
    }
    return total / (4.0 * 3.14159265358979323846);
}

void MeshDensity::labelRegions() {
    // Per component, 6-connected regions of cells that hold none of its
    // triangles (binned by bounding box, so its surface passes through none
    // of them): its winding number cannot jump inside one, so one sum at one
    // cell centre decides the region.
    const std::size_t n = cells_.size();
    side_.assign(static_cast<std::size_t>(components_), std::vector<std::int8_t>(n, -1));
    std::vector<std::uint8_t> holds(n, 0);  // bit c: the cell holds component c's triangles
    for (std::size_t c = 0; c < n; ++c)
        for (std::int32_t f : cells_[c]) holds[c] |= static_cast<std::uint8_t>(1u << faceComponent_[static_cast<std::size_t>(f)]);
    std::vector<std::int32_t> stack;
    for (int comp = 0; comp < components_; ++comp) {
        std::vector<std::int8_t>& side = side_[static_cast<std::size_t>(comp)];
        const std::uint8_t bit = static_cast<std::uint8_t>(1u << comp);
        std::vector<bool> seen(n, false);
        for (std::size_t seed = 0; seed < n; ++seed) {
            if ((holds[seed] & bit) || seen[seed]) continue;
            const int sx = static_cast<int>(seed % nx_), sy = static_cast<int>((seed / nx_) % ny_),
                      sz = static_cast<int>(seed / (static_cast<std::size_t>(nx_) * ny_));
            const Eigen::Vector3f centre = lo_ + cell_ * Eigen::Vector3f(sx + 0.5f, sy + 0.5f, sz + 0.5f);
            const std::int8_t regionSide = windingNumber(centre, comp) > 0.5 ? 1 : 0;
            seen[seed] = true;
            side[seed] = regionSide;
            stack.assign(1, static_cast<std::int32_t>(seed));
            while (!stack.empty()) {
                const std::size_t c = static_cast<std::size_t>(stack.back());
                stack.pop_back();
                const int x = static_cast<int>(c % nx_), y = static_cast<int>((c / nx_) % ny_),
                          z = static_cast<int>(c / (static_cast<std::size_t>(nx_) * ny_));
                const int next[6][3] = {{x - 1, y, z}, {x + 1, y, z}, {x, y - 1, z}, {x, y + 1, z}, {x, y, z - 1}, {x, y, z + 1}};
                for (const auto& q : next) {
                    if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[0] >= nx_ || q[1] >= ny_ || q[2] >= nz_) continue;
                    const std::size_t qi = (static_cast<std::size_t>(q[2]) * ny_ + q[1]) * nx_ + q[0];
                    if ((holds[qi] & bit) || seen[qi]) continue;
                    seen[qi] = true;
                    side[qi] = regionSide;
                    stack.push_back(static_cast<std::int32_t>(qi));
                }
            }
        }
    }
}

bool MeshDensity::insideComponent(const Eigen::Vector3f& p, int component) const {
    const Eigen::Vector3i c = ((p - lo_) / cell_).array().floor().cast<int>();
    // The grid spans the mesh's box plus a cell: beyond it a closed
    // surface's winding number is 0.
    if (c.x() < 0 || c.y() < 0 || c.z() < 0 || c.x() >= nx_ || c.y() >= ny_ || c.z() >= nz_) return false;
    const std::int8_t side =
        side_[static_cast<std::size_t>(component)][(static_cast<std::size_t>(c.z()) * ny_ + c.y()) * nx_ + c.x()];
    if (side >= 0) return side == 1;
    // A cell that holds the component's triangles but none within the search
    // radius of p: the pseudo normal at the true closest point still gives
    // the side of a closed surface, and two rings of cells find it unless it
    // is farther than two cells. Only then pay for the winding-number sum.
    const Nearest near = closestWithin(p, 2, 2.0f * cell_);
    const std::size_t k = static_cast<std::size_t>(component);
    if (near.distance[k] <= 2.0f * cell_)
        return (p - near.position[k]).dot(pseudoNormal(near.face[k], near.bary[k])) < 0.0f;
    return windingNumber(p, component) > 0.5;
}

MeshDensity::Nearest MeshDensity::closestWithin(const Eigen::Vector3f& p, int rings, float limit) const {
    // Every triangle within `rings` cells of p lies in the cells at most
    // `rings` away from p's cell. The own cell goes first so that the best
    // distances found there let most others be skipped by their box.
    const std::size_t nc = static_cast<std::size_t>(components_);
    Nearest out;
    out.distance.fill(std::numeric_limits<float>::infinity());
    out.face.fill(-1);
    std::array<float, kMaxComponents>& best2 = out.distance;  // squared until the end
    const Eigen::Vector3i c = ((p - lo_) / cell_).array().floor().cast<int>();
    const float limit2 = limit * limit;
    auto visit = [&](int x, int y, int z) {
        if (x < 0 || y < 0 || z < 0 || x >= nx_ || y >= ny_ || z >= nz_) return;
        const Eigen::Vector3f cellLo =
            lo_ + cell_ * Eigen::Vector3f(static_cast<float>(x), static_cast<float>(y), static_cast<float>(z));
        const Eigen::Vector3f gap = (cellLo - p).cwiseMax(p - cellLo - Eigen::Vector3f::Constant(cell_)).cwiseMax(0.0f);
        const float gap2 = gap.squaredNorm();
        if (gap2 > limit2) return;
        for (std::int32_t f : cells_[(static_cast<std::size_t>(z) * ny_ + y) * nx_ + x]) {
            const std::size_t k = static_cast<std::size_t>(faceComponent_[static_cast<std::size_t>(f)]);
            if (gap2 > best2[k]) continue;
            const Eigen::Vector3f a = v_.row(f_(f, 0)).transpose(), b = v_.row(f_(f, 1)).transpose(),
                                  cc = v_.row(f_(f, 2)).transpose();
            const Eigen::Vector3f w = head::closestBarycentric(p, a, b, cc);
            const Eigen::Vector3f q = w[0] * a + w[1] * b + w[2] * cc;
            const float d2 = (q - p).squaredNorm();
            if (d2 < best2[k]) {
                best2[k] = d2;
                out.face[k] = f;
                out.bary[k] = w;
                out.position[k] = q;
            }
        }
    };
    visit(c.x(), c.y(), c.z());
    for (int z = c.z() - rings; z <= c.z() + rings; ++z)
        for (int y = c.y() - rings; y <= c.y() + rings; ++y)
            for (int x = c.x() - rings; x <= c.x() + rings; ++x)
                if (x != c.x() || y != c.y() || z != c.z()) visit(x, y, z);
    for (std::size_t k = 0; k < nc; ++k)
        best2[k] = out.face[k] >= 0 && best2[k] <= limit2 ? std::sqrt(best2[k]) : std::numeric_limits<float>::infinity();
    return out;
}

float MeshDensity::signedDistance(const Eigen::Vector3f& p) const {
    // The union's signed distance: the smallest of the components'. Beyond
    // the search radius the magnitude only needs to be "far" for the
    // density, and only the side is computed.
    const Nearest near = closestWithin(p, 1, searchRadius_);
    float sd = std::numeric_limits<float>::infinity();
    for (int comp = 0; comp < components_; ++comp) {
        const std::size_t k = static_cast<std::size_t>(comp);
        float s;
        if (near.distance[k] <= searchRadius_)
            s = (p - near.position[k]).dot(pseudoNormal(near.face[k], near.bary[k])) >= 0.0f ? near.distance[k]
                                                                                              : -near.distance[k];
        else
            s = insideComponent(p, comp) ? -searchRadius_ : searchRadius_;
        sd = std::min(sd, s);
    }
    return sd;
}

float MeshDensity::density(const Eigen::Vector3f& p) const {
    const float s = -signedDistance(p);  // > 0 inside
    const float psi = s <= 0.0f ? 0.5f * std::exp(s / beta_) : 1.0f - 0.5f * std::exp(-s / beta_);
    return psi / beta_;
}

}  // namespace synthforge::generate
