// Eyebrows, eyelashes and stubble: the config section, the draw, the JSON
// round trip, and rendered samples checked against the raster (brow classes
// by side, lashes as eye class that never hides a landmark, brows that stay
// on the skin as the head turns and the jaw opens, stubble that darkens the
// beard zone's colour and changes no label).

#include <algorithm>
#include <cmath>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/asset_json.h"
#include "core/generate/assets/stubble.h"
#include "core/generate/dataset_layout.h"
#include "tests/support/asset_configs.h"
#include "tests/support/asset_scenes.h"
#include "tests/support/sampler_config_checks.h"

namespace synthforge::generate {
namespace {

using namespace assettest;

constexpr int kSkin = 1, kRightEye = 3, kLeftEye = 4, kRightBrow = 5, kLeftBrow = 6;

AssetSpec brows() {
    AssetSpec a = asset(AssetType::Eyebrows);
    a.material.baseColor = {0.03f, 0.02f, 0.015f};
    return a;
}

AssetSpec lashes() {
    AssetSpec a = asset(AssetType::Eyelashes);
    a.material.baseColor = {0.02f, 0.02f, 0.02f};
    return a;
}

AssetSpec stubble() {
    AssetSpec a = asset(AssetType::Stubble);
    a.material.baseColor = {0.02f, 0.015f, 0.01f};
    a.stubble.density = 0.8f;
    a.stubble.darkness = 0.7f;
    return a;
}

/// Pixels of `id` in `with` that are not `id` in `without`, and their mean x.
int gained(const cv::Mat& with, const cv::Mat& without, int id, double* meanX = nullptr) {
    int n = 0;
    double sx = 0.0;
    for (int y = 0; y < with.rows; ++y)
        for (int x = 0; x < with.cols; ++x)
            if (with.at<std::uint8_t>(y, x) == id && without.at<std::uint8_t>(y, x) != id) ++n, sx += x;
    if (meanX) *meanX = n ? sx / n : 0.0;
    return n;
}

/// Pixels where a brow or lash face of the posed layer lies in front of the
/// head, per side (0: subject's right, 1: left), and how many of them carry
/// that side's class `ids[side]` in the segmentation.
struct SidePixels {
    int pixels[2] = {0, 0}, labelled[2] = {0, 0};
    double meanX[2] = {0.0, 0.0};
};
SidePixels sidePixels(const SampleSpec& spec, const RenderedSample& r, AssetType type, const int (&ids)[2]) {
    const AssetLayer layer = rasterizeAssets(spec.assets, *pipeline().model, r.pose, spec.camera.pinhole(), kSize, kSize, 1);
    SidePixels out;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            const std::int32_t f = layer.opaque.face(x, y);
            if (f < 0) continue;
            const auto fs = static_cast<std::size_t>(f);
            if (layer.specs[static_cast<std::size_t>(layer.opaqueOwner[fs])].type != type) continue;
            const std::size_t hi = r.annotations.raster.index(x, y);
            if (r.annotations.raster.triangleId[hi] >= 0 && !(layer.opaque.depth(x, y) < r.annotations.raster.depth[hi])) continue;
            const int side = layer.opaqueSlot[fs] == assetClassSlot(type, true) ? 1 : 0;
            ++out.pixels[side];
            out.meanX[side] += x;
            out.labelled[side] += r.annotations.segmentation.at<std::uint8_t>(y, x) == ids[side];
        }
    for (int side = 0; side < 2; ++side)
        if (out.pixels[side]) out.meanX[side] /= out.pixels[side];
    return out;
}

// ---- config, draw, JSON -------------------------------------------------------

TEST(BrowsLashesStubbleConfig, ParsesRoundTripsAndListsEveryTypeOnceAnyDiffers) {
    const SamplerConfig c = parseSamplerConfigJson(
        R"({"assets": {"eyebrows": {"frequency": 0.5, "thickness": [0.001, 0.0015]},
                       "eyelashes": {"frequency": 0.7, "length": 0.009, "color_min": [0, 0, 0], "color_max": [0.1, 0.1, 0.1]},
                       "stubble": {"frequency": 0.2, "density": [0.5, 0.6], "length": [0.0004, 0.0005],
                                   "darkness": 0.5}}})",
        "t.json");
    EXPECT_DOUBLE_EQ(c.assets.eyebrows.frequency, 0.5);
    EXPECT_DOUBLE_EQ(c.assets.browThickness.hi, 0.0015);
    EXPECT_DOUBLE_EQ(c.assets.lashLength.lo, 0.009);
    EXPECT_FLOAT_EQ(c.assets.eyelashes.colorMax.x(), 0.1f);
    EXPECT_DOUBLE_EQ(c.assets.stubbleDensity.lo, 0.5);
    EXPECT_DOUBLE_EQ(c.assets.stubbleDarkness.hi, 0.5);
    const std::string text = samplerConfigToJson(c);
    EXPECT_EQ(samplerConfigToJson(parseSamplerConfigJson(text, "rt")), text);
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["assets"]["stubble"]["length"], nlohmann::json::array({0.0004, 0.0005}));
    EXPECT_FALSE(c.assets.isDefault());

    // Any setting off its default lists every type, so the manifest says
    // exactly what was drawn; the defaults list none.
    auto keysOf = [](const SamplerConfig& s) {
        std::set<std::string> keys;
        const nlohmann::json parsed = nlohmann::json::parse(samplerConfigToJson(s));
        for (const auto& item : parsed.at("assets").items()) keys.insert(item.key());
        return keys;
    };
    SamplerConfig one;
    one.assets.stubble.frequency = 0.5;
    std::set<std::string> all;
    for (int k = 0; k < kNumAssetTypes; ++k) all.insert(assetTypeName(static_cast<AssetType>(k)));
    EXPECT_EQ(keysOf(one), all);
    EXPECT_EQ(keysOf(c), all);
    SamplerConfig defaults;
    EXPECT_FALSE(nlohmann::json::parse(samplerConfigToJson(defaults)).contains("assets"));
}

