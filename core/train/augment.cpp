// Consistent augmentation of image, labels and landmarks (see augment.h).

#include "core/train/augment.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <Eigen/LU>
#include <opencv2/imgproc.hpp>

#include "core/annotate/class_table.h"
#include "core/generate/sample_rng.h"

namespace synthforge::train {

namespace {

using generate::SampleRng;

// One stream per operation, so that enabling or re-parametrising one
// operation never shifts the draws of another.
enum Op : std::uint64_t { kAffine = 1, kPerspective, kFlip, kColor, kGray, kBlur, kNoise, kErase };

SampleRng rngFor(std::uint64_t seed, Op op) {
    return SampleRng(seed, op, static_cast<generate::RngStream>(0xA116u));
}

double draw(SampleRng& r, const AugmentRange& range) { return r.uniform(range.lo, range.hi); }

Eigen::Matrix3d translation(double x, double y) {
    Eigen::Matrix3d t = Eigen::Matrix3d::Identity();
    t(0, 2) = x;
    t(1, 2) = y;
    return t;
}

/// The affine + perspective part in continuous pixels, or nullopt-like
/// identity with `applied` false when neither operation was drawn.
Eigen::Matrix3d drawWarp(const AugmentConfig& c, std::uint64_t seed, int w, int h, bool& applied) {
    Eigen::Matrix3d a = Eigen::Matrix3d::Identity();
    applied = false;
    SampleRng ra = rngFor(seed, kAffine);
    if (ra.uniform01() < c.affineProbability) {
        const double s = draw(ra, c.scale);
        const double th = draw(ra, c.rotationDeg) * M_PI / 180.0;
        const double tx = draw(ra, c.shift) * w, ty = draw(ra, c.shift) * h;
        Eigen::Matrix3d rs = Eigen::Matrix3d::Identity();
        rs(0, 0) = s * std::cos(th);
        rs(0, 1) = -s * std::sin(th);
        rs(1, 0) = s * std::sin(th);
        rs(1, 1) = s * std::cos(th);
        a = translation(w / 2.0 + tx, h / 2.0 + ty) * rs * translation(-w / 2.0, -h / 2.0);
        applied = true;
    }
    SampleRng rp = rngFor(seed, kPerspective);
    if (rp.uniform01() < c.perspectiveProbability && c.perspective > 0) {
        // The image corners go where the affine puts them, each then jittered.
        const cv::Point2d corners[4] = {{0, 0}, {double(w), 0}, {double(w), double(h)}, {0, double(h)}};
        std::vector<cv::Point2f> src, dst;
        for (const auto& p : corners) {
            const Eigen::Vector3d q = a * Eigen::Vector3d(p.x, p.y, 1.0);
            const double jx = rp.uniform(-c.perspective, c.perspective) * w;
            const double jy = rp.uniform(-c.perspective, c.perspective) * h;
            src.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
            dst.emplace_back(static_cast<float>(q.x() / q.z() + jx), static_cast<float>(q.y() / q.z() + jy));
        }
        const cv::Mat m = cv::getPerspectiveTransform(src, dst);  // CV_64F
        for (int r = 0; r < 3; ++r)
            for (int k = 0; k < 3; ++k) a(r, k) = m.at<double>(r, k);
        applied = true;
    }
    return a;
}

/// Warps with `g` (continuous pixels, input -> output). OpenCV's pixel
/// coordinates put pixel centres on integers, so the matrix it gets is
/// T(-0.5) g T(+0.5); it is inverted here in double precision and passed as
/// the inverse map.
cv::Mat warp(const cv::Mat& src, const Eigen::Matrix3d& g, int interpolation, double border = 0.0) {
    const Eigen::Matrix3d m = translation(-0.5, -0.5) * g * translation(0.5, 0.5);
    const Eigen::Matrix3d inv = m.inverse();
    cv::Mat cvInv(3, 3, CV_64F);
    for (int r = 0; r < 3; ++r)
        for (int k = 0; k < 3; ++k) cvInv.at<double>(r, k) = inv(r, k);
    cv::Mat out;
    // Constant border: black image, no depth, the sample's border class
    // (why not reflect: docs/augmentation.md).
    cv::warpPerspective(src, out, cvInv, src.size(), interpolation | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                        cv::Scalar::all(border));
    return out;
}

void checkSample(const AugmentSample& s) {
    if (s.image.empty() || s.image.type() != CV_8UC3)
        throw std::invalid_argument("sample.image: expected a non-empty CV_8UC3 image");
    if (!s.segmentation.empty() && (s.segmentation.type() != CV_8UC1 || s.segmentation.size() != s.image.size()))
        throw std::invalid_argument("sample.segmentation: expected CV_8UC1 of the image's size");
    if (!s.depth.empty() && (s.depth.type() != CV_32FC1 || s.depth.size() != s.image.size()))
        throw std::invalid_argument("sample.depth: expected CV_32FC1 of the image's size");
    if (s.visibility.size() != 0 && s.visibility.size() != s.landmarks.rows())
        throw std::invalid_argument("sample.visibility: " + std::to_string(s.visibility.size()) + " values for " +
                                    std::to_string(s.landmarks.rows()) + " landmarks");
    if (!s.landmarks.allFinite()) throw std::invalid_argument("sample.landmarks: not finite");
}

const std::vector<int>& permutationFor(const FlipSpec& flip, Eigen::Index n) {
    if (!flip.landmarkPermutation.empty()) {
        const auto& p = flip.landmarkPermutation;
        if (static_cast<Eigen::Index>(p.size()) != n)
            throw std::invalid_argument("flip.landmarkPermutation: " + std::to_string(p.size()) + " entries for " +
                                        std::to_string(n) + " landmarks");
        for (std::size_t i = 0; i < p.size(); ++i)
            if (p[i] < 0 || p[i] >= static_cast<int>(n) || p[static_cast<std::size_t>(p[i])] != static_cast<int>(i))
                throw std::invalid_argument("flip.landmarkPermutation: entry " + std::to_string(i) +
                                            " does not form a mirror pairing (a permutation that is its own inverse)");
        return p;
    }
    if (n == 68) return ibug68FlipPermutation();
    if (n == 70) return faceSynthetics70FlipPermutation();
    if (n == 106) return lapa106FlipPermutation();
    throw std::invalid_argument("flip.landmarkPermutation: no built-in mirror permutation for " + std::to_string(n) +
                                " landmarks (built in: 68, 70); give one");
}

/// Photometric operations on a float RGB image in 8-bit units.
void colorJitter(cv::Mat& f, double brightness, double contrast, double gamma) {
    f.forEach<cv::Vec3f>([&](cv::Vec3f& px, const int*) {
        for (int c = 0; c < 3; ++c) {
            double x = std::clamp(px[c] / 255.0, 0.0, 1.0);
            x = std::pow(x, gamma);
            x = (x - 0.5) * contrast + 0.5 + brightness;
            px[c] = static_cast<float>(std::clamp(x, 0.0, 1.0) * 255.0);
        }
    });
}

void toGray(cv::Mat& f) {
    f.forEach<cv::Vec3f>([](cv::Vec3f& px, const int*) {
        const float y = 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];  // RGB order (Rec. 601)
        px = cv::Vec3f(y, y, y);
    });
}

void addNoise(cv::Mat& f, SampleRng& r, double sigma) {
    // Serial and in raster order: the values depend on the seed only.
    for (int y = 0; y < f.rows; ++y) {
        auto* row = f.ptr<float>(y);
        for (int x = 0; x < f.cols * 3; ++x) row[x] += static_cast<float>(sigma * r.normal());
    }
}

void erase(cv::Mat& f, SampleRng& r, const AugmentConfig& c) {
    const double area = draw(r, c.eraseArea) * f.cols * f.rows;
    const double aspect = std::exp(r.uniform(std::log(c.eraseAspect.lo), std::log(c.eraseAspect.hi)));
    const int w = std::clamp(static_cast<int>(std::lround(std::sqrt(area * aspect))), 1, f.cols);
    const int h = std::clamp(static_cast<int>(std::lround(std::sqrt(area / aspect))), 1, f.rows);
    const int x0 = std::min(f.cols - w, static_cast<int>(r.uniform01() * (f.cols - w + 1)));
    const int y0 = std::min(f.rows - h, static_cast<int>(r.uniform01() * (f.rows - h + 1)));
    const cv::Scalar colour(r.uniform(0, 255), r.uniform(0, 255), r.uniform(0, 255));
    f(cv::Rect(x0, y0, w, h)).setTo(colour);
}

}  // namespace

