// Augmentation keeps the landmarks on the same image features: Gaussian dots
// drawn at known landmark positions are found again, after random affine +
// perspective + flip warps, at the augmented landmark positions. Plus known
// transforms (exact 90° rotation, flip), label handling (nearest, class flip
// partners), determinism, the identity config and strict JSON parsing.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/class_table.h"
#include "core/train/augment.h"

using namespace synthforge;
using train::AugmentConfig;
using train::AugmentSample;

namespace {

constexpr int kSide = 96;

/// A Gaussian dot (sigma 1.5 px) centred on continuous position (x, y):
/// pixel (i, j) is evaluated at its centre (i + 0.5, j + 0.5).
void drawDot(cv::Mat& img, double x, double y) {
    for (int j = std::max(0, int(y) - 7); j < std::min(img.rows, int(y) + 8); ++j)
        for (int i = std::max(0, int(x) - 7); i < std::min(img.cols, int(x) + 8); ++i) {
            const double d2 = (i + 0.5 - x) * (i + 0.5 - x) + (j + 0.5 - y) * (j + 0.5 - y);
            const auto v = static_cast<std::uint8_t>(std::lround(250.0 * std::exp(-d2 / (2 * 1.5 * 1.5))));
            img.at<cv::Vec3b>(j, i) = cv::Vec3b(v, v, v);
        }
}

/// Intensity-weighted centroid (continuous pixels) of channel 0 within `r` px of `around`.
cv::Point2d centroid(const cv::Mat& img, cv::Point2d around, int r) {
    double sw = 0, sx = 0, sy = 0;
    for (int j = std::max(0, int(around.y) - r); j < std::min(img.rows, int(around.y) + r + 1); ++j)
        for (int i = std::max(0, int(around.x) - r); i < std::min(img.cols, int(around.x) + r + 1); ++i) {
            const double v = img.at<cv::Vec3b>(j, i)[0];
            sw += v, sx += v * (i + 0.5), sy += v * (j + 0.5);
        }
    return sw > 0 ? cv::Point2d(sx / sw, sy / sw) : cv::Point2d(-1e9, -1e9);
}

/// 68 landmarks spread over the centre of the image.
io::Points2f someLandmarks(int n = 68) {
    std::mt19937 gen(7);
    std::uniform_real_distribution<float> u(28.f, 68.f);
    io::Points2f p(n, 2);
    for (int i = 0; i < n; ++i) p(i, 0) = u(gen), p(i, 1) = u(gen);
    return p;
}

AugmentConfig geometricOnly() {
    AugmentConfig c = AugmentConfig::none();
    c.enabled = true;
    c.affineProbability = 1.0;
    c.scale = {0.85, 1.15};
    c.rotationDeg = {-30, 30};
    c.shift = {-0.08, 0.08};
    c.perspectiveProbability = 1.0;
    c.perspective = 0.06;
    c.flipProbability = 0.5;
    return c;
}

AugmentSample blankSample(int n = 68) {
    AugmentSample s;
    s.image = cv::Mat::zeros(kSide, kSide, CV_8UC3);
    s.landmarks = someLandmarks(n);
    return s;
}

/// A label map of rectangles with ids {0, 1, 3, 4, 7} and depth from a few values.
AugmentSample labelledSample() {
    AugmentSample s = blankSample();
    cv::randu(s.image, 0, 255);
    s.segmentation = cv::Mat::zeros(kSide, kSide, CV_8UC1);
    s.segmentation(cv::Rect(10, 10, 70, 70)).setTo(1);
    s.segmentation(cv::Rect(20, 30, 15, 8)).setTo(3);  // right eye: image left (subject's right)
    s.segmentation(cv::Rect(60, 30, 15, 8)).setTo(4);  // left eye
    s.segmentation(cv::Rect(5, 40, 6, 20)).setTo(7);
    s.depth = cv::Mat::zeros(kSide, kSide, CV_32FC1);
    s.depth.setTo(2.5f, s.segmentation != 0);
    s.depth.setTo(2.25f, s.segmentation == 3);
    s.visibility = Eigen::VectorXf::Ones(68);
    return s;
}

bool sameMat(const cv::Mat& a, const cv::Mat& b) {
    if (a.empty() || b.empty()) return a.empty() && b.empty();
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace

TEST(Augment, KeepsLandmarksOnTheSameImageFeatures) {
    const AugmentConfig c = geometricOnly();
    const io::Points2f lm = someLandmarks();
    const auto& perm = train::ibug68FlipPermutation();
    double worst = 0;
    int checked = 0, flips = 0;
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        // The warp depends on the seed and the image size only, so each
        // landmark's dot can be warped alone and found without ambiguity.
        AugmentSample s = blankSample();
        train::AugmentInfo info;
        const AugmentSample ref = train::augment(s, c, seed, train::FlipSpec(), &info);
        flips += info.flipped;
        for (int j = 0; j < 68; ++j) {
            if (ref.visibility[j] == 0) continue;
            const float x = ref.landmarks(j, 0), y = ref.landmarks(j, 1);
            if (x < 8 || y < 8 || x > kSide - 8 || y > kSide - 8) continue;
            const int src = info.flipped ? perm[j] : j;
            AugmentSample one = blankSample();
            drawDot(one.image, lm(src, 0), lm(src, 1));
            const AugmentSample out = train::augment(one, c, seed);
            const cv::Point2d found = centroid(out.image, {x, y}, 6);
            const double err = std::hypot(found.x - x, found.y - y);
            worst = std::max(worst, err);
            EXPECT_LT(err, 0.75) << "seed " << seed << " landmark " << j;
            ++checked;
        }
    }
    EXPECT_GT(checked, 400);
    EXPECT_GT(flips, 0);
    EXPECT_LT(flips, 12);
    // Bilinear sampling of a smooth dot keeps its centroid far closer than
    // the 0.75 px the issue asks; a ±0.5 px convention slip would show here.
    EXPECT_LT(worst, 0.3);
}

TEST(Augment, ExactQuarterTurnMatchesPixelRotation) {
    AugmentConfig c = AugmentConfig::none();
    c.enabled = true;
    c.affineProbability = 1.0;
    c.scale = {1, 1};
    c.rotationDeg = {90, 90};
    c.shift = {0, 0};
    AugmentSample s = labelledSample();
    s.landmarks.resize(1, 2);
    s.landmarks << 10.25f, 20.75f;
    s.visibility = Eigen::VectorXf::Ones(1);
    const AugmentSample out = train::augment(s, c, 5);
    // +90° with y down turns the image clockwise on screen.
    cv::Mat img, seg, depth;
    cv::rotate(s.image, img, cv::ROTATE_90_CLOCKWISE);
    cv::rotate(s.segmentation, seg, cv::ROTATE_90_CLOCKWISE);
    cv::rotate(s.depth, depth, cv::ROTATE_90_CLOCKWISE);
    EXPECT_TRUE(sameMat(out.image, img));
    EXPECT_TRUE(sameMat(out.segmentation, seg));
    EXPECT_TRUE(sameMat(out.depth, depth));
    // (x, y) -> (c - (y - c), c + (x - c)) with c = 48.
    EXPECT_NEAR(out.landmarks(0, 0), 48 - (20.75 - 48), 1e-4);
    EXPECT_NEAR(out.landmarks(0, 1), 48 + (10.25 - 48), 1e-4);
}

TEST(Augment, FlipSwapsMirrorLandmarksAndClasses) {
    AugmentConfig c = AugmentConfig::none();
    c.enabled = true;
    c.flipProbability = 1.0;
    AugmentSample s = labelledSample();
    s.visibility[45] = 0;  // travels with its landmark
    train::AugmentInfo info;
    const AugmentSample out = train::augment(s, c, 3, train::FlipSpec(), &info);
    ASSERT_TRUE(info.flipped);
    EXPECT_FLOAT_EQ(out.landmarks(36, 0), kSide - s.landmarks(45, 0));
    EXPECT_FLOAT_EQ(out.landmarks(36, 1), s.landmarks(45, 1));
    EXPECT_FLOAT_EQ(out.landmarks(45, 0), kSide - s.landmarks(36, 0));
    EXPECT_FLOAT_EQ(out.landmarks(8, 0), kSide - s.landmarks(8, 0));  // chin stays itself
    EXPECT_EQ(out.visibility[36], 0.0f);
    EXPECT_EQ(out.visibility[45], 1.0f);
    const auto flip = annotate::ClassTable::defaultTable().flipMap();
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
            ASSERT_EQ(out.segmentation.at<std::uint8_t>(y, kSide - 1 - x), flip[s.segmentation.at<std::uint8_t>(y, x)]);
            ASSERT_EQ(out.image.at<cv::Vec3b>(y, kSide - 1 - x), s.image.at<cv::Vec3b>(y, x));
        }
    // The right eye (3) drawn on the image's left is the left eye (4) on its right now.
    EXPECT_EQ(out.segmentation.at<std::uint8_t>(33, kSide - 1 - 25), 4);
    EXPECT_EQ(out.segmentation.at<std::uint8_t>(33, kSide - 1 - 65), 3);
}

