#include "core/generate/camera_effects_image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/generate/sample_rng.h"
#include "core/io/srgb.h"

namespace synthforge::generate {

namespace {

void checkEffect(const CameraEffectRange& r, const std::string& name, const char* amount, double lo, double hi) {
    const std::string field = "camera_effects." + name;
    if (!(r.probability >= 0.0 && r.probability <= 1.0)) throw std::invalid_argument(field + ".probability: must be in 0..1");
    if (!std::isfinite(r.lo) || !std::isfinite(r.hi)) throw std::invalid_argument(field + "." + amount + ": must be finite");
    if (r.lo > r.hi) throw std::invalid_argument(field + "." + amount + ": inverted range");
    if (r.lo < lo || r.hi > hi)
        throw std::invalid_argument(field + "." + amount + ": must lie in " + std::to_string(lo) + ".." + std::to_string(hi));
}

/// Whether the effect is on for this sample, and its strength; two draws either way.
double drawEffect(const CameraEffectRange& r, SampleRng& rng) {
    const double on = rng.uniform01(), u = rng.uniform01();
    return on < r.probability ? r.lo + (r.hi - r.lo) * u : 0.0;
}

/// Scales one channel about the image centre by `scale` (bilinear, edges replicated).
void scaleChannel(cv::Mat& channel, double scale) {
    const cv::Point2f c(0.5f * static_cast<float>(channel.cols), 0.5f * static_cast<float>(channel.rows));
    // Pixel centres: x' = s (x + 0.5 - c) + c - 0.5.
    const cv::Mat m = (cv::Mat_<double>(2, 3) << scale, 0, (1 - scale) * (c.x - 0.5), 0, scale, (1 - scale) * (c.y - 0.5));
    cv::Mat out;
    cv::warpAffine(channel, out, m, channel.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    channel = out;
}

}  // namespace

bool CameraEffectsConfig::isDefault() const {
    const CameraEffectsConfig d;
    return defocus == d.defocus && noise == d.noise && jpeg == d.jpeg && aberration == d.aberration &&
           exposure == d.exposure && whiteBalance == d.whiteBalance;
}

void CameraEffectsConfig::validate() const {
    checkEffect(defocus, "defocus", "sigma", 0.0, 20.0);
    checkEffect(noise, "noise", "sigma", 0.0, 64.0);
    checkEffect(jpeg, "jpeg", "quality", 1.0, 100.0);
    checkEffect(aberration, "chromatic_aberration", "shift", 0.0, 10.0);
    checkEffect(exposure, "exposure", "ev", -4.0, 4.0);
    checkEffect(whiteBalance, "white_balance", "shift", -0.5, 0.5);
}

CameraEffects drawCameraEffects(const CameraEffectsConfig& c, std::uint64_t seed, std::uint64_t index) {
    SampleRng rng(seed, index, RngStream::CameraEffects);
    CameraEffects e;
    e.defocusSigma = static_cast<float>(drawEffect(c.defocus, rng));
    e.noiseSigma = static_cast<float>(drawEffect(c.noise, rng));
    const double q = drawEffect(c.jpeg, rng);
    e.jpegQuality = q > 0.0 ? std::clamp(static_cast<int>(std::lround(q)), 1, 100) : 0;
    e.aberration = static_cast<float>(drawEffect(c.aberration, rng));
    e.noiseSeed = rng.nextU64();
    // Added later: drawn after the others so their draws stay as they were.
    e.exposureEv = static_cast<float>(drawEffect(c.exposure, rng));
    e.whiteBalance = static_cast<float>(drawEffect(c.whiteBalance, rng));
    return e;
}

void applyCameraEffects(const CameraEffects& e, cv::Mat& bgr) {
    if (!e.any() || bgr.empty()) return;
    if (bgr.type() != CV_8UC3) throw std::invalid_argument("applyCameraEffects: expected an 8-bit BGR image");
    const double unit = static_cast<double>(std::max(bgr.cols, bgr.rows)) / 512.0;  // strengths are given at 512
    if (e.exposureEv != 0.0f || e.whiteBalance != 0.0f) {
        // In linear light, through one table per channel (B, G, R).
        const float gain = std::exp2(e.exposureEv);
        const float channelGain[3] = {gain * (1.0f - e.whiteBalance), gain, gain * (1.0f + e.whiteBalance)};
        cv::Mat lut(1, 256, CV_8UC3);
        for (int v = 0; v < 256; ++v)
            for (int c = 0; c < 3; ++c) {
                const float lin = io::srgbDecode(static_cast<float>(v) / 255.0f) * channelGain[c];
                lut.at<cv::Vec3b>(0, v)[c] = static_cast<std::uint8_t>(std::lround(255.0f * io::srgbEncode(lin)));
            }
        cv::LUT(bgr, lut, bgr);
    }
    if (e.aberration > 0.0f) {
        // Lateral chromatic aberration: red magnified and blue shrunk about
        // the centre, by `aberration` pixels at the corners.
        const double corner = 0.5 * std::hypot(bgr.cols, bgr.rows);
        const double s = e.aberration * unit / corner;
        std::vector<cv::Mat> ch;
        cv::split(bgr, ch);
        scaleChannel(ch[2], 1.0 + s);
        scaleChannel(ch[0], 1.0 - s);
        cv::merge(ch, bgr);
    }
    if (e.defocusSigma > 0.0f) cv::GaussianBlur(bgr, bgr, cv::Size(0, 0), e.defocusSigma * unit);
    if (e.noiseSigma > 0.0f) {
        cv::Mat noise(bgr.size(), CV_32FC3);
        cv::RNG rng(e.noiseSeed);
        rng.fill(noise, cv::RNG::NORMAL, 0.0, e.noiseSigma);
        cv::Mat f;
        bgr.convertTo(f, CV_32FC3);
        f += noise;
        f.convertTo(bgr, CV_8UC3);  // rounds and saturates
    }
    if (e.jpegQuality > 0) {
        std::vector<std::uint8_t> bytes;
        if (!cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, e.jpegQuality}))
            throw std::runtime_error("applyCameraEffects: JPEG encoding failed");
        bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
    }
}

}  // namespace synthforge::generate
