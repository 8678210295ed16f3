#pragma once
// Reads the meshes io::exportMesh writes back in FILE order, independently of
// the writers and of Assimp (whose readers renumber vertices): OBJ v/vt/f,
// PLY (ascii or binary little endian, any scalar/list property types), glTF
// (.gltf with data URIs, .glb). Test code only: throws std::runtime_error
// on anything it does not understand.

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

namespace synthforge::testutil {

struct ReadBackMesh {
    std::vector<std::array<float, 3>> positions;   ///< in file order
    std::vector<std::array<int, 3>> faces;         ///< into positions
    std::vector<std::array<float, 2>> cornerUv;    ///< 3 per face (file's convention); empty without UVs
    std::vector<float> vertexId;                   ///< glTF _VERTEX_ID per vertex; empty elsewhere
};

namespace readback_detail {

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline float parseFloat(const std::string& s) {
    float v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) throw std::runtime_error("bad number '" + s + "'");
    return v;
}

inline int parseInt(const std::string& s) {
    int v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) throw std::runtime_error("bad integer '" + s + "'");
    return v;
}

inline ReadBackMesh readObj(const std::string& path) {
    std::istringstream in(slurp(path));
    ReadBackMesh m;
    std::vector<std::array<float, 2>> vt;
    std::vector<std::array<int, 3>> uvFaces;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string tag;
        ls >> tag;
        std::vector<std::string> tok;
        for (std::string t; ls >> t;) tok.push_back(t);
        if (tag == "v") {
            if (tok.size() != 3) throw std::runtime_error(path + ": v needs 3 values: " + line);
            m.positions.push_back({parseFloat(tok[0]), parseFloat(tok[1]), parseFloat(tok[2])});
        } else if (tag == "vt") {
            if (tok.size() < 2) throw std::runtime_error(path + ": vt needs 2 values: " + line);
            vt.push_back({parseFloat(tok[0]), parseFloat(tok[1])});
        } else if (tag == "f") {
            if (tok.size() != 3) throw std::runtime_error(path + ": not a triangle: " + line);
            std::array<int, 3> fv{}, ft{-1, -1, -1};
            for (int k = 0; k < 3; ++k) {
                const std::string& t = tok[static_cast<std::size_t>(k)];
                const auto slash = t.find('/');
                fv[k] = parseInt(t.substr(0, slash)) - 1;
                if (slash != std::string::npos) {
                    const auto slash2 = t.find('/', slash + 1);
                    const std::string uvTok = t.substr(slash + 1, slash2 == std::string::npos ? slash2 : slash2 - slash - 1);
                    if (!uvTok.empty()) ft[k] = parseInt(uvTok) - 1;
                }
            }
            m.faces.push_back(fv);
            uvFaces.push_back(ft);
        }
    }
    if (!vt.empty())
        for (const auto& ft : uvFaces)
            for (int k = 0; k < 3; ++k) {
                if (ft[k] < 0 || ft[k] >= static_cast<int>(vt.size())) throw std::runtime_error(path + ": bad vt index");
                m.cornerUv.push_back(vt[static_cast<std::size_t>(ft[k])]);
            }
    return m;
}

struct PlyProperty {
    std::string name, type, countType;  ///< countType set for lists
};
struct PlyElement {
    std::string name;
    std::size_t count = 0;
    std::vector<PlyProperty> props;
};

inline std::size_t plyTypeSize(const std::string& t) {
    if (t == "char" || t == "uchar" || t == "int8" || t == "uint8") return 1;
    if (t == "short" || t == "ushort" || t == "int16" || t == "uint16") return 2;
    if (t == "int" || t == "uint" || t == "float" || t == "int32" || t == "uint32" || t == "float32") return 4;
    if (t == "double" || t == "float64") return 8;
    throw std::runtime_error("unknown PLY type " + t);
}

inline double plyBinaryValue(const std::string& bytes, std::size_t& pos, const std::string& t) {
    const std::size_t n = plyTypeSize(t);
    if (pos + n > bytes.size()) throw std::runtime_error("PLY body truncated");
    std::uint64_t u = 0;
    for (std::size_t b = 0; b < n; ++b) u |= std::uint64_t(std::uint8_t(bytes[pos + b])) << (8 * b);
    pos += n;
    if (t == "float" || t == "float32") {
        float f;
        const std::uint32_t w = static_cast<std::uint32_t>(u);
        std::memcpy(&f, &w, 4);
        return f;
    }
    if (t == "double" || t == "float64") {
        double d;
        std::memcpy(&d, &u, 8);
        return d;
    }
    const bool isSigned = t == "char" || t == "int8" || t == "short" || t == "int16" || t == "int" || t == "int32";
    if (isSigned && n < 8 && (u >> (8 * n - 1)) & 1u) return static_cast<double>(static_cast<std::int64_t>(u) - (std::int64_t(1) << (8 * n)));
    return static_cast<double>(u);
}

