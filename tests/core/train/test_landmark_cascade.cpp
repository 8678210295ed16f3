// The framing cascade (core/train/landmark_cascade.h) driven by oracle
// predictors: the true landmarks of a face seen through the crop, exactly,
// or pulled toward the template the way a network regresses toward the mean
// face when the framing is off. From shifted (±15 %), scaled (0.7–1.4×) and
// rotated inputs the cascade must recover the landmarks of the training
// framing, where that biased oracle is exact.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/train/landmark_cascade.h"

namespace synthforge::train {
namespace {

constexpr int kSize = 256;

Similarity2d make(double scale, double angleDeg, double tx, double ty) {
    const double t = angleDeg * M_PI / 180.0;
    return {scale * std::cos(t), scale * std::sin(t), tx, ty};
}

/// A 68-point template within ±0.6, as a face fills a training crop.
Points2d faceTemplate() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-0.6, 0.6);
    Points2d t(68, 2);
    for (int i = 0; i < 68; ++i) t.row(i) << u(rng), u(rng);
    return t;
}

/// An input image (kSize x kSize) showing the training framing's face moved
/// by `g`: its true landmarks in input pixels.
Points2d trueLandmarks(const Points2d& tmpl, const Similarity2d& g) { return g.apply(normalisedToCropPixels(tmpl, kSize)); }

/// The oracle: the true landmarks seen through each crop, normalised,
/// pulled toward the template by (1 - alpha) (alpha = 1: exact).
struct Oracle {
    std::vector<Points2d> truth;  ///< per item, input pixels
    Points2d tmpl;
    double alpha = 1;
    int calls = 0;
    std::size_t largestBatch = 0;
    std::vector<Points2d> operator()(const std::vector<CropRequest>& requests) {
        ++calls;
        largestBatch = std::max(largestBatch, requests.size());
        std::vector<Points2d> out;
        for (const CropRequest& r : requests) {
            const Points2d seen = cropPixelsToNormalised(r.crop.apply(truth[r.item]), kSize);
            out.push_back(alpha * seen + (1 - alpha) * tmpl);
        }
        return out;
    }
};

double maxError(const Points2d& a, const Points2d& b) { return (a - b).rowwise().norm().maxCoeff(); }

std::vector<Similarity2d> offsets() {
    std::vector<Similarity2d> g;
    for (double scale : {0.7, 1.0, 1.4})
        for (double sx : {-0.15, 0.0, 0.15})
            for (double sy : {-0.15, 0.15})
                for (double angle : {0.0, 12.0}) {
                    // Scale and turn about the image centre, then shift by a fraction of the size.
                    const Similarity2d about = make(scale, angle, 0, 0);
                    const Eigen::Vector2d c(kSize / 2.0, kSize / 2.0), moved = about.apply(c);
                    g.push_back(make(scale, angle, c.x() - moved.x() + sx * kSize, c.y() - moved.y() + sy * kSize));
                }
    return g;
}

TEST(LandmarkCascade, ExactOracleConvergesAfterOneRecrop) {
    const Points2d tmpl = faceTemplate();
    Oracle oracle{{}, tmpl, 1.0};
    const std::vector<Similarity2d> g = offsets();
    for (const Similarity2d& s : g) oracle.truth.push_back(trueLandmarks(tmpl, s));
    const std::vector<Similarity2d> initial(g.size(), centredCrop(kSize, kSize, kSize));
    CascadeOptions o;
    o.maxIterations = 3;
    const std::vector<CascadeTrace> traces =
        runLandmarkCascade(initial, tmpl, kSize, o, [&](const std::vector<CropRequest>& r) { return oracle(r); });
    ASSERT_EQ(traces.size(), g.size());
    for (std::size_t i = 0; i < g.size(); ++i) {
        // The first fit lands on the training framing (g's inverse); the
        // second fit does not move: 1 re-crop, converged.
        EXPECT_EQ(traces[i].iterations, 1) << i;
        EXPECT_TRUE(traces[i].converged) << i;
        ASSERT_EQ(traces[i].motion.size(), 2u) << i;
        EXPECT_LT(traces[i].motion[1], 1e-9) << i;
        EXPECT_NEAR(cropMotion(traces[i].crop, g[i].inverse(), kSize), 0, 1e-9) << i;
        EXPECT_LT(maxError(traces[i].landmarks, oracle.truth[i]), 1e-9) << i;
    }
    // One call per iteration for all items together, never more than the items.
    EXPECT_EQ(oracle.calls, 2);
    EXPECT_EQ(oracle.largestBatch, g.size());
}

