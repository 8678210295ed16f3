// Hair, beards and face masks (issue 20): their draws, the
// geometry they build, what they hide (checked against the raster), how
// they follow pose, and their strand texture.

#include <algorithm>
#include <cmath>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/asset_json.h"
#include "core/generate/assets/mesh_shapes.h"
#include "core/generate/sampler.h"
#include "tests/support/asset_configs.h"
#include "tests/support/asset_scenes.h"

namespace synthforge::generate {
namespace {

using namespace assettest;

int countIn(const std::vector<int>& v, int lo, int hi) {
    return static_cast<int>(std::count_if(v.begin(), v.end(), [&](int k) { return k >= lo && k <= hi; }));
}

// ------------------------------------------------------------ draws

TEST(HairBeardMaskDraw, StylesComeFromTheAllowedSetAndTheBeardMatchesTheHair) {
    AssetsSamplerConfig c = testutil::noAssets();
    c.hair.frequency = c.beard.frequency = 1.0;
    c.hairStyles = (1u << static_cast<int>(HairStyle::Short)) | (1u << static_cast<int>(HairStyle::TiedBack));
    c.beardStyles = 1u << static_cast<int>(BeardStyle::Goatee);
    std::set<int> seen;
    for (std::uint64_t i = 0; i < 60; ++i) {
        const auto a = drawAssets(c, 2, i);
        ASSERT_EQ(a.size(), 2u);
        ASSERT_EQ(a[0].type, AssetType::Hair);
        ASSERT_EQ(a[1].type, AssetType::Beard);
        seen.insert(static_cast<int>(a[0].hair.style));
        EXPECT_EQ(a[1].beard.style, BeardStyle::Goatee);
        EXPECT_EQ(a[1].material.baseColor, a[0].material.baseColor) << "beard takes the hair's colour";
        EXPECT_EQ(a[0].hair.length > 0.0f, a[0].hair.style == HairStyle::Long);
    }
    EXPECT_EQ(seen, (std::set<int>{static_cast<int>(HairStyle::Short), static_cast<int>(HairStyle::TiedBack)}));
}

TEST(HairBeardMaskDraw, NewTypesNeverChangeTheFirstThreeTypesDraws) {
    AssetsSamplerConfig before = testutil::noAssets(), after;
    before.glasses.frequency = before.headwear.frequency = before.clothing.frequency = 1.0;
    after = before;
    after.hair.frequency = after.beard.frequency = after.facewear.frequency = 1.0;
    for (std::uint64_t i = 0; i < 20; ++i) {
        const auto a = drawAssets(before, 8, i), b = drawAssets(after, 8, i);
        ASSERT_EQ(a.size(), 3u);
        ASSERT_EQ(b.size(), 6u);
        for (std::size_t k = 0; k < 3; ++k) {
            EXPECT_EQ(a[k].id, b[k].id);
            EXPECT_EQ(a[k].material.baseColor, b[k].material.baseColor);
        }
        EXPECT_EQ(a[0].glasses.rimHalfWidth, b[0].glasses.rimHalfWidth);
    }
}

TEST(HairBeardMaskDraw, MelaninGivesDarkerHairWithMoreEumelaninAndRedderWithPheomelanin) {
    const Eigen::Vector3f blond = hairColorFromMelanin(0.2, 0.0), brown = hairColorFromMelanin(1.5, 0.0);
    const Eigen::Vector3f black = hairColorFromMelanin(10.0, 0.0), red = hairColorFromMelanin(0.3, 1.2);
    for (int c = 0; c < 3; ++c) {
        EXPECT_GT(blond[c], brown[c]);
        EXPECT_GT(brown[c], black[c]);
    }
    EXPECT_LT(black.maxCoeff(), 0.01f);
    // exp(-2 * 0.2 * 0.419) = 0.846 in red for the blond.
    EXPECT_NEAR(blond.x(), std::exp(-2.0 * 0.2 * 0.419), 1e-6);
    // Pheomelanin absorbs blue far more than red.
    EXPECT_GT(red.x() / red.z(), 5.0f * blond.x() / blond.z());
}

// ------------------------------------------------------------ geometry and raster

TEST(HairBeardMaskRender, AFringeHidesTheBrows) {
    AssetSpec h = asset(AssetType::Hair);
    h.hair.hairline = 0.004f;  // down to just above the eyes
    h.hair.recession = 0.0f;
    std::vector<int> hidden;
    const auto [byHair, behindLens] = checkOcclusion(h, &hidden);
    EXPECT_EQ(behindLens, 0);
    EXPECT_GE(countIn(hidden, 17, 26), 6) << "of " << byHair << " hidden";
    EXPECT_EQ(countIn(hidden, 48, 67), 0) << "the mouth stays visible";
}

TEST(HairBeardMaskRender, AMaskHidesMouthAndNostrilsNotTheEyes) {
    std::vector<int> hidden;
    checkOcclusion(asset(AssetType::Facewear), &hidden);
    EXPECT_GE(countIn(hidden, 48, 67), 18) << "mouth landmarks hidden";
    EXPECT_GE(countIn(hidden, 31, 35), 4) << "nostrils hidden";
    EXPECT_EQ(countIn(hidden, 36, 47), 0) << "eyes visible";
    EXPECT_EQ(countIn(hidden, 17, 26), 0) << "brows visible";
}

TEST(HairBeardMaskRender, AFullBeardHidesTheChinButNotTheLips) {
    std::vector<int> hidden;
    checkOcclusion(asset(AssetType::Beard), &hidden);
    EXPECT_NE(std::find(hidden.begin(), hidden.end(), 8), hidden.end()) << "the chin";
    // The lips' outer contour sits on bare lips.
    EXPECT_LE(countIn(hidden, 49, 53) + countIn(hidden, 55, 59), 1);
    EXPECT_EQ(countIn(hidden, 36, 47), 0);
}

TEST(HairBeardMaskRender, TheMaskStaysOnTheMouthWhenTheNeckTurnsAndTheJawOpens) {
    for (float yaw : {-0.52f, 0.52f}) {
        SampleSpec s = frontal({asset(AssetType::Facewear)}, yaw);
        s.params.pose.segment<3>(3 * head::kJaw) << 0.2f, 0.0f, 0.0f;
        SampleSpec bareSpec = s;
        bareSpec.assets.clear();
        const RenderedSample worn = pipeline().render(s), bare = pipeline().render(bareSpec);
        int visibleBare = 0, hiddenWorn = 0;
        for (int k = 48; k <= 67; ++k) {
            if (!bare.annotations.landmarkVisible[static_cast<std::size_t>(k)]) continue;
            ++visibleBare;
            hiddenWorn += worn.annotations.landmarkVisible[static_cast<std::size_t>(k)] ? 0 : 1;
        }
        EXPECT_GE(visibleBare, 10) << yaw;
        EXPECT_EQ(hiddenWorn, visibleBare) << "at neck yaw " << yaw;
        EXPECT_GT(countClass(worn.annotations.segmentation, 18), 800) << yaw;
    }
}

TEST(HairBeardMaskRender, StylesBuildDistinctGeometry) {
    const head::HeadModel& m = *pipeline().model;
    const AssetHeadFrame frame = assetHeadFrame(m);
    auto hairOf = [&](HairStyle style) {
        AssetSpec a = asset(AssetType::Hair);
        a.hair.style = style;
        a.hair.length = style == HairStyle::Long ? 0.15f : 0.0f;
        a.hair.curl = style == HairStyle::Curly ? 0.006f : 0.0f;
        return buildAsset(a, m, frame);
    };
    auto lowest = [](const AssetMesh& mesh) {
        float y = 1e9f;
        for (const auto& v : mesh.vertices) y = std::min(y, v.y());
        return y;
    };
    const AssetMesh shortHair = hairOf(HairStyle::Short), longHair = hairOf(HairStyle::Long);
    const AssetMesh tied = hairOf(HairStyle::TiedBack);
    EXPECT_LT(lowest(longHair), lowest(shortHair) - 0.1f) << "long hair falls below the nape";
    EXPECT_GT(tied.numVertices(), shortHair.numVertices() - 200) << "a bun";
    // Every vertex carries a strand coordinate.
    for (const AssetMesh* mesh : {&shortHair, &longHair, &tied})
        for (float s : mesh->strand) ASSERT_TRUE(std::isfinite(s));
    // Beard styles nest: moustache within goatee within full.
    auto beardOf = [&](BeardStyle style) {
        AssetSpec a = asset(AssetType::Beard);
        a.beard.style = style;
        return buildAsset(a, m, frame).numFaces();
    };
    const int moustache = beardOf(BeardStyle::Moustache), goatee = beardOf(BeardStyle::Goatee), full = beardOf(BeardStyle::Full);
    EXPECT_GT(moustache, 10);
    EXPECT_GT(goatee, moustache);
    EXPECT_GT(full, goatee);
}

TEST(HairBeardMaskRender, HairShowsStrandsAndItsClassCarriesTheAnnotation) {
    AssetSpec h = asset(AssetType::Hair);
    h.material.baseColor = {0.5f, 0.35f, 0.2f};
    const RenderedSample bare = pipeline().render(frontal({}));
    const RenderedSample worn = pipeline().render(frontal({h}));
    // Hair pixels that the asset put there differ from the bald render and
    // vary in brightness along a row (strands), not one flat shade.
    int added = 0;
    std::set<int> tones;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            if (worn.annotations.segmentation.at<std::uint8_t>(y, x) != 13) continue;
            if (worn.annotations.depth.at<float>(y, x) >= bare.annotations.depth.at<float>(y, x) &&
                bare.annotations.depth.at<float>(y, x) > 0.0f)
                continue;  // the head's own painted hair
            ++added;
            if (y == kSize / 5) tones.insert(worn.image.image.at<cv::Vec3b>(y, x)[1] / 8);
        }
    EXPECT_GT(added, 1000);
    EXPECT_GE(tones.size(), 4u);
    for (float s = -0.1f; s < 0.1f; s += 0.0007f) {
        const float t = strandTone(s, 3.0f);
        ASSERT_GE(t, 0.62f - 1e-6f);
        ASSERT_LE(t, 1.0f + 1e-6f);
    }
}

TEST(HairBeardMaskRender, ModelsWithoutLandmarksRefuseBeardsAndMasksByName) {
    head::HeadModel m = *pipeline().model;
    m.landmarks = head::LandmarkEmbedding{};
    const AssetHeadFrame frame = assetHeadFrame(m);
    EXPECT_TRUE(frame.landmarks.empty());
    EXPECT_GT(buildAsset(asset(AssetType::Hair), m, frame).numFaces(), 100) << "hair needs no landmarks";
    for (AssetType t : {AssetType::Beard, AssetType::Facewear}) {
        try {
            buildAsset(asset(t), m, frame);
            FAIL() << assetTypeName(t) << " built without landmarks";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("68-landmark"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(assetTypeName(t)), std::string::npos) << e.what();
        }
    }
}

TEST(HairBeardMaskJson, ListsStyleAndShape) {
    AssetsSamplerConfig c = testutil::noAssets();
    c.hair.frequency = c.beard.frequency = c.facewear.frequency = 1.0;
    const auto j = assetsJson(drawAssets(c, 1, 0));
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0]["type"], "hair");
    EXPECT_EQ(j[0]["class"], 13);
    EXPECT_TRUE(j[0].contains("style") && j[0].contains("hairline") && j[0].contains("thickness"));
    EXPECT_EQ(j[1]["type"], "beard");
    EXPECT_EQ(j[1]["class"], 14);
    EXPECT_EQ(j[2]["type"], "facewear");
    EXPECT_EQ(j[2]["class"], 18);
    const std::string style = j[2]["style"];
    EXPECT_TRUE(style == "surgical" || style == "cloth") << style;
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

