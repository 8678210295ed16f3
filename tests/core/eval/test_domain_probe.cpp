// The real-versus-rendered classifier: it tells apart what differs, not
// what does not, and refuses what it cannot use.

#include <gtest/gtest.h>

#include <random>

#include "core/eval/domain_probe.h"

namespace synthforge::eval {
namespace {

FeatureRows gaussian(int rows, int width, float shift, std::mt19937_64& rng) {
    std::normal_distribution<float> n(0, 1);
    FeatureRows out(static_cast<std::size_t>(rows), std::vector<float>(static_cast<std::size_t>(width)));
    for (auto& r : out) {
        for (float& v : r) v = n(rng);
        r[0] += shift;  // the sets differ along one feature only
    }
    return out;
}

TEST(DomainProbe, SeparatesShiftedSetsAndNotIdenticalOnes) {
    std::mt19937_64 rng(4);
    const FeatureRows a = gaussian(300, 8, 0, rng), far = gaussian(300, 8, 6, rng), same = gaussian(300, 8, 0, rng);
    const DomainProbeResult apart = domainClassifierAccuracy(a, far);
    EXPECT_GT(apart.accuracy, 0.98);
    EXPECT_EQ(apart.trainRows, 300);
    EXPECT_EQ(apart.testRows, 300);
    // 300 held-out rows: chance 0.5 with a standard error of about 0.03.
    EXPECT_NEAR(domainClassifierAccuracy(a, same).accuracy, 0.5, 0.1);
    // A shift of one standard deviation along one feature: in between.
    const double partial = domainClassifierAccuracy(a, gaussian(300, 8, 1, rng)).accuracy;
    EXPECT_GT(partial, 0.6);
    EXPECT_LT(partial, 0.8);
}

TEST(DomainProbe, RefusesSetsItCannotSplit) {
    const FeatureRows three{{1}, {2}, {3}}, four{{1}, {2}, {3}, {4}}, wide{{1, 2}, {1, 2}, {1, 2}, {1, 2}};
    EXPECT_THROW(domainClassifierAccuracy(three, four), std::invalid_argument);
    EXPECT_THROW(domainClassifierAccuracy(four, wide), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::eval