inline ReadBackMesh readPly(const std::string& path) {
    const std::string bytes = slurp(path);
    const auto end = bytes.find("end_header\n");
    if (bytes.rfind("ply\n", 0) != 0 || end == std::string::npos) throw std::runtime_error(path + ": not a PLY file");
    std::istringstream header(bytes.substr(0, end));
    std::vector<PlyElement> elements;
    std::string format, line;
    while (std::getline(header, line)) {
        std::istringstream ls(line);
        std::string tag;
        ls >> tag;
        if (tag == "format") ls >> format;
        else if (tag == "element") {
            PlyElement e;
            ls >> e.name >> e.count;
            elements.push_back(e);
        } else if (tag == "property") {
            if (elements.empty()) throw std::runtime_error(path + ": property before element");
            PlyProperty p;
            std::string t;
            ls >> t;
            if (t == "list") ls >> p.countType >> p.type >> p.name;
            else {
                p.type = t;
                ls >> p.name;
            }
            elements.back().props.push_back(p);
        }
    }
    const bool binary = format == "binary_little_endian";
    if (!binary && format != "ascii") throw std::runtime_error(path + ": unsupported PLY format " + format);
    std::size_t pos = end + std::strlen("end_header\n");
    std::istringstream text(binary ? std::string() : bytes.substr(pos));
    auto value = [&](const std::string& t) {
        if (binary) return plyBinaryValue(bytes, pos, t);
        double v;
        if (!(text >> v)) throw std::runtime_error(path + ": PLY body truncated");
        return v;
    };

    ReadBackMesh m;
    for (const PlyElement& e : elements)
        for (std::size_t i = 0; i < e.count; ++i) {
            std::map<std::string, std::vector<double>> row;
            for (const PlyProperty& p : e.props) {
                std::vector<double>& vals = row[p.name];
                const std::size_t n = p.countType.empty() ? 1 : static_cast<std::size_t>(value(p.countType));
                for (std::size_t k = 0; k < n; ++k) vals.push_back(value(p.type));
            }
            if (e.name == "vertex") {
                m.positions.push_back({float(row.at("x")[0]), float(row.at("y")[0]), float(row.at("z")[0])});
            } else if (e.name == "face") {
                const auto& idx = row.count("vertex_indices") ? row.at("vertex_indices") : row.at("vertex_index");
                if (idx.size() != 3) throw std::runtime_error(path + ": face is not a triangle");
                m.faces.push_back({int(idx[0]), int(idx[1]), int(idx[2])});
                if (row.count("texcoord")) {
                    const auto& tc = row.at("texcoord");
                    if (tc.size() != 6) throw std::runtime_error(path + ": texcoord list is not 6 values");
                    for (int k = 0; k < 3; ++k) m.cornerUv.push_back({float(tc[2 * k]), float(tc[2 * k + 1])});
                }
            }
        }
    if (binary && pos != bytes.size()) throw std::runtime_error(path + ": bytes after the last PLY element");
    return m;
}

inline std::string base64Decode(const std::string& s) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') break;
        else throw std::runtime_error("bad base64 character");
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xffu);
        }
    }
    return out;
}

inline std::uint32_t le32(const std::string& b, std::size_t pos) {
    if (pos + 4 > b.size()) throw std::runtime_error("GLB truncated");
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= std::uint32_t(std::uint8_t(b[pos + k])) << (8 * k);
    return v;
}

/// One accessor as doubles, `components` per element.
inline std::vector<double> accessorValues(const nlohmann::json& doc, const std::string& bin, int index, int components) {
    const auto& a = doc.at("accessors").at(index);
    const auto& view = doc.at("bufferViews").at(a.at("bufferView").get<int>());
    if (view.value("buffer", 0) != 0) throw std::runtime_error("glTF: only one buffer supported");
    const int type = a.at("componentType").get<int>();
    const std::size_t size = type == 5126 || type == 5125 ? 4 : type == 5123 || type == 5122 ? 2 : 1;
    const std::size_t count = a.at("count").get<std::size_t>();
    const std::size_t stride = view.value("byteStride", std::size_t(0)) ? view.at("byteStride").get<std::size_t>()
                                                                        : size * static_cast<std::size_t>(components);
    const std::size_t base = view.value("byteOffset", std::size_t(0)) + a.value("byteOffset", std::size_t(0));
    if (count && base + stride * (count - 1) + size * components > view.value("byteOffset", std::size_t(0)) +
                                                                        view.at("byteLength").get<std::size_t>())
        throw std::runtime_error("glTF: accessor runs past its bufferView");
    std::vector<double> out;
    for (std::size_t i = 0; i < count; ++i)
        for (int c = 0; c < components; ++c) {
            const std::size_t pos = base + i * stride + size * static_cast<std::size_t>(c);
            std::size_t p = pos;
            const std::string t = type == 5126 ? "float" : type == 5125 ? "uint" : type == 5123 ? "ushort"
                                : type == 5122 ? "short" : type == 5121 ? "uchar" : "char";
            out.push_back(plyBinaryValue(bin, p, t));
        }
    return out;
}