TEST(BrowsLashesStubbleConfig, RefusesTyposAndOutOfRangeValuesByName) {
    using testutil::expectSamplerConfigRefused;
    expectSamplerConfigRefused(R"({"assets": {"eyebrow": {}}})", "assets.eyebrow: unknown key");
    expectSamplerConfigRefused(R"({"assets": {"eyebrows": {"color_min": [0, 0, 0]}}})", "assets.eyebrows.color_min: unknown key");
    expectSamplerConfigRefused(R"({"assets": {"eyebrows": {"thickness": [0.002, 0.001]}}})", "assets.eyebrows.thickness: inverted");
    expectSamplerConfigRefused(R"({"assets": {"eyebrows": {"thickness": [0.001, 0.01]}}})",
                               "assets.eyebrows.thickness: must lie in 0..0.005");
    expectSamplerConfigRefused(R"({"assets": {"eyelashes": {"length": [-0.001, 0.01]}}})", "assets.eyelashes.length: must lie in");
    expectSamplerConfigRefused(R"({"assets": {"eyelashes": {"curl": 1}}})", "assets.eyelashes.curl: unknown key");
    expectSamplerConfigRefused(R"({"assets": {"eyelashes": {"frequency": 2}}})", "assets.eyelashes.frequency: must be in 0..1");
    expectSamplerConfigRefused(R"({"assets": {"stubble": {"density": [0.5, 1.5]}}})", "assets.stubble.density: must lie in 0..1");
    expectSamplerConfigRefused(R"({"assets": {"stubble": {"darkness": "high"}}})", "assets.stubble.darkness: must be [min, max]");
    expectSamplerConfigRefused(R"({"assets": {"stubble": {"length": [0, 0.01]}}})", "assets.stubble.length: must lie in 0..0.003");
    expectSamplerConfigRefused(R"({"assets": {"stubble": {"color_max": [1, 1, 1]}}})", "assets.stubble.color_max: unknown key");
}

