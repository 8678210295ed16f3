// Posed-mesh export keeps the model's vertex numbering: for the FLAME fixture
// and the built-in default head, with and without UVs, vertex i of every
// OBJ, PLY, glTF and GLB is vertex i of the forward pass, bit for bit (read
// back in file order by our own reader, not Assimp, which renumbers).

#include <gtest/gtest.h>

#include <filesystem>

#include "core/head/default_head/model_source.h"
#include "core/head/head_model_io.h"
#include "core/head/lbs.h"
#include "core/head/posed_mesh.h"
#include "core/io/file_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/mesh_order_check.h"

using namespace synthforge;

namespace {

head::HeadModel flameWithUv() {
    head::HeadModel m = head::loadHeadModel(testutil::fixturePath("generic_model.pkl"));
    head::attachUvTemplate(m, testutil::fixturePath("head_template.obj"));
    return m;
}

head::HeadModel stripUv(head::HeadModel m) {
    m.uv.resize(0, 2);
    m.uvFaces.resize(0, 3);
    return m;
}

/// Shape, expression, an open jaw, a turned neck and a translation, so that
/// every vertex moves away from the template.
head::HeadParams someParams() {
    head::HeadParams p;
    p.shape = Eigen::VectorXf::LinSpaced(3, -1.0f, 1.5f);
    p.expr = Eigen::VectorXf::Constant(2, 0.4f);
    p.pose(4) = 0.2f;   // neck yaw
    p.pose(6) = 0.25f;  // jaw open
    p.transl = Eigen::Vector3f(0.01f, -0.02f, 0.03f);
    return p;
}

void expectEveryFormatKeepsOrder(const head::HeadModel& model, const std::string& label) {
    testutil::TempDir dir;
    const head::HeadParams params = someParams();
    const head::HeadPose posed = head::forward(model, params);
    ASSERT_GT((posed.vertices - model.vTemplate).cwiseAbs().maxCoeff(), 1e-3f) << "the pose moved nothing";
    const io::TriMesh want = head::meshWithModelLayout(model, posed.vertices);
    for (const std::string ext : {".obj", ".ply", ".gltf", ".glb"}) {
        SCOPED_TRACE(label + ext);
        const std::string path = dir.file("posed" + ext);
        head::exportPosedMesh(path, model, params);
        const testutil::ReadBackMesh r = testutil::readMeshInFileOrder(path);
        EXPECT_EQ(testutil::vertexOrderMismatch(r, want, ext), "");
        // Said directly for the reader of this test: vertex i is forward vertex i.
        ASSERT_GE(r.positions.size(), static_cast<std::size_t>(model.numVertices()));
        for (int i : {0, model.numVertices() / 2, model.numVertices() - 1})
            for (int c = 0; c < 3; ++c) EXPECT_EQ(r.positions[static_cast<std::size_t>(i)][c], posed.vertices(i, c));
        if (!model.hasUv() || ext == ".obj" || ext == ".ply") {
            EXPECT_EQ(r.positions.size(), static_cast<std::size_t>(model.numVertices()))
                << "vertices split where nothing needed splitting";
        }
    }
}

}  // namespace

TEST(PosedMeshExport, FlameFixtureKeepsVertexOrderWithUv) {
    const head::HeadModel model = flameWithUv();
    ASSERT_TRUE(model.hasUv());
    expectEveryFormatKeepsOrder(model, "flame+uv");
}

TEST(PosedMeshExport, FlameFixtureKeepsVertexOrderWithoutUv) {
    expectEveryFormatKeepsOrder(stripUv(flameWithUv()), "flame");
}

TEST(PosedMeshExport, DefaultHeadKeepsVertexOrderWithUv) {
    const head::HeadModel model = head::loadHeadModel("default");
    ASSERT_TRUE(model.hasUv());
    expectEveryFormatKeepsOrder(model, "default+uv");
}

TEST(PosedMeshExport, DefaultHeadKeepsVertexOrderWithoutUv) {
    expectEveryFormatKeepsOrder(stripUv(head::loadHeadModel("default")), "default");
}

TEST(PosedMeshExport, UnwritableDirectoryNamesTheFile) {
    testutil::TempDir dir;
    const head::HeadModel model = flameWithUv();
    io::writeFileAtomic(dir.file("not_a_dir"), "x");
    for (const std::string& path : {dir.file("not_a_dir/posed.obj"), dir.file("missing/posed.glb")}) {
        try {
            head::exportPosedMesh(path, model, someParams());
            ADD_FAILURE() << "no error for " << path;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("missing")));
}