AugmentSample augment(const AugmentSample& in, const AugmentConfig& config, std::uint64_t seed,
                      const FlipSpec& flip, AugmentInfo* info) {
    config.validate();
    checkSample(in);
    AugmentInfo local;
    AugmentInfo& inf = info ? *info : local;
    inf = AugmentInfo();
    AugmentSample out;
    out.segmentationBorder = in.segmentationBorder;
    if (!config.enabled) {
        out.image = in.image.clone();
        out.segmentation = in.segmentation.clone();
        out.depth = in.depth.clone();
        out.landmarks = in.landmarks;
        out.visibility = in.visibility;
        return out;
    }
    const Eigen::Index n = in.landmarks.rows();
    const int w = in.image.cols, h = in.image.rows;
    const std::vector<int>* perm = nullptr;
    if (config.flipProbability > 0 && n > 0) perm = &permutationFor(flip, n);

    // ---- geometry: one warp, then an exact flip
    bool warped = false;
    const Eigen::Matrix3d g = drawWarp(config, seed, w, h, warped);
    SampleRng rf = rngFor(seed, kFlip);
    const bool flipped = rf.uniform01() < config.flipProbability;
    if (warped) {
        out.image = warp(in.image, g, cv::INTER_LINEAR);
        if (!in.segmentation.empty()) out.segmentation = warp(in.segmentation, g, cv::INTER_NEAREST, in.segmentationBorder);
        if (!in.depth.empty()) out.depth = warp(in.depth, g, cv::INTER_NEAREST);
    } else {
        out.image = in.image.clone();
        out.segmentation = in.segmentation.clone();
        out.depth = in.depth.clone();
    }
    Eigen::Matrix3d total = g;
    if (flipped) {
        // Pixel i <-> pixel w-1-i, i.e. continuous x -> w - x.
        cv::flip(out.image, out.image, 1);
        if (!out.depth.empty()) cv::flip(out.depth, out.depth, 1);
        if (!out.segmentation.empty()) {
            cv::flip(out.segmentation, out.segmentation, 1);
            const cv::Mat lut(1, 256, CV_8UC1, const_cast<std::uint8_t*>(flip.classFlip.data()));
            cv::LUT(out.segmentation, lut, out.segmentation);
        }
        Eigen::Matrix3d f = Eigen::Matrix3d::Identity();
        f(0, 0) = -1.0;
        f(0, 2) = w;
        total = f * g;
    }
    inf.transform = total;
    inf.geometric = warped;
    inf.flipped = flipped;

    out.landmarks.resize(n, 2);
    out.visibility.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Index src = flipped ? (*perm)[static_cast<std::size_t>(i)] : i;
        const Eigen::Vector3d q = total * Eigen::Vector3d(in.landmarks(src, 0), in.landmarks(src, 1), 1.0);
        float vis = in.visibility.size() ? in.visibility[src] : 1.0f;
        if (q.z() <= 1e-9) {
            // Behind the perspective's horizon: far outside the image. Keep a
            // finite position, mark it not visible.
            out.landmarks(i, 0) = -static_cast<float>(w);
            out.landmarks(i, 1) = -static_cast<float>(h);
            vis = 0.0f;
        } else {
            const double x = q.x() / q.z(), y = q.y() / q.z();
            out.landmarks(i, 0) = static_cast<float>(x);
            out.landmarks(i, 1) = static_cast<float>(y);
            if (!(x >= 0 && x < w && y >= 0 && y < h)) vis = 0.0f;
        }
        out.visibility[i] = vis;
    }

    // ---- photometric: image only, in float, one rounding at the end
    SampleRng rc = rngFor(seed, kColor), rg = rngFor(seed, kGray), rb = rngFor(seed, kBlur),
              rn = rngFor(seed, kNoise), re = rngFor(seed, kErase);
    const bool doColor = rc.uniform01() < config.colorProbability;
    const bool doGray = rg.uniform01() < config.grayscaleProbability;
    const bool doBlur = rb.uniform01() < config.blurProbability;
    const bool doNoise = rn.uniform01() < config.noiseProbability;
    const bool doErase = re.uniform01() < config.eraseProbability;
    if (doColor || doGray || doBlur || doNoise || doErase) {
        cv::Mat f;
        out.image.convertTo(f, CV_32FC3);
        if (doColor) {
            const double b = draw(rc, config.brightness), c = draw(rc, config.contrast), gm = draw(rc, config.gamma);
            colorJitter(f, b, c, gm);
        }
        if (doGray) toGray(f);
        if (doBlur) {
            const double sigma = draw(rb, config.blurSigma);
            const int k = 2 * static_cast<int>(std::ceil(3.0 * sigma)) + 1;
            cv::GaussianBlur(f, f, cv::Size(k, k), sigma, sigma, cv::BORDER_REFLECT_101);
        }
        if (doNoise) addNoise(f, rn, draw(rn, config.noiseSigma));
        if (doErase) erase(f, re, config);
        f.convertTo(out.image, CV_8UC3);  // rounds and saturates
    }
    return out;
}

std::uint64_t augmentSeed(std::uint64_t runSeed, std::int64_t epoch, std::int64_t sampleIndex) {
    using M = SampleRng;
    return M::mix(M::mix(M::mix(runSeed ^ 0xA5A5A5A5F00Dull) ^ (static_cast<std::uint64_t>(epoch) * 0x9E3779B97F4A7C15ull)) ^
                  (static_cast<std::uint64_t>(sampleIndex) * 0xD1B54A32D192ED03ull));
}

}  // namespace synthforge::train