TEST(BrowsLashesStubbleDraw, NewTypesNeverChangeEarlierDrawsAndTakeTheHairsColour) {
    AssetsSamplerConfig before = testutil::noAssets();
    before.glasses.frequency = before.hair.frequency = before.beard.frequency = 1.0;
    AssetsSamplerConfig after = before;
    after.eyebrows.frequency = after.eyelashes.frequency = after.stubble.frequency = 1.0;
    for (std::uint64_t i = 0; i < 10; ++i) {
        const std::vector<AssetSpec> a = drawAssets(before, 9, i), b = drawAssets(after, 9, i);
        ASSERT_EQ(a.size(), 3u);
        ASSERT_EQ(b.size(), 6u);
        EXPECT_TRUE(sameAssets(a, std::vector<AssetSpec>(b.begin(), b.begin() + 3))) << i;
        EXPECT_EQ(b[3].type, AssetType::Eyebrows);
        EXPECT_EQ(b[4].type, AssetType::Eyelashes);
        EXPECT_EQ(b[5].type, AssetType::Stubble);
        EXPECT_TRUE(b[3].material.baseColor.isApprox(0.8f * b[1].material.baseColor)) << "brows: a darker shade of the hair";
        EXPECT_TRUE(b[5].material.baseColor.isApprox(b[1].material.baseColor)) << "stubble: the hair's colour";
        // Shapes from their fixed ranges.
        EXPECT_GE(b[3].eyebrows.thickness, 0.0005f);
        EXPECT_LE(b[3].eyebrows.thickness, 0.002f);
        EXPECT_GE(b[3].eyebrows.height, 0.007f);
        EXPECT_LE(b[3].eyebrows.height, 0.012f);
        EXPECT_GE(b[4].eyelashes.length, 0.006f);
        EXPECT_LE(b[4].eyelashes.length, 0.011f);
        EXPECT_LE(b[4].material.baseColor.maxCoeff(), 0.05f) << "lashes are dark";
        EXPECT_GE(b[5].stubble.density, 0.35f);
        EXPECT_LE(b[5].stubble.darkness, 0.8f);
    }
}

TEST(BrowsLashesStubbleJson, ListsIdClassAndShapeAndRoundTrips) {
    AssetsSamplerConfig c = testutil::noAssets();
    c.eyebrows.frequency = c.eyelashes.frequency = c.stubble.frequency = 1.0;
    const std::vector<AssetSpec> drawn = drawAssets(c, 4, 2);
    const auto j = assetsJson(drawn);
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0]["type"], "eyebrows");
    EXPECT_EQ(j[0]["class"], kRightBrow);
    for (const char* key : {"id", "color", "width", "height", "arch", "thickness", "strand_seed"})
        EXPECT_TRUE(j[0].contains(key)) << key;
    EXPECT_EQ(j[1]["type"], "eyelashes");
    EXPECT_EQ(j[1]["class"], kRightEye);
    for (const char* key : {"length", "curl", "count"}) EXPECT_TRUE(j[1].contains(key)) << key;
    EXPECT_EQ(j[2]["type"], "stubble");
    EXPECT_EQ(j[2]["class"], kSkin);
    for (const char* key : {"density", "length", "darkness", "seed"}) EXPECT_TRUE(j[2].contains(key)) << key;
    // Through text and back, field for field; the same draw, the same id.
    const std::vector<AssetSpec> back = parseAssetsJson(nlohmann::json::parse(j.dump()), "a.json");
    EXPECT_TRUE(sameAssets(back, drawn));
    EXPECT_EQ(back[1].eyelashes.count, drawn[1].eyelashes.count);
    EXPECT_EQ(drawAssets(c, 4, 2)[0].id, drawn[0].id);
    EXPECT_NE(drawAssets(c, 4, 3)[0].id, drawn[0].id);
    // Hostile entries name the field.
    auto refused = [&](std::size_t i, const char* key, const nlohmann::json& value, const std::string& want) {
        nlohmann::json a = nlohmann::json::parse(j.dump());
        if (value.is_null())
            a[i].erase(key);
        else
            a[i][key] = value;
        try {
            parseAssetsJson(a, "a.json");
            ADD_FAILURE() << "accepted " << key << " = " << value;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
        }
    };
    refused(0, "thickness", -0.001, "a.json: assets[0].thickness: outside");
    refused(0, "width", "wide", "assets[0].width: expected a number");
    refused(0, "height", nullptr, "assets[0].height: missing");
    refused(0, "bushy", true, "assets[0].bushy: unknown key");
    refused(1, "count", 1e9, "assets[1].count: expected an integer in 1..200");
    refused(1, "count", -3, "assets[1].count");
    refused(1, "curl", nullptr, "assets[1].curl: missing");
    refused(2, "darkness", 2, "assets[2].darkness: outside");
    refused(2, "seed", nlohmann::json::array(), "assets[2].seed: expected a number");
}

