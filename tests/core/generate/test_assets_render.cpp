// Assets in rendered samples, checked against the raster: each class shows
// in the segmentation exactly when its asset is worn, lenses leave the
// landmarks behind them visible while frames and hats hide theirs, assets
// stay attached to the head as the neck turns, and renders are deterministic.

#include <algorithm>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "core/generate/assets/asset_builders.h"
#include "core/generate/assets/asset_composite.h"
#include "core/generate/dataset_layout.h"
#include "tests/support/asset_configs.h"
#include "tests/support/asset_scenes.h"

namespace synthforge::generate {
namespace {

using namespace assettest;

TEST(AssetsRender, EachClassAppearsExactlyWhenItsAssetIsWorn) {
    // Hair (13) is also the class of the hair painted on the bald head's
    // scalp, so hair geometry must add pixels of it; every other asset class
    // exists only where its asset is.
    // Eyebrows, eyelashes and stubble label with the head's own classes
    // (brow, eye, skin): test_assets_brows.cpp checks them.
    const int ids[] = {16, 17, 15, 13, 14, 18};
    constexpr int kOwnClassTypes = 6;
    const RenderedSample bare = pipeline().render(frontal({}));
    for (int k = 0; k < kOwnClassTypes; ++k) {
        const auto type = static_cast<AssetType>(k);
        const RenderedSample with = pipeline().render(frontal({asset(type)}));
        EXPECT_GT(countClass(with.annotations.segmentation, ids[k]), countClass(bare.annotations.segmentation, ids[k]) + 100)
            << assetTypeName(type);
        for (int other = 0; other < kOwnClassTypes; ++other)
            if (other != k && ids[other] != 13) {
                EXPECT_EQ(countClass(with.annotations.segmentation, ids[other]), 0) << assetTypeName(type);
            }
    }
    // With every type off, none ever shows in random samples.
    for (std::uint64_t i = 0; i < 6; ++i) {
        const RenderedSample s = pipeline().render(drawSample(testutil::bareSampler(), *pipeline().model, 3, i));
        EXPECT_TRUE(s.spec.assets.empty());
        for (int id : ids) {
            if (id != 13) {
                EXPECT_EQ(countClass(s.annotations.segmentation, id), 0) << "sample " << i;
            }
        }
    }
}

TEST(AssetsRender, AssetPixelsCarryDepthNormalsAndColourOfTheAsset) {
    const RenderedSample bare = pipeline().render(frontal({}));
    const RenderedSample worn = pipeline().render(frontal({asset(AssetType::Headwear)}));
    const cv::Mat hat = worn.annotations.segmentation == 17;
    const Eigen::Matrix3f k = frontal({}).camera.pinhole().intrinsicsPixels(kSize, kSize);
    int nearer = 0, changed = 0, total = 0;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            if (!hat.at<std::uint8_t>(y, x)) continue;
            ++total;
            const float d = worn.annotations.depth.at<float>(y, x), d0 = bare.annotations.depth.at<float>(y, x);
            EXPECT_GT(d, 0.0f);
            nearer += d0 == 0.0f || d < d0;
            const cv::Vec3f n = worn.annotations.normals.at<cv::Vec3f>(y, x);
            EXPECT_NEAR(cv::norm(n), 1.0, 1e-3);
            const Eigen::Vector3f ray((x + 0.5f - k(0, 2)) / k(0, 0), (y + 0.5f - k(1, 2)) / k(1, 1), 1.0f);
            EXPECT_LE(ray.dot(Eigen::Vector3f(n[0], n[1], n[2])), 1e-4f) << "normals face the camera";
            changed += worn.image.image.at<cv::Vec3b>(y, x) != bare.image.image.at<cv::Vec3b>(y, x);
        }
    EXPECT_GT(total, 500);
    EXPECT_EQ(nearer, total);
    EXPECT_GT(changed, total * 9 / 10);
}

TEST(AssetsRender, LandmarksBehindLensesStayVisibleBehindFramesNot) {
    // Small round rims with a wide band: the lenses cover the pupils and
    // inner eye landmarks, the band runs over the eyes' outer corners.
    AssetSpec g = asset(AssetType::Glasses);
    g.glasses.rimHalfWidth = 0.0105f;
    g.glasses.rimHalfHeight = 0.009f;
    g.glasses.frameWidth = 0.006f;
    std::vector<int> hidden;
    const auto [byFrame, behindLens] = checkOcclusion(g, &hidden);
    EXPECT_GE(byFrame, 1);
    EXPECT_GE(behindLens, 4);
    // The eyes' outer corners (iBUG 36 and 45) sit under the band.
    EXPECT_NE(std::find(hidden.begin(), hidden.end(), 36), hidden.end());
    EXPECT_NE(std::find(hidden.begin(), hidden.end(), 45), hidden.end());
    // Ordinary glasses: eye landmarks stay visible through the lenses.
    const auto [byFrame2, behindLens2] = checkOcclusion(asset(AssetType::Glasses));
    EXPECT_GE(behindLens2, 10);
    (void)byFrame2;
}

TEST(AssetsRender, APulledDownHatHidesTheBrows) {
    AssetSpec h = asset(AssetType::Headwear);
    h.headwear.frontEdge = 0.008f;  // the edge just above the eyes
    std::vector<int> hidden;
    const auto [byHat, behindLens] = checkOcclusion(h, &hidden);
    EXPECT_EQ(behindLens, 0);
    const int brows = static_cast<int>(std::count_if(hidden.begin(), hidden.end(), [](int k) { return k >= 17 && k <= 26; }));
    EXPECT_GE(brows, 6) << "of " << byHat << " hidden";
}

/// Distance in pixels from `p` to the nearest pixel of class `id`.
float distanceToClass(const cv::Mat& seg, int id, const Eigen::Vector2f& p) {
    float best = std::numeric_limits<float>::infinity();
    for (int y = 0; y < seg.rows; ++y)
        for (int x = 0; x < seg.cols; ++x)
            if (seg.at<std::uint8_t>(y, x) == id)
                best = std::min(best, (Eigen::Vector2f(x + 0.5f, y + 0.5f) - p).norm());
    return best;
}

TEST(AssetsRender, GlassesFollowTheHeadUnderNeckYawWithoutGap) {
    const AssetSpec g = asset(AssetType::Glasses);
    std::vector<float> bridgeGap;
    for (float yaw : {-0.52f, 0.0f, 0.52f}) {
        const RenderedSample s = pipeline().render(frontal({g}, yaw));
        // The bridge rests at the top of the nose (iBUG 27).
        const Eigen::Vector2f nasion = s.annotations.landmarks2d.row(27).transpose();
        bridgeGap.push_back(distanceToClass(s.annotations.segmentation, 16, nasion));
        // Every glasses pixel touches the head or another glasses pixel: no
        // frame floats off in the background, detached.
        const cv::Mat& seg = s.annotations.segmentation;
        int floating = 0;
        for (int y = 1; y + 1 < kSize; ++y)
            for (int x = 1; x + 1 < kSize; ++x) {
                if (seg.at<std::uint8_t>(y, x) != 16) continue;
                int head = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int c = seg.at<std::uint8_t>(y + dy, x + dx);
                        head += c != 0 && c != 16;
                    }
                floating += head == 0 && seg.at<std::uint8_t>(y, x - 1) == 0 && seg.at<std::uint8_t>(y, x + 1) == 0;
            }
        EXPECT_EQ(floating, 0) << "yaw " << yaw;
    }
    for (float d : bridgeGap) EXPECT_LT(d, 4.0f);
    EXPECT_NEAR(bridgeGap[0], bridgeGap[2], 2.0f) << "the turn is symmetric";
}

