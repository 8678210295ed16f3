// Mesh export/import through Assimp: round trips with UV seams, and bad OBJ
// input (empty, garbage, out-of-range indices, truncated) failing cleanly.

#include <gtest/gtest.h>

#include <fstream>

#include "core/io/file_util.h"
#include "core/io/mesh_io.h"
#include "tests/support/fixtures.h"

using namespace synthforge;

namespace {

io::TriMesh quadWithSeam() {
    io::TriMesh m;
    m.positions.resize(4, 3);
    m.positions << 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0;
    m.faces.resize(2, 3);
    m.faces << 0, 1, 2, 0, 2, 3;
    // Vertex 0 has two UVs: a seam.
    m.uv.resize(5, 2);
    m.uv << 0, 0, 1, 0, 1, 1, 0, 1, 0.5f, 0.5f;
    m.uvFaces.resize(2, 3);
    m.uvFaces << 0, 1, 2, 4, 2, 3;
    return m;
}

std::string importError(const std::string& path) {
    try {
        io::importMesh(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(MeshIo, RoundTripKeepsPositionsFacesAndSeamUvs) {
    testutil::TempDir dir;
    const io::TriMesh m = quadWithSeam();
    for (const char* ext : {".obj", ".ply", ".glb", ".gltf"}) {
        const std::string path = dir.file(std::string("quad") + ext);
        io::exportMesh(path, m);
        const io::TriMesh r = io::importMesh(path);
        EXPECT_EQ(r.faces.rows(), 2) << ext;
        EXPECT_EQ(r.positions.rows(), 4) << ext;  // welded back to the 4 corners
        ASSERT_EQ(r.uv.rows(), 5) << ext;          // the seam keeps both UVs of vertex 0
        // Each imported corner carries the original position/UV pair.
        for (int f = 0; f < 2; ++f)
            for (int k = 0; k < 3; ++k) {
                bool found = false;
                for (int g = 0; g < 2; ++g)
                    for (int j = 0; j < 3; ++j)
                        found |= r.positions.row(r.faces(f, k)).isApprox(m.positions.row(m.faces(g, j))) &&
                                 r.uv.row(r.uvFaces(f, k)).isApprox(m.uv.row(m.uvFaces(g, j)));
                EXPECT_TRUE(found) << ext << " face " << f << " corner " << k;
            }
    }
}

TEST(MeshIo, BadOutputRequestsAreRefused) {
    testutil::TempDir dir;
    EXPECT_THROW(io::exportMesh(dir.file("x.xyz"), quadWithSeam()), std::runtime_error);
    io::TriMesh empty;
    EXPECT_THROW(io::exportMesh(dir.file("x.obj"), empty), std::runtime_error);
    io::TriMesh badUv = quadWithSeam();
    badUv.uvFaces.conservativeResize(1, Eigen::NoChange);
    EXPECT_THROW(io::exportMesh(dir.file("y.obj"), badUv), std::runtime_error);
}

TEST(MeshIo, EmptyGarbageAndOutOfRangeObjFailCleanly) {
    testutil::TempDir dir;
    auto write = [&](const std::string& name, const std::string& text) {
        io::writeFileAtomic(dir.file(name), text);
        return dir.file(name);
    };
    EXPECT_NE(importError(write("empty.obj", "")), "");
    EXPECT_NE(importError(write("garbage.obj", std::string("\x01\x02 not an obj \xff\xfe\n", 18))), "");
    EXPECT_NE(importError(write("points.obj", "v 0 0 0\nv 1 0 0\n")), "");  // no triangles
    EXPECT_NE(importError(write("range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 99\n")), "");
    EXPECT_NE(importError(dir.file("absent.obj")), "");
}

TEST(MeshIo, TruncatedTemplateNeverCrashes) {
    const auto bytes = io::readFileBytes(testutil::fixturePath("head_template.obj"));
    testutil::TempDir dir;
    const std::string path = dir.file("cut.obj");
    for (std::size_t cut = 0; cut < bytes.size(); cut += bytes.size() / 23 + 1) {
        io::writeFileAtomic(path, bytes.data(), cut);
        try {
            const io::TriMesh m = io::importMesh(path);
            // A cut between lines is a smaller valid mesh: indices stay in range.
            EXPECT_LT(m.faces.maxCoeff(), m.positions.rows()) << cut;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    }
}