// ---- rendered ---------------------------------------------------------------

TEST(BrowsLashesStubbleRender, BrowClassesShowOnTheirSidesExactlyWhenWorn) {
    const RenderedSample bare = pipeline().render(frontal({}));
    const SampleSpec spec = frontal({brows()});
    const RenderedSample worn = pipeline().render(spec);
    const cv::Mat &with = worn.annotations.segmentation, &without = bare.annotations.segmentation;
    // Every pixel where brow geometry is in front carries its side's class.
    const SidePixels brow = sidePixels(spec, worn, AssetType::Eyebrows, {kRightBrow, kLeftBrow});
    for (int side = 0; side < 2; ++side) {
        EXPECT_GT(brow.pixels[side], 60) << side;
        EXPECT_EQ(brow.labelled[side], brow.pixels[side]) << side;
    }
    // Seen from the front the subject's right is the image's left.
    EXPECT_LT(brow.meanX[0], kSize / 2.0);
    EXPECT_GT(brow.meanX[1], kSize / 2.0);
    // The bald head has painted brows; the geometry adds brow pixels to them
    // and darkens the brows in the image.
    EXPECT_GT(gained(with, without, kRightBrow), 0);
    EXPECT_GT(gained(with, without, kLeftBrow), 0);
    cv::Mat browMask = (with == kRightBrow) | (with == kLeftBrow), grey, greyBare;
    cv::cvtColor(worn.image.image, grey, cv::COLOR_BGR2GRAY);
    cv::cvtColor(bare.image.image, greyBare, cv::COLOR_BGR2GRAY);
    EXPECT_LT(cv::mean(grey, browMask)[0] + 10.0, cv::mean(greyBare, browMask)[0]);
    EXPECT_EQ(gained(with, without, kLeftBrow) + gained(with, without, kRightBrow),
              cv::countNonZero(with != without)) << "brows change no pixel to any other class";
    // Brows take nothing from the eyes and hide no landmark.
    EXPECT_EQ(countClass(with, kRightEye), countClass(without, kRightEye));
    EXPECT_EQ(worn.annotations.landmarkVisible, bare.annotations.landmarkVisible);
    // Never when off: a sampler with every earlier type on and these at 0.
    SamplePipeline p = pipeline();
    p.sampler.assets = testutil::noAssets();
    for (int k = 0; k < static_cast<int>(AssetType::Eyebrows); ++k) p.sampler.assets.of(static_cast<AssetType>(k)).frequency = 1.0;
    const RenderedSample s = p.render(2, 0);
    for (const AssetSpec& a : s.spec.assets) EXPECT_LT(a.type, AssetType::Eyebrows);
}

