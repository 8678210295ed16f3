// The fit directory's files: round trip, and every way a reader can be fed
// a bad one (missing, truncated, corrupt, hostile, inconsistent).

#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/align/alignment_fit.h"
#include "core/io/file_util.h"
#include "tests/support/fixtures.h"

namespace synthforge::align {
namespace {

AlignmentFit sampleFit() {
    AlignmentFit f;
    f.generatorName = "test-field";
    f.generatorVersion = "7";
    f.generatorFile = "/models/g.pt";
    f.headName = "default";
    f.vertexCount = 5023;
    f.correction << 1.01f, 0.02f, 0.0f, 0.003f,  //
        -0.01f, 0.99f, 0.01f, -0.002f,            //
        0.0f, 0.0f, 1.02f, 0.001f,                //
        0, 0, 0, 1;
    f.nominalFlameToWorld = Eigen::Matrix4f::Identity() * 2.5f;
    f.nominalFlameToWorld(3, 3) = 1.0f;
    f.samples = 3;
    f.steps = 200;
    f.weights = {{"chamfer", 300.0}, {"density", 1.0}};
    f.final = {{"total", 0.5}, {"chamfer", 0.25}};
    f.perSample = {{0, 1.5, 0.2}, {1, 12.0, 2.0}, {2, 0.5, 0.1}};
    f.sampleShape = Eigen::MatrixXf::Random(3, 10);
    f.sampleExpr = Eigen::MatrixXf::Random(3, 10);
    f.sampleTranslation = Eigen::MatrixXf::Random(3, 3) * 0.01f;
    return f;
}

nlohmann::json readJson(const std::string& path) { return nlohmann::json::parse(io::readFileText(path)); }

void expectLoadError(const std::string& dir, const std::string& fragment) {
    try {
        loadAlignmentFit(dir);
        ADD_FAILURE() << "expected an error containing '" << fragment << "'";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(AlignmentFit, RoundTripsEveryField) {
    testutil::TempDir tmp;
    const AlignmentFit f = sampleFit();
    saveAlignmentFit(tmp.path.string(), f);
    const AlignmentFit g = loadAlignmentFit(tmp.path.string());
    EXPECT_EQ(g.generatorName, "test-field");
    EXPECT_EQ(g.generatorVersion, "7");
    EXPECT_EQ(g.generatorFile, "/models/g.pt");
    EXPECT_EQ(g.vertexCount, 5023);
    EXPECT_TRUE(g.correction.isApprox(f.correction, 1e-6f));
    EXPECT_TRUE(g.flameToWorld().isApprox(f.nominalFlameToWorld * f.correction, 1e-6f));
    EXPECT_EQ(g.steps, 200);
    EXPECT_DOUBLE_EQ(g.weights.at("chamfer"), 300.0);
    ASSERT_EQ(g.perSample.size(), 3u);
    EXPECT_DOUBLE_EQ(g.perSample[1].residualPx, 12.0);
    EXPECT_TRUE(g.sampleShape.isApprox(f.sampleShape));
    EXPECT_TRUE(g.sampleExpr.isApprox(f.sampleExpr));
    EXPECT_TRUE(g.sampleTranslation.isApprox(f.sampleTranslation));
    // The JSON file itself is readable on its own and holds M * C.
    const auto j = readJson(tmp.file(kAlignmentJson));
    EXPECT_NEAR(j["flame_to_world"][0][0].get<double>(), 2.5 * 1.01, 1e-6);
    // Loading by the JSON's own path works too.
    EXPECT_EQ(loadAlignmentFit(tmp.file(kAlignmentJson)).samples, 3);
}

TEST(AlignmentFit, TransformPoseMovesVerticesLandmarksAndJoints) {
    head::HeadPose pose;
    pose.vertices.resize(2, 3);
    pose.vertices << 0, 0, 0, 1, 2, 3;
    pose.landmarks.resize(1, 3);
    pose.landmarks << 1, 0, 0;
    pose.joints.setZero();
    for (auto& m : pose.jointTransforms) m.setIdentity();
    Eigen::Matrix4f c = Eigen::Matrix4f::Identity();
    c(0, 0) = 2.0f;
    c(1, 3) = 0.5f;
    head::transformPose(c, pose);
    EXPECT_FLOAT_EQ(pose.vertices(0, 1), 0.5f);
    EXPECT_FLOAT_EQ(pose.vertices(1, 0), 2.0f);
    EXPECT_FLOAT_EQ(pose.vertices(1, 1), 2.5f);
    EXPECT_FLOAT_EQ(pose.landmarks(0, 0), 2.0f);
    EXPECT_FLOAT_EQ(pose.joints(3, 1), 0.5f);
    EXPECT_FLOAT_EQ(pose.jointTransforms[0](1, 3), 0.5f);
}

TEST(AlignmentFit, RefusesMirroredDegenerateAndProjectiveCorrections) {
    Eigen::Matrix4f m = Eigen::Matrix4f::Identity();
    m(0, 0) = -1.0f;
    EXPECT_THROW(validateCorrection(m, "c"), std::invalid_argument);
    m(0, 0) = 0.0f;
    EXPECT_THROW(validateCorrection(m, "c"), std::invalid_argument);
    m = Eigen::Matrix4f::Identity();
    m(3, 0) = 0.1f;
    EXPECT_THROW(validateCorrection(m, "c"), std::invalid_argument);
    m = Eigen::Matrix4f::Identity();
    m(2, 3) = NAN;
    EXPECT_THROW(validateCorrection(m, "c"), std::invalid_argument);
    testutil::TempDir tmp;
    AlignmentFit f = sampleFit();
    f.correction(0, 0) = -1.0f;
    EXPECT_THROW(saveAlignmentFit(tmp.path.string(), f), std::invalid_argument);
}

TEST(AlignmentFit, MissingFilesAreNamed) {
    testutil::TempDir tmp;
    expectLoadError(tmp.path.string(), "alignment.json: no such file");
    saveAlignmentFit(tmp.path.string(), sampleFit());
    std::filesystem::remove(tmp.file(kAlignmentTensors));
    expectLoadError(tmp.path.string(), "alignment.safetensors: missing");
}

TEST(AlignmentFit, TruncatedAndCorruptJsonAreClearErrors) {
    testutil::TempDir tmp;
    saveAlignmentFit(tmp.path.string(), sampleFit());
    const std::string text = io::readFileText(tmp.file(kAlignmentJson));
    io::writeFileAtomic(tmp.file(kAlignmentJson), text.substr(0, text.size() / 2));
    expectLoadError(tmp.path.string(), "not valid JSON");
    io::writeFileAtomic(tmp.file(kAlignmentJson), std::string("\x00\xff\xfe garbage", 12));
    expectLoadError(tmp.path.string(), "not valid JSON");
    io::writeFileAtomic(tmp.file(kAlignmentJson), "[1, 2, 3]");
    expectLoadError(tmp.path.string(), "expected a JSON object");
}

TEST(AlignmentFit, HostileFieldsNameTheField) {
    testutil::TempDir tmp;
    saveAlignmentFit(tmp.path.string(), sampleFit());
    const nlohmann::json good = readJson(tmp.file(kAlignmentJson));
    auto withChange = [&](auto change, const std::string& fragment) {
        nlohmann::json j = good;
        change(j);
        io::writeFileAtomic(tmp.file(kAlignmentJson), j.dump());
        expectLoadError(tmp.path.string(), fragment);
    };
    withChange([](nlohmann::json& j) { j["format"] = "something-else"; }, "format");
    withChange([](nlohmann::json& j) { j["format_version"] = 99; }, "format_version");
    withChange([](nlohmann::json& j) { j.erase("correction"); }, "correction: missing");
    withChange([](nlohmann::json& j) { j["correction"] = nlohmann::json::array({1, 2, 3}); }, "correction");
    withChange([](nlohmann::json& j) { j["correction"][1][2] = "x"; }, "correction[1][2]");
    withChange([](nlohmann::json& j) { j["correction"][0][0] = -1.0; }, "mirrors");
    withChange([](nlohmann::json& j) { j["correction"][3][0] = 5.0; }, "last row");
    withChange([](nlohmann::json& j) { j["correction"][0][0] = 1e300; }, "correction");
    withChange([](nlohmann::json& j) { j["head"]["vertex_count"] = -4; }, "head.vertex_count");
    withChange([](nlohmann::json& j) { j["per_sample"][1]["residual_px"] = "big"; }, "per_sample[1].residual_px");
    withChange([](nlohmann::json& j) { j["weights"] = 3; }, "weights");
    withChange([](nlohmann::json& j) { j["generator"] = nullptr; }, "generator");
    // A correction edited in the JSON but not in the tensors is refused.
    withChange([](nlohmann::json& j) { j["correction"][0][3] = 0.5; }, "differs");
}

TEST(AlignmentFit, TensorsThatDisagreeOrAreTruncatedAreRefused) {
    testutil::TempDir tmp;
    saveAlignmentFit(tmp.path.string(), sampleFit());
    const auto bytes = io::readFileBytes(tmp.file(kAlignmentTensors));
    io::writeFileAtomic(tmp.file(kAlignmentTensors), bytes.data(), bytes.size() - 7);
    EXPECT_THROW(loadAlignmentFit(tmp.path.string()), std::runtime_error);
    // Per-sample rows must match the per-sample list.
    AlignmentFit f = sampleFit();
    f.sampleShape = Eigen::MatrixXf::Zero(2, 10);
    saveAlignmentFit(tmp.path.string(), f);
    expectLoadError(tmp.path.string(), "shape");
}

}  // namespace
}  // namespace synthforge::align
