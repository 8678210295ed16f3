#include "core/fr/face_colour_jitter.h"

#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace synthforge::fr {

FaceColourJitter FaceColourJitter::draw(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> factor(0.8, 1.2), hue(-0.02, 0.02);
    FaceColourJitter j;
    j.brightness = factor(rng);
    j.contrast = factor(rng);
    j.saturation = factor(rng);
    j.hue = hue(rng);
    return j;
}

void applyColourJitter(cv::Mat& rgb, const FaceColourJitter& j) {
    if (rgb.type() != CV_32FC3) throw std::invalid_argument("applyColourJitter: expects a CV_32FC3 RGB image");
    // Brightness then contrast about the mean grey, in one pass: (f b - g) c + g.
    const cv::Scalar mean = cv::mean(rgb);
    const double grey = (mean[0] + mean[1] + mean[2]) / 3;
    rgb.convertTo(rgb, -1, j.brightness * j.contrast, grey * (1 - j.contrast));
    if (j.saturation != 1) {
        // Blend with the pixel's own luma (ITU-R 601 weights, as torchvision).
        for (int y = 0; y < rgb.rows; ++y) {
            auto* p = rgb.ptr<cv::Vec3f>(y);
            for (int x = 0; x < rgb.cols; ++x) {
                const float l = 0.299f * p[x][0] + 0.587f * p[x][1] + 0.114f * p[x][2];
                for (int c = 0; c < 3; ++c) p[x][c] = l + static_cast<float>(j.saturation) * (p[x][c] - l);
            }
        }
    }
    if (j.hue != 0) {
        // Float HSV keeps H in degrees; values outside 0..1 are clamped first,
        // as the hue of an out-of-range pixel is not defined.
        cv::Mat clamped = cv::min(cv::max(rgb, 0.0), 1.0), hsv;
        cv::cvtColor(clamped, hsv, cv::COLOR_RGB2HSV);
        const float shift = static_cast<float>(j.hue * 360.0);
        for (int y = 0; y < hsv.rows; ++y) {
            auto* p = hsv.ptr<cv::Vec3f>(y);
            for (int x = 0; x < hsv.cols; ++x) {
                float h = std::fmod(p[x][0] + shift, 360.0f);
                p[x][0] = h < 0 ? h + 360.0f : h;
            }
        }
        cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
    }
}

}  // namespace synthforge::fr
