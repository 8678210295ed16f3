#include "core/raster/mesh_normals.h"

#include <Eigen/Geometry>

namespace synthforge::raster {

Vertices vertexNormals(const Eigen::Ref<const Vertices>& v, const Eigen::Ref<const Triangles>& faces) {
    Vertices n = Vertices::Zero(v.rows(), 3);
    for (Eigen::Index f = 0; f < faces.rows(); ++f) {
        const Eigen::RowVector3f a = v.row(faces(f, 0)), b = v.row(faces(f, 1)), c = v.row(faces(f, 2));
        const Eigen::RowVector3f fn = (b - a).cross(c - a);
        for (int k = 0; k < 3; ++k) n.row(faces(f, k)) += fn;
    }
    for (Eigen::Index i = 0; i < n.rows(); ++i) {
        const float len = n.row(i).norm();
        if (len > 0.0f) n.row(i) /= len;
    }
    return n;
}

}  // namespace synthforge::raster
