// Stage I losses against hand-computed values, the affine warp against
// known pixel moves, the equivariance loss's zeros (identity transform,
// equivariant backbones), and gradient flow through the whole network.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "core/train/torch_losses.h"

using namespace synthforge::train;

namespace {

double value(const torch::Tensor& t) { return t.item<double>(); }

torch::Tensor image(std::vector<float> v, std::vector<int64_t> shape) {
    return torch::tensor(v).reshape(shape);
}

}  // namespace

TEST(Losses, SegmentationCrossEntropyIgnores255) {
    // Three pixels: logits (0, 0) -> class 0 costs ln 2; (ln 3, 0) -> class 1
    // costs ln 4; the third is ignored whatever its logits.
    const auto logits = image({0.f, std::log(3.f), 5.f, 0.f, 0.f, -5.f}, {1, 2, 1, 3});
    const auto target = torch::tensor({0, 1, 255}, torch::kLong).reshape({1, 1, 3});
    EXPECT_NEAR(value(segmentationLoss(logits, target)), 1.5 * std::log(2.0), 1e-6);
    EXPECT_EQ(value(segmentationLoss(logits, torch::full({1, 1, 3}, 255, torch::kLong))), 0.0);
}

TEST(Losses, ClassBalancedCrossEntropyKnownValues) {
    // Four counted pixels: three of class 0 with uniform logits (ln 2 each),
    // one of class 1 with logits (ln 3, 0) (ln 4); a fifth pixel is ignored.
    // Shares 3/4 and 1/4, lower median 1/4: weights (1/3)^a and 1.
    const auto logits = image({0.f, 0.f, 0.f, std::log(3.f), 7.f, 0.f, 0.f, 0.f, 0.f, -7.f}, {1, 2, 1, 5});
    const auto target = torch::tensor({0, 0, 0, 1, 255}, torch::kLong).reshape({1, 1, 5});
    const double ln2 = std::log(2.0), ln4 = std::log(4.0);
    EXPECT_NEAR(value(segmentationLoss(logits, target, 0)), (3 * ln2 + ln4) / 4, 1e-6);
    EXPECT_NEAR(value(segmentationLoss(logits, target, 1)), (ln2 + ln4) / 2, 1e-6);
    const double w0 = std::sqrt(1.0 / 3);
    EXPECT_NEAR(value(segmentationLoss(logits, target, 0.5)), (3 * w0 * ln2 + ln4) / (3 * w0 + 1), 1e-6);
    // One class present: its weight is 1, the plain mean.
    const auto single = torch::tensor({0, 0, 0, 0, 255}, torch::kLong).reshape({1, 1, 5});
    EXPECT_NEAR(value(segmentationLoss(logits, single, 1)), value(segmentationLoss(logits, single, 0)), 1e-7);
    // Everything ignored: 0, not NaN.
    EXPECT_EQ(value(segmentationLoss(logits, torch::full({1, 1, 5}, 255, torch::kLong), 1)), 0.0);
    EXPECT_THROW(segmentationLoss(logits, target, -1), std::invalid_argument);
    EXPECT_THROW(segmentationLoss(logits, torch::tensor({0, 0, 0, 2, 255}, torch::kLong).reshape({1, 1, 5}), 1),
                 std::invalid_argument);
}

TEST(Losses, SoftDiceKnownValuesAndIgnoredPixels) {
    // Two classes, uniform logits (p = 0.5), four pixels of class 0:
    // class 0: (2*2 + 1) / (2 + 4 + 1) = 5/7; class 1: (0 + 1) / (2 + 0 + 1) = 1/3.
    const auto target = torch::zeros({1, 2, 2}, torch::kLong);
    EXPECT_NEAR(diceLoss(torch::zeros({1, 2, 2, 2}), target).item<double>(), 1 - (5.0 / 7 + 1.0 / 3) / 2, 1e-6);
    // A fifth pixel marked 255 changes nothing, whatever its logits.
    auto logits = torch::zeros({1, 2, 1, 5});
    logits[0][1][0][4] = 9.0f;
    auto t5 = torch::zeros({1, 1, 5}, torch::kLong);
    t5[0][0][4] = kIgnoreIndex;
    EXPECT_NEAR(diceLoss(logits, t5).item<double>(), 1 - (5.0 / 7 + 1.0 / 3) / 2, 1e-6);
    // Confident and right: close to 0, including for a class absent from both.
    auto sure = torch::full({1, 3, 2, 2}, -20.0);
    sure.select(1, 0).fill_(20.0);
    EXPECT_LT(diceLoss(sure, target).item<double>(), 1e-6);
    // Confident and wrong: close to 1 - (1/5 + 1/5 + 1)/3 (class 0 and 1 each miss 4 pixels).
    auto wrong = torch::full({1, 3, 2, 2}, -20.0);
    wrong.select(1, 1).fill_(20.0);
    EXPECT_NEAR(diceLoss(wrong, target).item<double>(), 1 - (0.2 + 0.2 + 1) / 3, 1e-6);
}