TEST(Augment, CustomPermutationForOtherLandmarkSets) {
    AugmentConfig c = AugmentConfig::none();
    c.enabled = true;
    c.flipProbability = 1.0;
    AugmentSample s = blankSample(3);
    train::FlipSpec f;
    f.landmarkPermutation = {2, 1, 0};
    const AugmentSample out = train::augment(s, c, 1, f);
    EXPECT_FLOAT_EQ(out.landmarks(0, 0), kSide - s.landmarks(2, 0));
    EXPECT_FLOAT_EQ(out.landmarks(1, 0), kSide - s.landmarks(1, 0));
    // No built-in permutation for 3 points; a permutation that is not its own inverse.
    EXPECT_THROW(train::augment(s, c, 1), std::invalid_argument);
    f.landmarkPermutation = {1, 2, 0};
    EXPECT_THROW(train::augment(s, c, 1, f), std::invalid_argument);
    EXPECT_EQ(train::faceSynthetics70FlipPermutation()[68], 69);
    for (int i = 0; i < 68; ++i) EXPECT_EQ(train::ibug68FlipPermutation()[train::ibug68FlipPermutation()[i]], i);
}

TEST(Augment, LabelsStayInTheInputSetsUnderWarps) {
    const AugmentSample s = labelledSample();
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        const AugmentSample out = train::augment(s, geometricOnly(), seed);
        std::set<int> ids;
        for (int y = 0; y < kSide; ++y)
            for (int x = 0; x < kSide; ++x) ids.insert(out.segmentation.at<std::uint8_t>(y, x));
        // Input ids, and 8 for 7 (right ear -> left ear) on flipped draws.
        for (int id : ids) EXPECT_TRUE(id == 0 || id == 1 || id == 3 || id == 4 || id == 7 || id == 8) << id;
        std::set<float> depths;
        for (int y = 0; y < kSide; ++y)
            for (int x = 0; x < kSide; ++x) depths.insert(out.depth.at<float>(y, x));
        for (float d : depths) EXPECT_TRUE(d == 0.0f || d == 2.5f || d == 2.25f) << d;
        // Depth and labels moved together: depth is 0 exactly on background.
        EXPECT_TRUE(sameMat(out.depth != 0, out.segmentation != 0));
    }
}

