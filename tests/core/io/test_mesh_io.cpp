// Mesh export and import: every written format keeps the vertex order (read
// back by our own file-order reader), Assimp still reads what we write, bad
// output requests and unwritable paths fail naming the file, and bad OBJ
// input (empty, garbage, out-of-range indices, truncated) fails cleanly.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/io/file_util.h"
#include "core/io/mesh_io.h"
#include "tests/support/fixtures.h"
#include "tests/support/mesh_order_check.h"

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

/// Faces that first use vertices in the order 4, 2, 0, ...: a writer that
/// renumbers by first use would move every vertex. Vertex 5 is in no face;
/// the UV layout has a seam at vertices 2 and 4 and values that need all
/// nine significant digits.
io::TriMesh shuffledWithSeams() {
    io::TriMesh m;
    m.positions.resize(6, 3);
    m.positions << 0.123456789f, -1e-7f, 3.0f,  //
        1.0f / 3.0f, 2.0f, -0.5f,               //
        7e5f, 1.5e-38f, 0.1f,                   //
        -2.0f, 0.0f, 1.0f,                      //
        0.2f, 0.3f, -0.25f,                     //
        9.0f, 9.0f, 9.0f;
    m.faces.resize(3, 3);
    m.faces << 4, 2, 0, 4, 3, 1, 2, 1, 4;
    m.uv.resize(7, 2);
    m.uv << 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.99999994f, 1.0f / 7.0f, 0.0f, 0.25f, 0.75f;
    m.uvFaces.resize(3, 3);
    m.uvFaces << 0, 1, 2, 0, 3, 4, 5, 4, 6;  // vertex 2: uv 1 then 5; vertex 4: uv 0 twice then 6
    return m;
}

io::TriMesh withoutUv(io::TriMesh m) {
    m.uv.resize(0, 2);
    m.uvFaces.resize(0, 3);
    return m;
}