TEST(AssetShadows, ACapsVisorShadesTheForeheadAndChangesNoLabel) {
    AssetSpec cap = asset(AssetType::Headwear);
    cap.headwear.cap = true;
    cap.headwear.frontEdge = 0.03f;
    cap.material.baseColor = {0.8f, 0.8f, 0.8f};
    // The generator's key high above the face (latent dim 22 is its
    // elevation, ~53 degrees here): the visor's shadow falls on the forehead.
    SampleSpec bareSpec = frontal({}), wornSpec = frontal({cap});
    bareSpec.z[22] = wornSpec.z[22] = 1.5f;
    const RenderedSample bare = pipeline().render(bareSpec);
    const RenderedSample worn = pipeline().render(wornSpec);
    int darker = 0, lighter = 0, changedBelow = 0;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            const int classWorn = worn.annotations.segmentation.at<std::uint8_t>(y, x);
            if (classWorn == 17) continue;  // the cap itself
            // Labels of the head are the bare head's, shadow or not.
            ASSERT_EQ(classWorn, bare.annotations.segmentation.at<std::uint8_t>(y, x)) << x << "," << y;
            const cv::Vec3b a = worn.image.image.at<cv::Vec3b>(y, x), b = bare.image.image.at<cv::Vec3b>(y, x);
            const int d = (a[0] + a[1] + a[2]) - (b[0] + b[1] + b[2]);
            if (d < -6) ++darker;
            if (d > 0) ++lighter;
            if (y > kSize * 3 / 4 && a != b) ++changedBelow;
        }
    EXPECT_GT(darker, 40) << "the forehead under the visor";
    EXPECT_EQ(lighter, 0) << "a shadow never brightens";
    EXPECT_EQ(changedBelow, 0) << "the lower face is out of the visor's reach";
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

