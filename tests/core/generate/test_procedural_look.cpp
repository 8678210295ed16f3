// The procedural generator's skin and light in whole renders: soft shadows
// and skin relief change only the image (never depth), by the amounts they
// should; the latent's identity dimensions carry the person and its scene
// dimensions the light; the three kinds of environment all occur.
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/generate/samplers/samplers.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate {
namespace {

constexpr int kSize = 160;

struct Renders {
    SamplePipeline pipeline = testutil::tinyPipeline(kSize);
    cv::Mat labels = head::default_head::buildDefaultLabelMap(*pipeline.model, 256);

    GeneratorOutput render(const SampleSpec& spec, bool shadows, bool detail, int size = kSize) const {
        ProceduralGeneratorOptions o;
        o.shadows = shadows;
        o.skinDetail = detail;
        const ProceduralGenerator g(pipeline.model, labels, o);
        const auto pose = head::forward(*pipeline.model, spec.params);
        GeneratorInput in;
        in.z = &spec.z;
        in.vertices = &pose.vertices;
        in.camera = spec.camera.pinhole();
        return g.render(in, size, size);
    }
};

const Renders& renders() {
    static const Renders r;
    return r;
}

/// A sample whose key light comes from high on the subject's left, so the
/// nose and brow cast shadows onto the face.
SampleSpec sideLitSample(bool sun = true) {
    SampleSpec s = renders().pipeline.render(5, 0).spec;
    s.camera.yaw = 0.0f;
    s.camera.pitch = 0.0f;
    s.params.pose.setZero();
    s.z[21] = 1.6f;   // key azimuth toward +x (the subject's left), ~60 degrees
    s.z[22] = 0.5f;   // elevation ~ 30 degrees
    s.z[43] = sun ? -1.5f : 1.5f;  // outdoors, a sun (a crisp shadow), or a studio's softbox (a soft one)
    return s;
}

double meanOf(const cv::Mat& image, const cv::Mat& mask) {
    const cv::Scalar m = cv::mean(image, mask);
    return m[0] + m[1] + m[2];
}

TEST(ProceduralLook, SelfShadowsOnlyDarkenTheFaceAndLeaveDepthAlone) {
  for (const bool sun : {true, false}) {
    SCOPED_TRACE(sun ? "sun" : "softbox");
    const SampleSpec s = sideLitSample(sun);
    const GeneratorOutput lit = renders().render(s, false, true), shadowed = renders().render(s, true, true);
    ASSERT_EQ(cv::norm(lit.depth, shadowed.depth, cv::NORM_INF), 0.0);
    cv::Mat gLit, gShadow;
    cv::cvtColor(lit.image, gLit, cv::COLOR_BGR2GRAY);
    cv::cvtColor(shadowed.image, gShadow, cv::COLOR_BGR2GRAY);
    const cv::Mat head = lit.depth > 0.0f;
    int darker = 0, brighter = 0;
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            if (!head.at<std::uint8_t>(y, x)) continue;
            const int d = gShadow.at<std::uint8_t>(y, x) - gLit.at<std::uint8_t>(y, x);
            darker += d < -8;
            brighter += d > 1;
        }
    // A visible shadow (nose, brow, jaw on the neck), and nothing lit up.
    EXPECT_GT(darker, 100);
    EXPECT_EQ(brighter, 0);
    // The background is untouched (away from the silhouette, whose pixels
    // the edge smoothing blends with the head's).
    cv::Mat diff, near;
    cv::absdiff(lit.image, shadowed.image, diff);
    cv::dilate(head, near, cv::Mat(), cv::Point(-1, -1), 2);
    std::vector<cv::Mat> channels;
    cv::split(diff, channels);
    const cv::Mat changed = (channels[0] | channels[1] | channels[2]) > 0;
    EXPECT_EQ(cv::countNonZero(changed & ~near), 0);
  }
}

TEST(ProceduralLook, SkinReliefAddsFineContrastWithoutChangingTheTone) {
    const SampleSpec s = sideLitSample();
    const int size = 384;  // pores are finer than a pixel at the usual test size
    const GeneratorOutput flat = renders().render(s, true, false, size), relief = renders().render(s, true, true, size);
    ASSERT_EQ(cv::norm(flat.depth, relief.depth, cv::NORM_INF), 0.0);
    cv::Mat head;
    cv::erode(flat.depth > 0.0f, head, cv::Mat(), cv::Point(-1, -1), 6);
    // The mean colour of the head moves by under 2 %...
    EXPECT_NEAR(meanOf(relief.image, head), meanOf(flat.image, head), 0.02 * meanOf(flat.image, head));
    // ...while fine detail (the high-pass energy away from the silhouette) rises.
    auto highPass = [&](const cv::Mat& image) {
        cv::Mat g, blurred, hp;
        cv::cvtColor(image, g, cv::COLOR_BGR2GRAY);
        g.convertTo(g, CV_32F);
        cv::GaussianBlur(g, blurred, cv::Size(0, 0), 1.0);
        cv::absdiff(g, blurred, hp);
        return cv::mean(hp, head)[0];
    };
    EXPECT_GT(highPass(relief.image), 1.1 * highPass(flat.image));
}

TEST(ProceduralLook, IdentityDimensionsCarryThePersonAndSceneDimensionsTheLight) {
    // A rim light present, so that its own dimensions have something to move.
    Eigen::VectorXf z = Eigen::VectorXf::Zero(kAppearanceLatentDims);
    z[46] = 1.5f;
    z[21] = 0.7f;  // the fill's azimuth is relative to the key's: off centre
    const Appearance base = appearanceFromLatent(z);
    for (int k = 0; k < kAppearanceLatentDims; ++k) {
        Eigen::VectorXf moved = z;
        moved[k] = k == 46 ? 0.5f : 1.5f;
        const Appearance a = appearanceFromLatent(moved);
        const bool person = a.skin != base.skin || a.skinFlushed != base.skinFlushed || a.hair != base.hair ||
                            a.lips != base.lips || a.iris != base.iris || a.brows != base.brows ||
                            a.shininess != base.shininess || a.poreStrength != base.poreStrength || a.poreDepth != base.poreDepth ||
                            a.wrinkleDepth != base.wrinkleDepth || a.oiliness != base.oiliness ||
                            a.noiseWeights != base.noiseWeights || a.specular != base.specular ||
                            a.browDensity != base.browDensity || a.hairDensity != base.hairDensity ||
                            a.blotchStrength != base.blotchStrength || a.sclera != base.sclera || a.mouth != base.mouth;
        bool scene = a.lights.size() != base.lights.size() || a.background != base.background ||
                     a.backgroundNoise != base.backgroundNoise;
        for (std::size_t i = 0; !scene && i < a.lights.size(); ++i)
            scene = a.lights[i].toLight != base.lights[i].toLight || a.lights[i].color != base.lights[i].color ||
                    a.lights[i].radius != base.lights[i].radius;
        for (std::size_t i = 0; !scene && i < 9; ++i) scene = a.environment.c[i] != base.environment.c[i];
        // Exposure follows the skin (auto-exposure) as well as dim 31.
        scene = scene || (k == 31 && a.exposure != base.exposure);
        if (isSceneLatentDim(k)) {
            EXPECT_FALSE(person) << "scene dimension " << k << " changed the person";
            EXPECT_TRUE(scene) << "scene dimension " << k << " changed nothing";
        } else {
            EXPECT_FALSE(scene) << "identity dimension " << k << " changed the light";
            EXPECT_TRUE(person) << "identity dimension " << k << " changed nothing";
        }
        EXPECT_EQ(isIdentityLatentDim(k), !isSceneLatentDim(k));
    }
    EXPECT_THROW(appearanceFromLatent(Eigen::VectorXf::Zero(kAppearanceLatentDims - 1)), std::invalid_argument);
}

TEST(ProceduralLook, AllThreeEnvironmentsAndRimLightsOccur) {
    int sun = 0, rim = 0, n = 400;
    const auto sampler = makeSampler(renders().pipeline.sampler, renders().pipeline.model);
    for (int i = 0; i < n; ++i) {
        const SampleSpec s = sampler->draw(11, static_cast<std::uint64_t>(i));
        const Appearance a = appearanceFromLatent(s.z);
        ASSERT_GE(a.lights.size(), 2u);
        sun += a.lights[0].radius < 0.05f;
        rim += a.lights.size() == 3;
        if (a.lights.size() == 3) EXPECT_LT(a.lights[2].toLight.z(), -0.4f) << "a rim light comes from behind";
        // The dome is brighter above than below outdoors and in rooms alike.
        EXPECT_GT(a.environment.ambient({0, 1, 0}).sum(), a.environment.ambient({0, -1, 0}).sum());
    }
    EXPECT_NEAR(sun / double(n), 0.35, 0.08);
    EXPECT_GT(rim, n / 4);
    EXPECT_LT(rim, 3 * n / 4);
}

}  // namespace
}  // namespace synthforge::generate