std::string exportError(const std::string& path, const io::TriMesh& m) {
    try {
        io::exportMesh(path, m);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
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
    // Not .ply: Assimp's PLY reader keeps one UV per vertex, so it merges the
    // per-corner texcoord lists we write at seams (EveryFormatKeepsTheVertexOrder
    // checks PLY UVs with our own reader).
    for (const char* ext : {".obj", ".glb", ".gltf"}) {
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

TEST(MeshIo, EveryFormatKeepsTheVertexOrder) {
    testutil::TempDir dir;
    const std::vector<std::pair<const char*, io::TriMesh>> meshes = {
        {"seams", shuffledWithSeams()}, {"plain", withoutUv(shuffledWithSeams())}, {"quad", quadWithSeam()}};
    for (const auto& [name, m] : meshes)
        for (const std::string ext : {".obj", ".ply", ".gltf", ".glb"}) {
            SCOPED_TRACE(std::string(name) + ext);
            const std::string path = dir.file(name + ext);
            io::exportMesh(path, m);
            EXPECT_EQ(testutil::vertexOrderMismatch(testutil::readMeshInFileOrder(path), m, ext), "");
        }
}

TEST(MeshIo, GltfSplitsOnlyAtSeamsAndAppendsTheCopies) {
    testutil::TempDir dir;
    const io::TriMesh m = shuffledWithSeams();
    for (const std::string ext : {".gltf", ".glb"}) {
        io::exportMesh(dir.file("s" + ext), m);
        const testutil::ReadBackMesh r = testutil::readMeshInFileOrder(dir.file("s" + ext));
        // Vertex 2 needs one copy (two UVs); vertex 4 uses uv 0 twice and uv 6 once: one copy.
        ASSERT_EQ(r.positions.size(), 8u) << ext;
        EXPECT_EQ(r.vertexId, (std::vector<float>{0, 1, 2, 3, 4, 5, 2, 4})) << ext;
        // The unused vertex 5 keeps its place and gets UV (0, 0) (stored as 0, 1 in glTF's flipped V).
        EXPECT_EQ(r.positions[5], (std::array<float, 3>{9.0f, 9.0f, 9.0f})) << ext;

        io::exportMesh(dir.file("p" + ext), withoutUv(m));
        const testutil::ReadBackMesh p = testutil::readMeshInFileOrder(dir.file("p" + ext));
        EXPECT_EQ(p.positions.size(), 6u) << "no UVs, no seams: no copies " << ext;
        EXPECT_EQ(p.vertexId, (std::vector<float>{0, 1, 2, 3, 4, 5})) << ext;
    }
    // The same UV value under two uv indices is no seam.
    io::TriMesh dup = quadWithSeam();
    dup.uv.row(4) = dup.uv.row(0);
    io::exportMesh(dir.file("dup.glb"), dup);
    EXPECT_EQ(testutil::readMeshInFileOrder(dir.file("dup.glb")).positions.size(), 4u);
    EXPECT_EQ(testutil::vertexOrderMismatch(testutil::readMeshInFileOrder(dir.file("dup.glb")), dup, ".glb"), "");
}

TEST(MeshIo, ObjTextIsPlainAndExact) {
    testutil::TempDir dir;
    const io::TriMesh m = shuffledWithSeams();
    io::exportMesh(dir.file("m.obj"), m);
    const std::string text = io::readFileText(dir.file("m.obj"));
    // Shortest exact text with '.', whatever the C locale says.
    EXPECT_NE(text.find("\nv 0.12345679 -1e-07 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\nvt 0.9 0.99999994\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\nf 5/1 3/2 1/3\n"), std::string::npos) << text;
    EXPECT_EQ(text.find(','), std::string::npos);
    io::exportMesh(dir.file("p.obj"), withoutUv(m));
    EXPECT_NE(io::readFileText(dir.file("p.obj")).find("\nf 5 3 1\n"), std::string::npos);
}

TEST(MeshIo, AssimpReadsWhatWeWrite) {
    // importMesh welds and renumbers, so compare sets: every corner of the
    // original is a corner of the import, with its UV.
    testutil::TempDir dir;
    const io::TriMesh m = shuffledWithSeams();
    for (const std::string ext : {".obj", ".ply", ".gltf", ".glb"}) {
        SCOPED_TRACE(ext);
        io::exportMesh(dir.file("a" + ext), m);
        const io::TriMesh r = io::importMesh(dir.file("a" + ext));
        ASSERT_EQ(r.faces.rows(), 3);
        ASSERT_GT(r.uv.rows(), 0) << "UVs lost";
        for (int f = 0; f < 3; ++f)
            for (int k = 0; k < 3; ++k) {
                // Assimp's text float parsing is not always exact (our own reader checks bits).
                const Eigen::RowVector3f want = m.positions.row(m.faces(f, k));
                EXPECT_LE((r.positions.row(r.faces(f, k)) - want).cwiseAbs().maxCoeff(),
                          1e-6f * std::max(1.0f, want.cwiseAbs().maxCoeff()))
                    << f << "," << k;
                if (ext == ".ply") continue;  // Assimp merges per-corner PLY UVs at seams (see above)
                EXPECT_LT((r.uv.row(r.uvFaces(f, k)) - m.uv.row(m.uvFaces(f, k))).cwiseAbs().maxCoeff(), 1e-6f)
                    << f << "," << k;
            }
    }
}

TEST(MeshIo, UnwritablePathsNameTheFile) {
    testutil::TempDir dir;
    io::writeFileAtomic(dir.file("plain_file"), "x");
    std::filesystem::create_directories(dir.file("taken.obj"));
    for (const std::string& path : {dir.file("plain_file/head.obj"), dir.file("no/such/dir/head.glb"),
                                    dir.file("taken.obj"), std::string("/proc/synthforge_head.ply")}) {
        const std::string err = exportError(path, shuffledWithSeams());
        EXPECT_NE(err.find(path), std::string::npos) << "'" << err << "' does not name " << path;
    }
    EXPECT_TRUE(std::filesystem::is_directory(dir.file("taken.obj"))) << "a directory was replaced";
    // Nothing half-written is left behind.
    std::size_t entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path)) entries += e.path().filename() != "plain_file" && e.path().filename() != "taken.obj";
    EXPECT_EQ(entries, 0u);
}

TEST(MeshIo, BadOutputRequestsAreRefused) {
    testutil::TempDir dir;
    EXPECT_THROW(io::exportMesh(dir.file("x.xyz"), quadWithSeam()), std::runtime_error);
    io::TriMesh empty;
    EXPECT_THROW(io::exportMesh(dir.file("x.obj"), empty), std::runtime_error);
    io::TriMesh badUv = quadWithSeam();
    badUv.uvFaces.conservativeResize(1, Eigen::NoChange);
    EXPECT_THROW(io::exportMesh(dir.file("y.obj"), badUv), std::runtime_error);

    io::TriMesh range = shuffledWithSeams();
    range.faces(1, 2) = 6;
    EXPECT_NE(exportError(dir.file("r.ply"), range).find("face index"), std::string::npos);
    io::TriMesh uvRange = shuffledWithSeams();
    uvRange.uvFaces(0, 0) = -1;
    EXPECT_NE(exportError(dir.file("u.glb"), uvRange).find("uv_faces index"), std::string::npos);
    io::TriMesh nan = shuffledWithSeams();
    nan.positions(3, 1) = std::numeric_limits<float>::quiet_NaN();
    EXPECT_NE(exportError(dir.file("n.obj"), nan).find(dir.file("n.obj")), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir.file("r.ply")));
    EXPECT_FALSE(std::filesystem::exists(dir.file("u.glb")));
    EXPECT_FALSE(std::filesystem::exists(dir.file("n.obj")));
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
