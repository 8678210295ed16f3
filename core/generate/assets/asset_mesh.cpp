#include "core/generate/assets/asset_mesh.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace synthforge::generate {

int AssetMesh::addVertex(const Eigen::Vector3f& p, std::int32_t anchorVertex, float strandCoordinate) {
    vertices.push_back(p);
    anchor.push_back(anchorVertex);
    strand.push_back(strandCoordinate);
    return numVertices() - 1;
}

void AssetMesh::addTriangle(int a, int b, int c, bool isTransparent) {
    faces.emplace_back(a, b, c);
    transparent.push_back(isTransparent ? 1 : 0);
}

void AssetMesh::addQuad(int a, int b, int c, int d, bool isTransparent) {
    addTriangle(a, b, c, isTransparent);
    addTriangle(a, c, d, isTransparent);
}

void AssetMesh::append(const AssetMesh& o) {
    const int nv = numVertices();
    vertices.insert(vertices.end(), o.vertices.begin(), o.vertices.end());
    for (const Eigen::Vector3i& f : o.faces) faces.push_back(f.array() + nv);
    transparent.insert(transparent.end(), o.transparent.begin(), o.transparent.end());
    anchor.insert(anchor.end(), o.anchor.begin(), o.anchor.end());
    strand.insert(strand.end(), o.strand.begin(), o.strand.end());
}

namespace {

/// A uniform grid over the candidates, so that a nearest-vertex query reads
/// a few cells instead of every candidate (binding runs once per sample).
class VertexGrid {
public:
    VertexGrid(const head::HeadModel& model, const std::vector<std::int32_t>& candidates, float cell)
        : model_(model), cell_(cell) {
        lo_ = hi_ = model.vTemplate.row(candidates.front()).transpose();
        for (std::int32_t v : candidates) {
            lo_ = lo_.cwiseMin(model.vTemplate.row(v).transpose());
            hi_ = hi_.cwiseMax(model.vTemplate.row(v).transpose());
        }
        for (int k = 0; k < 3; ++k) dims_[k] = 1 + static_cast<int>((hi_[k] - lo_[k]) / cell_);
        cells_.resize(static_cast<std::size_t>(dims_[0]) * dims_[1] * dims_[2]);
        for (std::int32_t v : candidates) cells_[flat(cellOf(model.vTemplate.row(v).transpose()))].push_back(v);
    }

    /// Nearest candidate: rings of cells grow until the best distance found
    /// is within what the next ring could still beat.
    std::int32_t nearest(const Eigen::Vector3f& p) const {
        const Eigen::Vector3i c = cellOf(p);
        float best = std::numeric_limits<float>::infinity();
        std::int32_t bestV = -1;
        const int maxRing = std::max({dims_[0], dims_[1], dims_[2]});
        // Distance from p to the grid's box: rings closer than that hold nothing.
        const float outside = (p - p.cwiseMax(lo_).cwiseMin(hi_)).norm();
        for (int r = 0; r <= maxRing + 1; ++r) {
            for (int x = c.x() - r; x <= c.x() + r; ++x)
                for (int y = c.y() - r; y <= c.y() + r; ++y)
                    for (int z = c.z() - r; z <= c.z() + r; ++z) {
                        if (std::max({std::abs(x - c.x()), std::abs(y - c.y()), std::abs(z - c.z())}) != r) continue;
                        if (x < 0 || y < 0 || z < 0 || x >= dims_[0] || y >= dims_[1] || z >= dims_[2]) continue;
                        for (std::int32_t v : cells_[flat({x, y, z})]) {
                            const float d = (model_.vTemplate.row(v).transpose() - p).squaredNorm();
                            if (d < best || (d == best && v < bestV)) best = d, bestV = v;
                        }
                    }
            // Every point of ring r+1 lies at least r cells (minus p's offset
            // inside its own cell) away.
            const float reach = std::max(0.0f, static_cast<float>(r) * cell_ - outside);
            if (bestV >= 0 && best <= reach * reach) break;
        }
        return bestV;
    }

private:
    Eigen::Vector3i cellOf(const Eigen::Vector3f& p) const {
        Eigen::Vector3i c;
        for (int k = 0; k < 3; ++k)
            c[k] = std::clamp(static_cast<int>(std::floor((p[k] - lo_[k]) / cell_)), 0, dims_[k] - 1);
        return c;
    }
    std::size_t flat(const Eigen::Vector3i& c) const {
        return (static_cast<std::size_t>(c.x()) * dims_[1] + c.y()) * dims_[2] + c.z();
    }

    const head::HeadModel& model_;
    float cell_;
    Eigen::Vector3f lo_, hi_;
    int dims_[3] = {1, 1, 1};
    std::vector<std::vector<std::int32_t>> cells_;
};

}  // namespace

void bindNearest(AssetMesh& mesh, const head::HeadModel& model, const std::vector<std::int32_t>& candidates) {
    if (candidates.empty()) throw std::invalid_argument("bindNearest: no candidate head vertices");
    const VertexGrid grid(model, candidates, 0.01f);
    for (int i = 0; i < mesh.numVertices(); ++i) {
        std::int32_t& a = mesh.anchor[static_cast<std::size_t>(i)];
        if (a < 0) a = grid.nearest(mesh.vertices[static_cast<std::size_t>(i)]);
    }
}

head::RowMatX3f poseAsset(const AssetMesh& mesh, const head::HeadModel& model, const head::HeadPose& pose) {
    head::RowMatX3f out(mesh.numVertices(), 3);
    for (int i = 0; i < mesh.numVertices(); ++i) {
        const std::int32_t v = mesh.anchor[static_cast<std::size_t>(i)];
        if (v < 0 || v >= model.numVertices()) throw std::invalid_argument("poseAsset: vertex without a valid anchor");
        // The anchor's blended rotation turns the rest-frame offset; the
        // anchor's posed position already carries shape, expression,
        // correctives and translation.
        Eigen::Matrix3f r = Eigen::Matrix3f::Zero();
        for (int j = 0; j < head::kNumJoints; ++j) {
            const float w = model.weights(v, j);
            if (w != 0.0f) r += w * pose.jointTransforms[static_cast<std::size_t>(j)].topLeftCorner<3, 3>();
        }
        const Eigen::Vector3f offset = mesh.vertices[static_cast<std::size_t>(i)] - model.vTemplate.row(v).transpose();
        out.row(i) = pose.vertices.row(v) + (r * offset).transpose();
    }
    return out;
}

}  // namespace synthforge::generate
