// Scene files: exact round trip, a dataset annotation opens as the scene that
// produced it, and hostile input fails with the file and field named.

#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/generate/dataset_layout.h"
#include "core/scene/scene.h"
#include "core/scene/scene_pipeline.h"

namespace synthforge::scene {
namespace {

namespace fs = std::filesystem;

Scene sampleScene() {
    Scene s;
    s.headModel = "default";
    s.params.shape = Eigen::VectorXf::LinSpaced(7, -1.5f, 2.25f);
    s.params.expr = Eigen::VectorXf::LinSpaced(4, 0.1f, -0.7f);
    s.params.pose[3 * head::kJaw] = 0.2f;
    s.params.pose[3 * head::kNeck + 1] = -0.1f;
    s.camera.yaw = 0.3f;
    s.camera.pitch = -0.2f;
    s.camera.eg3dFovDeg = 21.5f;
    s.camera.radius = 2.9f;
    s.zSeed = 42;
    s.width = 64;
    s.height = 48;
    return s;
}

std::string expectError(const std::string& text, const std::string& field) {
    try {
        parseSceneJson(text, "scene.json");
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind("scene.json: " + field, 0), 0u) << msg;
        return msg;
    }
    ADD_FAILURE() << "no error for field " << field;
    return {};
}

TEST(Scene, RoundTripIsExact) {
    const Scene s = sampleScene();
    EXPECT_EQ(parseSceneJson(sceneToJson(s), "x"), s);

    Scene withZ = s;
    withZ.z = s.latent(512);
    withZ.z[3] = 1.0f / 3.0f;  // a value with no short decimal form
    EXPECT_EQ(parseSceneJson(sceneToJson(withZ), "x"), withZ);

    // A panned camera keeps its pivot (the default one is not written).
    EXPECT_EQ(sceneToJson(s).find("\"pivot\""), std::string::npos);
    Scene panned = s;
    panned.camera.pivot = Eigen::Vector3f(0.05f, -0.125f, 0.3f);
    const Scene back = parseSceneJson(sceneToJson(panned), "x");
    EXPECT_EQ(back, panned);
    EXPECT_TRUE(back.camera.cam2world().isApprox(panned.camera.cam2world()));
    // Without yaw/pitch the camera comes from camera_params, still about the stored pivot.
    auto j = nlohmann::json::parse(sceneToJson(panned));
    j.erase("yaw");
    j.erase("pitch");
    const Scene fromParams = parseSceneJson(j.dump(), "x");
    EXPECT_TRUE(fromParams.camera.pivot.isApprox(panned.camera.pivot));
    EXPECT_NEAR(fromParams.camera.yaw, panned.camera.yaw, 1e-4f);
    EXPECT_NEAR(fromParams.camera.radius, panned.camera.radius, 1e-4f);
}

TEST(Scene, SaveAndLoadThroughAFile) {
    const fs::path dir = fs::temp_directory_path() / "synthforge_test_scene";
    fs::create_directories(dir);
    const std::string path = (dir / "a.scene.json").string();
    saveScene(sampleScene(), path);
    EXPECT_EQ(loadScene(path), sampleScene());
    fs::remove_all(dir);
}

TEST(Scene, LatentFromSeedIsDeterministicAndDiffersBySeed) {
    Scene a = sampleScene(), b = sampleScene();
    EXPECT_EQ(a.latent(16), b.latent(16));
    b.zSeed = 43;
    EXPECT_NE(a.latent(16), b.latent(16));
}

TEST(Scene, DatasetAnnotationOpensAsItsScene) {
    generate::SamplePipeline p = buildScenePipeline("default", "procedural", 48, 48);
    const generate::RenderedSample r = p.render(7, 3);
    const std::string json = generate::sampleAnnotationJson(r, 7, 48, 48);
    const Scene s = parseSceneJson(json, "annotations/000003.json");
    EXPECT_EQ(s.z, r.spec.z);
    EXPECT_EQ(s.params.shape, r.spec.params.shape);
    EXPECT_EQ(s.params.expr, r.spec.params.expr);
    EXPECT_EQ(s.params.pose, r.spec.params.pose);
    EXPECT_EQ(s.camera.yaw, r.spec.camera.yaw);
    EXPECT_EQ(s.camera.pitch, r.spec.camera.pitch);
    EXPECT_EQ(s.width, 48);

    // Re-rendering the scene gives the stored image: the reproducibility the
    // studio's dataset browser relies on.
    const generate::RenderedSample again = p.render(s.toSampleSpec(p.generator->capabilities().latentDim));
    EXPECT_EQ(cv::norm(again.image.image, r.image.image, cv::NORM_INF), 0.0);

    // Without yaw/pitch the camera comes from camera_params.
    nlohmann::json j = nlohmann::json::parse(json);
    j.erase("yaw");
    j.erase("pitch");
    j.erase("fov_deg");
    j.erase("radius");
    const Scene fromVector = parseSceneJson(j.dump(), "a.json");
    EXPECT_NEAR(fromVector.camera.yaw, r.spec.camera.yaw, 1e-4);
    EXPECT_NEAR(fromVector.camera.pitch, r.spec.camera.pitch, 1e-4);
    EXPECT_NEAR(fromVector.camera.eg3dFovDeg, r.spec.camera.eg3dFovDeg, 1e-3);
    EXPECT_NEAR(fromVector.camera.radius, r.spec.camera.radius, 1e-4);
}

TEST(Scene, EveryTruncationFails) {
    const std::string text = sceneToJson(sampleScene());
    // The last character is the newline after the closing brace.
    for (std::size_t n = 0; n + 1 < text.size(); ++n)
        EXPECT_THROW(parseSceneJson(text.substr(0, n), "t.json"), std::runtime_error) << "prefix " << n;
}

TEST(Scene, WrongTypesAndValuesNameTheField) {
    expectError("[1, 2]", "json");
    expectError(R"({"format": "synthforge-sampler"})", "format");
    expectError(R"({"version": 2})", "version");
    expectError(R"({"version": "1"})", "version");
    expectError(R"({"head_model": 3})", "head_model");
    expectError(R"({"head_model": ""})", "head_model");
    expectError(R"({"z": "abc"})", "z");
    expectError(R"({"z": []})", "z");
    expectError(R"({"z": [1, null]})", "z[1]");
    expectError(R"({"z_seed": -1})", "z_seed");
    expectError(R"({"flame_shape": [1, "2"]})", "flame_shape[1]");
    expectError(R"({"flame_exp": {"a": 1}})", "flame_exp");
    expectError(R"({"flame_pose": [1, 2, 3]})", "flame_pose");
    expectError(R"({"transl": [1, 2]})", "transl");
    expectError(R"({"yaw": 0.1})", "pitch");
    expectError(R"({"yaw": 0.1, "pitch": true})", "pitch");
    expectError(R"({"yaw": 0, "pitch": 0, "fov_deg": 180})", "fov_deg");
    expectError(R"({"yaw": 0, "pitch": 0, "radius": -2})", "radius");
    expectError(R"({"camera_params": [1, 2, 3]})", "camera_params");
    expectError(R"({"pivot": [1, 2]})", "pivot");
    expectError(R"({"pivot": [0, "a", 0]})", "pivot[1]");
    expectError(R"({"width": 8})", "width");
    expectError(R"({"height": 1e9})", "height");
    expectError(R"({"width": 64.5})", "width");
}

TEST(Scene, NonFiniteNumbersAreRefused) {
    // JSON has no NaN literal (Python writes one anyway), and numbers beyond
    // double overflow in the parser; both fail as malformed JSON.
    expectError(R"({"yaw": NaN, "pitch": 0})", "json");
    expectError(R"({"yaw": 1e999, "pitch": 0})", "json");
    expectError(R"({"z": [-1e400]})", "json");
    // Finite doubles that would become inf as floats are refused by field.
    expectError(R"({"yaw": 1e300, "pitch": 0})", "yaw");
    expectError(R"({"flame_shape": [0, 1e39]})", "flame_shape[1]");
}

TEST(Scene, HugeArraysAreRefused) {
    std::string big = "[0";
    for (int i = 0; i < kMaxLatentDim; ++i) big += ",0";
    big += "]";
    expectError(R"({"z": )" + big + "}", "z");
    expectError(R"({"flame_shape": )" + big + "}", "flame_shape");
    std::string camera26 = "[0";
    for (int i = 1; i < 26; ++i) camera26 += ",0";
    expectError(R"({"camera_params": )" + camera26 + "]}", "camera_params");
}

}  // namespace
}  // namespace synthforge::scene