TEST(Augment, LandmarksLeavingTheImageBecomeInvisible) {
    AugmentConfig c = AugmentConfig::none();
    c.enabled = true;
    c.affineProbability = 1.0;
    c.scale = {1, 1};
    c.rotationDeg = {0, 0};
    c.shift = {0.4, 0.4};
    AugmentSample s = blankSample(2);
    s.landmarks << 10.0f, 10.0f, 70.0f, 20.0f;
    const AugmentSample out = train::augment(s, c, 9);
    EXPECT_NEAR(out.landmarks(0, 0), 10 + 0.4 * kSide, 1e-4);
    EXPECT_NEAR(out.landmarks(1, 0), 70 + 0.4 * kSide, 1e-4);
    EXPECT_EQ(out.visibility[0], 1.0f);  // 48.4: inside
    EXPECT_EQ(out.visibility[1], 0.0f);  // 108.4: outside
}

TEST(Augment, DisabledConfigIsAnExactIdentity) {
    const AugmentSample s = labelledSample();
    for (const AugmentConfig& c : {AugmentConfig::none(), [] {
             AugmentConfig z = AugmentConfig::none();
             z.enabled = true;  // every probability still 0
             return z;
         }()}) {
        const AugmentSample out = train::augment(s, c, 1234);
        EXPECT_TRUE(sameMat(out.image, s.image));
        EXPECT_TRUE(sameMat(out.segmentation, s.segmentation));
        EXPECT_TRUE(sameMat(out.depth, s.depth));
        EXPECT_EQ(out.landmarks, s.landmarks);
        EXPECT_EQ(out.visibility, s.visibility);
    }
}

