// The TorchScript generator's metadata: every key's error path, hostile input.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/generate/generator_metadata.h"

namespace synthforge::generate {
namespace {

nlohmann::json good() {
    return {{"contract", "synthforge-generator"}, {"contract_version", 1}, {"name", "n3d"}, {"version", "2"},
            {"latent_dim", 512}, {"camera", "eg3d25"}, {"image_size", {512, 512}}, {"depth_size", {128, 128}},
            {"vertex_count", 5023}, {"flame_to_world", {2.5, 0, 0, 0, 0, 2.5, 0, -0.025, 0, 0, 2.5, 0.116, 0, 0, 0, 1}},
            {"density_level", 10.0}};
}

std::string error(const std::string& text) {
    try {
        parseGeneratorMetadata(text, "m.pt");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(GeneratorMetadata, ParsesEveryField) {
    nlohmann::json j = good();
    j["preferred_batch"] = 8;
    const GeneratorMetadata m = parseGeneratorMetadata(j.dump(), "m.pt");
    EXPECT_EQ(m.name, "n3d");
    EXPECT_EQ(m.latentDim, 512);
    EXPECT_EQ(m.imageHeight, 512);
    EXPECT_EQ(m.depthWidth, 128);
    EXPECT_EQ(m.vertexCount, 5023);
    EXPECT_FLOAT_EQ(m.flameToWorld(1, 3), -0.025f);
    EXPECT_FLOAT_EQ(m.densityLevel, 10.0f);
    EXPECT_EQ(m.preferredBatch, 8);
    EXPECT_EQ(parseGeneratorMetadata(good().dump(), "m.pt").preferredBatch, 1);
}

TEST(GeneratorMetadata, EachBadKeyIsNamed) {
    auto with = [](const char* key, nlohmann::json v) {
        nlohmann::json j = good();
        if (v.is_discarded()) j.erase(key);
        else j[key] = v;
        return error(j.dump());
    };
    const nlohmann::json erase = nlohmann::json(nlohmann::json::value_t::discarded);
    EXPECT_NE(with("contract", "other").find("m.pt: metadata: contract:"), std::string::npos);
    EXPECT_NE(with("contract_version", 2).find("contract_version"), std::string::npos);
    EXPECT_NE(with("camera", "opengl").find("camera"), std::string::npos);
    EXPECT_NE(with("latent_dim", 0).find("latent_dim"), std::string::npos);
    EXPECT_NE(with("latent_dim", "512").find("latent_dim"), std::string::npos);
    EXPECT_NE(with("latent_dim", erase).find("latent_dim: missing"), std::string::npos);
    EXPECT_NE(with("image_size", {512}).find("image_size"), std::string::npos);
    EXPECT_NE(with("image_size", {512, -1}).find("image_size"), std::string::npos);
    EXPECT_NE(with("depth_size", {1e12, 5}).find("depth_size"), std::string::npos);
    EXPECT_NE(with("vertex_count", 5023.5).find("vertex_count"), std::string::npos);
    EXPECT_NE(with("flame_to_world", {1, 2, 3}).find("flame_to_world"), std::string::npos);
    nlohmann::json proj = good();
    proj["flame_to_world"][12] = 0.5;
    EXPECT_NE(error(proj.dump()).find("last row"), std::string::npos);
    EXPECT_NE(with("density_level", -1).find("density_level"), std::string::npos);
    EXPECT_NE(with("name", "").find("name"), std::string::npos);
    EXPECT_NE(with("preferred_batch", 0).find("preferred_batch"), std::string::npos);
}

TEST(GeneratorMetadata, CorruptAndHostileTextIsAnError) {
    EXPECT_NE(error("").find("not valid JSON"), std::string::npos);
    const std::string full = good().dump();
    EXPECT_NE(error(full.substr(0, full.size() / 2)).find("not valid JSON"), std::string::npos);
    EXPECT_NE(error("[1,2]").find("expected a JSON object"), std::string::npos);
    EXPECT_NE(error(std::string(100000, '[')).find("not valid JSON"), std::string::npos);
    EXPECT_NE(error("\"\\ud800\"").find("m.pt"), std::string::npos);
}

}  // namespace
}  // namespace synthforge::generate
