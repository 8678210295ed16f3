// Kernel Inception Distance: the unbiased MMD worked by hand, its
// properties, and bad input.

#include <gtest/gtest.h>

#include <random>

#include "core/eval/kid.h"

namespace synthforge::eval {
namespace {

TEST(Kid, UnbiasedMmdMatchesAHandWorkedExample) {
    // d = 2, k(x, y) = (x.y / 2 + 1)^3. Within X and within Y every pair is
    // orthogonal or zero: k = 1, so both means are 1. Across: x1.y1 = x2.y1
    // = 1 gives 1.5^3 = 3.375, the others 1; the cross mean is 8.75 / 4.
    // MMD^2_u = 1 + 1 - 2 * 2.1875 = -2.375.
    const FeatureRows x{{1, 0}, {0, 1}}, y{{1, 1}, {0, 0}};
    EXPECT_NEAR(polynomialMmdUnbiased(x, y), -2.375, 1e-12);
    EXPECT_NEAR(polynomialMmdUnbiased(y, x), -2.375, 1e-12);
}

TEST(Kid, NearZeroForOneDistributionAndLargeForAShiftedOne) {
    std::mt19937_64 rng(3);
    std::normal_distribution<float> n(0, 1);
    const auto sample = [&](float shift, int rows) {
        FeatureRows out(static_cast<std::size_t>(rows), std::vector<float>(16));
        for (auto& r : out)
            for (float& v : r) v = n(rng) + shift;
        return out;
    };
    const FeatureRows a = sample(0, 300), b = sample(0, 300), c = sample(1.0f, 300);
    const KidResult same = kernelInceptionDistance(a, b, 20, 100, 1);
    const KidResult shifted = kernelInceptionDistance(a, c, 20, 100, 1);
    EXPECT_LT(std::abs(same.mean), 3 * same.std + 1e-3);
    EXPECT_GT(shifted.mean, 10 * same.std);
    EXPECT_EQ(same.subsetSize, 100);
    EXPECT_EQ(same.subsets, 20);
    // Seeded: the same call gives the same figures.
    EXPECT_EQ(kernelInceptionDistance(a, c, 20, 100, 1).mean, shifted.mean);
    // Subsets never exceed the smaller set.
    EXPECT_EQ(kernelInceptionDistance(a, sample(0, 7), 3, 1000, 1).subsetSize, 7);
}

TEST(Kid, RefusesSetsItCannotCompare) {
    const FeatureRows one{{1, 2}}, two{{1, 2}, {3, 4}}, wide{{1, 2, 3}, {4, 5, 6}};
    EXPECT_THROW(polynomialMmdUnbiased(one, two), std::invalid_argument);
    EXPECT_THROW(polynomialMmdUnbiased(two, wide), std::invalid_argument);
    EXPECT_THROW(kernelInceptionDistance(two, two, 0), std::invalid_argument);
    EXPECT_THROW(kernelInceptionDistance(FeatureRows{{}, {}}, two), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::eval