TEST(AssetsRender, PosedAssetsKeepTheirDistanceToTheirAnchors) {
    const head::HeadModel& m = *pipeline().model;
    const AssetHeadFrame frame = assetHeadFrame(m);
    for (int k = 0; k < kNumAssetTypes; ++k) {
        const AssetMesh mesh = buildAsset(asset(static_cast<AssetType>(k)), m, frame);
        if (static_cast<AssetType>(k) == AssetType::Stubble) {
            EXPECT_EQ(mesh.numFaces(), 0) << "stubble is a texture";
            continue;
        }
        ASSERT_GT(mesh.numFaces(), 50);
        head::HeadParams p;
        p.pose.segment<3>(3 * head::kNeck) << 0.2f, 0.52f, 0.0f;
        p.pose.segment<3>(3 * head::kJaw) << 0.25f, 0.0f, 0.0f;
        p.pose.segment<3>(3 * head::kGlobal) << 0.0f, -0.3f, 0.1f;
        const head::HeadPose pose = head::forward(m, p);
        const head::RowMatX3f posed = poseAsset(mesh, m, pose);
        float worst = 0.0f;
        for (int v = 0; v < mesh.numVertices(); ++v) {
            const std::int32_t a = mesh.anchor[static_cast<std::size_t>(v)];
            const float rest = (mesh.vertices[static_cast<std::size_t>(v)] - m.vTemplate.row(a).transpose()).norm();
            const float now = (posed.row(v) - pose.vertices.row(a)).norm();
            worst = std::max(worst, std::abs(now - rest));
        }
        // Blended rotations are not exactly orthonormal; a millimetre is
        // well under a pixel at 512 for our cameras.
        EXPECT_LT(worst, 1e-3f) << assetTypeName(static_cast<AssetType>(k));
    }
}

