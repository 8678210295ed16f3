#pragma once
// The mesh file writers behind io::exportMesh. Each returns the whole file's
// bytes; exportMesh validates the mesh first and writes them atomically.
// Every writer keeps the caller's vertex order: vertex i of the file is
// mesh.positions row i (glTF appends seam copies after the originals).

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/io/mesh_io.h"

namespace synthforge::io::detail {

/// Wavefront OBJ: `v` rows in order, `vt` rows in order, `f a/ta b/tb c/tc`.
std::string objText(const TriMesh& mesh);

/// Binary little-endian PLY: vertex i = position i; UVs, when present, as
/// per-face `texcoord` lists (six floats per triangle).
std::string plyBytes(const TriMesh& mesh);

/// glTF 2.0 as one .gltf JSON with the buffer in a base64 data URI.
std::string gltfEmbedded(const TriMesh& mesh);

/// glTF 2.0 binary container (.glb).
std::string glbBytes(const TriMesh& mesh);

/// The glTF vertex layout: vertices 0..V-1 are the mesh's positions in order,
/// each with the UV of its first corner; every further (position, UV) pair a
/// seam needs is appended after them.
struct SeamSplit {
    std::vector<int> sourceVertex;  ///< per output vertex: the mesh vertex it copies
    std::vector<int> uvIndex;       ///< per output vertex: row of mesh.uv, -1 when none
    std::vector<unsigned> indices;  ///< 3 per face, into the output vertices
};
SeamSplit splitAtUvSeams(const TriMesh& mesh);

/// Little-endian binary fields, whatever the host's byte order.
inline void appendU32(std::string& out, std::uint32_t v) {
    for (int b = 0; b < 4; ++b) out += static_cast<char>((v >> (8 * b)) & 0xffu);
}
inline void appendF32(std::string& out, float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    appendU32(out, bits);
}

/// Shortest text that reads back to exactly `v`, with '.' whatever the locale.
void appendFloat(std::string& out, float v);

}  // namespace synthforge::io::detail