TEST(BrowsLashesStubbleRender, LashesAddEyeClassPixelsAndHideNoLandmark) {
    const RenderedSample bare = pipeline().render(frontal({}));
    const SampleSpec spec = frontal({lashes(), brows()});
    const RenderedSample worn = pipeline().render(spec);
    const RenderedSample onlyBrows = pipeline().render(frontal({brows()}));
    const cv::Mat &with = worn.annotations.segmentation, &without = onlyBrows.annotations.segmentation;
    double rightX = 0.0, leftX = 0.0;
    EXPECT_GT(gained(with, without, kRightEye, &rightX), 15);
    EXPECT_GT(gained(with, without, kLeftEye, &leftX), 15);
    EXPECT_LT(rightX, kSize / 2.0);
    EXPECT_GT(leftX, kSize / 2.0);
    const SidePixels lash = sidePixels(spec, worn, AssetType::Eyelashes, {kRightEye, kLeftEye});
    for (int side = 0; side < 2; ++side) EXPECT_EQ(lash.labelled[side], lash.pixels[side]) << side;
    // Every landmark visible on the bare head stays visible, though lash
    // pixels lie in front of some eye landmarks.
    EXPECT_EQ(worn.annotations.landmarkVisible, bare.annotations.landmarkVisible);
    const AssetLayer layer =
        rasterizeAssets(spec.assets, *pipeline().model, worn.pose, spec.camera.pinhole(), kSize, kSize, 1);
    int covered = 0;
    for (int k = 36; k < 48; ++k) {
        const int x = static_cast<int>(worn.annotations.landmarks2d(k, 0)), y = static_cast<int>(worn.annotations.landmarks2d(k, 1));
        const std::int32_t f = layer.opaque.face(x, y);
        if (f >= 0 && layer.specs[static_cast<std::size_t>(layer.opaqueOwner[static_cast<std::size_t>(f)])].type == AssetType::Eyelashes &&
            layer.opaque.depth(x, y) < worn.annotations.landmarks3d(k, 2))
            ++covered;
    }
    EXPECT_GE(covered, 2) << "the test must put lashes in front of landmarks to mean anything";
    // Turned, the same: lid landmarks keep their bare visibility.
    for (float yaw : {-0.52f, 0.52f}) {
        const RenderedSample b = pipeline().render(frontal({}, yaw)), w = pipeline().render(frontal({lashes(), brows()}, yaw));
        for (int k = 17; k < 48; ++k)
            EXPECT_EQ(w.annotations.landmarkVisible[static_cast<std::size_t>(k)], b.annotations.landmarkVisible[static_cast<std::size_t>(k)])
                << "landmark " << k << " yaw " << yaw;
    }
    // A frame behind the lashes still hides what it covers: small rims with
    // a wide band hide the eyes' outer corners (test_assets_render.cpp),
    // with lashes worn or not.
    AssetSpec g = asset(AssetType::Glasses);
    g.glasses.rimHalfWidth = 0.0105f;
    g.glasses.rimHalfHeight = 0.009f;
    g.glasses.frameWidth = 0.006f;
    const RenderedSample framed = pipeline().render(frontal({g})), framedLashes = pipeline().render(frontal({g, lashes()}));
    EXPECT_EQ(framed.annotations.landmarkVisible[36], 0);
    EXPECT_EQ(framed.annotations.landmarkVisible[45], 0);
    EXPECT_EQ(framedLashes.annotations.landmarkVisible, framed.annotations.landmarkVisible);
    // The lashes are dark in the image.
    int dark = 0, total = 0;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x)
            if (layer.opaque.face(x, y) >= 0 &&
                layer.specs[static_cast<std::size_t>(layer.opaqueOwner[static_cast<std::size_t>(layer.opaque.face(x, y))])].type ==
                    AssetType::Eyelashes &&
                (with.at<std::uint8_t>(y, x) == kRightEye || with.at<std::uint8_t>(y, x) == kLeftEye)) {
                const cv::Vec3b px = worn.image.image.at<cv::Vec3b>(y, x);
                ++total;
                dark += px[0] < 60 && px[1] < 60 && px[2] < 60;
            }
    EXPECT_GT(total, 30);
    EXPECT_GT(dark, total * 9 / 10);
}

