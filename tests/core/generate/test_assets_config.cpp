// The sampler's "assets" section and the asset draw: strict parsing, the
// manifest round trip, opt-in defaults, and draws that depend only on
// (seed, index, type).

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/generate/assets/asset_json.h"
#include "core/generate/sampler.h"
#include "tests/support/asset_configs.h"
#include "tests/support/sampler_config_checks.h"

namespace synthforge::generate {
namespace {

SamplerConfig allOn() {
    SamplerConfig c = testutil::bareSampler();
    c.assets.glasses.frequency = c.assets.headwear.frequency = c.assets.clothing.frequency = 1.0;
    return c;
}

TEST(AssetsConfig, DefaultsWearEverydayAssetsAndLeaveTheManifestShort) {
    const SamplerConfig c;
    EXPECT_TRUE(c.assets.isDefault());
    EXPECT_FALSE(nlohmann::json::parse(samplerConfigToJson(c)).contains("assets"));
    // Each type at its documented rate (docs/assets.md), over 3000 samples.
    const double rates[kNumAssetTypes] = {0.15, 0.1, 0.3, 0.7, 0.15, 0.05, 0.8, 0.9, 0.15};
    int worn[kNumAssetTypes] = {};
    const int n = 3000;
    for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(n); ++i)
        for (const AssetSpec& a : drawAssets(c.assets, 3, i)) ++worn[static_cast<int>(a.type)];
    for (int k = 0; k < kNumAssetTypes; ++k)
        EXPECT_NEAR(worn[k] / double(n), rates[k], 0.03) << assetTypeName(static_cast<AssetType>(k));
    // All off wears nothing.
    for (std::uint64_t i = 0; i < 50; ++i) EXPECT_TRUE(drawAssets(testutil::noAssets(), 3, i).empty()) << i;
}

TEST(AssetsConfig, ParsesRoundTripsAndRecordsInTheManifest) {
    const SamplerConfig c = parseSamplerConfigJson(
        R"({"assets": {"glasses": {"frequency": 0.15, "color_min": [0, 0.1, 0.2], "color_max": [0.3, 0.4, 0.5],
                                   "lens_opacity": [0.2, 0.3]},
                       "headwear": {"frequency": 0.1}}})",
        "t.json");
    EXPECT_DOUBLE_EQ(c.assets.glasses.frequency, 0.15);
    EXPECT_FLOAT_EQ(c.assets.glasses.colorMin.y(), 0.1f);
    EXPECT_FLOAT_EQ(c.assets.glasses.colorMax.z(), 0.5f);
    EXPECT_DOUBLE_EQ(c.assets.lensOpacity.hi, 0.3);
    EXPECT_DOUBLE_EQ(c.assets.headwear.frequency, 0.1);
    EXPECT_DOUBLE_EQ(c.assets.clothing.frequency, 0.3);  // unset: its default
    const std::string text = samplerConfigToJson(c);
    const auto j = nlohmann::json::parse(text);
    ASSERT_TRUE(j.contains("assets"));
    EXPECT_DOUBLE_EQ(j["assets"]["glasses"]["frequency"].get<double>(), 0.15);
    const SamplerConfig back = parseSamplerConfigJson(text, "rt");
    EXPECT_TRUE(back.assets.glasses == c.assets.glasses);
    EXPECT_TRUE(back.assets.headwear == c.assets.headwear);
    EXPECT_TRUE(back.assets.lensOpacity == c.assets.lensOpacity);
    EXPECT_EQ(samplerConfigToJson(back), text);
}


TEST(AssetsConfig, RefusesTyposAndBadValues) {
    testutil::expectSamplerConfigRefused(R"({"assets": {"glases": {}}})", "assets.glases: unknown key");
    testutil::expectSamplerConfigRefused(R"({"assets": {"glasses": {"freq": 1}}})", "assets.glasses.freq: unknown key");
    testutil::expectSamplerConfigRefused(R"({"assets": {"headwear": {"lens_opacity": [0, 1]}}})", "assets.headwear.lens_opacity: unknown key");
    testutil::expectSamplerConfigRefused(R"({"assets": {"glasses": {"frequency": 1.5}}})", "assets.glasses.frequency: must be in 0..1");
    testutil::expectSamplerConfigRefused(R"({"assets": {"glasses": {"frequency": "often"}}})", "assets.glasses.frequency: must be a number");
    testutil::expectSamplerConfigRefused(R"({"assets": {"clothing": {"color_min": [0, 0]}}})", "assets.clothing.color_min: must be [r, g, b]");
    testutil::expectSamplerConfigRefused(R"({"assets": {"clothing": {"color_min": [0.5, 0, 0], "color_max": [0.2, 1, 1]}}})",
                  "assets.clothing.color_min: exceeds color_max");
    testutil::expectSamplerConfigRefused(R"({"assets": {"glasses": {"lens_opacity": [0.5, 0.2]}}})", "assets.glasses.lens_opacity: inverted");
    testutil::expectSamplerConfigRefused(R"({"assets": []})", "assets: must be an object");
}

