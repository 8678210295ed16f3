#pragma once
// Triangle meshes with UVs in and out through Assimp (OBJ, PLY, glTF 2).

#include <string>

#include <Eigen/Core>

namespace synthforge::io {

struct TriMesh {
    Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor> positions;
    Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor> faces;
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> uv;             ///< may be empty
    Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor> uvFaces; ///< rows == faces.rows() when uv is set
};

/// Writes by extension: .obj, .ply, .gltf or .glb. UV seams are handled by
/// splitting vertices per (position, uv) pair, as every one of these formats
/// stores one UV per vertex.
void exportMesh(const std::string& path, const TriMesh& mesh);

/// Reads any triangle mesh Assimp knows. Positions and UVs are welded by
/// exact value, so an OBJ's v/vt indexing comes back (up to order).
TriMesh importMesh(const std::string& path);

}  // namespace synthforge::io
