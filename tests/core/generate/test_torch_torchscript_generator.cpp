// The TorchScript generator on modules made here with python3-torch: the
// planted-answer field (tools/planted_generator.py) for real images and
// densities, and modules that break the contract one way each.

#include <gtest/gtest.h>

#include <fstream>

#include "core/camera/orbit_camera.h"
#include "core/generate/torch_torchscript_generator.h"
#include "core/generate/torchscript_generator.h"
#include "core/head/lbs.h"
#include "core/head/default_head/model_source.h"

#include <opencv2/core.hpp>
#include "tests/support/fixtures.h"
#include "tests/support/planted_generator.h"

namespace synthforge::generate {
namespace {

std::shared_ptr<const head::HeadModel> defaultHead() {
    static auto m = std::make_shared<const head::HeadModel>(head::loadHeadModel("default"));
    return m;
}

/// One planted module for the suite (python takes seconds to start).
struct Planted {
    testutil::TempDir dir;
    std::string path;
    Eigen::Matrix<float, 3, 4> affine;
    Planted() {
        testutil::PlantedGeneratorSpec s;
        s.affine << 1.02f, 0.01f, 0.0f, 0.004f,  //
            -0.01f, 0.99f, 0.0f, -0.003f,         //
            0.0f, 0.02f, 1.01f, 0.006f;
        affine = s.affine;
        path = testutil::makePlantedGenerator(*defaultHead(), s, dir.path);
    }
};
Planted& planted() {
    static Planted p;
    return p;
}

std::string loadError(const std::string& path, std::shared_ptr<const head::HeadModel> model = defaultHead()) {
    try {
        loadTorchScriptGenerator(path, model, {});
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

TEST(TorchScriptGenerator, LoadsThePlantedModuleAndDeclaresItsCapabilities) {
    TorchScriptGeneratorOptions o;
    o.psi = 0.5f;
    const auto g = loadTorchScriptGenerator(planted().path, defaultHead(), o);
    const GeneratorCapabilities c = g->capabilities();
    EXPECT_EQ(c.name, "torchscript:planted-test-field");
    EXPECT_EQ(c.version, "1;psi=0.5");
    EXPECT_EQ(c.latentDim, 64);
    EXPECT_TRUE(c.density);
    EXPECT_EQ(c.preferredBatch, 4);
    const GeneratorMetadata* m = torchScriptMetadata(*g);
    ASSERT_NE(m, nullptr);
    EXPECT_TRUE(m->flameToWorld.isApprox(camera::flameToWorldMatrix(), 1e-6f));
    EXPECT_FLOAT_EQ(m->densityLevel, 50.0f);
}

TEST(TorchScriptGenerator, DensityIsTheLevelOnThePlantedSurfaceAndFallsOffAway) {
    const auto g = loadTorchScriptGenerator(planted().path, defaultHead(), {});
    const head::HeadPose pose = head::forward(*defaultHead(), head::HeadParams{});
    Eigen::VectorXf z = Eigen::VectorXf::Zero(64);
    GeneratorInput in;
    in.z = &z;
    in.vertices = &pose.vertices;
    in.camera = camera::OrbitCamera().pinhole();
    // Vertices moved by the planted map sit on the level exactly; the
    // unmoved ones do not (the point of the planted transform).
    const auto& A = planted().affine;
    head::RowMatX3f moved = (pose.vertices * A.leftCols<3>().transpose()).rowwise() + A.col(3).transpose();
    camera::Points3f world = camera::transformPoints(camera::flameToWorldMatrix(), moved);
    const std::vector<float> onSurface = g->density(in, world.topRows(500));
    for (float s : onSurface) EXPECT_NEAR(s, 50.0f, 1e-2f);
    const camera::Points3f plain = camera::transformPoints(camera::flameToWorldMatrix(), pose.vertices);
    const std::vector<float> offSurface = g->density(in, plain.topRows(500));
    double off = 0;
    for (float s : offSurface) off += std::abs(s - 50.0f);
    EXPECT_GT(off / 500.0, 5.0);
    camera::Points3f far(2, 3);
    far << 1.0f, 1.0f, 1.0f, -1.0f, 0.5f, 2.0f;
    for (float s : g->density(in, far)) EXPECT_LT(s, 1e-3f);
}

TEST(TorchScriptGenerator, RendersAFaceWhereTheCameraSeesItWithDepth) {
    const auto g = loadTorchScriptGenerator(planted().path, defaultHead(), {});
    const head::HeadPose pose = head::forward(*defaultHead(), head::HeadParams{});
    Eigen::VectorXf z = Eigen::VectorXf::Zero(64);
    z[1] = 2.0f;  // a reddish albedo, distinct from the grey background
    GeneratorInput in;
    in.z = &z;
    in.vertices = &pose.vertices;
    in.camera = camera::OrbitCamera().pinhole();
    const auto out = g->generate({in, in}, 96, 64);  // resized from 48², batched
    ASSERT_EQ(out.size(), 2u);
    const GeneratorOutput& o = out[0];
    ASSERT_EQ(o.image.cols, 96);
    ASSERT_EQ(o.image.rows, 64);
    ASSERT_EQ(o.image.type(), CV_8UC3);
    ASSERT_EQ(o.depth.type(), CV_32FC1);
    EXPECT_EQ(o.depth.at<float>(0, 0), 0.0f);  // background corner
    const float centre = o.depth.at<float>(32, 48);
    // The face is about 2.7 - 0.2 - 0.25 generator units from the default camera.
    EXPECT_GT(centre, 2.0f);
    EXPECT_LT(centre, 2.6f);
    const cv::Vec3b face = o.image.at<cv::Vec3b>(32, 48), corner = o.image.at<cv::Vec3b>(0, 0);
    EXPECT_GT(face[2], face[1] + 20);  // red above green on the face
    EXPECT_LT(std::abs(int(corner[2]) - int(corner[1])), 5);
    EXPECT_EQ(cv::norm(out[0].image, out[1].image, cv::NORM_INF), 0.0);
}

TEST(TorchScriptGenerator, WrongInputsAreClearErrors) {
    const auto g = loadTorchScriptGenerator(planted().path, defaultHead(), {});
    const head::HeadPose pose = head::forward(*defaultHead(), head::HeadParams{});
    Eigen::VectorXf z = Eigen::VectorXf::Zero(50);
    GeneratorInput in;
    in.z = &z;
    in.vertices = &pose.vertices;
    try {
        g->generate({in}, 32, 32);
        ADD_FAILURE();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("z: expected 64 values, got 50"), std::string::npos) << e.what();
    }
    TorchScriptGeneratorOptions o;
    o.psi = 0.0f;
    EXPECT_THROW(loadTorchScriptGenerator(planted().path, defaultHead(), o), std::invalid_argument);
    o.psi = 1.0f;
    o.device = "tpu";
    EXPECT_THROW(loadTorchScriptGenerator(planted().path, defaultHead(), o), std::invalid_argument);
}

struct BadModules {
    testutil::TempDir dir;
    BadModules() {
        const std::string cmd = testutil::twin::python() + " '" +
                                (std::filesystem::path(SYNTHFORGE_TEST_DATA_DIR).parent_path() / "fixtures" /
                                 "make_bad_generators.py").string() +
                                "' '" + dir.path.string() + "' " + std::to_string(defaultHead()->numVertices());
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    std::string file(const std::string& name) const { return dir.file(name); }
};
BadModules& bad() {
    static BadModules b;
    return b;
}

void expectContains(const std::string& what, const std::string& fragment) {
    EXPECT_NE(what.find(fragment), std::string::npos) << "message: " << what << "\nexpected: " << fragment;
}

TEST(TorchScriptGenerator, ContractBreakersAreNamedAtLoad) {
    EXPECT_EQ(loadError(bad().file("good.pt")), "");
    expectContains(loadError(bad().file("no_density.pt")), "no method `density`");
    expectContains(loadError(bad().file("contract_v2.pt")), "metadata: contract_version");
    expectContains(loadError(bad().file("bad_json.pt")), "metadata: not valid JSON");
    expectContains(loadError(bad().file("other_vertex_count.pt")), "vertex_count");
    expectContains(loadError(bad().file("wrong_image_shape.pt")), "synthesis: image has shape [1, 3, 12, 12]");
    expectContains(loadError(bad().file("raises.pt")), "synthesis() failed");
    expectContains(loadError(bad().file("raises.pt")), "broken on purpose");
}

TEST(TorchScriptGenerator, CorruptAndMissingFilesAreNamed) {
    testutil::TempDir tmp;
    expectContains(loadError(tmp.file("missing.pt")), "missing.pt: not a TorchScript module");
    {
        std::ofstream f(tmp.file("garbage.pt"), std::ios::binary);
        f << "PK\x03\x04 this is not a zip archive at all";
    }
    expectContains(loadError(tmp.file("garbage.pt")), "not a TorchScript module");
    // A real module cut in half.
    std::ifstream in(bad().file("good.pt"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    {
        std::ofstream f(tmp.file("truncated.pt"), std::ios::binary);
        f.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    }
    expectContains(loadError(tmp.file("truncated.pt")), "truncated.pt: not a TorchScript module");
}

}  // namespace
}  // namespace synthforge::generate
