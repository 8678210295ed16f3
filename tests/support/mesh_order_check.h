#pragma once
// Compares a mesh file read back in file order (mesh_readback.h) with the
// io::TriMesh that was exported: vertex i must be row i, bit for bit.

#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "core/io/mesh_io.h"
#include "tests/support/mesh_readback.h"

namespace synthforge::testutil {

/// "" when `r` (read from a file of extension `ext`) keeps `want`'s vertex
/// order, positions, triangles and per-corner UVs exactly; else the first
/// difference. glTF files may append seam copies after the V originals, each
/// naming its source in _VERTEX_ID, and no more copies than the seams need.
inline std::string vertexOrderMismatch(const ReadBackMesh& r, const io::TriMesh& want, const std::string& ext) {
    std::ostringstream why;
    const bool gltf = ext == ".gltf" || ext == ".glb";
    const std::size_t V = static_cast<std::size_t>(want.positions.rows());
    const std::size_t F = static_cast<std::size_t>(want.faces.rows());
    const bool hasUv = want.uv.rows() > 0;

    std::size_t expected = V;
    if (gltf && hasUv) {
        // One vertex per distinct (vertex, UV value) pair, at least one per vertex.
        std::set<std::tuple<int, float, float>> pairs;
        std::set<int> used;
        for (std::size_t f = 0; f < F; ++f)
            for (int k = 0; k < 3; ++k) {
                const int v = want.faces(f, k), t = want.uvFaces(f, k);
                pairs.emplace(v, want.uv(t, 0), want.uv(t, 1));
                used.insert(v);
            }
        expected = V + pairs.size() - used.size();
    }
    if (r.positions.size() != expected) {
        why << ext << ": " << r.positions.size() << " vertices in the file, expected " << expected;
        return why.str();
    }
    std::vector<int> source(r.positions.size());
    for (std::size_t i = 0; i < r.positions.size(); ++i) {
        source[i] = static_cast<int>(i);
        if (gltf) {
            if (r.vertexId.size() != r.positions.size()) return ext + ": _VERTEX_ID missing or of the wrong count";
            const float id = r.vertexId[i];
            if (id != static_cast<float>(static_cast<int>(id)) || id < 0 || id >= static_cast<float>(V) ||
                (i < V && id != static_cast<float>(i))) {
                why << ext << ": vertex " << i << " has _VERTEX_ID " << id;
                return why.str();
            }
            source[i] = static_cast<int>(id);
        }
        for (int c = 0; c < 3; ++c)
            if (r.positions[i][c] != want.positions(source[i], c)) {
                why << ext << ": vertex " << i << " coordinate " << c << " is " << r.positions[i][c] << ", model vertex "
                    << source[i] << " has " << want.positions(source[i], c);
                return why.str();
            }
    }
    if (r.faces.size() != F) {
        why << ext << ": " << r.faces.size() << " faces, expected " << F;
        return why.str();
    }
    for (std::size_t f = 0; f < F; ++f)
        for (int k = 0; k < 3; ++k) {
            const int idx = r.faces[f][k];
            if (idx < 0 || static_cast<std::size_t>(idx) >= source.size() || source[static_cast<std::size_t>(idx)] != want.faces(f, k)) {
                why << ext << ": face " << f << " corner " << k << " is vertex " << idx << ", expected model vertex "
                    << want.faces(f, k);
                return why.str();
            }
        }
    if (!hasUv) return r.cornerUv.empty() ? "" : ext + ": UVs written for a mesh without them";
    if (r.cornerUv.size() != 3 * F) return ext + ": UVs missing or of the wrong count";
    for (std::size_t f = 0; f < F; ++f)
        for (int k = 0; k < 3; ++k) {
            const int t = want.uvFaces(f, k);
            // glTF's V axis points down: the writer stores 1 - v.
            const float u = want.uv(t, 0), v = gltf ? 1.0f - want.uv(t, 1) : want.uv(t, 1);
            const auto& got = r.cornerUv[3 * f + static_cast<std::size_t>(k)];
            if (got[0] != u || got[1] != v) {
                why << ext << ": face " << f << " corner " << k << " UV " << got[0] << "," << got[1] << " expected " << u
                    << "," << v;
                return why.str();
            }
        }
    return "";
}

}  // namespace synthforge::testutil