/// A layer of camera-facing squares (half `half` pixels) centred on the ray
/// through image point (u, v), one per (type, depth), rasterised over the
/// whole image.
AssetLayer squaresAt(float u, float v, const std::vector<std::pair<AssetType, float>>& squares, float half) {
    const raster::Intrinsics k = raster::Intrinsics::fromMatrix(frontal({}).camera.pinhole().intrinsicsPixels(kSize, kSize));
    AssetLayer l;
    l.intrinsics = k;
    l.focalPixels = k.fx;
    l.vertices.resize(static_cast<Eigen::Index>(4 * squares.size()), 3);
    l.normals = raster::Vertices::Zero(l.vertices.rows(), 3);
    l.opaqueFaces.resize(static_cast<Eigen::Index>(2 * squares.size()), 3);
    l.lensFaces.resize(0, 3);
    for (std::size_t s = 0; s < squares.size(); ++s) {
        l.specs.push_back(asset(squares[s].first));
        const float z = squares[s].second;
        const Eigen::Index v0 = static_cast<Eigen::Index>(4 * s);
        const float corners[4][2] = {{-half, -half}, {half, -half}, {half, half}, {-half, half}};
        for (int c = 0; c < 4; ++c) {
            const float px = u + corners[c][0], py = v + corners[c][1];
            l.vertices.row(v0 + c) << (px - k.cx) * z / k.fx, (py - k.cy) * z / k.fy, z;
            l.normals.row(v0 + c) << 0.0f, 0.0f, -1.0f;
        }
        const Eigen::Index f0 = static_cast<Eigen::Index>(2 * s);
        l.opaqueFaces.row(f0) << static_cast<int>(v0), static_cast<int>(v0 + 1), static_cast<int>(v0 + 2);
        l.opaqueFaces.row(f0 + 1) << static_cast<int>(v0), static_cast<int>(v0 + 2), static_cast<int>(v0 + 3);
        for (int t = 0; t < 2; ++t) {
            l.opaqueOwner.push_back(static_cast<std::int32_t>(s));
            l.opaqueSlot.push_back(static_cast<std::uint8_t>(assetClassSlot(squares[s].first, false)));
        }
    }
    l.opaqueBack.assign(static_cast<std::size_t>(l.opaqueFaces.rows()), 0);
    raster::RasterOptions o;
    o.threads = 1;
    raster::rasterize(l.vertices, k, l.opaqueFaces, kSize, kSize, o, l.opaque.r);
    return l;
}

TEST(BrowsLashesStubbleRender, AHidingAssetBehindALashStillHidesTheLandmark) {
    // Lashes never hide a landmark, but where one is nearest, a hat or frame
    // between it and the landmark still does.
    const RenderedSample bare = pipeline().render(frontal({}));
    const int k = 36;
    ASSERT_TRUE(bare.annotations.landmarkVisible[k]);
    const float u = bare.annotations.landmarks2d(k, 0), v = bare.annotations.landmarks2d(k, 1);
    const float z = bare.annotations.landmarks3d(k, 2);
    const float tol = pipeline().annotation.visibilityTolerance;
    auto visibleWith = [&](const std::vector<std::pair<AssetType, float>>& squares) {
        annotate::Annotations a = bare.annotations;
        AssetLayer l = squaresAt(u, v, squares, 3.0f);
        compositeAnnotations(l, defaultAssetClassIds(), tol, a);
        return a.landmarkVisible[k] != 0;
    };
    const float lash = z * 0.9f, hat = z * 0.95f;
    EXPECT_TRUE(visibleWith({{AssetType::Eyelashes, lash}}));
    EXPECT_TRUE(visibleWith({{AssetType::Eyebrows, lash}}));
    EXPECT_FALSE(visibleWith({{AssetType::Headwear, hat}}));
    EXPECT_FALSE(visibleWith({{AssetType::Headwear, hat}, {AssetType::Eyelashes, lash}})) << "the hat behind the lash";
    EXPECT_TRUE(visibleWith({{AssetType::Headwear, z * 1.2f}, {AssetType::Eyelashes, lash}})) << "a hat behind the landmark";
}

