#include <charconv>
#include <system_error>

#include "core/io/mesh_writers.h"

namespace synthforge::io::detail {

void appendFloat(std::string& out, float v) {
    // to_chars ignores the C locale (a ',' decimal separator would break
    // every OBJ reader) and gives the shortest text that parses back to v.
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ec == std::errc() ? res.ptr : buf);
}

namespace {

void appendInt(std::string& out, long v) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

}  // namespace

std::string objText(const TriMesh& mesh) {
    const bool hasUv = mesh.uv.rows() > 0;
    std::string out;
    out.reserve(static_cast<std::size_t>(mesh.positions.rows() * 40 + mesh.uv.rows() * 28 + mesh.faces.rows() * 40));
    out += "# SynthForge mesh: v i is the model's vertex i (1-based in the face lines)\n";
    for (Eigen::Index i = 0; i < mesh.positions.rows(); ++i) {
        out += "v ";
        appendFloat(out, mesh.positions(i, 0));
        out += ' ';
        appendFloat(out, mesh.positions(i, 1));
        out += ' ';
        appendFloat(out, mesh.positions(i, 2));
        out += '\n';
    }
    for (Eigen::Index i = 0; i < mesh.uv.rows(); ++i) {
        out += "vt ";
        appendFloat(out, mesh.uv(i, 0));
        out += ' ';
        appendFloat(out, mesh.uv(i, 1));
        out += '\n';
    }
    // OBJ indexes positions and texture coordinates separately, so a UV seam
    // needs no duplicated vertex here.
    for (Eigen::Index f = 0; f < mesh.faces.rows(); ++f) {
        out += 'f';
        for (int k = 0; k < 3; ++k) {
            out += ' ';
            appendInt(out, static_cast<long>(mesh.faces(f, k)) + 1);
            if (hasUv) {
                out += '/';
                appendInt(out, static_cast<long>(mesh.uvFaces(f, k)) + 1);
            }
        }
        out += '\n';
    }
    return out;
}

}  // namespace synthforge::io::detail