TEST(AssetShadows, HairUnderAHatStaysUnderIt) {
    AssetsSamplerConfig c = testutil::noAssets();
    c.hair.frequency = c.headwear.frequency = 1.0;
    c.hairStyles = 1u << static_cast<int>(HairStyle::Curly);  // the fullest style
    for (std::uint64_t i = 0; i < 10; ++i) {
        const auto a = drawAssets(c, 4, i);
        ASSERT_EQ(a.size(), 2u);
        EXPECT_LE(a[1].hair.thickness, 0.5f * a[0].headwear.thickness + 1e-7f);
        EXPECT_LE(a[1].hair.curl, 0.25f * a[0].headwear.thickness + 1e-7f);
    }
    // Rendered: wherever the hat alone shows, the hat still shows with hair.
    AssetSpec hat = asset(AssetType::Headwear), hair = asset(AssetType::Hair);
    hair.hair.style = HairStyle::Curly;
    hair.hair.thickness = 0.02f;  // as drawn alone; rendering presses it flat
    hair.hair.curl = 0.008f;
    const RenderedSample hatOnly = pipeline().render(frontal({hat}));
    const RenderedSample both = pipeline().render(frontal({hat, hair}));
    const cv::Mat hatMask = hatOnly.annotations.segmentation == 17;
    const int hatPixels = cv::countNonZero(hatMask);
    const int stillHat = cv::countNonZero(hatMask & (both.annotations.segmentation == 17));
    ASSERT_GT(hatPixels, 500);
    EXPECT_GE(stillHat, hatPixels * 98 / 100);
}

}  // namespace
}  // namespace synthforge::generate