TEST(Augment, SameSeedSameOutputOtherSeedOtherOutput) {
    const AugmentSample s = labelledSample();
    AugmentConfig c;  // the defaults
    c.affineProbability = 1.0;
    c.noiseProbability = 1.0;
    const AugmentSample a = train::augment(s, c, 42), b = train::augment(s, c, 42), d = train::augment(s, c, 43);
    EXPECT_TRUE(sameMat(a.image, b.image));
    EXPECT_TRUE(sameMat(a.segmentation, b.segmentation));
    EXPECT_EQ(a.landmarks, b.landmarks);
    EXPECT_FALSE(sameMat(a.image, d.image));
    EXPECT_NE(a.landmarks, d.landmarks);
    EXPECT_NE(train::augmentSeed(1, 0, 5), train::augmentSeed(1, 1, 5));
    EXPECT_NE(train::augmentSeed(1, 0, 5), train::augmentSeed(1, 0, 6));
    EXPECT_NE(train::augmentSeed(1, 0, 5), train::augmentSeed(2, 0, 5));
}

TEST(Augment, PhotometricOpsTouchTheImageOnly) {
    const AugmentSample s = labelledSample();
    AugmentConfig c = AugmentConfig::none();
    c.enabled = true;
    c.colorProbability = c.grayscaleProbability = c.blurProbability = c.noiseProbability = c.eraseProbability = 1.0;
    const AugmentSample out = train::augment(s, c, 77);
    EXPECT_FALSE(sameMat(out.image, s.image));
    EXPECT_TRUE(sameMat(out.segmentation, s.segmentation));
    EXPECT_TRUE(sameMat(out.depth, s.depth));
    EXPECT_EQ(out.landmarks, s.landmarks);
    EXPECT_EQ(out.visibility, s.visibility);

    // Grayscale alone gives equal channels; colour alone with fixed values is known.
    c = AugmentConfig::none();
    c.enabled = true;
    c.grayscaleProbability = 1.0;
    const AugmentSample g = train::augment(s, c, 1);
    std::vector<cv::Mat> ch;
    cv::split(g.image, ch);
    EXPECT_EQ(cv::countNonZero(ch[0] != ch[1]), 0);
    EXPECT_EQ(cv::countNonZero(ch[0] != ch[2]), 0);
    c = AugmentConfig::none();
    c.enabled = true;
    c.colorProbability = 1.0;
    c.brightness = {0.2, 0.2};
    c.contrast = {1, 1};
    c.gamma = {1, 1};
    AugmentSample flat = s;
    flat.image = cv::Mat(kSide, kSide, CV_8UC3, cv::Scalar(100, 0, 250));
    const AugmentSample bright = train::augment(flat, c, 1);
    EXPECT_EQ(bright.image.at<cv::Vec3b>(5, 5), cv::Vec3b(151, 51, 255));  // +51, saturated
}

