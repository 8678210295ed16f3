#include "core/io/mesh_writers.h"

namespace synthforge::io::detail {

std::string plyBytes(const TriMesh& mesh) {
    const bool hasUv = mesh.uv.rows() > 0;
    std::string out =
        "ply\n"
        "format binary_little_endian 1.0\n"
        "comment SynthForge mesh: vertex i is the model's vertex i\n";
    if (hasUv)
        out += "comment UVs are per corner (face texcoord: u0 v0 u1 v1 u2 v2), so seams keep the vertex order\n";
    out += "element vertex " + std::to_string(mesh.positions.rows()) +
           "\n"
           "property float x\n"
           "property float y\n"
           "property float z\n"
           "element face " +
           std::to_string(mesh.faces.rows()) +
           "\n"
           "property list uchar int vertex_indices\n";
    // Per-face texcoord lists are what MeshLab and Blender's PLY readers take
    // for per-corner UVs; per-vertex u,v would force splitting at seams.
    if (hasUv) out += "property list uchar float texcoord\n";
    out += "end_header\n";

    out.reserve(out.size() + static_cast<std::size_t>(mesh.positions.rows()) * 12 +
                static_cast<std::size_t>(mesh.faces.rows()) * (hasUv ? 38 : 13));
    for (Eigen::Index i = 0; i < mesh.positions.rows(); ++i)
        for (int c = 0; c < 3; ++c) appendF32(out, mesh.positions(i, c));
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f) {
        out += static_cast<char>(3);
        for (int k = 0; k < 3; ++k) appendU32(out, static_cast<std::uint32_t>(mesh.faces(f, k)));
        if (!hasUv) continue;
        out += static_cast<char>(6);
        for (int k = 0; k < 3; ++k) {
            appendF32(out, mesh.uv(mesh.uvFaces(f, k), 0));
            appendF32(out, mesh.uv(mesh.uvFaces(f, k), 1));
        }
    }
    return out;
}

}  // namespace synthforge::io::detail