TEST(AssetsDraw, FrequencyOneWearsEverythingInTypeOrderWithStableIds) {
    const SamplerConfig c = allOn();
    const auto a = drawAssets(c.assets, 7, 3);
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].type, AssetType::Glasses);
    EXPECT_EQ(a[1].type, AssetType::Headwear);
    EXPECT_EQ(a[2].type, AssetType::Clothing);
    const auto again = drawAssets(c.assets, 7, 3);
    std::set<std::uint64_t> ids;
    for (std::size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].id, again[k].id);
        EXPECT_EQ(a[k].material.baseColor, again[k].material.baseColor);
        ids.insert(a[k].id);
    }
    for (std::uint64_t i = 0; i < 20; ++i)
        for (const AssetSpec& s : drawAssets(c.assets, 7, 100 + i)) ids.insert(s.id);
    EXPECT_EQ(ids.size(), 3u + 60u) << "ids must differ between types and samples";
    // Colours stay inside the configured per-channel ranges.
    for (std::uint64_t i = 0; i < 50; ++i)
        for (const AssetSpec& s : drawAssets(c.assets, 1, i)) {
            const AssetTypeConfig& t = c.assets.of(s.type);
            for (int ch = 0; ch < 3; ++ch) {
                EXPECT_GE(s.material.baseColor[ch], t.colorMin[ch]);
                EXPECT_LE(s.material.baseColor[ch], t.colorMax[ch]);
            }
        }
}

TEST(AssetsDraw, OneTypesFrequencyNeverChangesAnother) {
    SamplerConfig on = allOn(), partial = allOn();
    partial.assets.glasses.frequency = 0.0;
    for (std::uint64_t i = 0; i < 20; ++i) {
        const auto a = drawAssets(on.assets, 5, i), b = drawAssets(partial.assets, 5, i);
        ASSERT_EQ(b.size(), 2u);
        EXPECT_EQ(a[1].id, b[0].id);
        EXPECT_EQ(a[1].material.baseColor, b[0].material.baseColor);
        EXPECT_EQ(a[2].clothing.height, b[1].clothing.height);
    }
}

TEST(AssetsDraw, FrequencyIsTheShareOfSamples) {
    SamplerConfig c = testutil::bareSampler();
    c.assets.glasses.frequency = 0.15;
    int worn = 0;
    for (std::uint64_t i = 0; i < 4000; ++i) worn += !drawAssets(c.assets, 9, i).empty();
    EXPECT_NEAR(worn / 4000.0, 0.15, 0.02);
}

TEST(AssetsDraw, SampleSpecCarriesAssetsWithoutShiftingOtherDraws) {
    head::HeadModel m;  // drawSample reads only the basis sizes
    m.shapedirs.resize(3, 4);
    m.exprdirs.resize(3, 2);
    const SamplerConfig off = testutil::bareSampler(), on = allOn();
    const SampleSpec a = drawSample(off, m, 4, 2), b = drawSample(on, m, 4, 2);
    EXPECT_TRUE(a.assets.empty());
    EXPECT_EQ(b.assets.size(), 3u);
    EXPECT_EQ(a.z, b.z);
    EXPECT_EQ(a.params.shape, b.params.shape);
    EXPECT_EQ(a.camera.yaw, b.camera.yaw);
}

