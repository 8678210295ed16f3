// The drawn CED against the statistics it must agree with: its area is
// cedAuc and its end value 1 - failureRate, on hand-made and random errors;
// the exact shape on a small case; and the inputs it refuses.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "core/eval/ced_curve.h"
#include "core/eval/landmark_metrics.h"

using namespace synthforge::eval;

namespace {

void expectPoint(const CedPoint& p, double error, double fraction) {
    EXPECT_DOUBLE_EQ(p.error, error);
    EXPECT_DOUBLE_EQ(p.fraction, fraction);
}

}  // namespace

TEST(CedCurve, StepShapeOfASmallCase) {
    // 0.02 twice, 0.05 once, 0.12 beyond the end: steps of 2/4 and 1/4.
    const std::vector<CedPoint> c = cedCurve({0.05, 0.02, 0.12, 0.02}, 0.08);
    ASSERT_EQ(c.size(), 6u);
    expectPoint(c[0], 0.0, 0.0);
    expectPoint(c[1], 0.02, 0.0);
    expectPoint(c[2], 0.02, 0.5);
    expectPoint(c[3], 0.05, 0.5);
    expectPoint(c[4], 0.05, 0.75);
    expectPoint(c[5], 0.08, 0.75);
    // By hand: 0.5 * 0.03 + 0.75 * 0.03 = 0.0375.
    EXPECT_NEAR(cedArea(c), 0.0375, 1e-15);
}

TEST(CedCurve, ZeroErrorsStartAboveZeroAndAnErrorAtTheEndCounts) {
    const std::vector<CedPoint> c = cedCurve({0.0, 0.1, 0.3}, 0.1);
    ASSERT_EQ(c.size(), 3u);
    expectPoint(c[0], 0.0, 1.0 / 3.0);
    expectPoint(c[1], 0.1, 1.0 / 3.0);
    expectPoint(c[2], 0.1, 2.0 / 3.0);  // NME == threshold is not a failure
    EXPECT_DOUBLE_EQ(1.0 - failureRate({0.0, 0.1, 0.3}, 0.1), 2.0 / 3.0);
}

TEST(CedCurve, AgreesWithCedAucAndFailureRateOnRandomErrors) {
    std::mt19937 rng(7);
    std::gamma_distribution<double> gamma(2.0, 0.02);  // mean 0.04, a tail past 0.08
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<double> nmes(1 + trial * 37);
        for (double& e : nmes) e = gamma(rng);
        if (trial % 3 == 0) nmes.push_back(nmes.front());  // a repeated value
        for (double t : {0.08, 0.1}) {
            const std::vector<CedPoint> c = cedCurve(nmes, t);
            EXPECT_NEAR(cedArea(c) / t, cedAuc(nmes, t), 1e-12) << "trial " << trial << " t " << t;
            EXPECT_DOUBLE_EQ(c.back().error, t);
            EXPECT_NEAR(c.back().fraction, 1.0 - failureRate(nmes, t), 1e-15);
            EXPECT_DOUBLE_EQ(c.front().error, 0.0);
            for (std::size_t k = 1; k < c.size(); ++k) {
                EXPECT_GE(c[k].error, c[k - 1].error);
                EXPECT_GE(c[k].fraction, c[k - 1].fraction);
            }
            EXPECT_LE(c.size(), 2 * nmes.size() + 2);
        }
        // A longer range (what a chart shows): its value at t is still 1 - failure.
        const std::vector<CedPoint> wide = cedCurve(nmes, 0.16);
        double atT = wide.front().fraction;
        for (const CedPoint& p : wide)
            if (p.error <= 0.08) atT = p.fraction;
        EXPECT_NEAR(atT, 1.0 - failureRate(nmes, 0.08), 1e-15);
    }
}

TEST(CedCurve, AllBelowReachesOne) {
    const std::vector<CedPoint> c = cedCurve({0.01, 0.02}, 0.08);
    EXPECT_DOUBLE_EQ(c.back().fraction, 1.0);
    EXPECT_NEAR(cedArea(c) / 0.08, cedAuc({0.01, 0.02}, 0.08), 1e-15);
}

TEST(CedCurve, RefusesBadInput) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(cedCurve({}, 0.08), std::invalid_argument);
    EXPECT_THROW(cedCurve({0.1, -0.01}, 0.08), std::invalid_argument);
    EXPECT_THROW(cedCurve({0.1, nan}, 0.08), std::invalid_argument);
    EXPECT_THROW(cedCurve({0.1}, 0.0), std::invalid_argument);
    EXPECT_THROW(cedCurve({0.1}, std::numeric_limits<double>::infinity()), std::invalid_argument);
    try {
        cedCurve({0.1, nan}, 0.08);
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("image 1"), std::string::npos) << e.what();
    }
}
