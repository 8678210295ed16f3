// The identity sampler: shape and appearance fixed per identity, everything
// else varying; and the face-recognition crops: the five points land on the
// ArcFace template, and the image is warped with the same transform.

#include <cmath>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/generate/appearance.h"
#include "core/generate/dataset_writer.h"
#include "core/generate/samplers/fr_crop.h"
#include "core/io/file_util.h"
#include "tests/core/generate/sampler_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate {
namespace {

namespace fs = std::filesystem;
using testing::tinyConfig;
using testing::tinyModel;

SamplerConfig identityConfig(std::uint64_t n, std::uint64_t k, int latentDim = 64) {
    SamplerConfig c = tinyConfig(SamplerKind::Identity);
    c.latentDim = latentDim;
    c.sampling.identities = n;
    c.sampling.perIdentity = k;
    return c;
}

TEST(IdentitySampler, ShapeAndAppearanceFixedWithinAnIdentityOnly) {
    auto model = tinyModel();
    const SamplerConfig c = identityConfig(4, 3);
    const auto s = makeSampler(c, model);
    for (std::uint64_t id = 0; id < 4; ++id) {
        const SampleSpec first = s->draw(21, 3 * id);
        const Appearance a0 = appearanceFromLatent(first.z);
        for (std::uint64_t v = 0; v < 3; ++v) {
            const SampleSpec x = s->draw(21, 3 * id + v);
            ASSERT_TRUE(x.identity.has_value());
            EXPECT_EQ(*x.identity, id);
            EXPECT_EQ(x.params.shape, first.params.shape);
            for (int k = 0; k < x.z.size(); ++k)
                if (isIdentityLatentDim(k)) {
                    EXPECT_EQ(x.z[k], first.z[k]) << "z[" << k << "]";
                }
            const Appearance a = appearanceFromLatent(x.z);
            EXPECT_EQ(a.skin, a0.skin);
            EXPECT_EQ(a.hair, a0.hair);
            EXPECT_EQ(a.iris, a0.iris);
            EXPECT_EQ(a.lips, a0.lips);
            EXPECT_EQ(a.noiseWeights, a0.noiseWeights);
            if (v == 0) continue;
            // Variations: pose, expression, camera, lighting and background.
            EXPECT_NE(x.camera.yaw, first.camera.yaw);
            EXPECT_NE(x.params.expr, first.params.expr);
            EXPECT_NE(x.params.pose, first.params.pose);
            EXPECT_NE(a.lights[0].toLight, a0.lights[0].toLight);
            EXPECT_NE(a.background[0], a0.background[0]);
        }
        if (id > 0) {
            const SampleSpec prev = s->draw(21, 3 * (id - 1));
            EXPECT_NE(prev.params.shape, first.params.shape);
            EXPECT_NE(appearanceFromLatent(prev.z).skin, a0.skin);
        }
    }
    // Deterministic, and a fresh sampler agrees.
    EXPECT_TRUE(testing::sameSpec(makeSampler(c, model)->draw(21, 7), s->draw(21, 7)));
}

TEST(FrCrop, ExactFivePointsMapOntoTheTemplate) {
    // Landmarks that are a similarity image of the template (plus 0.5: our
    // pixel convention) map back onto it exactly.
    const camera::Points2d t = arcFaceTemplate();
    const camera::Similarity2d g{1.7 * std::cos(0.3), 1.7 * std::sin(0.3), 40.0, -12.0};
    head::RowMatX2f l = head::RowMatX2f::Zero(68, 2);
    auto put = [&](int row, int k) {
        const Eigen::Vector2d p = g.apply(Eigen::Vector2d(t(k, 0) + 0.5, t(k, 1) + 0.5));
        l.row(row) << static_cast<float>(p.x()), static_cast<float>(p.y());
    };
    for (int r = 36; r < 42; ++r) put(r, 0);
    for (int r = 42; r < 48; ++r) put(r, 1);
    put(30, 2);
    put(48, 3);
    put(54, 4);
    const camera::Points2d mapped = frCropTransform(l).apply(fivePoints(l));
    for (int k = 0; k < 5; ++k) {
        EXPECT_NEAR(mapped(k, 0), t(k, 0) + 0.5, 1e-4);
        EXPECT_NEAR(mapped(k, 1), t(k, 1) + 0.5, 1e-4);
    }
    head::RowMatX2f behind = l;
    behind(30, 0) = std::nanf("");
    EXPECT_THROW(frCropTransform(behind), std::invalid_argument);
}

/// Sum of squared distances from the mapped five points to the template.
double residual(const camera::Similarity2d& s, const camera::Points2d& five) {
    const camera::Points2d t = (arcFaceTemplate().array() + 0.5).matrix();
    return (s.apply(five) - t).squaredNorm();
}

TEST(FrCrop, RenderedFacesGetTheLeastSquaresAlignmentAndTheWarpFollowsIt) {
    SamplePipeline p = testutil::tinyPipeline(256);
    p.sampler.sampling.kind = SamplerKind::Identity;
    p.sampler.sampling.identities = 3;
    p.sampler.sampling.perIdentity = 2;
    // Near-frontal heads with mild expressions (a profile's five points are
    // far from the frontal template's shape whatever the alignment).
    p.sampler.camera.yaw = {-0.15, 0.15};
    p.sampler.camera.pitch = {-0.1, 0.1};
    p.sampler.head.exprRange = {-0.5, 0.5};
    p.sampler.head.jawOpen = {0.0, 0.05};
    for (std::uint64_t i = 0; i < 6; ++i) {
        const RenderedSample s = p.render(5, i);
        const camera::Similarity2d tr = frCropTransform(s.annotations.landmarks2d);
        const camera::Points2d five = fivePoints(s.annotations.landmarks2d);
        // The optimum: any small change of the four parameters fits worse.
        const double best = residual(tr, five);
        for (int k = 0; k < 4; ++k)
            for (double step : {-1e-3, 1e-3}) {
                camera::Similarity2d moved = tr;
                (k == 0 ? moved.a : k == 1 ? moved.b : k == 2 ? moved.tx : moved.ty) += step;
                EXPECT_GT(residual(moved, five), best) << "sample " << i << ", parameter " << k;
            }
        // The head's own proportions differ from the template's average
        // face, so the fit is not exact: near frontal, within a few pixels.
        const camera::Points2d mapped = tr.apply(five);
        for (int k = 0; k < 5; ++k)
            EXPECT_LT((mapped.row(k) - (arcFaceTemplate().row(k).array() + 0.5).matrix()).norm(), 6.0)
                << "sample " << i << ", point " << k;
        // The warp uses the same transform: a dot painted at each of the five
        // points lands in the crop within a third of a pixel of where the
        // transform puts it.
        for (int k = 0; k < 5; ++k) {
            cv::Mat dot(256, 256, CV_8UC3, cv::Scalar(0, 0, 0));
            const int x0 = static_cast<int>(std::lround(five(k, 0) - 2.0)), y0 = static_cast<int>(std::lround(five(k, 1) - 2.0));
            dot(cv::Rect(x0, y0, 4, 4)).setTo(cv::Scalar(255, 255, 255));
            const double cx = x0 + 2.0, cy = y0 + 2.0;  // the block's centre in our convention
            const cv::Mat crop = alignedFrCrop(dot, s.annotations.landmarks2d);
            cv::Mat gray;
            cv::cvtColor(crop, gray, cv::COLOR_BGR2GRAY);
            const cv::Moments m = cv::moments(gray);
            ASSERT_GT(m.m00, 0.0);
            const Eigen::Vector2d expect = tr.apply(Eigen::Vector2d(cx, cy));
            // Moments are in OpenCV's convention (pixel i centred at i).
            EXPECT_NEAR(m.m10 / m.m00 + 0.5, expect.x(), 0.3) << "sample " << i << ", point " << k;
            EXPECT_NEAR(m.m01 / m.m00 + 0.5, expect.y(), 0.3) << "sample " << i << ", point " << k;
        }
    }
}

TEST(IdentityDataset, WritesIdentityIdsAndTheFaceRecognitionLayout) {
    testutil::TempDir dir;
    SamplePipeline p = testutil::tinyPipeline(64);
    p.sampler.sampling.kind = SamplerKind::Identity;
    p.sampler.sampling.identities = 2;
    p.sampler.sampling.perIdentity = 3;
    DatasetOptions o;
    o.outDir = (dir.path / "ds").string();
    o.count = 6;
    o.seed = 3;
    o.workers = 2;
    writeDataset(p, o);
    for (std::uint64_t i = 0; i < 6; ++i) {
        const std::string name = indexName(i, 6);
        const auto ann = nlohmann::json::parse(io::readFileText((dir.path / "ds/annotations" / (name + ".json")).string()));
        EXPECT_EQ(ann.at("identity"), i / 3);
        const cv::Mat crop = cv::imread((dir.path / "ds" / frCropPath(i / 3, 2, name)).string());
        ASSERT_FALSE(crop.empty()) << name;
        EXPECT_EQ(crop.cols, kFrCropSize);
        EXPECT_EQ(crop.rows, kFrCropSize);
    }
    EXPECT_EQ(frCropPath(1, 2, "000004"), "fr/000001/000004.png");
    const auto manifest = nlohmann::json::parse(io::readFileText((dir.path / "ds/manifest.json").string()));
    const std::string text = manifest.dump();
    EXPECT_NE(text.find("\"identities\":2"), std::string::npos) << text;
    EXPECT_NE(text.find("\"per_identity\":3"), std::string::npos) << text;
    EXPECT_NE(text.find("fr/<identity>/<index>.png"), std::string::npos) << text;
    // N x K must be the count.
    o.count = 7;
    o.outDir = (dir.path / "other").string();
    EXPECT_THROW(writeDataset(p, o), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

TEST(IdentitySampler, AnIdentityKeepsItsHairAndBrowsWhileWhatItWearsChanges) {
    SamplerConfig c;
    c.sampling.kind = SamplerKind::Identity;
    c.sampling.identities = 6;
    c.sampling.perIdentity = 8;
    c.assets = AssetsSamplerConfig::none();
    c.assets.hair.frequency = c.assets.eyebrows.frequency = c.assets.beard.frequency = 0.5;
    c.assets.glasses.frequency = c.assets.headwear.frequency = 0.5;
    auto model = std::make_shared<head::HeadModel>();
    model->shapedirs.resize(3, 4);
    model->exprdirs.resize(3, 2);
    const auto s = makeSampler(c, model);
    int accessoryChanges = 0;
    for (std::uint64_t id = 0; id < 6; ++id) {
        std::vector<AssetSpec> first;
        for (const AssetSpec& a : s->draw(4, 8 * id).assets)
            if (isPersonAsset(a.type)) first.push_back(a);
        std::set<std::vector<int>> accessories;
        for (std::uint64_t v = 0; v < 8; ++v) {
            const SampleSpec x = s->draw(4, 8 * id + v);
            std::vector<AssetSpec> own;
            std::vector<int> worn;
            for (const AssetSpec& a : x.assets) {
                if (isPersonAsset(a.type))
                    own.push_back(a);
                else
                    worn.push_back(static_cast<int>(a.type));
            }
            for (std::size_t k = 1; k < x.assets.size(); ++k) EXPECT_LT(x.assets[k - 1].type, x.assets[k].type);
            ASSERT_EQ(own.size(), first.size()) << "identity " << id;
            for (std::size_t k = 0; k < own.size(); ++k) {
                EXPECT_EQ(own[k].id, first[k].id);
                EXPECT_EQ(own[k].material.baseColor, first[k].material.baseColor);
                if (own[k].type == AssetType::Hair) EXPECT_EQ(own[k].hair.style, first[k].hair.style);
            }
            accessories.insert(worn);
        }
        accessoryChanges += accessories.size() > 1;
    }
    EXPECT_GE(accessoryChanges, 4) << "glasses and hats vary between an identity's images";
}

}  // namespace
}  // namespace synthforge::generate