inline ReadBackMesh readGltf(const std::string& path, bool binaryContainer) {
    const std::string bytes = slurp(path);
    nlohmann::json doc;
    std::string bin;
    if (binaryContainer) {
        if (bytes.size() < 20 || bytes.compare(0, 4, "glTF") != 0 || le32(bytes, 4) != 2 || le32(bytes, 8) != bytes.size())
            throw std::runtime_error(path + ": bad GLB header");
        const std::uint32_t jsonLen = le32(bytes, 12);
        if (le32(bytes, 16) != 0x4E4F534Au) throw std::runtime_error(path + ": first GLB chunk is not JSON");
        doc = nlohmann::json::parse(bytes.substr(20, jsonLen));
        const std::size_t binAt = 20 + jsonLen;
        if (binAt + 8 <= bytes.size()) {
            if (le32(bytes, binAt + 4) != 0x004E4942u) throw std::runtime_error(path + ": second GLB chunk is not BIN");
            bin = bytes.substr(binAt + 8, le32(bytes, binAt));
        }
    } else {
        doc = nlohmann::json::parse(bytes);
        const std::string uri = doc.at("buffers").at(0).at("uri").get<std::string>();
        const auto comma = uri.find(";base64,");
        if (uri.rfind("data:", 0) != 0 || comma == std::string::npos) throw std::runtime_error(path + ": buffer is not a data URI");
        bin = base64Decode(uri.substr(comma + 8));
    }
    if (bin.size() < doc.at("buffers").at(0).at("byteLength").get<std::size_t>())
        throw std::runtime_error(path + ": buffer shorter than its byteLength");
    if (doc.at("asset").at("version").get<std::string>() != "2.0") throw std::runtime_error(path + ": not glTF 2.0");

    const auto& prim = doc.at("meshes").at(0).at("primitives").at(0);
    if (prim.value("mode", 4) != 4) throw std::runtime_error(path + ": not triangles");
    const auto& attr = prim.at("attributes");
    ReadBackMesh m;
    const auto pos = accessorValues(doc, bin, attr.at("POSITION").get<int>(), 3);
    for (std::size_t i = 0; i + 2 < pos.size(); i += 3) m.positions.push_back({float(pos[i]), float(pos[i + 1]), float(pos[i + 2])});
    const auto idx = accessorValues(doc, bin, prim.at("indices").get<int>(), 1);
    if (idx.size() % 3) throw std::runtime_error(path + ": index count not a multiple of 3");
    for (std::size_t i = 0; i < idx.size(); i += 3) m.faces.push_back({int(idx[i]), int(idx[i + 1]), int(idx[i + 2])});
    if (attr.contains("_VERTEX_ID"))
        for (double v : accessorValues(doc, bin, attr.at("_VERTEX_ID").get<int>(), 1)) m.vertexId.push_back(float(v));
    if (attr.contains("TEXCOORD_0")) {
        const auto uv = accessorValues(doc, bin, attr.at("TEXCOORD_0").get<int>(), 2);
        for (const auto& f : m.faces)
            for (int k = 0; k < 3; ++k) {
                const std::size_t v = static_cast<std::size_t>(f[k]);
                if (2 * v + 1 >= uv.size()) throw std::runtime_error(path + ": index past TEXCOORD_0");
                m.cornerUv.push_back({float(uv[2 * v]), float(uv[2 * v + 1])});
            }
    }
    return m;
}

}  // namespace readback_detail

/// Reads by extension: .obj, .ply, .gltf, .glb.
inline ReadBackMesh readMeshInFileOrder(const std::string& path) {
    const auto dot = path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : path.substr(dot);
    if (ext == ".obj") return readback_detail::readObj(path);
    if (ext == ".ply") return readback_detail::readPly(path);
    if (ext == ".gltf") return readback_detail::readGltf(path, false);
    if (ext == ".glb") return readback_detail::readGltf(path, true);
    throw std::runtime_error(path + ": no reader for '" + ext + "'");
}

}  // namespace synthforge::testutil
