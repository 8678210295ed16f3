#include "core/io/mesh_io.h"

#include <assimp/Exporter.hpp>
#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace synthforge::io {

namespace {

std::string lowerExtension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

std::string assimpFormatFor(const std::string& path) {
    const std::string ext = lowerExtension(path);
    if (ext == ".obj") return "obj";
    if (ext == ".ply") return "plyb";
    if (ext == ".gltf") return "gltf2";
    if (ext == ".glb") return "glb2";
    throw std::runtime_error(path + ": unsupported mesh extension '" + ext + "' (use .obj, .ply, .gltf or .glb)");
}

/// Builds a one-mesh scene. aiScene's destructor frees everything we new here.
std::unique_ptr<aiScene> buildScene(const TriMesh& mesh) {
    const bool hasUv = mesh.uv.rows() > 0;
    // Split vertices per (position index, uv index) pair.
    std::map<std::pair<int, int>, unsigned> corner;
    std::vector<std::pair<int, int>> order;
    std::vector<unsigned> indices(static_cast<std::size_t>(mesh.faces.rows()) * 3);
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f)
        for (int k = 0; k < 3; ++k) {
            const std::pair<int, int> key{mesh.faces(f, k), hasUv ? mesh.uvFaces(f, k) : -1};
            auto [it, inserted] = corner.emplace(key, static_cast<unsigned>(order.size()));
            if (inserted) order.push_back(key);
            indices[static_cast<std::size_t>(f) * 3 + k] = it->second;
        }

    auto scene = std::make_unique<aiScene>();
    scene->mRootNode = new aiNode();
    scene->mRootNode->mNumMeshes = 1;
    scene->mRootNode->mMeshes = new unsigned[1]{0};
    scene->mNumMaterials = 1;
    scene->mMaterials = new aiMaterial*[1]{new aiMaterial()};
    scene->mNumMeshes = 1;
    auto* m = new aiMesh();
    scene->mMeshes = new aiMesh*[1]{m};
    m->mMaterialIndex = 0;
    m->mPrimitiveTypes = aiPrimitiveType_TRIANGLE;
    m->mNumVertices = static_cast<unsigned>(order.size());
    m->mVertices = new aiVector3D[m->mNumVertices];
    if (hasUv) {
        m->mTextureCoords[0] = new aiVector3D[m->mNumVertices];
        m->mNumUVComponents[0] = 2;
    }
    for (unsigned i = 0; i < m->mNumVertices; ++i) {
        const auto p = mesh.positions.row(order[i].first);
        m->mVertices[i] = aiVector3D(p[0], p[1], p[2]);
        if (hasUv) m->mTextureCoords[0][i] = aiVector3D(mesh.uv(order[i].second, 0), mesh.uv(order[i].second, 1), 0);
    }
    m->mNumFaces = static_cast<unsigned>(mesh.faces.rows());
    m->mFaces = new aiFace[m->mNumFaces];
    for (unsigned f = 0; f < m->mNumFaces; ++f) {
        m->mFaces[f].mNumIndices = 3;
        m->mFaces[f].mIndices = new unsigned[3]{indices[f * 3], indices[f * 3 + 1], indices[f * 3 + 2]};
    }
    return scene;
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
    const std::string format = assimpFormatFor(path);
    if (mesh.faces.rows() == 0) throw std::runtime_error(path + ": refusing to export a mesh with no faces");
    if (mesh.uv.rows() > 0 && mesh.uvFaces.rows() != mesh.faces.rows())
        throw std::runtime_error(path + ": uv_faces count differs from faces");
    auto scene = buildScene(mesh);
    Assimp::Exporter exporter;
    if (exporter.Export(scene.get(), format, path) != AI_SUCCESS)
        throw std::runtime_error(path + ": mesh export failed: " + exporter.GetErrorString());
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
