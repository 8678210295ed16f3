#include "core/io/mesh_io.h"

#include "core/io/file_util.h"
#include "core/io/mesh_writers.h"

#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>

namespace synthforge::io {

namespace {

enum class MeshFormat { Obj, Ply, Gltf, Glb };

MeshFormat formatFor(const std::string& path) {
    const std::string ext = lowerExtension(path);
    if (ext == ".obj") return MeshFormat::Obj;
    if (ext == ".ply") return MeshFormat::Ply;
    if (ext == ".gltf") return MeshFormat::Gltf;
    if (ext == ".glb") return MeshFormat::Glb;
    throw std::runtime_error(path + ": unsupported mesh extension '" + ext + "' (use .obj, .ply, .gltf or .glb)");
}

/// Everything a writer relies on, checked once, so that a bad mesh is an
/// error naming the file instead of a file that readers reject.
void validateForExport(const std::string& path, const TriMesh& mesh, MeshFormat format) {
    const Eigen::Index V = mesh.positions.rows();
    if (mesh.faces.rows() == 0) throw std::runtime_error(path + ": refusing to export a mesh with no faces");
    if (!mesh.positions.allFinite()) throw std::runtime_error(path + ": mesh positions contain NaN or infinity");
    if (mesh.faces.minCoeff() < 0 || mesh.faces.maxCoeff() >= V)
        throw std::runtime_error(path + ": a face index is outside the " + std::to_string(V) + " vertices");
    if (mesh.uv.rows() > 0) {
        if (mesh.uvFaces.rows() != mesh.faces.rows()) throw std::runtime_error(path + ": uv_faces count differs from faces");
        if (!mesh.uv.allFinite()) throw std::runtime_error(path + ": mesh UVs contain NaN or infinity");
        if (mesh.uvFaces.minCoeff() < 0 || mesh.uvFaces.maxCoeff() >= mesh.uv.rows())
            throw std::runtime_error(path + ": a uv_faces index is outside the " + std::to_string(mesh.uv.rows()) +
                                     " UVs");
    }
    // _VERTEX_ID is a float attribute (see gltf_writer.cpp), exact below 2^24.
    if ((format == MeshFormat::Gltf || format == MeshFormat::Glb) && V + 3 * mesh.faces.rows() > (1 << 24))
        throw std::runtime_error(path + ": too many vertices for glTF's float _VERTEX_ID attribute");
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent))
        throw std::runtime_error(path + ": cannot write the mesh, '" + parent.string() + "' is not a directory");
}

struct FloatKeyHash {
    std::size_t operator()(const std::array<float, 3>& k) const {
        std::size_t h = 0;
        for (float v : k) {
            std::uint32_t bits;
            std::memcpy(&bits, &v, 4);
            h = h * 1000003u ^ bits;
        }
        return h;
    }
};

}  // namespace

void exportMesh(const std::string& path, const TriMesh& mesh) {
    const MeshFormat format = formatFor(path);
    validateForExport(path, mesh, format);
    switch (format) {
        case MeshFormat::Obj: writeFileAtomic(path, detail::objText(mesh)); break;
        case MeshFormat::Ply: writeFileAtomic(path, detail::plyBytes(mesh)); break;
        case MeshFormat::Gltf: writeFileAtomic(path, detail::gltfEmbedded(mesh)); break;
        case MeshFormat::Glb: writeFileAtomic(path, detail::glbBytes(mesh)); break;
    }
}

TriMesh importMesh(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such mesh file");
    Assimp::Importer importer;
    // Triangulate only: joining vertices would merge corners across UV seams.
    const aiScene* scene = importer.ReadFile(path, aiProcess_Triangulate);
    if (!scene || (scene->mFlags & AI_SCENE_FLAGS_INCOMPLETE) || scene->mNumMeshes == 0)
        throw std::runtime_error(path + ": cannot read mesh: " + importer.GetErrorString());

    std::unordered_map<std::array<float, 3>, int, FloatKeyHash> posIndex, uvIndex;
    std::vector<std::array<float, 3>> positions, uvs;
    std::vector<std::array<int, 3>> faces, uvFaces;
    bool anyUv = false, allUv = true;
    for (unsigned mi = 0; mi < scene->mNumMeshes; ++mi) {
        const aiMesh* m = scene->mMeshes[mi];
        const bool hasUv = m->HasTextureCoords(0);
        anyUv |= hasUv;
        allUv &= hasUv;
        for (unsigned f = 0; f < m->mNumFaces; ++f) {
            const aiFace& face = m->mFaces[f];
            if (face.mNumIndices != 3) continue;  // points and lines carry no surface
            std::array<int, 3> fv{}, ft{};
            for (int k = 0; k < 3; ++k) {
                const unsigned idx = face.mIndices[k];
                if (idx >= m->mNumVertices) throw std::runtime_error(path + ": face index out of range");
                const aiVector3D& p = m->mVertices[idx];
                const std::array<float, 3> key{p.x, p.y, p.z};
                auto [it, inserted] = posIndex.emplace(key, static_cast<int>(positions.size()));
                if (inserted) positions.push_back(key);
                fv[k] = it->second;
                if (hasUv) {
                    const aiVector3D& t = m->mTextureCoords[0][idx];
                    const std::array<float, 3> tk{t.x, t.y, 0.0f};
                    auto [jt, ins] = uvIndex.emplace(tk, static_cast<int>(uvs.size()));
                    if (ins) uvs.push_back(tk);
                    ft[k] = jt->second;
                }
            }
            faces.push_back(fv);
            uvFaces.push_back(ft);
        }
    }
    if (faces.empty()) throw std::runtime_error(path + ": mesh has no triangles");
    TriMesh out;
    out.positions.resize(static_cast<Eigen::Index>(positions.size()), 3);
    for (std::size_t i = 0; i < positions.size(); ++i)
        out.positions.row(i) << positions[i][0], positions[i][1], positions[i][2];
    out.faces.resize(static_cast<Eigen::Index>(faces.size()), 3);
    for (std::size_t i = 0; i < faces.size(); ++i) out.faces.row(i) << faces[i][0], faces[i][1], faces[i][2];
    if (anyUv && allUv) {
        out.uv.resize(static_cast<Eigen::Index>(uvs.size()), 2);
        for (std::size_t i = 0; i < uvs.size(); ++i) out.uv.row(i) << uvs[i][0], uvs[i][1];
        out.uvFaces.resize(static_cast<Eigen::Index>(uvFaces.size()), 3);
        for (std::size_t i = 0; i < uvFaces.size(); ++i) out.uvFaces.row(i) << uvFaces[i][0], uvFaces[i][1], uvFaces[i][2];
    }
    return out;
}

}  // namespace synthforge::io