TEST(Losses, DepthL1IsMaskedToTheFace) {
    const auto pred = image({1, 2, 3, 4}, {1, 1, 2, 2});
    const auto target = image({0, 1, 5, 4}, {1, 1, 2, 2});
    // Default mask target > 0: |2-1| + |3-5| + |4-4| over 3 pixels.
    EXPECT_NEAR(value(depthLoss(pred, target)), 1.0, 1e-7);
    EXPECT_NEAR(value(depthLoss(pred, target, image({1, 1, 0, 0}, {1, 1, 2, 2}))), 1.0, 1e-7);
    EXPECT_NEAR(value(depthLoss(pred, target, image({0, 0, 1, 0}, {1, 1, 2, 2}))), 2.0, 1e-7);
    EXPECT_EQ(value(depthLoss(pred, torch::zeros({1, 1, 2, 2}))), 0.0);  // no face: 0, not NaN
}

TEST(Losses, KeypointL2InNormalisedCoordinates) {
    const auto pred = image({0, 0, 1, 1}, {1, 2, 2});
    const auto target = image({0.3f, 0.4f, 1, 1}, {1, 2, 2});
    EXPECT_NEAR(value(keypointLoss(pred, target)), 0.125, 1e-7);  // (0.25 + 0) / 2
    EXPECT_NEAR(value(keypointLoss(pred, target, image({1, 0}, {1, 2}))), 0.25, 1e-7);
}

TEST(Losses, SoftArgmaxAndGaussianHeatmaps) {
    // Probabilities 1/4 and 3/4 on pixel centres x = -0.5 and 0.5.
    const auto p = softArgmax(image({0.f, std::log(3.f)}, {1, 1, 1, 2}));
    EXPECT_NEAR(value(p[0][0][0]), 0.25, 1e-6);
    EXPECT_NEAR(value(p[0][0][1]), 0.0, 1e-6);

    // Pixel (row 1, col 2) of a 4x4 map has its centre at (0.25, -0.25).
    const auto g = gaussianHeatmaps(image({0.25f, -0.25f}, {1, 1, 2}), 4, 4, 1.0);
    EXPECT_NEAR(value(g.sum()), 1.0, 1e-6);
    EXPECT_EQ(value(g.flatten().argmax()), 1 * 4 + 2);
    EXPECT_NEAR(value(g[0][0][1][3] / g[0][0][1][2]), std::exp(-0.5), 1e-6);
    // Decoding the log of a centred Gaussian gives its centre back.
    const auto c = softArgmax(gaussianHeatmaps(torch::zeros({1, 1, 2}), 8, 8, 1.5).log());
    EXPECT_LT(value(c.abs().max()), 1e-6);
}

TEST(Losses, HeatmapSpatialCrossEntropy) {
    const auto lmk = image({-0.5f, -0.5f}, {1, 1, 2});  // centre of pixel (0, 0) of a 2x2 map
    // Uniform logits: every pixel has probability 1/4, so the cost is ln 4.
    EXPECT_NEAR(value(heatmapLoss(torch::zeros({1, 2, 1, 2, 2}), lmk, 1.0)), std::log(4.0), 1e-6);
    // A tiny sigma makes the target one-hot: -ln softmax = -ln(2/5).
    const auto maps = image({std::log(2.f), 0, 0, 0}, {1, 1, 2, 2});
    EXPECT_NEAR(value(heatmapLoss(maps, lmk, 0.1)), -std::log(0.4), 1e-6);
}

