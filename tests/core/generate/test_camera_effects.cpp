// Camera effects (issue 20): each changes the image as its physics says and
// never the annotations; off by default and then byte-identical; drawn per
// sample deterministically; the config is strict.

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/generate/camera_effects_image.h"
#include "core/generate/dataset_layout.h"
#include "core/generate/sampler.h"
#include "tests/support/sampler_config_checks.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::generate {
namespace {

const SamplePipeline& pipeline() {
    static const SamplePipeline p = testutil::tinyPipeline(128);
    return p;
}

double laplacianVariance(const cv::Mat& bgr) {
    cv::Mat g, lap;
    cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
    cv::Laplacian(g, lap, CV_64F);
    cv::Scalar mean, sd;
    cv::meanStdDev(lap, mean, sd);
    return sd[0] * sd[0];
}

TEST(CameraEffects, OffByDefaultAndThenNothingChanges) {
    const SamplerConfig c;
    EXPECT_TRUE(c.cameraEffects.isDefault());
    EXPECT_FALSE(nlohmann::json::parse(samplerConfigToJson(c)).contains("camera_effects"));
    for (std::uint64_t i = 0; i < 20; ++i) EXPECT_FALSE(drawCameraEffects(c.cameraEffects, 1, i).any()) << i;
    cv::Mat img(32, 32, CV_8UC3, cv::Scalar(10, 120, 240)), copy = img.clone();
    applyCameraEffects(CameraEffects{}, img);
    EXPECT_EQ(cv::norm(img, copy, cv::NORM_INF), 0.0);
    const RenderedSample s = pipeline().render(2, 0);
    EXPECT_EQ(sampleAnnotationJson(s, 2, 128, 128).find("camera_effects"), std::string::npos);
}

TEST(CameraEffects, NoiseHasTheDrawnSigmaAndIsRepeatable) {
    cv::Mat grey(200, 200, CV_8UC3, cv::Scalar(128, 128, 128));
    CameraEffects e;
    e.noiseSigma = 5.0f;
    e.noiseSeed = 77;
    cv::Mat a = grey.clone(), b = grey.clone();
    applyCameraEffects(e, a);
    applyCameraEffects(e, b);
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0) << "same effects, same bytes";
    cv::Mat diff;
    cv::Mat(a).convertTo(diff, CV_32FC3);
    diff -= cv::Scalar(128, 128, 128);
    cv::Scalar mean, sd;
    cv::meanStdDev(diff.reshape(1), mean, sd);
    EXPECT_NEAR(sd[0], 5.0, 0.3);  // rounding to levels adds 1/12 of variance
    EXPECT_NEAR(mean[0], 0.0, 0.1);
    e.noiseSeed = 78;
    cv::Mat c = grey.clone();
    applyCameraEffects(e, c);
    EXPECT_GT(cv::norm(a, c, cv::NORM_L1), 0.0) << "another seed, other noise";
}

TEST(CameraEffects, DefocusBlursJpegStaysCloseAberrationSplitsRedFromBlue) {
    const cv::Mat sharp = pipeline().render(4, 1).image.image;
    CameraEffects blur;
    blur.defocusSigma = 2.0f;
    cv::Mat b = sharp.clone();
    applyCameraEffects(blur, b);
    EXPECT_LT(laplacianVariance(b), 0.5 * laplacianVariance(sharp));

    CameraEffects jpeg;
    jpeg.jpegQuality = 30;
    cv::Mat j = sharp.clone();
    applyCameraEffects(jpeg, j);
    EXPECT_GT(cv::norm(j, sharp, cv::NORM_L1), 0.0);
    EXPECT_GT(cv::PSNR(j, sharp), 25.0);

    // A white dot near the top-left corner: red moves outward (up-left),
    // blue inward, green stays.
    cv::Mat dot(256, 256, CV_8UC3, cv::Scalar::all(0));
    cv::circle(dot, {30, 30}, 4, cv::Scalar::all(255), cv::FILLED);
    CameraEffects ca;
    ca.aberration = 4.0f;  // pixels at the corner, at 512; 2 here
    applyCameraEffects(ca, dot);
    std::vector<cv::Mat> ch;
    cv::split(dot, ch);
    auto centroidX = [](const cv::Mat& m) {
        const cv::Moments mo = cv::moments(m);
        return mo.m10 / mo.m00;
    };
    const double blue = centroidX(ch[0]), green = centroidX(ch[1]), red = centroidX(ch[2]);
    EXPECT_NEAR(green, 30.0, 0.05);
    EXPECT_LT(red, green - 0.2);
    EXPECT_GT(blue, green + 0.2);
    // Scale at the dot: 1 + 2 px / half-diagonal, so the shift is about (98 / 181) * 2 px.
    EXPECT_NEAR(green - red, 98.0 / (0.5 * std::hypot(256.0, 256.0)) * 2.0, 0.3);

    cv::Mat grey8(4, 4, CV_8UC1, cv::Scalar(3));
    EXPECT_THROW(applyCameraEffects(blur, grey8), std::invalid_argument);
}

