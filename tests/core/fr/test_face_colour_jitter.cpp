// Colour jitter of face-recognition training images on known pixels.

#include <gtest/gtest.h>

#include "core/fr/face_colour_jitter.h"

namespace {

using synthforge::fr::applyColourJitter;
using synthforge::fr::FaceColourJitter;

cv::Mat uniform(float r, float g, float b) { return cv::Mat(4, 4, CV_32FC3, cv::Scalar(r, g, b)); }

cv::Vec3f pixel(const cv::Mat& m) { return m.at<cv::Vec3f>(1, 2); }

TEST(FaceColourJitter, NeutralDrawLeavesTheImageAlone) {
    cv::Mat img(3, 5, CV_32FC3);
    cv::randu(img, 0.0, 1.0);
    const cv::Mat before = img.clone();
    applyColourJitter(img, FaceColourJitter{});
    EXPECT_LT(cv::norm(img, before, cv::NORM_INF), 1e-6);
}

TEST(FaceColourJitter, BrightnessScalesAndContrastKeepsAUniformImage) {
    cv::Mat img = uniform(0.5f, 0.25f, 0.125f);
    FaceColourJitter j;
    j.brightness = 1.2;
    applyColourJitter(img, j);
    EXPECT_NEAR(pixel(img)[0], 0.6f, 1e-6);
    EXPECT_NEAR(pixel(img)[2], 0.15f, 1e-6);
    // Contrast moves values about the image's mean grey: a grey image stays.
    cv::Mat grey = uniform(0.4f, 0.4f, 0.4f);
    j = FaceColourJitter{};
    j.contrast = 0.5;
    applyColourJitter(grey, j);
    EXPECT_NEAR(pixel(grey)[1], 0.4f, 1e-6);
}

TEST(FaceColourJitter, ZeroSaturationGivesEachPixelsLuma) {
    cv::Mat img = uniform(1.0f, 0.5f, 0.0f);
    FaceColourJitter j;
    j.saturation = 0;
    applyColourJitter(img, j);
    const float luma = 0.299f + 0.587f * 0.5f;
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(pixel(img)[c], luma, 1e-6);
}

TEST(FaceColourJitter, AThirdOfATurnOfHueTurnsRedIntoGreen) {
    cv::Mat img = uniform(1.0f, 0.0f, 0.0f);
    FaceColourJitter j;
    j.hue = 1.0 / 3.0;
    applyColourJitter(img, j);
    EXPECT_NEAR(pixel(img)[0], 0.0f, 1e-4);
    EXPECT_NEAR(pixel(img)[1], 1.0f, 1e-4);
    EXPECT_NEAR(pixel(img)[2], 0.0f, 1e-4);
    // A negative shift wraps round: red by -1/3 is blue.
    img = uniform(1.0f, 0.0f, 0.0f);
    j.hue = -1.0 / 3.0;
    applyColourJitter(img, j);
    EXPECT_NEAR(pixel(img)[2], 1.0f, 1e-4);
    EXPECT_NEAR(pixel(img)[0], 0.0f, 1e-4);
}

TEST(FaceColourJitter, DrawsStayInTheirRangesAndRepeatPerSeed) {
    std::mt19937_64 a(7), b(7);
    for (int i = 0; i < 2000; ++i) {
        const FaceColourJitter j = FaceColourJitter::draw(a);
        for (double f : {j.brightness, j.contrast, j.saturation}) {
            EXPECT_GE(f, 0.8);
            EXPECT_LE(f, 1.2);
        }
        EXPECT_LE(std::abs(j.hue), 0.02);
        const FaceColourJitter k = FaceColourJitter::draw(b);
        EXPECT_EQ(j.saturation, k.saturation);
        EXPECT_EQ(j.hue, k.hue);
    }
}

TEST(FaceColourJitter, RefusesAnImageThatIsNotFloatRgb) {
    cv::Mat bytes(2, 2, CV_8UC3, cv::Scalar(1, 2, 3));
    EXPECT_THROW(applyColourJitter(bytes, FaceColourJitter{}), std::invalid_argument);
}

}  // namespace
