#pragma once
// Triangle meshes with UVs: written by our own writers, which keep the vertex
// order (OBJ, PLY, glTF 2); read through Assimp.

#include <cstdint>
#include <string>

#include <Eigen/Core>

namespace synthforge::io {

struct TriMesh {
    Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor> positions;
    Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor> faces;
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> uv;             ///< may be empty
    Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor> uvFaces; ///< rows == faces.rows() when uv is set
};

/// Writes by extension: .obj, .ply, .gltf (one file, buffer embedded as a
/// base64 data URI) or .glb. Vertex i of every file is positions row i, so
/// users can index it by model vertex number:
/// - OBJ: `v` and `vt` in order, `f v/vt ...`; seams need no splitting.
/// - PLY (binary): vertex i = row i; UVs per corner as face `texcoord` lists.
/// - glTF: vertices 0..V-1 are the rows in order; the extra (position, UV)
///   pairs a seam needs come after them, and the float attribute _VERTEX_ID
///   gives every vertex's source row.
/// Throws std::runtime_error naming the path for an unknown extension, a
/// mesh with no faces, out-of-range indices, non-finite values or a file
/// that cannot be written. The write is atomic.
void exportMesh(const std::string& path, const TriMesh& mesh);

/// Reads any triangle mesh Assimp knows. Positions and UVs are welded by
/// exact value, so an OBJ's v/vt indexing comes back, but in order of first
/// use, not file order: do not rely on vertex numbers from this reader.
/// Assimp's PLY reader keeps one UV per vertex, so per-corner `texcoord`
/// lists (as exportMesh writes) come back with their seams merged.
TriMesh importMesh(const std::string& path);

}  // namespace synthforge::io