TEST(LandmarkCascade, BiasedOracleConvergesToTheTrainingFramingResult) {
    const Points2d tmpl = faceTemplate();
    Oracle oracle{{}, tmpl, 0.6};
    const std::vector<Similarity2d> g = offsets();
    for (const Similarity2d& s : g) oracle.truth.push_back(trueLandmarks(tmpl, s));
    const std::vector<Similarity2d> initial(g.size(), centredCrop(kSize, kSize, kSize));

    // The centred crop alone keeps the pull toward the template: pixels off.
    CascadeOptions none;
    none.maxIterations = 0;
    const auto centred =
        runLandmarkCascade(initial, tmpl, kSize, none, [&](const std::vector<CropRequest>& r) { return oracle(r); });
    double worstCentred = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
        EXPECT_EQ(centred[i].iterations, 0);
        EXPECT_FALSE(centred[i].converged);
        EXPECT_TRUE(centred[i].motion.empty());
        worstCentred = std::max(worstCentred, maxError(centred[i].landmarks, oracle.truth[i]));
    }
    EXPECT_GT(worstCentred, 20.0);

    CascadeOptions o;
    o.maxIterations = 20;
    o.tolerance = 1e-6;
    const auto traces =
        runLandmarkCascade(initial, tmpl, kSize, o, [&](const std::vector<CropRequest>& r) { return oracle(r); });
    for (std::size_t i = 0; i < g.size(); ++i) {
        EXPECT_TRUE(traces[i].converged) << i;
        EXPECT_LE(traces[i].iterations, 20) << i;
        // Within 1e-3 px of the truth on a 256-px image.
        EXPECT_LT(maxError(traces[i].landmarks, oracle.truth[i]), 1e-3) << i;
        // The crop motion shrinks every iteration (a contraction by ~1 - alpha).
        for (std::size_t k = 1; k < traces[i].motion.size(); ++k)
            EXPECT_LT(traces[i].motion[k], traces[i].motion[k - 1]) << i << " " << k;
    }

    // The default settings (3 re-crops, tolerance 0.005) already cut the
    // worst error by an order of magnitude.
    const auto defaults = runLandmarkCascade(initial, tmpl, kSize, CascadeOptions{},
                                             [&](const std::vector<CropRequest>& r) { return oracle(r); });
    double worstDefault = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
        EXPECT_LE(defaults[i].iterations, 3);
        worstDefault = std::max(worstDefault, maxError(defaults[i].landmarks, oracle.truth[i]));
    }
    EXPECT_LT(worstDefault, worstCentred / 10) << worstDefault << " vs " << worstCentred;
}

TEST(LandmarkCascade, ItemsStopIndependentlyAndBadAnswersAreRefused) {
    const Points2d tmpl = faceTemplate();
    // Item 0 already in the training framing (stops at once), item 1 shifted.
    Oracle oracle{{trueLandmarks(tmpl, make(1, 0, 0, 0)), trueLandmarks(tmpl, make(1, 0, 30, 0))}, tmpl, 1.0};
    std::vector<std::size_t> batchSizes;
    const std::vector<Similarity2d> initial(2, centredCrop(kSize, kSize, kSize));
    const auto traces = runLandmarkCascade(initial, tmpl, kSize, CascadeOptions{}, [&](const std::vector<CropRequest>& r) {
        batchSizes.push_back(r.size());
        return oracle(r);
    });
    EXPECT_EQ(batchSizes, (std::vector<std::size_t>{2, 1}));
    EXPECT_EQ(traces[0].iterations, 0);
    EXPECT_TRUE(traces[0].converged);
    EXPECT_EQ(traces[1].iterations, 1);
    EXPECT_NEAR(traces[1].crop.tx, -30, 1e-9);

    // A predictor that answers NaN everywhere: nothing to fit, the item keeps its first prediction.
    const auto nan = runLandmarkCascade({centredCrop(kSize, kSize, kSize)}, tmpl, kSize, CascadeOptions{},
                                        [&](const std::vector<CropRequest>& r) {
                                            return std::vector<Points2d>(r.size(), Points2d::Constant(68, 2, NAN));
                                        });
    EXPECT_EQ(nan[0].iterations, 0);
    EXPECT_FALSE(nan[0].converged);

    EXPECT_THROW(runLandmarkCascade(initial, tmpl, kSize, CascadeOptions{},
                                    [](const std::vector<CropRequest>&) { return std::vector<Points2d>(1); }),
                 std::invalid_argument);
    EXPECT_THROW(runLandmarkCascade(initial, tmpl, kSize, CascadeOptions{},
                                    [](const std::vector<CropRequest>& r) {
                                        return std::vector<Points2d>(r.size(), Points2d::Zero(5, 2));
                                    }),
                 std::invalid_argument);
    CascadeOptions bad;
    bad.maxIterations = -1;
    EXPECT_THROW(runLandmarkCascade(initial, tmpl, kSize, bad, [&](const std::vector<CropRequest>& r) { return oracle(r); }),
                 std::invalid_argument);
    EXPECT_THROW(runLandmarkCascade(initial, Points2d(1, 2), kSize, CascadeOptions{},
                                    [&](const std::vector<CropRequest>& r) { return oracle(r); }),
                 std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::train