TEST(BrowsLashesStubbleRender, BrowsStayOnTheSkinAsTheNeckTurnsAndTheJawOpens) {
    for (float yaw : {-0.52f, 0.0f, 0.52f}) {
        SampleSpec spec = frontal({brows()}, yaw);
        spec.params.pose.segment<3>(3 * head::kJaw) << 0.25f, 0.0f, 0.0f;
        const RenderedSample s = pipeline().render(spec);
        const cv::Mat& seg = s.annotations.segmentation;
        const SidePixels brow = sidePixels(spec, s, AssetType::Eyebrows, {kRightBrow, kLeftBrow});
        for (int id : {kRightBrow, kLeftBrow}) {
            // Brow geometry on each side, all labelled, all of it next to
            // skin and none next to background (no brow floating off).
            const int side = id == kLeftBrow ? 1 : 0;
            ASSERT_GT(brow.pixels[side], 30) << "yaw " << yaw << " class " << id;
            EXPECT_EQ(brow.labelled[side], brow.pixels[side]) << "yaw " << yaw << " class " << id;
            int nextToBackground = 0, nextToSkin = 0, pixels = 0, floating = 0;
            for (int y = 1; y + 1 < kSize; ++y)
                for (int x = 1; x + 1 < kSize; ++x) {
                    if (seg.at<std::uint8_t>(y, x) != id) continue;
                    ++pixels;
                    bool bg = false, skin = false;
                    for (int dy = -1; dy <= 1; ++dy)
                        for (int dx = -1; dx <= 1; ++dx) {
                            bg = bg || seg.at<std::uint8_t>(y + dy, x + dx) == 0;
                            skin = skin || seg.at<std::uint8_t>(y + dy, x + dx) == kSkin;
                        }
                    nextToBackground += bg;
                    nextToSkin += skin;
                    // Floating: background on both sides, or above and below.
                    floating += (seg.at<std::uint8_t>(y, x - 1) == 0 && seg.at<std::uint8_t>(y, x + 1) == 0) ||
                                (seg.at<std::uint8_t>(y - 1, x) == 0 && seg.at<std::uint8_t>(y + 1, x) == 0);
                }
            // At the silhouette a brow standing off the skin may meet the
            // background, as the painted brow does; it never floats off it.
            EXPECT_LE(nextToBackground, pixels / 10) << "yaw " << yaw << " class " << id;
            EXPECT_EQ(floating, 0) << "yaw " << yaw << " class " << id;
            EXPECT_GT(nextToSkin, pixels / 5) << "yaw " << yaw << " class " << id;
            // The brow's middle landmark (iBUG 19 right, 24 left) lies on or next to brow pixels.
            const int lm = id == kRightBrow ? 19 : 24;
            const int lx = static_cast<int>(s.annotations.landmarks2d(lm, 0)), ly = static_cast<int>(s.annotations.landmarks2d(lm, 1));
            int near = 0;
            for (int dy = -2; dy <= 2; ++dy)
                for (int dx = -2; dx <= 2; ++dx) near += seg.at<std::uint8_t>(ly + dy, lx + dx) == id;
            EXPECT_GT(near, 0) << "yaw " << yaw << " landmark " << lm;
        }
    }
}

/// Mean 8-bit luminance of the image over `mask`.
double meanOver(const cv::Mat& bgr, const cv::Mat& mask) {
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    return cv::mean(grey, mask)[0];
}