TEST(Losses, AffineWarpMovesPixelsAsSpecified) {
    const auto identity = affineTheta(torch::zeros({1}), torch::zeros({1, 2}), 5, 7);
    EXPECT_TRUE(torch::allclose(identity, image({1, 0, 0, 0, 1, 0}, {1, 2, 3})));

    // Shift by +1 pixel in x.
    const auto row = image({1, 2, 3, 4}, {1, 1, 1, 4});
    const auto shifted = warpAffine(row, affineTheta(torch::zeros({1}), image({1, 0}, {1, 2}), 1, 4));
    EXPECT_TRUE(torch::allclose(shifted, image({0, 1, 2, 3}, {1, 1, 1, 4}), 1e-5, 1e-5));

    // +90°: a dot right of the centre moves below it (+x toward +y).
    auto dot = torch::zeros({1, 1, 3, 3});
    dot[0][0][1][2] = 1;
    const auto rotated = warpAffine(dot, affineTheta(torch::full({1}, M_PI / 2), torch::zeros({1, 2}), 3, 3));
    auto expected = torch::zeros({1, 1, 3, 3});
    expected[0][0][2][1] = 1;
    EXPECT_TRUE(torch::allclose(rotated, expected, 1e-5, 1e-5)) << rotated;

    // On a non-square image a 90° turn still maps pixels to pixels (no shear):
    // 2 columns right of the centre of a 5 x 9 image go 2 rows down.
    auto wide = torch::zeros({1, 1, 5, 9});
    wide[0][0][2][6] = 1;
    const auto turned = warpAffine(wide, affineTheta(torch::full({1}, M_PI / 2), torch::zeros({1, 2}), 5, 9));
    EXPECT_NEAR(value(turned[0][0][4][4]), 1.0, 1e-5);

    // Random draws respect the angle bound: theta[0][0] = cos(angle).
    torch::manual_seed(1);
    const auto r = randomAffineTheta(64, 32, 32, 1.0, 1.0 / 3.0);
    EXPECT_EQ(r.sizes(), (std::vector<int64_t>{64, 2, 3}));
    EXPECT_GE(value(r.select(1, 0).select(1, 0).min()), std::cos(1.0) - 1e-6);
}

TEST(Losses, EquivarianceIsZeroForIdentityAndEquivariantBackbones) {
    torch::manual_seed(2);
    const auto x = torch::randn({2, 3, 16, 16});
    torch::nn::Conv2d conv3(torch::nn::Conv2dOptions(3, 4, 3).padding(1));
    torch::nn::Conv2d conv1(torch::nn::Conv2dOptions(3, 4, 1));
    const auto conv3Fn = [&](const torch::Tensor& t) { return conv3->forward(t); };
    const auto identity = affineTheta(torch::zeros({2}), torch::zeros({2, 2}), 16, 16);
    const auto random = randomAffineTheta(2, 16, 16, 1.0, 1.0 / 3.0);

    EXPECT_LT(value(equivarianceLoss(conv3Fn, x, identity)), 1e-6);
    EXPECT_LT(value(equivarianceLoss([](const torch::Tensor& t) { return t; }, x, random)), 1e-7);
    // A pointwise map (1x1 conv with bias) commutes with any resampling
    // whose weights sum to 1, i.e. inside the valid mask.
    EXPECT_LT(value(equivarianceLoss([&](const torch::Tensor& t) { return conv1->forward(t); }, x, random)), 1e-5);
    // A 3x3 conv does not commute with a rotation.
    const auto loss = equivarianceLoss(conv3Fn, x, random);
    EXPECT_GT(value(loss), 1e-3);
    loss.backward();
    ASSERT_TRUE(conv3->weight.grad().defined());
    EXPECT_TRUE(torch::isfinite(conv3->weight.grad()).all().item<bool>());
    EXPECT_GT(value(conv3->weight.grad().abs().sum()), 0.0);
}

TEST(Losses, MultiTaskLossBackpropagatesThroughTheNetwork) {
    torch::manual_seed(4);
    MultiTaskNet net(MultiTaskNetOptions(5).preset("small"));
    net->train();
    const int64_t b = 2, s = 64;
    MultiTaskTargets t;
    t.segmentation = torch::randint(0, 5, {b, s, s}, torch::kLong);
    t.segmentation.index_put_({0, 0}, 255);  // one ignored row
    t.depth = torch::rand({b, 1, s, s}) * (torch::rand({b, 1, s, s}) > 0.3).to(torch::kFloat32);
    t.landmarks = torch::rand({b, kNumLandmarks, 2}) * 1.6 - 0.8;
    const auto l = multiTaskLoss(net, torch::rand({b, 3, s, s}) * 2 - 1, t);
    for (const auto& term : {l.segmentation, l.depth, l.keypoints, l.heatmap, l.equivariance}) {
        EXPECT_TRUE(std::isfinite(value(term)));
        EXPECT_GT(value(term), 0.0);
    }
    EXPECT_NEAR(value(l.total),
                value(l.segmentation + l.depth + l.keypoints + l.heatmap + l.equivariance), 1e-5);
    l.total.backward();
    for (const auto& p : net->named_parameters()) {
        ASSERT_TRUE(p.value().grad().defined()) << p.key();
        EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
    }

    // Weights scale their terms; a zero weight drops the equivariance pass.
    const auto o = MultiTaskLossOptions().equivariance(0).segmentation(2);
    torch::manual_seed(5);
    const auto l2 = multiTaskLoss(net, torch::rand({b, 3, s, s}) * 2 - 1, t, o);
    EXPECT_EQ(value(l2.equivariance), 0.0);
    EXPECT_NEAR(value(l2.total), value(2 * l2.segmentation + l2.depth + l2.keypoints + l2.heatmap), 1e-5);
}
