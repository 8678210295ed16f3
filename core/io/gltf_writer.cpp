#include <limits>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/io/mesh_writers.h"

namespace synthforge::io::detail {

namespace {

using nlohmann::json;

constexpr int kFloat = 5126, kUnsignedInt = 5125;
constexpr int kArrayBuffer = 34962, kElementArrayBuffer = 34963;

std::string base64(const std::string& bytes) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                                (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += table[(n >> s) & 63u];
    }
    if (i < bytes.size()) {
        const bool two = i + 1 < bytes.size();
        const std::uint32_t n =
            (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (two ? std::uint32_t(std::uint8_t(bytes[i + 1])) << 8 : 0u);
        out += table[(n >> 18) & 63u];
        out += table[(n >> 12) & 63u];
        out += two ? table[(n >> 6) & 63u] : '=';
        out += '=';
    }
    return out;
}

/// The JSON document and its one binary buffer; `buffers[0]` has no uri yet.
struct GltfParts {
    json doc;
    std::string bin;
};

GltfParts buildGltf(const TriMesh& mesh) {
    const SeamSplit split = splitAtUvSeams(mesh);
    const bool hasUv = mesh.uv.rows() > 0;
    const std::size_t n = split.sourceVertex.size();

    GltfParts p;
    json views = json::array(), accessors = json::array();
    auto addView = [&](std::size_t offset, int target) {
        views.push_back({{"buffer", 0}, {"byteOffset", offset}, {"byteLength", p.bin.size() - offset}, {"target", target}});
        return static_cast<int>(views.size()) - 1;
    };
    auto addAccessor = [&](int view, int componentType, std::size_t count, const char* type) {
        accessors.push_back({{"bufferView", view}, {"componentType", componentType}, {"count", count}, {"type", type}});
        return static_cast<int>(accessors.size()) - 1;
    };

    // Every block is a multiple of 4 bytes, so each view starts aligned.
    std::size_t start = p.bin.size();
    Eigen::RowVector3f lo = Eigen::RowVector3f::Constant(std::numeric_limits<float>::max()), hi = -lo;
    for (int src : split.sourceVertex) {
        const Eigen::RowVector3f v = mesh.positions.row(src);
        lo = lo.cwiseMin(v);
        hi = hi.cwiseMax(v);
        for (int c = 0; c < 3; ++c) appendF32(p.bin, v[c]);
    }
    json attributes;
    attributes["POSITION"] = addAccessor(addView(start, kArrayBuffer), kFloat, n, "VEC3");
    accessors.back()["min"] = {lo[0], lo[1], lo[2]};
    accessors.back()["max"] = {hi[0], hi[1], hi[2]};

    if (hasUv) {
        start = p.bin.size();
        for (int t : split.uvIndex) {
            // glTF puts the UV origin at the top left; FLAME's (OBJ's) is at the bottom left.
            appendF32(p.bin, t < 0 ? 0.0f : mesh.uv(t, 0));
            appendF32(p.bin, t < 0 ? 1.0f : 1.0f - mesh.uv(t, 1));
        }
        attributes["TEXCOORD_0"] = addAccessor(addView(start, kArrayBuffer), kFloat, n, "VEC2");
    }

    // The spec forbids unsigned int for application attributes; a float holds
    // every id exactly up to 2^24 (exportMesh refuses bigger meshes).
    start = p.bin.size();
    for (int src : split.sourceVertex) appendF32(p.bin, static_cast<float>(src));
    attributes["_VERTEX_ID"] = addAccessor(addView(start, kArrayBuffer), kFloat, n, "SCALAR");

    start = p.bin.size();
    for (unsigned i : split.indices) appendU32(p.bin, i);
    const int indices = addAccessor(addView(start, kElementArrayBuffer), kUnsignedInt, split.indices.size(), "SCALAR");

    p.doc["asset"] = {{"version", "2.0"}, {"generator", "SynthForge Studio"}};
    p.doc["scene"] = 0;
    p.doc["scenes"] = json::array({{{"nodes", {0}}}});
    p.doc["nodes"] = json::array({{{"mesh", 0}}});
    json primitive = {{"attributes", attributes}, {"indices", indices}, {"mode", 4}};
    p.doc["meshes"] = json::array({{{"primitives", json::array({primitive})},
                                    {"extras",
                                     {{"vertex_id_attribute", "_VERTEX_ID"},
                                      {"source_vertex_count", mesh.positions.rows()},
                                      {"note", "vertex i < source_vertex_count is source vertex i; later vertices "
                                               "are copies split at UV seams, _VERTEX_ID names their source"}}}}});
    p.doc["bufferViews"] = views;
    p.doc["accessors"] = accessors;
    p.doc["buffers"] = json::array({{{"byteLength", p.bin.size()}}});
    return p;
}

}  // namespace

SeamSplit splitAtUvSeams(const TriMesh& mesh) {
    const bool hasUv = mesh.uv.rows() > 0;
    SeamSplit s;
    const int V = static_cast<int>(mesh.positions.rows());
    s.sourceVertex.resize(static_cast<std::size_t>(V));
    for (int i = 0; i < V; ++i) s.sourceVertex[static_cast<std::size_t>(i)] = i;
    s.uvIndex.assign(static_cast<std::size_t>(V), -1);
    s.indices.resize(static_cast<std::size_t>(mesh.faces.rows()) * 3);
    // Copies are keyed by UV value, not index, so that duplicate uv rows with
    // the same value do not split a vertex.
    std::map<std::tuple<int, float, float>, unsigned> copies;
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f)
        for (int k = 0; k < 3; ++k) {
            const int v = mesh.faces(f, k);
            unsigned& out = s.indices[static_cast<std::size_t>(f) * 3 + k];
            out = static_cast<unsigned>(v);
            if (!hasUv) continue;
            const int t = mesh.uvFaces(f, k);
            int& own = s.uvIndex[static_cast<std::size_t>(v)];
            if (own < 0) own = t;
            if (own == t || mesh.uv.row(own) == mesh.uv.row(t)) continue;
            const auto key = std::make_tuple(v, mesh.uv(t, 0), mesh.uv(t, 1));
            auto [it, inserted] = copies.emplace(key, static_cast<unsigned>(s.sourceVertex.size()));
            if (inserted) {
                s.sourceVertex.push_back(v);
                s.uvIndex.push_back(t);
            }
            out = it->second;
        }
    return s;
}

std::string gltfEmbedded(const TriMesh& mesh) {
    GltfParts p = buildGltf(mesh);
    p.doc["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64(p.bin);
    return p.doc.dump(1) + "\n";
}

std::string glbBytes(const TriMesh& mesh) {
    const GltfParts p = buildGltf(mesh);
    std::string text = p.doc.dump();
    while (text.size() % 4) text += ' ';  // the JSON chunk pads with spaces
    std::string bin = p.bin;
    while (bin.size() % 4) bin += '\0';
    std::string out = "glTF";
    appendU32(out, 2);
    appendU32(out, static_cast<std::uint32_t>(12 + 8 + text.size() + 8 + bin.size()));
    appendU32(out, static_cast<std::uint32_t>(text.size()));
    appendU32(out, 0x4E4F534Au);  // "JSON"
    out += text;
    appendU32(out, static_cast<std::uint32_t>(bin.size()));
    appendU32(out, 0x004E4942u);  // "BIN\0"
    out += bin;
    return out;
}

}  // namespace synthforge::io::detail