TEST(AssetsRender, SameSeedSameBytes) {
    SamplePipeline p = pipeline();
    for (int k = 0; k < kNumAssetTypes; ++k) p.sampler.assets.of(static_cast<AssetType>(k)).frequency = 1.0;
    for (std::uint64_t i = 0; i < 2; ++i) {
        const RenderedSample a = p.render(5, i), b = p.render(5, i);
        ASSERT_EQ(a.spec.assets.size(), static_cast<std::size_t>(kNumAssetTypes));
        EXPECT_EQ(cv::norm(a.image.image, b.image.image, cv::NORM_INF), 0.0);
        EXPECT_EQ(cv::norm(a.annotations.segmentation, b.annotations.segmentation, cv::NORM_INF), 0.0);
        EXPECT_EQ(cv::norm(a.annotations.depth, b.annotations.depth, cv::NORM_INF), 0.0);
        EXPECT_EQ(sampleAnnotationJson(a, 5, kSize, kSize), sampleAnnotationJson(b, 5, kSize, kSize));
        EXPECT_NE(sampleAnnotationJson(a, 5, kSize, kSize).find("\"assets\":[{\"id\""), std::string::npos);
    }
}

TEST(AssetsRender, SegmentationRemapAppliesToAssetClasses) {
    // CelebAMask-HQ has eyeglasses, hat and cloth classes of its own.
    SamplePipeline p = pipeline();
    p.segRemap = std::make_shared<annotate::ClassRemap>(annotate::remapFromDefault(annotate::ClassPreset::CelebAMaskHQ));
    const std::vector<AssetSpec> all{asset(AssetType::Glasses), asset(AssetType::Headwear), asset(AssetType::Clothing)};
    const RenderedSample remapped = p.render(frontal(all));
    const RenderedSample ours = pipeline().render(frontal(all));
    const cv::Mat expected = annotate::applyRemap(ours.annotations.segmentation, *p.segRemap);
    EXPECT_EQ(cv::norm(remapped.annotations.segmentation, expected, cv::NORM_INF), 0.0);
    for (int id : {16, 17, 15}) {
        EXPECT_NE(p.segRemap->lut[static_cast<std::size_t>(id)], 0) << id;
        EXPECT_GT(countClass(remapped.annotations.segmentation, p.segRemap->lut[static_cast<std::size_t>(id)]), 100) << id;
    }
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

TEST(AssetsRender, GlassesStayPutWhenTheEyesMove) {
    // Bound to skin that does not follow the gaze: turning the eyes moves
    // no glasses vertex.
    const head::HeadModel& m = *pipeline().model;
    const AssetHeadFrame frame = assetHeadFrame(m);
    const AssetMesh mesh = buildAsset(asset(AssetType::Glasses), m, frame);
    head::HeadParams p;
    const head::RowMatX3f still = poseAsset(mesh, m, head::forward(m, p));
    for (int joint : {head::kLeftEye, head::kRightEye}) p.pose.segment<3>(3 * joint) << 0.2f, 0.3f, 0.0f;
    const head::RowMatX3f gazing = poseAsset(mesh, m, head::forward(m, p));
    EXPECT_LT((still - gazing).cwiseAbs().maxCoeff(), 1e-6f);
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

TEST(AssetsRender, ModelsWithoutRegionsGetGlassesAndHatsButNoClothing) {
    // A FLAME file without its masks has no named regions: eyeballs are
    // then recognised by their skinning, and clothing, which needs the neck,
    // is refused by name.
    head::HeadModel m = *pipeline().model;
    m.regions.clear();
    const AssetHeadFrame frame = assetHeadFrame(m);
    EXPECT_LT(frame.skin.size(), static_cast<std::size_t>(m.numVertices()));
    for (AssetType t : {AssetType::Glasses, AssetType::Headwear}) {
        const AssetMesh mesh = buildAsset(asset(t), m, frame);
        ASSERT_GT(mesh.numFaces(), 50) << assetTypeName(t);
        for (std::int32_t a : mesh.anchor)
            EXPECT_LE(m.weights(a, head::kLeftEye) + m.weights(a, head::kRightEye), 0.5f) << assetTypeName(t);
    }
    try {
        buildAsset(asset(AssetType::Clothing), m, frame);
        FAIL() << "clothing built without a neck region";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'neck' region"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

using namespace assettest;

TEST(AssetsRender, AssetsAreLitByTheGeneratorsKeyLight) {
    // The same beanie with the procedural key on the subject's left (image
    // right) and then on the right: the lit side of the hat follows it, as
    // the head's does.
    AssetSpec hat = asset(AssetType::Headwear);
    hat.material.baseColor = {0.6f, 0.6f, 0.6f};
    auto sideBalance = [&](float keyAzimuth) {
        SampleSpec spec = frontal({hat});
        spec.z[21] = keyAzimuth;  // latent dim 21: the key's azimuth
        const RenderedSample s = pipeline().render(spec);
        double left = 0, right = 0;
        int nl = 0, nr = 0;
        for (int y = 0; y < kSize; ++y)
            for (int x = 0; x < kSize; ++x) {
                if (s.annotations.segmentation.at<std::uint8_t>(y, x) != 17) continue;
                const cv::Vec3b p = s.image.image.at<cv::Vec3b>(y, x);
                (x < kSize / 2 ? left : right) += p[0] + p[1] + p[2];
                ++(x < kSize / 2 ? nl : nr);
            }
        EXPECT_GT(nl, 50);
        EXPECT_GT(nr, 50);
        return right / std::max(1, nr) - left / std::max(1, nl);
    };
    const double keyOnSubjectsLeft = sideBalance(1.5f), keyOnSubjectsRight = sideBalance(-1.5f);
    EXPECT_GT(keyOnSubjectsLeft, 30.0);
    EXPECT_LT(keyOnSubjectsRight, -30.0);
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

using namespace assettest;

TEST(AssetsRender, SkippingPixelsAssetsPaintOverLeavesTheImageAsItWas) {
    // Hair, a hat, a beard and glasses over most of the head: the generator
    // leaves what they cover unshaded, and the final image is byte-identical
    // to shading everything.
    SamplePipeline skip = pipeline(), full = pipeline();
    skip.sampler.assets = full.sampler.assets = AssetsSamplerConfig::none();
    for (AssetType t : {AssetType::Hair, AssetType::Headwear, AssetType::Beard, AssetType::Glasses, AssetType::Eyebrows})
        skip.sampler.assets.of(t).frequency = full.sampler.assets.of(t).frequency = 1.0;
    full.skipPaintedOver = false;
    for (std::uint64_t i = 0; i < 3; ++i) {
        const RenderedSample a = skip.render(6, i), b = full.render(6, i);
        ASSERT_FALSE(a.spec.assets.empty());
        EXPECT_EQ(cv::norm(a.image.image, b.image.image, cv::NORM_INF), 0.0) << "sample " << i;
        EXPECT_EQ(cv::norm(a.image.depth, b.image.depth, cv::NORM_INF), 0.0) << "sample " << i;
    }
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

using namespace assettest;

TEST(AssetsRender, DrawnBrowsAndBeardsMatchThePaintedScalpWithoutHair) {
    // No hair asset: the procedural generator paints the scalp from the
    // latent, and drawn brows (0.8 x), beards and stubble take that colour.
    // With a hair asset they keep the hair's (drawAssets). A spec given
    // whole keeps the colours it names.
    SamplePipeline p = pipeline();
    p.sampler.assets = AssetsSamplerConfig::none();
    p.sampler.assets.eyebrows.frequency = p.sampler.assets.beard.frequency = 1.0;
    for (std::uint64_t i = 0; i < 4; ++i) {
        const RenderedSample s = p.render(12, i);
        const Eigen::Vector3f painted = appearanceFromLatent(s.spec.z).hair;
        ASSERT_EQ(s.spec.assets.size(), 2u);
        for (const AssetSpec& a : s.spec.assets) {
            const Eigen::Vector3f want = a.type == AssetType::Eyebrows ? Eigen::Vector3f(0.8f * painted) : painted;
            EXPECT_TRUE(a.material.baseColor.isApprox(want)) << assetTypeName(a.type) << " of sample " << i;
        }
        // Given whole, a spec's own colours stand.
        SampleSpec own = s.spec;
        own.assets[0].material.baseColor = {0.9f, 0.1f, 0.1f};
        EXPECT_EQ(p.render(own).spec.assets[0].material.baseColor, Eigen::Vector3f(0.9f, 0.1f, 0.1f));
    }
    p.sampler.assets.hair.frequency = 1.0;
    const RenderedSample withHair = p.render(12, 0);
    ASSERT_EQ(withHair.spec.assets.size(), 3u);
    EXPECT_TRUE(withHair.spec.assets[2].material.baseColor.isApprox(0.8f * withHair.spec.assets[0].material.baseColor));
}

}  // namespace
}  // namespace synthforge::generate
