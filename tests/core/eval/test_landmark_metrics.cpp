// NME, failure rate and CED AUC against hand-computed cases, and the
// invalid inputs each one refuses.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/eval/landmark_metrics.h"

using namespace synthforge::eval;

namespace {

/// 68 ground-truth points with the outer eye corners 36 and 45 at (0,0) and
/// (10,0): inter-ocular distance 10. The other points are spread out so that
/// a bounding box has area.
Landmarks2d gt68() {
    Landmarks2d g(68, 2);
    for (int k = 0; k < 68; ++k) g.row(k) << static_cast<float>(k % 10), static_cast<float>(k / 10);
    g.row(36) << 0.0f, 0.0f;
    g.row(45) << 10.0f, 0.0f;
    return g;
}

std::string invalidMessage(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(LandmarkMetrics, PerfectPredictionHasZeroError) {
    const Landmarks2d g = gt68();
    EXPECT_EQ(nme(g, g), 0.0);
}

TEST(LandmarkMetrics, NmeMatchesHandComputation) {
    const Landmarks2d g = gt68();
    Landmarks2d p = g;
    // Two points off: point 0 by (3,4) -> 5 px, point 1 by (0,2) -> 2 px.
    // mean over 68 points = (5 + 2) / 68; divided by the inter-ocular 10:
    // NME = 7 / 680 = 0.0102941...
    p(0, 0) += 3.0f;
    p(0, 1) += 4.0f;
    p(1, 1) += 2.0f;
    EXPECT_NEAR(nme(p, g), 7.0 / 680.0, 1e-12);
}

TEST(LandmarkMetrics, ShiftingEveryPointGivesShiftOverDistance) {
    // Every point moved by (6, 8) = 10 px with inter-ocular 10 -> NME 1.0.
    const Landmarks2d g = gt68();
    Landmarks2d p = g;
    p.col(0).array() += 6.0f;
    p.col(1).array() += 8.0f;
    EXPECT_NEAR(nme(p, g), 1.0, 1e-9);
}

TEST(LandmarkMetrics, OnlyGroundTruthDefinesTheNormaliser) {
    // Moving the predicted eye corners changes the error, not the normaliser:
    // point 45 predicted at (20,0) is 10 px off -> NME = 10 / 68 / 10 = 1/68.
    const Landmarks2d g = gt68();
    Landmarks2d p = g;
    p.row(45) << 20.0f, 0.0f;
    EXPECT_NEAR(nme(p, g), 1.0 / 68.0, 1e-12);
}

TEST(LandmarkMetrics, CustomPairAndLapaConstants) {
    // 3 points, normalised by points 0 and 2 at distance 4.
    Landmarks2d g(3, 2), p(3, 2);
    g << 0, 0, 1, 1, 4, 0;
    p << 0, 0, 1, 2, 4, 0;  // point 1 off by 1 -> mean 1/3, NME = 1/12
    EXPECT_NEAR(nme(p, g, NmeOptions{0, 2}), 1.0 / 12.0, 1e-12);
    EXPECT_NEAR(nme(p, g, NmeOptions{2, 0}), 1.0 / 12.0, 1e-12);  // order does not matter

    EXPECT_EQ(lapa106Nme().leftIndex, 66);
    EXPECT_EQ(lapa106Nme().rightIndex, 79);
    EXPECT_EQ(ibug68Nme().leftIndex, 36);
    EXPECT_EQ(ibug68Nme().rightIndex, 45);
    Landmarks2d g106 = Landmarks2d::Zero(106, 2);
    g106.row(79) << 0.0f, 5.0f;  // 66 at the origin: distance 5
    Landmarks2d p106 = g106;
    p106(3, 0) = 106.0f * 5.0f;  // one point 530 px off -> mean 5 px -> NME 1
    EXPECT_NEAR(nme(p106, g106, lapa106Nme()), 1.0, 1e-9);
    EXPECT_THROW(nme(p106.topRows(68), g106.topRows(68), lapa106Nme()), std::invalid_argument);
}

TEST(LandmarkMetrics, BoundingBoxNormaliser) {
    // gt box 8 x 2 -> sqrt(16) = 4; one of 4 points off by 2 -> mean 0.5,
    // NME = 0.5 / 4 = 0.125.
    Landmarks2d g(4, 2), p(4, 2);
    g << 0, 0, 8, 0, 8, 2, 0, 2;
    p << 0, 0, 8, 0, 8, 4, 0, 2;
    NmeOptions box;
    box.normalizer = NmeNormalizer::BoxSqrtArea;
    EXPECT_NEAR(nme(p, g, box), 0.125, 1e-12);
    Landmarks2d flat(2, 2);
    flat << 0, 0, 5, 0;  // zero height
    EXPECT_NE(invalidMessage([&] { nme(flat, flat, box); }).find("zero area"), std::string::npos);
}

TEST(LandmarkMetrics, SummaryListsEachImageAndTheMean) {
    // Image 0 perfect (0), image 1 every point shifted by 5 px with
    // inter-ocular 10 (0.5): mean 0.25.
    const Landmarks2d g = gt68();
    Landmarks2d shifted = g;
    shifted.col(0).array() += 5.0f;
    const NmeSummary s = nmeSummary({g, shifted}, {g, g});
    ASSERT_EQ(s.perImage.size(), 2u);
    EXPECT_EQ(s.perImage[0], 0.0);
    EXPECT_NEAR(s.perImage[1], 0.5, 1e-12);
    EXPECT_NEAR(s.mean, 0.25, 1e-12);
}

TEST(LandmarkMetrics, ErrorsNameTheImageAndField) {
    const Landmarks2d g = gt68();
    Landmarks2d shortP = g.topRows(67);
    std::string m = invalidMessage([&] { nmeSummary({g, shortP}, {g, g}); });
    EXPECT_NE(m.find("image 1"), std::string::npos) << m;
    EXPECT_NE(m.find("pred has 67 points but gt has 68"), std::string::npos) << m;

    // Too few points for indices 36/45.
    const Landmarks2d few = g.topRows(40);
    m = invalidMessage([&] { nme(few, few); });
    EXPECT_NE(m.find("gt has 40 points"), std::string::npos) << m;

    // Coincident eye corners.
    Landmarks2d same = g;
    same.row(45) = same.row(36);
    m = invalidMessage([&] { nmeSummary({g, g, same}, {g, g, same}); });
    EXPECT_NE(m.find("image 2"), std::string::npos) << m;
    EXPECT_NE(m.find("coincide"), std::string::npos) << m;

    // Non-finite values, in either input.
    Landmarks2d bad = g;
    bad(5, 1) = std::numeric_limits<float>::quiet_NaN();
    m = invalidMessage([&] { nme(bad, g); });
    EXPECT_NE(m.find("pred point 5 is not finite"), std::string::npos) << m;
    bad(5, 1) = std::numeric_limits<float>::infinity();
    m = invalidMessage([&] { nme(g, bad); });
    EXPECT_NE(m.find("gt point 5 is not finite"), std::string::npos) << m;

    // Bad lists and options.
    EXPECT_THROW(nmeSummary({g}, {}), std::invalid_argument);
    EXPECT_THROW(nmeSummary({}, {}), std::invalid_argument);
    EXPECT_THROW(nme(g, g, NmeOptions{-1, 45}), std::invalid_argument);
    EXPECT_THROW(nme(g, g, NmeOptions{36, 36}), std::invalid_argument);
    EXPECT_THROW(nme(Landmarks2d(0, 2), Landmarks2d(0, 2)), std::invalid_argument);
}

TEST(LandmarkMetrics, FailureRateCountsStrictlyAboveThreshold) {
    // 0.08 itself is not a failure; 0.09 and 0.5 are: 2 of 5.
    const std::vector<double> e = {0.01, 0.05, 0.08, 0.09, 0.5};
    EXPECT_DOUBLE_EQ(failureRate(e), 2.0 / 5.0);
    EXPECT_DOUBLE_EQ(failureRate(e, 0.1), 1.0 / 5.0);
    EXPECT_DOUBLE_EQ(failureRate({0.0}), 0.0);
}

TEST(LandmarkMetrics, CedAucMatchesHandIntegration) {
    // t = 0.08, errors {0, 0.02, 0.04, 0.1}. CED steps: 1/4 from 0, 2/4 from
    // 0.02, 3/4 from 0.04; 0.1 is past t.
    // Area = 0.25*0.02 + 0.5*0.02 + 0.75*0.04 = 0.005 + 0.01 + 0.03 = 0.045;
    // AUC = 0.045 / 0.08 = 0.5625.
    // Per-image form: (1 + 0.75 + 0.5 + 0) / 4 = 0.5625.
    const std::vector<double> e = {0.0, 0.02, 0.04, 0.1};
    EXPECT_NEAR(cedAuc(e), 0.5625, 1e-12);
    EXPECT_DOUBLE_EQ(cedAuc({0.0, 0.0}), 1.0);
    EXPECT_DOUBLE_EQ(cedAuc({0.08, 1.0}), 0.0);
}

TEST(LandmarkMetrics, CedAucAgreesWithGridIntegration) {
    // The grid form used by evaluation scripts: sample CED every 1e-4 on
    // [0, t], trapezoid rule, divide by t. It must agree to about step / t.
    const std::vector<double> e = {0.003, 0.0171, 0.0333, 0.0502, 0.0799, 0.12};
    const double t = 0.08, step = 1e-4;
    const int n = static_cast<int>(std::lround(t / step));
    auto ced = [&](double x) {
        int c = 0;
        for (double v : e) c += v <= x;
        return static_cast<double>(c) / static_cast<double>(e.size());
    };
    double area = 0.0;
    for (int i = 0; i < n; ++i) area += 0.5 * (ced(i * step) + ced((i + 1) * step)) * step;
    EXPECT_NEAR(cedAuc(e, t), area / t, 2.0 * step / t);
}

TEST(LandmarkMetrics, CurveStatisticsRefuseBadInput) {
    EXPECT_THROW(failureRate({}), std::invalid_argument);
    EXPECT_THROW(cedAuc({}), std::invalid_argument);
    EXPECT_THROW(cedAuc({0.1}, 0.0), std::invalid_argument);
    EXPECT_THROW(failureRate({0.1}, std::numeric_limits<double>::infinity()), std::invalid_argument);
    const std::string m = invalidMessage([] { cedAuc({0.1, std::nan("")}); });
    EXPECT_NE(m.find("image 1"), std::string::npos) << m;
    EXPECT_THROW(failureRate({-0.1}), std::invalid_argument);
}
