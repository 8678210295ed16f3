#include "core/generate/assets/mesh_shapes.h"

#include <stdexcept>

#include <Eigen/Geometry>

namespace synthforge::generate {

void addTube(AssetMesh& mesh, const std::vector<Eigen::Vector3f>& points, const Eigen::Vector3f& upHint,
             float halfUp, float halfSide) {
    const int n = static_cast<int>(points.size());
    if (n < 2) throw std::invalid_argument("addTube: needs at least two points");
    const int first = mesh.numVertices();
    for (int i = 0; i < n; ++i) {
        const Eigen::Vector3f t = (points[static_cast<std::size_t>(std::min(i + 1, n - 1))] -
                                   points[static_cast<std::size_t>(std::max(i - 1, 0))]).normalized();
        const Eigen::Vector3f up = (upHint - upHint.dot(t) * t).normalized();
        const Eigen::Vector3f side = t.cross(up);
        const Eigen::Vector3f& p = points[static_cast<std::size_t>(i)];
        // Section corners in cyclic order, so consecutive corners share a face.
        mesh.addVertex(p + halfUp * up + halfSide * side);
        mesh.addVertex(p + halfUp * up - halfSide * side);
        mesh.addVertex(p - halfUp * up - halfSide * side);
        mesh.addVertex(p - halfUp * up + halfSide * side);
    }
    for (int i = 0; i + 1 < n; ++i)
        for (int k = 0; k < 4; ++k) {
            const int a = first + 4 * i + k, b = first + 4 * i + (k + 1) % 4;
            mesh.addQuad(a, b, b + 4, a + 4);
        }
    const int last = first + 4 * (n - 1);
    mesh.addQuad(first + 3, first + 2, first + 1, first);
    mesh.addQuad(last, last + 1, last + 2, last + 3);
}

}  // namespace synthforge::generate