TEST(AssetsJson, ListsIdTypeClassAndShape) {
    const auto a = drawAssets(allOn().assets, 2, 0);
    const auto j = assetsJson(a);
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0]["type"], "glasses");
    EXPECT_EQ(j[0]["class"], 16);
    EXPECT_EQ(j[1]["type"], "headwear");
    EXPECT_EQ(j[1]["class"], 17);
    EXPECT_EQ(j[2]["type"], "clothing");
    EXPECT_EQ(j[2]["class"], 15);
    char id[17];
    std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(a[0].id));
    EXPECT_EQ(j[0]["id"], id);
    EXPECT_TRUE(j[0].contains("rim") && j[0].contains("lens_opacity"));
    EXPECT_TRUE(j[1]["style"] == "cap" || j[1]["style"] == "beanie");
}

// Hair, beards and masks (added after the first three types).

TEST(HairBeardMaskConfig, ParsesRoundTripsAndKeepsOlderManifestsAsTheyWere) {
    const SamplerConfig c = parseSamplerConfigJson(
        R"({"assets": {"hair": {"frequency": 0.6, "eumelanin": [0.5, 4], "pheomelanin": 0.3, "styles": ["long", "curly"]},
                       "beard": {"frequency": 0.2, "styles": ["moustache"]},
                       "facewear": {"frequency": 0.05, "color_min": [0.1, 0.1, 0.1], "color_max": [0.2, 0.3, 0.4]}}})",
        "t.json");
    EXPECT_DOUBLE_EQ(c.assets.hair.frequency, 0.6);
    EXPECT_DOUBLE_EQ(c.assets.eumelanin.hi, 4.0);
    EXPECT_DOUBLE_EQ(c.assets.pheomelanin.lo, 0.3);
    EXPECT_EQ(c.assets.hairStyles, (1u << static_cast<int>(HairStyle::Long)) | (1u << static_cast<int>(HairStyle::Curly)));
    EXPECT_EQ(c.assets.beardStyles, 1u << static_cast<int>(BeardStyle::Moustache));
    EXPECT_FLOAT_EQ(c.assets.facewear.colorMax.z(), 0.4f);
    const std::string text = samplerConfigToJson(c);
    EXPECT_EQ(samplerConfigToJson(parseSamplerConfigJson(text, "rt")), text);
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["assets"]["hair"]["styles"], nlohmann::json::array({"long", "curly"}));

    // Any setting off its default lists every type.
    SamplerConfig one;
    one.assets.glasses.frequency = 0.5;
    std::set<std::string> keys;
    const auto oneJson = nlohmann::json::parse(samplerConfigToJson(one));
    for (const auto& item : oneJson["assets"].items()) keys.insert(item.key());
    EXPECT_EQ(keys.size(), static_cast<std::size_t>(kNumAssetTypes));
    EXPECT_EQ(oneJson["assets"]["hair"]["frequency"].get<double>(), 0.7);
}

TEST(HairBeardMaskConfig, RefusesBadStylesMelaninAndColourRanges) {
    testutil::expectSamplerConfigRefused(R"({"assets": {"hair": {"styles": ["mohawk"]}}})", "assets.hair.styles: unknown style 'mohawk'");
    testutil::expectSamplerConfigRefused(R"({"assets": {"hair": {"styles": []}}})", "assets.hair.styles: must be a non-empty list");
    testutil::expectSamplerConfigRefused(R"({"assets": {"hair": {"styles": ["long", "long"]}}})", "listed twice");
    testutil::expectSamplerConfigRefused(R"({"assets": {"beard": {"styles": [3]}}})", "assets.beard.styles: must hold style names");
    testutil::expectSamplerConfigRefused(R"({"assets": {"hair": {"color_min": [0, 0, 0]}}})", "assets.hair.color_min: unknown key");
    testutil::expectSamplerConfigRefused(R"({"assets": {"beard": {"eumelanin": [1, 2]}}})", "assets.beard.eumelanin: unknown key");
    testutil::expectSamplerConfigRefused(R"({"assets": {"hair": {"eumelanin": [0, 2]}}})", "assets.hair.eumelanin: must lie in (0, 50]");
    testutil::expectSamplerConfigRefused(R"({"assets": {"hair": {"pheomelanin": [2, 1]}}})", "assets.hair.pheomelanin: inverted");
    testutil::expectSamplerConfigRefused(R"({"assets": {"facewear": {"frequency": -0.1}}})", "assets.facewear.frequency: must be in 0..1");
}

}  // namespace
}  // namespace synthforge::generate