TEST(CameraEffects, ExposureScalesLinearLightWhiteBalanceTradesRedForBlue) {
    // sRGB 128 is linear 0.2158; one stop up is 0.4316, sRGB 0.6902 -> 176.
    cv::Mat grey(8, 8, CV_8UC3, cv::Scalar(128, 128, 128));
    CameraEffects up;
    up.exposureEv = 1.0f;
    cv::Mat a = grey.clone();
    applyCameraEffects(up, a);
    EXPECT_EQ(a.at<cv::Vec3b>(3, 3), cv::Vec3b(176, 176, 176));
    CameraEffects down;
    down.exposureEv = -1.0f;  // linear 0.1079 -> sRGB 0.3623 -> 92
    cv::Mat b = grey.clone();
    applyCameraEffects(down, b);
    EXPECT_EQ(b.at<cv::Vec3b>(3, 3), cv::Vec3b(92, 92, 92));
    CameraEffects warm;
    warm.whiteBalance = 0.1f;
    cv::Mat w = grey.clone();
    applyCameraEffects(warm, w);
    const cv::Vec3b px = w.at<cv::Vec3b>(0, 0);  // B, G, R
    EXPECT_EQ(px[1], 128);
    EXPECT_GT(px[2], 128);
    EXPECT_LT(px[0], 128);
    // Black stays black, white saturates.
    cv::Mat bw(1, 2, CV_8UC3);
    bw.at<cv::Vec3b>(0, 0) = cv::Vec3b(0, 0, 0);
    bw.at<cv::Vec3b>(0, 1) = cv::Vec3b(255, 255, 255);
    applyCameraEffects(up, bw);
    EXPECT_EQ(bw.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
    EXPECT_EQ(bw.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 255, 255));
}

TEST(CameraEffects, ChangeTheImageNeverTheAnnotations) {
    SamplePipeline p = pipeline();
    p.sampler.cameraEffects.defocus.probability = p.sampler.cameraEffects.noise.probability = 1.0;
    p.sampler.cameraEffects.jpeg.probability = p.sampler.cameraEffects.aberration.probability = 1.0;
    p.sampler.cameraEffects.exposure.probability = p.sampler.cameraEffects.whiteBalance.probability = 1.0;
    for (std::uint64_t i = 0; i < 3; ++i) {
        const RenderedSample plain = pipeline().render(6, i), fx = p.render(6, i);
        ASSERT_TRUE(fx.spec.effects.any());
        EXPECT_GT(cv::norm(plain.image.image, fx.image.image, cv::NORM_L1), 0.0);
        EXPECT_EQ(cv::norm(plain.annotations.segmentation, fx.annotations.segmentation, cv::NORM_INF), 0.0);
        EXPECT_EQ(cv::norm(plain.annotations.depth, fx.annotations.depth, cv::NORM_INF), 0.0);
        EXPECT_EQ(plain.annotations.landmarks2d, fx.annotations.landmarks2d);
        EXPECT_EQ(plain.annotations.landmarkVisible, fx.annotations.landmarkVisible);
        // Same head, camera and latent: effects draw from their own stream.
        EXPECT_EQ(plain.spec.z, fx.spec.z);
        EXPECT_EQ(plain.spec.camera.yaw, fx.spec.camera.yaw);
        const auto j = nlohmann::json::parse(sampleAnnotationJson(fx, 6, 128, 128));
        ASSERT_TRUE(j.contains("camera_effects"));
        EXPECT_EQ(j["camera_effects"]["jpeg_quality"].get<int>(), fx.spec.effects.jpegQuality);
        const RenderedSample again = p.render(6, i);
        EXPECT_EQ(cv::norm(again.image.image, fx.image.image, cv::NORM_INF), 0.0);
    }
}