namespace synthforge::scene {
namespace {

/// A scene wearing one asset of each type, with every shape field set.
Scene sceneWithAssets() {
    Scene s = sampleScene();
    generate::AssetsSamplerConfig c;
    for (int k = 0; k < generate::kNumAssetTypes; ++k) c.of(static_cast<generate::AssetType>(k)).frequency = 1.0;
    s.assets = generate::drawAssets(c, 3, 1);
    return s;
}

TEST(SceneAssets, RoundTripIsExactAndTruncationsFail) {
    const Scene s = sceneWithAssets();
    ASSERT_EQ(s.assets.size(), static_cast<std::size_t>(generate::kNumAssetTypes));
    const std::string text = sceneToJson(s);
    const Scene back = parseSceneJson(text, "x");
    EXPECT_EQ(back, s);
    EXPECT_EQ(sceneToJson(back), text);
    Scene other = s;
    other.assets[3].hair.thickness += 0.001f;
    EXPECT_NE(other, s) << "a changed asset is a changed scene";
    // No assets: no key, as before assets existed.
    EXPECT_EQ(sceneToJson(sampleScene()).find("\"assets\""), std::string::npos);
    for (std::size_t n = 0; n + 1 < text.size(); n += 7)
        EXPECT_THROW(parseSceneJson(text.substr(0, n), "t.json"), std::runtime_error) << "prefix " << n;
}

TEST(SceneAssets, ADatasetSampleWithAssetsReRendersExactly) {
    generate::SamplePipeline p = buildScenePipeline("default", "procedural", 64, 64);
    for (int k = 0; k < generate::kNumAssetTypes; ++k) p.sampler.assets.of(static_cast<generate::AssetType>(k)).frequency = 1.0;
    const generate::RenderedSample r = p.render(7, 2);
    ASSERT_EQ(r.spec.assets.size(), static_cast<std::size_t>(generate::kNumAssetTypes));
    const Scene s = parseSceneJson(generate::sampleAnnotationJson(r, 7, 64, 64), "annotations/000002.json");
    ASSERT_EQ(s.assets.size(), r.spec.assets.size());
    const generate::RenderedSample again = p.render(s.toSampleSpec(p.generator->capabilities().latentDim));
    EXPECT_EQ(cv::norm(again.image.image, r.image.image, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(again.annotations.segmentation, r.annotations.segmentation, cv::NORM_INF), 0.0);
}

TEST(SceneAssets, HostileAssetEntriesNameTheField) {
    const nlohmann::json good = nlohmann::json::parse(sceneToJson(sceneWithAssets()));
    auto withAssets = [&](const nlohmann::json& assets) {
        nlohmann::json j = good;
        j["assets"] = assets;
        return j.dump();
    };
    auto edited = [&](std::size_t i, const char* key, const nlohmann::json& value) {
        nlohmann::json a = good["assets"];
        if (value.is_null())
            a[i].erase(key);
        else
            a[i][key] = value;
        return withAssets(a);
    };
    expectError(withAssets(nlohmann::json::object()), "assets: expected an array");
    expectError(withAssets(nlohmann::json::array({1})), "assets[0]: expected an object");
    expectError(edited(0, "type", "monocle"), "assets[0].type: unknown value 'monocle'");
    expectError(edited(0, "id", "12"), "assets[0].id: expected 16 hex digits");
    expectError(edited(0, "id", "zzzzzzzzzzzzzzzz"), "assets[0].id");
    expectError(edited(0, "id", nullptr), "assets[0].id: missing");
    expectError(edited(1, "color", nlohmann::json::array({0.1, 2.0, 0.1})), "assets[1].color: channels must lie in 0..1");
    expectError(edited(1, "color", "red"), "assets[1].color: expected [r, g, b]");
    expectError(edited(2, "thickness", 1e30), "assets[2].thickness: outside");
    expectError(edited(2, "height", "tall"), "assets[2].height: expected a number");
    expectError(edited(3, "style", "mohawk"), "assets[3].style: unknown value 'mohawk'");
    expectError(edited(3, "colour", 1), "assets[3].colour: unknown key");
    expectError(edited(4, "class", "beard"), "assets[4].class: expected an integer");
    expectError(edited(5, "top", -1), "assets[5].top: outside");
    expectError(edited(6, "thickness", 0.5), "assets[6].thickness: outside");
    expectError(edited(6, "arch", nullptr), "assets[6].arch: missing");
    expectError(edited(6, "strand_seed", "x"), "assets[6].strand_seed: expected a number");
    expectError(edited(7, "count", 2.5), "assets[7].count: expected an integer in 1..200");
    expectError(edited(7, "count", 0), "assets[7].count: expected an integer in 1..200");
    expectError(edited(7, "length", 1), "assets[7].length: outside");
    expectError(edited(8, "density", 1.5), "assets[8].density: outside");
    expectError(edited(8, "style", "designer"), "assets[8].style: unknown key");
    expectError(edited(8, "darkness", nullptr), "assets[8].darkness: missing");
    // Two of a type, or out of type order.
    nlohmann::json twice = good["assets"];
    twice[1] = twice[0];
    expectError(withAssets(twice), "assets[1]: types must be distinct");
    expectError(withAssets(nlohmann::json::array({good["assets"][0], good["assets"][0], good["assets"][0]})), "assets[1]");
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 65; ++i) many.push_back(good["assets"][0]);
    expectError(withAssets(many), "assets: 65 entries, at most 64");
}

}  // namespace
}  // namespace synthforge::scene
