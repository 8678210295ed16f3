#include "core/transfer/transfer_images.h"

#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

namespace synthforge::transfer {

namespace {

cv::Mat resized(const cv::Mat& m, int w, int h) {
    if (m.cols == w && m.rows == h) return m;
    cv::Mat out;
    cv::resize(m, out, cv::Size(w, h), 0, 0, (w < m.cols && h < m.rows) ? cv::INTER_AREA : cv::INTER_CUBIC);
    return out;
}

}  // namespace

cv::Mat translatorInput(const cv::Mat& bgr, int side, int loadSide, std::mt19937_64* rng) {
    if (bgr.empty() || bgr.type() != CV_8UC3)
        throw std::invalid_argument("translatorInput: expects an 8-bit BGR image");
    if (side < 1 || loadSide < side)
        throw std::invalid_argument("translatorInput: side " + std::to_string(side) + " must be in 1.." +
                                    std::to_string(loadSide));
    cv::Mat img;
    if (rng) {
        const cv::Mat load = resized(bgr, loadSide, loadSide);
        std::uniform_int_distribution<int> offset(0, loadSide - side);
        const int x = offset(*rng), y = offset(*rng);
        img = load(cv::Rect(x, y, side, side));
        // Into a new image: the crop may be a view of the caller's pixels.
        if (std::uniform_real_distribution<double>(0, 1)(*rng) < 0.5) {
            cv::Mat mirrored;
            cv::flip(img, mirrored, 1);
            img = mirrored;
        }
    } else {
        img = resized(bgr, side, side);
    }
    cv::Mat rgb, f;
    cv::cvtColor(img, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(f, CV_32FC3, 1.0 / 127.5, -1.0);
    return f;
}

cv::Mat translatorOutputToBgr(const cv::Mat& rgbFloat, int width, int height) {
    if (rgbFloat.empty() || rgbFloat.type() != CV_32FC3)
        throw std::invalid_argument("translatorOutputToBgr: expects a float RGB image");
    cv::Mat u8, bgr;
    rgbFloat.convertTo(u8, CV_8UC3, 127.5, 127.5);  // rounds and saturates
    cv::cvtColor(u8, bgr, cv::COLOR_RGB2BGR);
    return resized(bgr, width, height);
}

cv::Mat augmentTranslatorInput(const cv::Mat& rgbFloat, const train::AugmentConfig& config, std::uint64_t seed) {
    if (rgbFloat.empty() || rgbFloat.type() != CV_32FC3)
        throw std::invalid_argument("augmentTranslatorInput: expected an RGB float32 image");
    train::AugmentSample s;
    rgbFloat.convertTo(s.image, CV_8UC3, 127.5, 127.5);
    const train::AugmentSample out = train::augment(s, config, seed);
    cv::Mat back;
    out.image.convertTo(back, CV_32FC3, 1.0 / 127.5, -1.0);
    return back;
}

}  // namespace synthforge::transfer