TEST(CameraEffects, ProbabilityIsTheShareOfSamplesAndStrengthStaysInRange) {
    CameraEffectsConfig c;
    c.noise = {0.3, 2.0, 4.0};
    c.jpeg = {1.0, 50.0, 60.0};
    int noisy = 0;
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const CameraEffects e = drawCameraEffects(c, 5, i);
        if (e.noiseSigma > 0.0f) {
            ++noisy;
            ASSERT_GE(e.noiseSigma, 2.0f);
            ASSERT_LE(e.noiseSigma, 4.0f);
        }
        ASSERT_GE(e.jpegQuality, 50);
        ASSERT_LE(e.jpegQuality, 60);
        ASSERT_EQ(e.defocusSigma, 0.0f);
    }
    EXPECT_NEAR(noisy / 3000.0, 0.3, 0.03);
}


TEST(CameraEffects, ConfigRoundTripsAndRefusesBadValues) {
    auto expectRefused = [](const std::string& text, const std::string& needle) {
        testutil::expectSamplerConfigRefused(text, needle, "fx.json");
    };
    const SamplerConfig c = parseSamplerConfigJson(
        R"({"camera_effects": {"noise": {"probability": 0.5, "sigma": [1, 3]}, "jpeg": {"probability": 0.2, "quality": 70},
                               "exposure": {"probability": 0.3, "ev": [-0.5, 0.5]}}})",
        "fx.json");
    EXPECT_DOUBLE_EQ(c.cameraEffects.noise.probability, 0.5);
    EXPECT_DOUBLE_EQ(c.cameraEffects.noise.hi, 3.0);
    EXPECT_DOUBLE_EQ(c.cameraEffects.jpeg.lo, 70.0);
    EXPECT_DOUBLE_EQ(c.cameraEffects.jpeg.hi, 70.0);
    EXPECT_DOUBLE_EQ(c.cameraEffects.exposure.lo, -0.5);
    const std::string text = samplerConfigToJson(c);
    EXPECT_EQ(samplerConfigToJson(parseSamplerConfigJson(text, "rt")), text);

    expectRefused(R"({"camera_effects": {"blur": {}}})", "camera_effects.blur: unknown key");
    expectRefused(R"({"camera_effects": {"exposure": {"ev": [-9, 0]}}})", "camera_effects.exposure.ev: must lie in");
    expectRefused(R"({"camera_effects": {"white_balance": {"kelvin": 1}}})", "camera_effects.white_balance.kelvin: unknown key");
    expectRefused(R"({"camera_effects": {"noise": {"strength": 1}}})", "camera_effects.noise.strength: unknown key");
    expectRefused(R"({"camera_effects": {"noise": {"probability": 2}}})", "camera_effects.noise.probability: must be in 0..1");
    expectRefused(R"({"camera_effects": {"jpeg": {"quality": [0, 50]}}})", "camera_effects.jpeg.quality: must lie in");
    expectRefused(R"({"camera_effects": {"defocus": {"sigma": [3, 1]}}})", "camera_effects.defocus.sigma: inverted");
    expectRefused(R"({"camera_effects": {"chromatic_aberration": {"shift": "big"}}})",
                  "camera_effects.chromatic_aberration.shift");
}

}  // namespace
}  // namespace synthforge::generate
