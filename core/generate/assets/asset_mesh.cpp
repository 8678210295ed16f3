#include "core/generate/assets/asset_mesh.h"

#include <limits>
#include <stdexcept>

namespace synthforge::generate {

int AssetMesh::addVertex(const Eigen::Vector3f& p, std::int32_t anchorVertex) {
    vertices.push_back(p);
    anchor.push_back(anchorVertex);
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
}

void bindNearest(AssetMesh& mesh, const head::HeadModel& model, const std::vector<std::int32_t>& candidates) {
    if (candidates.empty()) throw std::invalid_argument("bindNearest: no candidate head vertices");
    for (int i = 0; i < mesh.numVertices(); ++i) {
        if (mesh.anchor[static_cast<std::size_t>(i)] >= 0) continue;
        const Eigen::RowVector3f p = mesh.vertices[static_cast<std::size_t>(i)].transpose();
        float best = std::numeric_limits<float>::infinity();
        std::int32_t bestV = candidates.front();
        for (std::int32_t v : candidates) {
            const float d = (model.vTemplate.row(v) - p).squaredNorm();
            if (d < best) best = d, bestV = v;
        }
        mesh.anchor[static_cast<std::size_t>(i)] = bestV;
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