TEST(Augment, RejectsBadSamples) {
    AugmentSample s = labelledSample();
    s.image.convertTo(s.image, CV_32FC3);
    EXPECT_THROW(train::augment(s, AugmentConfig(), 1), std::invalid_argument);
    s = labelledSample();
    s.visibility = Eigen::VectorXf::Ones(3);
    EXPECT_THROW(train::augment(s, AugmentConfig(), 1), std::invalid_argument);
    s = labelledSample();
    s.segmentation = cv::Mat::zeros(10, 10, CV_8UC1);
    EXPECT_THROW(train::augment(s, AugmentConfig(), 1), std::invalid_argument);
    s = labelledSample();
    s.landmarks(0, 0) = NAN;
    EXPECT_THROW(train::augment(s, AugmentConfig(), 1), std::invalid_argument);
    AugmentConfig bad;
    bad.flipProbability = 2;
    EXPECT_THROW(train::augment(labelledSample(), bad, 1), std::invalid_argument);
}

TEST(AugmentConfigJson, RoundTripsAndKeepsDefaultsForMissingKeys) {
    AugmentConfig c;
    c.scale = {0.75, 1.3};
    c.flipProbability = 0.25;
    c.perspective = 0.1;
    c.eraseAspect = {0.5, 2};
    EXPECT_EQ(train::augmentConfigFromJson(train::augmentConfigToJson(c)), c);
    EXPECT_EQ(train::augmentConfigFromJson(train::augmentConfigToJson(AugmentConfig::none())), AugmentConfig::none());
    const AugmentConfig partial = train::augmentConfigFromJson(R"({"flip": {"probability": 0}, "blur": {"sigma": [1, 2]}})");
    AugmentConfig want;
    want.flipProbability = 0;
    want.blurSigma = {1, 2};
    EXPECT_EQ(partial, want);
    EXPECT_EQ(train::augmentConfigFromJson("{}"), AugmentConfig());
    EXPECT_EQ(train::augmentConfigFromJson(R"({"affine": {}, "format": "synthforge-augment", "version": 1})"),
              AugmentConfig());
}

TEST(AugmentConfigJson, RejectsBadConfigsNamingTheField) {
    const std::pair<const char*, const char*> cases[] = {
        {"not json", "not valid JSON"},
        {"[1, 2]", "expected a JSON object"},
        {R"({"format": "other"})", "format"},
        {R"({"version": 2})", "version"},
        {R"({"rotation": [0, 1]})", "unknown key(s) rotation"},
        {R"({"affine": {"scael": [1, 1]}})", "unknown key(s) affine.scael"},
        {R"({"affine": {"scale": [1.2, 0.9]}})", "affine.scale: inverted"},
        {R"({"affine": {"scale": [0, 1]}})", "affine.scale"},
        {R"({"affine": {"scale": [1]}})", "affine.scale: expected two numbers"},
        {R"({"affine": {"scale": ["a", 1]}})", "affine.scale: expected two numbers"},
        {R"({"flip": {"probability": 1.5}})", "flip.probability"},
        {R"({"noise": {"probability": -0.1}})", "noise.probability"},
        {R"({"perspective": {"strength": 0.5}})", "perspective.strength"},
        {R"({"affine": {"rotation_deg": [-200, 0]}})", "affine.rotation_deg"},
        {R"({"enabled": 1})", "enabled"},
        {R"({"erase": 3})", "erase: expected an object"},
        {R"({"version": 1.5})", "version: expected an integer"},
        {R"({"blur": {"sigma": [1, 1e999]}})", "not valid JSON"},
    };
    for (const auto& [text, field] : cases) {
        try {
            train::augmentConfigFromJson(text, "cfg.json");
            ADD_FAILURE() << "accepted: " << text;
        } catch (const std::runtime_error& e) {
            const std::string msg = e.what();
            EXPECT_EQ(msg.rfind("cfg.json: ", 0), 0u) << msg;
            EXPECT_NE(msg.find(field), std::string::npos) << text << " -> " << msg;
        }
    }
    EXPECT_THROW(train::readAugmentConfig("/nonexistent/augment.json"), std::runtime_error);
    AugmentConfig nan;
    nan.gamma.lo = NAN;
    EXPECT_THROW(nan.validate(), std::invalid_argument);
}