TEST(BrowsLashesStubbleRender, StubbleDarkensTheBeardZoneAndChangesNoLabel) {
    const RenderedSample off = pipeline().render(frontal({}));
    const RenderedSample on = pipeline().render(frontal({stubble()}));
    EXPECT_EQ(cv::norm(on.annotations.segmentation, off.annotations.segmentation, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(on.annotations.depth, off.annotations.depth, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(on.annotations.normals, off.annotations.normals, cv::NORM_INF), 0.0);
    EXPECT_EQ(on.annotations.landmarkVisible, off.annotations.landmarkVisible);
    // The beard zone: skin below the nose (iBUG 33) between the jaw's sides
    // (iBUG 4 and 12); the forehead above the brows is outside it.
    const auto& lm = off.annotations.landmarks2d;
    cv::Mat zone = cv::Mat::zeros(kSize, kSize, CV_8U), forehead = zone.clone();
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            if (off.annotations.segmentation.at<std::uint8_t>(y, x) != kSkin) continue;
            if (y > lm(33, 1) + 2 && x > lm(4, 0) && x < lm(12, 0)) zone.at<std::uint8_t>(y, x) = 255;
            if (y < std::min(lm(19, 1), lm(24, 1)) - 4) forehead.at<std::uint8_t>(y, x) = 255;
        }
    ASSERT_GT(cv::countNonZero(zone), 500);
    const double darker = meanOver(off.image.image, zone) - meanOver(on.image.image, zone);
    EXPECT_GT(darker, 8.0) << "8-bit levels";
    cv::Mat diff;
    cv::absdiff(on.image.image, off.image.image, diff);
    cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
    EXPECT_EQ(cv::countNonZero(diff & forehead), 0) << "no stubble on the forehead";
    // Under a full beard it does not show: the beard's pixels are the same
    // with stubble as without.
    AssetSpec beard = asset(AssetType::Beard);
    beard.beard.style = BeardStyle::Full;
    const RenderedSample bearded = pipeline().render(frontal({beard})), both = pipeline().render(frontal({beard, stubble()}));
    const cv::Mat beardPixels = bearded.annotations.segmentation == 14;
    ASSERT_GT(cv::countNonZero(beardPixels), 300);
    cv::absdiff(both.image.image, bearded.image.image, diff);
    cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
    EXPECT_EQ(cv::countNonZero(diff & beardPixels), 0);
}

TEST(BrowsLashesStubbleRender, StubbleMovesWithTheFace) {
    // The pattern is a function of the rest-pose surface: the coverage at a
    // surface point is fixed, and differs between points.
    StubbleShape s;
    s.density = 0.7f;
    s.length = 0.0006f;
    int differs = 0;
    float last = -1.0f;
    for (int k = 0; k < 40; ++k) {
        const Eigen::Vector2f p(0.02f + 0.0002f * k, -0.05f);
        const float c = stubbleCoverage(s, p, 0.0003f);
        EXPECT_EQ(c, stubbleCoverage(s, p, 0.0003f));
        EXPECT_GE(c, 0.0f);
        EXPECT_LE(c, 1.0f);
        differs += c != last;
        last = c;
    }
    EXPECT_GT(differs, 5);
    // Wider pixels: fainter but wider hairs, about the same average.
    double fine = 0.0, coarse = 0.0;
    for (int k = 0; k < 4000; ++k) {
        const Eigen::Vector2f p(0.01f + 0.00001f * static_cast<float>(k % 200) * 7.3f, -0.04f - 0.00013f * static_cast<float>(k / 200));
        fine += stubbleCoverage(s, p, 0.0001f);
        coarse += stubbleCoverage(s, p, 0.0008f);
    }
    EXPECT_NEAR(coarse / fine, 1.0, 0.5);
}

TEST(BrowsLashesStubbleRender, SameSeedSameBytes) {
    SamplePipeline p = pipeline();
    p.sampler.assets = testutil::noAssets();
    p.sampler.assets.eyebrows.frequency = p.sampler.assets.eyelashes.frequency = p.sampler.assets.stubble.frequency = 1.0;
    p.sampler.assets.hair.frequency = 1.0;
    for (std::uint64_t i = 0; i < 2; ++i) {
        const RenderedSample a = p.render(8, i), b = p.render(8, i);
        ASSERT_EQ(a.spec.assets.size(), 4u);
        EXPECT_EQ(cv::norm(a.image.image, b.image.image, cv::NORM_INF), 0.0);
        EXPECT_EQ(cv::norm(a.annotations.segmentation, b.annotations.segmentation, cv::NORM_INF), 0.0);
        EXPECT_EQ(cv::norm(a.annotations.depth, b.annotations.depth, cv::NORM_INF), 0.0);
        EXPECT_EQ(sampleAnnotationJson(a, 8, kSize, kSize), sampleAnnotationJson(b, 8, kSize, kSize));
    }
}

TEST(BrowsLashesStubbleRender, ModelsWithoutLandmarksRefuseThemByName) {
    head::HeadModel m = *pipeline().model;
    m.landmarks = head::LandmarkEmbedding{};
    const AssetHeadFrame frame = assetHeadFrame(m);
    for (AssetType t : {AssetType::Eyebrows, AssetType::Eyelashes}) {
        try {
            buildAsset(asset(t), m, frame);
            FAIL() << assetTypeName(t) << " built without landmarks";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(assetTypeName(t)), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(stubbleField(m, frame), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::generate
